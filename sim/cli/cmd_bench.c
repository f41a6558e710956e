/* `netsurv bench`: the performance figures of issues 2 and 3, measured here.
 *
 * 1. patient generation: patients drawn per second, 1 and 2 threads (and all
 *    cores when there are more);
 * 2. every strategy on every patient, summary output only: patient-strategy
 *    evaluations per second, beside the floor kernel's (bench_floor.c) on
 *    the same patients, the two measured alternately (floor, netsurv, three
 *    times, best of each) so that the machine's noise hits both alike;
 * 3. the same with per-patient HDF5 output to a temporary file;
 * 4. with --memory: peak resident memory of `netsurv run` child processes for
 *    100,000 and 10,000,000 patients, summary and per-patient;
 * 5. with --psa K: the time of K PSA draws of 100,000 patients each (-n sets
 *    the patients per draw when given), on 1 and 2 threads. */
#define _DEFAULT_SOURCE /* wait4 */
#include "bench_floor.h"
#include "commands.h"
#include "common.h"
#include "netsurv/engine/cohort.h"
#include "netsurv/engine/engine.h"
#include "netsurv/output/h5out.h"
#include "netsurv/engine/psa.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Thread counts to measure: 1, 2, and all cores when there are more. */
static int thread_counts(int *counts)
{
    int nc = 0;
    counts[nc++] = 1;
    counts[nc++] = 2;
#ifdef _OPENMP
    if (omp_get_num_procs() > 2)
        counts[nc++] = omp_get_num_procs();
#endif
    return nc;
}

static double bench_cohort(const ns_scenario *s, uint64_t n, int threads)
{
    ns_cohort_tally t;
    double t0 = ns_cli_now();
    ns_cohort_run(s, s->seed, n, threads, &t);
    return ns_cli_now() - t0;
}

/* One engine run; per_patient writes to a temporary file that is removed. */
static double bench_engine(const ns_scenario *s, uint64_t n, int threads, int per_patient)
{
    ns_strategy_tally *t = calloc((size_t)ns_tally_count(s), sizeof *t);
    char path[256], err[256];
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(path, sizeof path, "%s/netsurv-bench-%ld.h5", dir, (long)getpid());
    unlink(path);
    ns_run_info info = {s->seed, n, "netsurv bench"};
    ns_h5 *h = per_patient ? ns_h5_create(path, s, &info, 1, err, sizeof err) : NULL;
    if (h)
        ns_h5_set_threads(h, threads);
    double dt = NAN;
    if (t && (!per_patient || h)) {
        ns_engine_opts eo = {.seed = s->seed, .n = n, .threads = threads,
                             .fill = h ? ns_h5_fill_rows : NULL,
                             .flush = h ? ns_h5_flush_rows : NULL, .sink_ctx = h};
        double t0 = ns_cli_now();
        int rc = ns_engine_run(s, &eo, t);
        if (h)
            rc |= ns_h5_write_summary(h, t) | ns_h5_close(h);
        dt = rc ? NAN : ns_cli_now() - t0;
    } else if (per_patient)
        fprintf(stderr, "netsurv bench: %s\n", err);
    unlink(path);
    free(t);
    return dt;
}

/* Best of `reps` timings of one configuration. */
static double best_of(int reps, const ns_scenario *s, uint64_t n, int threads, int kind)
{
    double best = INFINITY;
    for (int r = 0; r < reps; r++) {
        double dt = kind == 0 ? bench_cohort(s, n, threads) : bench_engine(s, n, threads, kind == 2);
        if (isnan(dt))
            return NAN;
        best = dt < best ? dt : best;
    }
    return best;
}

static volatile double floor_sink;

/* Summary output and the floor kernel on n patients, alternately, `reps`
 * times: the best seconds of netsurv (*dt) and the floor's best rate. */
static double alternate_with_floor(int reps, const ns_scenario *s, uint64_t n, int threads,
                                   double *dt)
{
    double floor_rate = 0, check = 0;
    *dt = INFINITY;
    for (int r = 0; r < reps; r++) {
        double f = ns_cli_bench_floor(n, threads, &check);
        floor_rate = f > floor_rate ? f : floor_rate;
        double t = bench_engine(s, n, threads, 0);
        if (isnan(t)) {
            *dt = NAN;
            break;
        }
        *dt = t < *dt ? t : *dt;
    }
    floor_sink = check; /* what the floor computed is kept, so it is computed */
    return floor_rate;
}

/* Peak resident memory (KiB) of `netsurv run` on n patients in a child, as
 * the child reports it (VmHWM of its own image: a parent's pages never count). */
static long child_peak_kib(const options *o, uint64_t n, int per_patient)
{
    char nbuf[32], out[256], cmd[1200];
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(nbuf, sizeof nbuf, "%llu", (unsigned long long)n);
    snprintf(out, sizeof out, "%s/netsurv-bench-mem-%ld.h5", dir, (long)getpid());
    snprintf(cmd, sizeof cmd, "/proc/%ld/exe run '%s' -n %s -o '%s' --force --quiet%s "
             "--peak-memory 2>&1 >/dev/null", (long)getpid(), o->scenario, nbuf, out,
             per_patient ? " --per-patient" : "");
    fflush(stdout);
    FILE *p = popen(cmd, "r");
    char line[256];
    long kib = -1;
    while (p && fgets(line, sizeof line, p))
        sscanf(line, "peak resident memory: %ld KiB", &kib);
    if (!p || pclose(p) != 0)
        kib = -1;
    unlink(out);
    return kib;
}

static void bench_memory(const options *o)
{
    printf("\npeak memory of `netsurv run` (child processes)\n%-12s %12s %12s %8s\n", "output",
           "100,000", "10,000,000", "ratio");
    for (int pp = 0; pp < 2; pp++) {
        long small = child_peak_kib(o, 100000, pp), big = child_peak_kib(o, 10000000, pp);
        printf("%-12s %9ld KiB %9ld KiB %8.2f\n", pp ? "per-patient" : "summary", small, big,
               small > 0 ? (double)big / (double)small : NAN);
    }
}

/* K PSA draws of n patients each, every strategy, on 1 and 2 threads. */
static void bench_psa(const ns_scenario *s, int K, uint64_t n, const int *counts)
{
    int S = s->n_strategies, P = ns_psa_count(s);
    double *v = malloc(sizeof *v * (size_t)K * (size_t)(2 * S + P));
    printf("\n5. probabilistic sensitivity analysis: %d draws x %llu patients x %d strategies"
           " (%d parameters drawn)\n%8s %10s %18s\n",
           K, (unsigned long long)n, S, P, "threads", "seconds", "evaluations/s");
    for (int c = 0; c < 2 && v; c++) {
        ns_engine_opts eo = {.seed = s->seed, .n = n, .threads = counts[c]};
        double t0 = ns_cli_now();
        int rc = ns_psa_run(s, &eo, K, v + (size_t)K * P, v + (size_t)K * (P + S), v, NULL, NULL);
        double dt = ns_cli_now() - t0;
        if (rc)
            printf("%8d %10s\n", counts[c], "failed");
        else
            printf("%8d %10.1f %18.0f\n", counts[c], dt, (double)K * (double)n * S / dt);
    }
    free(v);
}

static int bench(const options *o);

int ns_cmd_bench(int argc, char **argv)
{
    options o;
    int rc = ns_cli_parse(argc, argv, &o);
    return rc ? rc : o.optimize ? ns_cli_bench_optimize(&o) : bench(&o);
}

static int bench(const options *o)
{
    ns_scenario *s = ns_cli_load(o);
    if (!s)
        return 2;
    uint64_t n = o->n_given ? o->n : 20000000, m = n / 10 > 0 ? n / 10 : 1;
    int counts[3], nc = thread_counts(counts), S = s->n_strategies;
    printf("netsurv bench (%s): %s, %d strategies\n", NETSURV_VERSION, s->name, S);
    printf("\n1. patient generation, %llu patients, best of 3\n%8s %10s %16s\n",
           (unsigned long long)n, "threads", "seconds", "patients/s");
    for (int c = 0; c < nc; c++) {
        double dt = best_of(3, s, n, counts[c], 0);
        printf("%8d %10.3f %16.0f\n", counts[c], dt, (double)n / dt);
    }
    double summary[3] = {0};
    for (int kind = 1; kind <= 2; kind++) {
        printf("\n%d. every strategy, %s, %llu patients x %d strategies, best of 3%s\n"
               "%8s %10s %18s%s\n",
               kind + 1, kind == 1 ? "summary output"
                         : o->compression ? "per-patient HDF5 output (deflate level "
                                            "--compression, 1 unless given)"
                                          : "per-patient HDF5 output, stored (--compression 0)",
               (unsigned long long)m, S, kind == 1 ? ", alternately with the floor kernel "
               "(9 strategies x up to 20 visits, no model)" : "", "threads", "seconds",
               "evaluations/s", kind == 2 ? "   of summary" : "   floor evaluations/s  of floor");
        for (int c = 0; c < nc; c++) {
            double dt, floor_rate = 0;
            if (kind == 1)
                floor_rate = alternate_with_floor(3, s, m, counts[c], &dt);
            else
                dt = best_of(3, s, m, counts[c], kind);
            double rate = (double)m * S / dt;
            if (kind == 1)
                summary[c] = rate;
            if (kind == 1)
                printf("%8d %10.3f %18.0f %21.0f %9.3f\n", counts[c], dt, rate, floor_rate,
                       rate / floor_rate);
            else
                printf("%8d %10.3f %18.0f %12.2f\n", counts[c], dt, rate, rate / summary[c]);
        }
    }
    if (o->memory)
        bench_memory(o);
    if (o->psa)
        bench_psa(s, o->psa, o->n_given ? o->n : 100000, counts);
    ns_scenario_free(s);
    return 0;
}
