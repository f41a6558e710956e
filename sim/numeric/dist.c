/* Distributions and curves: quantiles for sampling, piecewise-linear
 * curves and their inverse (see include/netsurv/numeric/dist.h). */
#include "netsurv/numeric/dist.h"

#include <math.h>

/* Standard normal quantile, Acklam's rational approximation (relative error
 * below 1.2e-9): accurate enough for sampling, and cheap. */
double ns_norm_quantile_fast(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    if (p > 0.02425 && p < 0.97575) {
        double q = p - 0.5, r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
               (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    double q = sqrt(-2 * log(p < 0.5 ? p : 1 - p));
    double x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    return p < 0.5 ? x : -x;
}

double ns_dist_quantile(const ns_dist *d, double u)
{
    if (d->kind == NS_DIST_UNIFORM)
        return d->a + (d->b - d->a) * u;
    if (d->kind == NS_DIST_LOGNORMAL)
        return d->a * exp(d->b * ns_norm_quantile_fast(u));
    return d->b * pow(-log1p(-u), 1 / d->a);
}

double ns_curve_eval(const ns_curve *c, double x)
{
    if (x <= c->x[0])
        return c->y[0];
    for (int i = 1; i < c->n; i++)
        if (x < c->x[i])
            return c->y[i - 1] + (c->y[i] - c->y[i - 1]) * (x - c->x[i - 1]) / (c->x[i] - c->x[i - 1]);
    return c->y[c->n - 1];
}

double ns_curve_inverse(const ns_curve *c, double u)
{
    for (int i = 1; i < c->n; i++)
        if (u < c->y[i]) {
            double dy = c->y[i] - c->y[i - 1];
            return c->x[i - 1] + (dy > 0 ? (u - c->y[i - 1]) / dy : 0) * (c->x[i] - c->x[i - 1]);
        }
    return c->x[c->n - 1];
}
