/* What the files of the job stage share; internal. */
#ifndef NETSURV_JOB_RUN_H
#define NETSURV_JOB_RUN_H

#include "netsurv/job/job.h"
#include "netsurv/output/h5out.h"

/* ---- results.c: rows and files from tallies ---- */

/* Point p's rows (summary and economics) from its tallies t. 0 or -1. */
int ns__job_write_point(ns_h5 *h, uint64_t p, const ns_scenario *ps, const ns_strategy_tally *t);
/* Writes the results of every point (tallies P x S, P = 1 without a sweep)
 * into h, as a run would. 0 or -1. */
int ns__job_write_results(ns_h5 *h, const ns_scenario *s, const ns_strategy_tally *all,
                          ns_errors *e);
/* ---- parts.c: the items of a run, as shards and ranks run them ---- */

/* Share k of N of every kind of item of s run as j says. */
void ns__job_plan(const ns_scenario *s, const ns_job *j, int k, int N, ns_job_units *u);
/* Hash of a posterior's points and weights (0 for none; never 0 otherwise). */
uint64_t ns__job_posterior_hash(const ns_posterior *post);
/* What the run computes and which share of it (for checkpoints). */
uint64_t ns__job_fingerprint(const ns_scenario *s, const ns_job *j);

/* The results of some items: units[unit_count * T] tallies, psa[draw_count
 * * ns_psa_row_len] and owsa[setting_count * 4S] rows. */
typedef struct {
    ns_job_units u;
    ns_strategy_tally *units;
    double *psa, *owsa;
} ns__job_part;
int ns__job_part_alloc(const ns_scenario *s, const ns_job_units *u, ns__job_part *p,
                       ns_errors *e);
void ns__job_part_free(ns__job_part *p);

/* Runs the part's items of s as j says. With checkpoint, each finished
 * item is kept in the checkpoint beside j->output (taken from it on
 * j->resume); the file stays until ns__job_checkpoint_done. With report,
 * j->progress is told of PSA draws and OWSA parameters. 0 or -1. */
int ns__job_compute(const ns_scenario *s, const ns_job *j, ns__job_part *p, int checkpoint,
                    int report, ns_errors *e);
void ns__job_checkpoint_path(const char *out, char *buf, size_t len);
void ns__job_checkpoint_done(const ns_job *j);

/* What a run's file says of its uncertainty: K PSA draws' rows (of n
 * patients each; voi: with /voi; posterior: drawn from it, or NULL) and Q
 * OWSA parameters' rows (K, Q 0: none). */
typedef struct {
    int K, Q, voi;
    uint64_t n;
    const double *psa_rows, *owsa_rows;
    const ns_posterior *posterior;
    uint64_t seed; /* the run's: the EVSI's studies draw their patients from it */
    int threads;   /* for the EVSI's study simulation (0: OpenMP's default) */
    ns_job_note_fn note; /* told how long the EVPPI and each EVSI took (NULL: not told) */
    void *ctx;
} ns__job_uncertainty;
/* /psa, /psa_by_group, /voi and /owsa from the rows. 0 or -1. */
int ns__job_write_uncertainty(ns_h5 *h, const ns_scenario *s, const ns__job_uncertainty *x);
/* The tallies of every point (*pts[P * T], malloc'ed) folded from the unit
 * tallies of every point (in unit order) of runs of n patients. 0 or -1. */
int ns__job_fold_points(const ns_scenario *s, uint64_t n, const ns_strategy_tally *units,
                        ns_strategy_tally **pts, ns_errors *e);
/* The results from the units of every point and x into the open file h.
 * 0 or -1. */
int ns__job_write_units(ns_h5 *h, const ns_scenario *s, const ns_strategy_tally *units,
                        const ns__job_uncertainty *x, ns_errors *e);
/* The whole results file from the tallies of every point (pts[P * T],
 * folded in unit order) and the uncertainty rows (merge, MPI): created at
 * the claimed temporary path, written, renamed; the same file one process
 * writes. A status. */
int ns__job_write_whole(const ns_scenario *s, const ns_run_info *info,
                        const ns_strategy_tally *pts, const ns__job_uncertainty *x,
                        ns_errors *e);
/* Renames the temporary file into place when rc is 0; otherwise removes it.
 * A status: NS_JOB_OK, or NS_JOB_FAILED with the message in *e (e NULL:
 * no message). */
int ns__job_finish(int rc, ns_errors *e);

/* /voi after the PSA of u (u->K draws): values [K, P], cost and effect
 * [K, S], and with risk groups their means pg. 0 or -1. */
int ns__job_evppi(ns_h5 *h, const ns_scenario *s, const ns__job_uncertainty *u,
                  const double *x, const double *cost, const double *effect,
                  const ns_psa_groups *pg);

/* Risk group r's decision over the K draws as a cost and effect series
 * [K * S] each (c, e) from the groups' means pg: per patient of the group,
 * or (contribution) weighted by the group's share of the cohort in each
 * draw, so that the groups' contributions add up to the cohort's. */
void ns__job_group_series(const ns_psa_groups *pg, int K, int G, int S, int r, int contribution,
                          double *c, double *e);

/* /voi/evsi after /voi: the EVSI of every study of s's studies: section
 * (PSA draws' cost and effect [K, S], risk groups' means pg or NULL), the
 * studies simulated for each draw of x (its seed, posterior and threads).
 * Does nothing and returns 0 when s has no studies. 0 or -1. */
int ns__job_evsi(ns_h5 *h, const ns_scenario *s, const ns__job_uncertainty *x,
                 const double *cost, const double *effect, const ns_psa_groups *pg);

#endif
