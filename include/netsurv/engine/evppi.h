/* Expected value of partial perfect information by regression (Strong,
 * Oakley and Brennan 2014, the method of the R packages voi and SAVI): the
 * PSA draws' costs and effects of each strategy regressed on the values of
 * the parameters of interest; EVPPI = mean over draws of the largest fitted
 * net benefit, less the largest mean net benefit. The regression is an
 * additive penalised cubic regression spline (one smooth per parameter,
 * knots at quantiles, the penalty chosen by generalised cross-validation),
 * so interactions between the parameters of a group are not captured (voi
 * uses tensor-product GAMs or Gaussian processes there). Standard errors by
 * simulation from the fitted coefficients' approximate posterior, as voi
 * and mgcv do. Pure: no I/O. */
#ifndef NETSURV_ENGINE_EVPPI_H
#define NETSURV_ENGINE_EVPPI_H

#include <stdint.h>

#define NS_EVPPI_MAX_PARAMS 64
#define NS_EVPPI_SE_DRAWS 100

/* EVPPI of the parameters cols[0..p) of x (K draws x P values, row-major)
 * for S strategies with cost[k * S + i] and effect[k * S + i], at each of W
 * willingness-to-pay values: evppi[w] and its standard error se[w] (either
 * may be NULL). seed drives the standard-error simulation. Returns 0, or -1
 * (out of memory, K too small for the basis, or no parameter that varies). */
int ns_evppi(const double *x, int K, int P, const int *cols, int p, const double *cost,
             const double *effect, int S, const double *wtp, int W, uint64_t seed, double *evppi,
             double *se);

/* The fewest draws the regression on p parameters can be fitted to (twice
 * its basis columns); with fewer, ns_evppi and ns_evppi_sets return -1. */
int ns_evppi_min_draws(int p);

/* The same for nsets decisions on the same draws and parameters (cost[q],
 * effect[q] for q < nsets, each [K * S]): the basis and each penalty's
 * factorisation are computed once for all. evppi and se [q * W + w]. */
int ns_evppi_sets(const double *x, int K, int P, const int *cols, int p, int nsets,
                  const double *const *costs, const double *const *effects, int S,
                  const double *wtp, int W, uint64_t seed, double *evppi, double *se);

/* Named groups of parameters, by path: natural history (metastasis,
 * residual, timing, growth, symptoms, other-cause death), the cohort, test
 * accuracy (modalities' sensitivity and specificity), treatment effect,
 * costs (any path with "cost"), utilities, other follow-up settings. */
#define NS_EVPPI_NGROUPS 7
extern const char *const ns_evppi_group_name[NS_EVPPI_NGROUPS];
int ns_evppi_group_of(const char *path);

#endif
