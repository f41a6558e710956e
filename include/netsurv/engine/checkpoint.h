/* Checkpoints of finished work: let a killed run resume (`run --resume`)
 * with only what is missing computed. A checkpoint holds items of up to
 * NS_CKPT_MAX_KINDS kinds (a run's work units, PSA draws and OWSA
 * settings; a sweep's points), each kind of one record size; every record
 * is on disk (flushed and synced) before put returns, with a checksum, so
 * a kill loses at most the item being written. */
#ifndef NETSURV_ENGINE_CHECKPOINT_H
#define NETSURV_ENGINE_CHECKPOINT_H

#include <stdint.h>
#include <stddef.h>

#include "netsurv/engine/engine.h"

typedef struct ns_checkpoint ns_checkpoint;

#define NS_CKPT_MAX_KINDS 3
/* Items 0 .. count[0] are of kind 0, the next count[1] of kind 1, ...;
 * each record of kind q has size[q] bytes; noun[q] names it in messages. */
typedef struct {
    int n;
    uint64_t count[NS_CKPT_MAX_KINDS];
    size_t size[NS_CKPT_MAX_KINDS];
    const char *noun[NS_CKPT_MAX_KINDS];
} ns_ckpt_kinds;
/* Checks a record read back (item i): 0 when it is sound, else the
 * checkpoint is damaged. */
typedef int (*ns_ckpt_check)(void *ctx, uint64_t i, const void *rec);

/* Opens the checkpoint at path for items of the given kinds: with resume,
 * reads the items already done (the file must carry the same fingerprint
 * and kinds, each record pass its checksum and check (NULL: none));
 * otherwise starts afresh. NULL with a message naming the path on error
 * (another run's checkpoint, a damaged one, one that cannot be written);
 * *refused (if not NULL) is then 1 for the first two: input to refuse, not a
 * failure of this run. */
ns_checkpoint *ns_checkpoint_open_kinds(const char *path, uint64_t fingerprint,
                                        const ns_ckpt_kinds *kinds, ns_ckpt_check check,
                                        void *check_ctx, int resume, int *refused, char *err,
                                        size_t errlen);
/* Item i's record if it is done, else NULL. */
const void *ns_checkpoint_get_item(const ns_checkpoint *c, uint64_t i);
/* Records item i (the size of its kind), on disk before returning; -1 with
 * errno on a write failure. */
int ns_checkpoint_put_item(ns_checkpoint *c, uint64_t i, const void *rec);

/* The sweep's checkpoint: one kind, a point's tallies. */

/* Opens the checkpoint at path: with resume, reads the points already done
 * (which must belong to the same fingerprint, pass their checksums and
 * count n_patients in each strategy's whole-cohort tally and in the sum of
 * its risk groups'); otherwise starts it afresh. A point has n_tallies
 * tallies (ns_tally_count), of n_strategies strategies. NULL
 * with a message on error (another run's checkpoint, a damaged one: then
 * *refused is 1, if not NULL). */
ns_checkpoint *ns_checkpoint_open(const char *path, uint64_t fingerprint, uint64_t n_points,
                                  int n_tallies, int n_strategies, uint64_t n_patients,
                                  int resume, int *refused, char *err, size_t errlen);
/* Point p's tallies if it is done (copied to t), else 0. */
int ns_checkpoint_get(const ns_checkpoint *c, uint64_t p, ns_strategy_tally *t);
/* Records point p as done, on disk (flushed and synced) before returning;
 * -1 with errno on a write failure. */
int ns_checkpoint_put(ns_checkpoint *c, uint64_t p, const ns_strategy_tally *t);
uint64_t ns_checkpoint_done(const ns_checkpoint *c);
/* Closes; removes the file when remove_file. */
void ns_checkpoint_close(ns_checkpoint *c, int remove_file);

#endif
