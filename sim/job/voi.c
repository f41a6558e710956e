/* Value of information after a PSA run: EVPPI of every drawn parameter and
 * of each named group of parameters, for the whole cohort's decision, per
 * risk group and for the decision by group (engine/evppi.h). */
#include "netsurv/engine/econ.h"
#include "netsurv/engine/evppi.h"
#include "netsurv/output/voi_out.h"
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ns__job_group_series(const ns_psa_groups *pg, int K, int G, int S, int r, int contribution,
                          double *c, double *e)
{
    for (int k = 0; k < K; k++)
        for (int i = 0; i < S; i++) {
            size_t at = ((size_t)k * G + (size_t)r) * S + (size_t)i;
            double wgt = contribution ? pg->share[(size_t)k * G + r] : 1;
            c[(size_t)k * S + i] = pg->cost[at] * wgt;
            e[(size_t)k * S + i] = pg->effect[at] * wgt;
        }
}

/* The EVPPI of the parameter columns cols[0..n) over the grid for nsets
 * decisions (costs[q], effects[q]), v and se [q * W + w]; NaN where the
 * draws cannot carry the regression; never above the EVPI of the same draws
 * (an estimate above it is the regression's noise). */
static void one(const double *x, int K, int P, const int *cols, int n, int nsets,
                const double *const *c, const double *const *e, int S, const double *grid,
                int W, uint64_t seed, double *v, double *se)
{
    if (n < 1 || ns_evppi_sets(x, K, P, cols, n, nsets, c, e, S, grid, W, seed, v, se)) {
        for (size_t w = 0; w < (size_t)W * nsets; w++)
            v[w] = se[w] = NAN;
        return;
    }
    double *ceac = malloc(sizeof *ceac * (size_t)S * W), *evpi = malloc(sizeof *evpi * W);
    int *ceaf = malloc(sizeof *ceaf * W);
    for (int q = 0; ceac && evpi && ceaf && q < nsets; q++) {
        ns_econ_psa(c[q], e[q], K, S, grid, W, ceac, ceaf, evpi);
        for (int w = 0; w < W; w++) {
            double *x1 = &v[(size_t)q * W + w];
            *x1 = *x1 < evpi[w] ? *x1 : evpi[w];
        }
    }
    free(ceac), free(evpi), free(ceaf);
}

int ns__job_evppi(ns_h5 *h, const ns_scenario *s, const ns__job_uncertainty *u,
                  const double *x, const double *cost, const double *effect,
                  const ns_psa_groups *pg)
{
    int K = u->K;
    int P = ns_psa_count(s), S = s->n_strategies, G = pg ? s->n_groups : 0;
    int NG = NS_EVPPI_NGROUPS;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double grid[NS_ECON_MAX_WTP];
    int W = ns_econ_wtp_grid(s->econ.wtp_max, s->econ.wtp_step, grid, NS_ECON_MAX_WTP);
    int *member = malloc(sizeof *member * (size_t)(P > 0 ? P : 1) * NG), count[NS_EVPPI_NGROUPS] = {0};
    double *par = malloc(sizeof *par * 2 * (size_t)(P > 0 ? P : 1) * W);
    double *grp = malloc(sizeof *grp * 2 * (size_t)NG * W);
    double *rg = malloc(sizeof *rg * 2 * (size_t)(G > 0 ? G : 1) * NG * W);
    double *comp = calloc(2 * (size_t)NG * W, sizeof *comp);
    int rc = !member || !par || !grp || !rg || !comp;
    const char *names[NS_MAX_PARAMS];
    for (int i = 0, j = 0; !rc && i < s->n_params; i++)
        if (s->param[i].psa > NS_PSA_FIXED) {
            int g = ns_evppi_group_of(s->param[i].path);
            names[j] = s->param[i].path;
            if (count[g] < NS_EVPPI_MAX_PARAMS)
                member[g * P + count[g]++] = j;
            j++;
        }
    /* the decisions: the whole cohort's, then each risk group's own (per patient of the
     * group), then each risk group's contribution to the cohort (for the decision by group) */
    int nsets = 1 + 2 * G;
    double *sets = G ? malloc(sizeof *sets * 4 * (size_t)G * K * S) : NULL;
    const double **cs = malloc(sizeof *cs * (size_t)nsets), **es = malloc(sizeof *es * (size_t)nsets);
    rc = rc || (G && !sets) || !cs || !es;
    if (!rc) {
        cs[0] = cost, es[0] = effect;
        for (int q = 1; q < nsets; q++) {
            int r = (q - 1) % (G ? G : 1), contribution = q > G;
            double *c = sets + (size_t)(q - 1) * 2 * K * S, *e = c + (size_t)K * S;
            ns__job_group_series(pg, K, G, S, r, contribution, c, e);
            cs[q] = c, es[q] = e;
        }
    }
    double *gv = malloc(sizeof *gv * 2 * (size_t)NG * nsets * W);
    rc = rc || !gv;
    /* every task writes its own rows, so they run in any order on any thread */
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) if (!rc)
#endif
    for (int task = 0; task < P + NG; task++) {
        if (rc)
            continue;
        if (task < P) { /* every parameter alone, for the whole cohort */
            int j = task;
            one(x, K, P, &j, 1, 1, &cost, &effect, S, grid, W, s->seed + (uint64_t)j,
                par + (size_t)j * W, par + ((size_t)P + j) * W);
            continue;
        }
        int g = task - P; /* a named group, for every decision */
        double *v = gv + (size_t)g * 2 * nsets * W;
        one(x, K, P, member + g * P, count[g], nsets, cs, es, S, grid, W,
            s->seed + 1000 + (uint64_t)g, v, v + (size_t)nsets * W);
    }
    for (int g = 0; !rc && g < NG; g++) {
        const double *v = gv + (size_t)g * 2 * nsets * W, *se = v + (size_t)nsets * W;
        memcpy(grp + (size_t)g * W, v, sizeof *v * (size_t)W);
        memcpy(grp + ((size_t)NG + g) * W, se, sizeof *se * (size_t)W);
        for (int r = 0; r < G; r++) {
            memcpy(rg + ((size_t)r * NG + g) * W, v + (size_t)(1 + r) * W, sizeof *v * (size_t)W);
            memcpy(rg + ((size_t)(G + r) * NG + g) * W, se + (size_t)(1 + r) * W,
                   sizeof *se * (size_t)W);
            for (int w = 0; w < W; w++) { /* the decision is separable by group: contributions add */
                double *c = comp + ((size_t)NG + g) * W + w, sv = se[(size_t)(1 + G + r) * W + w];
                comp[(size_t)g * W + w] += v[(size_t)(1 + G + r) * W + w];
                *c = sqrt(*c * *c + sv * sv);
            }
        }
    }
    free(sets), free(cs), free(es), free(gv);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc && u->note) { /* the time told, not written: a file is the same however computed */
        char msg[160];
        snprintf(msg, sizeof msg, "EVPPI of %d parameters and %d groups (%d decisions, %d "
                 "draws): %.1f s", P, NG, nsets, K, (double)(t1.tv_sec - t0.tv_sec) +
                 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
        u->note(u->ctx, msg);
    }
    if (!rc)
        rc = ns_h5_write_evppi(h, K, P, names, W, grid, par, par + (size_t)P * W, NG,
                               ns_evppi_group_name, count, grp, grp + (size_t)NG * W, G,
                               G ? rg : NULL, G ? rg + (size_t)G * NG * W : NULL,
                               G ? comp : NULL, G ? comp + (size_t)NG * W : NULL);
    free(member), free(par), free(grp), free(rg), free(comp);
    return rc ? -1 : 0;
}
