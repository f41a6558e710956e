/* `netsurv optimize`: the best schedule of the search space for each risk
 * group (engine/optimize.h), written to HDF5 (-o), as a scenario that
 * `netsurv run` replays (--policy), and printed per group. */
#include "commands.h"
#include "netsurv/output/calib_out.h"
#include "common.h"
#include "netsurv/engine/optimize.h"
#include "netsurv/job/job.h"
#include "netsurv/engine/work.h"
#include "netsurv/numeric/hash.h"
#include "netsurv/output/atomic.h"
#include "netsurv/output/h5out.h"
#include "netsurv/output/optimize_out.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define POLICY_NAME "optimized_policy"

static void progress_line(void *ctx, const char *line)
{
    if (!*(const int *)ctx)
        fprintf(stderr, "netsurv optimize: %s\n", line);
}

/* The table per group: best schedule, cost, QALYs, NMB gain; then the
 * scenario's strategies against the group's frontier. */
static void print_tables(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_result *r)
{
    printf("Best schedule per group at %.0f %s per QALY (costs in %s of %d, and QALYs, "
           "discounted, per patient; gain: NMB over no follow-up, +- its SE)\n", s->econ.wtp,
           s->econ.currency, s->econ.currency, s->econ.price_year);
    for (int gi = 0; gi < r->n_groups; gi++) {
        const ns_opt_group *g = &r->group[gi];
        char words[300];
        if (!g->n_final)
            continue;
        int b = g->best;
        ns_opt_describe(s, sp, &r->cand[g->final[b]], words, sizeof words);
        printf("\n%s (%llu patients; %d candidates on all, %d on the frontier)\n  best: %s\n"
               "  cost %.2f  QALYs %.5f  NMB gain %.2f +- %.2f  tests %.2f  metastasis deaths "
               "%.5f\n",
               s->n_groups ? s->group[gi].name : "everyone", (unsigned long long)g->n_patients,
               g->n_final, g->n_frontier, words, g->cost[b], g->qaly[b], g->nmb_gain[b],
               g->nmb_gain_se[b], g->tests[b], g->met_deaths[b]);
        if (g->psa_draws && g->n_frontier) {
            int e = 0, p = 0;
            for (int i = 1; i < g->n_frontier; i++) {
                e = g->psa_nmb[i] > g->psa_nmb[e] ? i : e;
                p = g->psa_prob_best[i] > g->psa_prob_best[p] ? i : p;
            }
            ns_opt_describe(s, sp, &r->cand[g->final[g->frontier[e]]], words, sizeof words);
            printf("  PSA (%d draws): highest expected NMB: %s (P best %.2f)\n", g->psa_draws,
                   words, g->psa_prob_best[e]);
            if (p != e) {
                ns_opt_describe(s, sp, &r->cand[g->final[g->frontier[p]]], words, sizeof words);
                printf("  most often best: %s (P best %.2f)\n", words, g->psa_prob_best[p]);
            }
        }
        printf("  %-26s %10s %9s %14s %10s\n", "strategy", "cost", "QALYs", "extra cost*",
               "NMB gap");
        for (int k = 0; k < s->n_strategies; k++) {
            char extra[40];
            if (g->s_where[k] > 0)
                snprintf(extra, sizeof extra, "beyond");
            else
                snprintf(extra, sizeof extra, "%.2f%s", g->s_extra_cost[k],
                         g->s_where[k] < 0 ? " (below)" : "");
            printf("  %-26.26s %10.2f %9.5f %14s %10.2f\n", s->strategy[k].name, g->s_cost[k],
                   g->s_qaly[k], extra, g->s_nmb_gap[k]);
        }
    }
    printf("\n* extra cost: above the frontier's cost at the strategy's QALYs; 'beyond': more "
           "QALYs than any searched schedule; 'below': fewer QALYs than the cheapest frontier "
           "schedule, extra cost against it.\n");
}

/* text to path through a temporary file beside it. */
static int write_text(const char *path, const char *text, int force)
{
    if (!force && access(path, F_OK) == 0) {
        fprintf(stderr, "netsurv optimize: %s exists (--force replaces it)\n", path);
        return 2;
    }
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp)
        return 1;
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int rc = !f || fputs(text, f) < 0;
    if (f)
        rc |= fclose(f) != 0;
    if (!rc)
        rc = rename(tmp, path) != 0;
    if (rc) {
        perror(path);
        remove(tmp);
    }
    free(tmp);
    return rc;
}

/* The output file: provenance, the scenario, /optimize. */
static int write_h5(const options *o, const ns_scenario *s, const ns_opt_space *sp,
                    const ns_opt_result *r, uint64_t seed, const char *yaml, double pc,
                    double pq)
{
    char err[9000];
    char *cmdline = ns_cli_join_args(o->argc, o->argv);
    ns_run_info info = {seed, o->n, cmdline ? cmdline : ""};
    ns_h5 *h = ns_h5_create(ns_atomic_tmp(), s, &info, 0, err, sizeof err);
    int rc = !h;
    if (!h)
        fprintf(stderr, "netsurv optimize: %s\n", err);
    else {
        rc = ns_h5_write_optimize(h, s, sp, r, yaml, pc, pq);
        rc |= ns_h5_close(h);
    }
    free(cmdline);
    if (ns_atomic_finish(rc == 0, err, sizeof err)) {
        fprintf(stderr, "netsurv optimize: %s %s\n", err, ns_h5_reason());
        rc = 1;
    }
    return rc ? 1 : 0;
}

/* h folded with the bytes of the file at path (none when it cannot be read). */
static uint64_t hash_file(uint64_t h, const char *path)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    char buf[65536];
    size_t got;
    while (f && (got = fread(buf, 1, sizeof buf, f)) > 0)
        h = ns_hash64(h, buf, got);
    if (f)
        fclose(f);
    return h;
}

/* With --shard or --resume: the shards' exchange (one shard: the checkpoint
 * of the passes) beside -o FILE; else NULL. */
static ns_job_exchange *open_exchange(const options *o, const ns_scenario *s, uint64_t seed,
                                      int *rc)
{
    if (!o->shard_n && !o->resume)
        return NULL;
    if (!o->output || (o->shard_n && ns_job_mpi_size() > 1)) {
        fprintf(stderr, "netsurv optimize: %s\n",
                !o->output ? "--shard and --resume need -o FILE (their files go beside it)"
                           : "--shard and MPI ranks do not go together (use one)");
        *rc = 2;
        return NULL;
    }
    if (o->shard_k > 0 && !o->force && access(o->output, F_OK) == 0) {
        fprintf(stderr, "netsurv optimize: %s exists (--force replaces it)\n", o->output);
        *rc = 2;
        return NULL;
    }
    int n = o->shard_n ? o->shard_n : 1;
    int what[4] = {n, o->no_screen, o->psa, o->posterior != NULL};
    uint64_t fp = ns_hash64(ns_run_fingerprint(s, seed, o->n), what, sizeof what);
    fp = hash_file(hash_file(fp, o->space), o->posterior);
    char err[5000], out_r[4200];
    ns_job_exchange *xc;
    if (ns_job_mpi_size() > 1) { /* each rank records every pass in files of its own */
        snprintf(out_r, sizeof out_r, "%s.rank-%d-of-%d", o->output, ns_job_mpi_rank(),
                 ns_job_mpi_size());
        xc = ns_job_exchange_recorder(out_r, ns_job_mpi_ranks(), fp, o->resume, err,
                                      sizeof err);
    } else
        xc = ns_job_exchange_open(o->output, o->shard_k, n, fp, o->resume, o->shard_wait, err,
                                  sizeof err);
    if (!xc) {
        fprintf(stderr, "netsurv optimize: %s\n", err);
        *rc = 1;
    }
    return xc;
}

int ns_cmd_optimize(int argc, char **argv)
{
    options o;
    ns_scenario *s;
    int rc = ns_cli_start(argc, argv, &o, &s);
    if (rc)
        return rc;
    ns_opt_space sp = s->opt;
    ns_errors *e = calloc(1, sizeof *e);
    if (!e) {
        ns_scenario_free(s);
        return 1;
    }
    if (o.space && ns_opt_space_load(s, o.space, &sp, e)) {
        ns_cli_print_errors("", e);
        rc = 2;
    } else if (!sp.given) {
        fprintf(stderr, "netsurv optimize: %s has no optimize: section; give the search space "
                        "with --space FILE\n", s->path);
        rc = 2;
    }
    if (!rc && o.policy && !o.force && access(o.policy, F_OK) == 0) {
        fprintf(stderr, "netsurv optimize: %s exists (--force replaces it)\n", o.policy);
        rc = 2;
    }
    char err[9000];
    /* over MPI ranks (mpirun -np K netsurv optimize): every rank plays its
     * share of each pass's patient slices; rank 0 claims and writes. Over
     * shards run together (--shard K/N), the same through files, shard 1
     * writing; --resume replays the passes recorded there. */
    int writer = ns_job_mpi_rank() == 0 && o.shard_k == 0;
    uint64_t seed = o.seed_given ? o.seed : s->seed;
    ns_job_exchange *xc = rc ? NULL : open_exchange(&o, s, seed, &rc);
    if (!rc && o.output && writer) {
        int a = ns_atomic_begin(o.output, o.force, err, sizeof err);
        if (a) {
            fprintf(stderr, "netsurv optimize: %s\n", err);
            rc = a == -1 ? 2 : 1;
        } else
            ns_cli_guard_output();
    }
    rc = ns_job_mpi_agree(rc);
    if (rc) {
        ns_job_exchange_close(xc);
        free(e);
        ns_scenario_free(s);
        return rc;
    }
    ns_posterior post = {0};
    if (o.posterior && (!o.psa || ns_calib_read_posterior(o.posterior, s, &post, err, sizeof err))) {
        fprintf(stderr, "netsurv optimize: --posterior: %s\n",
                o.psa ? err : "needs --psa K (the posterior is what the PSA draws from)");
        if (o.output && writer)
            ns_atomic_finish(0, err, sizeof err);
        ns_job_exchange_close(xc);
        free(e);
        ns_scenario_free(s);
        return 2;
    }
    ns_opt_opts oo = {seed, o.n, o.threads, !o.no_screen, o.posterior ? &post : NULL,
                      progress_line, &o.quiet,
                      xc ? ns_job_exchange_ranks(xc) : ns_job_mpi_ranks()};
    ns_opt_result r;
    if (ns_optimize(s, &sp, &oo, &r, err, sizeof err)) {
        fprintf(stderr, "netsurv optimize: %s%s%s\n", err, xc ? ": " : "",
                xc ? ns_job_exchange_error(xc) : "");
        if (o.output && writer)
            ns_atomic_finish(0, err, sizeof err);
        ns_job_exchange_close(xc);
        ns_opt_result_free(&r);
        ns_posterior_free(&post);
        free(e);
        ns_scenario_free(s);
        return 1;
    }
    if (o.psa) {
        double t0 = ns_cli_now();
        if (ns_opt_psa(s, &sp, &oo, o.psa, &r, err, sizeof err)) {
            fprintf(stderr, "netsurv optimize: --psa: %s%s%s\n", err, xc ? ": " : "",
                    xc ? ns_job_exchange_error(xc) : "");
            rc = 1;
        } else if (!o.quiet)
            fprintf(stderr, "netsurv optimize: %d PSA draws of the frontier schedules in %.1f s\n",
                    o.psa, ns_cli_now() - t0);
    }
    ns_strategy *st = malloc(sizeof *st);
    char *yaml = NULL, *full = NULL;
    double pc = NAN, pq = NAN;
    if (st) {
        char source[200];
        snprintf(source, sizeof source, "netsurv optimize: best schedule of each group at %.0f "
                 "%s per QALY, seed %llu, %llu patients", s->econ.wtp, s->econ.currency,
                 (unsigned long long)seed, (unsigned long long)o.n);
        ns_opt_policy(s, &sp, &r, NULL, POLICY_NAME, source, st);
        yaml = ns_strategy_yaml(s, st, 0, err, sizeof err);
        ns_opt_policy_totals(&r, NULL, &pc, &pq);
    }
    if (!yaml) {
        fprintf(stderr, "netsurv optimize: the policy: %s\n", st ? err : "out of memory");
        rc = 1;
    }
    if (!rc && o.policy && writer) {
        full = ns_scenario_add_strategy(s->path, s->text, yaml, err, sizeof err);
        if (!full) {
            fprintf(stderr, "netsurv optimize: %s\n", err);
            rc = 1;
        } else
            rc = write_text(o.policy, full, o.force);
    }
    if (o.output && writer)
        rc = rc ? (ns_atomic_finish(0, err, sizeof err), rc)
                : write_h5(&o, s, &sp, &r, seed, yaml, pc, pq);
    rc = ns_job_mpi_agree(rc);
    if (xc && !rc && ns_job_exchange_finish(xc, err, sizeof err)) {
        fprintf(stderr, "netsurv optimize: %s\n", err);
        rc = writer ? 0 : 1; /* the files are written; only the shards' files are left */
    }
    if (xc && !rc && o.resume)
        fprintf(stderr, "netsurv optimize: resumed: %llu passes replayed from %s\n",
                (unsigned long long)ns_job_exchange_replayed(xc), ns_job_exchange_dir(xc));
    ns_job_exchange_close(xc);
    if (!rc && !writer && o.shard_n)
        printf("netsurv optimize: shard %d of %d done; shard 1 writes %s\n", o.shard_k + 1,
               o.shard_n, o.output);
    else if (!rc && !o.quiet) {
        printf("netsurv %s: %s\n%llu patients, seed %llu, %d candidate schedules per group, "
               "%llu schedules played in %.1f s (%.0f per second)%s%s\n\n",
               NETSURV_VERSION, s->name, (unsigned long long)o.n, (unsigned long long)seed,
               r.n_cand, (unsigned long long)r.plays, r.seconds,
               r.seconds > 0 ? (double)r.plays / r.seconds : 0.0, o.output ? " -> " : "",
               o.output ? o.output : "");
        print_tables(s, &sp, &r);
        printf("\ncomposite policy (%s): cost %.4f  QALYs %.6f per patient%s%s\n", POLICY_NAME,
               pc, pq, o.policy ? "; replay: netsurv run " : "", o.policy ? o.policy : "");
    }
    free(full);
    free(yaml);
    free(st);
    ns_opt_result_free(&r);
    ns_posterior_free(&post);
    free(e);
    ns_scenario_free(s);
    return rc;
}

int ns_cli_bench_optimize(const options *o)
{
    ns_scenario *s = ns_cli_load(o);
    if (!s)
        return 2;
    if (!s->opt.given) {
        fprintf(stderr, "netsurv bench: %s has no optimize: section\n", s->path);
        ns_scenario_free(s);
        return 2;
    }
    uint64_t n = o->n_given ? o->n : 100000;
    int counts[2] = {1, 0}, nc = 1;
#ifdef _OPENMP
    counts[1] = omp_get_max_threads();
    nc = counts[1] > 1 ? 2 : 1;
#endif
    printf("netsurv bench --optimize (%s): %s\nthe scenario's search space, every group, %llu "
           "patients, screening on; one run per thread count (a shared machine: see the load)\n"
           "%8s %12s %14s %16s %16s\n",
           NETSURV_VERSION, s->name, (unsigned long long)n, "threads", "candidates", "seconds",
           "schedules played", "played/s");
    int rc = 0;
    for (int c = 0; c < nc && !rc; c++) {
        ns_opt_opts oo = {s->seed, n, counts[c], 1, NULL, NULL, NULL, NULL};
        ns_opt_result r;
        char err[256];
        rc = ns_optimize(s, &s->opt, &oo, &r, err, sizeof err);
        if (rc)
            fprintf(stderr, "netsurv bench: %s\n", err);
        else
            printf("%8d %12d %14.2f %16llu %16.0f\n", counts[c], r.n_cand, r.seconds,
                   (unsigned long long)r.plays, (double)r.plays / r.seconds);
        fflush(stdout);
        ns_opt_result_free(&r);
    }
    ns_scenario_free(s);
    return rc ? 1 : 0;
}
