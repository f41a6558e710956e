/* The progress bar (progress.c): a bar with rate and time left on stderr,
 * when stderr is a terminal and --quiet was not given. */
#ifndef NETSURV_CLI_PROGRESS_H
#define NETSURV_CLI_PROGRESS_H

#include <stdint.h>

typedef struct {
    double start;
    int tty;
    const char *what;           /* the phase shown */
    uint64_t patients_per_step; /* sweeps: patients per point, for the patients/s figure */
} ns_cli_progress_state;

void ns_cli_progress_init(ns_cli_progress_state *p, int quiet, uint64_t patients_per_point);
/* An ns_job_progress_fn (ctx: the state): done 0 starts a phase's clock. */
void ns_cli_progress(void *ctx, const char *phase, uint64_t done, uint64_t total);

#endif
