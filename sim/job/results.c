/* What a run writes from its tallies, whoever computed them (one process,
 * a merge of shards, MPI rank 0): the rows of each point, and the file
 * renamed into place or removed. */
#include "netsurv/job/job.h"
#include "netsurv/output/atomic.h"
#include "netsurv/output/h5out.h"
#include "run.h"

void ns_job_cost_effect(const ns_scenario *s, const ns_strategy_tally *t, double *cost,
                        double *effect)
{
    for (int k = 0; k < s->n_strategies; k++) {
        double lo, hi;
        ns_acc_mean(&t[k].cost_discounted, &cost[k], &lo, &hi);
        ns_acc_mean(&t[k].qaly_discounted, &effect[k], &lo, &hi);
    }
}

/* The summary and economics rows of tallies t of scenario s. 0 or -1. */
static int write_rows(ns_h5 *h, const ns_scenario *s, const ns_strategy_tally *t)
{
    double cost[NS_MAX_STRATEGIES], effect[NS_MAX_STRATEGIES];
    ns_job_cost_effect(s, t, cost, effect);
    return ns_h5_write_summary(h, t) || ns_h5_write_economics(h, cost, effect) ? -1 : 0;
}

int ns__job_write_point(ns_h5 *h, uint64_t p, const ns_scenario *ps, const ns_strategy_tally *t)
{
    ns_h5_set_point(h, p, ps);
    return write_rows(h, ps, t);
}

int ns__job_write_results(ns_h5 *h, const ns_scenario *s, const ns_strategy_tally *all,
                          ns_errors *e)
{
    if (!s->sweep.n_axes)
        return write_rows(h, s, all);
    int rc = ns_h5_write_sweep(h);
    for (uint64_t p = 0; p < s->sweep.n_points && !rc; p++) {
        ns_scenario *pt = NULL;
        rc = ns_scenario_load_point(s, p, &pt, e);
        if (!rc) { /* the point's scenario freed whether or not its rows could be written */
            rc = ns__job_write_point(h, p, pt, all + p * (uint64_t)ns_tally_count(s));
            ns_scenario_free(pt);
        }
    }
    return rc ? -1 : 0;
}

int ns__job_finish(int rc, ns_errors *e)
{
    char err[9000];
    if (ns_atomic_finish(rc == 0, err, sizeof err)) {
        const char *why = ns_h5_reason();
        if (e && rc && why[0]) /* the operating system's reason: "No space left on device" */
            ns_errors_add(e, "%.4000s (%s)", err, why);
        else if (e)
            ns_errors_add(e, "%s", err);
        return NS_JOB_FAILED;
    }
    return NS_JOB_OK;
}
