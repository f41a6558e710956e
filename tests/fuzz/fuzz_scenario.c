/* libFuzzer target: the scenario loader (YAML tree, every section's checks,
 * unknown keys) on arbitrary bytes, raw (NUL and bad UTF-8 included) and as
 * a C string; with a --set taken from the input's first line too.
 * Build and run: scripts/fuzz.sh (corpus: tests/fuzz/corpus/scenario). */
#include "netsurv/scenario/scenario.h"
#include "netsurv/scenario/yamltree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    ns_ytree t;
    if (ns_ytree_load_string(&t, "fuzz.yaml", (const char *)data, size, err, sizeof err) == 0)
        ns_ytree_free(&t);
    char *text = malloc(size + 1);
    ns_errors *e = malloc(sizeof *e);
    if (!text || !e) {
        free(text);
        free(e);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    ns_scenario *s = NULL;
    if (ns_scenario_load_string("fuzz.yaml", text, NULL, 0, &s, e) == 0)
        ns_scenario_free(s);
    /* the first line as an override of the rest */
    char *nl = strchr(text, '\n');
    if (nl) {
        *nl = '\0';
        const char *sets[1] = {text};
        s = NULL;
        if (ns_scenario_load_string("fuzz.yaml", nl + 1, sets, 1, &s, e) == 0)
            ns_scenario_free(s);
    }
    free(text);
    free(e);
    return 0;
}
