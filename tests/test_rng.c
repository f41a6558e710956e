/* Tests for netsurv/rng.h: PCG32 reference outputs, jump-ahead, per-patient
 * streams, and every sampler against closed-form moments, chi-square and
 * Kolmogorov-Smirnov bounds. Fixed seeds: every run draws the same numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "netsurv/numeric/rng.h"

#define N_MOM 200000   /* draws per moment check */
#define N_KS 20000     /* draws per Kolmogorov-Smirnov check */
#define Z_MEAN 5.0     /* tolerance in standard errors */
#define CHI2_99_P001 148.2303591651017 /* chi-square critical, df 99, p 0.001 */
#define CHI2_3_P001 16.26623619623813  /* df 3 */
#define KS_CRIT 1.63   /* times 1/sqrt(n): Kolmogorov-Smirnov at p ~ 0.01 */
#define SQRT_2PI 2.50662827463100050242

static double ks_buf[N_KS];

/* ---------- small statistics helpers ---------- */

/* Running mean and sum of squared deviations (Welford). */
typedef struct {
    double n, mean, m2;
} moments;

/* Adds x to the running moments. */
static void mom_add(moments *m, double x)
{
    m->n += 1.0;
    double d = x - m->mean;
    m->mean += d / m->n;
    m->m2 += d * (x - m->mean);
}

/* Sample variance (n - 1 denominator). */
static double mom_var(const moments *m)
{
    return m->m2 / (m->n - 1.0);
}

/* Fails unless the sample mean is within Z_MEAN standard errors of mean and
 * the sample variance within Z_MEAN standard errors of var, the latter's
 * standard error var*sqrt((kurtosis - 1)/n) from the true excess kurtosis. */
static void check_moments(const char *what, const moments *m, double mean,
                          double var, double exkurt)
{
    double se_mean = sqrt(var / m->n);
    double se_var = var * sqrt((exkurt + 2.0) / m->n);
    double v = mom_var(m);
    if (!(fabs(m->mean - mean) <= Z_MEAN * se_mean))
        fail_msg("%s: mean %.8g, expected %.8g (+-%.3g)", what, m->mean, mean,
                 Z_MEAN * se_mean);
    if (!(fabs(v - var) <= Z_MEAN * se_var))
        fail_msg("%s: variance %.8g, expected %.8g (+-%.3g)", what, v, var,
                 Z_MEAN * se_var);
}

/* Excess kurtosis from the raw moments r1..r4. */
static double exkurt_from_raw(double r1, double r2, double r3, double r4)
{
    double var = r2 - r1 * r1;
    double mu4 = r4 - 4.0 * r1 * r3 + 6.0 * r1 * r1 * r2 - 3.0 * r1 * r1 * r1 * r1;
    return mu4 / (var * var) - 3.0;
}

/* Excess kurtosis of Beta(a, b). */
static double beta_exkurt(double a, double b)
{
    double s = a + b;
    return 6.0 * ((a - b) * (a - b) * (s + 1.0) - a * b * (s + 2.0))
           / (a * b * (s + 2.0) * (s + 3.0));
}

/* Standard normal density. */
static double phi(double x)
{
    return isinf(x) ? 0.0 : exp(-0.5 * x * x) / SQRT_2PI;
}

/* Standard normal CDF straight from libm (independent of ns_norm_cdf). */
static double Phi(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

/* x^k * phi(x), 0 at infinite x. */
static double xk_phi(double x, int k)
{
    return isinf(x) ? 0.0 : pow(x, k) * phi(x);
}

/* Mean, variance and excess kurtosis of N(0,1) restricted to [a, b], by the
 * raw-moment recursion m_k = (k-1) m_{k-2} + (a^{k-1}phi(a) - b^{k-1}phi(b))/Z. */
static void truncnorm_moments(double a, double b, double *mean, double *var,
                              double *exkurt)
{
    double z = (a + b > 0.0) ? Phi(-a) - Phi(-b) : Phi(b) - Phi(a);
    double m[5] = {1.0, 0.0, 0.0, 0.0, 0.0};
    m[1] = (phi(a) - phi(b)) / z;
    for (int k = 2; k <= 4; k++)
        m[k] = (k - 1) * m[k - 2] + (xk_phi(a, k - 1) - xk_phi(b, k - 1)) / z;
    *mean = m[1];
    *var = m[2] - m[1] * m[1];
    *exkurt = exkurt_from_raw(m[1], m[2], m[3], m[4]);
}

/* Unnormalised density on [0, w] of t = x - a for N(0,1) restricted to
 * [a, a + w] with a > 0, scaled by exp(a^2/2) so far tails do not underflow. */
static double far_tail_density(double t, double a)
{
    return exp(-a * t - 0.5 * t * t);
}

/* Unnormalised truncated-exponential density on [0, hi]. */
static double truncexp_density(double t, double rate)
{
    return exp(-rate * t);
}

/* Mean, variance and excess kurtosis of a density on [0, w] by Simpson's rule. */
static void quad_moments(double (*f)(double, double), double prm, double w,
                         double *mean, double *var, double *exkurt)
{
    const int n = 200000; /* even */
    double s[5] = {0.0, 0.0, 0.0, 0.0, 0.0}, h = w / n;
    for (int i = 0; i <= n; i++) {
        double t = i * h, c = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        double y = c * f(t, prm);
        for (int k = 0; k <= 4; k++, y *= t)
            s[k] += y;
    }
    double r1 = s[1] / s[0], r2 = s[2] / s[0], r3 = s[3] / s[0], r4 = s[4] / s[0];
    *mean = r1;
    *var = r2 - r1 * r1;
    *exkurt = exkurt_from_raw(r1, r2, r3, r4);
}

/* qsort comparison for doubles. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov statistic of ks_buf[0..n-1] against cdf (sorts ks_buf). */
static double ks_stat(int n, double (*cdf)(double, const double *), const double *prm)
{
    qsort(ks_buf, (size_t)n, sizeof ks_buf[0], cmp_double);
    double d = 0.0;
    for (int i = 0; i < n; i++) {
        double f = cdf(ks_buf[i], prm);
        double lo = f - (double)i / n, hi = (double)(i + 1) / n - f;
        d = fmax(d, fmax(lo, hi));
    }
    return d;
}

/* Pearson chi-square of counts against expected = n * p[i] / sum(p). */
static double chi_square(const long *count, const double *p, int k, double n)
{
    double sum = 0.0, chi = 0.0;
    for (int i = 0; i < k; i++)
        sum += p[i];
    for (int i = 0; i < k; i++) {
        if (p[i] <= 0.0)
            continue;
        double e = n * p[i] / sum;
        chi += (count[i] - e) * (count[i] - e) / e;
    }
    return chi;
}

/* Pearson correlation of x[i], y[i] accumulated as sums. */
typedef struct {
    double n, sx, sy, sxx, syy, sxy;
} corr_acc;

/* Adds one pair to a correlation accumulator. */
static void corr_add(corr_acc *c, double x, double y)
{
    c->n += 1.0;
    c->sx += x;
    c->sy += y;
    c->sxx += x * x;
    c->syy += y * y;
    c->sxy += x * y;
}

/* Sample correlation coefficient. */
static double corr_value(const corr_acc *c)
{
    double cxy = c->sxy - c->sx * c->sy / c->n;
    double cxx = c->sxx - c->sx * c->sx / c->n, cyy = c->syy - c->sy * c->sy / c->n;
    return cxy / sqrt(cxx * cyy);
}

/* ---------- generator core ---------- */

/* A generator whose next two outputs are 0 (so every uniform is minimal). */
static ns_rng rng_min_outputs(void)
{
    return (ns_rng){0u, 1u}; /* states 0 and 1 both output 0 */
}

/* A generator whose next two outputs are 0xffffffff (uniform = 1 - 2^-53):
 * states with bits 41..58 set and 59..63 clear output all ones, and inc is
 * chosen so that the second state is the first with bit 0 set. */
static ns_rng rng_max_outputs(void)
{
    uint64_t t = (((uint64_t)1 << 18) - 1u) << 41;
    return (ns_rng){t, (t | 1u) - t * 6364136223846793005ULL};
}

/* 1. Reference vector of pcg32-demo: srandom(42, 54), first six outputs. */
static void test_pcg32_reference(void **state)
{
    (void)state;
    static const uint32_t want[6] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                     0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
    ns_rng r;
    ns_rng_seed(&r, 42u, 54u);
    assert_true(r.inc & 1u);
    for (int i = 0; i < 6; i++)
        assert_int_equal(ns_rng_u32(&r), want[i]);
}

/* 2. advance(k) equals k steps; advance(2^64 - k) after k steps is the start. */
static void test_advance(void **state)
{
    (void)state;
    static const uint64_t ks[5] = {0u, 1u, 7u, 1000u, 123457u};
    ns_rng start;
    ns_rng_seed(&start, 0x853c49e6748fea9bULL, 0xda3e39cb94b95bdbULL);
    for (int j = 0; j < 5; j++) {
        ns_rng stepped = start, jumped = start;
        for (uint64_t i = 0; i < ks[j]; i++)
            (void)ns_rng_u32(&stepped);
        ns_rng_advance(&jumped, ks[j]);
        assert_true(jumped.state == stepped.state);
        assert_true(jumped.inc == stepped.inc);
        assert_int_equal(ns_rng_u32(&jumped), ns_rng_u32(&stepped));

        ns_rng back = start;
        for (uint64_t i = 0; i < ks[j]; i++)
            (void)ns_rng_u32(&back);
        ns_rng_advance(&back, (uint64_t)0 - ks[j]);
        assert_true(back.state == start.state);
    }
    /* Jumps compose, and half the period is not a cycle. */
    ns_rng a = start, b = start;
    ns_rng_advance(&a, 0x123456789abcdefULL);
    ns_rng_advance(&a, 0xfedcba987654321ULL);
    ns_rng_advance(&b, 0x123456789abcdefULL + 0xfedcba987654321ULL);
    assert_true(a.state == b.state);
    ns_rng half = start;
    ns_rng_advance(&half, (uint64_t)1 << 63);
    assert_true(half.state != start.state);
}

/* mix64 is the splitmix64 finaliser: known values. */
static void test_mix64(void **state)
{
    (void)state;
    assert_true(ns_rng_mix64(0u) == 0u);
    /* splitmix64 with seed 0: first output is mix64(0x9e3779b97f4a7c15). */
    assert_true(ns_rng_mix64(0x9e3779b97f4a7c15ULL) == 0xe220a8397b1dcdafULL);
    assert_true(ns_rng_mix64(1u) != ns_rng_mix64(2u));
}

/* First uniform of a stream. */
static double first_uniform(uint64_t seed, uint64_t patient, uint32_t purpose,
                            uint64_t key)
{
    ns_rng r = ns_rng_for(seed, patient, purpose, key);
    return ns_rng_uniform(&r);
}

/* First 64 bits of a stream, as two u32 outputs. */
static uint64_t first_u64(uint64_t seed, uint64_t patient, uint32_t purpose,
                          uint64_t key)
{
    ns_rng r = ns_rng_for(seed, patient, purpose, key);
    uint64_t hi = ns_rng_u32(&r);
    return (hi << 32) | ns_rng_u32(&r);
}

/* qsort comparison for uint64_t. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* 3a. ns_rng_for is deterministic and separates patients, purposes, keys. */
static void test_for_distinct(void **state)
{
    (void)state;
    ns_rng a = ns_rng_for(2024u, 17u, NS_RNG_TEST, 3u);
    ns_rng b = ns_rng_for(2024u, 17u, NS_RNG_TEST, 3u);
    assert_true(a.state == b.state && a.inc == b.inc);
    assert_true(a.inc & 1u);

    uint32_t base = (uint32_t)(first_u64(2024u, 17u, NS_RNG_TEST, 3u) >> 32);
    assert_int_not_equal(base, (uint32_t)(first_u64(2025u, 17u, NS_RNG_TEST, 3u) >> 32));
    assert_int_not_equal(base, (uint32_t)(first_u64(2024u, 18u, NS_RNG_TEST, 3u) >> 32));
    assert_int_not_equal(base, (uint32_t)(first_u64(2024u, 17u, NS_RNG_PSA, 3u) >> 32));
    assert_int_not_equal(base, (uint32_t)(first_u64(2024u, 17u, NS_RNG_TEST, 4u) >> 32));

    enum { NP = 1000, NQ = 8, NK = 4 };
    static uint64_t v[NP * NQ * NK];
    size_t m = 0;
    for (uint64_t p = 0; p < NP; p++)
        for (uint32_t q = 1; q <= NQ; q++)
            for (uint64_t k = 0; k < NK; k++)
                v[m++] = first_u64(7u, p, q, k);
    qsort(v, m, sizeof v[0], cmp_u64);
    for (size_t i = 1; i < m; i++)
        assert_true(v[i] != v[i - 1]);
}

/* Fails if |correlation| reaches 4/sqrt(n). */
static void check_corr(const char *what, const corr_acc *c)
{
    double rho = corr_value(c), lim = 4.0 / sqrt(c->n);
    if (!(fabs(rho) < lim))
        fail_msg("%s: correlation %.5f, limit %.5f", what, rho, lim);
}

/* 3b. Neighbouring patients, purposes, keys and seeds look independent:
 * correlations below 4/sqrt(N), and a 10x10 chi-square on neighbour pairs. */
static void test_for_independence(void **state)
{
    (void)state;
    enum { N = 100000 };
    corr_acc pat = {0}, key = {0}, seed = {0}, pur[8][8];
    long pairs[100] = {0};
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            pur[i][j] = (corr_acc){0};
    double prev = first_uniform(99u, 0u, NS_RNG_HISTORY, 0u);
    for (uint64_t p = 0; p < N; p++) {
        double u[9];
        for (uint32_t q = 1; q <= 8; q++)
            u[q] = first_uniform(99u, p, q, 0u);
        for (int i = 1; i <= 8; i++)
            for (int j = i + 1; j <= 8; j++)
                corr_add(&pur[i - 1][j - 1], u[i], u[j]);
        double next = first_uniform(99u, p + 1, NS_RNG_HISTORY, 0u);
        corr_add(&pat, prev, next);
        pairs[(int)(prev * 10.0) * 10 + (int)(next * 10.0)]++;
        prev = next;
        corr_add(&key, first_uniform(99u, p, NS_RNG_TEST, 5u),
                 first_uniform(99u, p, NS_RNG_TEST, 6u));
        corr_add(&seed, u[NS_RNG_DEATH], first_uniform(100u, p, NS_RNG_DEATH, 0u));
    }
    check_corr("patient p vs p+1", &pat);
    check_corr("key 5 vs 6", &key);
    check_corr("seed 99 vs 100", &seed);
    for (int i = 0; i < 8; i++)
        for (int j = i + 1; j < 8; j++)
            check_corr("purpose pair", &pur[i][j]);
    double p01[100];
    for (int i = 0; i < 100; i++)
        p01[i] = 1.0;
    double chi = chi_square(pairs, p01, 100, N);
    if (!(chi < CHI2_99_P001))
        fail_msg("neighbour-patient pairs: chi-square %.2f", chi);
}

/* 4. Uniform: mean, variance, 100-bin chi-square; uniform_pos open at both
 * ends (checked on crafted states whose next output is 0 and 0xffffffff). */
static void test_uniform(void **state)
{
    (void)state;
    enum { N = 1000000 };
    ns_rng r;
    ns_rng_seed(&r, 1u, 2u);
    moments m = {0};
    long bins[100] = {0};
    for (int i = 0; i < N; i++) {
        double u = ns_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        mom_add(&m, u);
        bins[(int)(u * 100.0)]++;
    }
    check_moments("uniform", &m, 0.5, 1.0 / 12.0, -1.2);
    double p[100];
    for (int i = 0; i < 100; i++)
        p[i] = 1.0;
    double chi = chi_square(bins, p, 100, N);
    if (!(chi < CHI2_99_P001))
        fail_msg("uniform: chi-square %.2f over 100 bins", chi);

    for (int i = 0; i < N; i++) {
        double u = ns_rng_uniform_pos(&r);
        assert_true(u > 0.0 && u < 1.0);
    }
    ns_rng t0 = rng_min_outputs(), t1 = rng_max_outputs();
    assert_int_equal(ns_rng_u32(&t0), 0u);
    assert_int_equal(ns_rng_u32(&t0), 0u);
    assert_int_equal(ns_rng_u32(&t1), 0xffffffffu);
    assert_int_equal(ns_rng_u32(&t1), 0xffffffffu);
    t0 = rng_min_outputs();
    t1 = rng_max_outputs();
    assert_true(ns_rng_uniform_pos(&t0) > 0.0);
    assert_true(ns_rng_uniform_pos(&t1) < 1.0);
    t0 = rng_min_outputs();
    t1 = rng_max_outputs();
    assert_true(ns_rng_uniform(&t0) == 0.0);
    assert_true(ns_rng_uniform(&t1) == 1.0 - DBL_EPSILON / 2.0);
}

/* Fails unless x is finite and in [lo, hi]. */
static void check_in(const char *what, double x, double lo, double hi)
{
    if (!(isfinite(x) && x >= lo && x <= hi))
        fail_msg("%s at an extreme uniform: %.17g outside [%g, %g]", what, x, lo, hi);
}

/* Samplers stay finite and in range when the uniforms are at their extremes. */
static void test_extreme_uniforms(void **state)
{
    (void)state;
    static const double p[4] = {0.2, 0.8, 0.0, 0.0};
    static const double alpha[2] = {0.5, 2.0};
    for (int side = 0; side < 2; side++) {
        ns_rng r = side ? rng_max_outputs() : rng_min_outputs();
        ns_rng s = r;
        check_in("exponential", ns_rng_exponential(&s, 1.0), 0.0, 30.0);
        s = r;
        check_in("weibull", ns_rng_weibull(&s, 0.5, 1.0), 0.0, 1e3);
        s = r;
        check_in("truncexponential", ns_rng_truncexponential(&s, 2.0, INFINITY), 0.0, 30.0);
        s = r;
        check_in("truncnormal", ns_rng_truncnormal(&s, 0.0, 1.0, -INFINITY, INFINITY), -9.0, 9.0);
        s = r;
        check_in("truncnormal tail", ns_rng_truncnormal(&s, 0.0, 1.0, 5.0, INFINITY), 5.0, 12.0);
        s = r;
        check_in("normal", ns_rng_normal(&s, 0.0, 1.0), -10.0, 10.0);
        s = r;
        check_in("gamma", ns_rng_gamma(&s, 0.3, 1.0), 0.0, 100.0);
        s = r;
        check_in("beta", ns_rng_beta(&s, 0.3, 0.3), 0.0, 1.0);
        s = r;
        double out[2];
        ns_rng_dirichlet(&s, alpha, 2, out);
        check_in("dirichlet", out[0] + out[1], 1.0 - 1e-12, 1.0 + 1e-12);
        s = r;
        assert_int_equal(ns_rng_categorical(&s, p, 4), side ? 1 : 0);
    }
}

/* ---------- samplers ---------- */

/* One sampler with its parameters. */
typedef double (*draw_fn)(ns_rng *r, const double *prm);

/* Draws N_MOM values with a fixed seed, checks each lies in [lo, hi], and
 * checks mean and variance against the closed forms. */
static void check_sampler(const char *what, draw_fn f, const double *prm,
                          uint64_t seed, double lo, double hi, double mean,
                          double var, double exkurt)
{
    ns_rng r = ns_rng_for(seed, 0u, NS_RNG_PSA, 0u);
    moments m = {0};
    for (int i = 0; i < N_MOM; i++) {
        double x = f(&r, prm);
        if (!(x >= lo && x <= hi))
            fail_msg("%s: draw %.17g outside [%g, %g]", what, x, lo, hi);
        mom_add(&m, x);
    }
    check_moments(what, &m, mean, var, exkurt);
}

static double draw_exponential(ns_rng *r, const double *a) { return ns_rng_exponential(r, a[0]); }
static double draw_normal(ns_rng *r, const double *a) { return ns_rng_normal(r, a[0], a[1]); }
static double draw_lognormal(ns_rng *r, const double *a) { return ns_rng_lognormal(r, a[0], a[1]); }
static double draw_weibull(ns_rng *r, const double *a) { return ns_rng_weibull(r, a[0], a[1]); }
static double draw_gamma(ns_rng *r, const double *a) { return ns_rng_gamma(r, a[0], a[1]); }
static double draw_beta(ns_rng *r, const double *a) { return ns_rng_beta(r, a[0], a[1]); }
static double draw_truncnormal(ns_rng *r, const double *a) { return ns_rng_truncnormal(r, a[0], a[1], a[2], a[3]); }
static double draw_truncexp(ns_rng *r, const double *a) { return ns_rng_truncexponential(r, a[0], a[1]); }
static double draw_bernoulli(ns_rng *r, const double *a) { return ns_rng_bernoulli(r, a[0]); }

/* 5. Exponential, normal and lognormal moments. */
static void test_exp_normal_lognormal(void **state)
{
    (void)state;
    double e[1] = {2.0};
    check_sampler("exponential(2)", draw_exponential, e, 11u, 0.0, INFINITY,
                  0.5, 0.25, 6.0);
    double n[2] = {1.5, 2.0};
    check_sampler("normal(1.5, 2)", draw_normal, n, 12u, -INFINITY, INFINITY,
                  1.5, 4.0, 0.0);
    double mu = 0.3, s = 0.5, s2 = s * s;
    double l[2] = {mu, s};
    check_sampler("lognormal(0.3, 0.5)", draw_lognormal, l, 13u, 0.0, INFINITY,
                  exp(mu + 0.5 * s2), expm1(s2) * exp(2.0 * mu + s2),
                  exp(4 * s2) + 2 * exp(3 * s2) + 3 * exp(2 * s2) - 6.0);
}

/* Weibull raw moment E[X^n] = scale^n Gamma(1 + n/shape). */
static double weibull_raw(double k, double lam, int n)
{
    return pow(lam, n) * tgamma(1.0 + n / k);
}

/* 5. Weibull moments for shapes above and below 1. */
static void test_weibull(void **state)
{
    (void)state;
    static const double shapes[2][2] = {{1.5, 2.0}, {0.7, 3.0}};
    for (int i = 0; i < 2; i++) {
        double k = shapes[i][0], lam = shapes[i][1];
        double r1 = weibull_raw(k, lam, 1), r2 = weibull_raw(k, lam, 2);
        double r3 = weibull_raw(k, lam, 3), r4 = weibull_raw(k, lam, 4);
        check_sampler("weibull", draw_weibull, shapes[i], 20u + (uint64_t)i, 0.0,
                      INFINITY, r1, r2 - r1 * r1, exkurt_from_raw(r1, r2, r3, r4));
    }
}

/* 5. Gamma moments: shape 0.5 (boost), 3, 1 and a tiny 0.05. */
static void test_gamma(void **state)
{
    (void)state;
    static const double cases[4][2] = {{0.5, 2.0}, {3.0, 1.5}, {1.0, 0.25}, {0.05, 4.0}};
    for (int i = 0; i < 4; i++) {
        double k = cases[i][0], th = cases[i][1];
        check_sampler("gamma", draw_gamma, cases[i], 30u + (uint64_t)i, 0.0,
                      INFINITY, k * th, k * th * th, 6.0 / k);
    }
}

/* 5. Beta moments: both shapes >= 1, both < 1, and mixed. */
static void test_beta(void **state)
{
    (void)state;
    static const double cases[4][2] = {{2.0, 5.0}, {0.5, 0.5}, {0.3, 4.0}, {0.01, 0.02}};
    for (int i = 0; i < 4; i++) {
        double a = cases[i][0], b = cases[i][1], s = a + b;
        check_sampler("beta", draw_beta, cases[i], 40u + (uint64_t)i, 0.0, 1.0,
                      a / s, a * b / (s * s * (s + 1.0)), beta_exkurt(a, b));
    }
}

/* 5. Truncated normal moments: two-sided, right tails [3,4] and [9,9.5]
 * (where Phi(a) rounds to 1), left one-sided, right one-sided, a narrow
 * window; closed forms via phi/Phi. */
static void test_truncnormal(void **state)
{
    (void)state;
    static const double cases[6][4] = {{1.0, 2.0, 0.0, 4.0},
                                       {0.0, 1.0, 3.0, 4.0},
                                       {0.0, 1.0, 9.0, 9.5},
                                       {0.0, 1.0, -INFINITY, -2.0},
                                       {10.0, 3.0, 10.5, INFINITY},
                                       {5.0, 0.5, 4.9, 5.0}};
    for (int i = 0; i < 6; i++) {
        const double *c = cases[i];
        double m, v, k;
        truncnorm_moments((c[2] - c[0]) / c[1], (c[3] - c[0]) / c[1], &m, &v, &k);
        check_sampler("truncnormal", draw_truncnormal, c, 50u + (uint64_t)i, c[2],
                      c[3], c[0] + c[1] * m, c[1] * c[1] * v, k);
    }
}

/* 5. Truncated normal beyond 37 sd (Phi underflows): moments by quadrature. */
static void test_truncnormal_far_tail(void **state)
{
    (void)state;
    double m, v, k;
    quad_moments(far_tail_density, 40.0, 1.0, &m, &v, &k);
    double right[4] = {0.0, 1.0, 40.0, INFINITY};
    check_sampler("truncnormal [40, inf)", draw_truncnormal, right, 60u, 40.0,
                  INFINITY, 40.0 + m, v, k);
    quad_moments(far_tail_density, 45.0, 0.01, &m, &v, &k);
    double left[4] = {2.0, 1.0, 2.0 - 45.01, 2.0 - 45.0};
    check_sampler("truncnormal [-43.01, -43]", draw_truncnormal, left, 61u,
                  left[2], left[3], left[3] - m, v, k);
}

/* Mean of Exp(rate) restricted to [0, hi]: 1/rate - hi/(e^{rate hi} - 1). */
static double truncexp_mean(double rate, double hi)
{
    return 1.0 / rate - hi / expm1(rate * hi);
}

/* 5. Truncated exponential: mean closed form; variance and kurtosis by
 * quadrature; a near-zero rate (nearly uniform) and an infinite bound. */
static void test_truncexponential(void **state)
{
    (void)state;
    static const double cases[3][2] = {{0.7, 2.0}, {5.0, 0.1}, {1e-4, 5.0}};
    for (int i = 0; i < 3; i++) {
        double m, v, k;
        quad_moments(truncexp_density, cases[i][0], cases[i][1], &m, &v, &k);
        assert_true(fabs(m - truncexp_mean(cases[i][0], cases[i][1])) < 1e-9);
        check_sampler("truncexponential", draw_truncexp, cases[i], 70u + (uint64_t)i,
                      0.0, cases[i][1], truncexp_mean(cases[i][0], cases[i][1]), v, k);
    }
    double inf[2] = {3.0, INFINITY};
    check_sampler("truncexponential(3, inf)", draw_truncexp, inf, 73u, 0.0,
                  INFINITY, 1.0 / 3.0, 1.0 / 9.0, 6.0);
}

/* 5. Bernoulli moments, and p = 0 / p = 1 are certain. */
static void test_bernoulli(void **state)
{
    (void)state;
    double p = 0.3, q = 1.0 - p;
    double a[1] = {p};
    check_sampler("bernoulli(0.3)", draw_bernoulli, a, 80u, 0.0, 1.0, p, p * q,
                  (1.0 - 6.0 * p * q) / (p * q));
    ns_rng r = ns_rng_for(81u, 0u, NS_RNG_TEST, 0u);
    for (int i = 0; i < 100000; i++) {
        assert_int_equal(ns_rng_bernoulli(&r, 0.0), 0);
        assert_int_equal(ns_rng_bernoulli(&r, 1.0), 1);
    }
}

/* 5. Categorical: chi-square against p, zero-probability indices (including
 * trailing ones) never drawn, index mean and variance, n = 1. */
static void test_categorical(void **state)
{
    (void)state;
    static const double p[6] = {0.3, 0.0, 0.75, 0.15, 1.8, 0.0}; /* sum 3 */
    long count[6] = {0};
    moments m = {0};
    ns_rng r = ns_rng_for(90u, 0u, NS_RNG_PSA, 0u);
    for (int i = 0; i < N_MOM; i++) {
        int k = ns_rng_categorical(&r, p, 6);
        assert_true(k >= 0 && k < 6);
        count[k]++;
        mom_add(&m, k);
    }
    assert_int_equal(count[1], 0);
    assert_int_equal(count[5], 0);
    double chi = chi_square(count, p, 6, N_MOM);
    if (!(chi < CHI2_3_P001))
        fail_msg("categorical: chi-square %.2f, df 3", chi);
    double r1 = 0, r2 = 0, r3 = 0, r4 = 0;
    for (int i = 0; i < 6; i++) {
        double w = p[i] / 3.0;
        r1 += w * i;
        r2 += w * i * i;
        r3 += w * i * i * i;
        r4 += w * i * i * i * i;
    }
    check_moments("categorical index", &m, r1, r2 - r1 * r1,
                  exkurt_from_raw(r1, r2, r3, r4));
    static const double huge[3] = {DBL_MAX, DBL_MAX, 0.0}; /* sum overflows */
    for (int i = 0; i < 1000; i++)
        assert_true(ns_rng_categorical(&r, huge, 3) < 2);
    static const double one[1] = {2.5};
    static const double last[4] = {0.0, 0.0, 0.0, 1e-300};
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(ns_rng_categorical(&r, one, 1), 0);
        assert_int_equal(ns_rng_categorical(&r, last, 4), 3);
    }
}

/* Draws Dirichlet(alpha) N_MOM times; checks the simplex and each marginal
 * Beta(alpha_i, sum - alpha_i) mean and variance. */
static void check_dirichlet(const double *alpha, int n, uint64_t seed)
{
    moments m[4] = {{0}};
    double a0 = 0.0, x[4];
    for (int i = 0; i < n; i++)
        a0 += alpha[i];
    ns_rng r = ns_rng_for(seed, 0u, NS_RNG_PSA, 0u);
    for (int j = 0; j < N_MOM; j++) {
        ns_rng_dirichlet(&r, alpha, n, x);
        double s = 0.0;
        for (int i = 0; i < n; i++) {
            assert_true(x[i] >= 0.0 && x[i] <= 1.0);
            s += x[i];
            mom_add(&m[i], x[i]);
        }
        assert_true(fabs(s - 1.0) < 1e-12);
    }
    for (int i = 0; i < n; i++) {
        double a = alpha[i], b = a0 - a;
        check_moments("dirichlet marginal", &m[i], a / a0,
                      a * b / (a0 * a0 * (a0 + 1.0)), beta_exkurt(a, b));
    }
}

/* 5. Dirichlet with moderate and with tiny alphas (no 0/0). */
static void test_dirichlet(void **state)
{
    (void)state;
    static const double mid[3] = {0.5, 2.0, 3.5};
    static const double tiny[3] = {1e-3, 2e-3, 1e-3}; /* all gammas underflow often */
    check_dirichlet(mid, 3, 100u);
    check_dirichlet(tiny, 3, 101u);
}

/* Normal CDF for KS; prm = {mean, sd}. */
static double cdf_normal(double x, const double *prm)
{
    return Phi((x - prm[0]) / prm[1]);
}

/* Weibull CDF for KS; prm = {shape, scale}. */
static double cdf_weibull(double x, const double *prm)
{
    return -expm1(-pow(x / prm[1], prm[0]));
}

/* Truncated normal CDF for KS, N(0,1) on [prm[2], prm[3]] with 0 < lo. */
static double cdf_truncnormal_right(double x, const double *prm)
{
    double qa = Phi(-prm[2]), qb = Phi(-prm[3]);
    return (qa - Phi(-x)) / (qa - qb);
}

/* Fills ks_buf from a sampler and fails if the KS statistic reaches
 * KS_CRIT / sqrt(N_KS). */
static void check_ks(const char *what, draw_fn f, double (*cdf)(double, const double *),
                     const double *prm, uint64_t seed)
{
    ns_rng r = ns_rng_for(seed, 0u, NS_RNG_PSA, 0u);
    for (int i = 0; i < N_KS; i++)
        ks_buf[i] = f(&r, prm);
    double d = ks_stat(N_KS, cdf, prm), lim = KS_CRIT / sqrt((double)N_KS);
    if (!(d < lim))
        fail_msg("%s: KS statistic %.5f, limit %.5f", what, d, lim);
}

/* 5. Kolmogorov-Smirnov for normal, Weibull and a right-tail truncnormal. */
static void test_ks(void **state)
{
    (void)state;
    double n[2] = {-1.0, 0.5};
    check_ks("normal", draw_normal, cdf_normal, n, 200u);
    double w[2] = {1.5, 2.0};
    check_ks("weibull", draw_weibull, cdf_weibull, w, 201u);
    double t[4] = {0.0, 1.0, 3.0, 4.0};
    check_ks("truncnormal [3,4]", draw_truncnormal, cdf_truncnormal_right, t, 202u);
}

/* 6a. quantile(cdf(x)) == x within 1e-9 on [-8, 8]. For x > 0 the bound is
 * widened by the spacing of doubles near 1, which p = cdf(x) cannot resolve
 * (one ulp of p over phi(x): about 0.02 at x = 8, below 1e-9 up to x ~ 5.5),
 * and the upper tail is checked at the full 1e-9 through its complement. */
static void test_quantile_roundtrip(void **state)
{
    (void)state;
    for (int i = -8000; i <= 8000; i++) {
        double x = i * 0.001, p = ns_norm_cdf(x);
        double tol = 1e-9 + (nextafter(p, 2.0) - p) / phi(x);
        double err = fabs(ns_norm_quantile(p) - x);
        if (!(err <= tol))
            fail_msg("quantile(cdf(%g)) off by %.3g (tol %.3g)", x, err, tol);
        if (x < 0.0)
            continue;
        double q = ns_norm_cdf(-x); /* upper tail of x, exact in the lower tail */
        err = fabs(-ns_norm_quantile(q) - x);
        if (!(err <= 1e-9))
            fail_msg("-quantile(cdf(-%g)) off by %.3g", x, err);
    }
}

/* Fails unless |got - want| <= tol * max(1, |want|). */
static void check_close(const char *what, double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want))))
        fail_msg("%s: %.17g, expected %.17g", what, got, want);
}

/* 6b. Known values (from mpmath), symmetry, domain edges, and the implied
 * x error |cdf(quantile(p)) - p| / phi below 1e-12 from p = 1e-300 to 0.5. */
static void test_quantile_values(void **state)
{
    (void)state;
    check_close("cdf(1.96)", ns_norm_cdf(1.96), 0.97500210485177956, 1e-15);
    check_close("cdf(-1)", ns_norm_cdf(-1.0), 0.15865525393145705, 1e-15);
    assert_true(fabs(ns_norm_cdf(-8.0) / 6.2209605742717841e-16 - 1.0) < 1e-13);
    check_close("q(0.975)", ns_norm_quantile(0.975), 1.9599639845400542, 1e-13);
    check_close("q(0.025)", ns_norm_quantile(0.025), -1.9599639845400542, 1e-13);
    check_close("q(0.3)", ns_norm_quantile(0.3), -0.52440051270804078, 1e-13);
    check_close("q(1e-10)", ns_norm_quantile(1e-10), -6.3613409024040562, 1e-13);
    check_close("q(1e-20)", ns_norm_quantile(1e-20), -9.2623400897984076, 1e-13);
    check_close("q(1e-300)", ns_norm_quantile(1e-300), -37.047096299361199, 1e-13);
    assert_true(ns_norm_quantile(0.5) == 0.0);
    assert_true(isinf(ns_norm_quantile(0.0)) && ns_norm_quantile(0.0) < 0.0);
    assert_true(isinf(ns_norm_quantile(1.0)) && ns_norm_quantile(1.0) > 0.0);
    assert_true(isnan(ns_norm_quantile(-0.1)) && isnan(ns_norm_quantile(1.5)));
    for (double p = 0.5; p < 1.0; p += 0.0137) /* 1 - p is exact here */
        assert_true(ns_norm_quantile(p) == -ns_norm_quantile(1.0 - p));
    for (double lp = -300.0; lp <= log10(0.5); lp += 0.01) {
        double p = pow(10.0, lp), x = ns_norm_quantile(p);
        double err = fabs(ns_norm_cdf(x) - p) / phi(x);
        if (!(err < 1e-12))
            fail_msg("quantile(%.3g) = %.17g: implied error %.3g", p, x, err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcg32_reference),
        cmocka_unit_test(test_advance),
        cmocka_unit_test(test_mix64),
        cmocka_unit_test(test_for_distinct),
        cmocka_unit_test(test_for_independence),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_extreme_uniforms),
        cmocka_unit_test(test_exp_normal_lognormal),
        cmocka_unit_test(test_weibull),
        cmocka_unit_test(test_gamma),
        cmocka_unit_test(test_beta),
        cmocka_unit_test(test_truncnormal),
        cmocka_unit_test(test_truncnormal_far_tail),
        cmocka_unit_test(test_truncexponential),
        cmocka_unit_test(test_bernoulli),
        cmocka_unit_test(test_categorical),
        cmocka_unit_test(test_dirichlet),
        cmocka_unit_test(test_ks),
        cmocka_unit_test(test_quantile_roundtrip),
        cmocka_unit_test(test_quantile_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
