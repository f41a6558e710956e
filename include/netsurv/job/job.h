/* A job: everything one `netsurv run` or `netsurv merge` computes and
 * writes, as library code. A run (single process), one shard of a run, the
 * merge of shards, or a run over MPI ranks; a sweep is run point by point
 * with a checkpoint so that --resume computes only what is missing; PSA and
 * OWSA follow the base case on the same patients. Output files appear whole
 * or not at all (output/atomic.h). Nothing here prints: problems come back
 * in an ns_errors, progress and finished sweep points through callbacks. */
#ifndef NETSURV_JOB_JOB_H
#define NETSURV_JOB_JOB_H

#include <stdint.h>

#include "netsurv/engine/engine.h"
#include "netsurv/engine/psa.h"
#include "netsurv/output/shard.h"
#include "netsurv/scenario/scenario.h"

/* Status values, the same as the command line's exit codes. */
enum { NS_JOB_OK = 0, NS_JOB_FAILED = 1, NS_JOB_BAD_INPUT = 2 };

/* Told of progress in a phase ("patients", "PSA", "OWSA", "sweep"): done of total
 * (patients, draws, parameters or points). */
typedef void (*ns_job_progress_fn)(void *ctx, const char *phase, uint64_t done, uint64_t total);
/* Told when sweep point p is done: its scenario, tallies and the index of the
 * strategy with the highest net monetary benefit there. */
typedef void (*ns_job_point_fn)(void *ctx, uint64_t p, const ns_scenario *pt,
                                const ns_strategy_tally *t, int best);
/* Told things worth saying that are not errors ("resuming: ..."). */
typedef void (*ns_job_note_fn)(void *ctx, const char *message);

typedef struct {
    const char *output;         /* the file to write */
    int force;                  /* replace it if it exists */
    const char *command_line;   /* for provenance */
    uint64_t seed, n;           /* seed, patients (per sweep point) */
    int threads;                /* 0: OpenMP's default */
    int per_patient, psa, owsa, resume;
    int quiet;                  /* no notes of what the value of information took or missed */
    int voi;                    /* with psa: /voi (EVPPI) */
    const ns_posterior *posterior; /* --posterior: PSA draws from a calibration (or NULL) */
    int shard_k, shard_n;       /* shard k of n (0-based; n 0: not a shard) */
    volatile sig_atomic_t *stop;/* set by a signal handler to stop between waves */
    ns_job_progress_fn progress;
    ns_job_point_fn point_done;
    ns_job_note_fn note;
    void *ctx;                  /* for the three callbacks */
} ns_job;

/* Checks that the options of j go together for s (a sweep has no
 * per-patient rows, PSA or OWSA; a shard no per-patient rows; resume
 * needs a sweep, a shard, PSA or OWSA; OWSA needs parameters with a
 * range). NS_JOB_OK, or
 * NS_JOB_BAD_INPUT with the problem in *e. */
int ns_job_check(const ns_scenario *s, const ns_job *j, ns_errors *e);

/* Claims j->output (ns_atomic_begin: its lock, held until the output is
 * written or the process ends): NS_JOB_OK; NS_JOB_BAD_INPUT when it exists
 * without force or another run is writing it; NS_JOB_FAILED (with the
 * operating system's reason) when its directory cannot be written. */
int ns_job_claim(const ns_job *j, ns_errors *e);

/* Runs s as j says in this process (after ns_job_claim) and writes the
 * output. Without a sweep, t[0..S), cost[] and effect[] get the base case's
 * tallies and mean discounted cost and QALYs per strategy. */
int ns_job_run(const ns_scenario *s, const ns_job *j, ns_strategy_tally *t, double *cost,
               double *effect, ns_errors *e);

/* Mean discounted cost and QALYs of every strategy from its tally. */
void ns_job_cost_effect(const ns_scenario *s, const ns_strategy_tally *t, double *cost,
                        double *effect);

/* The work of a run, as items every process, shard or rank shares out:
 * base-case work units (sweep points x units of 65,536 patients), PSA
 * draws and OWSA parameters; which of them a shard or rank holds (each
 * kind shared out contiguously, sizes differing by at most one). */
typedef struct {
    uint64_t unit_first, unit_count, total_units;
    uint64_t draw_first, draw_count, total_draws;
    uint64_t setting_first, setting_count, total_settings;
} ns_job_units;

/* `run --shard K/N`: this shard's work units, PSA draws and OWSA
 * parameters into a shard file (after ns_job_claim); *u says which. Each
 * finished item is kept in a checkpoint beside the output, so a shard
 * killed at its walltime and run again with --resume computes only what is
 * missing. */
int ns_job_shard(const ns_scenario *s, const ns_job *j, ns_job_units *u, ns_errors *e);

/* What a merge found. */
typedef struct {
    uint64_t n_points, n_patients;
} ns_job_merged;

/* `merge`: reads the n shard files, checks they are all the shards of one
 * run by this build, and writes into j->output (j->force, j->command_line)
 * the file the single run would have written. */
int ns_job_merge(const ns_job *j, char *const *shards, int n, ns_job_merged *m, ns_errors *e);

/* ---- MPI (mpi.c; without an MPI build: one rank, and these do nothing) ---- */
void ns_job_mpi_begin(int *argc, char ***argv);
void ns_job_mpi_end(void);
int ns_job_mpi_rank(void);
int ns_job_mpi_size(void);
/* On every rank (`mpirun -np K netsurv run`): each rank runs its contiguous
 * share of the work units; rank 0 folds them in unit order and writes the
 * file, identical to a single process's. s may be NULL on a rank that could
 * not load it: every rank then returns NS_JOB_BAD_INPUT. Rank 0 claims the
 * output. All ranks return the same status. */
int ns_job_run_mpi(const ns_scenario *s, const ns_job *j, ns_errors *e);
/* The ranks of this MPI run for the engine's shared work (calibration
 * candidates, optimisation passes); NULL with one rank. */
const ns_ranks *ns_job_mpi_ranks(void);
/* The largest of every rank's rc, on every rank (rc itself with one rank). */
int ns_job_mpi_agree(int rc);

/* ---- shards that run together (exchange.c) ---- */
/* `calibrate --shard K/N` and `optimize --shard K/N`: the shards' ranks
 * exchange through files in DIR/.NAME.netsurv-exchange beside the output
 * NAME (every shard is given the same output; shard 1 writes it). Shard k
 * (0-based) of n; fingerprint: of everything the run computes; resume:
 * replay the exchanges recorded by an earlier run of these shards; wait_s:
 * how long to wait for another shard's share before failing. One shard
 * (n 1) makes the files a checkpoint. NULL with the reason in err. */
typedef struct ns_job_exchange ns_job_exchange;
ns_job_exchange *ns_job_exchange_open(const char *output, int k, int n, uint64_t fingerprint,
                                      int resume, double wait_s, char *err, size_t errlen);
/* `mpirun ... optimize --resume`: the ranks inner (MPI; NULL: one
 * process) with every exchange's whole result recorded in this rank's own
 * files beside output (give each rank its own name), replayed on resume
 * when every rank holds the record. */
ns_job_exchange *ns_job_exchange_recorder(const char *output, const ns_ranks *inner,
                                          uint64_t fingerprint, int resume, char *err,
                                          size_t errlen);
const ns_ranks *ns_job_exchange_ranks(ns_job_exchange *x);
/* Why the last exchange failed. */
const char *ns_job_exchange_error(const ns_job_exchange *x);
/* Exchanges replayed from the files so far; the directory of the files. */
uint64_t ns_job_exchange_replayed(const ns_job_exchange *x);
const char *ns_job_exchange_dir(const ns_job_exchange *x);
/* After the last exchange: marks this shard done; shard 1 waits for every
 * shard's mark and removes the files. 0, or -1 with the reason in err. */
int ns_job_exchange_finish(ns_job_exchange *x, char *err, size_t errlen);
void ns_job_exchange_close(ns_job_exchange *x);

#endif
