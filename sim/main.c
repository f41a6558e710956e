/* The netsurv command line. Only this file prints errors and picks exit codes:
 * 0 success, 1 a run failed (or a target was missed where asked), 2 bad input. */
#include "netsurv/cohort.h"
#include "netsurv/engine.h"
#include "netsurv/econ.h"
#include "netsurv/h5out.h"
#include "netsurv/psa.h"
#include "netsurv/sweep.h"
#include "netsurv/history.h"
#include "netsurv/scenario.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#ifdef NETSURV_MPI
#include <mpi.h>
#endif
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli.h"


static void usage(FILE *f)
{
    fputs("usage:\n"
          "  netsurv bench [SCENARIO] [-n N] [--memory] [--psa K]\n"
          "  netsurv cohort [SCENARIO] [-n N] [--seed S] [--threads T] [--set k=v]... [--csv] [--strict]\n"
          "  netsurv run [SCENARIO] -o FILE [-n N] [--seed S] [--threads T] [--set k=v]...\n"
          "              [--per-patient] [--psa K] [--owsa] [--force] [--quiet]\n"
          "              [--sweep FILE] [--resume] [--shard K/N] [--peak-memory]\n"
          "  netsurv merge OUT.h5 SHARD.h5... [--force]\n"
          "  netsurv validate SCENARIO [--sweep FILE] [--set k=v]...\n"

          "  netsurv --version\n"
          "SCENARIO defaults to " NETSURV_DEFAULT_SCENARIO "\n"
          "  (or, where that is gone, the installed " NETSURV_INSTALLED_SCENARIO ")\n",
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
    o->argc = argc;
    o->argv = argv;
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
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!v || !*v) {
                fprintf(stderr, "netsurv: %s needs a file name\n", a);
                return 2;
            }
            o->output = v;
            i++;
        } else if (!strcmp(a, "--force")) {
            o->force = 1;
        } else if (!strcmp(a, "--per-patient")) {
            o->per_patient = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--psa")) {
            if (parse_u64(v, &x) || x == 0 || x > 1000000) {
                fprintf(stderr, "netsurv: --psa needs a number of draws from 1 to 1000000\n");
                return 2;
            }
            o->psa = (int)x;
            i++;
        } else if (!strcmp(a, "--owsa")) {
            o->owsa = 1;
        } else if (!strcmp(a, "--peak-memory")) {
            o->peak_memory = 1;
        } else if (!strcmp(a, "--resume")) {
            o->resume = 1;
        } else if (!strcmp(a, "--sweep")) {
            if (!v) {
                fprintf(stderr, "netsurv: --sweep needs a file\n");
                return 2;
            }
            o->sweep = v;
            i++;
        } else if (!strcmp(a, "--shard")) {
            int k, n, used = 0;
            if (!v || sscanf(v, "%d/%d%n", &k, &n, &used) != 2 || v[used] || n < 1 || k < 1 ||
                k > n) {
                fprintf(stderr, "netsurv: --shard needs K/N with 1 <= K <= N\n");
                return 2;
            }
            o->shard_k = k - 1;
            o->shard_n = n;
            i++;
        } else if (!strcmp(a, "--memory")) {
            o->memory = 1;
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
        o->scenario = access(NETSURV_DEFAULT_SCENARIO, R_OK) == 0 ? NETSURV_DEFAULT_SCENARIO
                                                                  : NETSURV_INSTALLED_SCENARIO;
    return 0;
}

/* Loads o->scenario with o's overrides, printing every problem. */
ns_scenario *ns_cli_load(const options *o)
{
    ns_scenario *s;
    ns_errors *e = malloc(sizeof *e);
    if (!e) {
        fprintf(stderr, "netsurv: out of memory\n");
        return NULL;
    }
    if (ns_scenario_load_with_sweep(o->scenario, o->sweep, o->sets, o->n_sets, &s, e)) {
        for (int i = 0; i < e->n; i++)
            fprintf(stderr, "%s\n", e->msg[i]);
        s = NULL;
    }
    free(e);
    return s;
}

static int cmd_validate(const options *o)
{
    ns_scenario *s = ns_cli_load(o);
    if (!s)
        return 2;
    printf("ok\n");
    ns_scenario_free(s);
    return 0;
}

static int cmd_cohort(const options *o)
{
    ns_scenario *s = ns_cli_load(o);
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

double ns_cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- netsurv run ---- */

/* The temporary file being written; removed if the run is interrupted. */
static char tmp_path[4096];

/* SIGINT/SIGTERM/SIGHUP: remove the partial file and exit at once
 * (unlink and _exit are async-signal-safe). */
static void on_signal(int sig)
{
    if (tmp_path[0])
        unlink(tmp_path);
    _exit(128 + sig);
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
}

/* "DIR/.NAME.netsurv-PID.tmp" next to the output, so rename() is atomic. */
static int make_tmp_path(const char *out)
{
    const char *slash = strrchr(out, '/');
    int dirlen = slash ? (int)(slash - out + 1) : 0;
    int k = snprintf(tmp_path, sizeof tmp_path, "%.*s.%s.netsurv-%ld.tmp", dirlen, out,
                     slash ? slash + 1 : out, (long)getpid());
    return k > 0 && (size_t)k < sizeof tmp_path ? 0 : -1;
}

typedef struct {
    double start;
    int tty;
    const char *what;
    uint64_t patients_per_step; /* sweeps: patients per point, for the patients/s figure */
} progress_state;

/* A progress bar with rate and time left, on stderr. */
static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress_state *p = ctx;
    if (!p->tty)
        return;
    double el = ns_cli_now() - p->start, rate = el > 0 ? (double)done / el : 0;
    double left = rate > 0 ? (double)(total - done) / rate : 0;
    int width = 30, fill = (int)((double)width * (double)done / (double)total);
    char bar[40];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    if (p->what[0] == 'p')
        fprintf(stderr, "\r[%s] %5.1f%%  %.2fM %s/s  %02d:%02d left ", bar,
                100.0 * (double)done / (double)total, rate / 1e6, p->what, (int)left / 60,
                (int)left % 60);
    else if (p->patients_per_step)
        fprintf(stderr, "\r%s [%s] %llu/%llu points  %.2fM patients/s  %02d:%02d left ", p->what,
                bar, (unsigned long long)done, (unsigned long long)total,
                rate * (double)p->patients_per_step / 1e6, (int)left / 60, (int)left % 60);
    else
        fprintf(stderr, "\r%-5s [%s] %llu/%llu  %.1f/s  %02d:%02d left ", p->what, bar,
                (unsigned long long)done, (unsigned long long)total, rate, (int)left / 60,
                (int)left % 60);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* The command line as one string, for provenance. */
static char *join_args(int argc, char **argv)
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

/* The per-strategy table at the end of a run. */
static void print_run_table(const ns_scenario *s, const ns_strategy_tally *t)
{
    printf("%-24s %8s %8s %8s %7s %10s %10s %7s %6s %7s\n", "strategy", "mets", "surveil.",
           "missed", "delay", "cost", "cost(disc)", "tests", "FP", "mSv");
    for (int k = 0; k < s->n_strategies; k++) {
        double delay, cost, costd, tests, fp, rad, lo, hi;
        ns_acc_mean(&t[k].detection_delay, &delay, &lo, &hi);
        ns_acc_mean(&t[k].cost, &cost, &lo, &hi);
        ns_acc_mean(&t[k].cost_discounted, &costd, &lo, &hi);
        ns_acc_mean(&t[k].tests, &tests, &lo, &hi);
        ns_acc_mean(&t[k].false_positives, &fp, &lo, &hi);
        ns_acc_mean(&t[k].radiation_msv, &rad, &lo, &hi);
        printf("%-24s %8llu %8llu %8llu %7.2f %10.0f %10.0f %7.2f %6.3f %7.2f\n",
               s->strategy[k].name, (unsigned long long)t[k].n_metastases,
               (unsigned long long)t[k].n_route[NS_ROUTE_SURVEILLANCE],
               (unsigned long long)t[k].n_missed, delay, cost, costd, tests, fp, rad);
    }
    printf("mets: metastases detectable while alive; surveil.: found by surveillance; delay: "
           "mean years from detectable to found; cost in USD per patient\n");
}

/* Removes temporary files of earlier runs for the same output whose process
 * is gone (a SIGKILL leaves them: no handler can run). */
static void remove_stale_tmp(const char *out)
{
    const char *slash = strrchr(out, '/');
    char dir[4096], prefix[512];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out) : 1, slash ? out : ".");
    snprintf(prefix, sizeof prefix, ".%s.netsurv-", slash ? slash + 1 : out);
    DIR *d = opendir(dir[0] ? dir : "/");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        long pid;
        char tail[8];
        size_t n = strlen(prefix);
        if (strncmp(e->d_name, prefix, n) || sscanf(e->d_name + n, "%ld.%4s", &pid, tail) != 2 ||
            strcmp(tail, "tmp") || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir[0] ? dir : "", e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
}

/* Checks -o before any work: given, and not overwriting without --force. */
static int check_output(const options *o)
{
    if (!o->output) {
        fprintf(stderr, "netsurv run: -o FILE is required\n");
        return 2;
    }
    if (!o->force && access(o->output, F_OK) == 0) {
        fprintf(stderr, "netsurv run: %s exists; use --force to replace it\n", o->output);
        return 2;
    }
    if (make_tmp_path(o->output)) {
        fprintf(stderr, "netsurv run: output path too long\n");
        return 2;
    }
    remove_stale_tmp(o->output);
    return 0;
}

/* Mean discounted cost and QALYs per strategy from the tallies. */
static void cost_effect(const ns_scenario *s, const ns_strategy_tally *t, double *cost,
                        double *effect)
{
    for (int k = 0; k < s->n_strategies; k++) {
        double lo, hi;
        ns_acc_mean(&t[k].cost_discounted, &cost[k], &lo, &hi);
        ns_acc_mean(&t[k].qaly_discounted, &effect[k], &lo, &hi);
    }
}

/* The incremental analysis at the end of a run. */
static void print_icer_table(const ns_scenario *s, const double *cost, const double *effect)
{
    ns_icer_table t;
    if (ns_econ_icers(cost, effect, s->n_strategies, &t))
        return;
    printf("\nIncremental analysis (discounted; frontier strategies compared with the previous "
           "one)\n%-24s %10s %9s %10s %9s %12s %11s  %s\n", "strategy", "cost", "QALYs",
           "inc.cost", "inc.QALY", "ICER", "NMB", "status");
    for (int j = 0; j < s->n_strategies; j++) {
        int k = t.order[j];
        double nmb = s->econ.wtp * effect[k] - cost[k];
        printf("%-24s %10.0f %9.4f ", s->strategy[k].name, cost[k], effect[k]);
        if (isnan(t.inc_cost[k]))
            printf("%10s %9s %12s", "", "", "");
        else
            printf("%10.0f %9.4f %12.0f", t.inc_cost[k], t.inc_effect[k], t.icer[k]);
        printf(" %11.0f  %s\n", nmb, ns_econ_status_name[t.status[k]]);
    }
    printf("NMB at %.0f USD per QALY\n", s->econ.wtp);
}

/* --psa K and --owsa: more engine runs on the same patients, into h. */
static int run_uncertainty(ns_h5 *h, const ns_scenario *s, const options *o,
                           const ns_engine_opts *base_opts)
{
    int S = s->n_strategies, P = ns_psa_count(s), Q = ns_owsa_count(s), rc = 0;
    ns_engine_opts eo = *base_opts;
    eo.fill = NULL;
    eo.flush = NULL;
    if (o->psa) {
        size_t K = (size_t)o->psa;
        double *v = malloc(sizeof *v * (K * (size_t)P + 2 * K * (size_t)S + 1));
        progress_state ps = {ns_cli_now(), !o->quiet && isatty(2), "PSA", 0};
        eo.progress_ctx = &ps;
        rc = !v || ns_psa_run(s, &eo, o->psa, v + K * P, v + K * P + K * S, v) ||
             ns_h5_write_psa(h, o->psa, o->n, v, v + K * P, v + K * P + K * S);
        free(v);
    }
    if (o->owsa && !rc) {
        double *v = malloc(sizeof *v * (4 * (size_t)Q * S + 1));
        progress_state ps = {ns_cli_now(), !o->quiet && isatty(2), "OWSA", 0};
        eo.progress_ctx = &ps;
        size_t qs = (size_t)Q * S;
        rc = !v || ns_owsa_run(s, &eo, v, v + qs, v + 2 * qs, v + 3 * qs) < 0 ||
             ns_h5_write_owsa(h, Q, v, v + qs, v + 2 * qs, v + 3 * qs);
        free(v);
    }
    return rc ? -1 : 0;
}

/* "DIR/.NAME.netsurv-checkpoint" beside the output. */
static void checkpoint_path(const char *out, char *buf, size_t len)
{
    const char *slash = strrchr(out, '/');
    int dirlen = slash ? (int)(slash - out + 1) : 0;
    snprintf(buf, len, "%.*s.%s.netsurv-checkpoint", dirlen, out, slash ? slash + 1 : out);
}

/* One sweep point's rows: summary and economics. */
static int write_point(ns_h5 *h, uint64_t p, const ns_scenario *ps, const ns_strategy_tally *t)
{
    double cost[NS_MAX_STRATEGIES], effect[NS_MAX_STRATEGIES];
    ns_h5_set_point(h, p, ps);
    cost_effect(ps, t, cost, effect);
    return ns_h5_write_summary(h, t) || ns_h5_write_economics(h, cost, effect) ? -1 : 0;
}

/* The strategy with the highest NMB at a point, for the end-of-run table. */
static int best_strategy(const ns_scenario *ps, const ns_strategy_tally *t)
{
    double cost[NS_MAX_STRATEGIES], effect[NS_MAX_STRATEGIES];
    cost_effect(ps, t, cost, effect);
    int best = 0;
    for (int k = 1; k < ps->n_strategies; k++)
        if (ps->econ.wtp * effect[k] - cost[k] > ps->econ.wtp * effect[best] - cost[best])
            best = k;
    return best;
}

/* A sweep: every point on the same patients, each row written when done and
 * recorded in a checkpoint so --resume computes only what is missing. */
static int run_sweep(ns_h5 *h, const ns_scenario *s, const options *o, uint64_t seed,
                     ns_strategy_tally *t)
{
    char ck[4200], err[600];
    checkpoint_path(o->output, ck, sizeof ck);
    uint64_t P = s->sweep.n_points;
    ns_checkpoint *c = ns_checkpoint_open(ck, ns_run_fingerprint(s, seed, o->n), P,
                                          s->n_strategies, o->resume, err, sizeof err);
    if (!c) {
        fprintf(stderr, "netsurv run: %s\n", err);
        return -1;
    }
    if (o->resume)
        fprintf(stderr, "netsurv run: resuming: %llu of %llu points already done\n",
                (unsigned long long)ns_checkpoint_done(c), (unsigned long long)P);
    progress_state ps = {ns_cli_now(), !o->quiet && isatty(2), "sweep", o->n};
    ns_engine_opts eo = {.seed = seed, .n = o->n, .threads = o->threads};
    ns_errors *e = malloc(sizeof *e);
    int rc = !e || ns_h5_write_sweep(h);
    printf("%8s  %-40s %s\n", "point", "values", "highest NMB");
    for (uint64_t p = 0; p < P && !rc; p++) {
        ns_scenario *pt = NULL;
        rc = ns_scenario_load_point(s, p, &pt, e);
        for (int i = 0; rc && i < e->n; i++)
            fprintf(stderr, "%s\n", e->msg[i]);
        if (!rc && !ns_checkpoint_get(c, p, t))
            rc = ns_engine_run(pt, &eo, t) || ns_checkpoint_put(c, p, t);
        rc = rc || write_point(h, p, pt, t);
        if (!rc) {
            int idx[NS_MAX_AXES], k = best_strategy(pt, t);
            char vals[256] = "";
            ns_sweep_indices(&s->sweep, p, idx);
            for (int a = 0; a < s->sweep.n_axes; a++)
                snprintf(vals + strlen(vals), sizeof vals - strlen(vals), "%s%g", a ? " " : "",
                         s->sweep.axis[a].values[idx[a]]);
            printf("%8llu  %-40s %s\n", (unsigned long long)p, vals, pt->strategy[k].name);
        }
        ns_scenario_free(pt);
        show_progress(&ps, p + 1, P);
    }
    ns_checkpoint_close(c, rc == 0);
    free(e);
    return rc ? -1 : 0;
}

/* Everything `netsurv run` computes, into the open file h. */
static int run_all(ns_h5 *h, const ns_scenario *s, const options *o, uint64_t seed,
                   ns_strategy_tally *t, double *cost, double *effect)
{
    progress_state ps = {ns_cli_now(), !o->quiet && isatty(2), "patients", 0};
    ns_engine_opts eo = {.seed = seed, .n = o->n, .threads = o->threads,
                         .fill = o->per_patient ? ns_h5_fill_rows : NULL,
                         .flush = o->per_patient ? ns_h5_flush_rows : NULL, .sink_ctx = h,
                         .progress = show_progress, .progress_ctx = &ps};
    if (s->sweep.n_axes)
        return run_sweep(h, s, o, seed, t);
    if (ns_engine_run(s, &eo, t) || ns_h5_write_summary(h, t))
        return -1;
    cost_effect(s, t, cost, effect);
    if (ns_h5_write_economics(h, cost, effect))
        return -1;
    return run_uncertainty(h, s, o, &eo);
}

/* Writes the results of every point (tallies P x S) into h, as a run would. */
static int write_results(ns_h5 *h, const ns_scenario *s, const ns_strategy_tally *all)
{
    if (!s->sweep.n_axes) {
        double cost[NS_MAX_STRATEGIES], effect[NS_MAX_STRATEGIES];
        cost_effect(s, all, cost, effect);
        return ns_h5_write_summary(h, all) || ns_h5_write_economics(h, cost, effect) ? -1 : 0;
    }
    ns_errors *e = malloc(sizeof *e);
    int rc = !e || ns_h5_write_sweep(h);
    for (uint64_t p = 0; p < s->sweep.n_points && !rc; p++) {
        ns_scenario *pt;
        rc = ns_scenario_load_point(s, p, &pt, e) ||
             write_point(h, p, pt, all + p * (uint64_t)s->n_strategies);
        if (!rc)
            ns_scenario_free(pt);
    }
    free(e);
    return rc ? -1 : 0;
}

/* Writes into tmp_path with `write` and renames it to out; on any failure
 * nothing is left at either path. */
static int write_file(const char *out, int rc)
{
    if (!rc && rename(tmp_path, out) != 0) {
        fprintf(stderr, "netsurv: cannot rename %s to %s: %s\n", tmp_path, out, strerror(errno));
        rc = 1;
    } else if (rc)
        fprintf(stderr, "netsurv: writing %s failed; no output written\n", out);
    if (rc)
        unlink(tmp_path);
    tmp_path[0] = '\0';
    return rc;
}

/* `run --shard K/N`: this shard's work units into a shard file. */
static int run_shard(const options *o, const ns_scenario *s, uint64_t seed, const char *cmdline)
{
    uint64_t total = ns_work_total(s, o->n), w0, nw;
    ns_work_share(total, o->shard_k, o->shard_n, &w0, &nw);
    ns_strategy_tally *units = calloc(nw * (uint64_t)s->n_strategies + 1, sizeof *units);
    ns_errors *e = malloc(sizeof *e);
    ns_engine_opts eo = {.seed = seed, .n = o->n, .threads = o->threads};
    int rc = !units || !e;
    if (!rc && ns_work_run(s, &eo, w0, nw, units, e)) {
        for (int i = 0; i < e->n; i++)
            fprintf(stderr, "%s\n", e->msg[i]);
        rc = 1;
    }
    if (!rc) {
        ns_shard_info in = {.fingerprint = ns_run_fingerprint(s, seed, o->n), .seed = seed,
                            .n_patients = o->n, .unit_first = w0, .unit_count = nw,
                            .total_units = total, .shard = o->shard_k + 1,
                            .n_shards = o->shard_n};
        char err[512];
        install_signal_handlers();
        rc = ns_h5_write_shard(tmp_path, s, &in, cmdline, units, err, sizeof err);
        if (rc)
            fprintf(stderr, "netsurv run: %s\n", err);
        rc = write_file(o->output, rc);
        if (!rc)
            printf("shard %d/%d: work units %llu-%llu of %llu -> %s\n", o->shard_k + 1,
                   o->shard_n, (unsigned long long)w0, (unsigned long long)(w0 + nw),
                   (unsigned long long)total, o->output);
    }
    free(units);
    free(e);
    return rc ? 1 : 0;
}

#ifdef NETSURV_MPI
static int mpi_rank = 0, mpi_size = 1;

/* `mpirun -np K netsurv run`: each rank runs its contiguous share of the
 * work units (a rank with none still joins every collective call); rank 0
 * gathers them in unit order, folds them, and writes the file, which is then
 * identical to a single-process run. One writer, because the results are
 * small and parallel HDF5 cannot write the variable-length strings the
 * single-process file holds. */
static int run_mpi(const options *o, const ns_scenario *s, uint64_t seed, const char *cmdline)
{
    uint64_t total = ns_work_total(s, o->n), w0, nw;
    int S = s->n_strategies, rc = 0, any = 0;
    ns_work_share(total, mpi_rank, mpi_size, &w0, &nw);
    ns_strategy_tally *units = calloc(nw * (uint64_t)S + 1, sizeof *units);
    ns_errors *e = malloc(sizeof *e);
    ns_engine_opts eo = {.seed = seed, .n = o->n, .threads = o->threads};
    if (!units || !e || ns_work_run(s, &eo, w0, nw, units, e)) {
        for (int i = 0; e && i < e->n && mpi_rank == 0; i++)
            fprintf(stderr, "%s\n", e->msg[i]);
        rc = 1;
    }
    MPI_Allreduce(&rc, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Datatype unit;
    MPI_Type_contiguous((int)(sizeof *units * (size_t)S), MPI_BYTE, &unit);
    MPI_Type_commit(&unit);
    int *counts = calloc((size_t)mpi_size, sizeof *counts), *displs = calloc((size_t)mpi_size, sizeof *displs);
    ns_strategy_tally *all = mpi_rank == 0 && !any ? calloc(total * (uint64_t)S + 1, sizeof *all) : NULL;
    for (int r = 0; r < mpi_size && counts && displs; r++) {
        uint64_t a, n;
        ns_work_share(total, r, mpi_size, &a, &n);
        counts[r] = (int)n;
        displs[r] = (int)a;
    }
    if (!any)
        MPI_Gatherv(units, (int)nw, unit, all, counts, displs, unit, 0, MPI_COMM_WORLD);
    if (mpi_rank == 0 && !any) {
        uint64_t P = s->sweep.n_points, U = ns_engine_units(o->n);
        ns_strategy_tally *pts = calloc(P * (uint64_t)S, sizeof *pts);
        for (uint64_t p = 0; pts && all && p < P; p++)
            ns_engine_fold(S, all + p * U * (uint64_t)S, U, pts + p * (uint64_t)S);
        ns_run_info info = {seed, o->n, cmdline};
        char err[512];
        install_signal_handlers();
        ns_h5 *h = pts ? ns_h5_create(tmp_path, s, &info, 0, err, sizeof err) : NULL;
        if (!h)
            fprintf(stderr, "netsurv run: %s\n", pts ? err : "out of memory");
        rc = !h || write_results(h, s, pts);
        if (h)
            rc |= ns_h5_close(h);
        rc = write_file(o->output, rc);
        if (!rc)
            printf("netsurv %s: %llu points x %llu patients on %d ranks -> %s\n",
                   NETSURV_VERSION, (unsigned long long)P, (unsigned long long)o->n, mpi_size,
                   o->output);
        free(pts);
    }
    rc = any ? 1 : rc;
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Type_free(&unit);
    free(all);
    free(counts);
    free(displs);
    free(units);
    free(e);
    return rc ? 1 : 0;
}

/* The run on every rank: rank 0 checks the output path; all agree. */
static int cmd_run_mpi(const options *o)
{
    int rc = mpi_rank == 0 ? check_output(o) : 0;
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rc)
        return rc;
    ns_scenario *s = ns_cli_load(o);
    rc = !s ? 2 : (o->per_patient || o->psa || o->owsa || o->shard_n || o->resume) ? 3 : 0;
    if (rc == 3 && mpi_rank == 0)
        fprintf(stderr, "netsurv run: on several MPI ranks, --per-patient, --psa, --owsa, "
                        "--shard and --resume are not available; run them in one process\n");
    int any;
    MPI_Allreduce(&rc, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!any) {
        char *cmdline = join_args(o->argc, o->argv);
        rc = run_mpi(o, s, o->seed_given ? o->seed : s->seed, cmdline ? cmdline : "");
        free(cmdline);
    }
    ns_scenario_free(s);
    return any ? 2 : rc;
}
#endif

/* Peak resident memory of this process image (VmHWM, KiB), or -1. */
static long peak_rss_kib(void)
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

static int cmd_run_once(const options *o);

static int cmd_run(const options *o)
{
    int rc = cmd_run_once(o);
    if (o->peak_memory)
        fprintf(stderr, "peak resident memory: %ld KiB\n", peak_rss_kib());
    return rc;
}

static int cmd_run_once(const options *o)
{
#ifdef NETSURV_MPI
    if (mpi_size > 1)
        return cmd_run_mpi(o);
#endif
    int rc = check_output(o);
    if (rc)
        return rc;
    ns_scenario *s = ns_cli_load(o);
    if (!s)
        return 2;
    if (o->shard_n && (o->per_patient || o->psa || o->owsa || o->resume)) {
        fprintf(stderr, "netsurv run: --shard cannot be combined with --per-patient, --psa, "
                        "--owsa or --resume\n");
        ns_scenario_free(s);
        return 2;
    }
    if (o->shard_n) {
        char *cmdline = join_args(o->argc, o->argv);
        rc = run_shard(o, s, o->seed_given ? o->seed : s->seed, cmdline ? cmdline : "");
        free(cmdline);
        ns_scenario_free(s);
        return rc;
    }
    if (s->sweep.n_axes && (o->per_patient || o->psa || o->owsa)) {
        fprintf(stderr, "netsurv run: a sweep (%llu points) cannot be combined with "
                        "--per-patient, --psa or --owsa; run those on single points\n",
                (unsigned long long)s->sweep.n_points);
        ns_scenario_free(s);
        return 2;
    }
    if (o->resume && !s->sweep.n_axes) {
        fprintf(stderr, "netsurv run: --resume is for sweeps (a run without one has nothing "
                        "to resume)\n");
        ns_scenario_free(s);
        return 2;
    }
    if (o->owsa && ns_owsa_count(s) == 0) {
        fprintf(stderr, "netsurv run: --owsa: no parameter of %s has a range:\n", s->path);
        ns_scenario_free(s);
        return 2;
    }
    char *cmdline = join_args(o->argc, o->argv);
    ns_strategy_tally *t = calloc((size_t)s->n_strategies, sizeof *t);
    ns_run_info info = {o->seed_given ? o->seed : s->seed, o->n, cmdline ? cmdline : ""};
    double cost[NS_MAX_STRATEGIES], effect[NS_MAX_STRATEGIES];
    char err[512];
    install_signal_handlers();
    ns_h5 *h = t ? ns_h5_create(tmp_path, s, &info, o->per_patient, err, sizeof err) : NULL;
    if (h)
        ns_h5_set_threads(h, o->threads);
    if (!h) {
        fprintf(stderr, "netsurv run: %s\n", t ? err : "out of memory");
        unlink(tmp_path);
        tmp_path[0] = '\0';
        rc = 1;
    } else {
        rc = run_all(h, s, o, info.seed, t, cost, effect);
        rc |= ns_h5_close(h);
        rc = write_file(o->output, rc);
        if (!rc) {
            printf("netsurv %s: %s\n%llu patients, seed %llu, %d strategies -> %s\n\n",
                   NETSURV_VERSION, s->name, (unsigned long long)o->n,
                   (unsigned long long)info.seed, s->n_strategies, o->output);
            if (!s->sweep.n_axes) {
                print_run_table(s, t);
                print_icer_table(s, cost, effect);
            }
        }
    }
    free(t);
    free(cmdline);
    ns_scenario_free(s);
    return rc ? 1 : 0;
}

/* ---- netsurv merge ---- */

/* Reads every shard; checks they are the N shards of one run; returns the
 * units of all of them in unit order, and the first shard's info. */
static ns_strategy_tally *read_shards(char **paths, int n, ns_shard_info *first)
{
    ns_shard_info *in = calloc((size_t)n, sizeof *in);
    ns_strategy_tally **u = calloc((size_t)n, sizeof *u), *all = NULL;
    char err[700];
    int bad = !in || !u;
    for (int i = 0; i < n && !bad; i++)
        if (ns_h5_read_shard(paths[i], &in[i], &u[i], err, sizeof err)) {
            fprintf(stderr, "netsurv merge: %s\n", err);
            bad = 1;
        }
    for (int i = 1; i < n && !bad; i++)
        if (in[i].fingerprint != in[0].fingerprint || in[i].n_shards != in[0].n_shards ||
            strcmp(in[i].version, in[0].version) != 0) {
            fprintf(stderr, "netsurv merge: %s and %s are shards of different runs (scenario, "
                            "overrides, seed, patients, shard count or netsurv version differ)\n",
                    paths[0], paths[i]);
            bad = 1;
        }
    int N = bad ? 0 : in[0].n_shards, S = bad ? 0 : in[0].n_strategies;
    char *seen = calloc((size_t)N + 1, 1);
    for (int i = 0; i < n && !bad; i++) {
        if (seen[in[i].shard - 1]++) {
            fprintf(stderr, "netsurv merge: shard %d/%d given twice (%s)\n", in[i].shard, N,
                    paths[i]);
            bad = 1;
        }
    }
    if (!bad && n != N) {
        char list[512] = "";
        for (int k = 0; k < N; k++)
            if (!seen[k])
                snprintf(list + strlen(list), sizeof list - strlen(list), " %d", k + 1);
        fprintf(stderr, "netsurv merge: %d of %d shards given; missing:%s\n", n, N, list);
        bad = 1;
    }
    if (!bad && (all = calloc(in[0].total_units * (uint64_t)S + 1, sizeof *all)))
        for (int i = 0; i < n; i++)
            memcpy(all + in[i].unit_first * (uint64_t)S, u[i],
                   sizeof *all * in[i].unit_count * (uint64_t)S);
    if (!bad) {
        *first = in[0];
        memset(&in[0], 0, sizeof in[0]);
    }
    for (int i = 0; in && i < n; i++) {
        ns_shard_info_free(&in[i]);
        free(u ? u[i] : NULL);
    }
    free(seen);
    free(in);
    free(u);
    return all;
}

/* `netsurv merge OUT.h5 SHARD...`: the file a single run would have written. */
static int cmd_merge(int argc, char **argv)
{
    options o;
    int force = 0, nfiles = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    memset(&o, 0, sizeof o);
    for (int i = 2; i < argc && files; i++) {
        if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
            continue;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "netsurv merge: unknown option '%s'\n", argv[i]);
            free(files);
            return 2;
        } else if (!o.output)
            o.output = argv[i];
        else
            files[nfiles++] = argv[i];
    }
    o.force = force;
    if (!o.output || nfiles == 0) {
        fprintf(stderr, "usage: netsurv merge OUT.h5 SHARD.h5... [--force]\n");
        free(files);
        return 2;
    }
    int rc = check_output(&o);
    ns_shard_info in;
    ns_strategy_tally *units = rc ? NULL : read_shards(files, nfiles, &in);
    ns_scenario *s = NULL;
    ns_errors *e = malloc(sizeof *e);
    if (!rc && (!units || !e))
        rc = 2;
    if (!rc && ns_scenario_load_texts(in.scenario_path, in.scenario_text, in.sweep_path,
                                      in.sweep_text, (const char *const *)in.sets, in.n_sets, &s,
                                      e)) {
        for (int i = 0; i < e->n; i++)
            fprintf(stderr, "%s\n", e->msg[i]);
        rc = 2;
    }
    if (!rc && ns_run_fingerprint(s, in.seed, in.n_patients) != in.fingerprint) {
        fprintf(stderr, "netsurv merge: the shards were written by another netsurv build "
                        "(%s); merge them with that build\n", in.version);
        rc = 2;
    }
    if (!rc) {
        uint64_t P = s->sweep.n_points, U = ns_engine_units(in.n_patients);
        int S = s->n_strategies;
        ns_strategy_tally *pts = calloc(P * (uint64_t)S, sizeof *pts);
        for (uint64_t p = 0; pts && p < P; p++)
            ns_engine_fold(S, units + p * U * (uint64_t)S, U, pts + p * (uint64_t)S);
        char *cmdline = join_args(argc, argv);
        ns_run_info info = {in.seed, in.n_patients, cmdline ? cmdline : ""};
        char err[512];
        install_signal_handlers();
        ns_h5 *h = pts ? ns_h5_create(tmp_path, s, &info, 0, err, sizeof err) : NULL;
        if (!h)
            fprintf(stderr, "netsurv merge: %s\n", pts ? err : "out of memory");
        rc = !h || write_results(h, s, pts);
        if (h)
            rc |= ns_h5_close(h);
        rc = write_file(o.output, rc);
        if (!rc)
            printf("merged %d shards (%llu points x %llu patients) -> %s\n", nfiles,
                   (unsigned long long)P, (unsigned long long)in.n_patients, o.output);
        free(pts);
        free(cmdline);
    }
    if (units)
        ns_shard_info_free(&in);
    free(units);
    free(e);
    free(files);
    ns_scenario_free(s);
    return rc;
}

static int netsurv_main(int argc, char **argv);

int main(int argc, char **argv)
{
#ifdef NETSURV_MPI
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
    if (mpi_rank != 0) { /* one voice: rank 0's */
        (void)!freopen("/dev/null", "w", stderr);
        (void)!freopen("/dev/null", "w", stdout);
    }
    int rc = netsurv_main(argc, argv);
    MPI_Finalize();
    return rc;
#else
    return netsurv_main(argc, argv);
#endif
}

/* The command line proper. */
static int netsurv_main(int argc, char **argv)
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
    if (!strcmp(cmd, "merge"))
        return cmd_merge(argc, argv);
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc;
    if (!strcmp(cmd, "validate"))
        return cmd_validate(&o);
    if (!strcmp(cmd, "cohort"))
        return cmd_cohort(&o);
    if (!strcmp(cmd, "bench"))
        return ns_cli_bench(&o);
    if (!strcmp(cmd, "run"))
        return cmd_run(&o);
    fprintf(stderr, "netsurv: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
