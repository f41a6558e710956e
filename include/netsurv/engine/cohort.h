/* The cohort summary of `netsurv cohort`: patients by reported group,
 * metastasis rates with 95 % intervals, timing, and the scenario's targets. */
#ifndef NETSURV_COHORT_H
#define NETSURV_COHORT_H

#include <stdint.h>
#include <stdio.h>

#include "netsurv/scenario/scenario.h"

typedef struct {
    uint64_t n, n_met, n_sync, n_met_after5, n_met_after10, n_met_dead_before;
} ns_group_tally;

typedef struct {
    uint64_t n;
    ns_group_tally g[NS_NGROUPS];
} ns_cohort_tally;

typedef struct {
    double value;     /* the simulated statistic */
    int ok;           /* within [lo, hi] */
} ns_target_result;

/* Draws patients [0, n) with `seed` on `threads` OpenMP threads (0: the
 * default) and tallies them. The result does not depend on threads. */
void ns_cohort_run(const ns_scenario *s, uint64_t seed, uint64_t n, int threads,
                   ns_cohort_tally *out);

/* Wilson score 95 % interval for k successes of n. */
void ns_wilson(uint64_t k, uint64_t n, double *lo, double *hi);

/* Value of target t on tally c, and whether it is inside its range. */
ns_target_result ns_cohort_target(const ns_scenario *s, const ns_cohort_tally *c, int t);

/* Prints the group table and the targets, as text or CSV. Returns the
 * number of targets missed. */
int ns_cohort_print(FILE *f, const ns_scenario *s, const ns_cohort_tally *c, int csv);

#endif
