/* Work units over sweep points and run fingerprints. */
#include "netsurv/engine/work.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint64_t ns_work_total(const ns_scenario *base, uint64_t n)
{
    return base->sweep.n_points * ns_engine_units(n);
}

void ns_work_share(uint64_t total, int k, int N, uint64_t *w0, uint64_t *nw)
{
    uint64_t a = total * (uint64_t)k / (uint64_t)N, b = total * (uint64_t)(k + 1) / (uint64_t)N;
    *w0 = a;
    *nw = b - a;
}

int ns_work_run(const ns_scenario *base, const ns_engine_opts *o, uint64_t w0, uint64_t nw,
                ns_strategy_tally *units, ns_errors *errs)
{
    uint64_t U = ns_engine_units(o->n), w = w0, end = w0 + nw;
    int S = ns_tally_count(base);
    errs->n = 0;
    while (w < end) {
        uint64_t p = w / U, u0 = w % U, cnt = U - u0 < end - w ? U - u0 : end - w;
        ns_scenario *s = NULL;
        if (base->sweep.n_axes && ns_scenario_load_point(base, p, &s, errs))
            return -1;
        int rc = ns_engine_run_units(s ? s : base, o, u0, cnt, units + (w - w0) * (uint64_t)S,
                                     NULL);
        ns_scenario_free(s);
        if (rc)
            return -1;
        w += cnt;
    }
    return 0;
}

/* FNV-1a over bytes, continuing from h. */
static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1);
}

uint64_t ns_run_fingerprint(const ns_scenario *base, uint64_t seed, uint64_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t tally = sizeof(ns_strategy_tally);
    h = fnv_str(h, NETSURV_VERSION);
    h = fnv_str(h, NETSURV_GIT_REVISION);
    h = fnv(h, &tally, sizeof tally);
    h = fnv_str(h, base->text);
    h = fnv_str(h, base->sweep_text);
    for (int i = 0; i < base->n_sets; i++)
        h = fnv_str(h, base->sets[i]);
    h = fnv(h, &seed, sizeof seed);
    return fnv(h, &n, sizeof n);
}
