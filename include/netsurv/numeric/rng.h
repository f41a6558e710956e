/* PCG32 random numbers (O'Neill 2014), per-patient streams, and samplers.
 *
 * Every random draw in netsurv comes from an ns_rng derived from
 * (scenario seed, patient index, purpose) by ns_rng_for(), never from a
 * thread or rank, so a patient's draws are the same on any machine layout.
 * All functions are pure apart from advancing the generator passed in; none
 * allocate. */
#ifndef NETSURV_RNG_H
#define NETSURV_RNG_H

#include <stdint.h>

typedef struct ns_rng {
    uint64_t state;
    uint64_t inc; /* always odd */
} ns_rng;

/* Purposes: each gets its own stream per patient so that common random
 * numbers hold across strategies (MODEL.md section 5). */
enum ns_rng_purpose {
    NS_RNG_PATIENT = 1,   /* attributes at resection */
    NS_RNG_HISTORY = 2,   /* hidden disease: metastasis, residual, timing */
    NS_RNG_DEATH = 3,     /* other-cause death */
    NS_RNG_INCIDENTAL = 4,/* imaging done for other reasons */
    NS_RNG_ADHERENCE = 5, /* attending a visit */
    NS_RNG_TEST = 6,      /* test outcomes: keyed further by visit and modality */
    NS_RNG_TREATMENT = 7, /* additional treatment at time 0 */
    NS_RNG_PSA = 8        /* parameter draws */
};

/* Next 32 random bits (reference pcg32_random_r). */
static inline uint32_t ns_rng_u32(ns_rng *r)
{
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

/* Seed as pcg32_srandom_r(initstate, initseq) in the reference C code. */
static inline void ns_rng_seed(ns_rng *r, uint64_t initstate, uint64_t initseq)
{
    r->state = 0u;
    r->inc = (initseq << 1u) | 1u;
    (void)ns_rng_u32(r);
    r->state += initstate;
    (void)ns_rng_u32(r);
}

/* Jump the generator ahead by delta steps in O(log delta) (pcg32_advance_r). */
void ns_rng_advance(ns_rng *r, uint64_t delta);

/* Bijective 64-bit avalanche hash (splitmix64 finaliser). */
static inline uint64_t ns_rng_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* The stream for (seed, patient index, purpose, key): key separates draws of
 * one purpose, e.g. a test at one visit time with one modality. Pure and
 * inline, so calls for one patient share the patient hash. Changing any one
 * of patient, purpose or key changes the hash input y (each step is a
 * bijection in that field); initseq is hashed from y beside initstate, not
 * after it, to keep the dependency chain at three mix64s. */
static inline ns_rng ns_rng_for(uint64_t seed, uint64_t patient, uint32_t purpose, uint64_t key)
{
    uint64_t h1 = ns_rng_mix64(seed ^ ns_rng_mix64(patient + 0x9e3779b97f4a7c15ULL));
    uint64_t pk = ns_rng_mix64((key + 0xd1b54a32d192ed03ULL) ^
                               ((uint64_t)purpose * 0xdb4f0b9175ae2165ULL));
    uint64_t y = h1 ^ pk;
    ns_rng r;
    ns_rng_seed(&r, ns_rng_mix64(y), ns_rng_mix64(y ^ 0x632be59bd9b4e019ULL));
    return r;
}

/* Uniform double in [0, 1) with 53 random bits (two u32 draws). */
static inline double ns_rng_uniform(ns_rng *r)
{
    uint64_t hi = ns_rng_u32(r) >> 5, lo = ns_rng_u32(r) >> 6;
    return ((double)hi * 67108864.0 + (double)lo) * (1.0 / 9007199254740992.0);
}

/* Uniform double in (0, 1): never 0, safe for log(). */
static inline double ns_rng_uniform_pos(ns_rng *r)
{
    return ((double)(ns_rng_u32(r) >> 0) + 0.5) * (1.0 / 4294967296.0);
}

/* The number of 32-bit values u with (u + 0.5) / 2^32 < p: a uniform made
 * from u as ns_rng_uniform_pos does is below p exactly when u is below this
 * threshold, so a probability fixed in advance is compared as an integer.
 * p * 2^32 - 0.5 is exact for p in [0, 1], so the two compares agree for
 * every u (0 for p <= 2^-33 or NaN, 2^32 for p >= 1). */
static inline uint64_t ns_rng_u32_below(double p)
{
    double a = p * 4294967296.0 - 0.5;
    if (!(a > 0))
        return 0;
    if (a >= 4294967296.0)
        return (uint64_t)1 << 32;
    uint64_t k = (uint64_t)a; /* ceil(a) */
    return (double)k < a ? k + 1 : k;
}

/* Bernoulli(p): 1 with probability p. One u32 draw. */
static inline int ns_rng_bernoulli(ns_rng *r, double p)
{
    return ((double)ns_rng_u32(r) + 0.5) * (1.0 / 4294967296.0) < p;
}

double ns_rng_exponential(ns_rng *r, double rate);            /* mean 1/rate */
double ns_rng_normal(ns_rng *r, double mean, double sd);
double ns_rng_lognormal(ns_rng *r, double mu, double sigma);  /* log-scale mu, sigma */
double ns_rng_weibull(ns_rng *r, double shape, double scale);
double ns_rng_gamma(ns_rng *r, double shape, double scale);   /* Marsaglia-Tsang */
double ns_rng_beta(ns_rng *r, double a, double b);
/* Index i with probability p[i] / sum(p); n >= 1, p[i] >= 0, sum > 0. */
int ns_rng_categorical(ns_rng *r, const double *p, int n);
/* Normal restricted to [lo, hi] (lo < hi); exact, by inversion of the CDF. */
double ns_rng_truncnormal(ns_rng *r, double mean, double sd, double lo, double hi);
/* Exponential restricted to [0, hi]; exact, by inversion. */
double ns_rng_truncexponential(ns_rng *r, double rate, double hi);
/* Dirichlet(alpha[0..n-1]) into out[0..n-1]. */
void ns_rng_dirichlet(ns_rng *r, const double *alpha, int n, double *out);

/* Standard normal CDF and its inverse (Acklam with one Halley step,
 * |error| < 1e-12), shared with the statistics code. */
double ns_norm_cdf(double x);
double ns_norm_quantile(double p);

#endif
