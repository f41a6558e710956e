/* `mpirun -np K netsurv run`: each rank runs its contiguous share of the
 * work units (a rank with none still joins every collective call); rank 0
 * gathers them in unit order, folds them, and writes the file, which is then
 * identical to a single-process run. One writer, because the results are
 * small and parallel HDF5 cannot write the variable-length strings the
 * single-process file holds. Without an MPI build there is one rank. */
#include "netsurv/job/job.h"
#include "netsurv/engine/work.h"
#include "run.h"

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

/* The largest status of all ranks, on every rank. */
static int agree(int rc)
{
    int any = rc;
    MPI_Allreduce(&rc, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any;
}

/* Rank 0 folds the gathered units (P points x U units x S) and writes. */
static int write_folded(const ns_scenario *s, const ns_job *j, const ns_strategy_tally *all,
                        ns_errors *e)
{
    uint64_t P = s->sweep.n_points, U = ns_engine_units(j->n);
    int S = ns_tally_count(s);
    ns_strategy_tally *pts = calloc(P * (uint64_t)S, sizeof *pts);
    for (uint64_t p = 0; pts && all && p < P; p++)
        ns_engine_fold(S, all + p * U * (uint64_t)S, U, pts + p * (uint64_t)S);
    ns_run_info info = {j->seed, j->n, j->command_line ? j->command_line : ""};
    if (!pts || !all)
        ns_errors_add(e, "out of memory");
    int rc = pts && all ? ns__job_write_file(s, &info, pts, e) : ns__job_finish(-1, e);
    free(pts);
    return rc;
}

/* Runs this rank's units and gathers all of them on rank 0 (*all there). */
static int run_and_gather(const ns_scenario *s, const ns_job *j, ns_strategy_tally **all,
                          ns_errors *e)
{
    uint64_t total = ns_work_total(s, j->n), w0, nw;
    int S = ns_tally_count(s);
    ns_work_share(total, mpi_rank, mpi_size, &w0, &nw);
    ns_strategy_tally *units = calloc(nw * (uint64_t)S + 1, sizeof *units);
    ns_engine_opts eo = {.seed = j->seed, .n = j->n, .threads = j->threads, .stop = j->stop};
    int any = agree(!units || ns_work_run(s, &eo, w0, nw, units, e) ? NS_JOB_FAILED : 0);
    MPI_Datatype unit;
    MPI_Type_contiguous((int)(sizeof *units * (size_t)S), MPI_BYTE, &unit);
    MPI_Type_commit(&unit);
    int *counts = calloc((size_t)mpi_size, sizeof *counts);
    int *displs = calloc((size_t)mpi_size, sizeof *displs);
    *all = mpi_rank == 0 && !any ? calloc(total * (uint64_t)S + 1, sizeof **all) : NULL;
    for (int r = 0; r < mpi_size && counts && displs; r++) {
        uint64_t a, n;
        ns_work_share(total, r, mpi_size, &a, &n);
        counts[r] = (int)n;
        displs[r] = (int)a;
    }
    if (!any)
        MPI_Gatherv(units, (int)nw, unit, *all, counts, displs, unit, 0, MPI_COMM_WORLD);
    MPI_Type_free(&unit);
    free(counts);
    free(displs);
    free(units);
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
    rc = (j->per_patient || j->psa || j->owsa || j->shard_n || j->resume) ? NS_JOB_BAD_INPUT : 0;
    if (rc) {
        ns_errors_add(e, "on several MPI ranks, --per-patient, --psa, --owsa, --shard and "
                         "--resume are not available; run them in one process");
        if (mpi_rank == 0)
            ns__job_finish(-1, NULL);
        return rc;
    }
    ns_strategy_tally *all = NULL;
    rc = run_and_gather(s, j, &all, e);
    if (mpi_rank == 0 && !rc)
        rc = write_folded(s, j, all, e);
    else if (mpi_rank == 0)
        ns__job_finish(-1, NULL);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(all);
    return rc;
}
#endif
