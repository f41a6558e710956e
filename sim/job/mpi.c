/* `mpirun -np K netsurv run`: each rank runs its contiguous share of the
 * work units (a rank with none still joins every collective call); rank 0
 * gathers them in unit order, folds them, and writes the file, which is then
 * identical to a single-process run. One writer, because the results are
 * small and parallel HDF5 cannot write the variable-length strings the
 * single-process file holds. Without an MPI build there is one rank. */
#include "netsurv/job/job.h"
#include "netsurv/engine/work.h"
#include "run.h"
#include "netsurv/output/shard.h"

#include <stdlib.h>
#ifdef NETSURV_MPI
#include <mpi.h>
#endif

static int mpi_rank = 0, mpi_size = 1;

int ns_job_mpi_rank(void)
{
    return mpi_rank;
}

int ns_job_mpi_size(void)
{
    return mpi_size;
}

#ifndef NETSURV_MPI
const ns_ranks *ns_job_mpi_ranks(void)
{
    return NULL;
}

int ns_job_mpi_agree(int rc)
{
    return rc;
}

void ns_job_mpi_begin(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

void ns_job_mpi_end(void)
{
}

int ns_job_run_mpi(const ns_scenario *s, const ns_job *j, ns_errors *e)
{
    (void)s;
    (void)j;
    ns_errors_add(e, "this netsurv was built without MPI");
    return NS_JOB_BAD_INPUT;
}
#else
void ns_job_mpi_begin(int *argc, char ***argv)
{
    MPI_Init(argc, argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
}

void ns_job_mpi_end(void)
{
    MPI_Finalize();
}

static int agree(int rc);

/* Every rank has filled its share of items; afterwards all have all. */
static int exchange(void *state, double *items, uint64_t n, size_t len)
{
    (void)state;
    int *counts = calloc((size_t)mpi_size, sizeof *counts);
    int *displs = calloc((size_t)mpi_size, sizeof *displs);
    if (!counts || !displs || n * len > INT32_MAX) {
        free(counts);
        free(displs);
        MPI_Abort(MPI_COMM_WORLD, 1); /* the ranks would no longer agree */
        return -1;
    }
    for (int r = 0; r < mpi_size; r++) {
        uint64_t a, m;
        ns_work_share(n, r, mpi_size, &a, &m);
        counts[r] = (int)(m * len);
        displs[r] = (int)(a * len);
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, items, counts, displs, MPI_DOUBLE,
                   MPI_COMM_WORLD);
    free(counts);
    free(displs);
    return 0;
}

int ns_job_mpi_agree(int rc)
{
    return agree(rc);
}

const ns_ranks *ns_job_mpi_ranks(void)
{
    static ns_ranks r;
    r = (ns_ranks){mpi_rank, mpi_size, exchange, NULL, NULL};
    return mpi_size > 1 ? &r : NULL;
}

/* The largest status of all ranks, on every rank. */
static int agree(int rc)
{
    int any = rc;
    MPI_Allreduce(&rc, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any;
}

/* Gathers every rank's n_r items of `size` bytes, in rank order, into
 * *all on rank 0 (malloc'ed there; the share of rank r is share(r)). */
static int gather(const void *mine, uint64_t total, uint64_t n_mine, size_t size, int kind,
                  const ns_scenario *s, const ns_job *j, void **all)
{
    *all = NULL;
    if (!total)
        return 0;
    MPI_Datatype item;
    MPI_Type_contiguous((int)size, MPI_BYTE, &item);
    MPI_Type_commit(&item);
    int *counts = calloc((size_t)mpi_size, sizeof *counts);
    int *displs = calloc((size_t)mpi_size, sizeof *displs);
    int bad = !counts || !displs;
    for (int r = 0; !bad && r < mpi_size; r++) {
        ns_job_units u;
        ns__job_plan(s, j, r, mpi_size, &u);
        uint64_t first[3] = {u.unit_first, u.draw_first, u.setting_first},
                 count[3] = {u.unit_count, u.draw_count, u.setting_count};
        counts[r] = (int)count[kind];
        displs[r] = (int)first[kind];
    }
    if (mpi_rank == 0 && !bad)
        bad = !(*all = malloc(size * total + 1));
    bad = agree(bad);
    if (!bad)
        MPI_Gatherv(mine, (int)n_mine, item, *all, counts, displs, item, 0, MPI_COMM_WORLD);
    MPI_Type_free(&item);
    free(counts);
    free(displs);
    return bad;
}

/* The unit tallies of every rank folded, in unit order, into *pts (P x T,
 * malloc'ed on rank 0): rank 0 folds its own units, then receives each
 * other rank's in turn and folds them, so that it holds at most one other
 * rank's units at a time, never every unit's; the same sums in the same
 * order as one process. 0, or 1 on every rank. */
static int fold_units(const ns_scenario *s, const ns_job *j, const ns_strategy_tally *mine,
                      uint64_t n_mine, ns_strategy_tally **pts)
{
    uint64_t T = (uint64_t)ns_tally_count(s), U = ns_engine_units(j->n);
    size_t size = sizeof *mine * (size_t)T;
    MPI_Datatype item;
    MPI_Type_contiguous((int)size, MPI_BYTE, &item);
    MPI_Type_commit(&item);
    int bad = 0;
    *pts = NULL;
    ns_strategy_tally *buf = NULL;
    if (mpi_rank == 0) {
        uint64_t most = 0;
        for (int r = 0; r < mpi_size; r++) {
            ns_job_units u;
            ns__job_plan(s, j, r, mpi_size, &u);
            most = u.unit_count > most ? u.unit_count : most;
        }
        *pts = calloc(s->sweep.n_points * T + 1, sizeof **pts);
        buf = malloc(size * most + 1);
        bad = !*pts || !buf;
    }
    bad = agree(bad);
    for (int r = 0; r < mpi_size && !bad; r++) {
        ns_job_units u;
        ns__job_plan(s, j, r, mpi_size, &u);
        if (!u.unit_count)
            continue;
        if (mpi_rank == r && r != 0)
            MPI_Send(mine, (int)n_mine, item, 0, 7, MPI_COMM_WORLD);
        if (mpi_rank != 0)
            continue;
        const ns_strategy_tally *from = mine;
        if (r != 0) {
            MPI_Recv(buf, (int)u.unit_count, item, r, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            from = buf;
        }
        for (uint64_t i = 0; i < u.unit_count; i++)
            ns_engine_fold((int)T, from + i * T, 1, *pts + (u.unit_first + i) / U * T);
    }
    MPI_Type_free(&item);
    free(buf);
    if (bad && mpi_rank == 0) {
        free(*pts);
        *pts = NULL;
    }
    return bad;
}

/* The job of this rank: its share of the work, and its own checkpoint
 * beside the output (OUTPUT.rank-R-of-N), so that --resume on as many
 * ranks takes each rank's up. */
static ns_job rank_job(const ns_job *j, char *out, size_t len)
{
    ns_job r = *j;
    snprintf(out, len, "%s.rank-%d-of-%d", j->output, mpi_rank, mpi_size);
    r.output = out;
    r.shard_k = mpi_rank;
    r.shard_n = mpi_size;
    r.progress = NULL;
    return r;
}

/* Runs this rank's items; the point tallies folded from every rank's units
 * (*pts) and every rank's PSA and OWSA rows (*all) on rank 0. */
static int run_and_gather(const ns_scenario *s, const ns_job *j, ns_strategy_tally **pts,
                          ns_shard_data *all, ns_errors *e)
{
    char out[4200];
    ns_job rj = rank_job(j, out, sizeof out);
    ns_job_units u;
    ns__job_plan(s, j, mpi_rank, mpi_size, &u);
    ns__job_part p;
    int any = agree(ns__job_part_alloc(s, &u, &p, e) ? NS_JOB_FAILED : 0);
    if (any)
        return any;
    int rc = ns__job_compute(s, &rj, &p, j->resume || j->psa || j->owsa, 0, e);
    any = agree(rc == -2 ? NS_JOB_BAD_INPUT : rc ? NS_JOB_FAILED : 0);
    void *psa = NULL, *owsa = NULL;
    *pts = NULL;
    if (!any)
        any = fold_units(s, j, p.units, u.unit_count, pts) ||
              gather(p.psa, u.total_draws, u.draw_count, sizeof(double) * ns_psa_row_len(s), 1,
                     s, j, &psa) ||
              gather(p.owsa, u.total_settings, u.setting_count,
                     sizeof(double) * 4 * (size_t)s->n_strategies, 2, s, j, &owsa)
                  ? NS_JOB_FAILED : 0;
    *all = (ns_shard_data){NULL, psa, owsa};
    ns__job_part_free(&p);
    return any;
}

int ns_job_run_mpi(const ns_scenario *s, const ns_job *j, ns_errors *e)
{
    int rc = mpi_rank == 0 ? ns_job_claim(j, e) : 0;
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rc)
        return rc;
    if (agree(s ? 0 : NS_JOB_BAD_INPUT)) {
        if (mpi_rank == 0)
            ns__job_finish(-1, NULL);
        return NS_JOB_BAD_INPUT;
    }
    rc = (j->per_patient || j->shard_n) ? NS_JOB_BAD_INPUT : 0;
    if (rc) {
        ns_errors_add(e, "on several MPI ranks, --per-patient and --shard are not available; "
                         "run per-patient output in one process, and shards as separate "
                         "processes");
        if (mpi_rank == 0)
            ns__job_finish(-1, NULL);
        return rc;
    }
    ns_shard_data all = {0};
    ns_strategy_tally *pts = NULL;
    rc = run_and_gather(s, j, &pts, &all, e);
    if (mpi_rank == 0 && !rc) {
        ns__job_uncertainty x = {j->psa * (int)s->sweep.n_points, j->owsa ? ns_owsa_count(s) : 0,
                                 j->voi, j->n,
                                 all.psa, all.owsa, j->posterior, j->seed, j->threads,
                                 j->quiet ? NULL : j->note, j->ctx};
        ns_run_info info = {j->seed, j->n, j->command_line ? j->command_line : ""};
        rc = ns__job_write_whole(s, &info, pts, &x, e);
    } else if (mpi_rank == 0)
        ns__job_finish(-1, NULL);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!rc) { /* the output is in place: every rank's checkpoint has served */
        char out[4200];
        ns_job rj = rank_job(j, out, sizeof out);
        ns__job_checkpoint_done(&rj);
    }
    ns_shard_data_free(&all);
    free(pts);
    return rc;
}
#endif
