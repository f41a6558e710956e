/* Efficient frontiers for thousands of points (netsurv optimize): the
 * cost-effectiveness frontier (strong and extended dominance, ICERs) with
 * the conventions of ns_econ_icers (econ.h) but in O(n log n) and without
 * its 64-strategy limit, and the Pareto frontier of two quantities to be
 * minimised (tests and metastasis deaths). Pure; the caller passes the work
 * arrays; no I/O. */
#ifndef NETSURV_ENGINE_FRONTIER_H
#define NETSURV_ENGINE_FRONTIER_H

/* Incremental analysis of n points (cost[i], effect[i]): status[i] one of
 * NS_ECON_FRONTIER, NS_ECON_DOMINATED, NS_ECON_EXT_DOMINATED,
 * NS_ECON_DUPLICATE (econ.h), icer[i] and reference[i] (the previous
 * frontier point; -1 and NaN for the first and for points off the frontier);
 * frontier[0 .. return value) the frontier points by cost ascending. work
 * holds 2 n ints. Returns the number of frontier points (0 when n < 1). */
int ns_frontier_ce(const double *cost, const double *effect, int n, int *status, double *icer,
                   int *reference, int *frontier, int *work);

/* Pareto frontier of n points minimising both x and y: out[0 .. return
 * value) the points no other point beats in both (one strictly), by x
 * ascending; of points equal in both, the lowest index. work holds 2 n
 * ints. */
int ns_frontier_pareto(const double *x, const double *y, int n, int *out, int *work);

/* The cost on the frontier (nf points frontier[], by cost ascending, of
 * cost[] and effect[]) at effect q, interpolated linearly between frontier
 * points. *where is 0 inside the frontier's effect range, -1 below it (the
 * cheapest frontier point's cost is returned: it gives more for less) and
 * +1 above it (NaN is returned: the frontier does not reach q). */
double ns_frontier_cost_at(const double *cost, const double *effect, const int *frontier,
                           int nf, double q, int *where);

#endif
