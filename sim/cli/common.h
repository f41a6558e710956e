/* What the commands share (common.c); not part of the library. */
#ifndef NETSURV_CLI_COMMON_H
#define NETSURV_CLI_COMMON_H

#include "options.h"
#include "netsurv/scenario/scenario.h"

/* Loads o->scenario with o's overrides, printing every problem; NULL on error. */
ns_scenario *ns_cli_load(const options *o);
/* Parses the options and loads the scenario they name: 0 with *s, or the
 * exit status (2) with the problems printed. */
int ns_cli_start(int argc, char **argv, options *o, ns_scenario **s);
/* Monotonic seconds. */
double ns_cli_now(void);
/* The command line as one string, for provenance (malloc'ed; NULL when out
 * of memory). */
char *ns_cli_join_args(int argc, char **argv);
/* On SIGINT, SIGTERM, SIGHUP and SIGQUIT: remove the output being written
 * (output/atomic.h) and exit 128 + signal. */
void ns_cli_guard_output(void);
/* Peak resident memory of this process image (VmHWM, KiB), or -1. */
long ns_cli_peak_rss_kib(void);
/* Each warning of e on stderr ("FILE:LINE:COLUMN: path: ... (warning)"). */
void ns_cli_print_warnings(const ns_errors *e);
/* `netsurv bench --optimize` (cmd_optimize.c): the default search timed on
 * 1 thread and on every core. Returns the exit status. */
int ns_cli_bench_optimize(const options *o);
/* Each message of e on stderr after prefix. */
void ns_cli_print_errors(const char *prefix, const ns_errors *e);

#endif
