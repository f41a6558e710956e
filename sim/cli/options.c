/* The options of every command but merge, and the usage text. */
#include "options.h"
#include "commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ns_cli_usage(FILE *f)
{
#define NS_USAGE_LINE(name, usage) "  " usage "\n"
    fputs("usage:\n" NS_COMMANDS(NS_USAGE_LINE) "  netsurv --version\n"
          "SCENARIO defaults to " NETSURV_DEFAULT_SCENARIO "\n"
          "  (or, where that is gone, the installed " NETSURV_INSTALLED_SCENARIO ")\n",
          f);
#undef NS_USAGE_LINE
}

/* Parses a whole non-negative number; returns -1 if it is not one. */
static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    double d = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == 'e' || *end == 'E' || *end == '.') { /* 1e6 */
        d = strtod(s, &end);
        if (*end || d < 0 || d != floor(d) || d > 1.8e19)
            return -1;
        v = (unsigned long long)d;
    }
    if (*end)
        return -1;
    *out = v;
    return 0;
}

/* Fills o from argv[2..]; prints the problem and returns 2 on bad usage. */
int ns_cli_parse(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->n = 1000000;
    o->argc = argc;
    o->argv = argv;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t x;
        if (!strcmp(a, "-n") || !strcmp(a, "--patients")) {
            if (parse_u64(v, &o->n) || o->n == 0) {
                fprintf(stderr, "netsurv: %s needs a positive whole number\n", a);
                return 2;
            }
            o->n_given = 1;
            i++;
        } else if (!strcmp(a, "--seed")) {
            if (parse_u64(v, &o->seed)) {
                fprintf(stderr, "netsurv: --seed needs a non-negative whole number\n");
                return 2;
            }
            o->seed_given = 1;
            i++;
        } else if (!strcmp(a, "--threads")) {
            if (parse_u64(v, &x) || x == 0 || x > 4096) {
                fprintf(stderr, "netsurv: --threads needs a whole number from 1 to 4096\n");
                return 2;
            }
            o->threads = (int)x;
            i++;
        } else if (!strcmp(a, "--set")) {
            if (!v || o->n_sets >= MAX_SETS) {
                fprintf(stderr, "netsurv: --set needs path.to.key=value\n");
                return 2;
            }
            o->sets[o->n_sets++] = v;
            i++;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!v || !*v) {
                fprintf(stderr, "netsurv: %s needs a file name\n", a);
                return 2;
            }
            o->output = v;
            i++;
        } else if (!strcmp(a, "--force")) {
            o->force = 1;
        } else if (!strcmp(a, "--per-patient")) {
            o->per_patient = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--psa")) {
            if (parse_u64(v, &x) || x == 0 || x > 1000000) {
                fprintf(stderr, "netsurv: --psa needs a number of draws from 1 to 1000000\n");
                return 2;
            }
            o->psa = (int)x;
            i++;
        } else if (!strcmp(a, "--owsa")) {
            o->owsa = 1;
        } else if (!strcmp(a, "--peak-memory")) {
            o->peak_memory = 1;
        } else if (!strcmp(a, "--resume")) {
            o->resume = 1;
        } else if (!strcmp(a, "--sweep")) {
            if (!v) {
                fprintf(stderr, "netsurv: --sweep needs a file\n");
                return 2;
            }
            o->sweep = v;
            i++;
        } else if (!strcmp(a, "--series")) {
            if (!v) {
                fprintf(stderr, "netsurv: --series needs a file\n");
                return 2;
            }
            o->series = v;
            i++;
        } else if (!strcmp(a, "--check")) {
            o->check = 1;
        } else if (!strcmp(a, "--shard")) {
            int k, n, used = 0;
            if (!v || sscanf(v, "%d/%d%n", &k, &n, &used) != 2 || v[used] || n < 1 || k < 1 ||
                k > n) {
                fprintf(stderr, "netsurv: --shard needs K/N with 1 <= K <= N\n");
                return 2;
            }
            o->shard_k = k - 1;
            o->shard_n = n;
            i++;
        } else if (!strcmp(a, "--memory")) {
            o->memory = 1;
        } else if (!strcmp(a, "--csv")) {
            o->csv = 1;
        } else if (!strcmp(a, "--strict")) {
            o->strict = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "netsurv: unknown option '%s'\n", a);
            ns_cli_usage(stderr);
            return 2;
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            fprintf(stderr, "netsurv: unexpected argument '%s'\n", a);
            return 2;
        }
    }
    if (!o->scenario)
        o->scenario = access(NETSURV_DEFAULT_SCENARIO, R_OK) == 0 ? NETSURV_DEFAULT_SCENARIO
                                                                  : NETSURV_INSTALLED_SCENARIO;
    return 0;
}
