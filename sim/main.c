/* The netsurv command line. Only this file prints errors and picks exit codes:
 * 0 success, 1 a run failed (or a target was missed where asked), 2 bad input. */
#include "netsurv/cohort.h"
#include "netsurv/history.h"
#include "netsurv/scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define MAX_SETS 256

typedef struct {
    const char *scenario;
    const char *sets[MAX_SETS];
    int n_sets;
    uint64_t n;
    int n_given;
    uint64_t seed;
    int seed_given;
    int threads;
    int csv;
    int strict;
} options;

static void usage(FILE *f)
{
    fputs("usage:\n"
          "  netsurv cohort [SCENARIO] [-n N] [--seed S] [--threads T] [--set k=v]... [--csv] [--strict]\n"
          "  netsurv validate SCENARIO [--set k=v]...\n"
          "  netsurv bench [SCENARIO] [-n N]\n"
          "  netsurv --version\n"
          "SCENARIO defaults to " NETSURV_DEFAULT_SCENARIO "\n",
          f);
}

/* Parses a whole non-negative number; returns -1 if it is not one. */
static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    double d = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == 'e' || *end == 'E' || *end == '.') { /* 1e6 */
        d = strtod(s, &end);
        if (*end || d < 0 || d != floor(d) || d > 1.8e19)
            return -1;
        v = (unsigned long long)d;
    }
    if (*end)
        return -1;
    *out = v;
    return 0;
}

/* Fills o from argv[2..]; prints the problem and returns 2 on bad usage. */
static int parse_options(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->n = 1000000;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t x;
        if (!strcmp(a, "-n") || !strcmp(a, "--patients")) {
            if (parse_u64(v, &o->n) || o->n == 0) {
                fprintf(stderr, "netsurv: %s needs a positive whole number\n", a);
                return 2;
            }
            o->n_given = 1;
            i++;
        } else if (!strcmp(a, "--seed")) {
            if (parse_u64(v, &o->seed)) {
                fprintf(stderr, "netsurv: --seed needs a non-negative whole number\n");
                return 2;
            }
            o->seed_given = 1;
            i++;
        } else if (!strcmp(a, "--threads")) {
            if (parse_u64(v, &x) || x == 0 || x > 4096) {
                fprintf(stderr, "netsurv: --threads needs a whole number from 1 to 4096\n");
                return 2;
            }
            o->threads = (int)x;
            i++;
        } else if (!strcmp(a, "--set")) {
            if (!v || o->n_sets >= MAX_SETS) {
                fprintf(stderr, "netsurv: --set needs path.to.key=value\n");
                return 2;
            }
            o->sets[o->n_sets++] = v;
            i++;
        } else if (!strcmp(a, "--csv")) {
            o->csv = 1;
        } else if (!strcmp(a, "--strict")) {
            o->strict = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "netsurv: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            fprintf(stderr, "netsurv: unexpected argument '%s'\n", a);
            return 2;
        }
    }
    if (!o->scenario)
        o->scenario = NETSURV_DEFAULT_SCENARIO;
    return 0;
}

/* Loads o->scenario with o's overrides, printing every problem. */
static ns_scenario *load(const options *o)
{
    ns_scenario *s;
    ns_errors *e = malloc(sizeof *e);
    if (!e) {
        fprintf(stderr, "netsurv: out of memory\n");
        return NULL;
    }
    if (ns_scenario_load(o->scenario, o->sets, o->n_sets, &s, e)) {
        for (int i = 0; i < e->n; i++)
            fprintf(stderr, "%s\n", e->msg[i]);
        s = NULL;
    }
    free(e);
    return s;
}

static int cmd_validate(const options *o)
{
    ns_scenario *s = load(o);
    if (!s)
        return 2;
    printf("ok\n");
    ns_scenario_free(s);
    return 0;
}

static int cmd_cohort(const options *o)
{
    ns_scenario *s = load(o);
    if (!s)
        return 2;
    uint64_t seed = o->seed_given ? o->seed : s->seed;
    ns_cohort_tally t;
    ns_cohort_run(s, seed, o->n, o->threads, &t);
    if (!o->csv)
        printf("netsurv %s cohort: %s\n%llu patients, seed %llu\n\n", NETSURV_VERSION, s->name,
               (unsigned long long)o->n, (unsigned long long)seed);
    int missed = ns_cohort_print(stdout, s, &t, o->csv);
    ns_scenario_free(s);
    return o->strict && missed ? 1 : 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Patients drawn per second on 1 and 2 threads (and all, when more). */
static int cmd_bench(const options *o)
{
    ns_scenario *s = load(o);
    if (!s)
        return 2;
    uint64_t n = o->n_given ? o->n : 20000000;
    int counts[3] = {1, 2, 0}, nc = 2;
#ifdef _OPENMP
    if (omp_get_num_procs() > 2)
        counts[nc++] = omp_get_num_procs();
#endif
    printf("netsurv bench: patient generation, %llu patients per run, best of 3\n",
           (unsigned long long)n);
    printf("%8s %12s %16s\n", "threads", "seconds", "patients/s");
    ns_cohort_tally t;
    for (int c = 0; c < nc; c++) {
        double best = INFINITY;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = now();
            ns_cohort_run(s, s->seed, n, counts[c], &t);
            double dt = now() - t0;
            best = dt < best ? dt : best;
        }
        printf("%8d %12.3f %16.0f\n", counts[c], best, (double)n / best);
    }
    printf("checksum: %llu metastases\n", (unsigned long long)t.g[NS_GRP_ALL].n_met);
    ns_scenario_free(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version")) {
        printf("netsurv %s (git %s)\n", NETSURV_VERSION, NETSURV_GIT_REVISION);
        return 0;
    }
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc;
    if (!strcmp(cmd, "validate"))
        return cmd_validate(&o);
    if (!strcmp(cmd, "cohort"))
        return cmd_cohort(&o);
    if (!strcmp(cmd, "bench"))
        return cmd_bench(&o);
    fprintf(stderr, "netsurv: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
