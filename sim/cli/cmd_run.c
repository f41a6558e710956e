/* `netsurv run`: a run, a sweep, one shard of either, or a run over MPI
 * ranks (job/job.h does the work); prints what it wrote and, for a single
 * point, the per-strategy and incremental tables. */
#include "commands.h"
#include "common.h"
#include "progress.h"
#include "tables.h"
#include "netsurv/engine/psa.h"
#include "netsurv/job/job.h"
#include "netsurv/output/calib_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the job's callbacks need. */
typedef struct {
    const ns_scenario *s;
    ns_cli_progress_state progress;
    char phase[64];
} run_view;

static void progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    ns_cli_progress(&((run_view *)ctx)->progress, phase, done, total);
}

/* A sweep point's row, printed after the progress line is cleared: its
 * number, every swept path with its value, and the strategy with the
 * highest NMB. */
static void point_done(void *ctx, uint64_t p, const ns_scenario *pt, const ns_strategy_tally *t,
                       int best)
{
    run_view *v = ctx;
    const ns_sweep *w = &v->s->sweep;
    int idx[NS_MAX_AXES];
    char vals[4096] = "";
    (void)t;
    ns_sweep_indices(w, p, idx);
    for (int a = 0; a < w->n_axes; a++) {
        size_t used = strlen(vals);
        snprintf(vals + used, sizeof vals - used, "  %s=%g", w->axis[a].path,
                 w->axis[a].values[idx[a]]);
    }
    ns_cli_progress_print(&v->progress, stdout, "point %llu/%llu%s  highest NMB: %s\n",
                          (unsigned long long)p + 1, (unsigned long long)w->n_points, vals,
                          pt->strategy[best].name);
}

/* Notes (resuming; without --quiet also the time the value of information took
 * and what it could not estimate) go to stderr between the progress line's
 * redraws. */
static void note(void *ctx, const char *message)
{
    ns_cli_progress_print(&((run_view *)ctx)->progress, stderr, "netsurv run: %s\n", message);
}

static ns_job job_of(const options *o, const char *cmdline, run_view *v)
{
    ns_job j = {.output = o->output, .force = o->force, .command_line = cmdline,
                .seed = o->seed, .n = o->n, .threads = o->threads,
                .per_patient = o->per_patient, .psa = o->psa, .owsa = o->owsa, .voi = o->voi,
                .resume = o->resume, .quiet = o->quiet, .shard_k = o->shard_k, .shard_n = o->shard_n,
                .progress = progress, .point_done = point_done, .note = note, .ctx = v};
    ns_cli_progress_init(&v->progress, "netsurv run", o->quiet, o->n);
    return j;
}

/* What the file holds, group by group. */
static void print_written(const ns_scenario *s, const ns_job *j)
{
    printf("wrote %s:\n", j->output);
    if (s->sweep.n_axes)
        printf("  /sweep: %llu points over %d swept paths; /summary and /economics of %d "
               "strategies at every point\n", (unsigned long long)s->sweep.n_points,
               s->sweep.n_axes, s->n_strategies);
    else
        printf("  /summary and /economics: %d strategies, %llu patients\n", s->n_strategies,
               (unsigned long long)j->n);
    if (j->per_patient)
        printf("  /patients: %llu rows, and one group per strategy\n", (unsigned long long)j->n);
    if (j->psa && s->sweep.n_axes)
        printf("  /sweep_psa: %d draws at each point (the same draws), one group per point "
               "laid out as /psa\n", j->psa);
    else if (j->psa)
        printf("  /psa: %d draws of %d parameters; cost and effect per draw and strategy; CEAC, "
               "CEAF and EVPI over willingness to pay 0-%g by %g\n", j->psa, ns_psa_count(s),
               s->econ.wtp_max, s->econ.wtp_step);
    if (j->owsa)
        printf("  /owsa: %d parameters, each at its range's low and high value; cost, effect "
               "and NMB per strategy\n", ns_owsa_count(s));
}

/* The base case or sweep in this process; prints the tables. */
static int run_here(const ns_scenario *s, ns_job *j, run_view *v, ns_errors *e)
{
    ns_strategy_tally *t = calloc((size_t)ns_tally_count(s), sizeof *t);
    double cost[NS_MAX_STRATEGIES], effect[NS_MAX_STRATEGIES];
    if (!t) {
        fprintf(stderr, "netsurv run: out of memory\n");
        return 1;
    }
    if (s->sweep.n_axes)
        ns_cli_progress_print(&v->progress, stdout, "sweep: %llu points over %d paths, %llu "
                              "patients each\n", (unsigned long long)s->sweep.n_points,
                              s->sweep.n_axes, (unsigned long long)j->n);
    int rc = ns_job_run(s, j, t, cost, effect, e);
    ns_cli_progress_end(&v->progress);
    if (!rc) {
        printf("%snetsurv %s: %s\n%llu patients, seed %llu, %d strategies -> %s\n",
               s->sweep.n_axes ? "\n" : "", NETSURV_VERSION, s->name, (unsigned long long)j->n,
               (unsigned long long)j->seed, s->n_strategies, j->output);
        print_written(s, j);
        putchar('\n');
        if (!s->sweep.n_axes) {
            ns_cli_print_run_table(s, t);
            ns_cli_print_outcome_table(s, t);
            ns_cli_print_qaly_parts(s, t);
            ns_cli_print_icer_table(s, cost, effect);
            if (s->n_groups)
                ns_cli_print_group_table(s, t);
        }
    }
    free(t);
    return rc;
}

static int run_shard(const ns_scenario *s, ns_job *j, run_view *v, ns_errors *e)
{
    ns_job_units u;
    snprintf(v->phase, sizeof v->phase, "shard %d/%d", j->shard_k + 1, j->shard_n);
    ns_cli_progress(&v->progress, v->phase, 0, 0); /* the heartbeat names it */
    int rc = ns_job_shard(s, j, &u, e);
    ns_cli_progress_end(&v->progress);
    if (!rc) {
        printf("shard %d/%d: work units %llu-%llu of %llu", j->shard_k + 1, j->shard_n,
               (unsigned long long)u.unit_first, (unsigned long long)(u.unit_first + u.unit_count),
               (unsigned long long)u.total_units);
        if (u.total_draws)
            printf(", PSA draws %llu-%llu of %llu", (unsigned long long)u.draw_first,
                   (unsigned long long)(u.draw_first + u.draw_count),
                   (unsigned long long)u.total_draws);
        if (u.total_settings)
            printf(", OWSA parameters %llu-%llu of %llu", (unsigned long long)u.setting_first,
                   (unsigned long long)(u.setting_first + u.setting_count),
                   (unsigned long long)u.total_settings);
        printf(" -> %s\n", j->output);
    }
    return rc;
}

static int run_ranks(const options *o, ns_job *j, run_view *v, ns_errors *e)
{
    ns_scenario *s = ns_cli_load(o);
    v->s = s;
    if (s)
        j->seed = o->seed_given ? o->seed : s->seed;
    /* every rank reads the posterior and checks the options: a rank that
     * cannot runs with no scenario, so that all of them stop together */
    ns_posterior post = {0};
    char err[1200];
    if (s && o->posterior && ns_calib_read_posterior(o->posterior, s, &post, err, sizeof err)) {
        ns_errors_add(e, "--posterior: %s", err);
        ns_scenario_free(s);
        s = NULL;
        v->s = NULL;
    }
    j->posterior = o->posterior && s ? &post : NULL;
    if (s && ns_job_check(s, j, e)) {
        ns_scenario_free(s);
        s = NULL;
        v->s = NULL;
    }
    int rc = ns_job_run_mpi(s, j, e);
    ns_cli_progress_end(&v->progress);
    if (!rc) {
        printf("netsurv %s: %llu points x %llu patients", NETSURV_VERSION,
               (unsigned long long)s->sweep.n_points, (unsigned long long)o->n);
        if (o->psa)
            printf(", %d PSA draws", o->psa);
        if (o->owsa)
            printf(", %d OWSA parameters", ns_owsa_count(s));
        printf(" on %d ranks -> %s\n", ns_job_mpi_size(), o->output);
    }
    ns_posterior_free(&post);
    j->posterior = NULL;
    ns_scenario_free(s);
    return rc;
}

static int run_once(const options *o, ns_job *j, run_view *v, ns_errors *e)
{
    if (ns_job_mpi_size() > 1)
        return run_ranks(o, j, v, e);
    int rc = ns_job_claim(j, e);
    if (rc)
        return rc;
    ns_scenario *s = ns_cli_load(o);
    if (!s)
        return 2;
    v->s = s;
    j->seed = o->seed_given ? o->seed : s->seed;
    ns_posterior post = {0};
    char err[1200];
    if (o->posterior && ns_calib_read_posterior(o->posterior, s, &post, err, sizeof err)) {
        ns_errors_add(e, "--posterior: %s", err);
        rc = NS_JOB_BAD_INPUT;
    }
    j->posterior = o->posterior && !rc ? &post : NULL;
    if (!rc)
        rc = ns_job_check(s, j, e);
    if (!rc)
        rc = j->shard_n ? run_shard(s, j, v, e) : run_here(s, j, v, e);
    ns_posterior_free(&post);
    j->posterior = NULL;
    ns_scenario_free(s);
    return rc;
}

int ns_cmd_run(int argc, char **argv)
{
    options o;
    int rc = ns_cli_parse(argc, argv, &o);
    if (rc)
        return rc;
    if (!o.output) {
        fprintf(stderr, "netsurv run: -o FILE is required\n");
        return 2;
    }
    ns_errors *e = calloc(1, sizeof *e);
    char *cmdline = ns_cli_join_args(argc, argv);
    run_view v = {0};
    ns_job j = job_of(&o, cmdline ? cmdline : "", &v);
    ns_cli_guard_output();
    rc = e ? run_once(&o, &j, &v, e) : 1;
    ns_cli_progress_end(&v.progress); /* if the run did not get to it */
    if (e)
        ns_cli_print_errors("netsurv run: ", e);
    if (o.peak_memory)
        fprintf(stderr, "peak resident memory: %ld KiB\n", ns_cli_peak_rss_kib());
    free(cmdline);
    free(e);
    return rc;
}
