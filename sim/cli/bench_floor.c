/* The floor kernel of `netsurv bench` (issue 15): the yardstick for the
 * inner loop on this machine, a patient x strategy kernel with no model in
 * it. Per patient: 12 draws of a PCG32 generator and 4 transcendental
 * calls (a lognormal size, a logistic risk, a Weibull onset, a Weibull
 * death) and 5 more draws; then for each of 9 strategies, on a stream of
 * its own, up to 20 visits of one draw each, stopping at detection or
 * death. It records nothing but a checksum. netsurv does more per
 * patient-strategy than this, so its rate over this kernel's is the share
 * of the machine's speed it reaches. The same work as the project's
 * yardstick (bench/floor.c of its shared material), written here so that
 * the benchmark can run it alternately with netsurv in one process. */
#include "bench_floor.h"
#include "common.h"

#include <math.h>
#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define FLOOR_STRATEGIES 9
#define FLOOR_VISITS 20

typedef struct {
    uint64_t state, inc;
} floor_rng;

static inline uint32_t floor_next(floor_rng *r)
{
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xs = (uint32_t)(((old >> 18u) ^ old) >> 27u), rot = (uint32_t)(old >> 59u);
    return (xs >> rot) | (xs << ((-rot) & 31u));
}

/* Uniform on (0, 1) from 24 bits. */
static inline double floor_unif(floor_rng *r)
{
    return (double)(floor_next(r) >> 8) * 0x1.0p-24 + 0x1.0p-25;
}

static inline uint64_t floor_mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void floor_seed(floor_rng *r, uint64_t stream, uint64_t key)
{
    r->state = 0;
    r->inc = (floor_mix(key) << 1) | 1u;
    floor_next(r);
    r->state += floor_mix(stream);
    floor_next(r);
}

/* One patient: its draws, then every strategy's visits; a checksum. */
static inline double floor_patient(uint64_t i)
{
    floor_rng p;
    floor_seed(&p, 7, i);
    double u1 = floor_unif(&p), u2 = floor_unif(&p);
    double size = exp(1.8 + 0.5 * sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2));
    double lp = -4 + 0.2 * size + (floor_unif(&p) < 0.1) * 2 + (floor_unif(&p) < 0.2) * 1.5;
    int met = floor_unif(&p) < 1 / (1 + exp(-lp));
    double onset = met ? 6 * pow(-log(floor_unif(&p)), 0.7) : 1e9;
    double death = 30 * pow(-log(floor_unif(&p)), 0.3);
    double sum = 0;
    for (int k = 0; k < 5; k++)
        sum += floor_unif(&p) * 1e-9;
    for (int s = 0; s < FLOOR_STRATEGIES; s++) {
        double every = 0.5 + 0.25 * s, cost = 0, found = 1e9;
        floor_rng q;
        floor_seed(&q, 8, i);
        for (int v = 1; v <= FLOOR_VISITS; v++) {
            double tv = v * every;
            if (tv > death)
                break;
            double u = floor_unif(&q);
            cost += 300;
            if (tv > onset && u < 0.8) {
                found = tv;
                break;
            }
        }
        sum += cost * 1e-12 + (found < 1e9) * 1e-9;
    }
    return sum;
}

double ns_cli_bench_floor(uint64_t n, int threads, double *checksum)
{
    double sum = 0, t0 = ns_cli_now();
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads > 0 ? threads : omp_get_max_threads()) \
    reduction(+ : sum) schedule(static, 4096)
#endif
    for (int64_t i = 0; i < (int64_t)n; i++)
        sum += floor_patient((uint64_t)i);
    double dt = ns_cli_now() - t0;
    if (checksum)
        *checksum = sum;
    return dt > 0 ? (double)n * FLOOR_STRATEGIES / dt : 0;
}
