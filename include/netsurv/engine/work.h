/* Work over sweep points: the units every process, rank or shard shares
 * out, and the fingerprint that tells whether two runs compute the same.
 * Work unit w is unit w % U of point w / U (U = units per point); folding
 * unit tallies in w order gives exactly the tallies of a single run. */
#ifndef NETSURV_ENGINE_WORK_H
#define NETSURV_ENGINE_WORK_H

#include <stdint.h>
#include <stdio.h>

#include "netsurv/engine/engine.h"
#include "netsurv/scenario/scenario.h"

/* Total work units of a run of n patients per point. */
uint64_t ns_work_total(const ns_scenario *base, uint64_t n);

/* Share k of N of `total` units: contiguous, sizes differ by at most one. */
void ns_work_share(uint64_t total, int k, int N, uint64_t *w0, uint64_t *nw);

/* Runs units [w0, w0 + nw) into units[(w - w0) * S + k], loading each sweep
 * point's scenario. Returns 0, or -1 with messages in *errs (or none when the
 * engine failed or was stopped). */
int ns_work_run(const ns_scenario *base, const ns_engine_opts *o, uint64_t w0, uint64_t nw,
                ns_strategy_tally *units, ns_errors *errs);

/* A fingerprint of what a run computes: netsurv version and revision, tally
 * layout, scenario text, sweep text, overrides, seed and patients. */
uint64_t ns_run_fingerprint(const ns_scenario *base, uint64_t seed, uint64_t n);

#endif
