/* Work over sweep points: the units every process, rank or shard shares
 * out, the checkpoint that lets a killed sweep resume, and the shard files
 * that `netsurv merge` joins. Work unit w is unit w % U of point w / U
 * (U = units per point); folding unit tallies in w order gives exactly the
 * tallies of a single run. */
#ifndef NETSURV_SWEEP_H
#define NETSURV_SWEEP_H

#include <stdint.h>
#include <stdio.h>

#include "netsurv/engine.h"
#include "netsurv/scenario.h"

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

/* ---- checkpoint of finished sweep points (for --resume) ---- */
typedef struct ns_checkpoint ns_checkpoint;

/* Opens the checkpoint at path: with resume, reads the points already done
 * (which must belong to the same fingerprint); otherwise starts it afresh.
 * NULL with a message on error. */
ns_checkpoint *ns_checkpoint_open(const char *path, uint64_t fingerprint, uint64_t n_points,
                                  int n_strategies, int resume, char *err, size_t errlen);
/* Point p's tallies if it is done (copied to t), else 0. */
int ns_checkpoint_get(const ns_checkpoint *c, uint64_t p, ns_strategy_tally *t);
/* Records point p as done, on disk (flushed and synced) before returning. */
int ns_checkpoint_put(ns_checkpoint *c, uint64_t p, const ns_strategy_tally *t);
uint64_t ns_checkpoint_done(const ns_checkpoint *c);
/* Closes; removes the file when remove_file. */
void ns_checkpoint_close(ns_checkpoint *c, int remove_file);

#endif
