/* The checkpoint of finished sweep points: lets a killed sweep resume
 * (`run --resume`) with only what is missing computed. */
#ifndef NETSURV_ENGINE_CHECKPOINT_H
#define NETSURV_ENGINE_CHECKPOINT_H

#include <stdint.h>
#include <stddef.h>

#include "netsurv/engine/engine.h"

typedef struct ns_checkpoint ns_checkpoint;

/* Opens the checkpoint at path: with resume, reads the points already done
 * (which must belong to the same fingerprint, pass their checksums and
 * count n_patients in each strategy's whole-cohort tally and in the sum of
 * its risk groups'); otherwise starts it afresh. A point has n_tallies
 * tallies (ns_tally_count), of n_strategies strategies. NULL
 * with a message on error (another run's checkpoint, a damaged one). */
ns_checkpoint *ns_checkpoint_open(const char *path, uint64_t fingerprint, uint64_t n_points,
                                  int n_tallies, int n_strategies, uint64_t n_patients,
                                  int resume, char *err, size_t errlen);
/* Point p's tallies if it is done (copied to t), else 0. */
int ns_checkpoint_get(const ns_checkpoint *c, uint64_t p, ns_strategy_tally *t);
/* Records point p as done, on disk (flushed and synced) before returning;
 * -1 with errno on a write failure. */
int ns_checkpoint_put(ns_checkpoint *c, uint64_t p, const ns_strategy_tally *t);
uint64_t ns_checkpoint_done(const ns_checkpoint *c);
/* Closes; removes the file when remove_file. */
void ns_checkpoint_close(ns_checkpoint *c, int remove_file);

#endif
