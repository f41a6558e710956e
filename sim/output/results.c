/* The results of a run: /summary, /economics, /psa, /owsa and /sweep. */
#include "h5util.h"
#include "netsurv/engine/econ.h"
#include "netsurv/engine/psa.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One summary dataset: a count per strategy, stored as an unsigned 64-bit integer. */
#define COUNT(name, expr, desc)                                                                \
    do {                                                                                       \
        uint64_t c_[NS_MAX_STRATEGIES];                                                        \
        for (int k = 0; k < S; k++)                                                            \
            c_[k] = (uint64_t)(t[k].expr);                                                     \
        rc |= ns__h5_write_array(h, g, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &n, c_, desc, "patients"); \
    } while (0)

/* A mean with its 95 % interval as three datasets. */
static int write_mean(const ns_h5 *h, hid_t g, const char *name, const ns_strategy_tally *t, int S,
                      size_t offset, const char *desc, const char *units)
{
    double m[NS_MAX_STRATEGIES], lo[NS_MAX_STRATEGIES], hi[NS_MAX_STRATEGIES];
    for (int k = 0; k < S; k++)
        ns_acc_mean((const ns_acc *)((const char *)&t[k] + offset), &m[k], &lo[k], &hi[k]);
    hsize_t n = (hsize_t)S;
    char nm[96], d[256];
    int rc = ns__h5_write_array(h, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, m, desc, units);
    snprintf(nm, sizeof nm, "%s_ci_low", name);
    snprintf(d, sizeof d, "%s: lower end of the 95 %% interval", desc);
    rc |= ns__h5_write_array(h, g, nm, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, lo, d, units);
    snprintf(nm, sizeof nm, "%s_ci_high", name);
    snprintf(d, sizeof d, "%s: upper end of the 95 %% interval", desc);
    rc |= ns__h5_write_array(h, g, nm, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, hi, d, units);
    return rc;
}

/* Histograms and their bin edges. */
static int write_histograms(const ns_h5 *h, hid_t g, const ns_strategy_tally *t, int S)
{
    uint64_t *buf = malloc(sizeof *buf * (size_t)S * (NS_DELAY_BINS + NS_TIME_BINS + 2));
    double edges[NS_DELAY_BINS + NS_TIME_BINS + 2];
    if (!buf)
        return -1;
    hsize_t d2[2] = {(hsize_t)S, NS_TIME_BINS + 1}, ne = NS_TIME_BINS + 1;
    for (int k = 0; k < S; k++)
        memcpy(buf + (size_t)k * (NS_TIME_BINS + 1), t[k].hist_detection, sizeof t[k].hist_detection);
    for (int i = 0; i <= NS_TIME_BINS; i++)
        edges[i] = i * NS_TIME_BIN_WIDTH;
    int rc = ns__h5_write_array(h, g, "detection_time_histogram", H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, d2,
                         buf, "metastases detected, by detection time; the last bin holds all "
                         "later", "patients") |
             (h->point ? 0
                       : ns__h5_write_array(NULL, g, "detection_time_bin_start", H5T_IEEE_F64LE,
                                     H5T_NATIVE_DOUBLE, 1, &ne, edges,
                                     "start of each detection time bin", "years after resection"));
    d2[1] = ne = NS_DELAY_BINS + 1;
    for (int k = 0; k < S; k++)
        memcpy(buf + (size_t)k * (NS_DELAY_BINS + 1), t[k].hist_delay, sizeof t[k].hist_delay);
    for (int i = 0; i <= NS_DELAY_BINS; i++)
        edges[i] = i * NS_DELAY_BIN_WIDTH;
    rc |= ns__h5_write_array(h, g, "detection_delay_histogram", H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, d2,
                      buf, "metastases detected, by delay from detectable to detected; the last "
                      "bin holds all longer", "patients") |
          (h->point ? 0
                    : ns__h5_write_array(NULL, g, "detection_delay_bin_start", H5T_IEEE_F64LE,
                                  H5T_NATIVE_DOUBLE, 1, &ne, edges, "start of each delay bin",
                                  "years"));
    free(buf);
    return rc;
}

/* Tests per patient by modality: [strategy, modality]. */
static int write_tests_by_modality(const ns_h5 *h, hid_t g, const ns_scenario *s,
                                   const ns_strategy_tally *t, int S)
{
    int M = s->n_modalities;
    double v[NS_MAX_STRATEGIES * NS_MAX_MODALITIES];
    const char *names[NS_MAX_MODALITIES];
    for (int k = 0; k < S; k++)
        for (int m = 0; m < M; m++)
            v[k * M + m] = (double)t[k].tests_by_modality[m] / (double)t[k].n_patients;
    for (int m = 0; m < M; m++)
        names[m] = s->modality[m].name;
    hsize_t d2[2] = {(hsize_t)S, (hsize_t)M};
    return (h->point ? 0
                     : ns__h5_write_strings(g, "modality", names, (hsize_t)M,
                                     "modality names (columns of mean_tests_by_modality)")) |
           ns__h5_write_array(h, g, "mean_tests_by_modality", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, v,
                       "tests per patient by modality [strategy, modality]", "tests per patient");
}

/* Discounted QALYs per patient by part: [strategy, part]. */
static int write_qaly_parts(const ns_h5 *h, hid_t g, const ns_strategy_tally *t, int S)
{
    double v[NS_MAX_STRATEGIES * NS_NQPARTS], lo, hi;
    for (int k = 0; k < S; k++)
        for (int q = 0; q < NS_NQPARTS; q++)
            ns_acc_mean(&t[k].qaly_part[q], &v[k * NS_NQPARTS + q], &lo, &hi);
    hsize_t d2[2] = {(hsize_t)S, NS_NQPARTS};
    return (h->point ? 0
                     : ns__h5_write_strings(g, "qaly_part", ns_qaly_part_name, NS_NQPARTS,
                                            "parts of the discounted QALYs (columns of "
                                            "mean_qaly_discounted_by_part)")) |
           ns__h5_write_array(h, g, "mean_qaly_discounted_by_part", H5T_IEEE_F64LE,
                              H5T_NATIVE_DOUBLE, 2, d2, v,
                              "discounted QALYs per patient by part: life in each state, and "
                              "the losses to tests and to treatment (negative); the parts add up "
                              "to mean_qaly_discounted [strategy, part]", "QALY");
}

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
    COUNT("n_patients", n_patients, "patients simulated");
    COUNT("n_metastases", n_metastases, "metastases that became detectable while the patient lived");
    COUNT("n_detected_surveillance", n_route[NS_ROUTE_SURVEILLANCE], "metastases found by a surveillance visit");
    COUNT("n_detected_symptoms", n_route[NS_ROUTE_SYMPTOMS], "metastases found after symptoms");
    COUNT("n_detected_incidental", n_route[NS_ROUTE_INCIDENTAL], "metastases found by imaging done for other reasons");
    COUNT("n_never_detected", n_route[NS_ROUTE_NEVER], "metastases detectable while alive but never found");
    COUNT("n_missed", n_missed, "metastases detectable while alive and not found by surveillance");
    COUNT("missed_not_followed", n_miss[NS_MISS_NOT_FOLLOWED], "missed: the risk group is not followed");
    COUNT("missed_between_visits", n_miss[NS_MISS_BETWEEN_VISITS], "missed: presented between scheduled visits");
    COUNT("missed_false_negative", n_miss[NS_MISS_FALSE_NEGATIVE], "missed: an attended visit's tests were negative");
    COUNT("missed_after_schedule", n_miss[NS_MISS_AFTER_SCHEDULE], "missed: became detectable after the last scheduled visit");
    COUNT("missed_missed_visit", n_miss[NS_MISS_MISSED_VISIT], "missed: the patient did not attend the visits that could have found it");
    COUNT("n_resectable_at_detection", n_resectable, "metastases resectable when found");
    COUNT("n_operative_deaths", n_operative_deaths, "deaths from additional treatment at time 0");
    COUNT("n_metastasis_surgery_deaths", n_surgery_deaths, "deaths from the operation on a detected metastasis");
    COUNT("n_cured", n_cured, "metastases cured by resection");
    COUNT("n_overdiagnosed", n_overdiagnosed, "metastases found by surveillance that would not have presented in life (symptoms or incidental imaging)");
    COUNT("n_local_found", n_local_found, "local regrowths found by surveillance");
    COUNT("n_residual", n_residual, "patients with local residual tumour (before any treatment)");
    COUNT("n_metastasis_deaths", n_metastasis_deaths, "deaths from the metastasis");
#define MEAN(name, fld, desc, units) \
    rc |= write_mean(h, g, name, t, S, offsetof(ns_strategy_tally, fld), desc, units)
    MEAN("mean_detection_time", detection_time, "time to detection, detected metastases", "years after resection");
    MEAN("mean_detection_delay", detection_delay, "delay from detectable to detected, detected metastases", "years");
    MEAN("mean_burden_mm", burden_mm, "largest deposit at detection", "mm");
    MEAN("mean_cost", cost, "all costs per patient, undiscounted", "USD");
    MEAN("mean_cost_discounted", cost_discounted, "all costs per patient, discounted", "USD");
    MEAN("mean_cost_surveillance", cost_surveillance, "surveillance test costs per patient, undiscounted", "USD");
    MEAN("mean_cost_workup", cost_workup, "work-up of false positives per patient, undiscounted", "USD");
    MEAN("mean_cost_treatment", cost_treatment, "treatment costs per patient (time-0 treatment, metastasis, local), undiscounted", "USD");
    MEAN("mean_tests", tests, "surveillance tests per patient", "tests");
    MEAN("mean_false_positives", false_positives, "false-positive tests per patient", "tests");
    MEAN("mean_radiation_msv", radiation_msv, "effective dose from surveillance per patient", "mSv");
    MEAN("mean_ly", ly, "life-years from resection to death (lifetime)", "years");
    MEAN("mean_ly_discounted", ly_discounted, "life-years, discounted", "years");
    MEAN("mean_qaly", qaly, "quality-adjusted life-years (lifetime)", "QALY");
    MEAN("mean_qaly_discounted", qaly_discounted, "quality-adjusted life-years, discounted", "QALY");
#undef MEAN
    rc |= write_histograms(h, g, t, S) | write_tests_by_modality(h, g, s, t, S) |
          write_qaly_parts(h, g, t, S);
    H5Gclose(g);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}

/* The WTP grid 0, step, ..., max of the scenario; returns its length. */
static int wtp_grid(const ns_scenario *s, double *grid, int cap)
{
    int w = 0;
    for (double x = 0; x <= s->econ.wtp_max + 1e-9 && w < cap; x += s->econ.wtp_step)
        grid[w++] = x;
    return w;
}

#define NS_MAX_WTP 1001

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
    double nmb[NS_MAX_STRATEGIES], grid[NS_MAX_WTP];
    int W = wtp_grid(s, grid, NS_MAX_WTP);
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
    hsize_t n = (hsize_t)S, d2[2] = {(hsize_t)W, (hsize_t)S}, nw = (hsize_t)W;
    if (h->point == 0)
        rc |= ns__h5_attr_f64(g, "discount_costs", s->follow.discount_costs) |
          ns__h5_attr_f64(g, "discount_effects", s->follow.discount_effects) |
          ns__h5_attr_str(g, "effect", "discounted QALYs per patient (continuous discounting)") |
          ns__h5_attr_str(g, "convention", "costs at event times discounted by (1 + r)^-t; utilities "
                                    "and ongoing costs integrated with exp(-ln(1 + r) t)");
    if (h->point == 0)
        rc |= ns__h5_write_strings(g, "strategy", names, n, "strategy names (columns)");
    rc |= ns__h5_write_f64(h, g, "cost", 1, &n, cost, "mean discounted cost per patient", "USD");
    rc |= ns__h5_write_f64(h, g, "effect", 1, &n, effect, "mean discounted QALYs per patient", "QALY");
    rc |= ns__h5_write_i32(h, g, "order", n, t.order, "0-based strategy indices sorted by cost", NULL);
    rc |= ns__h5_write_i32(h, g, "status", n, t.status, "position relative to the efficiency frontier",
                    "frontier,dominated,extended_dominated,duplicate");
    rc |= ns__h5_write_i32(h, g, "reference", n, t.reference,
                    "0-based index of the frontier strategy each frontier strategy is compared to (-1: none)", NULL);
    rc |= ns__h5_write_f64(h, g, "incremental_cost", 1, &n, t.inc_cost, "cost minus the reference's "
                    "(NaN: not on the frontier, or the first)", "USD");
    rc |= ns__h5_write_f64(h, g, "incremental_effect", 1, &n, t.inc_effect,
                    "QALYs minus the reference's (NaN: none)", "QALY");
    rc |= ns__h5_write_f64(h, g, "icer", 1, &n, t.icer, "incremental cost-effectiveness ratio along the "
                    "frontier (NaN: none)", "USD per QALY");
    rc |= ns__h5_write_f64(h, g, "nmb", 1, &n, nmb, "net monetary benefit at the group's wtp", "USD");
    if (h->point == 0)
        rc |= ns__h5_write_f64(NULL, g, "wtp_grid", 1, &nw, grid, "willingness to pay", "USD per QALY");
    rc |= ns__h5_write_f64(h, g, "nmb_grid", 2, d2, nmb_grid, "net monetary benefit [wtp, strategy]", "USD");
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
                       "USD per QALY");
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
    double grid[NS_MAX_WTP];
    int W = wtp_grid(s, grid, NS_MAX_WTP);
    double *ceac = malloc(sizeof *ceac * (size_t)W * S), *evpi = malloc(sizeof *evpi * W);
    int *ceaf = malloc(sizeof *ceaf * W);
    hid_t g = group_with_wtp(h, "psa");
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
        rc |= ns__h5_write_f64(NULL, g, "cost", 2, dc, cost, "mean discounted cost [draw, strategy]", "USD");
        rc |= ns__h5_write_f64(NULL, g, "effect", 2, dc, effect, "mean discounted QALYs [draw, strategy]",
                        "QALY");
        rc |= write_draw_icers(g, cost, effect, K, S);
        rc |= ns__h5_write_f64(NULL, g, "wtp_grid", 1, &nw, grid, "willingness to pay", "USD per QALY");
        rc |= ns__h5_write_f64(NULL, g, "ceac", 2, dw, ceac, "probability each strategy has the highest net "
                        "monetary benefit [wtp, strategy]", "probability");
        rc |= ns__h5_write_i32(NULL, g, "ceaf", nw, ceaf, "0-based index of the strategy with the highest expected net "
                        "monetary benefit at each wtp (the acceptability frontier)", NULL);
        rc |= ns__h5_write_f64(NULL, g, "evpi", 1, &nw, evpi, "expected value of perfect information per "
                        "patient", "USD");
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
                        "[parameter, strategy]", "USD");
        rc |= ns__h5_write_f64(NULL, g, "cost_high", 2, d2, cost_hi, "mean discounted cost at the high value",
                        "USD");
        rc |= ns__h5_write_f64(NULL, g, "effect_low", 2, d2, effect_lo, "mean discounted QALYs at the low "
                        "value", "QALY");
        rc |= ns__h5_write_f64(NULL, g, "effect_high", 2, d2, effect_hi, "mean discounted QALYs at the high "
                        "value", "QALY");
        rc |= ns__h5_write_f64(NULL, g, "nmb_low", 2, d2, nlo, "net monetary benefit at the low value and "
                        "the group's wtp", "USD");
        rc |= ns__h5_write_f64(NULL, g, "nmb_high", 2, d2, nhi, "net monetary benefit at the high value",
                        "USD");
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
