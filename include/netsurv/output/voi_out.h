/* /voi: the expected value of partial perfect information of a PSA run
 * (job/voi.c computes it, engine/evppi.c is the method). */
#ifndef NETSURV_OUTPUT_VOI_OUT_H
#define NETSURV_OUTPUT_VOI_OUT_H

#include "netsurv/output/h5out.h"

/* Writes /voi: per drawn parameter evppi and se [parameter, wtp] (P names);
 * per named group of parameters (NG names, n_members each) [group, wtp];
 * with risk groups (G > 0), per risk group and named group [risk group,
 * group, wtp] (per patient of the risk group) and for the decision by risk
 * group [group, wtp] (per patient of the cohort). NaN where the draws could
 * not carry the regression. 0 or -1. */
int ns_h5_write_evppi(ns_h5 *h, int K, int P, const char *const *names, int W,
                      const double *wtp, const double *par, const double *par_se, int NG,
                      const char *const *group_names, const int *n_members, const double *grp,
                      const double *grp_se, int G, const double *rg, const double *rg_se,
                      const double *comp, const double *comp_se);

#endif
