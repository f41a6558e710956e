/* EVSI by regression on simulated study data (engine/evsi.h). */
#include "netsurv/engine/evsi.h"
#include "netsurv/engine/calib.h"
#include "netsurv/engine/econ.h"
#include "netsurv/engine/evppi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ns_evsi_simulate(const ns_scenario *base, const ns_posterior *post, const ns_study *st,
                     int K, uint64_t seed, uint64_t study_seed, int threads, double *stats,
                     char *err, size_t errlen)
{
    int nN = st->n_sizes, nT = st->n_years;
    uint64_t bound[NS_STUDY_MAX_N], nmax = 1;
    for (int n = 0; n < nN; n++) {
        bound[n] = (uint64_t)st->size[n];
        nmax = bound[n] > nmax ? bound[n] : nmax;
    }
    /* the study as a calibration series: its cohort and protocol, its largest size */
    ns_calibration *c = calloc(1, sizeof *c);
    ns_scenario *d = malloc(sizeof *d);
    uint64_t *found = malloc(sizeof *found * (size_t)nN * (nT + 1) * NS_NEVENTS);
    if (!c || !d || !found) {
        snprintf(err, errlen, "out of memory");
        free(c), free(d), free(found);
        return -1;
    }
    c->n_series = 1;
    ns_series *x = &c->series[0];
    snprintf(x->name, sizeof x->name, "%s", st->name);
    x->when = st->when;
    x->protocol = st->protocol;
    x->n_patients = (int)nmax;
    x->fu_median = x->fu_max = st->years[nT - 1];
    char e2[200];
    ns_calib_sim *cs = ns_calib_sim_new(base, c, study_seed, nmax, e2, sizeof e2);
    if (!cs) {
        snprintf(err, errlen, "study '%s': %s", st->name, e2);
        free(c), free(d), free(found);
        return -1;
    }
    /* the follow-ups, then the late cut-off: the counts by it too */
    double years[NS_STUDY_MAX_T + 1];
    memcpy(years, st->years, sizeof *years * (size_t)nT);
    years[nT] = st->late_after;
    const int ny = nT + 1;
    for (int k = 0; k < K; k++) {
        ns_psa_draw_posterior(base, post, d, seed, (uint64_t)k);
        ns_calib_sim_run_draw(cs, 0, d, nN, bound, ny, years, threads, found);
        for (int n = 0; n < nN; n++) {
            const uint64_t *early = found + ((size_t)n * ny + nT) * NS_NEVENTS;
            for (int t = 0; t < nT; t++) {
                const uint64_t *f = found + ((size_t)n * ny + t) * NS_NEVENTS;
                double *o = stats + (((size_t)t * nN + n) * K + k) * NS_EVSI_STATS;
                o[0] = (double)f[NS_EV_LOCAL];
                o[1] = (double)f[NS_EV_NODAL];
                o[2] = (double)f[NS_EV_DISTANT];
                o[3] = st->years[t] > st->late_after
                           ? o[0] + o[1] + o[2] - (double)(early[NS_EV_LOCAL] +
                                                           early[NS_EV_NODAL] +
                                                           early[NS_EV_DISTANT])
                           : 0;
            }
        }
    }
    ns_calib_sim_free(cs);
    free(c), free(d), free(found);
    return 0;
}

int ns_evsi_regress(const double *stats, int K, int nsets, const double *const *costs,
                    const double *const *effects, int S, const double *wtp, int W,
                    uint64_t seed, double *ev, double *se)
{
    int cols[NS_EVSI_STATS], p = 0;
    for (int e = 0; e < NS_EVSI_STATS; e++) { /* only the statistics that vary */
        int varies = 0;
        for (int k = 1; k < K && !varies; k++)
            varies = stats[(size_t)k * NS_EVSI_STATS + e] != stats[e];
        if (varies)
            cols[p++] = e;
    }
    size_t n = (size_t)nsets * W;
    if (p == 0) { /* the study observes nothing that differs between draws */
        memset(ev, 0, sizeof *ev * n);
        memset(se, 0, sizeof *se * n);
        return 0;
    }
    if (ns_evppi_sets(stats, K, NS_EVSI_STATS, cols, p, nsets, costs, effects, S, wtp, W, seed,
                      ev, se))
        return -1;
    double *ceac = malloc(sizeof *ceac * (size_t)S * W), *evpi = malloc(sizeof *evpi * W);
    int *ceaf = malloc(sizeof *ceaf * W);
    int rc = !ceac || !evpi || !ceaf;
    for (int q = 0; !rc && q < nsets; q++) {
        ns_econ_psa(costs[q], effects[q], K, S, wtp, W, ceac, ceaf, evpi);
        for (int w = 0; w < W; w++) {
            double *v = &ev[(size_t)q * W + w];
            *v = *v < evpi[w] ? *v : evpi[w];
            *v = *v > 0 ? *v : 0;
        }
    }
    free(ceac), free(evpi), free(ceaf);
    return rc ? -1 : 0;
}
