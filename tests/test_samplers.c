/* Tests for the samplers of netsurv/numeric/rng.h and the quantiles of
 * netsurv/numeric/dist.h against closed-form moments, chi-square and
 * Kolmogorov-Smirnov bounds. Fixed seeds: every run draws the same numbers. */
#include "rng_fixtures.h"

static double ks_buf[N_KS];

#define N_MOM 200000   /* draws per moment check */
#define CHI2_3_P001 16.26623619623813  /* df 3 */
#define KS_CRIT 1.63   /* times 1/sqrt(n): Kolmogorov-Smirnov at p ~ 0.01 */
#define SQRT_2PI 2.50662827463100050242

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
