/* EVSI of the scenario's proposed follow-up studies after a PSA with --voi
 * (engine/evsi.h), into /voi/evsi/STUDY (output/evsi_out.h). */
#include "netsurv/engine/econ.h"
#include "netsurv/engine/evppi.h"
#include "netsurv/engine/evsi.h"
#include "netsurv/output/evsi_out.h"
#include "netsurv/numeric/rng.h"
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The study's cohort in words. */
static void cohort_words(const ns_riskgroup *g, char *out, size_t cap)
{
    static const char *const grade[] = {"G1", "G2", "G3"}, *const margin[] = {"R0", "R1", "Rx"};
    size_t at = 0;
    if (g->size_lo > 0 || isfinite(g->size_hi))
        at += (size_t)snprintf(out, cap, "size %g-%g mm; ", g->size_lo, g->size_hi);
    if (g->grades != 7)
        for (int i = 0; i < 3 && at < cap; i++)
            if (g->grades >> i & 1)
                at += (size_t)snprintf(out + at, cap - at, "%s ", grade[i]);
    if (g->margins != 7)
        for (int i = 0; i < 3 && at < cap; i++)
            if (g->margins >> i & 1)
                at += (size_t)snprintf(out + at, cap - at, "%s ", margin[i]);
    if (g->lvi != 3 && at < cap)
        at += (size_t)snprintf(out + at, cap - at, "LVI %s ", g->lvi & 2 ? "yes" : "no");
    if (g->depth != 3 && at < cap)
        at += (size_t)snprintf(out + at, cap - at, "%s ", g->depth & 2 ? "muscularis" :
                               "submucosa");
    if (at == 0)
        snprintf(out, cap, "every patient of the cohort");
    else if (at < cap && out[at - 1] == ' ')
        out[at - 1] = 0;
}

/* The study's visits in words. */
static void protocol_words(const ns_scenario *s, const ns_rule *r, char *out, size_t cap)
{
    size_t at = (size_t)snprintf(out, cap, "%d visits", r->n_visits);
    for (int v = 0; v < r->n_visits && v < 12 && at < cap; v++) {
        at += (size_t)snprintf(out + at, cap - at, "%s%g y (", v ? ", " : " at ",
                               r->visit_time[v]);
        for (int m = 0, first = 1; m < s->n_modalities && at < cap; m++)
            if (r->visit_tests[v] >> m & 1) {
                at += (size_t)snprintf(out + at, cap - at, "%s%s", first ? "" : "+",
                                       s->modality[m].name);
                first = 0;
            }
        if (at < cap)
            at += (size_t)snprintf(out + at, cap - at, ")");
    }
    if (r->n_visits > 12 && at < cap)
        snprintf(out + at, cap - at, ", ...");
}

static int one_study(ns_h5 *h, const ns_scenario *s, const ns__job_uncertainty *x, int si,
                     const double *const *cs, const double *const *es, int nsets, int G,
                     const double *grid, int W)
{
    const ns_study *st = &s->study[si];
    int K = x->K;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int nN = st->n_sizes, nT = st->n_years, S = s->n_strategies;
    size_t designs = (size_t)nN * nT, cells = designs * W;
    double *stats = malloc(sizeof *stats * designs * K * NS_EVSI_STATS);
    double *v = malloc(sizeof *v * 2 * (size_t)nsets * W), *ev = malloc(sizeof *ev * 4 * cells);
    double *cost = malloc(sizeof *cost * designs);
    char err[300];
    int rc = !stats || !v || !ev || !cost;
    /* the study's own patients: a stream apart from the cohort's, the same in every draw */
    uint64_t study_seed = ns_rng_mix64(x->seed ^ 0x7374756479000000ULL ^ (uint64_t)si);
    if (!rc && ns_evsi_simulate(s, x->posterior, st, K, x->seed, study_seed, x->threads, stats,
                                err, sizeof err)) {
        fprintf(stderr, "netsurv: EVSI: %s\n", err);
        rc = 1;
    }
    double *e = ev, *ese = ev + cells, *c = ev + 2 * cells, *cse = ev + 3 * cells;
    int missed = 0;
    for (size_t d = 0; !rc && d < designs; d++) {
        if (ns_evsi_regress(stats + d * K * NS_EVSI_STATS, K, nsets, cs, es, S, grid, W,
                            s->seed + 2000 + d, v, v + (size_t)nsets * W)) {
            for (int w = 0; w < W; w++)
                e[d * W + w] = ese[d * W + w] = c[d * W + w] = cse[d * W + w] = NAN;
            missed++;
            continue;
        }
        const double *vs = v + (size_t)nsets * W;
        for (int w = 0; w < W; w++) {
            e[d * W + w] = v[w], ese[d * W + w] = vs[w];
            double sum = 0, var = 0;
            for (int r = 0; r < G; r++) /* the decision by group: contributions add */
                sum += v[(size_t)(1 + r) * W + w], var += vs[(size_t)(1 + r) * W + w] *
                                                           vs[(size_t)(1 + r) * W + w];
            c[d * W + w] = sum, cse[d * W + w] = sqrt(var);
        }
    }
    for (int t = 0; t < nT; t++)
        for (int n = 0; !rc && n < nN; n++)
            cost[(size_t)t * nN + n] = st->size[n] > 0 ? st->cost_fixed + st->cost_per_patient_year
                                                                            * st->size[n] *
                                                                            st->years[t]
                                                       : 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc) {
        char groups[200], protocol[600], observes[200];
        cohort_words(&st->when, groups, sizeof groups);
        protocol_words(s, &st->protocol, protocol, sizeof protocol);
        snprintf(observes, sizeof observes, "local, nodal and distant recurrences found within "
                 "follow-up, and those of any site found after %g years, per patient",
                 st->late_after);
        double f = s->econ.has_population
                       ? ns_econ_population_factor(s->econ.pop_incidence, s->econ.pop_horizon,
                                                   s->follow.discount_costs)
                       : NAN;
        char msg[400];
        if (missed && x->note) {
            snprintf(msg, sizeof msg, "EVSI of study '%s': %d of %zu designs not estimated "
                     "(NaN): their data vary in more statistics than %d draws can carry; the "
                     "regression needs up to %d (--psa %d)", st->name, missed, designs, K,
                     ns_evppi_min_draws(NS_EVSI_STATS), ns_evppi_min_draws(NS_EVSI_STATS));
            x->note(x->ctx, msg);
        }
        ns_evsi_result r = {st, K, W, ns_evppi_min_draws(NS_EVSI_STATS), grid, e, ese, G ? c : NULL, G ? cse : NULL, cost, f,
                            groups, protocol, observes,
                            (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec -
                                                                              t0.tv_nsec)};
        rc = ns_h5_write_evsi(h, &r) != 0;
        if (!rc && x->note) {
            snprintf(msg, sizeof msg, "EVSI of study '%s' (%d sample sizes x %d follow-ups, %d "
                     "draws): %.1f s", st->name, nN, nT, K, r.seconds);
            x->note(x->ctx, msg);
        }
    }
    free(stats), free(v), free(ev), free(cost);
    return rc ? -1 : 0;
}

int ns__job_evsi(ns_h5 *h, const ns_scenario *s, const ns__job_uncertainty *x,
                 const double *cost, const double *effect, const ns_psa_groups *pg)
{
    int K = x->K;
    if (!s->n_studies)
        return 0;
    int S = s->n_strategies, G = pg ? s->n_groups : 0;
    double grid[NS_ECON_MAX_WTP];
    int W = ns_econ_wtp_grid(s->econ.wtp_max, s->econ.wtp_step, grid, NS_ECON_MAX_WTP);
    /* the decisions: the whole cohort's, then each risk group's contribution to the cohort */
    int nsets = 1 + G;
    double *sets = G ? malloc(sizeof *sets * 2 * (size_t)G * K * S) : NULL;
    const double **cs = malloc(sizeof *cs * (size_t)nsets), **es = malloc(sizeof *es * nsets);
    int rc = (G && !sets) || !cs || !es;
    if (!rc) {
        cs[0] = cost, es[0] = effect;
        for (int r = 0; r < G; r++) {
            double *c = sets + (size_t)r * 2 * K * S, *e = c + (size_t)K * S;
            ns__job_group_series(pg, K, G, S, r, 1, c, e);
            cs[1 + r] = c, es[1 + r] = e;
        }
    }
    for (int si = 0; !rc && si < s->n_studies; si++)
        rc = one_study(h, s, x, si, cs, es, nsets, G, grid, W) != 0;
    free(sets), free(cs), free(es);
    return rc ? -1 : 0;
}
