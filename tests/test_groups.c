/* Risk groups: the groups: partition is checked like a strategy's rules,
 * the per-group tallies add up to the whole cohort exactly and do not
 * depend on the thread count, and the composite policy written as scenario
 * YAML replays, patient by patient, what the group tallies say it gives. */
#include "engine_fixtures.h"
#include "netsurv/engine/psa.h"

#define N_GROUPS_RUN 70000u

/* The default text with its groups: section replaced by `groups` (which
 * ends with a newline). */
static char *with_groups(const char *groups)
{
    char *t = default_text();
    const char *a = strstr(t, "\ngroups:\n"), *b = strstr(t, "\nstrategies:\n");
    assert_true(a && b && a < b);
    char *out = splice(t, (size_t)(a + 1 - t), (size_t)(b - a), groups);
    free(t);
    return out;
}

/* The messages of loading text, joined; the load must fail. */
static void load_fails(const char *text, char *msg, size_t len)
{
    ns_scenario *s = NULL;
    ns_errors *e = malloc(sizeof *e);
    assert_non_null(e);
    assert_int_equal(ns_scenario_load_string(MEM, text, NULL, 0, &s, e), -1);
    assert_null(s);
    msg[0] = 0;
    for (int i = 0; i < e->n; i++)
        snprintf(msg + strlen(msg), len - strlen(msg), "%s\n", e->msg[i]);
    free(e);
}

/* Line number of the first line of the groups: section containing needle. */
static int line_of(const char *text, const char *needle)
{
    const char *p = strstr(strstr(text, "\ngroups:\n"), needle);
    assert_non_null(p);
    int line = 1;
    for (const char *q = text; q < p; q++)
        line += *q == '\n';
    return line;
}

static void test_bad_partitions(void **state)
{
    (void)state;
    char msg[8192], want[256];
    /* a gap: nothing holds tumours of 20 mm or more */
    char *t = with_groups("groups:\n"
                          "  - name: small\n    when: {size_mm: {max: 10}}\n"
                          "  - name: middle\n    when: {size_mm: {min: 10, max: 20}}\n");
    load_fails(t, msg, sizeof msg);
    snprintf(want, sizeof want, "%s:%d:", MEM, line_of(t, "  - name: small"));
    if (!strstr(msg, want) || !strstr(msg, "groups: no group matches patients with size 20 mm or more"))
        fail_msg("gap: %s", msg);
    free(t);
    /* an overlap, named with the cell both hold, at the second group */
    t = with_groups("groups:\n"
                    "  - name: g1\n    when: {grade: [G1]}\n"
                    "  - name: lvi\n    when: {lvi: [yes]}\n"
                    "  - name: rest\n    otherwise: true\n");
    load_fails(t, msg, sizeof msg);
    snprintf(want, sizeof want, "%s:%d:", MEM, line_of(t, "  - name: lvi"));
    if (!strstr(msg, want) || !strstr(msg, "groups 'g1' and 'lvi' overlap (both match size 0 mm or more") ||
        !strstr(msg, "G1") || !strstr(msg, "LVI yes"))
        fail_msg("overlap: want %s in %s", want, msg);
    free(t);
    /* an otherwise group left empty, a group without when:, a misspelt key */
    t = with_groups("groups:\n  - name: all\n    when: {}\n  - name: rest\n    otherwise: true\n");
    load_fails(t, msg, sizeof msg);
    if (!strstr(msg, "group 'rest' is empty"))
        fail_msg("empty otherwise: %s", msg);
    free(t);
    t = with_groups("groups:\n  - name: all\n    description: \"everyone\"\n");
    load_fails(t, msg, sizeof msg);
    if (!strstr(msg, "groups.all: a group needs when:"))
        fail_msg("no when: %s", msg);
    free(t);
    t = with_groups("groups:\n  - name: all\n    when: {size: {max: 10}}\n");
    load_fails(t, msg, sizeof msg);
    if (!strstr(msg, "unknown key 'size'"))
        fail_msg("misspelt attribute: %s", msg);
    free(t);
    t = with_groups("groups:\n  - name: a\n    when: {}\n  - name: a\n    otherwise: true\n");
    load_fails(t, msg, sizeof msg);
    if (!strstr(msg, "duplicate name 'a'"))
        fail_msg("duplicate: %s", msg);
    free(t);
}

/* Every integer count of tally a equals that of b. */
static void same_counts(const ns_strategy_tally *a, const ns_strategy_tally *b, const char *what)
{
    const uint64_t *x[] = {&a->n_patients, &a->n_metastases, &a->n_missed, &a->n_resectable,
                           &a->n_operative_deaths, &a->n_local_found, &a->n_residual,
                           &a->n_metastasis_deaths, &a->n_cured, &a->n_overdiagnosed,
                           &a->n_surgery_deaths};
    const uint64_t *y[] = {&b->n_patients, &b->n_metastases, &b->n_missed, &b->n_resectable,
                           &b->n_operative_deaths, &b->n_local_found, &b->n_residual,
                           &b->n_metastasis_deaths, &b->n_cured, &b->n_overdiagnosed,
                           &b->n_surgery_deaths};
    for (size_t i = 0; i < sizeof x / sizeof *x; i++)
        if (*x[i] != *y[i])
            fail_msg("%s: count %zu is %llu, not %llu", what, i, (unsigned long long)*x[i],
                     (unsigned long long)*y[i]);
    if (memcmp(a->n_route, b->n_route, sizeof a->n_route) ||
        memcmp(a->n_miss, b->n_miss, sizeof a->n_miss) ||
        memcmp(a->tests_by_modality, b->tests_by_modality, sizeof a->tests_by_modality) ||
        memcmp(a->hist_detection, b->hist_detection, sizeof a->hist_detection) ||
        memcmp(a->hist_delay, b->hist_delay, sizeof a->hist_delay) ||
        a->cost.n != b->cost.n || a->detection_time.n != b->detection_time.n)
        fail_msg("%s: routes, misses, tests or histograms differ", what);
}

static void close_to(double a, double b, const char *what)
{
    if (!(fabs(a - b) <= 1e-9 * fmax(1, fabs(b))))
        fail_msg("%s: %.17g, expected %.17g", what, a, b);
}

static void test_groups_add_up(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    int S = s->n_strategies, G = s->n_groups, T = ns_tally_count(s);
    assert_true(G >= 10);
    assert_int_equal(T, S * (1 + G));
    ns_strategy_tally *t1 = run_engine(s, N_GROUPS_RUN, 1);
    ns_strategy_tally *t2 = run_engine(s, N_GROUPS_RUN, 2);
    if (memcmp(t1, t2, sizeof *t1 * (size_t)T))
        fail_msg("the tallies (whole cohort and groups) differ between 1 and 2 threads");
    for (int k = 0; k < S; k++) {
        ns_strategy_tally sum;
        memset(&sum, 0, sizeof sum);
        for (int g = 0; g < G; g++)
            ns_tally_merge(&sum, &t1[ns_tally_index(s, k, g)]);
        same_counts(&sum, &t1[k], s->strategy[k].name);
        close_to(sum.cost_discounted.sum, t1[k].cost_discounted.sum, "cost sum");
        close_to(sum.qaly_discounted.sum, t1[k].qaly_discounted.sum, "QALY sum");
    }
    /* every group holds patients, and each patient is in the group its
     * report says (a direct count of the first 5,000 patients) */
    uint64_t direct[NS_MAX_GROUPS] = {0};
    ns_strategy_tally *few = run_engine(s, 5000, 2);
    for (uint64_t i = 0; i < 5000; i++) {
        ns_patient p;
        ns_history_draw(s, SEED, i, &p);
        direct[ns_group_of(s, &p)]++;
    }
    for (int g = 0; g < G; g++) {
        assert_true(t1[ns_tally_index(s, 0, g)].n_patients > 0);
        if (few[ns_tally_index(s, 0, g)].n_patients != direct[g])
            fail_msg("group %s: %llu patients tallied, %llu counted", s->group[g].name,
                     (unsigned long long)few[ns_tally_index(s, 0, g)].n_patients,
                     (unsigned long long)direct[g]);
    }
    free(few);
    free(t1);
    free(t2);
    ns_scenario_free(s);
}

/* The composite policy at a WTP where groups choose different strategies,
 * written as YAML, added to the scenario and run: its tally is the fold of
 * the chosen groups' tallies, count for count. */
static void test_composite_replays(void **state)
{
    (void)state;
    char *text = default_text();
    const char *sets[] = {"economics.wtp=1000000"};
    ns_scenario *s = NULL;
    ns_errors *e = malloc(sizeof *e);
    assert_int_equal(ns_scenario_load_string(MEM, text, sets, 1, &s, e), 0);
    ns_strategy_tally *t = run_engine(s, N_GROUPS_RUN, 2);
    int best[NS_MAX_GROUPS], distinct = 0;
    ns_group_best(s, t, s->econ.wtp, best);
    for (int g = 0; g < s->n_groups; g++) {
        int seen = 0;
        for (int h = 0; h < g; h++)
            seen |= best[h] == best[g];
        distinct += !seen;
    }
    assert_true(distinct >= 3); /* else the test shows little */
    ns_strategy_tally want;
    ns_group_composite(s, t, best, &want);
    char err[256];
    char *entry = ns_composite_yaml(s, best, "composite", "test", 0, err, sizeof err);
    if (!entry)
        fail_msg("%s", err);
    char *with = ns_scenario_add_strategy(MEM, text, entry, err, sizeof err);
    if (!with)
        fail_msg("%s", err);
    ns_scenario *r = NULL;
    if (ns_scenario_load_string(MEM, with, sets, 1, &r, e)) {
        dump_errors(e);
        fail_msg("the composite scenario did not load");
    }
    assert_string_equal(r->strategy[0].name, "composite");
    assert_int_equal(r->n_strategies, s->n_strategies + 1);
    ns_strategy_tally *u = run_engine(r, N_GROUPS_RUN, 2);
    same_counts(&u[0], &want, "composite replayed");
    close_to(u[0].cost_discounted.sum, want.cost_discounted.sum, "composite cost");
    close_to(u[0].qaly_discounted.sum, want.qaly_discounted.sum, "composite QALYs");
    /* and the other strategies are untouched by the addition */
    for (int k = 0; k < s->n_strategies; k++)
        if (memcmp(&u[k + 1], &t[k], sizeof *t))
            fail_msg("strategy %s changed when the composite was added", s->strategy[k].name);
    /* replayed, the composite is every group's best (or ties it) */
    int again[NS_MAX_GROUPS];
    ns_group_best(r, u, r->econ.wtp, again);
    for (int g = 0; g < r->n_groups; g++) {
        double c0, e0, c1, e1;
        ns_tally_means(&u[ns_tally_index(r, 0, g)], &c0, &e0);
        ns_tally_means(&u[ns_tally_index(r, again[g], g)], &c1, &e1);
        close_to(r->econ.wtp * e0 - c0, r->econ.wtp * e1 - c1, r->group[g].name);
    }
    free(u);
    ns_scenario_free(r);
    free(with);
    free(entry);
    free(t);
    ns_scenario_free(s);
    free(e);
    free(text);
}

/* A policy over groups with an otherwise group and strategies with
 * otherwise rules: the boxes the YAML gives reproduce every patient's rule. */
static void test_composite_boxes(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    int best[NS_MAX_GROUPS];
    for (int k = 0; k < s->n_strategies; k++) {
        for (int g = 0; g < s->n_groups; g++)
            best[g] = (k + g) % s->n_strategies; /* every strategy in turn, mixed */
        char err[256];
        char *entry = ns_composite_yaml(s, best, "mix", "test", 0, err, sizeof err);
        if (!entry)
            fail_msg("%s", err);
        char *with = ns_scenario_add_strategy(MEM, s->text, entry, err, sizeof err);
        assert_non_null(with);
        ns_scenario *r = load_text(with);
        for (uint64_t i = 0; i < 20000; i++) {
            ns_patient p;
            ns_history_draw(s, SEED, i, &p);
            int g = ns_group_of(s, &p), want = best[g];
            const ns_rule *a = &s->strategy[want].rule[ns_strategy_match(&s->strategy[want], &p)];
            const ns_rule *b = &r->strategy[0].rule[ns_strategy_match(&r->strategy[0], &p)];
            if (a->n_visits != b->n_visits || a->treatment != b->treatment ||
                memcmp(a->visit_time, b->visit_time, sizeof *a->visit_time * (size_t)a->n_visits) ||
                memcmp(a->visit_tests, b->visit_tests, sizeof *a->visit_tests * (size_t)a->n_visits))
                fail_msg("patient %llu (group %s): rule '%s' of %s, but the composite gives '%s'",
                         (unsigned long long)i, s->group[g].name, a->name,
                         s->strategy[want].name, b->name);
        }
        ns_scenario_free(r);
        free(with);
        free(entry);
    }
    ns_scenario_free(s);
}

/* PSA by group: in every draw the groups' means weighted by their shares
 * give the whole cohort's, and the shares (which move with drawn cohort
 * parameters) add up to 1. */
static void test_psa_by_group(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    const int K = 3, S = s->n_strategies, G = s->n_groups, P = ns_psa_count(s);
    double *v = malloc(sizeof *v * (size_t)K * (2 * S + P + 2 * G * S + G));
    assert_non_null(v);
    double *cost = v, *eff = cost + K * S, *vals = eff + K * S;
    ns_psa_groups g = {vals + K * P, vals + K * P + K * G * S, vals + K * P + 2 * K * G * S};
    ns_engine_opts o = {.seed = SEED, .n = 20000, .threads = 2};
    assert_int_equal(ns_psa_run(s, &o, K, cost, eff, vals, &g, NULL), 0);
    for (int k = 0; k < K; k++) {
        double total = 0;
        for (int j = 0; j < G; j++)
            total += g.share[k * G + j];
        close_to(total, 1, "shares");
        for (int i = 0; i < S; i++) {
            double c = 0, e = 0;
            for (int j = 0; j < G; j++) {
                c += g.share[k * G + j] * g.cost[(k * G + j) * S + i];
                e += g.share[k * G + j] * g.effect[(k * G + j) * S + i];
            }
            close_to(c, cost[k * S + i], "share-weighted group costs");
            close_to(e, eff[k * S + i], "share-weighted group QALYs");
        }
    }
    free(v);
    ns_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_partitions),
        cmocka_unit_test(test_groups_add_up),
        cmocka_unit_test(test_composite_replays),
        cmocka_unit_test(test_composite_boxes),
        cmocka_unit_test(test_psa_by_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
