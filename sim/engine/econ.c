/* Health-economic decision rules declared in netsurv/econ.h: incremental
 * analysis along the efficiency frontier (Drummond et al.; the algorithm of
 * dampack's calculate_icers, with the iterated extended-dominance removal
 * that heemod lacks), net monetary benefit, and CEAC / CEAF / EVPI over PSA
 * draws. Checked against dampack 0430fee and BCEA 2.4.82 on the cases of
 * tests/fixtures/crosscheck/ (tests/test_crosscheck.c): the same statuses
 * and ICERs but for the two conventions marked "dampack" below.
 *
 * Conventions of ns_econ_icers:
 *  - Order: cost ascending, ties by effect descending, then by index.
 *  - Strong dominance: i dominates j when cost_i <= cost_j and
 *    effect_i >= effect_j, one of them strictly (exact comparisons).
 *  - Exact duplicates (equal cost and equal effect): the first in the order
 *    (the lowest index) is analysed; each later copy gets the status of that
 *    first one, except that a copy of a frontier strategy is
 *    NS_ECON_DUPLICATE. A copy of a dominated strategy is itself dominated.
 *    (dampack: a copy of a frontier strategy is D, which would claim that
 *    a strategy is worse than one that is the same.)
 *  - Extended dominance: among the remaining strategies (strictly increasing
 *    in cost and in effect), the first k with ICER_k > ICER_{k+1} is removed
 *    and the ICERs recomputed, until they are non-decreasing. Equal
 *    consecutive ICERs are not extended dominance: both strategies stay. Two
 *    ICERs within a relative ICER_RTOL count as equal, so that rounding in
 *    the differences of collinear strategies does not remove one of them.
 *    (dampack's strict > removes it when the ICERs, equal in decimal, differ
 *    in the last bits: the status would then depend on rounding.)
 *  - Only frontier strategies after the first have a reference (the
 *    previous frontier strategy) and finite inc_cost, inc_effect, icer;
 *    every other strategy has reference -1 and NaN in all three.
 *  - Slots n .. NS_ECON_MAX - 1 of the table are filled with -1 and NaN.
 * No allocation: every work array lives on the stack (NS_ECON_MAX). */
#include "netsurv/engine/econ.h"

#include <math.h>

#define ICER_RTOL 1e-12 /* ICERs this close (relative) count as equal */

const char *const ns_econ_status_name[4] = {
    "frontier", "dominated", "extended_dominated", "duplicate"};
const char *const ns_econ_status_code[4] = {"ND", "D", "ED", "duplicate"};

/* True when n strategies fit a table and every cost and effect is finite. */
static int inputs_ok(const double *cost, const double *effect, int n)
{
    if (!cost || !effect || n < 1 || n > NS_ECON_MAX)
        return 0;
    for (int i = 0; i < n; i++)
        if (!isfinite(cost[i]) || !isfinite(effect[i]))
            return 0;
    return 1;
}

/* Fills every slot of the table with "no result": -1 and NaN. */
static void clear_table(ns_icer_table *out)
{
    for (int i = 0; i < NS_ECON_MAX; i++) {
        out->order[i] = -1;
        out->status[i] = -1;
        out->reference[i] = -1;
        out->inc_cost[i] = NAN;
        out->inc_effect[i] = NAN;
        out->icer[i] = NAN;
    }
}

/* True when strategy a sorts before b: cheaper, then more effective, then
 * lower index. */
static int sorts_before(const double *cost, const double *effect, int a, int b)
{
    if (cost[a] != cost[b])
        return cost[a] < cost[b];
    if (effect[a] != effect[b])
        return effect[a] > effect[b];
    return a < b;
}

/* Writes 0 .. n-1 into order[], sorted by sorts_before (insertion sort). */
static void sort_strategies(const double *cost, const double *effect, int n, int *order)
{
    for (int i = 0; i < n; i++) {
        int s = i, j = i;
        while (j > 0 && sorts_before(cost, effect, s, order[j - 1])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = s;
    }
}

/* True when i strongly dominates j: costs no more, gains no less, and is
 * strictly better in at least one of the two. */
static int dominates(const double *cost, const double *effect, int i, int j)
{
    return cost[i] <= cost[j] && effect[i] >= effect[j]
           && (cost[i] < cost[j] || effect[i] > effect[j]);
}

/* True when some strategy other than j strongly dominates j. */
static int is_dominated(const double *cost, const double *effect, int n, int j)
{
    for (int i = 0; i < n; i++)
        if (i != j && dominates(cost, effect, i, j))
            return 1;
    return 0;
}

/* ICER of strategy b against the cheaper, less effective strategy a. */
static double icer_between(const double *cost, const double *effect, int a, int b)
{
    return (cost[b] - cost[a]) / (effect[b] - effect[a]);
}

/* True when ICER x exceeds the next ICER y by more than rounding. */
static int icer_greater(double x, double y)
{
    return x > y && x - y > ICER_RTOL * fabs(y);
}

/* Position k (1 .. len-2) of the first strategy in list[] whose ICER
 * against list[k-1] exceeds that of list[k+1] against it; -1 if none. */
static int first_extended(const double *cost, const double *effect, const int *list, int len)
{
    for (int k = 1; k + 1 < len; k++) {
        double here = icer_between(cost, effect, list[k - 1], list[k]);
        double next = icer_between(cost, effect, list[k], list[k + 1]);
        if (icer_greater(here, next))
            return k;
    }
    return -1;
}

/* Removes list[k] from list[0 .. *len-1], keeping the rest in order. */
static void remove_at(int *list, int *len, int k)
{
    for (int i = k; i + 1 < *len; i++)
        list[i] = list[i + 1];
    (*len)--;
}

/* Marks dominated strategies and duplicates in out->status, writes the
 * other strategies (in cost order) to cand[], returns their count, and
 * records in first_of[j] the strategy each duplicate j copies (else -1). */
static int strong_pass(const double *cost, const double *effect, int n, ns_icer_table *out,
                       int *cand, int *first_of)
{
    int len = 0;
    for (int p = 0; p < n; p++) {
        int j = out->order[p];
        first_of[j] = -1;
        if (is_dominated(cost, effect, n, j)) {
            out->status[j] = NS_ECON_DOMINATED;
            continue;
        }
        /* identical strategies sort next to each other, lowest index first */
        if (p > 0) {
            int prev = out->order[p - 1];
            if (cost[prev] == cost[j] && effect[prev] == effect[j]) {
                first_of[j] = first_of[prev] >= 0 ? first_of[prev] : prev;
                continue;
            }
        }
        out->status[j] = NS_ECON_FRONTIER;
        cand[len++] = j;
    }
    return len;
}

/* Removes extended-dominated strategies from cand[] one at a time,
 * restarting after each, marks them in out->status; returns the new count. */
static int extended_pass(const double *cost, const double *effect, ns_icer_table *out,
                         int *cand, int len)
{
    int k;
    while ((k = first_extended(cost, effect, cand, len)) >= 0) {
        out->status[cand[k]] = NS_ECON_EXT_DOMINATED;
        remove_at(cand, &len, k);
    }
    return len;
}

/* Writes reference, increments and ICER of each frontier strategy against
 * the previous one on the frontier. */
static void fill_increments(const double *cost, const double *effect, ns_icer_table *out,
                            const int *front, int len)
{
    for (int k = 1; k < len; k++) {
        int a = front[k - 1], b = front[k];
        out->reference[b] = a;
        out->inc_cost[b] = cost[b] - cost[a];
        out->inc_effect[b] = effect[b] - effect[a];
        out->icer[b] = out->inc_cost[b] / out->inc_effect[b];
    }
}

/* Gives each duplicate the status of the strategy it copies (DUPLICATE
 * when that one is on the frontier). */
static void resolve_duplicates(int n, ns_icer_table *out, const int *first_of)
{
    for (int j = 0; j < n; j++) {
        if (first_of[j] < 0)
            continue;
        int st = out->status[first_of[j]];
        out->status[j] = st == NS_ECON_FRONTIER ? NS_ECON_DUPLICATE : st;
    }
}

/* Full incremental analysis; -1 (out untouched) on a NULL pointer, n out of
 * 1 .. NS_ECON_MAX, or a non-finite cost or effect. */
int ns_econ_icers(const double *cost, const double *effect, int n, ns_icer_table *out)
{
    if (!out || !inputs_ok(cost, effect, n))
        return -1;
    int cand[NS_ECON_MAX], first_of[NS_ECON_MAX];
    clear_table(out);
    sort_strategies(cost, effect, n, out->order);
    int len = strong_pass(cost, effect, n, out, cand, first_of);
    len = extended_pass(cost, effect, out, cand, len);
    fill_increments(cost, effect, out, cand, len);
    resolve_duplicates(n, out, first_of);
    return 0;
}

/* Frontier, then extended dominated, then dominated and duplicates, each
 * group in the table's cost order. */
void ns_econ_dampack_rows(const ns_icer_table *t, int n, int *rows)
{
    static const int group_of[4] = {0, 2, 1, 2}; /* by NS_ECON_* status */
    int len = 0;
    for (int g = 0; g < 3; g++)
        for (int p = 0; p < n; p++) {
            int s = t->order[p];
            if (s >= 0 && t->status[s] >= 0 && t->status[s] < 4 && group_of[t->status[s]] == g)
                rows[len++] = s;
        }
}

/* Added up step by step (not i * step): the grid every output has written. */
int ns_econ_wtp_grid(double max, double step, double *grid, int cap)
{
    int w = 0;
    for (double x = 0; x <= max + 1e-9 && w < cap; x += step)
        grid[w++] = x;
    return w;
}

/* nmb[i] = wtp * effect[i] - cost[i] for i < n; nothing when n <= 0. */
void ns_econ_nmb(const double *cost, const double *effect, int n, double wtp, double *nmb)
{
    for (int i = 0; i < n; i++)
        nmb[i] = wtp * effect[i] - cost[i];
}

/* Writes the "no result" row for one wtp: NaN CEAC and EVPI, CEAF -1. */
static void psa_no_result(int n, double *ceac_row, int *ceaf, double *evpi)
{
    for (int i = 0; i < n; i++)
        ceac_row[i] = NAN;
    *ceaf = -1;
    *evpi = NAN;
}

/* Adds 1/m to wins[i] for each of the m strategies tying for the highest
 * nmb[], and returns that highest value; NaN when any nmb[] is not finite. */
static double score_draw(const double *nmb, int n, double *wins)
{
    double best = nmb[0];
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(nmb[i]))
            return NAN;
        if (nmb[i] > best)
            best = nmb[i];
    }
    for (int i = 0; i < n; i++)
        m += nmb[i] == best;
    for (int i = 0; i < n; i++)
        if (nmb[i] == best)
            wins[i] += 1.0 / m;
    return best;
}

/* CEAC row, CEAF and EVPI at one wtp over K draws; sums run in draw order.
 * Any non-finite net benefit gives the no-result row. */
static void psa_one_wtp(const double *cost, const double *effect, int K, int n, double wtp,
                        double *ceac_row, int *ceaf, double *evpi)
{
    double nmb[NS_ECON_MAX], sum[NS_ECON_MAX] = {0}, wins[NS_ECON_MAX] = {0};
    double sum_max = 0.0;
    for (int k = 0; k < K; k++) {
        size_t base = (size_t)k * (size_t)n;
        ns_econ_nmb(cost + base, effect + base, n, wtp, nmb);
        double best = score_draw(nmb, n, wins);
        if (isnan(best)) {
            psa_no_result(n, ceac_row, ceaf, evpi);
            return;
        }
        sum_max += best;
        for (int i = 0; i < n; i++)
            sum[i] += nmb[i];
    }
    int arg = 0;
    for (int i = 0; i < n; i++) {
        ceac_row[i] = wins[i] / K;
        if (sum[i] > sum[arg])
            arg = i;
    }
    *ceaf = arg;
    double e = sum_max / K - sum[arg] / K;
    *evpi = e < 0.0 ? 0.0 : e; /* >= 0 in real arithmetic: a negative is rounding */
}

/* CEAC, CEAF and EVPI at each of W wtp values over K draws of n strategies.
 * Nothing is written when n is out of 1 .. NS_ECON_MAX or W < 1; with K < 1
 * every row is the no-result row (NaN CEAC and EVPI, CEAF -1). */
void ns_econ_psa(const double *cost, const double *effect, int K, int n, const double *wtp, int W,
                 double *ceac, int *ceaf, double *evpi)
{
    if (n < 1 || n > NS_ECON_MAX || W < 1)
        return;
    for (int w = 0; w < W; w++) {
        double *row = ceac + (size_t)w * (size_t)n;
        if (K < 1)
            psa_no_result(n, row, &ceaf[w], &evpi[w]);
        else
            psa_one_wtp(cost, effect, K, n, wtp[w], row, &ceaf[w], &evpi[w]);
    }
}

double ns_econ_population_factor(double incidence, double horizon_years, double rate)
{
    double f = 0;
    for (int y = 0; y < horizon_years; y++) {
        double part = horizon_years - y < 1 ? horizon_years - y : 1;
        f += part * pow(1 + rate, -y);
    }
    return incidence * f;
}
