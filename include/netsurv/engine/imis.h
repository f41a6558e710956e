/* Incremental mixture importance sampling (IMIS; Steele, Raftery and Emond
 * 2006; Raftery and Bao 2010): a Bayesian calibration that starts from
 * points drawn from the prior and adds, each iteration, points from a normal
 * component centred on the point of largest importance weight, until the
 * effective sample size reaches its target. Weights are likelihood x prior /
 * (the mixture of the prior and the components), so the weighted points are
 * a sample of the posterior.
 *
 * Priors are the `psa:` distributions of the scenario's parameters,
 * truncated to each parameter's allowed range. The sampler works on an
 * unbounded scale (log for gamma and lognormal, logit for beta and uniform,
 * the value itself for normal), where the components are normal. Every
 * random draw comes from streams of (seed, point, purpose), and everything
 * but the callback is serial, so the result does not depend on threads. */
#ifndef NETSURV_ENGINE_IMIS_H
#define NETSURV_ENGINE_IMIS_H

#include <stdint.h>

#include "netsurv/scenario/calibration.h"
#include "netsurv/scenario/scenario.h"

/* Log-likelihood at theta (d values); `extra` gets n_extra numbers to keep
 * with the point (the found counts of each target). */
typedef double (*ns_imis_loglik_fn)(void *ctx, const double *theta, double *extra);
/* Told after each iteration (0: the prior sample): points so far, ESS. */
typedef void (*ns_imis_progress_fn)(void *ctx, int iteration, int points, double ess);

typedef struct {
    int d, n;                   /* parameters, points */
    double *theta;              /* [n, d] on the parameters' own scale */
    double *loglik, *log_prior; /* [n]; log_prior on the sampler's scale */
    double *weight;             /* [n], adding up to 1 */
    int *iteration;             /* [n]: 0 drawn from the prior, k added by iteration k */
    int n_extra;
    double *extra;              /* [n, n_extra] */
    int n_iter;                 /* iterations run, plus one for the prior sample */
    double *ess, *max_weight, *log_evidence; /* [n_iter] after each */
    int *n_points;              /* [n_iter] */
} ns_imis_result;

/* Runs IMIS on the registered parameters param[0..d) of s. With ranks,
 * each rank evaluates its share of every batch of points (the prior
 * sample, each iteration's new points) and gets the others' from the
 * exchange: every rank then holds the same result, equal to one process's.
 * 0, or -1 (a prior that cannot be drawn within its range, or out of
 * memory). */
int ns_imis_run(const ns_scenario *s, const int *param, int d, const ns_imis_settings *set,
                uint64_t seed, ns_imis_loglik_fn loglik, void *ctx, int n_extra,
                ns_imis_progress_fn progress, void *progress_ctx, const ns_ranks *ranks,
                ns_imis_result *out);
void ns_imis_result_free(ns_imis_result *r);

/* Weighted quantile q of x[i * stride] (n values, weights w adding up to 1). */
double ns_weighted_quantile(const double *x, int stride, const double *w, int n, double q);

/* Log prior density of theta (the sampler's scale) and the prior's draw of
 * point k, both for parameter i of s; exposed for tests. */
double ns_imis_log_prior(const ns_param *q, double theta);

#endif
