/* /voi/evsi/STUDY (output/evsi_out.h). */
#include "netsurv/output/evsi_out.h"
#include "h5util.h"

#include <math.h>
#include <stdlib.h>

/* name and name_se, [T, N, W], per patient or for the population (times f). */
static int pair(hid_t g, const char *name, const double *v, const double *se, const hsize_t *d,
                double f, const char *what, const char *cur)
{
    size_t n = (size_t)(d[0] * d[1] * d[2]);
    double *a = malloc(sizeof *a * 2 * (n ? n : 1));
    if (!a)
        return -1;
    for (size_t i = 0; i < n; i++)
        a[i] = v[i] * f, a[n + i] = se[i] * f;
    char desc[400], sename[64], sedesc[400];
    snprintf(desc, sizeof desc, "%s [follow-up years, sample size, wtp]", what);
    snprintf(sename, sizeof sename, "%s_se", name);
    snprintf(sedesc, sizeof sedesc, "standard error of %s [follow-up years, sample size, wtp]",
             name);
    int rc = ns__h5_write_f64(NULL, g, name, 3, d, a, desc, cur) |
             ns__h5_write_f64(NULL, g, sename, 3, d, a + n, sedesc, cur);
    free(a);
    return rc;
}

int ns_h5_write_evsi(ns_h5 *h, const ns_evsi_result *r)
{
    const ns_study *st = r->study;
    const char *cur = NS_H5_CURRENCY;
    hid_t voi = H5Lexists(h->file, "voi", H5P_DEFAULT) > 0
                    ? H5Gopen2(h->file, "voi", H5P_DEFAULT)
                    : H5Gcreate2(h->file, "voi", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (voi < 0)
        return -1;
    hid_t ev = H5Lexists(voi, "evsi", H5P_DEFAULT) > 0
                   ? H5Gopen2(voi, "evsi", H5P_DEFAULT)
                   : H5Gcreate2(voi, "evsi", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = ev < 0 ? -1 : H5Gcreate2(ev, st->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = g < 0;
    hsize_t nT = (hsize_t)st->n_years, nN = (hsize_t)st->n_sizes, nW = (hsize_t)r->W;
    hsize_t d3[3] = {nT, nN, nW}, d2[2] = {nT, nN};
    if (!rc) {
        rc |= ns__h5_attr_u64(g, "n_draws", (uint64_t)r->K) |
              ns__h5_attr_u64(g, "min_draws", (uint64_t)r->min_draws) |
              ns__h5_attr_str(g, "not_estimated", "NaN where the design's data vary in more "
                              "statistics than n_draws can carry: the regression needs "
                              "min_draws PSA draws") |
              ns__h5_attr_str(g, "method", "regression EVSI (Strong, Oakley, Brennan and "
                              "Breeze 2015): each PSA draw's costs and QALYs regressed on the "
                              "study's data simulated under that draw (the recurrences found, "
                              "by site, and those found late) by the spline regression of the "
                              "EVPPI") |
              ns__h5_attr_str(g, "groups", r->groups) |
              ns__h5_attr_str(g, "protocol", r->protocol) |
              ns__h5_attr_str(g, "observes", r->observes) |
              ns__h5_attr_f64(g, "cost_fixed", st->cost_fixed) |
              ns__h5_attr_f64(g, "cost_per_patient_year", st->cost_per_patient_year) |
              ns__h5_write_f64(NULL, g, "sample_size", 1, &nN, st->size,
                               "patients in the study [sample size]", "patients") |
              ns__h5_write_f64(NULL, g, "follow_up_years", 1, &nT, st->years,
                               "follow-up of every patient [follow-up years]", "years") |
              ns__h5_write_f64(NULL, g, "wtp_grid", 1, &nW, r->wtp,
                               "willingness to pay [wtp]", NS_H5_CURRENCY " per QALY") |
              pair(g, "evsi", r->evsi, r->evsi_se, d3, 1, "EVSI per patient, one strategy for "
                   "the whole cohort", cur) |
              ns__h5_write_f64(NULL, g, "cost", 2, d2, r->cost, "the study's cost: fixed + "
                               "per patient-year x patients x years [follow-up years, sample "
                               "size]", cur);
        if (r->comp)
            rc |= pair(g, "evsi_composite", r->comp, r->comp_se, d3, 1, "EVSI per patient, "
                       "a strategy per risk group", cur);
        if (isfinite(r->factor)) {
            size_t n = (size_t)(nT * nN * nW);
            rc |= ns__h5_attr_f64(g, "population_factor", r->factor) |
                  pair(g, "population_evsi", r->evsi, r->evsi_se, d3, r->factor, "EVSI for the "
                       "population (per patient x population_factor), whole-cohort decision",
                       cur);
            if (r->comp)
                rc |= pair(g, "population_evsi_composite", r->comp, r->comp_se, d3, r->factor,
                           "EVSI for the population, decision per risk group", cur);
            double *e = malloc(sizeof *e * 2 * (n ? n : 1));
            rc |= !e;
            for (int q = 0; e && q < (r->comp ? 2 : 1); q++) {
                const double *v = q ? r->comp : r->evsi, *s = q ? r->comp_se : r->evsi_se;
                for (size_t i = 0; i < n; i++)
                    e[i] = v[i] * r->factor - r->cost[i / nW], e[n + i] = s[i] * r->factor;
                rc |= ns__h5_write_f64(NULL, g, q ? "enbs_composite" : "enbs", 3, d3, e,
                                       q ? "expected net benefit of sampling, decision per risk "
                                           "group: population EVSI - cost [follow-up years, "
                                           "sample size, wtp]"
                                         : "expected net benefit of sampling: population EVSI - "
                                           "cost [follow-up years, sample size, wtp]", cur) |
                      ns__h5_write_f64(NULL, g, q ? "enbs_composite_se" : "enbs_se", 3, d3,
                                       e + n, "its standard error [follow-up years, sample "
                                       "size, wtp]", cur);
            }
            free(e);
        }
    }
    if (g >= 0)
        H5Gclose(g);
    if (ev >= 0)
        H5Gclose(ev);
    H5Gclose(voi);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}
