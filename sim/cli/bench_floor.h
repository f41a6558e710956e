/* The floor kernel of `netsurv bench` (bench_floor.c). */
#ifndef NETSURV_CLI_BENCH_FLOOR_H
#define NETSURV_CLI_BENCH_FLOOR_H

#include <stdint.h>

/* Runs the floor kernel on n patients with `threads` threads (0: OpenMP's
 * default): its patient-strategy evaluations per second (9 strategies);
 * *checksum (if not NULL) gets what it computed, so that nothing is
 * optimised away. */
double ns_cli_bench_floor(uint64_t n, int threads, double *checksum);

#endif
