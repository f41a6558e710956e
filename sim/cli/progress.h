/* Progress of long commands on stderr (progress.c).
 *
 * On a terminal: one line, redrawn in place (phase, points or patients,
 * patients per second, time left). Results printed while it runs go
 * through ns_cli_progress_print, which clears the line first and redraws
 * it after, so a result never shares a line with it.
 * Off a terminal (a Slurm log): a line every NETSURV_PROGRESS_INTERVAL
 * seconds (default 20), from a heartbeat thread, so that a log shows the
 * run alive even while a phase reports nothing (a shard, a long sweep
 * point), and a line when a phase ends.
 * --quiet: nothing. */
#ifndef NETSURV_CLI_PROGRESS_H
#define NETSURV_CLI_PROGRESS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int thread_on, stopping, ended;
    int tty, log;               /* where it goes (neither: quiet) */
    double interval;            /* seconds between lines off a terminal */
    double start, phase_start, last_draw;
    const char *label;          /* "netsurv run" */
    const char *what;           /* the phase shown */
    uint64_t done, total;
    uint64_t patients_per_step; /* sweeps: patients per point, for the patients/s figure */
    int drawn;                  /* the terminal line is showing */
    char line[256];
} ns_cli_progress_state;

/* Sets p up for `label` (quiet: silent); off a terminal starts the
 * heartbeat. End with ns_cli_progress_end. */
void ns_cli_progress_init(ns_cli_progress_state *p, const char *label, int quiet,
                          uint64_t patients_per_point);
/* An ns_job_progress_fn (ctx: the state): done 0 starts a phase. */
void ns_cli_progress(void *ctx, const char *phase, uint64_t done, uint64_t total);
/* printf to f (stdout: a result) with the terminal line cleared first and
 * redrawn after. */
void ns_cli_progress_print(ns_cli_progress_state *p, FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Stops the heartbeat and clears the terminal line (once; later calls do
 * nothing). */
void ns_cli_progress_end(ns_cli_progress_state *p);

#endif
