/* Helpers of tests/test_rng.c and tests/test_samplers.c: moments, closed forms and test statistics. */
#ifndef RNG_FIXTURES_H
#define RNG_FIXTURES_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "netsurv/numeric/rng.h"

#define N_KS 20000     /* draws per Kolmogorov-Smirnov check */
#define Z_MEAN 5.0     /* tolerance in standard errors */

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

#endif
