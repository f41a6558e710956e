/* The results of a run: /summary, /economics, /psa, /owsa and /sweep. */
#include "h5util.h"
#include "netsurv/engine/econ.h"
#include "netsurv/engine/psa.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ns_h5_write_summary(ns_h5 *h, const ns_strategy_tally *t)
{
    const ns_scenario *s = h->s;
    int S = s->n_strategies, rc = 0;
    hid_t g = ns__h5_group(h, "summary");
    if (g < 0)
        return -1;
    const char *names[NS_MAX_STRATEGIES], *sources[NS_MAX_STRATEGIES];
    for (int k = 0; k < S; k++)
        names[k] = s->strategy[k].name, sources[k] = s->strategy[k].source;
    hsize_t n = (hsize_t)S;
    if (h->point == 0)
        rc |= ns__h5_write_strings(g, "strategy", names, n, "strategy names (columns of every summary "
                                                     "dataset)") |
              ns__h5_write_strings(g, "strategy_source", sources, n, "where each strategy comes from");
    rc |= ns__h5_write_tallies(h, g, t, 1, &n);
    H5Gclose(g);
    if (!rc && s->n_groups)
        rc = ns__h5_write_groups(h, t);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}



static hid_t group_with_wtp(ns_h5 *h, const char *name)
{
    hid_t g = H5Gcreate2(h->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g >= 0 && ns__h5_attr_f64(g, "wtp", (h->ps ? h->ps : h->s)->econ.wtp)) {
        H5Gclose(g);
        g = -1;
    }
    return g;
}

int ns_h5_write_economics(ns_h5 *h, const double *cost, const double *effect)
{
    const ns_scenario *s = h->ps ? h->ps : h->s;
    int S = s->n_strategies, rc = 0;
    ns_icer_table t;
    if (ns_econ_icers(cost, effect, S, &t))
        return -1;
    double nmb[NS_MAX_STRATEGIES], grid[NS_ECON_MAX_WTP];
    int W = ns_econ_wtp_grid(s->econ.wtp_max, s->econ.wtp_step, grid, NS_ECON_MAX_WTP);
    double *nmb_grid = malloc(sizeof *nmb_grid * (size_t)W * S);
    hid_t g = h->point ? ns__h5_group(h, "economics") : group_with_wtp(h, "economics");
    if (!nmb_grid || g < 0) {
        free(nmb_grid);
        return -1;
    }
    ns_econ_nmb(cost, effect, S, s->econ.wtp, nmb);
    for (int w = 0; w < W; w++)
        ns_econ_nmb(cost, effect, S, grid[w], nmb_grid + (size_t)w * S);
    const char *names[NS_MAX_STRATEGIES];
    for (int k = 0; k < S; k++)
        names[k] = s->strategy[k].name;
    char per_qaly[24];
    snprintf(per_qaly, sizeof per_qaly, "%s per QALY", s->econ.currency);
    hsize_t n = (hsize_t)S, d2[2] = {(hsize_t)W, (hsize_t)S}, nw = (hsize_t)W;
    if (h->point == 0)
        rc |= ns__h5_attr_f64(g, "discount_costs", s->follow.discount_costs) |
          ns__h5_attr_f64(g, "discount_effects", s->follow.discount_effects) |
          ns__h5_attr_str(g, "currency", s->econ.currency) |
          ns__h5_attr_u64(g, "price_year", (uint64_t)s->econ.price_year) |
          ns__h5_attr_str(g, "effect", "discounted QALYs per patient (continuous discounting)") |
          ns__h5_attr_str(g, "convention", "costs at event times discounted by (1 + r)^-t; utilities "
                                    "and ongoing costs integrated with exp(-ln(1 + r) t)");
    if (h->point == 0 && s->econ.has_population)
        rc |= ns__h5_attr_f64(g, "population_incidence", s->econ.pop_incidence) |
              ns__h5_attr_f64(g, "population_horizon_years", s->econ.pop_horizon) |
              ns__h5_attr_f64(g, "population_factor", ns_econ_population_factor(
                                  s->econ.pop_incidence, s->econ.pop_horizon,
                                  s->follow.discount_costs));
    if (h->point == 0)
        rc |= ns__h5_write_strings(g, "strategy", names, n, "strategy names (columns)");
    rc |= ns__h5_write_f64(h, g, "cost", 1, &n, cost, "mean discounted cost per patient", s->econ.currency);
    rc |= ns__h5_write_f64(h, g, "effect", 1, &n, effect, "mean discounted QALYs per patient", "QALY");
    rc |= ns__h5_write_i32(h, g, "order", n, t.order, "0-based strategy indices sorted by cost", NULL);
    rc |= ns__h5_write_i32(h, g, "status", n, t.status, "position relative to the efficiency frontier",
                    "frontier,dominated,extended_dominated,duplicate");
    rc |= ns__h5_write_i32(h, g, "reference", n, t.reference,
                    "0-based index of the frontier strategy each frontier strategy is compared to (-1: none)", NULL);
    rc |= ns__h5_write_f64(h, g, "incremental_cost", 1, &n, t.inc_cost, "cost minus the reference's "
                    "(NaN: not on the frontier, or the first)", s->econ.currency);
    rc |= ns__h5_write_f64(h, g, "incremental_effect", 1, &n, t.inc_effect,
                    "QALYs minus the reference's (NaN: none)", "QALY");
    rc |= ns__h5_write_f64(h, g, "icer", 1, &n, t.icer, "incremental cost-effectiveness ratio along the "
                    "frontier (NaN: none)", per_qaly);
    rc |= ns__h5_write_f64(h, g, "nmb", 1, &n, nmb, "net monetary benefit at the group's wtp", s->econ.currency);
    if (h->point == 0)
        rc |= ns__h5_write_f64(NULL, g, "wtp_grid", 1, &nw, grid, "willingness to pay", per_qaly);
    rc |= ns__h5_write_f64(h, g, "nmb_grid", 2, d2, nmb_grid, "net monetary benefit [wtp, strategy]", s->econ.currency);
    H5Gclose(g);
    free(nmb_grid);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}

/* Paths of the parameters with a distribution (or a range) for /psa, /owsa. */
static int param_names(const ns_scenario *s, int want_range, const char **names, int *idx)
{
    int n = 0;
    for (int i = 0; i < s->n_params; i++)
        if (want_range ? s->param[i].has_range : s->param[i].psa > NS_PSA_FIXED) {
            idx[n] = i;
            names[n++] = s->param[i].path;
        }
    return n;
}

/* The incremental analysis of every PSA draw: status and ICER [draw, strategy]. */
static int write_draw_icers(hid_t g, const double *cost, const double *effect, int K, int S)
{
    int *status = malloc(sizeof *status * (size_t)K * S);
    double *icer = malloc(sizeof *icer * (size_t)K * S);
    int rc = !status || !icer;
    for (int k = 0; k < K && !rc; k++) {
        ns_icer_table t;
        rc = ns_econ_icers(cost + (size_t)k * S, effect + (size_t)k * S, S, &t);
        memcpy(status + (size_t)k * S, t.status, sizeof *status * (size_t)S);
        memcpy(icer + (size_t)k * S, t.icer, sizeof *icer * (size_t)S);
    }
    hsize_t d[2] = {(hsize_t)K, (hsize_t)S};
    if (!rc) {
        rc = ns__h5_write_array(NULL, g, "status", H5T_STD_I32LE, H5T_NATIVE_INT, 2, d, status,
                         "position relative to each draw's efficiency frontier", "code") ||
             ns__h5_write_f64(NULL, g, "icer", 2, d, icer, "ICER along each draw's frontier (NaN: none)",
                       NS_H5_CURRENCY " per QALY");
        hid_t ds = rc ? -1 : H5Dopen2(g, "status", H5P_DEFAULT);
        rc |= ds < 0 || ns__h5_attr_str(ds, "labels", "frontier,dominated,extended_dominated,duplicate");
        H5Dclose(ds);
    }
    free(status);
    free(icer);
    return rc ? -1 : 0;
}

int ns_h5_write_psa(ns_h5 *h, int K, uint64_t n_patients, const double *values,
                    const double *cost, const double *effect)
{
    const ns_scenario *s = h->s;
    int S = s->n_strategies, rc = 0;
    const char **names = malloc(sizeof *names * (size_t)s->n_params);
    int *idx = malloc(sizeof *idx * (size_t)s->n_params);
    double grid[NS_ECON_MAX_WTP];
    int W = ns_econ_wtp_grid(s->econ.wtp_max, s->econ.wtp_step, grid, NS_ECON_MAX_WTP);
    double *ceac = malloc(sizeof *ceac * (size_t)W * S), *evpi = malloc(sizeof *evpi * W);
    int *ceaf = malloc(sizeof *ceaf * W);
    hid_t g = group_with_wtp(h, h->psa_group ? h->psa_group : "psa");
    if (names && idx && ceac && evpi && ceaf && g >= 0) {
        int P = param_names(s, 0, names, idx);
        ns_econ_psa(cost, effect, K, S, grid, W, ceac, ceaf, evpi);
        hsize_t np = (hsize_t)P, dv[2] = {(hsize_t)K, (hsize_t)P}, dc[2] = {(hsize_t)K, (hsize_t)S};
        hsize_t nw = (hsize_t)W, dw[2] = {(hsize_t)W, (hsize_t)S};
        rc |= ns__h5_attr_u64(g, "n_draws", (uint64_t)K) | ns__h5_attr_u64(g, "n_patients", n_patients);
        rc |= ns__h5_write_strings(g, "parameter", names, np, "drawn parameters (columns of values)");
        if (P > 0)
            rc |= ns__h5_write_f64(NULL, g, "values", 2, dv, values, "parameter values [draw, parameter]",
                            "as the parameter");
        rc |= ns__h5_write_f64(NULL, g, "cost", 2, dc, cost, "mean discounted cost [draw, strategy]", NS_H5_CURRENCY);
        rc |= ns__h5_write_f64(NULL, g, "effect", 2, dc, effect, "mean discounted QALYs [draw, strategy]",
                        "QALY");
        rc |= write_draw_icers(g, cost, effect, K, S);
        rc |= ns__h5_write_f64(NULL, g, "wtp_grid", 1, &nw, grid, "willingness to pay", NS_H5_CURRENCY " per QALY");
        rc |= ns__h5_write_f64(NULL, g, "ceac", 2, dw, ceac, "probability each strategy has the highest net "
                        "monetary benefit [wtp, strategy]", "probability");
        rc |= ns__h5_write_i32(NULL, g, "ceaf", nw, ceaf, "0-based index of the strategy with the highest expected net "
                        "monetary benefit at each wtp (the acceptability frontier)", NULL);
        rc |= ns__h5_write_f64(NULL, g, "evpi", 1, &nw, evpi, "expected value of perfect information per "
                        "patient", NS_H5_CURRENCY);
        if (s->econ.has_population) {
            double f = ns_econ_population_factor(s->econ.pop_incidence, s->econ.pop_horizon,
                                                 s->follow.discount_costs);
            for (int w = 0; w < W; w++)
                evpi[w] *= f;
            rc |= ns__h5_attr_f64(g, "population_factor", f) |
                  ns__h5_write_f64(NULL, g, "population_evpi", 1, &nw, evpi, "expected value of "
                                   "perfect information for the population: per patient x the "
                                   "discounted patients of economics.population (population_factor)",
                                   NS_H5_CURRENCY);
        }
    } else
        rc = -1;
    if (g >= 0)
        H5Gclose(g);
    free(names);
    free(idx);
    free(ceac);
    free(evpi);
    free(ceaf);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}

int ns_h5_write_owsa(ns_h5 *h, int Q, const double *cost_lo, const double *cost_hi,
                     const double *effect_lo, const double *effect_hi)
{
    const ns_scenario *s = h->s;
    int S = s->n_strategies, rc = 0;
    const char **names = malloc(sizeof *names * (size_t)s->n_params);
    int *idx = malloc(sizeof *idx * (size_t)s->n_params);
    double *v = malloc(sizeof *v * (size_t)(3 * Q + 2 * Q * S + 1));
    hid_t g = group_with_wtp(h, "owsa");
    if (names && idx && v && g >= 0) {
        param_names(s, 1, names, idx);
        double *base = v, *lo = v + Q, *hi = v + 2 * Q, *nlo = v + 3 * Q, *nhi = nlo + Q * S;
        for (int j = 0; j < Q; j++) {
            base[j] = *(const double *)((const char *)s + s->param[idx[j]].offset);
            lo[j] = s->param[idx[j]].range_lo;
            hi[j] = s->param[idx[j]].range_hi;
        }
        ns_econ_nmb(cost_lo, effect_lo, Q * S, s->econ.wtp, nlo);
        ns_econ_nmb(cost_hi, effect_hi, Q * S, s->econ.wtp, nhi);
        hsize_t nq = (hsize_t)Q, d2[2] = {(hsize_t)Q, (hsize_t)S};
        rc |= ns__h5_write_strings(g, "parameter", names, nq, "parameters varied one at a time");
        rc |= ns__h5_write_f64(NULL, g, "base", 1, &nq, base, "base-case value", "as the parameter");
        rc |= ns__h5_write_f64(NULL, g, "low", 1, &nq, lo, "low value", "as the parameter");
        rc |= ns__h5_write_f64(NULL, g, "high", 1, &nq, hi, "high value", "as the parameter");
        rc |= ns__h5_write_f64(NULL, g, "cost_low", 2, d2, cost_lo, "mean discounted cost at the low value "
                        "[parameter, strategy]", NS_H5_CURRENCY);
        rc |= ns__h5_write_f64(NULL, g, "cost_high", 2, d2, cost_hi, "mean discounted cost at the high value",
                        NS_H5_CURRENCY);
        rc |= ns__h5_write_f64(NULL, g, "effect_low", 2, d2, effect_lo, "mean discounted QALYs at the low "
                        "value", "QALY");
        rc |= ns__h5_write_f64(NULL, g, "effect_high", 2, d2, effect_hi, "mean discounted QALYs at the high "
                        "value", "QALY");
        rc |= ns__h5_write_f64(NULL, g, "nmb_low", 2, d2, nlo, "net monetary benefit at the low value and "
                        "the group's wtp", NS_H5_CURRENCY);
        rc |= ns__h5_write_f64(NULL, g, "nmb_high", 2, d2, nhi, "net monetary benefit at the high value",
                        NS_H5_CURRENCY);
    } else
        rc = -1;
    if (g >= 0)
        H5Gclose(g);
    free(names);
    free(idx);
    free(v);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}

int ns_h5_write_sweep(ns_h5 *h)
{
    const ns_sweep *w = &h->s->sweep;
    hid_t g = H5Gcreate2(h->file, "sweep", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t pg = g >= 0 ? H5Gcreate2(g, "points", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    double *v = malloc(sizeof *v * w->n_points);
    const char *paths[NS_MAX_AXES];
    int rc = pg < 0 || !v;
    for (int a = 0; a < w->n_axes && !rc; a++) {
        int idx[NS_MAX_AXES];
        for (uint64_t p = 0; p < w->n_points; p++) {
            ns_sweep_indices(w, p, idx);
            v[p] = w->axis[a].values[idx[a]];
        }
        char desc[256];
        snprintf(desc, sizeof desc, "value of %s at each sweep point%s", w->axis[a].path,
                 w->axis[a].zip ? " (a zip axis)" : "");
        hsize_t n = w->n_points;
        rc |= ns__h5_write_array(NULL, pg, w->axis[a].path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, v,
                          desc, "as the parameter");
        paths[a] = w->axis[a].path;
    }
    if (!rc)
        rc |= ns__h5_write_strings(g, "axis", paths, (hsize_t)w->n_axes, "swept paths (the datasets "
                                                                 "under /sweep/points)") |
              ns__h5_attr_u64(g, "n_points", w->n_points) |
              ns__h5_attr_str(g, "definition", h->s->sweep_text ? h->s->sweep_text
                                                         : "the sweep: section of /scenario");
    if (pg >= 0)
        H5Gclose(pg);
    if (g >= 0)
        H5Gclose(g);
    free(v);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}
