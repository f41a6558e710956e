/* What the commands share: loading the scenario with messages, the clock,
 * the command line for provenance, signals, memory. */
#include "common.h"
#include "netsurv/output/atomic.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Loads o->scenario with o's overrides, printing every problem. */
ns_scenario *ns_cli_load(const options *o)
{
    ns_scenario *s;
    ns_errors *e = calloc(1, sizeof *e);
    if (!e) {
        fprintf(stderr, "netsurv: out of memory\n");
        return NULL;
    }
    int rc = ns_scenario_load_with_sweep(o->scenario, o->sweep, o->sets, o->n_sets, &s, e);
    ns_cli_print_warnings(e);
    if (rc) {
        for (int i = 0; i < e->n; i++)
            fprintf(stderr, "%s\n", e->msg[i]);
        s = NULL;
    }
    free(e);
    return s;
}

double ns_cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The command line as one string, for provenance. */
char *ns_cli_join_args(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        strcat(s, argv[i]);
        if (i + 1 < argc)
            strcat(s, " ");
    }
    return s;
}

/* SIGINT/SIGTERM/SIGHUP: remove the partial file and exit at once
 * (unlink and _exit are async-signal-safe). */
static void on_signal(int sig)
{
    ns_atomic_abandon();
    _exit(128 + sig);
}

void ns_cli_guard_output(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
}

/* Peak resident memory of this process image (VmHWM, KiB), or -1. */
long ns_cli_peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

int ns_cli_start(int argc, char **argv, options *o, ns_scenario **s)
{
    *s = NULL;
    int rc = ns_cli_parse(argc, argv, o);
    if (!rc && !(*s = ns_cli_load(o)))
        rc = 2;
    return rc;
}

void ns_cli_print_errors(const char *prefix, const ns_errors *e)
{
    for (int i = 0; i < e->n; i++)
        fprintf(stderr, "%s%s\n", prefix, e->msg[i]);
}

void ns_cli_print_warnings(const ns_errors *e)
{
    for (int i = 0; i < e->n_warnings; i++)
        fprintf(stderr, "%s (warning)\n", e->warning[i]);
}
