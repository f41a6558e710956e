/* Distributions of positive times and sizes, and piecewise-linear curves:
 * the numerics that scenarios (derived quantities) and the model (sampling)
 * share. Pure functions; no state. */
#ifndef NETSURV_NUMERIC_DIST_H
#define NETSURV_NUMERIC_DIST_H

#define NS_MAX_KNOTS 16

enum { NS_DIST_LOGNORMAL, NS_DIST_WEIBULL, NS_DIST_UNIFORM };

/* A positive time or size: lognormal (median, sigma), Weibull (shape,
 * scale), or uniform (min, max: spread evenly, as closed-form checks need). */
typedef struct {
    int kind;
    double a, b; /* lognormal: median, sigma; Weibull: shape, scale; uniform: min, max */
} ns_dist;

/* Piecewise-linear function y(x) through (x[i], y[i]), flat outside. */
typedef struct {
    int n;
    double x[NS_MAX_KNOTS], y[NS_MAX_KNOTS];
} ns_curve;

/* Standard normal quantile, Acklam's rational approximation (relative error
 * below 1.2e-9): accurate enough for sampling, and cheap. */
double ns_norm_quantile_fast(double p);

/* Quantile of a long-tailed distribution at u in (0, 1). */
double ns_dist_quantile(const ns_dist *d, double u);

/* Value of a curve at x (linear between knots, flat outside). */
double ns_curve_eval(const ns_curve *c, double x);
/* Inverse of an increasing cumulative curve: x where y(x) = u. */
double ns_curve_inverse(const ns_curve *c, double u);

#endif
