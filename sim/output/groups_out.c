/* Results by risk group: /groups, /summary_by_group, /economics_by_group
 * and /composite (the best strategy's rules for each group at the WTP). */
#include "h5util.h"
#include "netsurv/engine/econ.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_i32_2d(const ns_h5 *h, hid_t g, const char *name, hsize_t a, hsize_t b,
                        const int *v, const char *desc, const char *units)
{
    hsize_t d[2] = {a, b};
    return ns__h5_write_array(h, g, name, H5T_STD_I32LE, H5T_NATIVE_INT, 2, d, v, desc, units);
}

/* Mean discounted cost and QALYs of strategy k in group g. */
static void group_means(const ns_scenario *s, const ns_strategy_tally *t, int k, int g,
                        double *cost, double *effect)
{
    ns_tally_means(&t[ns_tally_index(s, k, g)], cost, effect);
}

/* /groups: names, descriptions, the when: of each, and its share. */
static int write_group_list(ns_h5 *h, const ns_strategy_tally *t)
{
    const ns_scenario *s = h->s;
    int G = s->n_groups, rc = 0;
    const char *names[NS_MAX_GROUPS], *desc[NS_MAX_GROUPS], *when[NS_MAX_GROUPS];
    char whens[NS_MAX_GROUPS][512];
    for (int g = 0; g < G; g++) {
        names[g] = s->group[g].name, desc[g] = s->group[g].description;
        if (s->group[g].otherwise)
            snprintf(whens[g], sizeof whens[g], "otherwise");
        else
            ns_riskgroup_yaml(&s->group[g].when, whens[g], sizeof whens[g]);
        when[g] = whens[g];
    }
    hid_t gr = ns__h5_group(h, "groups");
    if (gr < 0)
        return -1;
    if (h->point == 0)
        rc |= ns__h5_write_strings(gr, "name", names, (hsize_t)G,
                                   "risk group names (the group axis of /summary_by_group and "
                                   "/economics_by_group)") |
              ns__h5_write_strings(gr, "description", desc, (hsize_t)G,
                                   "each risk group in words") |
              ns__h5_write_strings(gr, "when", when, (hsize_t)G,
                                   "each risk group's reported attributes, in the scenario's "
                                   "when: grammar");
    double share[NS_MAX_GROUPS];
    for (int g = 0; g < G; g++)
        share[g] = t[0].n_patients ? (double)t[ns_tally_index(s, 0, g)].n_patients /
                                         (double)t[0].n_patients
                                   : NAN;
    hsize_t n = (hsize_t)G;
    rc |= ns__h5_write_f64(h, gr, "share", 1, &n, share, "share of the cohort in each group",
                           "fraction");
    H5Gclose(gr);
    return rc;
}

/* /economics_by_group: the incremental analysis and NMB within each group. */
static int write_group_economics(ns_h5 *h, const ns_strategy_tally *t, const double *grid, int W,
                                 int *best)
{
    const ns_scenario *s = h->ps ? h->ps : h->s;
    int S = s->n_strategies, G = s->n_groups, rc = 0;
    size_t GS = (size_t)G * S;
    double *f = malloc(sizeof *f * (6 * GS + (size_t)W * GS));
    int *iv = malloc(sizeof *iv * 3 * GS);
    hid_t gr = h->point ? ns__h5_group(h, "economics_by_group")
                        : H5Gcreate2(h->file, "economics_by_group", H5P_DEFAULT, H5P_DEFAULT,
                                     H5P_DEFAULT);
    if (!f || !iv || gr < 0) {
        free(f);
        free(iv);
        if (gr >= 0)
            H5Gclose(gr);
        return -1;
    }
    double *cost = f, *eff = f + GS, *ic = f + 2 * GS, *ie = f + 3 * GS, *icer = f + 4 * GS;
    double *nmb = f + 5 * GS, *ng = f + 6 * GS;
    int *order = iv, *status = iv + GS, *ref = iv + 2 * GS;
    for (int g = 0; g < G; g++) {
        double *c = cost + (size_t)g * S, *e = eff + (size_t)g * S;
        for (int k = 0; k < S; k++)
            group_means(s, t, k, g, &c[k], &e[k]);
        ns_icer_table tb;
        if (ns_econ_icers(c, e, S, &tb)) { /* a group without patients */
            for (int k = 0; k < S; k++) {
                size_t i = (size_t)g * S + (size_t)k;
                order[i] = status[i] = ref[i] = -1;
                ic[i] = ie[i] = icer[i] = NAN;
            }
        } else {
            memcpy(order + (size_t)g * S, tb.order, sizeof *order * (size_t)S);
            memcpy(status + (size_t)g * S, tb.status, sizeof *status * (size_t)S);
            memcpy(ref + (size_t)g * S, tb.reference, sizeof *ref * (size_t)S);
            memcpy(ic + (size_t)g * S, tb.inc_cost, sizeof *ic * (size_t)S);
            memcpy(ie + (size_t)g * S, tb.inc_effect, sizeof *ie * (size_t)S);
            memcpy(icer + (size_t)g * S, tb.icer, sizeof *icer * (size_t)S);
        }
        ns_econ_nmb(c, e, S, s->econ.wtp, nmb + (size_t)g * S);
        for (int w = 0; w < W; w++)
            ns_econ_nmb(c, e, S, grid[w], ng + ((size_t)g * W + (size_t)w) * S);
    }
    ns_group_best(s, t, s->econ.wtp, best);
    hsize_t d2[2] = {(hsize_t)G, (hsize_t)S}, d3[3] = {(hsize_t)G, (hsize_t)W, (hsize_t)S};
    hsize_t ng1 = (hsize_t)G;
    if (h->point == 0)
        rc |= ns__h5_attr_f64(gr, "wtp", s->econ.wtp);
    rc |= ns__h5_write_f64(h, gr, "cost", 2, d2, cost, "mean discounted cost per patient of the "
                           "group [group, strategy]", NS_H5_CURRENCY);
    rc |= ns__h5_write_f64(h, gr, "effect", 2, d2, eff, "mean discounted QALYs per patient of "
                           "the group [group, strategy]", "QALY");
    rc |= write_i32_2d(h, gr, "order", d2[0], d2[1], order, "strategy indices (0-based) sorted "
                       "by cost within each group [group, rank]", "index");
    rc |= write_i32_2d(h, gr, "status", d2[0], d2[1], status, "position relative to the group's "
                       "efficiency frontier: 0 frontier, 1 dominated, 2 extended dominated, 3 "
                       "duplicate, -1 no patients [group, strategy]", "code");
    rc |= write_i32_2d(h, gr, "reference", d2[0], d2[1], ref, "frontier strategy (0-based index) "
                       "each frontier strategy is compared to within its group (-1: none) "
                       "[group, strategy]", "index");
    rc |= ns__h5_write_f64(h, gr, "incremental_cost", 2, d2, ic, "cost minus the reference's "
                           "(NaN: none) [group, strategy]", NS_H5_CURRENCY);
    rc |= ns__h5_write_f64(h, gr, "incremental_effect", 2, d2, ie, "QALYs minus the reference's "
                           "(NaN: none) [group, strategy]", "QALY");
    rc |= ns__h5_write_f64(h, gr, "icer", 2, d2, icer, "ICER along the group's frontier (NaN: "
                           "none) [group, strategy]", NS_H5_CURRENCY " per QALY");
    rc |= ns__h5_write_f64(h, gr, "nmb", 2, d2, nmb, "net monetary benefit per patient of the "
                           "group at the wtp [group, strategy]", NS_H5_CURRENCY);
    rc |= ns__h5_write_f64(h, gr, "nmb_grid", 3, d3, ng, "net monetary benefit per patient of "
                           "the group over /economics/wtp_grid [group, wtp, strategy]", NS_H5_CURRENCY);
    rc |= ns__h5_write_array(h, gr, "best", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &ng1, best,
                             "strategy (0-based index) with the highest net monetary benefit "
                             "in each group at the wtp; ties go to the first [group]", "index");
    H5Gclose(gr);
    free(f);
    free(iv);
    return rc;
}

/* /composite: each group's best strategy at the wtp, the totals of that
 * policy, and the policy as a strategy in scenario YAML. */
static int write_composite(ns_h5 *h, const ns_strategy_tally *t, const int *best)
{
    const ns_scenario *s = h->ps ? h->ps : h->s;
    ns_strategy_tally c;
    ns_group_composite(s, t, best, &c);
    hid_t gr = h->point ? ns__h5_group(h, "composite")
                        : H5Gcreate2(h->file, "composite", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (gr < 0)
        return -1;
    int rc = 0;
    hsize_t one = 1, ng = (hsize_t)s->n_groups;
    rc |= ns__h5_write_array(h, gr, "strategy", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &ng, best,
                             "strategy (0-based index) the policy applies to each group "
                             "[group]", "index");
    struct { const char *name; const ns_acc *a; const char *desc, *units; } m[] = {
        {"mean_cost_discounted", &c.cost_discounted, "discounted cost per patient", NS_H5_CURRENCY},
        {"mean_qaly_discounted", &c.qaly_discounted, "discounted QALYs per patient", "QALY"},
        {"mean_ly", &c.ly, "life-years per patient", "years"},
        {"mean_tests", &c.tests, "surveillance tests per patient", "tests"}};
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        double v[3];
        ns_acc_mean(m[i].a, &v[0], &v[1], &v[2]);
        hsize_t three = 3;
        char d[200];
        snprintf(d, sizeof d, "%s under the composite policy: mean, 95 %% interval low, high",
                 m[i].desc);
        rc |= ns__h5_write_f64(h, gr, m[i].name, 1, &three, v, d, m[i].units);
    }
    uint64_t deaths = c.n_metastasis_deaths, np = c.n_patients;
    rc |= ns__h5_write_array(h, gr, "n_metastasis_deaths", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1,
                             &one, &deaths, "deaths from the metastasis under the composite "
                             "policy", "patients") |
          ns__h5_write_array(h, gr, "n_patients", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &one, &np,
                             "patients simulated", "patients");
    if (!h->sweep && !rc) {
        char err[200], src[200];
        snprintf(src, sizeof src, "netsurv composite policy: the strategy with the highest net "
                 "monetary benefit in each risk group at %g per QALY", s->econ.wtp);
        char *y = ns_composite_yaml(s, best, "composite", src, 0, err, sizeof err);
        rc |= ns__h5_write_text(gr, "yaml", y ? y : err,
                                y ? "the policy as an entry of a scenario's strategies: list "
                                    "(netsurv run --composite FILE writes a scenario that "
                                    "replays it)"
                                  : "why the policy could not be written as YAML");
        free(y);
    }
    H5Gclose(gr);
    return rc;
}

int ns__h5_write_groups(ns_h5 *h, const ns_strategy_tally *t)
{
    const ns_scenario *s = h->s;
    int S = s->n_strategies, G = s->n_groups, rc = 0;
    hid_t g = ns__h5_group(h, "summary_by_group");
    if (g < 0)
        return -1;
    if (h->point == 0) {
        const char *names[NS_MAX_STRATEGIES], *gn[NS_MAX_GROUPS];
        for (int k = 0; k < S; k++)
            names[k] = s->strategy[k].name;
        for (int k = 0; k < G; k++)
            gn[k] = s->group[k].name;
        rc |= ns__h5_write_strings(g, "strategy", names, (hsize_t)S, "strategy names (first "
                                   "axis)") |
              ns__h5_write_strings(g, "group", gn, (hsize_t)G, "risk group names (second axis)");
    }
    hsize_t lead[2] = {(hsize_t)S, (hsize_t)G};
    rc |= ns__h5_write_tallies(h, g, t + S, 2, lead);
    H5Gclose(g);
    const ns_econ_params *e = &(h->ps ? h->ps : s)->econ;
    double grid[NS_ECON_MAX_WTP];
    int W = ns_econ_wtp_grid(e->wtp_max, e->wtp_step, grid, NS_ECON_MAX_WTP);
    int best[NS_MAX_GROUPS];
    rc = rc || write_group_list(h, t) || write_group_economics(h, t, grid, W, best) ||
         write_composite(h, t, best);
    return rc ? -1 : 0;
}

int ns_h5_read_policy(const char *path, char **scenario, char **policy, char **command_line,
                      char *err, size_t errlen)
{
    *scenario = *policy = *command_line = NULL;
    ns__h5_init();
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, errlen, "%s: not an HDF5 file netsurv can read", path);
        return -1;
    }
    int has = H5Lexists(f, "composite", H5P_DEFAULT) > 0 &&
              H5Lexists(f, "composite/yaml", H5P_DEFAULT) > 0;
    *scenario = ns__h5_read_string(f, "scenario", 1);
    *policy = has ? ns__h5_read_string(f, "composite/yaml", 1) : NULL;
    *command_line = ns__h5_read_string(f, "command_line", 0);
    H5Fclose(f);
    if (!*scenario || !*policy) {
        snprintf(err, errlen, "%s: %s", path,
                 !*scenario ? "holds no /scenario (not a netsurv result file)"
                            : "holds no /composite/yaml (a run without groups:, or a sweep)");
        free(*scenario), free(*policy), free(*command_line);
        *scenario = *policy = *command_line = NULL;
        return -1;
    }
    return 0;
}

int ns_h5_write_psa_groups(ns_h5 *h, int K, const double *cost, const double *effect,
                           const double *share)
{
    const ns_scenario *s = h->s;
    int S = s->n_strategies, G = s->n_groups, rc = 0;
    double grid[NS_ECON_MAX_WTP];
    int W = ns_econ_wtp_grid(s->econ.wtp_max, s->econ.wtp_step, grid, NS_ECON_MAX_WTP);
    size_t KS = (size_t)K * S;
    double *c = malloc(sizeof *c * 2 * KS), *e = c ? c + KS : NULL;
    double *ceac = malloc(sizeof *ceac * (size_t)G * W * S);
    double *evpi = malloc(sizeof *evpi * (size_t)G * W), *all = malloc(sizeof *all * (size_t)W);
    double *tmp = malloc(sizeof *tmp * (size_t)W * (S + 1));
    int *ceaf = malloc(sizeof *ceaf * (size_t)G * W), *tceaf = malloc(sizeof *tceaf * (size_t)W);
    hid_t g = H5Gcreate2(h->file, "psa_by_group", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (!c || !ceac || !evpi || !all || !tmp || !ceaf || !tceaf || g < 0)
        rc = -1;
    for (int w = 0; !rc && w < W; w++)
        all[w] = 0;
    for (int j = 0; !rc && j < G; j++) {
        /* the group's means, then its contribution per patient of the cohort */
        for (int k = 0; k < K; k++)
            for (int i = 0; i < S; i++) {
                size_t at = ((size_t)k * G + (size_t)j) * S + (size_t)i;
                c[(size_t)k * S + i] = cost[at];
                e[(size_t)k * S + i] = effect[at];
            }
        ns_econ_psa(c, e, K, S, grid, W, ceac + (size_t)j * W * S, ceaf + (size_t)j * W,
                    evpi + (size_t)j * W);
        for (int k = 0; k < K; k++)
            for (int i = 0; i < S; i++) {
                double w = share[(size_t)k * G + (size_t)j];
                c[(size_t)k * S + i] *= w;
                e[(size_t)k * S + i] *= w;
            }
        ns_econ_psa(c, e, K, S, grid, W, tmp, tceaf, tmp + (size_t)W * S);
        for (int w = 0; w < W; w++) /* the decision is separable by group */
            all[w] += tmp[(size_t)W * S + w];
    }
    if (!rc) {
        hsize_t d3[3] = {(hsize_t)K, (hsize_t)G, (hsize_t)S}, d2[2] = {(hsize_t)K, (hsize_t)G};
        hsize_t w3[3] = {(hsize_t)G, (hsize_t)W, (hsize_t)S}, w2[2] = {(hsize_t)G, (hsize_t)W};
        hsize_t nw = (hsize_t)W;
        rc |= ns__h5_attr_u64(g, "n_draws", (uint64_t)K) |
              ns__h5_write_f64(NULL, g, "cost", 3, d3, cost, "mean discounted cost per patient "
                               "of the group [draw, group, strategy]", NS_H5_CURRENCY) |
              ns__h5_write_f64(NULL, g, "effect", 3, d3, effect, "mean discounted QALYs per "
                               "patient of the group [draw, group, strategy]", "QALY") |
              ns__h5_write_f64(NULL, g, "share", 2, d2, share, "share of the cohort in the "
                               "group [draw, group]", "fraction") |
              ns__h5_write_f64(NULL, g, "wtp_grid", 1, &nw, grid, "willingness to pay",
                               NS_H5_CURRENCY " per QALY") |
              ns__h5_write_f64(NULL, g, "ceac", 3, w3, ceac, "probability each strategy has "
                               "the highest net monetary benefit in the group [group, wtp, "
                               "strategy]", "probability") |
              ns__h5_write_array(NULL, g, "ceaf", H5T_STD_I32LE, H5T_NATIVE_INT, 2, w2, ceaf,
                                 "strategy (0-based index) with the highest expected net "
                                 "monetary benefit in the group [group, wtp]", "index") |
              ns__h5_write_f64(NULL, g, "evpi", 2, w2, evpi, "expected value of perfect "
                               "information per patient of the group [group, wtp]", NS_H5_CURRENCY) |
              ns__h5_write_f64(NULL, g, "evpi_composite", 1, &nw, all, "expected value of "
                               "perfect information of the decision by group (a strategy for "
                               "each group) per patient of the cohort [wtp]", NS_H5_CURRENCY);
    }
    if (g >= 0)
        H5Gclose(g);
    free(c), free(ceac), free(evpi), free(all), free(tmp), free(ceaf), free(tceaf);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}
