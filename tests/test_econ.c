/* Tests for netsurv/econ.h: incremental analysis on hand-worked examples
 * (strong, extended and cascading extended dominance, cost-saving
 * strategies, every kind of tie, dampack issue 37, heemod issue 182), input
 * order independence, NMB, and CEAC / CEAF / EVPI on small fixed PSA draw
 * sets whose answers are worked out in the comments. Every table also goes
 * through check_table, which re-derives the decision rules from scratch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "netsurv/engine/econ.h"

#define TOL 1e-9
#define F NS_ECON_FRONTIER
#define D NS_ECON_DOMINATED
#define X NS_ECON_EXT_DOMINATED
#define U NS_ECON_DUPLICATE

/* ---------- helpers ---------- */

/* Fails unless |got - want| <= TOL. */
static void near(const char *what, int i, double got, double want)
{
    if (!(fabs(got - want) <= TOL))
        fail_msg("%s[%d] = %.17g, expected %.17g", what, i, got, want);
}

/* Fails unless strategy i has the given status and reference, NaN
 * increments when ref < 0, else the given increments and ICER (to TOL). */
static void expect(const ns_icer_table *t, int i, int status, int ref, double dc, double de,
                   double icer)
{
    if (t->status[i] != status)
        fail_msg("status[%d] = %d, expected %d", i, t->status[i], status);
    if (t->reference[i] != ref)
        fail_msg("reference[%d] = %d, expected %d", i, t->reference[i], ref);
    if (ref < 0) {
        if (!isnan(t->inc_cost[i]) || !isnan(t->inc_effect[i]) || !isnan(t->icer[i]))
            fail_msg("strategy %d has no reference but finite increments", i);
        return;
    }
    near("inc_cost", i, t->inc_cost[i], dc);
    near("inc_effect", i, t->inc_effect[i], de);
    near("icer", i, t->icer[i], icer);
}

/* Fails unless t->order[0 .. n-1] is exactly want[0 .. n-1]. */
static void expect_order(const ns_icer_table *t, const int *want, int n)
{
    for (int p = 0; p < n; p++)
        if (t->order[p] != want[p])
            fail_msg("order[%d] = %d, expected %d", p, t->order[p], want[p]);
}

/* True when i strongly dominates j (independent restatement of the rule). */
static int dom(const double *c, const double *e, int i, int j)
{
    return (c[i] < c[j] && e[i] >= e[j]) || (c[i] <= c[j] && e[i] > e[j]);
}

/* Re-derives every rule the table must satisfy: order sorted and a
 * permutation; DOMINATED exactly when some strategy dominates; DUPLICATE a
 * later copy of a frontier strategy; frontier strictly increasing in cost
 * and effect, first with no reference, each next referring to the previous,
 * finite positive non-decreasing ICERs; EXT_DOMINATED lies strictly above a
 * chord between two frontier strategies; no-reference rows all NaN;
 * unused slots -1. */
static void check_table(const double *c, const double *e, int n, const ns_icer_table *t)
{
    int seen[NS_ECON_MAX] = {0}, prev = -1;
    double prev_icer = -INFINITY;
    for (int p = 0; p < n; p++) {
        int s = t->order[p];
        assert_true(s >= 0 && s < n && !seen[s]);
        seen[s] = 1;
        if (p > 0) {
            int r = t->order[p - 1];
            assert_true(c[r] < c[s] || (c[r] == c[s] && (e[r] > e[s] || (e[r] == e[s] && r < s))));
        }
    }
    for (int p = 0; p < n; p++) {
        int s = t->order[p], any = 0;
        for (int i = 0; i < n; i++)
            any |= i != s && dom(c, e, i, s);
        if (any != (t->status[s] == D))
            fail_msg("strategy %d: status %d but dominated %d", s, t->status[s], any);
        if (t->status[s] == U) {
            int ok = 0;
            for (int i = 0; i < n; i++)
                ok |= i < s && t->status[i] == F && c[i] == c[s] && e[i] == e[s];
            if (!ok)
                fail_msg("strategy %d: duplicate of no earlier frontier strategy", s);
        }
        if (t->status[s] != F) {
            assert_int_equal(t->reference[s], -1);
            assert_true(isnan(t->inc_cost[s]) && isnan(t->inc_effect[s]) && isnan(t->icer[s]));
            continue;
        }
        assert_int_equal(t->reference[s], prev);
        if (prev >= 0) {
            assert_true(c[s] > c[prev] && e[s] > e[prev]);
            assert_true(t->inc_cost[s] == c[s] - c[prev] && t->inc_effect[s] == e[s] - e[prev]);
            assert_true(isfinite(t->icer[s]) && t->icer[s] > 0.0);
            if (!(t->icer[s] >= prev_icer * (1.0 - 1e-12)))
                fail_msg("frontier ICER falls: %.17g after %.17g", t->icer[s], prev_icer);
            prev_icer = t->icer[s];
        } else {
            assert_true(isnan(t->icer[s]));
        }
        prev = s;
    }
    assert_true(prev >= 0); /* at least one frontier strategy */
    for (int j = 0; j < n; j++) {
        if (t->status[j] != X)
            continue;
        int ok = 0;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                if (t->status[a] == F && t->status[b] == F && e[a] < e[j] && e[j] < e[b])
                    ok |= c[a] + (c[b] - c[a]) * (e[j] - e[a]) / (e[b] - e[a]) < c[j];
        if (!ok)
            fail_msg("strategy %d: extended dominated but above no frontier chord", j);
    }
    for (int i = n; i < NS_ECON_MAX; i++)
        assert_true(t->order[i] == -1 && t->status[i] == -1 && t->reference[i] == -1);
}

/* Runs ns_econ_icers, requires success and check_table. */
static void run_icers(const double *c, const double *e, int n, ns_icer_table *t)
{
    assert_int_equal(ns_econ_icers(c, e, n, t), 0);
    check_table(c, e, n, t);
}

/* ---------- incremental analysis ---------- */

/* Worked example, (cost, QALY), all effects exact binary fractions:
 *   A 0  ( 0,    10.0   ) no follow-up
 *   B 1  (-500,  10.25  ) cost-saving and more effective than A
 *   C 2  ( 1000, 10.375 )
 *   D 3  ( 3000, 10.4375)
 *   E 4  ( 4500, 10.625 )
 *   F 5  ( 5000, 10.5   )
 * Order by cost: B, A, C, D, E, F.
 * Strong dominance: B dominates A (cheaper, more effective); E dominates F
 * (cheaper, more effective). Nothing costs <= 3000 with effect >= 10.4375,
 * so D is not strongly dominated; nor are B, C, E.
 * Remaining B, C, D, E; ICERs vs the previous one:
 *   C/B = 1500 / 0.125 = 12000; D/C = 2000 / 0.0625 = 32000;
 *   E/D = 1500 / 0.1875 = 8000. 32000 > 8000: D is extended dominated
 *   (0.75 C + 0.25 E gives 10.4375 QALYs for 1875 < 3000).
 * Recompute: C/B = 12000, E/C = 3500 / 0.25 = 14000, non-decreasing: done.
 * Frontier B -> C -> E. */
static void test_worked_example(void **state)
{
    (void)state;
    const double c[] = {0.0, -500.0, 1000.0, 3000.0, 4500.0, 5000.0};
    const double e[] = {10.0, 10.25, 10.375, 10.4375, 10.625, 10.5};
    const int order[] = {1, 0, 2, 3, 4, 5};
    ns_icer_table t;
    run_icers(c, e, 6, &t);
    expect_order(&t, order, 6);
    expect(&t, 0, D, -1, 0, 0, 0);
    expect(&t, 1, F, -1, 0, 0, 0);
    expect(&t, 2, F, 1, 1500.0, 0.125, 12000.0);
    expect(&t, 3, X, -1, 0, 0, 0);
    expect(&t, 4, F, 2, 3500.0, 0.25, 14000.0);
    expect(&t, 5, D, -1, 0, 0, 0);
}

/* Cascading extended dominance (the removal must be iterated, heemod 182):
 *   P0 (0, 8.0), P1 (10000, 8.5), P2 (21000, 9.0), P3 (33000, 9.5),
 *   P4 (35000, 10.0), given in scrambled order.
 * Pass 1 ICERs: P1 20000, P2 22000, P3 24000, P4 4000 -> P3 out.
 * Pass 2: P1 20000, P2 22000, P4 vs P2 14000 / 1.0 = 14000 -> P2 out.
 * Pass 3: P1 20000, P4 vs P1 25000 / 1.5 = 16666.7 -> P1 out.
 * Pass 4: P4 vs P0 35000 / 2.0 = 17500. Frontier P0 -> P4.
 * (One non-iterated pass would leave P0, P1, P2, P4; a single "remove every
 * violator" pass would leave P0, P1, P2, P4 as well.) */
static void test_cascading_extended(void **state)
{
    (void)state;
    /* index:              P3       P0   P4       P1       P2 */
    const double c[] = {33000.0, 0.0, 35000.0, 10000.0, 21000.0};
    const double e[] = {9.5, 8.0, 10.0, 8.5, 9.0};
    const int order[] = {1, 3, 4, 0, 2};
    ns_icer_table t;
    run_icers(c, e, 5, &t);
    expect_order(&t, order, 5);
    expect(&t, 1, F, -1, 0, 0, 0);
    expect(&t, 2, F, 1, 35000.0, 2.0, 17500.0);
    expect(&t, 0, X, -1, 0, 0, 0);
    expect(&t, 3, X, -1, 0, 0, 0);
    expect(&t, 4, X, -1, 0, 0, 0);
}

/* Exact duplicates: the lowest index stays, later copies take its status.
 *   0 (100, 5)  1 (0, 4)  2 (100, 5) copy of 0  3 (100, 5) copy of 0
 *   4 (300, 5)  dominated by 0, 5 (300, 5) copy of a dominated one
 *   6 (0, 4)    copy of the cheapest frontier strategy 1
 * Frontier 1 -> 0: 100 / 1 = 100. */
static void test_duplicates(void **state)
{
    (void)state;
    const double c[] = {100.0, 0.0, 100.0, 100.0, 300.0, 300.0, 0.0};
    const double e[] = {5.0, 4.0, 5.0, 5.0, 5.0, 5.0, 4.0};
    const int order[] = {1, 6, 0, 2, 3, 4, 5};
    ns_icer_table t;
    run_icers(c, e, 7, &t);
    expect_order(&t, order, 7);
    expect(&t, 1, F, -1, 0, 0, 0);
    expect(&t, 6, U, -1, 0, 0, 0);
    expect(&t, 0, F, 1, 100.0, 1.0, 100.0);
    expect(&t, 2, U, -1, 0, 0, 0);
    expect(&t, 3, U, -1, 0, 0, 0);
    expect(&t, 4, D, -1, 0, 0, 0);
    expect(&t, 5, D, -1, 0, 0, 0);
}

/* A copy of an extended-dominated strategy is extended dominated too:
 *   0 (0, 0), 1 (3000, 1), 2 (4000, 2), 3 (3000, 1) copy of 1.
 * ICERs 3000 then 1000: 1 out (and 3 with it); 2 vs 0 = 2000. */
static void test_duplicate_of_extended(void **state)
{
    (void)state;
    const double c[] = {0.0, 3000.0, 4000.0, 3000.0};
    const double e[] = {0.0, 1.0, 2.0, 1.0};
    ns_icer_table t;
    run_icers(c, e, 4, &t);
    expect(&t, 0, F, -1, 0, 0, 0);
    expect(&t, 1, X, -1, 0, 0, 0);
    expect(&t, 3, X, -1, 0, 0, 0);
    expect(&t, 2, F, 0, 4000.0, 2.0, 2000.0);
}

/* dampack issue 37: a cost-saving strategy tying on effect with a costlier
 * one. 0 (0, 10), 1 (-100, 10), 2 (1000, 10.5): 1 dominates 0 (cheaper,
 * equal effect); frontier 1 -> 2 with 1100 / 0.5 = 2200. And the pair alone:
 * frontier {1}, no division by zero anywhere. */
static void test_cost_saving_tie(void **state)
{
    (void)state;
    const double c[] = {0.0, -100.0, 1000.0};
    const double e[] = {10.0, 10.0, 10.5};
    ns_icer_table t;
    run_icers(c, e, 3, &t);
    expect(&t, 1, F, -1, 0, 0, 0);
    expect(&t, 0, D, -1, 0, 0, 0);
    expect(&t, 2, F, 1, 1100.0, 0.5, 2200.0);
    run_icers(c, e, 2, &t);
    expect(&t, 1, F, -1, 0, 0, 0);
    expect(&t, 0, D, -1, 0, 0, 0);
    for (int i = 0; i < 2; i++)
        assert_false(isinf(t.icer[i]) || isinf(t.inc_cost[i]) || isinf(t.inc_effect[i]));
}

/* A strategy cheaper and more effective than all others is the frontier. */
static void test_dominant_strategy(void **state)
{
    (void)state;
    const double c[] = {2000.0, -300.0, 500.0, 9000.0};
    const double e[] = {7.0, 8.0, 7.5, 7.9};
    ns_icer_table t;
    run_icers(c, e, 4, &t);
    expect(&t, 1, F, -1, 0, 0, 0);
    expect(&t, 0, D, -1, 0, 0, 0);
    expect(&t, 2, D, -1, 0, 0, 0);
    expect(&t, 3, D, -1, 0, 0, 0);
}

/* Equal cost, different effect: the less effective is dominated and sorts
 * after the more effective. 0 (100, 5), 1 (100, 6). */
static void test_equal_cost(void **state)
{
    (void)state;
    const double c[] = {100.0, 100.0};
    const double e[] = {5.0, 6.0};
    const int order[] = {1, 0};
    ns_icer_table t;
    run_icers(c, e, 2, &t);
    expect_order(&t, order, 2);
    expect(&t, 1, F, -1, 0, 0, 0);
    expect(&t, 0, D, -1, 0, 0, 0);
}

/* All effects equal: only the cheapest is on the frontier. With the two
 * cheapest tied in cost as well, the second is a duplicate. */
static void test_all_equal_effect(void **state)
{
    (void)state;
    const double c[] = {300.0, 100.0, 200.0, -50.0};
    const double e[] = {7.0, 7.0, 7.0, 7.0};
    ns_icer_table t;
    run_icers(c, e, 4, &t);
    expect(&t, 3, F, -1, 0, 0, 0);
    for (int i = 0; i < 3; i++)
        expect(&t, i, D, -1, 0, 0, 0);
    const double c2[] = {300.0, 100.0, 100.0};
    run_icers(c2, e, 3, &t);
    expect(&t, 1, F, -1, 0, 0, 0);
    expect(&t, 2, U, -1, 0, 0, 0);
    expect(&t, 0, D, -1, 0, 0, 0);
}

/* One strategy: frontier, no reference, NaN increments. */
static void test_single(void **state)
{
    (void)state;
    const double c[] = {-12.5}, e[] = {3.0};
    ns_icer_table t;
    run_icers(c, e, 1, &t);
    assert_int_equal(t.order[0], 0);
    expect(&t, 0, F, -1, 0, 0, 0);
}

/* Equal consecutive ICERs stay on the frontier: (0, 5), (1000, 5.5),
 * (2000, 6), (3500, 6.5) give 2000, 2000, 3000. Then collinear strategies
 * at 10000 per QALY whose differences round apart: (2000, 0.2),
 * (3000, 0.3), (4000, 0.4) give ICERs 10000.000000000002 and
 * 9999.999999999996 in doubles; the middle one must stay. */
static void test_equal_icers(void **state)
{
    (void)state;
    const double c[] = {0.0, 1000.0, 2000.0, 3500.0};
    const double e[] = {5.0, 5.5, 6.0, 6.5};
    ns_icer_table t;
    run_icers(c, e, 4, &t);
    expect(&t, 0, F, -1, 0, 0, 0);
    expect(&t, 1, F, 0, 1000.0, 0.5, 2000.0);
    expect(&t, 2, F, 1, 1000.0, 0.5, 2000.0);
    expect(&t, 3, F, 2, 1500.0, 0.5, 3000.0);

    const double c2[] = {3000.0, 2000.0, 4000.0};
    const double e3[] = {0.3, 0.2, 0.4};
    /* precondition: rounding really puts the first ICER above the second */
    assert_true((c2[0] - c2[1]) / (e3[0] - e3[1]) > (c2[2] - c2[0]) / (e3[2] - e3[0]));
    run_icers(c2, e3, 3, &t);
    expect(&t, 1, F, -1, 0, 0, 0);
    expect(&t, 0, F, 1, 1000.0, 0.1, 10000.0);
    expect(&t, 2, F, 0, 1000.0, 0.1, 10000.0);
}

/* n = NS_ECON_MAX, given in reverse: strategy s has i = 63 - s, effect i,
 * cost i^2 for even i, i^2 + 2 for odd i (still below (i+1)^2, so cost
 * rises with i and the order is 63, 62, ..., 0). Odd i < 63 lie 1 above the
 * chord of their even neighbours (midpoint i^2 + 1): extended dominated.
 * Even i form the frontier with ICER (i^2 - (i-2)^2) / 2 = 2i - 2; i = 63
 * follows 62 at 3971 - 3844 = 127 > 122, so it stays. */
static void test_max_n(void **state)
{
    (void)state;
    double c[NS_ECON_MAX], e[NS_ECON_MAX];
    for (int s = 0; s < NS_ECON_MAX; s++) {
        int i = NS_ECON_MAX - 1 - s;
        e[s] = i;
        c[s] = (double)i * i + (i % 2 ? 2.0 : 0.0);
    }
    ns_icer_table t;
    run_icers(c, e, NS_ECON_MAX, &t);
    for (int p = 0; p < NS_ECON_MAX; p++)
        assert_int_equal(t.order[p], NS_ECON_MAX - 1 - p);
    expect(&t, 63, F, -1, 0, 0, 0);
    for (int i = 2; i <= 62; i += 2)
        expect(&t, 63 - i, F, 63 - (i - 2), 4.0 * i - 4.0, 2.0, 2.0 * i - 2.0);
    for (int i = 1; i <= 61; i += 2)
        expect(&t, 63 - i, X, -1, 0, 0, 0);
    expect(&t, 0, F, 1, 127.0, 1.0, 127.0);
}

/* n out of range, NULL pointers and non-finite inputs return -1 and leave
 * the table untouched. */
static void test_bad_input(void **state)
{
    (void)state;
    double c[NS_ECON_MAX + 1] = {0}, e[NS_ECON_MAX + 1] = {0};
    for (int i = 0; i <= NS_ECON_MAX; i++)
        c[i] = e[i] = i;
    ns_icer_table t;
    t.order[0] = 1234;
    assert_int_equal(ns_econ_icers(c, e, 0, &t), -1);
    assert_int_equal(ns_econ_icers(c, e, -3, &t), -1);
    assert_int_equal(ns_econ_icers(c, e, NS_ECON_MAX + 1, &t), -1);
    assert_int_equal(ns_econ_icers(NULL, e, 2, &t), -1);
    assert_int_equal(ns_econ_icers(c, NULL, 2, &t), -1);
    assert_int_equal(ns_econ_icers(c, e, 2, NULL), -1);
    c[1] = NAN;
    assert_int_equal(ns_econ_icers(c, e, 3, &t), -1);
    c[1] = 1.0;
    e[2] = NAN;
    assert_int_equal(ns_econ_icers(c, e, 3, &t), -1);
    e[2] = INFINITY;
    assert_int_equal(ns_econ_icers(c, e, 3, &t), -1);
    e[2] = 2.0;
    c[0] = -INFINITY;
    assert_int_equal(ns_econ_icers(c, e, 3, &t), -1);
    assert_int_equal(t.order[0], 1234);
    c[0] = 0.0;
    assert_int_equal(ns_econ_icers(c, e, NS_ECON_MAX, &t), 0);
}

/* Shuffling the input gives, per strategy, the same status, the same
 * reference strategy and bit-identical increments and ICERs. The set is
 * the worked example plus the cascade moved up 3 QALYs (and P0 to cost 7),
 * 11 distinct strategies with all four kinds of outcome but duplicates
 * (whose status depends on the index by design). */
static void test_order_independence(void **state)
{
    (void)state;
    enum { N = 11 };
    const double c[N] = {0.0, -500.0, 1000.0, 3000.0, 4500.0, 5000.0,
                         33000.0, 0.0 + 7.0, 35000.0, 10000.0, 21000.0};
    const double e[N] = {10.0, 10.25, 10.375, 10.4375, 10.625, 10.5,
                         9.5 + 3.0, 8.0 + 3.0, 10.0 + 3.0, 8.5 + 3.0, 9.0 + 3.0};
    ns_icer_table base, t;
    run_icers(c, e, N, &base);
    uint32_t rng = 12345u;
    for (int rep = 0; rep < 50; rep++) {
        int perm[N]; /* perm[p] = original strategy placed at position p */
        for (int i = 0; i < N; i++)
            perm[i] = rep == 0 ? N - 1 - i : i;
        for (int i = N - 1; i > 0 && rep > 0; i--) {
            rng = rng * 1664525u + 1013904223u;
            int j = (int)((rng >> 8) % (uint32_t)(i + 1));
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        double pc[N], pe[N];
        int pos[N];
        for (int p = 0; p < N; p++) {
            pc[p] = c[perm[p]];
            pe[p] = e[perm[p]];
            pos[perm[p]] = p;
        }
        run_icers(pc, pe, N, &t);
        for (int s = 0; s < N; s++) {
            int p = pos[s];
            assert_int_equal(t.status[p], base.status[s]);
            int want_ref = base.reference[s] < 0 ? -1 : pos[base.reference[s]];
            assert_int_equal(t.reference[p], want_ref);
            assert_memory_equal(&t.icer[p], &base.icer[s], sizeof(double));
            assert_memory_equal(&t.inc_cost[p], &base.inc_cost[s], sizeof(double));
            assert_memory_equal(&t.inc_effect[p], &base.inc_effect[s], sizeof(double));
        }
        for (int k = 0; k < N; k++)
            assert_int_equal(perm[t.order[k]], base.order[k]);
    }
}

/* The status names line up with the enum. */
static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(ns_econ_status_name[NS_ECON_FRONTIER], "frontier");
    assert_string_equal(ns_econ_status_name[NS_ECON_DOMINATED], "dominated");
    assert_string_equal(ns_econ_status_name[NS_ECON_EXT_DOMINATED], "extended_dominated");
    assert_string_equal(ns_econ_status_name[NS_ECON_DUPLICATE], "duplicate");
}

/* ---------- net monetary benefit ---------- */

/* wtp 1000: 1000 * 1.5 - 100 = 1400; 1000 * 2 + 50 = 2050; 0 - 0 = 0;
 * wtp 0 gives -cost; n = 0 writes nothing. */
static void test_nmb(void **state)
{
    (void)state;
    const double c[] = {100.0, -50.0, 0.0}, e[] = {1.5, 2.0, 0.0};
    double nmb[4] = {0, 0, 0, 99.0};
    ns_econ_nmb(c, e, 3, 1000.0, nmb);
    assert_true(nmb[0] == 1400.0 && nmb[1] == 2050.0 && nmb[2] == 0.0 && nmb[3] == 99.0);
    ns_econ_nmb(c, e, 3, 0.0, nmb);
    assert_true(nmb[0] == -100.0 && nmb[1] == 50.0 && nmb[2] == 0.0);
    nmb[0] = 7.0;
    ns_econ_nmb(c, e, 0, 1.0, nmb);
    assert_true(nmb[0] == 7.0);
}

/* ---------- PSA ---------- */

/* Strategy 2 is cheaper and more effective than 0 and 1 in every draw, so
 * it has the highest NMB at every wtp >= 0: CEAC (0, 0, 1), CEAF 2, and
 * EVPI exactly 0. */
static void test_psa_zero_evpi(void **state)
{
    (void)state;
    enum { K = 5, N = 3, W = 4 };
    double c[K * N], e[K * N];
    for (int k = 0; k < K; k++) {
        c[k * N + 0] = 1000.0 + 37.3 * k;
        e[k * N + 0] = 5.0 + 0.013 * k;
        c[k * N + 1] = 2500.0 - 11.1 * k;
        e[k * N + 1] = 5.1 - 0.007 * k;
        c[k * N + 2] = 900.0 + 3.7 * k;
        e[k * N + 2] = 5.2 + 0.011 * k;
    }
    const double wtp[W] = {0.0, 20000.0, 50000.0, 100000.0};
    double ceac[W * N], evpi[W];
    int ceaf[W];
    ns_econ_psa(c, e, K, N, wtp, W, ceac, ceaf, evpi);
    for (int w = 0; w < W; w++) {
        assert_true(evpi[w] == 0.0);
        assert_int_equal(ceaf[w], 2);
        assert_true(ceac[w * N] == 0.0 && ceac[w * N + 1] == 0.0 && ceac[w * N + 2] == 1.0);
    }
}

/* 4 draws x 2 strategies, (cost, effect):
 *   draw 0: s0 (1000, 1.0 ), s1 (3000, 1.25)
 *   draw 1: s0 (2000, 1.5 ), s1 (1000, 1.25)
 *   draw 2: s0 ( 500, 1.0 ), s1 (4000, 1.5 )
 *   draw 3: s0 (3000, 1.25), s1 (2000, 1.25)
 * wtp 0 (NMB = -cost): s0 -1000 -2000 -500 -3000, s1 -3000 -1000 -4000 -2000
 *   winners s0 s1 s0 s1: CEAC 0.5 0.5; means -1625, -2500: CEAF 0;
 *   E max = (-1000 - 1000 - 500 - 2000) / 4 = -1125; EVPI = 500.
 * wtp 8000: s0 7000 10000 7500 7000, s1 7000 9000 8000 8000
 *   draw 0 ties: CEAC s0 (0.5 + 1) / 4 = 0.375, s1 (0.5 + 1 + 1) / 4 = 0.625;
 *   means 7875, 8000: CEAF 1; E max = 33000 / 4 = 8250; EVPI = 250.
 * wtp 20000: s0 19000 28000 19500 22000, s1 22000 24000 26000 23000
 *   winners s1 s0 s1 s1: CEAC 0.25 0.75; means 22125, 23750: CEAF 1;
 *   E max = 99000 / 4 = 24750; EVPI = 1000. */
static void test_psa_hand_evpi(void **state)
{
    (void)state;
    const double c[] = {1000, 3000, 2000, 1000, 500, 4000, 3000, 2000};
    const double e[] = {1.0, 1.25, 1.5, 1.25, 1.0, 1.5, 1.25, 1.25};
    const double wtp[] = {0.0, 8000.0, 20000.0};
    const double want_ceac[] = {0.5, 0.5, 0.375, 0.625, 0.25, 0.75};
    const int want_ceaf[] = {0, 1, 1};
    const double want_evpi[] = {500.0, 250.0, 1000.0};
    double ceac[6], evpi[3];
    int ceaf[3];
    ns_econ_psa(c, e, 4, 2, wtp, 3, ceac, ceaf, evpi);
    for (int w = 0; w < 3; w++) {
        near("evpi", w, evpi[w], want_evpi[w]);
        assert_int_equal(ceaf[w], want_ceaf[w]);
        near("ceac", 2 * w, ceac[2 * w], want_ceac[2 * w]);
        near("ceac", 2 * w + 1, ceac[2 * w + 1], want_ceac[2 * w + 1]);
    }
}

/* Ties split evenly. Three strategies at wtp 0 (effects 0), costs per draw:
 *   draw 0: 5 5 5 (three-way tie), draw 1: 1 9 1 (s0, s2 tie), draw 2: 7 2 8
 * CEAC: s0 (1/3 + 1/2) / 3 = 5/18, s1 (1/3 + 1) / 3 = 8/18, s2 5/18; sum 1.
 * Means -13/3, -16/3, -14/3: CEAF 0. E max = (-5 - 1 - 2) / 3 = -8/3;
 * EVPI = -8/3 + 13/3 = 5/3.
 * Then equal expected NMB: CEAF takes the lower index. Two strategies,
 * NMB (10, 0) and (0, 10): CEAC 0.5 0.5, CEAF 0, EVPI 10 - 5 = 5. */
static void test_psa_ties(void **state)
{
    (void)state;
    const double c[] = {5, 5, 5, 1, 9, 1, 7, 2, 8};
    const double e[9] = {0};
    const double wtp[] = {0.0};
    double ceac[3], evpi[1];
    int ceaf[1];
    ns_econ_psa(c, e, 3, 3, wtp, 1, ceac, ceaf, evpi);
    near("ceac", 0, ceac[0], 5.0 / 18.0);
    near("ceac", 1, ceac[1], 8.0 / 18.0);
    near("ceac", 2, ceac[2], 5.0 / 18.0);
    near("row sum", 0, ceac[0] + ceac[1] + ceac[2], 1.0);
    assert_int_equal(ceaf[0], 0);
    near("evpi", 0, evpi[0], 5.0 / 3.0);

    const double c2[] = {-10, 0, 0, -10};
    ns_econ_psa(c2, e, 2, 2, wtp, 1, ceac, ceaf, evpi);
    assert_true(ceac[0] == 0.5 && ceac[1] == 0.5);
    assert_int_equal(ceaf[0], 0);
    assert_true(evpi[0] == 5.0);
}

/* Many draws with frequent ties (small integer costs, half-QALY effects):
 * every CEAC row sums to 1, entries lie in [0, 1], the CEAF is the
 * expected-NMB maximiser (recomputed here) and EVPI >= 0. */
static void test_psa_rows_sum(void **state)
{
    (void)state;
    enum { K = 500, N = 5, W = 4 };
    static double c[K * N], e[K * N];
    uint32_t rng = 777u;
    for (int j = 0; j < K * N; j++) {
        rng = rng * 1664525u + 1013904223u;
        c[j] = 100.0 * ((rng >> 10) % 4u);
        rng = rng * 1664525u + 1013904223u;
        e[j] = 0.5 * ((rng >> 10) % 3u);
    }
    const double wtp[W] = {0.0, 200.0, 400.0, 1000.0};
    double ceac[W * N], evpi[W];
    int ceaf[W];
    ns_econ_psa(c, e, K, N, wtp, W, ceac, ceaf, evpi);
    for (int w = 0; w < W; w++) {
        double sum = 0.0, mean[N] = {0};
        for (int i = 0; i < N; i++) {
            assert_true(ceac[w * N + i] >= 0.0 && ceac[w * N + i] <= 1.0);
            sum += ceac[w * N + i];
        }
        if (!(fabs(sum - 1.0) <= 1e-12))
            fail_msg("CEAC row %d sums to %.17g", w, sum);
        for (int k = 0; k < K; k++)
            for (int i = 0; i < N; i++)
                mean[i] += (wtp[w] * e[k * N + i] - c[k * N + i]) / K;
        for (int i = 0; i < N; i++)
            assert_true(mean[ceaf[w]] >= mean[i] - 1e-9);
        assert_true(evpi[w] >= 0.0 && isfinite(evpi[w]));
    }
}

/* CEAF differs from the CEAC's most probable strategy. Effects 1 QALY for
 * both, wtp 20000, so NMB = 20000 - cost. Costs per draw (s0, s1):
 *   draws 0-3: (100, 101): s0 wins by 1; draw 4: (1100, 100): s1 by 1000.
 * CEAC: s0 0.8, s1 0.2. Means: s0 20000 - 1500/5 = 19700,
 * s1 20000 - 504/5 = 19899.2: CEAF 1. EVPI = 19900 - 19899.2 = 0.8. */
static void test_psa_ceaf_vs_ceac(void **state)
{
    (void)state;
    const double c[] = {100, 101, 100, 101, 100, 101, 100, 101, 1100, 100};
    const double e[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    const double wtp[] = {20000.0};
    double ceac[2], evpi[1];
    int ceaf[1];
    ns_econ_psa(c, e, 5, 2, wtp, 1, ceac, ceaf, evpi);
    near("ceac", 0, ceac[0], 0.8);
    near("ceac", 1, ceac[1], 0.2);
    assert_int_equal(ceaf[0], 1);
    near("evpi", 0, evpi[0], 0.8);
}

/* No draws, or a non-finite net benefit in any draw: the row is NaN, CEAF
 * -1, EVPI NaN (not a clamped 0). An infinite effect gives 0 * inf = NaN at
 * wtp 0 and an infinite NMB at wtp 10: no-result rows at both. */
static void test_psa_bad(void **state)
{
    (void)state;
    const double c[] = {1, 2, 3, 4}, e[] = {1, 1, 1, 1};
    const double wtp[] = {0.0, 10.0};
    double ceac[4], evpi[2];
    int ceaf[2];
    ns_econ_psa(c, e, 0, 2, wtp, 2, ceac, ceaf, evpi);
    for (int w = 0; w < 2; w++)
        assert_true(isnan(ceac[2 * w]) && isnan(ceac[2 * w + 1]) && ceaf[w] == -1
                    && isnan(evpi[w]));
    const double cn[] = {1, 2, NAN, 4};
    ns_econ_psa(cn, e, 2, 2, wtp, 2, ceac, ceaf, evpi);
    for (int w = 0; w < 2; w++)
        assert_true(isnan(ceac[2 * w]) && ceaf[w] == -1 && isnan(evpi[w]));
    const double ei[] = {1, 1, INFINITY, 1};
    ns_econ_psa(c, ei, 2, 2, wtp, 2, ceac, ceaf, evpi);
    for (int w = 0; w < 2; w++)
        assert_true(isnan(ceac[2 * w + 1]) && ceaf[w] == -1 && isnan(evpi[w]));
    /* n out of range writes nothing */
    ceaf[0] = 42;
    ns_econ_psa(c, e, 2, 0, wtp, 1, ceac, ceaf, evpi);
    ns_econ_psa(c, e, 2, NS_ECON_MAX + 1, wtp, 1, ceac, ceaf, evpi);
    assert_int_equal(ceaf[0], 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_cascading_extended),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_duplicate_of_extended),
        cmocka_unit_test(test_cost_saving_tie),
        cmocka_unit_test(test_dominant_strategy),
        cmocka_unit_test(test_equal_cost),
        cmocka_unit_test(test_all_equal_effect),
        cmocka_unit_test(test_single),
        cmocka_unit_test(test_equal_icers),
        cmocka_unit_test(test_max_n),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_order_independence),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_nmb),
        cmocka_unit_test(test_psa_zero_evpi),
        cmocka_unit_test(test_psa_hand_evpi),
        cmocka_unit_test(test_psa_ties),
        cmocka_unit_test(test_psa_rows_sum),
        cmocka_unit_test(test_psa_ceaf_vs_ceac),
        cmocka_unit_test(test_psa_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
