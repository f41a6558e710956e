/* Tests for the rules of strategies: who is followed, why a metastasis was
 * missed, and the loader's checks of modalities and strategies.
 *
 *  5. no follow-up finds nothing and misses everything as not_followed;
 *  6. the missed reasons on constructed cases;
 *  7. bad modalities and strategies: FILE:LINE:COLUMN: path: message.
 *
 * Fixed seeds: every run draws the same numbers. */
#include "engine_fixtures.h"

/* ---------- 5. no follow-up ---------- */

static void test_no_follow_up(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    int k = strategy_index(s, "no_follow_up");
    ns_strategy_tally *t = run_engine(s, N_PLAY, 0);
    const ns_strategy_tally *x = &t[k];
    double mean, lo, hi;
    ns_acc_mean(&x->tests, &mean, &lo, &hi);
    print_message("    no_follow_up: %llu metastases, all missed as not_followed\n",
                  (unsigned long long)x->n_metastases);
    assert_true(x->n_metastases > 1000);
    assert_true(x->n_route[NS_ROUTE_SURVEILLANCE] == 0);
    assert_true(mean == 0 && x->tests.sum == 0);
    assert_true(x->cost_surveillance.sum == 0 && x->false_positives.sum == 0);
    assert_true(x->radiation_msv.sum == 0);
    assert_true(x->n_missed == x->n_metastases);
    assert_true(x->n_miss[NS_MISS_NOT_FOLLOWED] == x->n_metastases);
    assert_true(x->n_miss[NS_MISS_NONE] == 0);
    assert_true(x->n_local_found == 0);
    /* the routes add up */
    assert_true(x->n_route[NS_ROUTE_NEVER] + x->n_route[NS_ROUTE_SYMPTOMS] +
                    x->n_route[NS_ROUTE_INCIDENTAL] == x->n_metastases);
    /* every strategy: the missed reasons and routes add up */
    for (int j = 0; j < s->n_strategies; j++) {
        uint64_t sum = 0, routes = 0;
        for (int r = NS_MISS_NOT_FOLLOWED; r < NS_NMISS; r++)
            sum += t[j].n_miss[r];
        for (int r = 0; r < NS_NROUTES; r++)
            routes += t[j].n_route[r];
        assert_true(sum == t[j].n_missed);
        assert_true(t[j].n_miss[NS_MISS_NONE] + t[j].n_missed == t[j].n_metastases);
        assert_true(t[j].n_route[NS_ROUTE_SURVEILLANCE] + t[j].n_missed == t[j].n_metastases);
        assert_true(routes == t[j].n_metastases);
    }
    free(t);
    ns_scenario_free(s);
}

/* ---------- 6. missed reasons ---------- */

static void count_reasons(const ns_scenario *s, uint64_t n, uint64_t *reason, uint64_t *met)
{
    ns_patient p;
    ns_outcome o;
    memset(reason, 0, sizeof *reason * NS_NMISS);
    *met = 0;
    for (uint64_t i = 0; i < n; i++) {
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, 0, &p, &o);
        reason[o.missed_reason]++;
        *met += o.metastasis;
    }
}

static void test_missed_after_schedule(void **state)
{
    (void)state;
    ns_scenario *s =
        closed_form(1, 1, NO_SYMPTOMS, "          - {every: 1, from: 1, to: 2, tests: [probe]}\n");
    ns_patient p;
    ns_outcome o;
    uint64_t after = 0, found = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        ns_history_draw(s, SEED, i, &p);
        if (!p.has_metastasis)
            continue;
        ns_strategy_play(s, 0, &p, &o);
        assert_true(o.metastasis);
        if (p.onset > 2) {
            if (!(o.missed && o.missed_reason == NS_MISS_AFTER_SCHEDULE &&
                  o.route == NS_ROUTE_NEVER && o.n_tests == 2))
                fail_msg("patient %llu, detectable at %g after the last visit at 2: reason %s, "
                         "route %s",
                         (unsigned long long)i, p.onset, ns_miss_name[o.missed_reason],
                         ns_route_name[o.route]);
            after++;
        } else {
            assert_true(!o.missed && o.missed_reason == NS_MISS_NONE);
            assert_true(o.route == NS_ROUTE_SURVEILLANCE && o.detection_time == ceil(p.onset));
            found++;
        }
    }
    assert_true(after > 10000 && found > 500);
    ns_strategy_tally *t = run_engine(s, 20000, 0);
    assert_true(t->n_miss[NS_MISS_AFTER_SCHEDULE] == after);
    assert_true(t->n_missed == after && t->n_route[NS_ROUTE_SURVEILLANCE] == found);
    free(t);
    ns_scenario_free(s);
}

static void test_missed_visit(void **state)
{
    (void)state;
    ns_scenario *s = closed_form(1, 0, NO_SYMPTOMS,
                                 "          - {every: 1, from: 1, lifelong: true, tests: [probe]}\n");
    uint64_t r[NS_NMISS], met;
    count_reasons(s, 20000, r, &met);
    assert_true(met > 19990);
    assert_true(r[NS_MISS_MISSED_VISIT] == met);
    ns_strategy_tally *t = run_engine(s, 20000, 0);
    assert_true(t->n_miss[NS_MISS_MISSED_VISIT] == met && t->n_missed == met);
    assert_true(t->tests.sum == 0 && t->cost.sum == 0);
    free(t);
    ns_scenario_free(s);
}

static void test_missed_false_negative(void **state)
{
    (void)state;
    ns_scenario *s = closed_form(0, 1, NO_SYMPTOMS,
                                 "          - {every: 1, from: 1, lifelong: true, tests: [probe]}\n");
    ns_patient p;
    ns_outcome o;
    uint64_t met = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, 0, &p, &o);
        if (!o.metastasis)
            continue;
        met++;
        if (o.missed_reason != NS_MISS_FALSE_NEGATIVE || o.route != NS_ROUTE_NEVER ||
            o.n_tests != 60)
            fail_msg("patient %llu: reason %s, route %s, %d tests", (unsigned long long)i,
                     ns_miss_name[o.missed_reason], ns_route_name[o.route], o.n_tests);
    }
    assert_true(met > 19990);
    ns_strategy_tally *t = run_engine(s, 20000, 0);
    assert_true(t->n_miss[NS_MISS_FALSE_NEGATIVE] == met && t->n_missed == met);
    free(t);
    ns_scenario_free(s);
}

/* Visits every 10 years; symptoms one diameter doubling after onset: the
 * next visit comes first (surveillance) or not (between visits). */
static void test_missed_between_visits(void **state)
{
    (void)state;
    ns_scenario *s =
        closed_form(1, 1, "10", "          - {every: 10, from: 10, lifelong: true, tests: [probe]}\n");
    ns_patient p;
    ns_outcome o;
    uint64_t between = 0, found = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        ns_history_draw(s, SEED, i, &p);
        if (!p.has_metastasis)
            continue;
        ns_strategy_play(s, 0, &p, &o);
        double next = 10 * ceil(p.onset / 10);
        assert_true(fabs(p.symptom_time - p.onset - p.doubling_years) < 1e-6 * p.doubling_years);
        if (next < p.symptom_time) {
            assert_true(o.route == NS_ROUTE_SURVEILLANCE && o.detection_time == next);
            assert_true(!o.missed);
            found++;
        } else {
            if (!(o.route == NS_ROUTE_SYMPTOMS && o.detection_time == p.symptom_time &&
                  o.missed && o.missed_reason == NS_MISS_BETWEEN_VISITS))
                fail_msg("patient %llu: onset %g, symptoms %g, next visit %g: route %s, "
                         "reason %s",
                         (unsigned long long)i, p.onset, p.symptom_time, next,
                         ns_route_name[o.route], ns_miss_name[o.missed_reason]);
            between++;
        }
    }
    print_message("    every 10 y: %llu found by surveillance, %llu between visits\n",
                  (unsigned long long)found, (unsigned long long)between);
    assert_true(between > 1000 && found > 1000);
    ns_strategy_tally *t = run_engine(s, 20000, 0);
    assert_true(t->n_miss[NS_MISS_BETWEEN_VISITS] == between && t->n_missed == between);
    assert_true(t->n_route[NS_ROUTE_SYMPTOMS] == between);
    free(t);
    ns_scenario_free(s);
}

/* A strategy that follows only part of the cohort: the others are
 * not_followed, whatever happens to them. */
static void test_missed_not_followed_by_group(void **state)
{
    (void)state;
    ns_scenario *s = closed_form_rules(1, 1, NO_SYMPTOMS,
                                       "      - name: others\n"
                                       "        otherwise: true\n"
                                       "        assumption: \"test\"\n"
                                       "        schedule:\n"
                                       "          - {every: 1, from: 1, lifelong: true, tests: [probe]}\n"
                                       "      - name: small\n"
                                       "        when: {size_mm: {max: 10}}\n"
                                       "        assumption: \"test\"\n"
                                       "        schedule: []\n");
    ns_patient p;
    ns_outcome o;
    uint64_t small = 0, large = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        ns_history_draw(s, SEED, i, &p);
        if (!p.has_metastasis)
            continue;
        ns_strategy_play(s, 0, &p, &o);
        if (p.size_mm < 10) {
            assert_int_equal(o.rule, 1);
            assert_true(o.missed && o.missed_reason == NS_MISS_NOT_FOLLOWED && o.n_tests == 0);
            small++;
        } else {
            assert_int_equal(o.rule, 0);
            assert_true(!o.missed && o.route == NS_ROUTE_SURVEILLANCE);
            large++;
        }
    }
    print_message("    %llu small (not followed), %llu others found\n", (unsigned long long)small,
                  (unsigned long long)large);
    assert_true(small > 5000 && large > 2000);
    ns_scenario_free(s);
}

/* ---------- 7. bad modalities and strategies ---------- */

/* Loads text, expects failure with a message "MEM:LINE:COL: PATH: ..."
 * containing `what`, where LINE:COL is that of `needle` (+ skip) found at
 * or after byte `from`. */
static void expect_bad(const char *text, size_t from, const char *needle, size_t skip,
                       const char *path, const char *what)
{
    const char *p = strstr(text + from, needle);
    if (!p)
        fail_msg("'%s' not found in the edited text", needle);
    if (strstr(p + 1, needle))
        fail_msg("'%s' occurs more than once after the edit", needle);
    int line, col;
    line_col(text, p + skip, &line, &col);
    ns_scenario *s = (ns_scenario *)1;
    ns_errors *e = malloc(sizeof *e);
    assert_non_null(e);
    int rc = ns_scenario_load_string(MEM, text, NULL, 0, &s, e);
    if (rc != -1) {
        ns_scenario_free(rc == 0 ? s : NULL);
        fail_msg("loaded although '%s' should fail with '%s'", path, what);
    }
    assert_null(s);
    char head[400];
    snprintf(head, sizeof head, "%s:%d:%d: %s: ", MEM, line, col, path);
    for (int i = 0; i < e->n; i++)
        if (strncmp(e->msg[i], head, strlen(head)) == 0 && strstr(e->msg[i] + strlen(head), what)) {
            free(e);
            return;
        }
    dump_errors(e);
    free(e);
    fail_msg("no message starting '%s' containing '%s'", head, what);
}

/* The default scenario with `block` appended as a last strategy. */
static void bad_strategy(const char *block, const char *needle, size_t skip, const char *path,
                         const char *what)
{
    char *d = default_text();
    char *t = append(d, block);
    expect_bad(t, strlen(d), needle, skip, path, what);
    free(t);
    free(d);
}

/* The default scenario with `block` inserted as a last modality. */
static void bad_modality(const char *block, const char *needle, size_t skip, const char *path,
                        const char *what)
{
    char *d = default_text();
    const char *anchor = "\ntreatments:\n";
    const char *at = strstr(d, anchor);
    if (!at)
        fail_msg("'treatments:' not found in the default scenario");
    size_t off = (size_t)(at - d) + 1;
    char *t = splice(d, off, 0, block);
    expect_bad(t, off, needle, skip, path, what);
    free(t);
    free(d);
}

#define STRAT(name) "  - name: " name "\n    source: \"test\"\n    rules:\n"
#define RULE(name) "      - name: " name "\n        assumption: \"test\"\n"

static void test_bad_strategies(void **state)
{
    (void)state;
    /* a modality that does not exist */
    bad_strategy(STRAT("bad_tests") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: 1, from: 1, to: 5, tests: [ct, petct]}\n",
                 "petct", 0, "strategies.bad_tests.rules.everyone.schedule.0.tests",
                 "unknown modality 'petct'");
    bad_strategy(STRAT("bad_tests") RULE("everyone")
                 "        schedule:\n"
                 "          - {at: [1], tests: [mri]}\n"
                 "          - {at: [2], tests: []}\n",
                 "[]}", 0, "strategies.bad_tests.rules.everyone.schedule.1.tests",
                 "a visit needs at least one test");
    /* two rules matching the same patients */
    bad_strategy(STRAT("bad_overlap") RULE("small")
                 "        when: {size_mm: {max: 10}}\n"
                 "        schedule: []\n"
                 "      - name: high_grade\n"
                 "        when: {grade: [G2, G3]}\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "name: high_grade", 0, "strategies.bad_overlap.rules",
                 "rules 'small' and 'high_grade' overlap");
    /* empty risk groups */
    bad_strategy(STRAT("bad_empty") RULE("nobody")
                 "        when: {grade: []}\n"
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "{grade: []}", 0, "strategies.bad_empty.rules.nobody.when",
                 "this risk group is empty");
    bad_strategy(STRAT("bad_empty") RULE("nobody")
                 "        when: {size_mm: {min: 10, max: 10}}\n"
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "{size_mm: {min: 10", 0, "strategies.bad_empty.rules.nobody.when",
                 "this risk group is empty");
    bad_strategy(STRAT("bad_empty") RULE("nobody")
                 "        when: {size_mm: {min: 20, max: 10}}\n"
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "{size_mm: {min: 20", 0, "strategies.bad_empty.rules.nobody.when",
                 "this risk group is empty");
    /* a gap: 10-12 mm matched by no rule */
    bad_strategy(STRAT("bad_gap") RULE("small")
                 "        when: {size_mm: {max: 10}}\n"
                 "        schedule: []\n"
                 "      - name: large\n"
                 "        when: {size_mm: {min: 12}}\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "- name: small", 0, "strategies.bad_gap.rules",
                 "no rule matches patients with size 10-12 mm");
    /* a gap by grade */
    bad_strategy(STRAT("bad_gap") RULE("low")
                 "        when: {grade: [G1, G2]}\n"
                 "        schedule: []\n",
                 "- name: low", 0, "strategies.bad_gap.rules", "no rule matches patients with");
    /* otherwise: true matching nobody */
    bad_strategy(STRAT("bad_otherwise") RULE("all")
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "name: rest", 0, "strategies.bad_otherwise.rules",
                 "rule 'rest' is empty: the other rules already match every patient");
    bad_strategy(STRAT("bad_otherwise") RULE("low")
                 "        when: {size_mm: {max: 10}}\n"
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n"
                 "      - name: rest2\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "name: rest2", 0, "strategies.bad_otherwise.rules",
                 "only one rule may say otherwise: true");
    /* schedules */
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: 1, from: 3, to: 2, tests: [ct]}\n",
                 "to: 2", 4, "strategies.bad_sched.rules.everyone.schedule.0.to",
                 "to (2) is before from (3)");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {at: [1], tests: [ct]}\n"
                 "          - {every: 0, from: 1, to: 5, tests: [ct]}\n",
                 "every: 0", 7, "strategies.bad_sched.rules.everyone.schedule.1.every",
                 "0 is not a positive interval");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: -2, from: 1, to: 5, tests: [ct]}\n",
                 "every: -2", 7, "strategies.bad_sched.rules.everyone.schedule.0.every",
                 "-2 is not a positive interval");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: 1, from: 1, to: 5, lifelong: true, tests: [ct]}\n",
                 "{every: 1, from: 1, to: 5, lifelong", 0,
                 "strategies.bad_sched.rules.everyone.schedule.0",
                 "give to: or lifelong: true, not both");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: 1, from: 1, tests: [ct]}\n",
                 "{every: 1, from: 1, tests", 0, "strategies.bad_sched.rules.everyone.schedule.0",
                 "needs to: (years) or lifelong: true");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {at: [1, 61], tests: [ct]}\n",
                 "61", 0, "strategies.bad_sched.rules.everyone.schedule.0.at", "outside [0, 60]");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: 0.25, from: 0.25, lifelong: true, tests: [ct]}\n",
                 "{every: 0.25", 0, "strategies.bad_sched.rules.everyone.schedule.0",
                 "more than 128 visits");
    /* an unknown treatment */
    bad_strategy(STRAT("bad_treat") RULE("everyone")
                 "        treatment: laser_ablation\n"
                 "        schedule: []\n",
                 "laser_ablation", 0, "strategies.bad_treat.rules.everyone.treatment",
                 "unknown treatment 'laser_ablation'");
    /* a duplicate strategy name: reported at the later one */
    ns_scenario *s = load_default();
    char path[32];
    snprintf(path, sizeof path, "strategies.%d", s->n_strategies);
    ns_scenario_free(s);
    bad_strategy("  - name: annual_ct_5y\n    source: \"test\"\n    rules:\n" RULE("everyone")
                 "        schedule: []\n",
                 "annual_ct_5y\n    source: \"test\"", 0, path, "duplicate name 'annual_ct_5y'");
    /* a rule without source or assumption */
    bad_strategy(STRAT("bad_rule")
                 "      - name: everyone\n"
                 "        schedule: []\n",
                 "name: everyone\n        schedule: []", 0, "strategies.bad_rule.rules.everyone",
                 "every rule needs 'source:' or 'assumption:'");
}

#define MODALITY(name)                                                                         \
    "  - name: " name "\n"                                                                     \
    "    cost: {value: 1000, assumption: \"test\"}\n"                                         \
    "    workup_cost: {value: 100, assumption: \"test\"}\n"                                   \
    "    specificity: {value: 0.9, assumption: \"test\"}\n"                                   \
    "    radiation_msv: {value: 5, assumption: \"test\"}\n"

static void test_bad_modalities(void **state)
{
    (void)state;
    bad_modality(MODALITY("petct") "    sensitivity: {}\n", "{}\n", 0,
                 "modalities.petct.sensitivity",
                 "give a sensitivity curve for at least one of local, nodal, liver");
    bad_modality(MODALITY("petct"), "name: petct", 0, "modalities.petct.sensitivity",
                 "missing required key 'sensitivity'");
    bad_modality(MODALITY("petct")
                 "    sensitivity:\n"
                 "      liver:\n"
                 "        diameter_mm: {value: [2, 5], assumption: \"test\"}\n"
                 "        sensitivity: {value: [0.5, 1.5], assumption: \"test\"}\n",
                 "1.5]", 0, "modalities.petct.sensitivity.liver.sensitivity.value.1",
                 "1.5 is outside [0, 1]");
    /* a duplicate name: reported at the later one */
    ns_scenario *s = load_default();
    char path[32];
    snprintf(path, sizeof path, "modalities.%d", s->n_modalities);
    ns_scenario_free(s);
    bad_modality(MODALITY("ct")
                 "    sensitivity:\n"
                 "      liver:\n"
                 "        diameter_mm: {value: [2, 5], assumption: \"test\"}\n"
                 "        sensitivity: {value: [0.5, 0.9], assumption: \"test\"}\n",
                 "ct\n    cost: {value: 1000", 0, path, "duplicate name 'ct'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_follow_up),
        cmocka_unit_test(test_missed_after_schedule),
        cmocka_unit_test(test_missed_visit),
        cmocka_unit_test(test_missed_false_negative),
        cmocka_unit_test(test_missed_between_visits),
        cmocka_unit_test(test_missed_not_followed_by_group),
        cmocka_unit_test(test_bad_strategies),
        cmocka_unit_test(test_bad_modalities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
