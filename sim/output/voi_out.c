/* /voi (output/voi_out.h). */
#include "netsurv/output/voi_out.h"
#include "h5util.h"
#include "netsurv/engine/econ.h"

#include <stdlib.h>

int ns_h5_write_evppi(ns_h5 *h, int K, int P, const char *const *names, int W,
                      const double *wtp, const double *par, const double *par_se, int NG,
                      const char *const *group_names, const int *n_members, const double *grp,
                      const double *grp_se, int G, const double *rg, const double *rg_se,
                      const double *comp, const double *comp_se)
{
    hid_t g = H5Gcreate2(h->file, "voi", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    hsize_t nw = (hsize_t)W, dp[2] = {(hsize_t)P, (hsize_t)W}, dg[2] = {(hsize_t)NG, (hsize_t)W};
    hsize_t dr[3] = {(hsize_t)G, (hsize_t)NG, (hsize_t)W}, ng = (hsize_t)NG;
    int rc = ns__h5_attr_u64(g, "n_draws", (uint64_t)K) |
             ns__h5_attr_str(g, "method", "regression (Strong, Oakley and Brennan 2014): each "
                             "strategy's cost and QALYs over the PSA draws regressed on the "
                             "parameters by an additive penalised cubic regression spline "
                             "(knots at quantiles, penalty by GCV; no interactions); standard "
                             "errors from the fitted coefficients' approximate posterior") |
             ns__h5_write_f64(NULL, g, "wtp_grid", 1, &nw, wtp, "willingness to pay",
                              NS_H5_CURRENCY " per QALY");
    if (P > 0)
        rc |= ns__h5_write_strings(g, "parameter", names, (hsize_t)P,
                                   "drawn parameters (rows of evppi)") |
              ns__h5_write_f64(NULL, g, "evppi", 2, dp, par, "EVPPI per patient of each "
                               "parameter alone [parameter, wtp]", NS_H5_CURRENCY) |
              ns__h5_write_f64(NULL, g, "evppi_se", 2, dp, par_se, "its standard error "
                               "[parameter, wtp]", NS_H5_CURRENCY);
    int counts[64];
    for (int i = 0; i < NG && i < 64; i++)
        counts[i] = n_members[i];
    rc |= ns__h5_write_strings(g, "group", group_names, ng, "named groups of parameters (rows "
                               "of evppi_group)") |
          ns__h5_write_array(NULL, g, "group_size", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &ng, counts,
                             "drawn parameters in each named group", "parameters") |
          ns__h5_write_f64(NULL, g, "evppi_group", 2, dg, grp, "EVPPI per patient of each named "
                           "group of parameters together [group, wtp]; NaN: no parameter, or "
                           "too few draws for the regression", NS_H5_CURRENCY) |
          ns__h5_write_f64(NULL, g, "evppi_group_se", 2, dg, grp_se, "its standard error "
                           "[group, wtp]", NS_H5_CURRENCY);
    if (G > 0)
        rc |= ns__h5_write_f64(NULL, g, "evppi_group_by_risk_group", 3, dr, rg, "EVPPI per "
                               "patient of the risk group, of each named group of parameters "
                               "[risk group, group, wtp]", NS_H5_CURRENCY) |
              ns__h5_write_f64(NULL, g, "evppi_group_by_risk_group_se", 3, dr, rg_se,
                               "its standard error", NS_H5_CURRENCY) |
              ns__h5_write_f64(NULL, g, "evppi_group_composite", 2, dg, comp, "EVPPI per "
                               "patient of the cohort of the decision by risk group (a "
                               "strategy per group), of each named group of parameters "
                               "[group, wtp]", NS_H5_CURRENCY) |
              ns__h5_write_f64(NULL, g, "evppi_group_composite_se", 2, dg, comp_se,
                               "its standard error (the groups' combined as independent)",
                               NS_H5_CURRENCY);
    const ns_scenario *s = h->s;
    if (s->econ.has_population) { /* the same per patient, times the discounted patients */
        double f = ns_econ_population_factor(s->econ.pop_incidence, s->econ.pop_horizon,
                                             s->follow.discount_costs);
        size_t n = (size_t)(P > NG ? P : NG) * W;
        double *v = malloc(sizeof *v * (n ? n : 1));
        rc |= !v;
        for (size_t i = 0; v && i < (size_t)NG * W; i++)
            v[i] = grp[i] * f;
        if (v)
            rc |= ns__h5_attr_f64(g, "population_factor", f) |
                  ns__h5_write_f64(NULL, g, "population_evppi_group", 2, dg, v, "EVPPI for the "
                                   "population (per patient x population_factor, the discounted "
                                   "patients of economics.population) [group, wtp]", NS_H5_CURRENCY);
        for (size_t i = 0; v && P > 0 && i < (size_t)P * W; i++)
            v[i] = par[i] * f;
        if (v && P > 0)
            rc |= ns__h5_write_f64(NULL, g, "population_evppi", 2, dp, v, "EVPPI of each "
                                   "parameter for the population [parameter, wtp]", NS_H5_CURRENCY);
        free(v);
    }
    H5Gclose(g);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}
