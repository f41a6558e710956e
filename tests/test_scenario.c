/* Tests for the scenario loader (netsurv/scenario.h, netsurv/yamltree.h).
 *
 * Bad inputs are the default scenario with one piece of text replaced, so
 * the expected FILE:LINE:COLUMN of each message is computed from the edited
 * text rather than written down by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netsurv/scenario/scenario.h"

#define MEM "mem.yaml" /* file name of scenarios loaded from strings */

/* The default scenario with one replacement. */
static char *edit(const char *from, const char *to)
{
    char *d = default_text(), *out = replace(d, from, to);
    free(d);
    return out;
}

/* Line and column of `needle` (which must occur exactly once) in text, plus
 * `skip` bytes. */
static void where(const char *text, const char *needle, size_t skip, int *line, int *col)
{
    const char *p = strstr(text, needle);
    if (!p)
        fail_msg("'%s' not found in the edited text", needle);
    if (strstr(p + 1, needle))
        fail_msg("'%s' occurs more than once in the edited text", needle);
    line_col(text, p + skip, line, col);
}

/* Loads text (named MEM) with overrides; expects failure and a message at
 * the location of `needle` (+ skip bytes) for `path` containing `what`. The
 * needle is the first occurrence at or after byte `from` of text when from
 * >= 0, else the only one in text. Returns the number of messages. */
static int expect_bad_from(const char *text, long from, const char *needle, size_t skip,
                           const char *path, const char *what)
{
    ns_scenario *s = (ns_scenario *)1;
    ns_errors e;
    int rc = ns_scenario_load_string(MEM, text, NULL, 0, &s, &e);
    if (rc != -1) {
        ns_scenario_free(rc == 0 ? s : NULL);
        fail_msg("loaded although '%s' should fail with '%s'", path, what);
    }
    assert_null(s);
    assert_true(e.n >= 1);
    int line, col;
    if (from >= 0) {
        const char *p = strstr(text + from, needle);
        if (!p)
            fail_msg("'%s' not found after the edit", needle);
        line_col(text, p + skip, &line, &col);
    } else
        where(text, needle, skip, &line, &col);
    expect_error(&e, MEM, line, col, path, what);
    return e.n;
}

static int expect_bad_at(const char *text, const char *const *sets, int n_sets,
                         const char *needle, size_t skip, int check_col, const char *path,
                         const char *what)
{
    ns_scenario *s = (ns_scenario *)1;
    ns_errors e;
    int rc = ns_scenario_load_string(MEM, text, sets, n_sets, &s, &e);
    if (rc != -1) {
        ns_scenario_free(rc == 0 ? s : NULL);
        fail_msg("loaded although '%s' should fail with '%s'", path, what);
    }
    assert_null(s);
    assert_true(e.n >= 1);
    int line, col;
    where(text, needle, skip, &line, &col);
    expect_error(&e, MEM, line, check_col ? col : 0, path, what);
    return e.n;
}

/* The default scenario with from -> to fails with a message for `path` at
 * `needle` (+ skip bytes) containing `what`. A needle that is part of `to`
 * is looked for from the edit on, any other must be unique in the text. */
static void bad_edit(const char *from, const char *to, const char *needle, size_t skip,
                     const char *path, const char *what)
{
    char *d = default_text();
    const char *at = strstr(d, from);
    if (!at)
        fail_msg("'%s' not found in the scenario text", from);
    long off = strstr(to, needle) ? (long)(at - d) : -1;
    char *t = replace(d, from, to);
    expect_bad_from(t, off, needle, skip, path, what);
    free(t);
    free(d);
}

static ns_scenario *load_default_with(const char *const *sets, int n_sets)
{
    ns_scenario *s = NULL;
    ns_errors e;
    int rc = ns_scenario_load(DEFAULT_PATH, sets, n_sets, &s, &e);
    if (rc != 0) {
        dump_errors(&e);
        fail_msg("default scenario with %d override(s) did not load", n_sets);
    }
    assert_int_equal(e.n, 0);
    assert_non_null(s);
    return s;
}

/* Expects the default scenario with overrides to fail with a message that
 * starts with `head` and contains `what`. */
static void bad_set(const char *const *sets, int n_sets, const char *head, const char *what)
{
    ns_scenario *s = (ns_scenario *)1;
    ns_errors e;
    int rc = ns_scenario_load(DEFAULT_PATH, sets, n_sets, &s, &e);
    if (rc != -1) {
        ns_scenario_free(rc == 0 ? s : NULL);
        fail_msg("--set %s was accepted", sets[n_sets - 1]);
    }
    assert_null(s);
    for (int i = 0; i < e.n; i++)
        if (strncmp(e.msg[i], head, strlen(head)) == 0 && strstr(e.msg[i], what))
            return;
    dump_errors(&e);
    fail_msg("no message starting '%s' containing '%s'", head, what);
}

static int find_param(const ns_scenario *s, const char *path)
{
    for (int i = 0; i < s->n_params; i++)
        if (strcmp(s->param[i].path, path) == 0)
            return i;
    return -1;
}

/* ---------- 1. the default scenario ---------- */

static void test_default_loads(void **state)
{
    (void)state;
    ns_scenario *s = load_default_with(NULL, 0);
    assert_string_equal(s->name, "Rectal NET after endoscopic resection (default)");
    assert_true(s->seed == 20261122u);
    assert_string_equal(s->path, DEFAULT_PATH);
    assert_non_null(s->text);
    assert_true(strstr(s->text, "netsurv: 1") != NULL);
    /* a few values, as written in the file */
    assert_true(s->cohort.male_share == 0.55);
    assert_true(s->cohort.age_mean == 57 && s->cohort.age_sd == 11);
    assert_true(s->cohort.age_min == 30 && s->cohort.age_max == 85);
    assert_int_equal(s->cohort.size_cdf.n, 6);
    assert_true(s->cohort.size_cdf.x[0] == 1 && s->cohort.size_cdf.x[5] == 30);
    assert_true(s->cohort.size_cdf.y[2] == 0.86 && s->cohort.size_cdf.y[5] == 1.0);
    assert_true(s->cohort.grade_p[0] == 0.896 && s->cohort.grade_p[2] == 0.040);
    assert_true(s->cohort.lvi_sens_ihc == 0.95);
    assert_int_equal(s->cohort.n_methods, 5);
    assert_string_equal(s->cohort.method[3].name, "esd");
    assert_true(s->cohort.method[3].share == 0.25 && s->cohort.method[3].incomplete == 0.147);
    assert_true(s->met.intercept == -4.75);
    assert_int_equal(s->met.size_logit.n, 6);
    assert_true(s->met.size_logit.y[4] == 4.1);
    assert_true(s->met.grade[NS_G1] == 0 && s->met.grade[NS_G2] == 1.84);
    assert_true(s->met.margin[NS_R0] == 0 && s->met.margin[NS_RX] == 0.2);
    assert_true(s->residual.prob_by_margin[NS_R1] == 0.08);
    assert_int_equal(s->residual.onset.kind, NS_DIST_LOGNORMAL);
    assert_true(s->course.onset.a == 6 && s->course.onset.b == 0.85);
    assert_true(s->course.doubling_months.a == 30);
    assert_true(s->course.incidental_rate == 0.03);
    assert_int_equal(s->death.model, NS_DEATH_GOMPERTZ);
    assert_true(s->death.gompertz_a[NS_SEX_MALE] == 1.074e-4);
    assert_true(s->death.gompertz_b[NS_SEX_FEMALE] == 0.0859);
    /* targets */
    assert_int_equal(s->n_targets, 7);
    assert_string_equal(s->target[0].name, "met_size_lt10");
    assert_int_equal(s->target[0].statistic, NS_STAT_METASTASIS_RATE);
    assert_int_equal(s->target[0].group, NS_GRP_SIZE_LT10);
    assert_true(s->target[0].lo == 0.011 && s->target[0].hi == 0.097);
    assert_int_equal(s->target[3].statistic, NS_STAT_RATE_RATIO);
    assert_int_equal(s->target[3].group, NS_GRP_G2);
    assert_int_equal(s->target[3].reference, NS_GRP_G1);
    assert_true(s->target[3].lo == 4 && isinf(s->target[3].hi) && s->target[3].hi > 0);
    assert_true(isinf(s->target[6].lo) && s->target[6].lo < 0 && s->target[6].hi == 0.026);
    /* derived quantities */
    assert_true(fabs(s->derived.grade_cum[NS_G3] - 1) < 1e-12);
    assert_true(fabs(s->derived.method_cum[4] - 1) < 1e-12);
    assert_true(s->derived.age_p_lo > 0 && s->derived.age_p_lo < s->derived.age_p_hi &&
                s->derived.age_p_hi < 1);
    ns_scenario_free(s);
}

/* Every registered parameter has a unique path, lies in its range, points
 * inside the scenario, and is the number written at its FILE:LINE:COLUMN. */
static void test_registry(void **state)
{
    (void)state;
    ns_scenario *s = load_default_with(NULL, 0);
    assert_true(s->n_params >= 70 && s->n_params <= NS_MAX_PARAMS);
    for (int i = 0; i < s->n_params; i++) {
        const ns_param *p = &s->param[i];
        if (!p->path[0])
            fail_msg("parameter %d has no path", i);
        if (p->offset + sizeof(double) > sizeof *s)
            fail_msg("%s: offset %zu outside the scenario", p->path, p->offset);
        for (int j = 0; j < i; j++)
            if (strcmp(s->param[j].path, p->path) == 0)
                fail_msg("path %s registered twice", p->path);
        double v = *ns_param_ptr(s, i);
        if (!(v >= p->lo && v <= p->hi))
            fail_msg("%s = %g outside [%g, %g]", p->path, v, p->lo, p->hi);
        assert_non_null(p->file);
        assert_string_equal(p->file, DEFAULT_PATH);
        /* the number at line:col of the file */
        const char *q = s->text;
        for (int l = 1; l < p->line; l++) {
            q = strchr(q, '\n');
            assert_non_null(q);
            q++;
        }
        char *end;
        double w = strtod(q + p->col - 1, &end);
        if (end == q + p->col - 1 || w != v)
            fail_msg("%s at %d:%d: file says '%.20s', registry points at %g", p->path, p->line,
                     p->col, q + p->col - 1, v);
    }
    /* registered addresses are the fields the model reads */
    static const struct {
        const char *path;
        size_t off;
    } known[] = {
        {"cohort.male_share", offsetof(ns_scenario, cohort.male_share)},
        {"cohort.age.sd", offsetof(ns_scenario, cohort.age_sd)},
        {"cohort.size_mm.cumulative.2", offsetof(ns_scenario, cohort.size_cdf.y[2])},
        {"cohort.grade_shares.1", offsetof(ns_scenario, cohort.grade_p[1])},
        {"cohort.resection_methods.esd.share", offsetof(ns_scenario, cohort.method[3].share)},
        {"cohort.resection_methods.eftr.incomplete",
         offsetof(ns_scenario, cohort.method[4].incomplete)},
        {"metastasis.intercept", offsetof(ns_scenario, met.intercept)},
        {"metastasis.size_effect.logit.5", offsetof(ns_scenario, met.size_logit.y[5])},
        {"metastasis.log_or_rx", offsetof(ns_scenario, met.margin[NS_RX])},
        {"residual.probability_by_margin.0", offsetof(ns_scenario, residual.prob_by_margin[0])},
        {"timing.years_to_detectable.median", offsetof(ns_scenario, course.onset.a)},
        {"growth.volume_doubling_months.sigma", offsetof(ns_scenario, course.doubling_months.b)},
        {"other_cause_death.gompertz.male.a", offsetof(ns_scenario, death.gompertz_a[1])},
    };
    for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
        int i = find_param(s, known[k].path);
        if (i < 0)
            fail_msg("parameter %s not registered", known[k].path);
        assert_true(s->param[i].offset == known[k].off);
    }
    ns_scenario_free(s);
}

/* Each registered path is accepted by --set and reaches the same double. */
static void test_registry_paths_settable(void **state)
{
    (void)state;
    ns_scenario *s = load_default_with(NULL, 0);
    for (int i = 0; i < s->n_params; i++) {
        char set[256];
        double v = *ns_param_ptr(s, i);
        snprintf(set, sizeof set, "%s=%.17g", s->param[i].path, v);
        const char *sets[1] = {set};
        ns_scenario *t = NULL;
        ns_errors e;
        if (ns_scenario_load(DEFAULT_PATH, sets, 1, &t, &e)) {
            dump_errors(&e);
            fail_msg("--set %s was refused", set);
        }
        assert_int_equal(t->n_params, s->n_params);
        int j = find_param(t, s->param[i].path);
        assert_int_equal(j, i);
        assert_true(*ns_param_ptr(t, j) == v);
        /* the set value now comes from the command line */
        assert_string_equal(t->param[j].file, "--set");
        assert_int_equal(t->param[j].line, 1);
        ns_scenario_free(t);
    }
    ns_scenario_free(s);
}

static void test_load_string_same_as_file(void **state)
{
    (void)state;
    char *d = default_text();
    ns_scenario *a = load_default_with(NULL, 0), *b = NULL;
    ns_errors e;
    assert_int_equal(ns_scenario_load_string(MEM, d, NULL, 0, &b, &e), 0);
    assert_string_equal(b->path, MEM);
    assert_string_equal(b->text, d);
    assert_int_equal(a->n_params, b->n_params);
    for (int i = 0; i < a->n_params; i++) {
        assert_string_equal(a->param[i].path, b->param[i].path);
        assert_true(*ns_param_ptr(a, i) == *ns_param_ptr(b, i));
        assert_string_equal(b->param[i].file, MEM);
    }
    assert_memory_equal(&a->cohort, &b->cohort, sizeof a->cohort);
    assert_memory_equal(&a->target, &b->target, sizeof a->target);
    ns_scenario_free(a);
    ns_scenario_free(b);
    free(d);
}

/* ---------- 2. unknown keys ---------- */

static void test_unknown_key_top(void **state)
{
    (void)state;
    bad_edit("\ncohort:\n", "\ncolour: blue\ncohort:\n", "colour: blue", 0, "colour",
             "unknown key 'colour'");
}

static void test_unknown_key_nested(void **state)
{
    (void)state;
    bad_edit("    ihc_share:", "    specificity: {value: 0.9, source: \"x\"}\n    ihc_share:",
             "specificity:", 0, "cohort.lvi.specificity", "unknown key 'specificity'");
    /* inside a list of named entries and inside a target */
    bad_edit("    - name: esd\n", "    - name: esd\n      colour: red\n", "colour: red", 0,
             "cohort.resection_methods.3.colour", "unknown key 'colour'");
}

static void test_unknown_key_in_parameter(void **state)
{
    (void)state;
    const char *from = "{value: 0.55, assumption: \"slight male excess usual in rectal NET "
                       "series; no figure read\"}";
    char *t = edit(from, "{value: 0.55, sorce: \"x\"}");
    ns_scenario *s;
    ns_errors e;
    assert_int_equal(ns_scenario_load_string(MEM, t, NULL, 0, &s, &e), -1);
    int line, col;
    where(t, "sorce", 0, &line, &col);
    expect_error(&e, MEM, line, col, "cohort.male_share.sorce", "unknown key 'sorce'");
    where(t, "{value: 0.55, sorce", 0, &line, &col);
    expect_error(&e, MEM, line, col, "cohort.male_share", "needs 'source:' or 'assumption:'");
    free(t);
}

/* ---------- 3. wrong types ---------- */

static void test_wrong_types(void **state)
{
    (void)state;
    const char *ms = "male_share: {value: 0.55, assumption: \"slight male excess usual in rectal "
                     "NET series; no figure read\"}";
    bad_edit(ms, "male_share: 0.55", "male_share: 0.55", 12, "cohort.male_share",
             "expected a mapping, found a single value");
    bad_edit("male_share: {value: 0.55,", "male_share: {value: abc,", "abc,", 0,
             "cohort.male_share.value", "expected a number, found 'abc'");
    bad_edit("male_share: {value: 0.55,", "male_share: {value: [0.55],", "[0.55]", 0,
             "cohort.male_share.value", "expected a number, found a list");
    bad_edit("male_share: {value: 0.55,", "male_share: {value: \"0.55\",", "\"0.55\"", 0,
             "cohort.male_share.value", "expected a number, found '0.55'");
    bad_edit("male_share: {value: 0.55,", "male_share: {value: 0.55x,", "0.55x", 0,
             "cohort.male_share.value", "expected a number, found '0.55x'");
    bad_edit("male_share: {value: 0.55,", "male_share: {value: .nan,", ".nan", 0,
             "cohort.male_share.value", "expected a number");
    bad_edit("grade_shares: {value: [0.896, 0.064, 0.040]", "grade_shares: {value: 0.9",
             "{value: 0.9,", 8, "cohort.grade_shares.value", "expected a list of numbers");
    bad_edit("grade_shares: {value: [0.896, 0.064, 0.040]",
             "grade_shares: {value: [0.896, zero, 0.040]", "zero", 0, "cohort.grade_shares.value.1",
             "expected a number, found 'zero'");
    bad_edit("  lvi:\n    prevalence:", "  lvi: 0.3\n  lvi_old:\n    prevalence:", "lvi: 0.3", 5,
             "cohort.lvi", "expected a mapping, found a single value");
    bad_edit("\nseed: 20261122", "\nseed: -5", "seed: -5", 6, "seed",
             "expected a non-negative whole number");
}

/* ---------- 4. out of range ---------- */

static void test_out_of_range(void **state)
{
    (void)state;
    bad_edit("male_share: {value: 0.55,", "male_share: {value: 1.5,", "1.5,", 0,
             "cohort.male_share.value", "1.5 is outside [0, 1]");
    bad_edit("male_share: {value: 0.55,", "male_share: {value: -0.1,", "-0.1,", 0,
             "cohort.male_share.value", "-0.1 is outside [0, 1]");
    bad_edit("median: {value: 6,", "median: {value: -1,", "-1,", 0,
             "timing.years_to_detectable.median.value", "-1 is below the minimum");
    bad_edit("median: {value: 6,", "median: {value: 0,", "0, source: \"recurrences", 0,
             "timing.years_to_detectable.median.value", "0 is below the minimum");
    bad_edit("median: {value: 30,", "median: {value: -30,", "-30,", 0,
             "growth.volume_doubling_months.median.value", "is below the minimum");
    bad_edit("sd: {value: 11,", "sd: {value: 0,", "0, assumption: \"spread", 0, "cohort.age.sd.value",
             "is outside");
    bad_edit("[0.896, 0.064, 0.040]", "[0.896, 0.064, -0.040]", "-0.040", 0,
             "cohort.grade_shares.value.2", "outside [0, 1]");
    bad_edit("reference_diameter_mm: {value: 5,", "reference_diameter_mm: {value: 0,", "{value: 0,",
             8, "timing.reference_diameter_mm.value", "outside");
    bad_edit("mean: {value: 57,", "mean: {value: 20,", "mean: {value: 20", 0, "cohort.age",
             "need min < mean < max");
}

/* ---------- 5. lists: order, shares, lengths ---------- */

static void test_lists(void **state)
{
    (void)state;
    bad_edit("[1, 5, 10, 15, 20, 30]", "[1, 5, 10, 9, 20, 30]", " 9, 20", 1,
             "cohort.size_mm.breakpoints", "strictly increasing");
    bad_edit("[1, 5, 10, 15, 20, 30]", "[1, 5, 10, 10, 20, 30]", " 10, 20", 1,
             "cohort.size_mm.breakpoints", "strictly increasing (10 after 10)");
    bad_edit("[0, 5, 10, 15, 20, 30]", "[0, 5, 10, 15, 20, 3]", " 3]", 1,
             "metastasis.size_effect.knots_mm", "strictly increasing");
    bad_edit("[0, 0.45, 0.86, 0.945, 0.975, 1.0]", "[0, 0.45, 0.86, 0.80, 0.975, 1.0]", "0.80", 0,
             "cohort.size_mm.cumulative", "must not decrease");
    bad_edit("[0, 0.45, 0.86, 0.945, 0.975, 1.0]", "[0, 0.45, 0.86, 0.945, 0.975, 0.99]",
             "[0, 0.45, 0.86, 0.945, 0.975, 0.99]", 0, "cohort.size_mm.cumulative",
             "must start at 0 and end at 1");
    bad_edit("[0, 0.45, 0.86, 0.945, 0.975, 1.0]", "[0.1, 0.45, 0.86, 0.945, 0.975, 1.0]",
             "[0.1, 0.45", 0, "cohort.size_mm.cumulative", "must start at 0 and end at 1");
    bad_edit("[0, 0.45, 0.86, 0.945, 0.975, 1.0]", "[0, 0.45, 0.86, 0.945, 1.0]", "cumulative: {",
             12, "cohort.size_mm.cumulative", "has 5 values but breakpoints has 6");
    bad_edit("[0.896, 0.064, 0.040]", "[0.936, 0.064]", "[0.936, 0.064]", 0,
             "cohort.grade_shares.value", "expected 3 values, found 2");
    bad_edit("[0.896, 0.064, 0.040]", "[0.896, 0.064, 0.050]", "grade_shares: {", 14,
             "cohort.grade_shares", "shares add up to 1.01, not 1");
    bad_edit("[0.002, 0.08, 0.03]", "[0.002, 0.08, 0.03, 0.1]", "[0.002, 0.08, 0.03, 0.1]", 0,
             "residual.probability_by_margin.value", "expected 3 values, found 4");
    bad_edit("[1, 5, 10, 15, 20, 30]", "[1]", "[1]", 0, "cohort.size_mm.breakpoints.value",
             "expected 2 to 16 values, found 1");
    /* method shares */
    bad_edit("share: {value: 0.25,", "share: {value: 0.35,", "    - name: cold_snare", 4,
             "cohort.resection_methods.*.share", "shares add up to 1.1, not 1");
}

/* ---------- 6, 7. missing keys ---------- */

static void test_missing_keys(void **state)
{
    (void)state;
    const char *ms = "  male_share: {value: 0.55, assumption: \"slight male excess usual in rectal "
                     "NET series; no figure read\"}\n";
    /* the cohort mapping starts at its first key, `age:` */
    bad_edit(ms, "", "  age:\n", 2, "cohort.male_share", "missing required key 'male_share'");
    /* a whole section: the root mapping starts at `netsurv: 1` */
    char *d = default_text();
    char *a = strstr(d, "\ntiming:\n"), *b = strstr(d, "\ngrowth:\n");
    assert_non_null(a);
    assert_non_null(b);
    memmove(a, b, strlen(b) + 1);
    expect_bad_at(d, NULL, 0, "netsurv: 1", 0, 1, "timing", "missing required key 'timing'");
    free(d);
    /* a parameter without its value */
    bad_edit("male_share: {value: 0.55, assumption:", "male_share: {assumption:",
             "male_share: {assumption", 12, "cohort.male_share", "missing required key 'value'");
    /* a resection method without a name */
    bad_edit("    - name: esd\n      share:", "    - share:", "    - share: {value: 0.25", 6,
             "cohort.resection_methods.3.name", "missing required key 'name'");
    /* a distribution without its sigma */
    bad_edit("    sigma: {value: 0.85, source: \"spread to place about a quarter of metastases "
             "after 10 years (seed 000) and few before 2 years\", psa: {distribution: gamma, "
             "sd: 0.1}}\n",
             "", "    distribution: lognormal\n    median: {value: 6", 4,
             "timing.years_to_detectable.sigma", "missing required key 'sigma'");
}

static void test_missing_source(void **state)
{
    (void)state;
    const char *from = "{value: 0.55, assumption: \"slight male excess usual in rectal NET "
                       "series; no figure read\"}";
    bad_edit(from, "{value: 0.55}", "{value: 0.55}", 0, "cohort.male_share",
             "every parameter needs 'source:' or 'assumption:'");
    bad_edit(from, "{value: 0.55, source: \"\"}", "\"\"}", 0, "cohort.male_share",
             "'source' must be a non-empty text");
    bad_edit(from, "{value: 0.55, assumption: [a, b]}", "[a, b]", 0, "cohort.male_share",
             "'assumption' must be a non-empty text");
    /* a list parameter too */
    bad_edit("knots_mm: {value: [0, 5, 10, 15, 20, 30], assumption: \"knots at the guideline "
             "strata\"}",
             "knots_mm: {value: [0, 5, 10, 15, 20, 30]}", "knots_mm: {", 10,
             "metastasis.size_effect.knots_mm", "needs 'source:' or 'assumption:'");
}

/* ---------- 8. words ---------- */

static void test_bad_words(void **state)
{
    (void)state;
    bad_edit("years_to_detectable:\n    distribution: lognormal",
             "years_to_detectable:\n    distribution: gamma", "gamma", 0,
             "timing.years_to_detectable.distribution", "'gamma' is not one of: lognormal, weibull");
    bad_edit("model: gompertz", "model: weibul", "weibul", 0, "other_cause_death.model",
             "'weibul' is not one of: gompertz, life_table");
    bad_edit("group: G2", "group: G4", "G4", 0, "targets.g2_vs_g1.group", "unknown group 'G4'");
    bad_edit("reference: \"LVI-\"", "reference: \"LVI\"", "\"LVI\"", 0,
             "targets.lvi_vs_none.reference", "unknown group 'LVI'");
    bad_edit("statistic: detectable_after_10y", "statistic: after_10y", "after_10y", 0,
             "targets.late_metastases.statistic", "'after_10y' is not one of");
    /* a target with no range, min or max: at the target's mapping (its first key) */
    bad_edit("    min: 4\n", "", "name: g2_vs_g1", 0, "targets.g2_vs_g1",
             "needs 'range: [low, high]', 'min:' or 'max:'");
    bad_edit("range: [0.05, 0.15]", "range: [0.15, 0.05]", "name: met_size_10_20", 0,
             "targets.met_size_10_20", "low bound 0.15 is above high bound 0.05");
    bad_edit("range: [0.05, 0.15]", "range: [0.05]", "[0.05]", 0, "targets.met_size_10_20.range",
             "expected [low, high]");
    bad_edit("    min: 4\n", "    min: four\n", "four", 0, "targets.g2_vs_g1.min",
             "expected a number, found 'four'");
    bad_edit("\nnetsurv: 1\n", "\nnetsurv: 2\n", "netsurv: 2", 9, "netsurv",
             "unsupported scenario format '2'");
}

/* A life table instead of the Gompertz model, and its checks. */
static void test_life_table(void **state)
{
    (void)state;
    char *d = default_text();
    char *a = strstr(d, "\nother_cause_death:\n"), *b = strstr(d, "\ntargets:\n");
    assert_non_null(a);
    assert_non_null(b);
    const char *lt = "\nother_cause_death:\n"
                     "  model: life_table\n"
                     "  life_table:\n"
                     "    ages: {value: [0, 50, 70, 90], assumption: \"test\"}\n"
                     "    qx_female: {value: [0.001, 0.01, 0.05, 0.2], assumption: \"test\"}\n"
                     "    qx_male: {value: [0.002, 0.02, 0.06, 0.25], assumption: \"test\"}\n";
    size_t la = (size_t)(a - d), lb = strlen(b);
    char *t = malloc(la + strlen(lt) + lb + 1);
    assert_non_null(t);
    memcpy(t, d, la);
    strcpy(t + la, lt);
    strcat(t, b);
    ns_scenario *s = NULL;
    ns_errors e;
    if (ns_scenario_load_string(MEM, t, NULL, 0, &s, &e)) {
        dump_errors(&e);
        fail_msg("life-table scenario did not load");
    }
    assert_int_equal(s->death.model, NS_DEATH_LIFE_TABLE);
    assert_int_equal(s->death.n_ages, 4);
    assert_true(s->death.ages[2] == 70 && s->death.qx[1][3] == 0.25);
    /* cumulative hazard at 70 (female): 50 y at -log(0.999) + 20 y at -log(0.99) */
    double h70 = -50 * log(1 - 0.001) - 20 * log(1 - 0.01);
    assert_true(fabs(s->death.cumhaz[0][2] - h70) < 1e-12);
    assert_true(find_param(s, "other_cause_death.life_table.qx_male.3") >= 0);
    ns_scenario_free(s);

    char *u = replace(t, "[0, 50, 70, 90]", "[0, 50, 40, 90]");
    expect_bad_at(u, NULL, 0, " 40, 90", 1, 1, "other_cause_death.life_table.ages",
                  "strictly increasing");
    free(u);
    u = replace(t, "[0.002, 0.02, 0.06, 0.25]", "[0.002, 0.02, 0.06]");
    expect_bad_at(u, NULL, 0, "ages: {", 0, 1, "other_cause_death.life_table",
                  "must have the same length");
    free(u);
    u = replace(t, "[0.002, 0.02, 0.06, 0.25]", "[0.002, 0.02, 0.06, 1.25]");
    expect_bad_at(u, NULL, 0, "1.25", 0, 1, "other_cause_death.life_table.qx_male.value.3",
                  "outside [0, 1]");
    free(u);
    u = replace(t, "  life_table:\n", "  life_tables:\n");
    expect_bad_at(u, NULL, 0, "model: life_table", 0, 1, "other_cause_death.life_table",
                  "missing required key 'life_table'");
    free(u);
    free(t);
    free(d);
}

/* ---------- 9. syntax, duplicates, files ---------- */

static void test_syntax_error(void **state)
{
    (void)state;
    /* an unclosed flow sequence: libyaml stops at the next line's key */
    char *t = edit("grade_shares: {value: [0.896, 0.064, 0.040]",
                   "grade_shares: {value: [0.896, 0.064, 0.040");
    ns_scenario *s = (ns_scenario *)1;
    ns_errors e;
    assert_int_equal(ns_scenario_load_string(MEM, t, NULL, 0, &s, &e), -1);
    assert_null(s);
    assert_int_equal(e.n, 1);
    int line, col;
    where(t, "[0.896, 0.064, 0.040,", 0, &line, &col);
    int l2 = 0, c2 = 0;
    if (sscanf(e.msg[0], MEM ":%d:%d: YAML syntax error", &l2, &c2) != 2 ||
        !strstr(e.msg[0], "YAML syntax error"))
        fail_msg("not a located syntax error: %s", e.msg[0]);
    /* where libyaml notices it: on the edited line or the next */
    if (l2 != line && l2 != line + 1)
        fail_msg("syntax error at line %d, edited line %d: %s", l2, line, e.msg[0]);
    assert_true(c2 >= 1);
    free(t);

    /* a bad indentation: a key at the wrong level inside a block mapping */
    t = edit("    ihc_share:", "      ihc_share:");
    assert_int_equal(ns_scenario_load_string(MEM, t, NULL, 0, &s, &e), -1);
    assert_int_equal(e.n, 1);
    where(t, "      ihc_share:", 0, &line, &col);
    if (sscanf(e.msg[0], MEM ":%d:%d:", &l2, &c2) != 2 || l2 != line ||
        !strstr(e.msg[0], "YAML syntax error"))
        fail_msg("expected a syntax error at line %d: %s", line, e.msg[0]);
    free(t);

    /* not a mapping at all */
    const char *list = "- a\n- b\n";
    assert_int_equal(ns_scenario_load_string(MEM, list, NULL, 0, &s, &e), -1);
    assert_int_equal(e.n, 1);
    assert_true(strncmp(e.msg[0], MEM ":1:1: ", strlen(MEM ":1:1: ")) == 0);
    assert_true(strstr(e.msg[0], "mapping") != NULL);
    assert_int_equal(ns_scenario_load_string(MEM, "", NULL, 0, &s, &e), -1);
    assert_int_equal(e.n, 1);
    assert_true(strncmp(e.msg[0], MEM ":1:1: ", strlen(MEM ":1:1: ")) == 0);

    /* aliases are refused */
    t = edit("  male_share: {value: 0.55,", "  male_share: &ms {value: 0.55,");
    char *u = replace(t, "\nmetastasis:\n", "\nextra: *ms\nmetastasis:\n");
    assert_int_equal(ns_scenario_load_string(MEM, u, NULL, 0, &s, &e), -1);
    where(u, "*ms", 0, &line, &col);
    char head[64];
    snprintf(head, sizeof head, MEM ":%d:%d: ", line, col);
    if (strncmp(e.msg[0], head, strlen(head)) || !strstr(e.msg[0], "aliases"))
        fail_msg("expected '%s...aliases': %s", head, e.msg[0]);
    free(u);
    free(t);
}

static void test_duplicate_key(void **state)
{
    (void)state;
    char *t = edit("\nseed: 20261122\n", "\nseed: 20261122\nseed: 1\n");
    int first, col;
    where(t, "seed: 20261122", 0, &first, &col);
    char what[64];
    snprintf(what, sizeof what, "duplicate key (first at line %d)", first);
    expect_bad_at(t, NULL, 0, "seed: 1\n", 0, 1, "seed", what);
    free(t);
    /* inside a flow mapping */
    t = edit("male_share: {value: 0.55,", "male_share: {value: 0.55, value: 0.6,");
    expect_bad_at(t, NULL, 0, "value: 0.6", 0, 1, "value", "duplicate key");
    free(t);
}

static void test_missing_file(void **state)
{
    (void)state;
    const char *path = "/nonexistent-netsurv-dir/nothere.yaml";
    ns_scenario *s = (ns_scenario *)1;
    ns_errors e;
    assert_int_equal(ns_scenario_load(path, NULL, 0, &s, &e), -1);
    assert_null(s);
    assert_int_equal(e.n, 1);
    if (strncmp(e.msg[0], path, strlen(path)) || !strstr(e.msg[0], "cannot open"))
        fail_msg("expected '%s: cannot open...': %s", path, e.msg[0]);
    /* a file on disk: messages name the path given */
    char tmpl[] = "/tmp/netsurv-test-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    char *t = edit("male_share: {value: 0.55,", "male_share: {value: 7,");
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(t, f);
    fclose(f);
    assert_int_equal(ns_scenario_load(tmpl, NULL, 0, &s, &e), -1);
    int line, col;
    where(t, "{value: 7,", 8, &line, &col);
    expect_error(&e, tmpl, line, col, "cohort.male_share.value", "7 is outside [0, 1]");
    unlink(tmpl);
    free(t);
}

/* ---------- 10. several errors ---------- */

static void test_many_errors(void **state)
{
    (void)state;
    char *a = edit("male_share: {value: 0.55,", "male_share: {value: 1.5,");
    char *b = replace(a, "median: {value: 6,", "median: {value: -1,");
    char *c = replace(b, "group: G2", "group: G4");
    char *d = replace(c, "model: gompertz", "model: weibul");
    ns_scenario *s;
    ns_errors e;
    assert_int_equal(ns_scenario_load_string(MEM, d, NULL, 0, &s, &e), -1);
    assert_true(e.n >= 4);
    int line, col;
    where(d, "1.5,", 0, &line, &col);
    expect_error(&e, MEM, line, col, "cohort.male_share.value", "outside [0, 1]");
    where(d, "-1,", 0, &line, &col);
    expect_error(&e, MEM, line, col, "timing.years_to_detectable.median.value", "below the minimum");
    where(d, "G4", 0, &line, &col);
    expect_error(&e, MEM, line, col, "targets.g2_vs_g1.group", "unknown group 'G4'");
    where(d, "model: weibul", 7, &line, &col);
    expect_error(&e, MEM, line, col, "other_cause_death.model", "is not one of");
    free(a);
    free(b);
    free(c);
    free(d);
}

/* ---------- 11. --set ---------- */

static void test_set_values(void **state)
{
    (void)state;
    const char *s1[] = {"cohort.male_share=0.6"};
    ns_scenario *s = load_default_with(s1, 1);
    assert_true(s->cohort.male_share == 0.6);
    int i = find_param(s, "cohort.male_share");
    assert_true(i >= 0);
    assert_string_equal(s->param[i].file, "--set");
    assert_int_equal(s->param[i].line, 1);
    assert_int_equal(s->param[i].col, (int)strlen("cohort.male_share=") + 1);
    ns_scenario_free(s);

    const char *s2[] = {"cohort.male_share.value=0.6"};
    s = load_default_with(s2, 1);
    assert_true(s->cohort.male_share == 0.6);
    ns_scenario_free(s);

    const char *s3[] = {"metastasis.size_effect.logit.value.2=0.5", "metastasis.intercept=-5"};
    s = load_default_with(s3, 2);
    assert_true(s->met.size_logit.y[2] == 0.5);
    assert_true(s->met.size_logit.y[1] == -0.5 && s->met.size_logit.y[3] == 0.8);
    assert_true(s->met.intercept == -5);
    ns_scenario_free(s);

    /* a list item by its registry path (no `.value`) */
    const char *s3b[] = {"metastasis.size_effect.logit.2=0.25"};
    s = load_default_with(s3b, 1);
    assert_true(s->met.size_logit.y[2] == 0.25);
    ns_scenario_free(s);

    /* named list entries: shares still add up to 1 */
    const char *s4[] = {"cohort.resection_methods.esd.share=0.20",
                        "cohort.resection_methods.eftr.share.value=0.10",
                        "cohort.resection_methods.esd.incomplete=0.2"};
    s = load_default_with(s4, 3);
    assert_true(s->cohort.method[3].share == 0.20 && s->cohort.method[4].share == 0.10);
    assert_true(s->cohort.method[3].incomplete == 0.2);
    assert_true(s->cohort.method[2].share == 0.30);
    assert_true(fabs(s->derived.method_cum[4] - 1) < 1e-12);
    assert_true(fabs(s->derived.method_cum[3] - 0.9) < 1e-12);
    ns_scenario_free(s);

    /* by index in the list */
    const char *s5[] = {"cohort.resection_methods.0.incomplete=0.5", "seed=7",
                        "other_cause_death.model=gompertz"};
    s = load_default_with(s5, 3);
    assert_true(s->cohort.method[0].incomplete == 0.5);
    assert_true(s->seed == 7);
    ns_scenario_free(s);

    /* the last of two sets of one key wins */
    const char *s6[] = {"cohort.male_share=0.6", "cohort.male_share=0.4"};
    s = load_default_with(s6, 2);
    assert_true(s->cohort.male_share == 0.4);
    ns_scenario_free(s);
}

static void test_set_errors(void **state)
{
    (void)state;
    const char *a[] = {"cohort.resection_methods.esd.share=0.35"};
    bad_set(a, 1, "", "cohort.resection_methods.*.share: shares add up to 1.1, not 1");
    const char *b[] = {"cohort.male_share=1.5"};
    bad_set(b, 1, "--set:1:19: cohort.male_share.value: ", "1.5 is outside [0, 1]");
    const char *b2[] = {"cohort.male_share.value=abc"};
    bad_set(b2, 1, "--set:1:", "cohort.male_share.value: expected a number, found 'abc'");
    const char *b3[] = {"metastasis.size_effect.knots_mm.value.3=9"};
    bad_set(b3, 1, "--set:1:", "metastasis.size_effect.knots_mm: breakpoints must be strictly");
    const char *c[] = {"cohort.nope=1"};
    bad_set(c, 1, "--set cohort.nope: ", "no such key");
    const char *c2[] = {"cohort.resection_methods.snare.share=0.1"};
    bad_set(c2, 1, "--set cohort.resection_methods.snare.share: ", "no such key");
    const char *c3[] = {"cohort.grade_shares.value.3=0.1"};
    bad_set(c3, 1, "--set cohort.grade_shares.value.3: ", "no such key");
    const char *d[] = {"cohort=1"};
    bad_set(d, 1, "--set cohort: ", "names a section or list, not a single value");
    const char *d2[] = {"cohort.grade_shares=0.5"};
    bad_set(d2, 1, "--set cohort.grade_shares: ", "not a single value");
    const char *f[] = {"cohort.male_share"};
    bad_set(f, 1, "--set cohort.male_share: ", "expected path.to.key=value");
    const char *g[] = {"=0.5"};
    bad_set(g, 1, "--set =0.5: ", "expected path.to.key=value");
    /* several bad sets: all reported, none loaded */
    const char *h[] = {"cohort.nope=1", "cohort.male_share=0.6", "metastasis.nope=2"};
    ns_scenario *s = (ns_scenario *)1;
    ns_errors e;
    assert_int_equal(ns_scenario_load(DEFAULT_PATH, h, 3, &s, &e), -1);
    assert_null(s);
    assert_int_equal(e.n, 2);
    assert_true(strstr(e.msg[0], "cohort.nope") && strstr(e.msg[1], "metastasis.nope"));
}

/* ---------- 12. the command line ---------- */

/* Runs cmd (stderr merged into stdout); returns the exit status and the
 * output in out. */
static int run(const char *cmd, char *out, size_t len)
{
    char full[1024];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, len - 1, p);
    out[n] = '\0';
    while (fgetc(p) != EOF) {
    }
    int st = pclose(p);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void test_cli(void **state)
{
    (void)state;
    static char out[65536];
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' validate '%s'", NETSURV_BINARY, DEFAULT_PATH);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    assert_string_equal(out, "ok\n");

    char tmpl[] = "/tmp/netsurv-test-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    char *t = edit("group: G2", "group: G4");
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(t, f);
    fclose(f);
    int line, col;
    where(t, "G4", 0, &line, &col);
    char want[512];
    snprintf(want, sizeof want, "%s:%d:%d: targets.g2_vs_g1.group: unknown group 'G4'", tmpl, line,
             col);
    snprintf(cmd, sizeof cmd, "'%s' validate '%s'", NETSURV_BINARY, tmpl);
    int rc = run(cmd, out, sizeof out);
    if (rc != 2 || !strstr(out, want))
        fail_msg("exit %d, expected 2 and '%s' in: %s", rc, want, out);
    assert_null(strstr(out, "ok\n"));
    /* the same file with an override that fixes it */
    snprintf(cmd, sizeof cmd, "'%s' validate '%s' --set targets.g2_vs_g1.group=G2", NETSURV_BINARY,
             tmpl);
    rc = run(cmd, out, sizeof out);
    if (rc != 0 || strcmp(out, "ok\n"))
        fail_msg("exit %d: %s", rc, out);
    unlink(tmpl);
    free(t);

    snprintf(cmd, sizeof cmd, "'%s' cohort -n 1000 --set cohort.male_share=2", NETSURV_BINARY);
    rc = run(cmd, out, sizeof out);
    if (rc != 2 || !strstr(out, "--set:1:19: cohort.male_share.value: 2 is outside"))
        fail_msg("exit %d: %s", rc, out);
    snprintf(cmd, sizeof cmd, "'%s' validate /nonexistent-netsurv-dir/x.yaml", NETSURV_BINARY);
    rc = run(cmd, out, sizeof out);
    if (rc != 2 || !strstr(out, "/nonexistent-netsurv-dir/x.yaml: cannot open"))
        fail_msg("exit %d: %s", rc, out);
    snprintf(cmd, sizeof cmd, "'%s' validate '%s' --set cohort.nope=1", NETSURV_BINARY,
             DEFAULT_PATH);
    rc = run(cmd, out, sizeof out);
    if (rc != 2 || !strstr(out, "cohort.nope"))
        fail_msg("exit %d: %s", rc, out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_loads),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_registry_paths_settable),
        cmocka_unit_test(test_load_string_same_as_file),
        cmocka_unit_test(test_unknown_key_top),
        cmocka_unit_test(test_unknown_key_nested),
        cmocka_unit_test(test_unknown_key_in_parameter),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_missing_keys),
        cmocka_unit_test(test_missing_source),
        cmocka_unit_test(test_bad_words),
        cmocka_unit_test(test_life_table),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_many_errors),
        cmocka_unit_test(test_set_values),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
