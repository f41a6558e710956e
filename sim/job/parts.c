/* The work of a run as items that a process, a shard or an MPI rank each
 * run some of: base-case work units, PSA draws, OWSA parameters; and the
 * results file written from all of them, as one process writes it. */
#include "netsurv/job/job.h"
#include "netsurv/engine/checkpoint.h"
#include "netsurv/engine/work.h"
#include "netsurv/numeric/hash.h"
#include "netsurv/output/atomic.h"
#include "netsurv/output/calib_out.h"
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ns__job_plan(const ns_scenario *s, const ns_job *j, int k, int N, ns_job_units *u)
{
    memset(u, 0, sizeof *u);
    u->total_units = ns_work_total(s, j->n);
    /* a sweep's PSA: K draws at every point, point p's draw k the item p * K + k */
    u->total_draws = (uint64_t)(j->psa > 0 ? j->psa : 0) * s->sweep.n_points;
    u->total_settings = j->owsa ? (uint64_t)ns_owsa_count(s) : 0;
    ns_work_share(u->total_units, k, N, &u->unit_first, &u->unit_count);
    ns_work_share(u->total_draws, k, N, &u->draw_first, &u->draw_count);
    ns_work_share(u->total_settings, k, N, &u->setting_first, &u->setting_count);
}

uint64_t ns__job_posterior_hash(const ns_posterior *post)
{
    if (!post)
        return 0;
    uint64_t h = ns_hash64(NS_HASH_SEED, &post->d, sizeof post->d);
    h = ns_hash64(h, &post->n, sizeof post->n);
    h = ns_hash64(h, post->param, sizeof *post->param * (size_t)post->d);
    h = ns_hash64(h, post->theta, sizeof *post->theta * (size_t)post->d * (size_t)post->n);
    return ns_hash64(h, post->weight, sizeof *post->weight * (size_t)post->n) | 1;
}

uint64_t ns__job_fingerprint(const ns_scenario *s, const ns_job *j)
{
    uint64_t v[6] = {ns_run_fingerprint(s, j->seed, j->n), (uint64_t)j->psa, (uint64_t)j->owsa,
                     (uint64_t)j->voi, ns__job_posterior_hash(j->posterior),
                     (uint64_t)j->shard_k << 32 | (uint64_t)j->shard_n};
    return ns_hash64(NS_HASH_SEED, v, sizeof v);
}

int ns__job_part_alloc(const ns_scenario *s, const ns_job_units *u, ns__job_part *p,
                       ns_errors *e)
{
    uint64_t T = (uint64_t)ns_tally_count(s), R = ns_psa_row_len(s),
             Q = 4 * (uint64_t)s->n_strategies;
    memset(p, 0, sizeof *p);
    p->u = *u;
    int fits = u->unit_count <= (SIZE_MAX / sizeof *p->units - 1) / T &&
               u->draw_count <= (SIZE_MAX / sizeof(double) - 1) / R &&
               u->setting_count <= (SIZE_MAX / sizeof(double) - 1) / Q;
    if (fits) {
        p->units = calloc(u->unit_count * T + 1, sizeof *p->units);
        p->psa = calloc(u->draw_count * R + 1, sizeof *p->psa);
        p->owsa = calloc(u->setting_count * Q + 1, sizeof *p->owsa);
    }
    if (!p->units || !p->psa || !p->owsa) {
        ns_errors_add(e, "cannot hold the tallies of %llu work units, with %llu PSA draws and "
                      "%llu OWSA parameters (%.3g GiB), in memory: use more shards (--shard "
                      "K/N with a larger N) or fewer patients",
                      (unsigned long long)u->unit_count, (unsigned long long)u->draw_count,
                      (unsigned long long)u->setting_count,
                      ((double)u->unit_count * T * sizeof *p->units +
                       8.0 * ((double)u->draw_count * R + (double)u->setting_count * Q)) /
                          1073741824.0);
        ns__job_part_free(p);
        return -1;
    }
    return 0;
}

void ns__job_part_free(ns__job_part *p)
{
    free(p->units);
    free(p->psa);
    free(p->owsa);
    p->units = NULL;
    p->psa = p->owsa = NULL;
}

/* A unit's record read back from a checkpoint must count the patients
 * its unit holds (65,536, fewer in a point's last unit) for every strategy. */
typedef struct {
    const ns_scenario *s;
    uint64_t unit_first, unit_count, n;
} unit_check;

static int unit_fits(void *ctx, uint64_t i, const void *rec)
{
    const unit_check *c = ctx;
    if (i >= c->unit_count)
        return 0;
    uint64_t U = ns_engine_units(c->n), u = (c->unit_first + i) % U;
    uint64_t want = u + 1 < U ? NS_UNIT_PATIENTS : c->n - u * NS_UNIT_PATIENTS;
    const ns_strategy_tally *t = rec;
    for (int k = 0; k < c->s->n_strategies; k++)
        if (t[k].n_patients != want)
            return -1;
    return 0;
}

/* "DIR/.NAME.netsurv-checkpoint" beside the output. */
void ns__job_checkpoint_path(const char *out, char *buf, size_t len)
{
    ns_path_beside(out, "netsurv-checkpoint", buf, len);
}

static void tell(const ns_job *j, const char *phase, uint64_t done, uint64_t total, int report)
{
    if (report && j->progress && total)
        j->progress(j->ctx, phase, done, total);
}

/* PSA draw d of the run as a row: draw d of s, or with a sweep draw d % K
 * of point d / K (its scenario loaded into *pt once for its draws; *at the
 * point it holds), so that every point has the same K draws. 0 or -1. */
static int draw_row(const ns_scenario *s, const ns_engine_opts *eo, const ns_job *j,
                    uint64_t d, ns_scenario **pt, uint64_t *at, ns_scenario *work,
                    ns_strategy_tally *t, double *row, ns_errors *e)
{
    if (!s->sweep.n_axes)
        return ns_psa_draw_row(s, eo, j->posterior, d, work, t, row);
    uint64_t K = (uint64_t)j->psa, p = d / K;
    if (*at != p) {
        ns_scenario_free(*pt);
        *pt = NULL;
        *at = UINT64_MAX;
        if (ns_scenario_load_point(s, p, pt, e))
            return -1;
        *at = p;
        if (ns_psa_row_len(*pt) != ns_psa_row_len(s)) {
            ns_errors_add(e, "--psa with a sweep: point %llu draws %llu numbers per PSA draw, "
                          "the scenario %llu (a swept parameter changes what the PSA draws)",
                          (unsigned long long)p, (unsigned long long)ns_psa_row_len(*pt),
                          (unsigned long long)ns_psa_row_len(s));
            return -1;
        }
    }
    return ns_psa_draw_row(*pt, eo, j->posterior, d % K, work, t, row);
}

/* Runs the part's items, each kept in (and, when there, taken from) the
 * checkpoint c (NULL: none). 0 or -1. */
static int compute(const ns_scenario *s, const ns_job *j, ns__job_part *p, ns_checkpoint *c,
                   int report, ns_errors *e)
{
    const ns_job_units *u = &p->u;
    uint64_t T = (uint64_t)ns_tally_count(s), R = ns_psa_row_len(s),
             Q = 4 * (uint64_t)s->n_strategies;
    ns_engine_opts eo = {.seed = j->seed, .n = j->n, .threads = j->threads, .stop = j->stop};
    int rc = 0;
    /* base-case units: without a checkpoint in one go, else one at a time */
    if (!c && u->unit_count)
        rc = ns_work_run(s, &eo, u->unit_first, u->unit_count, p->units, e);
    for (uint64_t i = 0; c && i < u->unit_count && !rc; i++) {
        ns_strategy_tally *to = p->units + i * T;
        const void *had = ns_checkpoint_get_item(c, i);
        if (had)
            memcpy(to, had, sizeof *to * T);
        else
            rc = ns_work_run(s, &eo, u->unit_first + i, 1, to, e) ||
                 ns_checkpoint_put_item(c, i, to);
        if (!u->draw_count && !u->setting_count) /* a base case alone: patients done */
            tell(j, "patients", (i + 1) * NS_UNIT_PATIENTS < j->n ? (i + 1) * NS_UNIT_PATIENTS
                                                                  : j->n, j->n, report);
        if (j->stop && *j->stop)
            rc = -1;
    }
    ns_scenario *work = malloc(sizeof *work), *pt = NULL;
    uint64_t at = UINT64_MAX; /* the sweep point pt holds */
    ns_strategy_tally *t = calloc(T, sizeof *t);
    rc = rc || !work || !t;
    /* then the rows: PSA draws (kind 1), OWSA parameters (kind 2), items
     * after the units in the checkpoint */
    uint64_t base = u->unit_count;
    for (int kind = 1; kind <= 2 && !rc; kind++) {
        uint64_t n = kind == 1 ? u->draw_count : u->setting_count, len = kind == 1 ? R : Q;
        uint64_t first = kind == 1 ? u->draw_first : u->setting_first;
        for (uint64_t i = 0; i < n && !rc; i++) {
            double *row = (kind == 1 ? p->psa : p->owsa) + i * len;
            const void *had = c ? ns_checkpoint_get_item(c, base + i) : NULL;
            if (had)
                memcpy(row, had, sizeof *row * len);
            else if (kind == 1)
                rc = draw_row(s, &eo, j, first + i, &pt, &at, work, t, row, e) ||
                     (c && ns_checkpoint_put_item(c, base + i, row));
            else
                rc = ns_owsa_setting_row(s, &eo, (int)(first + i), work, t, row) ||
                     (c && ns_checkpoint_put_item(c, base + i, row));
            tell(j, kind == 1 ? "PSA" : "OWSA", i + 1, n, report);
            if (j->stop && *j->stop)
                rc = -1;
        }
        base += n;
    }
    free(work);
    free(t);
    ns_scenario_free(pt);
    return rc ? -1 : 0;
}

int ns__job_compute(const ns_scenario *s, const ns_job *j, ns__job_part *p, int checkpoint,
                    int report, ns_errors *e)
{
    if (!checkpoint)
        return compute(s, j, p, NULL, report, e);
    char path[4200], err[4600];
    ns__job_checkpoint_path(j->output, path, sizeof path);
    const ns_job_units *u = &p->u;
    ns_ckpt_kinds k = {3,
                       {u->unit_count, u->draw_count, u->setting_count},
                       {sizeof(ns_strategy_tally) * (size_t)ns_tally_count(s),
                        sizeof(double) * ns_psa_row_len(s),
                        sizeof(double) * 4 * (size_t)s->n_strategies},
                       {"work unit", "PSA draw", "OWSA parameter"}};
    unit_check uc = {s, u->unit_first, u->unit_count, j->n};
    int refused;
    ns_checkpoint *c = ns_checkpoint_open_kinds(path, ns__job_fingerprint(s, j), &k, unit_fits,
                                                &uc, j->resume, &refused, err, sizeof err);
    if (!c) {
        ns_errors_add(e, "%s", err);
        return refused ? -2 : -1;
    }
    if (j->resume && j->note) {
        snprintf(err, sizeof err, "resuming: %llu of %llu work units, PSA draws and OWSA "
                 "parameters already done", (unsigned long long)ns_checkpoint_done(c),
                 (unsigned long long)(u->unit_count + u->draw_count + u->setting_count));
        j->note(j->ctx, err);
    }
    int rc = compute(s, j, p, c, report, e);
    if (rc && !e->n && errno && !(j->stop && *j->stop))
        ns_errors_add(e, "cannot record work in the checkpoint %s: %s", path, strerror(errno));
    /* kept when the run did not finish: --resume takes it up; removed by
     * ns__job_checkpoint_done once the output is in place */
    ns_checkpoint_close(c, 0);
    return rc;
}

void ns__job_checkpoint_done(const ns_job *j)
{
    char path[4200];
    ns__job_checkpoint_path(j->output, path, sizeof path);
    unlink(path);
}

/* A sweep's PSA (x->K draws: x->K / P at each of its P points): each
 * point's draws into /sweep_psa/point_NNNNNN, as /psa of a run of that
 * point alone. 0 or -1. */
static int write_sweep_psa(ns_h5 *h, const ns_scenario *s, const ns__job_uncertainty *x)
{
    uint64_t P = s->sweep.n_points, R = ns_psa_row_len(s);
    int K = (int)((uint64_t)x->K / P), S = s->n_strategies, NP = ns_psa_count(s);
    size_t Kz = (size_t)K;
    double *v = malloc(sizeof *v * (Kz * (size_t)NP + 2 * Kz * (size_t)S + 1));
    int rc = !v || ns_h5_begin_sweep_psa(h, K);
    char name[64];
    for (uint64_t p = 0; p < P && !rc; p++) {
        ns_scenario *pt = NULL;
        ns_errors le;
        if (ns_scenario_load_point(s, p, &pt, &le))
            rc = -1;
        else {
            double *cost = v + Kz * NP, *effect = cost + Kz * S;
            ns_psa_rows_split(pt, K, x->psa_rows + p * (uint64_t)K * R, cost, effect, v, NULL);
            snprintf(name, sizeof name, "sweep_psa/point_%06llu", (unsigned long long)p);
            ns_h5_set_point(h, p, pt);
            ns_h5_set_psa_group(h, name);
            rc = ns_h5_write_psa(h, K, x->n, v, cost, effect);
            ns_h5_set_psa_group(h, NULL);
            ns_h5_set_point(h, p, NULL);
        }
        ns_scenario_free(pt);
    }
    rc = rc || (x->posterior && ns_h5_note_posterior(h, x->posterior));
    free(v);
    return rc ? -1 : 0;
}

int ns__job_write_uncertainty(ns_h5 *h, const ns_scenario *s, const ns__job_uncertainty *x)
{
    if (s->sweep.n_axes)
        return x->K > 0 ? write_sweep_psa(h, s, x) : 0;
    int S = s->n_strategies, P = ns_psa_count(s), G = s->n_groups, rc = 0;
    if (x->K > 0) {
        size_t K = (size_t)x->K, KG = K * (size_t)G;
        double *v = malloc(sizeof *v * (K * (size_t)P + 2 * K * (size_t)S + 1));
        double *gv = KG ? malloc(sizeof *gv * (2 * KG * (size_t)S + KG)) : NULL;
        ns_psa_groups pg = {gv, gv ? gv + KG * S : NULL, gv ? gv + 2 * KG * S : NULL};
        double *values = v, *cost = v ? v + K * P : NULL, *effect = v ? v + K * P + K * S : NULL;
        rc = !v || (KG && !gv);
        if (!rc)
            ns_psa_rows_split(s, x->K, x->psa_rows, cost, effect, values, KG ? &pg : NULL);
        rc = rc || ns_h5_write_psa(h, x->K, x->n, values, cost, effect) ||
             (x->posterior && ns_h5_note_posterior(h, x->posterior)) ||
             (KG && ns_h5_write_psa_groups(h, x->K, pg.cost, pg.effect, pg.share)) ||
             (x->voi && ns__job_evppi(h, s, x, values, cost, effect, KG ? &pg : NULL)) ||
             (x->voi && ns__job_evsi(h, s, x, cost, effect, KG ? &pg : NULL));
        free(v);
        free(gv);
    }
    if (x->Q > 0 && !rc) {
        size_t qs = (size_t)x->Q * S;
        double *v = malloc(sizeof *v * (4 * qs + 1));
        rc = !v;
        if (v)
            ns_owsa_rows_split(s, x->Q, x->owsa_rows, v, v + qs, v + 2 * qs, v + 3 * qs);
        rc = rc || ns_h5_write_owsa(h, x->Q, v, v + qs, v + 2 * qs, v + 3 * qs);
        free(v);
    }
    return rc ? -1 : 0;
}

int ns__job_fold_points(const ns_scenario *s, uint64_t n, const ns_strategy_tally *units,
                        ns_strategy_tally **pts, ns_errors *e)
{
    uint64_t P = s->sweep.n_points, U = ns_engine_units(n);
    int T = ns_tally_count(s);
    *pts = calloc(P * (uint64_t)T, sizeof **pts);
    if (!*pts) {
        ns_errors_add(e, "out of memory");
        return -1;
    }
    for (uint64_t p = 0; p < P; p++)
        ns_engine_fold(T, units + p * U * (uint64_t)T, U, *pts + p * (uint64_t)T);
    return 0;
}

int ns__job_write_units(ns_h5 *h, const ns_scenario *s, const ns_strategy_tally *units,
                        const ns__job_uncertainty *x, ns_errors *e)
{
    ns_strategy_tally *pts;
    if (ns__job_fold_points(s, x->n, units, &pts, e))
        return -1;
    int rc = ns__job_write_results(h, s, pts, e) || ns__job_write_uncertainty(h, s, x);
    free(pts);
    return rc ? -1 : 0;
}

int ns__job_write_whole(const ns_scenario *s, const ns_run_info *info,
                        const ns_strategy_tally *pts, const ns__job_uncertainty *x,
                        ns_errors *e)
{
    char err[512];
    ns_h5 *h = ns_h5_create(ns_atomic_tmp(), s, info, 0, err, sizeof err);
    if (!h)
        ns_errors_add(e, "%s", err);
    int rc = !h || ns__job_write_results(h, s, pts, e) || ns__job_write_uncertainty(h, s, x);
    if (h)
        rc |= ns_h5_close(h);
    return ns__job_finish(rc, e);
}
