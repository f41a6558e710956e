/* What the other files of the job stage share with run.c; internal. */
#ifndef NETSURV_JOB_RUN_H
#define NETSURV_JOB_RUN_H

#include "netsurv/job/job.h"
#include "netsurv/output/h5out.h"

/* Writes the results of every point (tallies P x S, P = 1 without a sweep)
 * into h, as a run would. 0 or -1. */
int ns__job_write_results(ns_h5 *h, const ns_scenario *s, const ns_strategy_tally *all,
                          ns_errors *e);
/* The whole results file from folded tallies (merge, MPI): created at the
 * claimed temporary path, written, renamed. A status. */
int ns__job_write_file(const ns_scenario *s, const ns_run_info *info,
                       const ns_strategy_tally *all, ns_errors *e);
/* Renames the temporary file into place when rc is 0; otherwise removes it.
 * A status: NS_JOB_OK, or NS_JOB_FAILED with the message in *e (e NULL:
 * no message). */
int ns__job_finish(int rc, ns_errors *e);

/* /voi after a PSA of K draws: values [K, P], cost and effect [K, S], and
 * with risk groups their means pg. 0 or -1. */
int ns__job_evppi(ns_h5 *h, const ns_scenario *s, int K, const double *x, const double *cost,
                  const double *effect, const ns_psa_groups *pg);

/* /voi/evsi after /voi: the EVSI of every study of s's studies: section
 * (PSA draws' cost and effect [K, S], risk groups' means pg or NULL). Does
 * nothing and returns 0 when s has no studies. 0 or -1. */
int ns__job_evsi(ns_h5 *h, const ns_scenario *s, const ns_job *j, int K, const double *cost,
                 const double *effect, const ns_psa_groups *pg);

#endif
