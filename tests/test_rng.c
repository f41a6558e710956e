/* Tests for netsurv/numeric/rng.h: PCG32 reference outputs, jump-ahead,
 * per-patient streams, and uniforms. Fixed seeds: every run draws the same
 * numbers. */
#include "rng_fixtures.h"
#define CHI2_99_P001 148.2303591651017 /* chi-square critical, df 99, p 0.001 */

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

/* The uniform of a 32-bit value u, as the strategy draws make it. */
static double u32_uniform(uint64_t u)
{
    return ((double)u + 0.5) * (1.0 / 4294967296.0);
}

/* ns_rng_u32_below(p) splits the 32-bit values exactly where the uniform
 * made from them crosses p: at the threshold and either side of it, for
 * random probabilities, probabilities on the grid of the uniforms and just
 * off it, and the ends 0 and 1. */
static void test_u32_below(void **state)
{
    (void)state;
    ns_rng r;
    ns_rng_seed(&r, 11, 12);
    for (int i = 0; i < 300000; i++) {
        double p;
        switch (i % 6) {
        case 0: p = ns_rng_uniform(&r); break;
        case 1: p = u32_uniform(ns_rng_u32(&r)); break;             /* on the grid */
        case 2: p = nextafter(u32_uniform(ns_rng_u32(&r)), 0); break; /* just below it */
        case 3: p = nextafter(u32_uniform(ns_rng_u32(&r)), 1); break; /* just above it */
        case 4: p = ldexp(ns_rng_uniform(&r), -(int)(ns_rng_u32(&r) % 40)); break; /* small */
        default: p = i % 12 < 6 ? 0.0 : 1.0; break;
        }
        uint64_t k = ns_rng_u32_below(p);
        assert_true(k <= (uint64_t)1 << 32);
        uint64_t probe[5] = {k, k - 1, k + 1, ns_rng_u32(&r), 0};
        for (int j = 0; j < 5; j++) {
            uint64_t u = probe[j];
            if (u >= (uint64_t)1 << 32)
                continue;
            if ((u32_uniform(u) < p) != (u < k))
                fail_msg("p = %.17g: u = %llu is %s p as a uniform, threshold %llu", p,
                         (unsigned long long)u, u32_uniform(u) < p ? "below" : "not below",
                         (unsigned long long)k);
        }
    }
    assert_true(ns_rng_u32_below(0) == 0 && ns_rng_u32_below(1) == (uint64_t)1 << 32);
    assert_true(ns_rng_u32_below(NAN) == 0);
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
        cmocka_unit_test(test_u32_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
