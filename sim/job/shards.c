/* Shards of a run (`run --shard K/N`) and their merge into the file a single
 * run writes. */
#include "netsurv/job/job.h"
#include "netsurv/engine/work.h"
#include "netsurv/output/atomic.h"
#include "netsurv/output/shard.h"
#include "run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ns_job_shard(const ns_scenario *s, const ns_job *j, ns_job_units *u, ns_errors *e)
{
    uint64_t total = ns_work_total(s, j->n), w0, nw;
    ns_work_share(total, j->shard_k, j->shard_n, &w0, &nw);
    *u = (ns_job_units){w0, nw, total};
    uint64_t S = (uint64_t)ns_tally_count(s);
    ns_strategy_tally *units = nw <= (SIZE_MAX / sizeof *units - 1) / S
                                   ? calloc(nw * S + 1, sizeof *units) : NULL;
    if (!units) {
        ns_errors_add(e, "cannot hold the tallies of %llu work units (%.3g GiB) in memory: use "
                      "more shards (--shard K/N with a larger N) or fewer patients",
                      (unsigned long long)nw, (double)nw * (double)S * sizeof *units / 1073741824.0);
        return ns__job_finish(-1, NULL);
    }
    ns_engine_opts eo = {.seed = j->seed, .n = j->n, .threads = j->threads, .stop = j->stop};
    int rc = ns_work_run(s, &eo, w0, nw, units, e);
    if (!rc) {
        ns_shard_info in = {.fingerprint = ns_run_fingerprint(s, j->seed, j->n),
                            .seed = j->seed, .n_patients = j->n, .unit_first = w0,
                            .unit_count = nw, .total_units = total, .shard = j->shard_k + 1,
                            .n_shards = j->shard_n};
        char err[512];
        rc = ns_h5_write_shard(ns_atomic_tmp(), s, &in, j->command_line ? j->command_line : "",
                               units, err, sizeof err);
        if (rc)
            ns_errors_add(e, "%s", err);
    }
    free(units);
    return ns__job_finish(rc, e);
}

/* Reads shard i into in[i] and u[i]; 0 or -1. */
static int read_all(char *const *paths, int n, ns_shard_info *in, ns_strategy_tally **u,
                    ns_errors *e)
{
    char err[700];
    for (int i = 0; i < n; i++)
        if (ns_h5_read_shard(paths[i], &in[i], &u[i], err, sizeof err)) {
            ns_errors_add(e, "%s", err);
            return -1;
        }
    for (int i = 1; i < n; i++)
        if (in[i].fingerprint != in[0].fingerprint || in[i].n_shards != in[0].n_shards ||
            in[i].total_units != in[0].total_units || in[i].n_patients != in[0].n_patients ||
            in[i].seed != in[0].seed || in[i].n_strategies != in[0].n_strategies ||
            in[i].n_tallies != in[0].n_tallies ||
            strcmp(in[i].version, in[0].version) != 0) {
            ns_errors_add(e, "%s and %s are shards of different runs (scenario, overrides, "
                             "seed, patients, shard count or netsurv version differ)",
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

/* Reads every shard; checks they are the N shards of one run; returns the
 * units of all of them in unit order, and the first shard's info. */
static ns_strategy_tally *read_shards(char *const *paths, int n, ns_shard_info *first,
                                      ns_errors *e)
{
    ns_shard_info *in = calloc((size_t)n, sizeof *in);
    ns_strategy_tally **u = calloc((size_t)n, sizeof *u), *all = NULL;
    int bad = !in || !u || read_all(paths, n, in, u, e) || check_complete(paths, n, in, e);
    int S = bad ? 0 : in[0].n_tallies;
    if (!bad && (all = calloc(in[0].total_units * (uint64_t)S + 1, sizeof *all)))
        for (int i = 0; i < n; i++)
            memcpy(all + in[i].unit_first * (uint64_t)S, u[i],
                   sizeof *all * in[i].unit_count * (uint64_t)S);
    if (all) {
        *first = in[0];
        memset(&in[0], 0, sizeof in[0]);
    }
    for (int i = 0; in && i < n; i++) {
        ns_shard_info_free(&in[i]);
        free(u ? u[i] : NULL);
    }
    free(in);
    free(u);
    return all;
}

/* Whether every unit's tally counts the patients that unit holds (65,536,
 * fewer in a point's last unit) for every strategy: a tally of no patients
 * (or of too many) is damage, not data. */
static int units_fit(const ns_scenario *s, const ns_shard_info *in, const ns_strategy_tally *units,
                     ns_errors *e)
{
    uint64_t U = ns_engine_units(in->n_patients);
    int S = s->n_strategies, T = ns_tally_count(s);
    for (uint64_t w = 0; w < in->total_units; w++) {
        uint64_t u = w % U, want = u + 1 < U ? NS_UNIT_PATIENTS
                                             : in->n_patients - u * NS_UNIT_PATIENTS;
        for (int k = 0; k < S; k++)
            if (units[w * (uint64_t)T + (uint64_t)k].n_patients != want) {
                ns_errors_add(e, "work unit %llu of the shards holds a tally of %llu patients "
                                 "for strategy %s, not %llu: a damaged shard",
                              (unsigned long long)w,
                              (unsigned long long)units[w * (uint64_t)T + (uint64_t)k].n_patients,
                              s->strategy[k].name, (unsigned long long)want);
                return -1;
            }
    }
    return 0;
}

/* The scenario of the shards' run, checked against their fingerprint and
 * their numbers against it: as many strategies, and exactly the work units
 * its points and patients make. */
static ns_scenario *shard_scenario(const ns_shard_info *in, const ns_strategy_tally *units,
                                   ns_errors *e)
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
    if (units_fit(s, in, units, e)) {
        ns_scenario_free(s);
        return NULL;
    }
    return s;
}

int ns_job_merge(const ns_job *j, char *const *shards, int n, ns_job_merged *m, ns_errors *e)
{
    int rc = ns_job_claim(j, e);
    if (rc)
        return rc;
    ns_shard_info in;
    ns_strategy_tally *units = read_shards(shards, n, &in, e);
    ns_scenario *s = units ? shard_scenario(&in, units, e) : NULL;
    ns_strategy_tally *pts = NULL;
    rc = NS_JOB_BAD_INPUT;
    if (s) {
        uint64_t P = s->sweep.n_points, U = ns_engine_units(in.n_patients);
        int S = ns_tally_count(s);
        pts = calloc(P * (uint64_t)S, sizeof *pts);
        for (uint64_t p = 0; pts && p < P; p++)
            ns_engine_fold(S, units + p * U * (uint64_t)S, U, pts + p * (uint64_t)S);
        ns_run_info info = {in.seed, in.n_patients, j->command_line ? j->command_line : ""};
        if (!pts)
            ns_errors_add(e, "out of memory");
        rc = pts ? ns__job_write_file(s, &info, pts, e) : ns__job_finish(-1, e);
        *m = (ns_job_merged){P, in.n_patients};
    } else
        ns__job_finish(-1, NULL);
    if (units)
        ns_shard_info_free(&in);
    free(units);
    free(pts);
    ns_scenario_free(s);
    return rc;
}
