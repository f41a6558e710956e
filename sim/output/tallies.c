/* The summary datasets of a tally array (h5util.h: ns__h5_write_tallies),
 * shared by /summary and /summary_by_group, and the WTP grid. */
#include "h5util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The datasets of one tally array laid out by lead dims: [strategy] for
 * the whole cohort, [strategy, group] by risk group. */
typedef struct {
    const ns_h5 *h;
    hid_t g;
    const ns_strategy_tally *t;
    int rank, n;                /* lead rank (1 or 2) and the number of tallies */
    hsize_t dims[4];            /* the lead dims, then room for one more */
    const char *lead;           /* "strategy" or "strategy, group", for descriptions */
    double *v, *lo, *hi;        /* n values each */
} tally_set;

/* One count per tally, stored as unsigned integers. */
static int write_count(tally_set *ts, const char *name, size_t offset, const char *desc)
{
    uint64_t *u = (uint64_t *)ts->v;
    for (int i = 0; i < ts->n; i++)
        u[i] = *(const uint64_t *)((const char *)&ts->t[i] + offset);
    char d[320];
    snprintf(d, sizeof d, "%s [%s]", desc, ts->lead);
    return ns__h5_write_array(ts->h, ts->g, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, ts->rank,
                              ts->dims, u, d, "patients");
}

/* A mean with its 95 % interval as three datasets. */
static int write_mean(tally_set *ts, const char *name, size_t offset, const char *desc,
                      const char *units)
{
    for (int i = 0; i < ts->n; i++)
        ns_acc_mean((const ns_acc *)((const char *)&ts->t[i] + offset), &ts->v[i], &ts->lo[i],
                    &ts->hi[i]);
    char nm[96], d[320];
    snprintf(d, sizeof d, "%s [%s]", desc, ts->lead);
    int rc = ns__h5_write_array(ts->h, ts->g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, ts->rank,
                                ts->dims, ts->v, d, units);
    snprintf(nm, sizeof nm, "%s_ci_low", name);
    snprintf(d, sizeof d, "%s: lower end of the 95 %% interval [%s]", desc, ts->lead);
    rc |= ns__h5_write_array(ts->h, ts->g, nm, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, ts->rank,
                             ts->dims, ts->lo, d, units);
    snprintf(nm, sizeof nm, "%s_ci_high", name);
    snprintf(d, sizeof d, "%s: upper end of the 95 %% interval [%s]", desc, ts->lead);
    rc |= ns__h5_write_array(ts->h, ts->g, nm, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, ts->rank,
                             ts->dims, ts->hi, d, units);
    return rc;
}

/* A per-tally array of `len` values (a histogram, a row by modality or
 * part) as one dataset with one more dimension. */
static int write_rows(tally_set *ts, const char *name, const char *axis, hid_t ft, hid_t mt,
                      const void *data, hsize_t len, const char *desc, const char *units)
{
    char d[400];
    snprintf(d, sizeof d, "%s [%s, %s]", desc, ts->lead, axis);
    ts->dims[ts->rank] = len;
    int rc = ns__h5_write_array(ts->h, ts->g, name, ft, mt, ts->rank + 1, ts->dims, data, d, units);
    ts->dims[ts->rank] = 0;
    return rc;
}

/* Histograms and their bin edges. */
static int write_histograms(tally_set *ts)
{
    const ns_h5 *h = ts->h;
    uint64_t *buf = malloc(sizeof *buf * (size_t)ts->n * (NS_TIME_BINS + 1));
    double edges[NS_DELAY_BINS + NS_TIME_BINS + 2];
    if (!buf)
        return -1;
    hsize_t ne = NS_TIME_BINS + 1;
    for (int k = 0; k < ts->n; k++)
        memcpy(buf + (size_t)k * (NS_TIME_BINS + 1), ts->t[k].hist_detection,
               sizeof ts->t[k].hist_detection);
    for (int i = 0; i <= NS_TIME_BINS; i++)
        edges[i] = i * NS_TIME_BIN_WIDTH;
    int rc = write_rows(ts, "detection_time_histogram", "bin", H5T_STD_U64LE, H5T_NATIVE_UINT64, buf, ne,
                        "metastases detected, by detection time; the last bin holds all later",
                        "patients") |
             (h->point ? 0
                       : ns__h5_write_array(NULL, ts->g, "detection_time_bin_start", H5T_IEEE_F64LE,
                                     H5T_NATIVE_DOUBLE, 1, &ne, edges,
                                     "start of each detection time bin", "years after resection"));
    ne = NS_DELAY_BINS + 1;
    for (int k = 0; k < ts->n; k++)
        memcpy(buf + (size_t)k * (NS_DELAY_BINS + 1), ts->t[k].hist_delay,
               sizeof ts->t[k].hist_delay);
    for (int i = 0; i <= NS_DELAY_BINS; i++)
        edges[i] = i * NS_DELAY_BIN_WIDTH;
    rc |= write_rows(ts, "detection_delay_histogram", "bin", H5T_STD_U64LE, H5T_NATIVE_UINT64, buf, ne,
                     "metastases detected, by delay from detectable to detected; the last bin "
                     "holds all longer", "patients") |
          (h->point ? 0
                    : ns__h5_write_array(NULL, ts->g, "detection_delay_bin_start", H5T_IEEE_F64LE,
                                  H5T_NATIVE_DOUBLE, 1, &ne, edges, "start of each delay bin",
                                  "years"));
    free(buf);
    return rc;
}

/* Tests per patient by modality: [..., modality]. */
static int write_tests_by_modality(tally_set *ts, const ns_scenario *s)
{
    int M = s->n_modalities;
    double *v = malloc(sizeof *v * (size_t)ts->n * (size_t)M + 1);
    const char *names[NS_MAX_MODALITIES];
    if (!v)
        return -1;
    for (int k = 0; k < ts->n; k++)
        for (int m = 0; m < M; m++)
            v[k * M + m] = ts->t[k].n_patients ? (double)ts->t[k].tests_by_modality[m] /
                                                     (double)ts->t[k].n_patients
                                               : NAN;
    for (int m = 0; m < M; m++)
        names[m] = s->modality[m].name;
    int rc = (ts->h->point ? 0
                           : ns__h5_write_strings(ts->g, "modality", names, (hsize_t)M,
                                                  "modality names (columns of "
                                                  "mean_tests_by_modality)")) |
             write_rows(ts, "mean_tests_by_modality", "modality", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v,
                        (hsize_t)M, "tests per patient by modality", "tests per patient");
    free(v);
    return rc;
}

/* Discounted QALYs per patient by part: [..., part]. */
static int write_qaly_parts(tally_set *ts)
{
    double *v = malloc(sizeof *v * (size_t)ts->n * NS_NQPARTS), lo, hi;
    if (!v)
        return -1;
    for (int k = 0; k < ts->n; k++)
        for (int q = 0; q < NS_NQPARTS; q++)
            ns_acc_mean(&ts->t[k].qaly_part[q], &v[k * NS_NQPARTS + q], &lo, &hi);
    int rc = (ts->h->point ? 0
                           : ns__h5_write_strings(ts->g, "qaly_part", ns_qaly_part_name, NS_NQPARTS,
                                                  "parts of the discounted QALYs (columns of "
                                                  "mean_qaly_discounted_by_part)")) |
             write_rows(ts, "mean_qaly_discounted_by_part", "part", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v,
                        NS_NQPARTS,
                        "discounted QALYs per patient by part: life in each state, and the losses "
                        "to tests and to treatment (negative); the parts add up to "
                        "mean_qaly_discounted", "QALY");
    free(v);
    return rc;
}

int ns__h5_write_tallies(const ns_h5 *h, hid_t g, const ns_strategy_tally *t, int rank,
                         const hsize_t *lead)
{
    const ns_scenario *s = h->s;
    tally_set ts = {h, g, t, rank, 1, {0}, rank == 1 ? "strategy" : "strategy, group", 0, 0, 0};
    for (int i = 0; i < rank; i++)
        ts.dims[i] = lead[i], ts.n *= (int)lead[i];
    double *buf = malloc(sizeof *buf * 3 * (size_t)ts.n);
    if (!buf)
        return -1;
    ts.v = buf, ts.lo = buf + ts.n, ts.hi = buf + 2 * ts.n;
    int rc = 0;
#define COUNT(name, fld, desc) rc |= write_count(&ts, name, offsetof(ns_strategy_tally, fld), desc)
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
#undef COUNT
#define MEAN(name, fld, desc, units) \
    rc |= write_mean(&ts, name, offsetof(ns_strategy_tally, fld), desc, units)
    MEAN("mean_detection_time", detection_time, "time to detection, detected metastases", "years after resection");
    MEAN("mean_detection_delay", detection_delay, "delay from detectable to detected, detected metastases", "years");
    MEAN("mean_burden_mm", burden_mm, "largest deposit at detection", "mm");
    MEAN("mean_cost", cost, "all costs per patient, undiscounted", NS_H5_CURRENCY);
    MEAN("mean_cost_discounted", cost_discounted, "all costs per patient, discounted", NS_H5_CURRENCY);
    MEAN("mean_cost_surveillance", cost_surveillance, "surveillance test costs per patient, undiscounted", NS_H5_CURRENCY);
    MEAN("mean_cost_workup", cost_workup, "work-up of false positives per patient, undiscounted", NS_H5_CURRENCY);
    MEAN("mean_cost_treatment", cost_treatment, "treatment costs per patient (time-0 treatment, metastasis, local), undiscounted", NS_H5_CURRENCY);
    MEAN("mean_tests", tests, "surveillance tests per patient", "tests");
    MEAN("mean_false_positives", false_positives, "false-positive tests per patient", "tests");
    MEAN("mean_radiation_msv", radiation_msv, "effective dose from surveillance per patient", "mSv");
    MEAN("mean_ly", ly, "life-years from resection to death (lifetime)", "years");
    MEAN("mean_ly_discounted", ly_discounted, "life-years, discounted", "years");
    MEAN("mean_qaly", qaly, "quality-adjusted life-years (lifetime)", "QALY");
    MEAN("mean_qaly_discounted", qaly_discounted, "quality-adjusted life-years, discounted", "QALY");
#undef MEAN
    rc |= write_histograms(&ts) | write_tests_by_modality(&ts, s) | write_qaly_parts(&ts);
    free(buf);
    return rc;
}
