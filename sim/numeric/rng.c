/* PCG32 seeding, jumping and per-patient streams, and the samplers declared
 * in netsurv/rng.h. No allocation, no mutable global state: every function
 * touches only the generator passed in (and out[] for the Dirichlet). */
#include "netsurv/numeric/rng.h"

#include <math.h>

#define PCG_MULT 6364136223846793005ULL
#define INV_2POW31 (1.0 / 2147483648.0)
#define INV_2POW52 (1.0 / 4503599627370496.0)
#define SQRT1_2 0.70710678118654752440   /* 1/sqrt(2) */
#define SQRT_2PI 2.50662827463100050242  /* sqrt(2*pi) */
#define TAIL_REJECT_FROM 37.0            /* Phi(-x) stays a normal double below this */

/* Leaves r as if ns_rng_u32 had been called delta times (pcg32_advance_r). */
void ns_rng_advance(ns_rng *r, uint64_t delta)
{
    uint64_t cur_mult = PCG_MULT, cur_plus = r->inc;
    uint64_t acc_mult = 1u, acc_plus = 0u;
    while (delta > 0u) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1u) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1u;
    }
    r->state = acc_mult * r->state + acc_plus;
}

/* Uniform on the odd multiples of 2^-53 in (0, 1), all exact doubles, so
 * never 0 or 1 (two u32 draws; 52 random bits). */
static double uniform_open(ns_rng *r)
{
    uint64_t hi = ns_rng_u32(r), lo = ns_rng_u32(r);
    return ((double)(((hi << 32) | lo) >> 12) + 0.5) * INV_2POW52;
}

/* Uniform in (-1, 1), symmetric about 0 and never 0 (one u32 draw). */
static double uniform_sym(ns_rng *r)
{
    return ((double)ns_rng_u32(r) - 2147483647.5) * INV_2POW31;
}

/* Exponential with mean 1/rate, by inversion of one uniform_pos draw. */
double ns_rng_exponential(ns_rng *r, double rate)
{
    return -log(ns_rng_uniform_pos(r)) / rate;
}

/* Standard normal by Marsaglia's polar method; the second value is dropped. */
static double std_normal(ns_rng *r)
{
    double u, v, s;
    do {
        u = uniform_sym(r);
        v = uniform_sym(r);
        s = u * u + v * v;  /* > 0: u, v are never 0 */
    } while (s >= 1.0);
    return u * sqrt(-2.0 * log(s) / s);
}

/* Normal(mean, sd). */
double ns_rng_normal(ns_rng *r, double mean, double sd)
{
    return mean + sd * std_normal(r);
}

/* exp(Normal(mu, sigma)). */
double ns_rng_lognormal(ns_rng *r, double mu, double sigma)
{
    return exp(mu + sigma * std_normal(r));
}

/* Weibull with P(X > x) = exp(-(x/scale)^shape), by inversion. */
double ns_rng_weibull(ns_rng *r, double shape, double scale)
{
    return scale * pow(-log(ns_rng_uniform_pos(r)), 1.0 / shape);
}

/* Gamma(shape, 1) for shape >= 1 by Marsaglia-Tsang (2000); always > 0. */
static double gamma_mt(ns_rng *r, double shape)
{
    const double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = std_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = ns_rng_uniform_pos(r), x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2)
            return d * v;
        if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v)))
            return d * v;
    }
}

/* log of a Gamma(shape, 1) draw, any shape > 0, without underflow for tiny
 * shapes; consumes the same draws as ns_rng_gamma. */
static double log_gamma_draw(ns_rng *r, double shape)
{
    if (shape >= 1.0)
        return log(gamma_mt(r, shape));
    double g = gamma_mt(r, shape + 1.0);
    return log(g) + log(ns_rng_uniform_pos(r)) / shape;
}

/* Gamma with mean shape*scale; shape < 1 via the boost G(shape+1)*U^(1/shape). */
double ns_rng_gamma(ns_rng *r, double shape, double scale)
{
    if (shape >= 1.0)
        return scale * gamma_mt(r, shape);
    double g = gamma_mt(r, shape + 1.0);
    return scale * g * pow(ns_rng_uniform_pos(r), 1.0 / shape);
}

/* Beta(a, b) as Ga/(Ga+Gb); in log space when a shape is < 1 (no 0/0). */
double ns_rng_beta(ns_rng *r, double a, double b)
{
    if (a >= 1.0 && b >= 1.0) {
        double x = gamma_mt(r, a), y = gamma_mt(r, b);
        return x / (x + y);
    }
    double la = log_gamma_draw(r, a), lb = log_gamma_draw(r, b);
    return 1.0 / (1.0 + exp(lb - la));
}

/* Index i with probability p[i]/sum(p), never an index with p[i] == 0. */
int ns_rng_categorical(ns_rng *r, const double *p, int n)
{
    double total = 0.0;
    int last = 0;
    for (int i = 0; i < n; i++) {
        total += p[i];
        if (p[i] > 0.0)
            last = i;
    }
    double u = ns_rng_uniform(r) * total, cum = 0.0;
    for (int i = 0; i < n; i++) {
        cum += p[i];
        if (u < cum)
            return i;
    }
    return last;  /* u rounded onto or past the total */
}

/* Exponential restricted to [0, hi], by inversion; hi may be +inf. */
double ns_rng_truncexponential(ns_rng *r, double rate, double hi)
{
    double u = uniform_open(r);
    if (rate == 0.0)
        return u * hi;
    double x = -log1p(u * expm1(-rate * hi)) / rate;
    return x > hi ? hi : x;
}

/* Standard normal restricted to [a, b] with a > TAIL_REJECT_FROM, where Phi
 * would underflow: exact rejection from an exponential proposal (accepts
 * with probability > 0.999). */
static double std_trunc_far_tail(ns_rng *r, double a, double b)
{
    for (;;) {
        double t = ns_rng_truncexponential(r, a, b - a);
        if (ns_rng_uniform_pos(r) < exp(-0.5 * t * t))
            return a + t;
    }
}

/* Standard normal restricted to [a, b] with a + b <= 0, by inversion on
 * the lower tail, where Phi keeps full relative precision. */
static double std_trunc_left(ns_rng *r, double a, double b)
{
    if (b < -TAIL_REJECT_FROM)
        return -std_trunc_far_tail(r, -b, -a);
    double pa = ns_norm_cdf(a), pb = ns_norm_cdf(b);
    double x = ns_norm_quantile(pa + uniform_open(r) * (pb - pa));
    return x < a ? a : (x > b ? b : x);
}

/* Normal(mean, sd) restricted to [lo, hi], by inversion of the CDF on the
 * side of the smaller tail (a right-tail window is mirrored). */
double ns_rng_truncnormal(ns_rng *r, double mean, double sd, double lo, double hi)
{
    double a = (lo - mean) / sd, b = (hi - mean) / sd;
    double z = (a + b > 0.0) ? -std_trunc_left(r, -b, -a) : std_trunc_left(r, a, b);
    double x = mean + sd * z;
    return x < lo ? lo : (x > hi ? hi : x);
}

/* Dirichlet(alpha) into out[]: normalised gammas, formed in log space so
 * tiny alphas cannot give 0/0; out sums to 1 up to rounding. */
void ns_rng_dirichlet(ns_rng *r, const double *alpha, int n, double *out)
{
    double mx = -INFINITY, sum = 0.0;
    for (int i = 0; i < n; i++) {
        out[i] = log_gamma_draw(r, alpha[i]);
        if (out[i] > mx)
            mx = out[i];
    }
    for (int i = 0; i < n; i++) {
        out[i] = exp(out[i] - mx);
        sum += out[i];
    }
    for (int i = 0; i < n; i++)
        out[i] /= sum;
}

/* Standard normal CDF, with full relative precision in the lower tail. */
double ns_norm_cdf(double x)
{
    return 0.5 * erfc(-x * SQRT1_2);
}

/* Acklam's rational approximation of the normal quantile for q in (0, 0.5]
 * (relative error < 1.15e-9). */
static double acklam_lower(double q)
{
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00};
    if (q < 0.02425) {
        double t = sqrt(-2.0 * log(q));
        return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5])
               / ((((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1.0);
    }
    double t = q - 0.5, s = t * t;
    return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * t
           / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1.0);
}

/* Normal quantile for q in (0, 0.5]: Acklam plus one Halley step using erfc
 * (the step is skipped only for subnormal q, where exp(x^2/2) overflows). */
static double quantile_lower(double q)
{
    double x = acklam_lower(q);
    double g = exp(0.5 * x * x);
    if (g < HUGE_VAL) {
        double e = 0.5 * erfc(-x * SQRT1_2) - q;
        double u = e * SQRT_2PI * g;
        x -= u / (1.0 + 0.5 * x * u);
    }
    return x;
}

/* Inverse of ns_norm_cdf for p in (0, 1); -inf/+inf at 0/1, NaN outside.
 * Exactly odd about 0.5: quantile(p) == -quantile(1 - p) for p >= 0.5. */
double ns_norm_quantile(double p)
{
    if (!(p > 0.0))
        return p == 0.0 ? -INFINITY : NAN;
    if (!(p < 1.0))
        return p == 1.0 ? INFINITY : NAN;
    return p > 0.5 ? -quantile_lower(1.0 - p) : quantile_lower(p);
}
