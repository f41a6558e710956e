/* Value of information after a PSA run: EVPPI of every drawn parameter and
 * of each named group of parameters, for the whole cohort's decision, per
 * risk group and for the decision by group (engine/evppi.h). */
#include "netsurv/engine/econ.h"
#include "netsurv/engine/evppi.h"
#include "netsurv/output/voi_out.h"
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The EVPPI of the parameter columns cols[0..n) over the grid, NaN where
 * the draws cannot carry the regression; never above the EVPI of the same
 * draws (an estimate above it is the regression's noise). */
static void one(const double *x, int K, int P, const int *cols, int n, const double *c,
                const double *e, int S, const double *grid, int W, uint64_t seed, double *v,
                double *se)
{
    if (n < 1 || ns_evppi(x, K, P, cols, n, c, e, S, grid, W, seed, v, se)) {
        for (int w = 0; w < W; w++)
            v[w] = se[w] = NAN;
        return;
    }
    double *ceac = malloc(sizeof *ceac * (size_t)S * W), *evpi = malloc(sizeof *evpi * W);
    int *ceaf = malloc(sizeof *ceaf * W);
    if (ceac && evpi && ceaf) {
        ns_econ_psa(c, e, K, S, grid, W, ceac, ceaf, evpi);
        for (int w = 0; w < W; w++)
            v[w] = v[w] < evpi[w] ? v[w] : evpi[w];
    }
    free(ceac), free(evpi), free(ceaf);
}

int ns__job_evppi(ns_h5 *h, const ns_scenario *s, int K, const double *x, const double *cost,
                  const double *effect, const ns_psa_groups *pg)
{
    int P = ns_psa_count(s), S = s->n_strategies, G = pg ? s->n_groups : 0;
    int NG = NS_EVPPI_NGROUPS;
    double grid[1001];
    int W = 0;
    for (double w = 0; w <= s->econ.wtp_max + 1e-9 && W < 1001; w += s->econ.wtp_step)
        grid[W++] = w;
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
    /* every task writes its own rows, so they run in any order on any thread */
    double *rgc = G ? malloc(sizeof *rgc * 2 * (size_t)G * NG * W) : NULL;
    rc = rc || (G && !rgc);
    int tasks = P + NG + 2 * G * NG;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) if (!rc)
#endif
    for (int task = 0; task < tasks; task++) {
        if (rc)
            continue;
        if (task < P) { /* every parameter alone */
            int j = task;
            one(x, K, P, &j, 1, cost, effect, S, grid, W, s->seed + (uint64_t)j,
                par + (size_t)j * W, par + ((size_t)P + j) * W);
            continue;
        }
        if (task < P + NG) { /* every named group */
            int g = task - P;
            one(x, K, P, member + g * P, count[g], cost, effect, S, grid, W,
                s->seed + 1000 + (uint64_t)g, grp + (size_t)g * W, grp + ((size_t)NG + g) * W);
            continue;
        }
        /* a risk group's own means (pass 0), or its contribution to the cohort (pass 1) */
        int q = task - P - NG, pass = q / (G * NG), r = q % (G * NG) / NG, g = q % NG;
        double *c = malloc(sizeof *c * 2 * (size_t)K * S), *e = c ? c + (size_t)K * S : NULL;
        if (!c)
            continue;
        for (int k = 0; k < K; k++)
            for (int i = 0; i < S; i++) {
                size_t at = ((size_t)k * G + (size_t)r) * S + (size_t)i;
                double wgt = pass ? pg->share[(size_t)k * G + r] : 1;
                c[(size_t)k * S + i] = pg->cost[at] * wgt;
                e[(size_t)k * S + i] = pg->effect[at] * wgt;
            }
        double *v = pass ? rgc + ((size_t)r * NG + g) * W : rg + ((size_t)r * NG + g) * W;
        double *se = pass ? rgc + ((size_t)(G + r) * NG + g) * W
                          : rg + ((size_t)(G + r) * NG + g) * W;
        one(x, K, P, member + g * P, count[g], c, e, S, grid, W,
            s->seed + 2000 + (uint64_t)(r * NG + g) + (uint64_t)pass * 100000, v, se);
        free(c);
    }
    for (int r = 0; !rc && r < G; r++) /* the decision is separable by group: contributions add */
        for (int g = 0; g < NG; g++)
            for (int w = 0; w < W; w++) {
                size_t at = ((size_t)r * NG + g) * W + w, st = ((size_t)(G + r) * NG + g) * W + w;
                double *cs = comp + ((size_t)NG + g) * W + w;
                comp[(size_t)g * W + w] += rgc[at];
                *cs = sqrt(*cs * *cs + rgc[st] * rgc[st]);
            }
    free(rgc);
    if (!rc)
        rc = ns_h5_write_evppi(h, K, P, names, W, grid, par, par + (size_t)P * W, NG,
                               ns_evppi_group_name, count, grp, grp + (size_t)NG * W, G,
                               G ? rg : NULL, G ? rg + (size_t)G * NG * W : NULL,
                               G ? comp : NULL, G ? comp + (size_t)NG * W : NULL);
    free(member), free(par), free(grp), free(rg), free(comp);
    return rc ? -1 : 0;
}
