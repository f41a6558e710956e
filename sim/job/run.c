/* A run in one process: the base case (or every sweep point), then PSA and
 * OWSA on the same patients, into a file that appears whole or not at all. */
#include "netsurv/job/job.h"
#include "run.h"
#include "netsurv/output/calib_out.h"
#include "netsurv/engine/checkpoint.h"
#include "netsurv/engine/psa.h"
#include "netsurv/engine/work.h"
#include "netsurv/output/atomic.h"
#include "netsurv/output/h5out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Phase progress from the engine's callback: ctx is the job. */
typedef struct {
    const ns_job *j;
    const char *phase;
} phase_ctx;

static void engine_progress(void *ctx, uint64_t done, uint64_t total)
{
    const phase_ctx *p = ctx;
    if (p->j->progress)
        p->j->progress(p->j->ctx, p->phase, done, total);
}

/* Tells the job's progress callback that a phase of `total` steps begins. */
static void begin_phase(const ns_job *j, const char *phase, uint64_t total)
{
    if (j->progress)
        j->progress(j->ctx, phase, 0, total);
}

static ns_engine_opts engine_opts(const ns_job *j, phase_ctx *p)
{
    ns_engine_opts eo = {.seed = j->seed, .n = j->n, .threads = j->threads, .stop = j->stop,
                         .progress = p ? engine_progress : NULL, .progress_ctx = p};
    return eo;
}

int ns_job_check(const ns_scenario *s, const ns_job *j, ns_errors *e)
{
    if (j->shard_n && j->per_patient)
        ns_errors_add(e, "--shard cannot be combined with --per-patient (the rows of every "
                         "patient are written by one process)");
    else if (s->sweep.n_axes && (j->per_patient || j->owsa || j->voi))
        ns_errors_add(e, "a sweep (%llu points) cannot be combined with --per-patient, --owsa "
                         "or --voi; run those on single points (--psa K runs at every point)",
                      (unsigned long long)s->sweep.n_points);
    else if (j->resume && j->per_patient)
        ns_errors_add(e, "--resume cannot be combined with --per-patient (the rows of every "
                         "patient stream into the file as they are made)");
    else if (j->voi && !j->psa)
        ns_errors_add(e, "--voi needs --psa K: the value of information is computed from the PSA "
                         "draws");
    else if (j->posterior && !j->psa)
        ns_errors_add(e, "--posterior %s needs --psa K: the posterior is what the PSA draws "
                         "from", j->posterior->path ? j->posterior->path : "");
    else if (j->owsa && ns_owsa_count(s) == 0)
        ns_errors_add(e, "--owsa: no parameter of %s has a range:", s->path);
    else
        return NS_JOB_OK;
    return NS_JOB_BAD_INPUT;
}

int ns_job_claim(const ns_job *j, ns_errors *e)
{
    char err[9000];
    int rc = ns_atomic_begin(j->output, j->force, err, sizeof err);
    if (rc)
        ns_errors_add(e, "%.4000s", err);
    return rc == 0 ? NS_JOB_OK : rc == -1 ? NS_JOB_BAD_INPUT : NS_JOB_FAILED;
}

/* --psa K and --owsa: more engine runs on the same patients, into h; each
 * draw and parameter kept in a checkpoint as it finishes, so that a killed
 * run resumed computes only what is missing. */
static int run_uncertainty(ns_h5 *h, const ns_scenario *s, const ns_job *j, ns_errors *e)
{
    ns_job_units u;
    ns__job_plan(s, j, 0, 1, &u);
    u.unit_count = 0; /* the base case is run before, with its own output */
    if (!u.draw_count && !u.setting_count)
        return 0;
    begin_phase(j, u.draw_count ? "PSA" : "OWSA", u.draw_count ? u.draw_count : u.setting_count);
    ns__job_part p;
    int rc = ns__job_part_alloc(s, &u, &p, e) ? -1 : ns__job_compute(s, j, &p, 1, 1, e);
    if (!rc) {
        ns__job_uncertainty x = {(int)u.draw_count, (int)u.setting_count, j->voi, j->n,
                                 p.psa, p.owsa, j->posterior, j->seed, j->threads,
                                 j->quiet ? NULL : j->note, j->ctx};
        rc = ns__job_write_uncertainty(h, s, &x);
    }
    ns__job_part_free(&p);
    return rc == -2 ? -2 : rc ? -1 : 0;
}

/* The strategy with the highest NMB at a point. */
static int best_strategy(const ns_scenario *ps, const ns_strategy_tally *t)
{
    double cost[NS_MAX_STRATEGIES], effect[NS_MAX_STRATEGIES];
    ns_job_cost_effect(ps, t, cost, effect);
    int best = 0;
    for (int k = 1; k < ps->n_strategies; k++)
        if (ps->econ.wtp * effect[k] - cost[k] > ps->econ.wtp * effect[best] - cost[best])
            best = k;
    return best;
}

/* Point p of a sweep: from the checkpoint when it is there, else run and
 * recorded; then its rows. */
static int sweep_point(ns_h5 *h, const ns_scenario *s, const ns_job *j, ns_checkpoint *c,
                       uint64_t p, ns_strategy_tally *t, ns_errors *e)
{
    ns_scenario *pt = NULL;
    ns_engine_opts eo = engine_opts(j, NULL);
    int rc = ns_scenario_load_point(s, p, &pt, e);
    if (!rc && !ns_checkpoint_get(c, p, t)) {
        rc = ns_engine_run(pt, &eo, t);
        if (!rc && ns_checkpoint_put(c, p, t)) {
            ns_errors_add(e, "cannot record sweep point %llu in the checkpoint: %s",
                          (unsigned long long)p, strerror(errno));
            rc = -1;
        }
    }
    rc = rc || ns__job_write_point(h, p, pt, t);
    if (!rc && j->point_done)
        j->point_done(j->ctx, p, pt, t, best_strategy(pt, t));
    ns_scenario_free(pt);
    return rc ? -1 : 0;
}

/* A sweep: every point on the same patients, each row written when done and
 * recorded in a checkpoint so --resume computes only what is missing. */
static int run_sweep(ns_h5 *h, const ns_scenario *s, const ns_job *j, ns_strategy_tally *t,
                     ns_errors *e)
{
    char ck[4200], err[600];
    ns__job_checkpoint_path(j->output, ck, sizeof ck);
    uint64_t P = s->sweep.n_points;
    int refused;
    ns_checkpoint *c = ns_checkpoint_open(ck, ns_run_fingerprint(s, j->seed, j->n), P,
                                          ns_tally_count(s), s->n_strategies, j->n, j->resume,
                                          &refused, err, sizeof err);
    if (!c) {
        ns_errors_add(e, "%s", err);
        return refused ? -2 : -1;
    }
    if (j->resume && j->note) {
        snprintf(err, sizeof err, "resuming: %llu of %llu points already done",
                 (unsigned long long)ns_checkpoint_done(c), (unsigned long long)P);
        j->note(j->ctx, err);
    }
    int rc = ns_h5_write_sweep(h);
    begin_phase(j, "sweep", P);
    for (uint64_t p = 0; p < P && !rc; p++) {
        rc = sweep_point(h, s, j, c, p, t, e);
        if (j->progress)
            j->progress(j->ctx, "sweep", p + 1, P);
    }
    ns_checkpoint_close(c, rc == 0);
    return rc ? -1 : 0;
}

/* A sweep with --psa K: the work units of every point and K draws at each
 * point as the items of one part (as a single shard runs them), kept in one
 * checkpoint for --resume; then the file a merge of shards writes. */
static int run_sweep_psa(ns_h5 *h, const ns_scenario *s, const ns_job *j, ns_errors *e)
{
    ns_job_units u;
    ns__job_plan(s, j, 0, 1, &u);
    begin_phase(j, "PSA", u.draw_count);
    ns__job_part p;
    int rc = ns__job_part_alloc(s, &u, &p, e) ? -1 : ns__job_compute(s, j, &p, 1, 1, e);
    if (!rc) {
        ns__job_uncertainty x = {(int)u.draw_count, 0, 0, j->n, p.psa, p.owsa, j->posterior,
                                 j->seed, j->threads, j->quiet ? NULL : j->note, j->ctx};
        rc = ns__job_write_units(h, s, p.units, &x, e);
    }
    ns__job_part_free(&p);
    return rc == -2 ? -2 : rc ? -1 : 0;
}

/* The base case of a single run with --resume: the job of its work units
 * alone, whose checkpoint is .OUT.base.netsurv-checkpoint (apart from the
 * one of the PSA draws and OWSA parameters, so that either can be resumed
 * without the other). */
static void base_job(const ns_job *j, ns_job *jb, char *out, size_t len)
{
    *jb = *j;
    snprintf(out, len, "%s.base", j->output);
    jb->output = out;
    jb->psa = jb->owsa = jb->voi = 0;
    jb->posterior = NULL;
}

/* That base case, unit by unit, each kept in its checkpoint, folded into t
 * (the same tallies as one engine run of every patient). 0, -1, or -2 for
 * another run's checkpoint. */
static int run_base_units(const ns_scenario *s, const ns_job *j, ns_strategy_tally *t,
                          ns_errors *e)
{
    ns_job jb;
    char out[4200];
    base_job(j, &jb, out, sizeof out);
    ns_job_units u;
    ns__job_plan(s, &jb, 0, 1, &u);
    ns__job_part p;
    int rc = ns__job_part_alloc(s, &u, &p, e) ? -1 : ns__job_compute(s, &jb, &p, 1, 1, e);
    if (!rc)
        ns_engine_fold(ns_tally_count(s), p.units, u.unit_count, t);
    ns__job_part_free(&p);
    return rc;
}

/* Everything `netsurv run` computes, into the open file h. */
static int run_all(ns_h5 *h, const ns_scenario *s, const ns_job *j, ns_strategy_tally *t,
                   double *cost, double *effect, ns_errors *e)
{
    if (s->sweep.n_axes && j->psa)
        return run_sweep_psa(h, s, j, e);
    if (s->sweep.n_axes)
        return run_sweep(h, s, j, t, e);
    phase_ctx pc = {j, "patients"};
    begin_phase(j, "patients", j->n);
    ns_engine_opts eo = engine_opts(j, &pc);
    eo.fill = j->per_patient ? ns_h5_fill_rows : NULL;
    eo.flush = j->per_patient ? ns_h5_flush_rows : NULL;
    eo.sink_ctx = h;
    int base = j->resume && !j->per_patient ? run_base_units(s, j, t, e) : ns_engine_run(s, &eo, t);
    if (base == -2)
        return -2;
    if (base || ns_h5_write_summary(h, t))
        return -1;
    ns_job_cost_effect(s, t, cost, effect);
    if (ns_h5_write_economics(h, cost, effect))
        return -1;
    return run_uncertainty(h, s, j, e);
}

int ns_job_run(const ns_scenario *s, const ns_job *j, ns_strategy_tally *t, double *cost,
               double *effect, ns_errors *e)
{
    ns_run_info info = {j->seed, j->n, j->command_line ? j->command_line : ""};
    char err[512];
    ns_h5 *h = ns_h5_create(ns_atomic_tmp(), s, &info, j->per_patient, err, sizeof err);
    if (!h) {
        ns_errors_add(e, "%s", err);
        return ns__job_finish(-1, e);
    }
    ns_h5_set_threads(h, j->threads);
    int rc = run_all(h, s, j, t, cost, effect, e), refused = rc == -2;
    rc |= ns_h5_close(h);
    rc = ns__job_finish(rc, e);
    if (refused) /* another run's or a damaged checkpoint given to --resume: bad input */
        rc = NS_JOB_BAD_INPUT;
    if (!rc && (j->psa || j->owsa))
        ns__job_checkpoint_done(j);
    if (!rc && j->resume && !j->per_patient && !s->sweep.n_axes) {
        ns_job jb;
        char out[4200];
        base_job(j, &jb, out, sizeof out);
        ns__job_checkpoint_done(&jb);
    }
    return rc;
}
