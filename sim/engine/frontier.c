/* Efficient and Pareto frontiers (frontier.h). The cost-effectiveness
 * frontier follows ns_econ_icers (econ.c) point for point: order by cost
 * ascending, effect descending, index; exact duplicates take the status of
 * their first copy (a copy of a frontier point is a duplicate); a point is
 * strongly dominated when an earlier point in that order is at least as
 * effective; among the rest (strictly increasing in cost and effect) the
 * frontier is the lower convex hull of cost against effect, built in one
 * pass (a point is removed while the ICER into it exceeds the ICER out of
 * it, ICERs within a relative 1e-12 counting as equal as in econ.c), which
 * is where the iterated removal of ns_econ_icers ends. */
#include "netsurv/engine/frontier.h"
#include "netsurv/engine/econ.h"

#include <math.h>
#include <string.h>

#define ICER_RTOL 1e-12

/* Whether a sorts before b by (x ascending, y descending or ascending, index). */
static int before(const double *x, const double *y, int ydesc, int a, int b)
{
    if (x[a] != x[b])
        return x[a] < x[b];
    if (y[a] != y[b])
        return ydesc ? y[a] > y[b] : y[a] < y[b];
    return a < b;
}

/* idx[0 .. n) = 0 .. n-1 sorted by before() (bottom-up merge sort; tmp n ints). */
static void sort_idx(const double *x, const double *y, int ydesc, int n, int *idx, int *tmp)
{
    for (int i = 0; i < n; i++)
        idx[i] = i;
    for (int w = 1; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = before(x, y, ydesc, idx[j], idx[i]) ? idx[j++] : idx[i++];
            while (i < mid)
                tmp[k++] = idx[i++];
            while (j < hi)
                tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, sizeof *idx * (size_t)n);
    }
}

static int icer_greater(double a, double b)
{
    return a > b && a - b > ICER_RTOL * fabs(b);
}

int ns_frontier_ce(const double *cost, const double *effect, int n, int *status, double *icer,
                   int *reference, int *frontier, int *work)
{
    if (n < 1)
        return 0;
    int *order = work, *tmp = work + n;
    sort_idx(cost, effect, 1, n, order, tmp);
    for (int i = 0; i < n; i++) {
        status[i] = NS_ECON_DOMINATED;
        icer[i] = NAN;
        reference[i] = -1;
    }
    /* strong dominance and duplicates; the survivors into tmp, in order */
    int m = 0, first = -1;
    double best = -INFINITY;
    for (int k = 0; k < n; k++) {
        int i = order[k];
        if (first >= 0 && cost[i] == cost[first] && effect[i] == effect[first]) {
            status[i] = -2 - first; /* resolved below: the first copy's status */
            continue;
        }
        first = i;
        if (effect[i] > best) {
            tmp[m++] = i;
            best = effect[i];
        }
    }
    /* the lower convex hull of the survivors */
    int nf = 0;
    for (int k = 0; k < m; k++) {
        int p = tmp[k];
        while (nf >= 2) {
            int a = frontier[nf - 2], b = frontier[nf - 1];
            double in = (cost[b] - cost[a]) / (effect[b] - effect[a]);
            double out = (cost[p] - cost[b]) / (effect[p] - effect[b]);
            if (!icer_greater(in, out))
                break;
            status[b] = NS_ECON_EXT_DOMINATED;
            nf--;
        }
        status[p] = NS_ECON_FRONTIER;
        frontier[nf++] = p;
    }
    for (int k = 1; k < nf; k++) {
        int a = frontier[k - 1], b = frontier[k];
        reference[b] = a;
        icer[b] = (cost[b] - cost[a]) / (effect[b] - effect[a]);
    }
    for (int i = 0; i < n; i++)
        if (status[i] <= -2) {
            int f = -2 - status[i];
            status[i] = status[f] == NS_ECON_FRONTIER ? NS_ECON_DUPLICATE : status[f];
        }
    return nf;
}

int ns_frontier_pareto(const double *x, const double *y, int n, int *out, int *work)
{
    if (n < 1)
        return 0;
    int *order = work, *tmp = work + n;
    sort_idx(x, y, 0, n, order, tmp);
    int m = 0;
    double low = INFINITY;
    for (int k = 0; k < n; k++) {
        int i = order[k];
        if (y[i] < low) {
            out[m++] = i;
            low = y[i];
        }
    }
    return m;
}

double ns_frontier_cost_at(const double *cost, const double *effect, const int *frontier,
                           int nf, double q, int *where)
{
    *where = 0;
    if (nf < 1) {
        *where = 1;
        return NAN;
    }
    if (q < effect[frontier[0]]) {
        *where = -1;
        return cost[frontier[0]];
    }
    if (q > effect[frontier[nf - 1]]) {
        *where = 1;
        return NAN;
    }
    for (int k = 0; k + 1 < nf; k++) {
        int a = frontier[k], b = frontier[k + 1];
        if (q <= effect[b]) {
            double f = (q - effect[a]) / (effect[b] - effect[a]);
            return cost[a] + f * (cost[b] - cost[a]);
        }
    }
    return cost[frontier[nf - 1]];
}
