/* Shards of a run (`run --shard K/N`) and their merge into the file a single
 * run writes. */
#include "netsurv/job/job.h"
#include "netsurv/engine/work.h"
#include "netsurv/output/atomic.h"
#include "netsurv/output/calib_out.h"
#include "netsurv/output/shard.h"
#include "run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ns_job_shard(const ns_scenario *s, const ns_job *j, ns_job_units *u, ns_errors *e)
{
    ns__job_plan(s, j, j->shard_k, j->shard_n, u);
    ns__job_part p;
    if (ns__job_part_alloc(s, u, &p, e))
        return ns__job_finish(-1, NULL);
    int rc = ns__job_compute(s, j, &p, 1, 0, e), refused = rc == -2;
    if (!rc) {
        ns_shard_info in = {.fingerprint = ns_run_fingerprint(s, j->seed, j->n),
                            .seed = j->seed, .n_patients = j->n, .unit_first = u->unit_first,
                            .unit_count = u->unit_count, .total_units = u->total_units,
                            .shard = j->shard_k + 1, .n_shards = j->shard_n,
                            .draw_first = u->draw_first, .draw_count = u->draw_count,
                            .total_draws = u->total_draws, .setting_first = u->setting_first,
                            .setting_count = u->setting_count,
                            .total_settings = u->total_settings,
                            .psa_row = u->total_draws ? ns_psa_row_len(s) : 0,
                            .owsa_row = u->total_settings ? 4 * (uint64_t)s->n_strategies : 0,
                            .voi = j->voi};
        if (j->posterior) {
            in.posterior_hash = ns__job_posterior_hash(j->posterior);
            in.posterior_points = (uint64_t)j->posterior->n;
            in.posterior_d = j->posterior->d < 64 ? j->posterior->d : 64;
            memcpy(in.posterior_param, j->posterior->param,
                   sizeof *in.posterior_param * (size_t)in.posterior_d);
            in.posterior_path = j->posterior->path;
        }
        ns_shard_data d = {p.units, p.psa, p.owsa};
        char err[512];
        rc = ns_h5_write_shard(ns_atomic_tmp(), s, &in, j->command_line ? j->command_line : "",
                               &d, err, sizeof err);
        if (rc)
            ns_errors_add(e, "%s", err);
    }
    ns__job_part_free(&p);
    rc = ns__job_finish(rc, e);
    if (!rc)
        ns__job_checkpoint_done(j);
    return refused ? NS_JOB_BAD_INPUT : rc;
}

/* Reads shard i into in[i] and u[i] (its PSA and OWSA rows; not its units); 0 or -1. */
static int read_all(char *const *paths, int n, ns_shard_info *in, ns_shard_data *u,
                    ns_errors *e)
{
    char err[700];
    for (int i = 0; i < n; i++) {
        if (ns_h5_read_shard(paths[i], &in[i], &u[i], err, sizeof err)) {
            ns_errors_add(e, "%s", err);
            return -1;
        }
        free(u[i].units); /* checked here; folded later, one shard at a time */
        u[i].units = NULL;
    }
    for (int i = 1; i < n; i++)
        if (in[i].fingerprint != in[0].fingerprint || in[i].n_shards != in[0].n_shards ||
            in[i].total_units != in[0].total_units || in[i].n_patients != in[0].n_patients ||
            in[i].seed != in[0].seed || in[i].n_strategies != in[0].n_strategies ||
            in[i].n_tallies != in[0].n_tallies || in[i].total_draws != in[0].total_draws ||
            in[i].total_settings != in[0].total_settings || in[i].psa_row != in[0].psa_row ||
            in[i].voi != in[0].voi || in[i].posterior_hash != in[0].posterior_hash ||
            strcmp(in[i].version, in[0].version) != 0) {
            ns_errors_add(e, "%s and %s are shards of different runs (scenario, overrides, "
                             "seed, patients, --psa, --owsa, --voi, --posterior, shard count "
                             "or netsurv version differ)",
                          paths[0], paths[i]);
            return -1;
        }
    return 0;
}

/* Every shard 1..N given exactly once; 0 or -1. */
static int check_complete(char *const *paths, int n, const ns_shard_info *in, ns_errors *e)
{
    int N = in[0].n_shards, rc = 0;
    char *seen = calloc((size_t)N + 1, 1);
    if (!seen)
        return -1;
    for (int i = 0; i < n && !rc; i++)
        if (seen[in[i].shard - 1]++) {
            ns_errors_add(e, "shard %d/%d given twice (%s)", in[i].shard, N, paths[i]);
            rc = -1;
        }
    if (!rc && n != N) {
        char list[512] = "";
        for (int k = 0; k < N; k++)
            if (!seen[k])
                snprintf(list + strlen(list), sizeof list - strlen(list), " %d", k + 1);
        ns_errors_add(e, "%d of %d shards given; missing:%s", n, N, list);
        rc = -1;
    }
    free(seen);
    return rc;
}

/* Reads every shard; checks they are the N shards of one run; *all gets
 * the PSA rows and OWSA rows of all of them in order, order[k] the path of
 * shard k + 1, *first the first shard's info. The unit tallies are not
 * kept: fold_shards reads them again, one shard at a time, so that a merge
 * holds the tallies of one shard, never of every work unit. 0 or -1. */
static int read_shards(char *const *paths, int n, ns_shard_info *first, ns_shard_data *all,
                       int *order, ns_errors *e)
{
    ns_shard_info *in = calloc((size_t)n, sizeof *in);
    ns_shard_data *u = calloc((size_t)n, sizeof *u);
    memset(all, 0, sizeof *all);
    int bad = !in || !u || read_all(paths, n, in, u, e) || check_complete(paths, n, in, e);
    if (!bad) {
        all->psa = calloc(in[0].total_draws * in[0].psa_row + 1, sizeof *all->psa);
        all->owsa = calloc(in[0].total_settings * in[0].owsa_row + 1, sizeof *all->owsa);
        bad = !all->psa || !all->owsa;
        if (bad)
            ns_errors_add(e, "out of memory");
    }
    for (int i = 0; !bad && i < n; i++) {
        order[in[i].shard - 1] = i;
        if (in[i].draw_count)
            memcpy(all->psa + in[i].draw_first * in[0].psa_row, u[i].psa,
                   sizeof *all->psa * in[i].draw_count * in[0].psa_row);
        if (in[i].setting_count)
            memcpy(all->owsa + in[i].setting_first * in[0].owsa_row, u[i].owsa,
                   sizeof *all->owsa * in[i].setting_count * in[0].owsa_row);
    }
    if (!bad) {
        *first = in[0];
        memset(&in[0], 0, sizeof in[0]);
    } else
        ns_shard_data_free(all);
    for (int i = 0; in && i < n; i++) {
        ns_shard_info_free(&in[i]);
        if (u)
            ns_shard_data_free(&u[i]);
    }
    free(in);
    free(u);
    return bad ? -1 : 0;
}

/* Whether every unit's tally counts the patients that unit holds (65,536,
 * fewer in a point's last unit) for every strategy: a tally of no patients
 * (or of too many) is damage, not data. */
static int units_fit(const ns_scenario *s, const ns_shard_info *in, uint64_t first,
                     uint64_t count, const ns_strategy_tally *units, ns_errors *e)
{
    uint64_t U = ns_engine_units(in->n_patients);
    int S = s->n_strategies, T = ns_tally_count(s);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t w = first + i, u = w % U;
        uint64_t want = u + 1 < U ? NS_UNIT_PATIENTS : in->n_patients - u * NS_UNIT_PATIENTS;
        for (int k = 0; k < S; k++)
            if (units[i * (uint64_t)T + (uint64_t)k].n_patients != want) {
                ns_errors_add(e, "work unit %llu of the shards holds a tally of %llu patients "
                                 "for strategy %s, not %llu: a damaged shard",
                              (unsigned long long)w,
                              (unsigned long long)units[i * (uint64_t)T + (uint64_t)k].n_patients,
                              s->strategy[k].name, (unsigned long long)want);
                return -1;
            }
    }
    return 0;
}

/* The unit tallies of every shard, read again in shard order (so in unit
 * order), checked, and folded into pts[P * T], the tallies of each point:
 * the same sums in the same order as one process's. 0 or -1. */
static int fold_shards(char *const *paths, const int *order, const ns_scenario *s,
                       const ns_shard_info *in0, ns_strategy_tally *pts, ns_errors *e)
{
    uint64_t U = ns_engine_units(in0->n_patients), T = (uint64_t)ns_tally_count(s);
    char err[700];
    for (int k = 0; k < in0->n_shards; k++) {
        const char *path = paths[order[k]];
        ns_shard_info in;
        ns_shard_data d;
        int bad = ns_h5_read_shard(path, &in, &d, err, sizeof err);
        if (bad)
            ns_errors_add(e, "%s", err);
        else if (in.fingerprint != in0->fingerprint || in.shard != k + 1) {
            ns_errors_add(e, "%s changed while it was merged", path);
            bad = 1;
        } else
            bad = units_fit(s, in0, in.unit_first, in.unit_count, d.units, e);
        for (uint64_t i = 0; !bad && i < in.unit_count; i++)
            ns_engine_fold((int)T, d.units + i * T, 1, pts + (in.unit_first + i) / U * T);
        ns_shard_info_free(&in);
        ns_shard_data_free(&d);
        if (bad)
            return -1;
    }
    return 0;
}

/* The scenario of the shards' run, checked against their fingerprint and
 * their numbers against it: as many strategies, and exactly the work units
 * its points and patients make. */
static ns_scenario *shard_scenario(const ns_shard_info *in, ns_errors *e)
{
    ns_scenario *s = NULL;
    if (ns_scenario_load_texts(in->scenario_path, in->scenario_text, in->sweep_path,
                               in->sweep_text, (const char *const *)in->sets, in->n_sets, &s, e))
        return NULL;
    if (ns_run_fingerprint(s, in->seed, in->n_patients) != in->fingerprint) {
        ns_errors_add(e, "the shards were written by another netsurv build (%s); merge them "
                         "with that build", in->version);
        ns_scenario_free(s);
        return NULL;
    }
    if (in->total_draws &&
        (in->psa_row != ns_psa_row_len(s) || in->total_draws % s->sweep.n_points)) {
        ns_errors_add(e, "the shards hold PSA draws of %llu numbers, but their run has %llu: "
                         "damaged shards", (unsigned long long)in->psa_row,
                      (unsigned long long)ns_psa_row_len(s));
        ns_scenario_free(s);
        return NULL;
    }
    if (in->total_settings && in->total_settings != (uint64_t)ns_owsa_count(s)) {
        ns_errors_add(e, "the shards hold %llu OWSA parameters, but their run has %d: damaged "
                         "shards", (unsigned long long)in->total_settings, ns_owsa_count(s));
        ns_scenario_free(s);
        return NULL;
    }
    if (in->n_strategies != s->n_strategies || in->n_tallies != ns_tally_count(s) ||
        in->total_units != ns_work_total(s, in->n_patients)) {
        ns_errors_add(e, "the shards claim %llu work units of %d strategies, but their run "
                         "(%llu points x %llu patients, %d strategies) has %llu: damaged shards",
                      (unsigned long long)in->total_units, in->n_strategies,
                      (unsigned long long)s->sweep.n_points, (unsigned long long)in->n_patients,
                      s->n_strategies, (unsigned long long)ns_work_total(s, in->n_patients));
        ns_scenario_free(s);
        return NULL;
    }
    return s;
}

/* The posterior the shards drew from, read again from the path they name
 * (the EVSI of a study needs its points, the shards hold only its hash);
 * refused when the file there is no longer that posterior. 0 or -1. */
static int study_posterior(const ns_shard_info *in, const ns_scenario *s, ns_posterior *out,
                           ns_errors *e)
{
    char err[600];
    if (ns_calib_read_posterior(in->posterior_path, s, out, err, sizeof err)) {
        ns_errors_add(e, "the shards' EVSI needs the posterior they drew from: %s", err);
        return -1;
    }
    if (ns__job_posterior_hash(out) != in->posterior_hash) {
        ns_errors_add(e, "the shards' EVSI needs the posterior they drew from, but %s is no "
                         "longer that posterior (its points or weights differ)",
                      in->posterior_path);
        ns_posterior_free(out);
        return -1;
    }
    return 0;
}

int ns_job_merge(const ns_job *j, char *const *shards, int n, ns_job_merged *m, ns_errors *e)
{
    int rc = ns_job_claim(j, e);
    if (rc)
        return rc;
    ns_shard_info in;
    ns_shard_data all;
    int *order = calloc((size_t)n + 1, sizeof *order);
    int got = order && read_shards(shards, n, &in, &all, order, e) == 0;
    ns_scenario *s = got ? shard_scenario(&in, e) : NULL;
    ns_strategy_tally *pts = s ? calloc(s->sweep.n_points * (uint64_t)ns_tally_count(s) + 1,
                                        sizeof *pts) : NULL;
    if (s && !pts)
        ns_errors_add(e, "out of memory");
    if (pts && fold_shards(shards, order, s, &in, pts, e)) {
        free(pts);
        pts = NULL;
    }
    rc = NS_JOB_BAD_INPUT;
    if (pts) {
        /* the posterior's note, as the run that drew from it writes it */
        ns_posterior note = {.d = in.posterior_d, .n = (int)in.posterior_points,
                             .path = in.posterior_path};
        memcpy(note.param, in.posterior_param, sizeof note.param);
        /* the EVSI simulates its studies under each draw: from the posterior itself */
        ns_posterior full = {0};
        const ns_posterior *post = in.posterior_hash ? &note : NULL;
        if (post && in.voi && s->n_studies && study_posterior(&in, s, &full, e) == 0)
            post = &full;
        else if (post && in.voi && s->n_studies)
            post = NULL;
        ns__job_uncertainty x = {(int)in.total_draws, (int)in.total_settings, in.voi,
                                 in.n_patients, all.psa, all.owsa, post, in.seed, j->threads,
                                 j->quiet ? NULL : j->note, j->ctx};
        ns_run_info info = {in.seed, in.n_patients, j->command_line ? j->command_line : ""};
        if (post || !in.posterior_hash)
            rc = ns__job_write_whole(s, &info, pts, &x, e);
        else
            ns__job_finish(-1, NULL);
        ns_posterior_free(&full);
        *m = (ns_job_merged){s->sweep.n_points, in.n_patients};
    } else
        ns__job_finish(-1, NULL);
    if (got) {
        ns_shard_info_free(&in);
        ns_shard_data_free(&all);
    }
    ns_scenario_free(s);
    free(pts);
    free(order);
    return rc;
}
