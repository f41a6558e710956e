/* `netsurv calibrate`: every published follow-up series simulated as its own
 * cohort under its own follow-up (--check: at the scenario's values, beside
 * the published events), or a Bayesian calibration of the series file's
 * parameters by IMIS into an HDF5 file. */
#include "commands.h"
#include "common.h"
#include "netsurv/engine/calib.h"
#include "netsurv/engine/evalcache.h"
#include "netsurv/engine/work.h"
#include "netsurv/numeric/hash.h"
#include "netsurv/engine/imis.h"
#include "netsurv/job/job.h"
#include "netsurv/output/atomic.h"
#include "netsurv/output/calib_out.h"
#include "netsurv/scenario/calibration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    ns_calib_sim *sim;
    const ns_calibration *c;
    int threads, n_targets;
    ns_calib_target target[NS_MAX_CALIB_TARGETS];
    uint64_t found[NS_MAX_SERIES * NS_NEVENTS];
    int quiet;
    ns_evalcache *cache;        /* the checkpoint of evaluations (NULL for --check) */
    uint64_t calls;             /* likelihood evaluations so far */
    int cache_failed;           /* a replayed point differed, or a record could not be written */
} context;

/* The targets: every event type each series reports, then each group of
 * its survival target. */
static void list_targets(context *x)
{
    x->n_targets = 0;
    for (int j = 0; j < x->c->n_series; j++) {
        for (int t = 0; t < NS_NEVENTS; t++)
            if (x->c->series[j].has_event[t])
                x->target[x->n_targets++] = (ns_calib_target){j, t};
        for (int g = 0; g < NS_NSURV; g++)
            if (x->c->series[j].has_surv[g])
                x->target[x->n_targets++] = (ns_calib_target){j, NS_TARGET_SURVIVAL + g};
    }
}

/* Expected events of target t in its series' patients; for a survival
 * target, the expected cancer deaths n (1 - simulated survival) among its
 * effective n. */
static double expected(const context *x, int t)
{
    int j = x->target[t].series;
    if (x->target[t].type >= NS_TARGET_SURVIVAL) {
        int g = x->target[t].type - NS_TARGET_SURVIVAL;
        double surv;
        uint64_t m;
        ns_calib_sim_survival(x->sim, j, g, &surv, &m);
        return x->c->series[j].surv_patients[g] * (1 - surv);
    }
    return x->c->series[j].n_patients *
           (double)x->found[(size_t)j * NS_NEVENTS + (size_t)x->target[t].type] /
           (double)ns_calib_sim_entered(x->sim, j);
}

static double loglik(void *ctx, const double *theta, double *extra)
{
    context *x = ctx;
    uint64_t call = x->calls++;
    double ll;
    int got = x->cache ? ns_evalcache_get(x->cache, call, theta, &ll, extra) : 0;
    if (got > 0)
        return ll; /* replayed from the checkpoint */
    if (got < 0)
        x->cache_failed = 1;
    ns_calib_sim_run(x->sim, theta, x->threads, x->found);
    for (int t = 0; t < x->n_targets; t++)
        extra[t] = expected(x, t);
    ll = ns_calib_loglik(x->c, x->sim, x->found, NULL);
    if (x->cache && !x->cache_failed && ns_evalcache_put(x->cache, call, theta, ll, extra))
        x->cache_failed = 1;
    return ll;
}

static void progress(void *ctx, int iteration, int points, double ess)
{
    const context *x = ctx;
    if (!x->quiet)
        fprintf(stderr, "netsurv: IMIS iteration %d: %d points, effective sample size %.1f\n",
                iteration, points, ess);
}

/* --check's survival targets: each group's published cancer-specific
 * survival beside the simulated one, its virtual patients and its term. */
static void print_survival(const context *x)
{
    printf("\n%-26s %-10s %6s %8s %9s %9s %8s %9s\n", "survival", "group", "months",
           "patients", "published", "simulated", "virtual", "loglik");
    for (int t = 0; t < x->n_targets; t++) {
        int j = x->target[t].series, g = x->target[t].type - NS_TARGET_SURVIVAL;
        if (g < 0)
            continue;
        const ns_series *r = &x->c->series[j];
        double surv;
        uint64_t m;
        ns_calib_sim_survival(x->sim, j, g, &surv, &m);
        printf("%-26s %-10s %6g %8g %8.2f%% %8.2f%% %8llu %9.3f  (cancer-specific)\n", r->name,
               ns_surv_group_name[g], r->surv_months, r->surv_patients[g],
               100 * r->surv_value[g], 100 * surv, (unsigned long long)m,
               ns_calib_survival_term(x->c, x->sim, j, g));
    }
}

static int check(context *x, const ns_scenario *s, uint64_t seed)
{
    double per[NS_MAX_SERIES * NS_NEVENTS];
    ns_calib_sim_run(x->sim, NULL, x->threads, x->found);
    double ll = ns_calib_loglik(x->c, x->sim, x->found, per);
    printf("netsurv %s calibrate --check: %s\nseries %s, seed %llu, %llu virtual patients per "
           "series\n\n", NETSURV_VERSION, s->name, x->c->path, (unsigned long long)seed,
           (unsigned long long)ns_calib_sim_patients(x->sim, 0));
    printf("%-26s %-10s %8s %8s %9s %9s %9s\n", "series", "event", "patients", "observed",
           "expected", "share", "loglik");
    int n_surv = 0;
    for (int t = 0; t < x->n_targets; t++) {
        int j = x->target[t].series, ty = x->target[t].type;
        const ns_series *r = &x->c->series[j];
        if (ty >= NS_TARGET_SURVIVAL) {
            n_surv++;
            continue;
        }
        size_t at = (size_t)j * NS_NEVENTS + (size_t)ty;
        printf("%-26s %-10s %8d %8d %9.3f %8.3f%% %9.3f%s\n", r->name, ns_event_name[ty],
               r->n_patients, r->events[ty], expected(x, t),
               100.0 * (double)x->found[at] / (double)ns_calib_sim_entered(x->sim, j), per[at],
               r->measure == NS_MEASURE_AT_RESECTION ? "  (at resection)"
               : r->measure == NS_MEASURE_AT_STAGING ? "  (at staging)"
               : r->n_times[ty]                      ? "  (with its times)"
                                                     : "");
    }
    if (n_surv)
        print_survival(x);
    printf("\nlog-likelihood %.4f (binomial per series and event type, multinomial over the "
           "windows about the reported times where a series gives them; found = detected "
           "within the series' follow-up, by its protocol or by presentation; at resection = "
           "present in the specimen at time 0%s)\n", ll,
           n_surv ? "; survival: binomial on the effective cancer deaths n (1 - S)" : "");
    return 0;
}

static void print_posterior(const ns_scenario *s, const ns_calibration *c,
                            const ns_imis_result *r, const context *x)
{
    printf("%-40s %10s %10s %10s %10s %10s\n", "parameter", "scenario", "mean", "2.5%",
           "median", "97.5%");
    for (int j = 0; j < r->d; j++) {
        double m = 0;
        for (int i = 0; i < r->n; i++)
            m += r->weight[i] * r->theta[(size_t)i * r->d + j];
        printf("%-40s %10.4g %10.4g %10.4g %10.4g %10.4g\n", c->param_path[j],
               *(const double *)((const char *)s + s->param[c->param[j]].offset), m,
               ns_weighted_quantile(r->theta + j, r->d, r->weight, r->n, 0.025),
               ns_weighted_quantile(r->theta + j, r->d, r->weight, r->n, 0.5),
               ns_weighted_quantile(r->theta + j, r->d, r->weight, r->n, 0.975));
    }
    printf("\n%-26s %-10s %8s %8s %10s %21s\n", "series", "event", "patients", "observed",
           "expected", "95 % interval");
    for (int t = 0; t < x->n_targets; t++) {
        const ns_series *q = &c->series[x->target[t].series];
        double m = 0;
        for (int i = 0; i < r->n; i++)
            m += r->weight[i] * r->extra[(size_t)i * x->n_targets + t];
        int g = x->target[t].type - NS_TARGET_SURVIVAL;
        if (g >= 0) { /* survival: 1 - expected deaths / n, so the quantiles swap */
            double n = q->surv_patients[g];
            printf("%-26s %-10s %8g %7.1f%% %9.1f%% %9.1f%% - %6.1f%%  (survival at %g months)\n",
                   q->name, ns_surv_group_name[g], n, 100 * q->surv_value[g], 100 * (1 - m / n),
                   100 * (1 - ns_weighted_quantile(r->extra + t, x->n_targets, r->weight, r->n,
                                                   0.975) / n),
                   100 * (1 - ns_weighted_quantile(r->extra + t, x->n_targets, r->weight, r->n,
                                                   0.025) / n),
                   q->surv_months);
            continue;
        }
        printf("%-26s %-10s %8d %8d %10.3f %10.3f - %8.3f\n", q->name,
               ns_event_name[x->target[t].type], q->n_patients, q->events[x->target[t].type], m,
               ns_weighted_quantile(r->extra + t, x->n_targets, r->weight, r->n, 0.025),
               ns_weighted_quantile(r->extra + t, x->n_targets, r->weight, r->n, 0.975));
    }
}

/* The exchange of shards run together (--shard K/N), or NULL. */
static ns_job_exchange *open_shards(const options *o, uint64_t fp, int *rc)
{
    char err[5000];
    *rc = 0;
    if (!o->shard_n)
        return NULL;
    if (ns_job_mpi_size() > 1) {
        fprintf(stderr, "netsurv calibrate: --shard and MPI ranks do not go together (use one)\n");
        *rc = 2;
        return NULL;
    }
    if (o->shard_k > 0 && !o->force && access(o->output, F_OK) == 0) {
        fprintf(stderr, "netsurv calibrate: %s exists (--force replaces it)\n", o->output);
        *rc = 2;
        return NULL;
    }
    uint64_t sfp = ns_hash64(fp, &o->shard_n, sizeof o->shard_n);
    ns_job_exchange *xc = ns_job_exchange_open(o->output, o->shard_k, o->shard_n, sfp,
                                               o->resume, o->shard_wait, err, sizeof err);
    if (!xc) {
        fprintf(stderr, "netsurv calibrate: %s\n", err);
        *rc = 1;
    }
    return xc;
}

static int calibrate(context *x, const ns_scenario *s, const options *o, uint64_t seed)
{
    char err[5000];
    /* over MPI ranks (mpirun -np K netsurv calibrate): rank 0 claims and
     * writes the output; each rank evaluates its share of every batch of
     * candidates and keeps its own checkpoint. Over shards run together
     * (--shard K/N): each evaluates its share of every batch, the shards
     * exchange them through files (which are the checkpoint), shard 1
     * writes the output. */
    int rank = ns_job_mpi_rank(), ranks = ns_job_mpi_size();
    int writer = rank == 0 && o->shard_k == 0;
    uint64_t fp = ns_hash64(ns_run_fingerprint(s, seed, x->c->virtual_patients), x->c->text,
                            strlen(x->c->text));
    int rc;
    ns_job_exchange *xc = open_shards(o, fp, &rc);
    if (rc)
        return rc;
    int claim = writer ? ns_atomic_begin(o->output, o->force, err, sizeof err) : 0;
    if (claim)
        fprintf(stderr, "netsurv: %s\n", err);
    if (ns_job_mpi_agree(claim != 0)) {
        ns_job_exchange_close(xc);
        return 2;
    }
    if (writer)
        ns_cli_guard_output();
    char ck[4300], out_r[4200];
    snprintf(out_r, sizeof out_r, ranks > 1 ? "%s.rank-%d-of-%d" : "%s", o->output, rank, ranks);
    ns_path_beside(out_r, "netsurv-calibration-checkpoint", ck, sizeof ck);
    x->cache = xc ? NULL
                  : ns_evalcache_open(ck, fp, x->c->n_params, x->n_targets, o->resume, err,
                                      sizeof err);
    if (ns_job_mpi_agree(!xc && !x->cache)) {
        if (!x->cache)
            fprintf(stderr, "netsurv: %s\n", err);
        ns_evalcache_close(x->cache, 0);
        if (writer)
            ns_atomic_finish(0, err, sizeof err);
        return 2;
    }
    if (o->resume && x->cache)
        fprintf(stderr, "netsurv: resuming: %llu evaluations recorded in %s\n",
                (unsigned long long)ns_evalcache_recorded(x->cache), ck);
    double t0 = ns_cli_now();
    ns_imis_result r;
    if (ns_imis_run(s, x->c->param, x->c->n_params, &x->c->imis, seed, loglik, x, x->n_targets,
                    progress, x, xc ? ns_job_exchange_ranks(xc) : ns_job_mpi_ranks(), &r) ||
        x->cache_failed) {
        if (x->cache_failed)
            fprintf(stderr, "netsurv: the calibration checkpoint %s does not match this run or "
                    "cannot be written; remove it or run without --resume\n", ck);
        else if (xc)
            fprintf(stderr, "netsurv calibrate: shard %d of %d: %s\n", o->shard_k + 1,
                    o->shard_n, ns_job_exchange_error(xc));
        else
            fprintf(stderr, "netsurv: the calibration failed (a prior that cannot be drawn "
                    "within its range, or out of memory)\n");
        if (!x->cache_failed)
            ns_imis_result_free(&r);
        ns_evalcache_close(x->cache, 0);
        ns_job_exchange_close(xc);
        if (writer)
            ns_atomic_finish(0, err, sizeof err);
        return 1;
    }
    double wall = ns_cli_now() - t0;
    if (xc && o->resume)
        fprintf(stderr, "netsurv: resumed: %llu exchanges of the shards replayed from %s\n",
                (unsigned long long)ns_job_exchange_replayed(xc), ns_job_exchange_dir(xc));
    char *cl = ns_cli_join_args(o->argc, o->argv);
    ns_calib_report rep = {s, x->c, &r, x->n_targets, x->target, seed, cl, wall};
    int bad = writer ? ns_calib_write(ns_atomic_tmp(), &rep, err, sizeof err) : 0;
    if (bad)
        fprintf(stderr, "netsurv: %s\n", err);
    if (writer && ns_atomic_finish(!bad, err, sizeof err)) {
        fprintf(stderr, "netsurv: %s\n", err);
        bad = 1;
    }
    bad = ns_job_mpi_agree(bad);
    if (xc && !bad && ns_job_exchange_finish(xc, err, sizeof err)) {
        fprintf(stderr, "netsurv calibrate: %s\n", err);
        bad = writer ? 0 : 1; /* the file is written; only the shards' files are left */
    }
    ns_job_exchange_close(xc);
    free(cl);
    ns_evalcache_close(x->cache, !bad); /* kept for --resume when the file was not written */
    x->cache = NULL;
    if (!bad && !writer && xc)
        printf("netsurv calibrate: shard %d of %d done (%d points); shard 1 writes %s\n",
               o->shard_k + 1, o->shard_n, r.n, o->output);
    else if (!bad) {
        printf("netsurv %s calibrate: %s\nseries %s, seed %llu, %llu virtual patients per "
               "series, IMIS\n\n", NETSURV_VERSION, s->name, x->c->path,
               (unsigned long long)seed, (unsigned long long)ns_calib_sim_patients(x->sim, 0));
        print_posterior(s, x->c, &r, x);
        printf("\n%d points, %d iterations, effective sample size %.1f, %.1f s; written to %s\n",
               r.n, r.n_iter - 1, r.ess[r.n_iter - 1], wall, o->output);
    }
    ns_imis_result_free(&r);
    return bad ? 1 : 0;
}

int ns_cmd_calibrate(int argc, char **argv)
{
    options o;
    ns_scenario *s;
    int rc = ns_cli_start(argc, argv, &o, &s);
    if (rc)
        return rc;
    if ((!o.check && !o.output) || (o.check && o.shard_n)) {
        fprintf(stderr, o.check ? "netsurv calibrate: --shard splits a calibration (-o FILE), "
                                  "not --check\n"
                                : "netsurv: calibrate needs -o FILE (or --check)\n");
        ns_scenario_free(s);
        return 2;
    }
    ns_errors *e = malloc(sizeof *e);
    ns_calibration *c = NULL;
    const char *path = o.series ? o.series : ns_cli_default_series();
    int bad = !e || ns_calibration_load(path, s, &c, e);
    if (e)
        ns_cli_print_warnings(e);
    if (bad) {
        if (e)
            ns_cli_print_errors("", e);
        free(e);
        ns_scenario_free(s);
        return 2;
    }
    free(e);
    if (o.n_given)
        c->virtual_patients = o.n;
    uint64_t seed = o.seed_given ? o.seed : s->seed;
    char err[256];
    context *x = calloc(1, sizeof *x);
    if (x) {
        x->c = c;
        x->threads = o.threads;
        x->quiet = o.quiet;
        x->sim = ns_calib_sim_new(s, c, seed, c->virtual_patients, err, sizeof err);
    }
    if (!x || !x->sim) {
        fprintf(stderr, "netsurv: %s\n", x ? err : "out of memory");
        rc = 1;
    } else {
        list_targets(x);
        rc = o.check ? check(x, s, seed) : calibrate(x, s, &o, seed);
    }
    if (x)
        ns_calib_sim_free(x->sim);
    free(x);
    ns_calibration_free(c);
    ns_scenario_free(s);
    return rc;
}
