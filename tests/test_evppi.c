/* Regression EVPPI (engine/evppi.c) against closed forms: a linear-normal
 * model where EVPPI is analytic, a parameter that affects nothing (zero
 * within its standard error), all parameters together (the EVPI), never
 * above the EVPI; the standard error against the spread of the estimate
 * over independent PSA samples. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "netsurv/engine/econ.h"
#include "netsurv/engine/evppi.h"
#include "netsurv/numeric/rng.h"

#define K 4000
#define P 3

/* Two strategies: 0 costs and gains nothing; 1 gains mu + b1 x1 + b2 x2
 * QALYs (x ~ N(0, 1) each) at no cost; x3 affects nothing. */
static const double MU = 0.1, B1 = 0.4, B2 = 0.2;

static void draws(double *x, double *cost, double *effect)
{
    ns_rng r = ns_rng_for(11, 0, NS_RNG_PSA, 0);
    for (int k = 0; k < K; k++) {
        for (int j = 0; j < P; j++)
            x[k * P + j] = ns_rng_normal(&r, 0, 1);
        cost[2 * k] = cost[2 * k + 1] = 0;
        effect[2 * k] = 0;
        effect[2 * k + 1] = MU + B1 * x[k * P] + B2 * x[k * P + 1];
    }
}

/* E[max(0, mu + s Z)] - max(0, mu) for Z ~ N(0, 1). */
static double closed(double s)
{
    double z = MU / s;
    double phi = exp(-z * z / 2) / 2.5066282746310002, Phi = 0.5 * erfc(-z / sqrt(2));
    return s * phi + MU * Phi - (MU > 0 ? MU : 0);
}

static void test_linear_normal(void **state)
{
    (void)state;
    static double x[K * P], cost[K * 2], effect[K * 2];
    draws(x, cost, effect);
    double wtp[1] = {1}, v, se, ceac[2], evpi;
    int ceaf;
    ns_econ_psa(cost, effect, K, 2, wtp, 1, ceac, &ceaf, &evpi);
    /* x1 alone: s = B1; x2 alone: s = B2; both: the EVPI */
    struct { int cols[2], p; double want; const char *what; } c[] = {
        {{0}, 1, closed(B1), "x1"}, {{1}, 1, closed(B2), "x2"},
        {{0, 1}, 2, closed(sqrt(B1 * B1 + B2 * B2)), "x1 and x2"}};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ns_evppi(x, K, P, c[i].cols, c[i].p, cost, effect, 2, wtp, 1, 5, &v, &se), 0);
        printf("    EVPPI of %s: %.5f (se %.5f), closed form %.5f, EVPI %.5f\n", c[i].what, v, se,
               c[i].want, evpi);
        /* the closed form is the population value; the draws' own mean moves it by about
         * 0.5 / sqrt(K) of its scale */
        if (!(fabs(v - c[i].want) < 0.1 * c[i].want + 3 * se))
            fail_msg("EVPPI of %s %.5f, closed form %.5f", c[i].what, v, c[i].want);
        if (!(v <= evpi + 1e-12))
            fail_msg("EVPPI of %s %.5f above the EVPI %.5f", c[i].what, v, evpi);
    }
    /* x1 and x2 explain everything: the EVPPI is the EVPI of these draws */
    int both[2] = {0, 1};
    ns_evppi(x, K, P, both, 2, cost, effect, 2, wtp, 1, 5, &v, &se);
    if (!(fabs(v - evpi) < 0.02 * evpi))
        fail_msg("EVPPI of all parameters %.6f, EVPI %.6f", v, evpi);
}

static void test_irrelevant_parameter(void **state)
{
    (void)state;
    static double x[K * P], cost[K * 2], effect[K * 2];
    draws(x, cost, effect);
    double wtp[3] = {0.5, 1, 2}, v[3], se[3];
    int c3[1] = {2};
    assert_int_equal(ns_evppi(x, K, P, c3, 1, cost, effect, 2, wtp, 3, 5, v, se), 0);
    for (int w = 0; w < 3; w++) {
        printf("    EVPPI of x3 at wtp %g: %.6f (se %.6f)\n", wtp[w], v[w], se[w]);
        if (!(v[w] <= 3 * se[w] + 1e-4 * closed(B1)))
            fail_msg("EVPPI of a parameter that affects nothing: %.6f (se %.6f)", v[w], se[w]);
    }
    /* a parameter fixed in every draw: refused, nothing to regress on */
    for (int k = 0; k < K; k++)
        x[k * P + 2] = 1;
    assert_int_equal(ns_evppi(x, K, P, c3, 1, cost, effect, 2, wtp, 3, 5, v, se), -1);
}

static void test_same_for_same_seed(void **state)
{
    (void)state;
    static double x[K * P], cost[K * 2], effect[K * 2];
    draws(x, cost, effect);
    double wtp[1] = {1}, a, sa, b, sb;
    int c1[1] = {0};
    ns_evppi(x, K, P, c1, 1, cost, effect, 2, wtp, 1, 5, &a, &sa);
    ns_evppi(x, K, P, c1, 1, cost, effect, 2, wtp, 1, 5, &b, &sb);
    assert_true(a == b && sa == sb);
}

/* The reported standard error against the spread of the estimate over R
 * independent samples of 1,000 draws each (the effect with noise that no
 * parameter explains, as a real PSA has): the two agree within a factor of
 * 1.5 (the spread's own relative error at R = 40 is about 11%). */
static void test_standard_error(void **state)
{
    (void)state;
    enum { KS = 1000, R = 40 };
    static double x[KS * P], cost[KS * 2], effect[KS * 2];
    double sum = 0, sum2 = 0, se_sum = 0;
    for (int r = 0; r < R; r++) {
        ns_rng g = ns_rng_for(100 + (uint64_t)r, 0, NS_RNG_PSA, 0);
        for (int k = 0; k < KS; k++) {
            for (int j = 0; j < P; j++)
                x[k * P + j] = ns_rng_normal(&g, 0, 1);
            cost[2 * k] = cost[2 * k + 1] = effect[2 * k] = 0;
            effect[2 * k + 1] = MU + B1 * x[k * P] + B2 * x[k * P + 1] + 0.5 * ns_rng_normal(&g, 0, 1);
        }
        int c1[1] = {0};
        double wtp[1] = {1}, v, se;
        assert_int_equal(ns_evppi(x, KS, P, c1, 1, cost, effect, 2, wtp, 1, 5, &v, &se), 0);
        sum += v, sum2 += v * v, se_sum += se;
    }
    double mean = sum / R, sd = sqrt((sum2 - R * mean * mean) / (R - 1)), se = se_sum / R;
    printf("    EVPPI of x1 over %d samples of %d draws: mean %.5f, spread (sd) %.5f, mean "
           "reported SE %.5f\n", R, KS, mean, sd, se);
    if (!(se > sd / 1.5 && se < sd * 1.5))
        fail_msg("reported SE %.5f, spread of the estimate %.5f", se, sd);
}

/* What every strategy shares in a draw (here a large effect common to both,
 * as the cohort's QALYs under every schedule) changes neither the EVPPI nor
 * its standard error: only differences between strategies decide. */
static void test_common_term(void **state)
{
    (void)state;
    static double x[K * P], cost[K * 2], effect[K * 2], shifted[K * 2];
    draws(x, cost, effect);
    ns_rng g = ns_rng_for(12, 0, NS_RNG_PSA, 0);
    for (int k = 0; k < K; k++) {
        double common = 5 * ns_rng_normal(&g, 0, 1);
        shifted[2 * k] = effect[2 * k] + common, shifted[2 * k + 1] = effect[2 * k + 1] + common;
    }
    int c1[1] = {0};
    double wtp[1] = {1}, a, sa, b, sb;
    assert_int_equal(ns_evppi(x, K, P, c1, 1, cost, effect, 2, wtp, 1, 5, &a, &sa), 0);
    assert_int_equal(ns_evppi(x, K, P, c1, 1, cost, shifted, 2, wtp, 1, 5, &b, &sb), 0);
    printf("    EVPPI of x1: %.6f (se %.6f); with a common term of sd 5: %.6f (se %.6f)\n", a, sa,
           b, sb);
    if (!(fabs(a - b) < 1e-6 * a && fabs(sa - sb) < 1e-3 * sa))
        fail_msg("a term common to all strategies moved the EVPPI %.6f -> %.6f, SE %.6f -> %.6f",
                 a, b, sa, sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_normal),
        cmocka_unit_test(test_standard_error),
        cmocka_unit_test(test_common_term),
        cmocka_unit_test(test_irrelevant_parameter),
        cmocka_unit_test(test_same_for_same_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
