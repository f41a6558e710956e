/* Tests for the scenario loader (netsurv/scenario/scenario.h,
 * netsurv/scenario/yamltree.h): the default scenario, the parameter
 * registry, and bad values, types, lists, keys and words.
 *
 * Bad inputs are the default scenario with one piece of text replaced, so
 * the expected FILE:LINE:COLUMN of each message is computed from the edited
 * text rather than written down by hand. */
#include "scenario_fixtures.h"

/* Loads text (named MEM) with overrides; expects failure and a message at
 * the location of `needle` (+ skip bytes) for `path` containing `what`. The
 * needle is the first occurrence at or after byte `from` of text when from
 * >= 0, else the only one in text. Returns the number of messages. */
static int expect_bad_from(const char *text, long from, const char *needle, size_t skip,
                           const char *path, const char *what)
{
    ns_errors e;
    expect_load_fails(text, NULL, 0, path, what, &e);
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
    assert_true(s->met.intercept == -4.88);
    assert_int_equal(s->met.size_logit.n, 6);
    assert_true(s->met.size_logit.y[4] == 4.1);
    assert_true(s->met.grade[NS_G1] == 0 && s->met.grade[NS_G2] == 1.73);
    assert_true(s->met.margin[NS_R0] == 0 && s->met.margin[NS_RX] == 0.2);
    assert_true(s->residual.prob_by_margin[NS_R1] == 0.08);
    assert_int_equal(s->residual.onset.kind, NS_DIST_LOGNORMAL);
    assert_true(s->course.onset.a == 6.43 && s->course.onset.b == 0.83);
    assert_true(s->course.doubling_months.a == 26);
    assert_true(s->course.incidental_rate == 0.027);
    assert_int_equal(s->death.model, NS_DEATH_LIFE_TABLE);
    assert_int_equal(s->death.n_ages, 90);
    assert_true(s->death.ages[0] == 30 && s->death.qx[NS_SEX_MALE][10] == 0.003780);
    assert_true(s->death.hazard_ratio == 1.0);
    assert_true(s->death.gompertz_a[NS_SEX_MALE] == 1.43e-4);
    assert_true(s->death.gompertz_b[NS_SEX_FEMALE] == 0.08465);
    /* targets */
    assert_int_equal(s->n_targets, 8);
    assert_int_equal(s->target[7].statistic, NS_STAT_SYNCHRONOUS_RATE);
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
        {"growth.doubling_factor_by_grade.1", offsetof(ns_scenario, course.grade_doubling[1])},
        {"symptoms.lethal_to_symptom_diameter_ratio.median",
         offsetof(ns_scenario, course.lethal_ratio.a)},
        {"follow_up.treatment_effect.cure_after_resection.liver.probability.2",
         offsetof(ns_scenario, follow.cure[NS_SITE_LIVER].y[2])},
        {"follow_up.treatment_effect.somatostatin_hazard_ratio",
         offsetof(ns_scenario, follow.ssa_hr)},
        {"utilities.undiagnosed_metastatic", offsetof(ns_scenario, econ.u_occult)},
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
    bad_edit("median: {value: 6.43,", "median: {value: -1,", "-1,", 0,
             "timing.years_to_detectable.median.value", "-1 is below the minimum");
    bad_edit("median: {value: 6.43,", "median: {value: 0,", "0, source: \"[netsurvcalibration2026]", 0,
             "timing.years_to_detectable.median.value", "0 is below the minimum");
    bad_edit("median: {value: 26,", "median: {value: -26,", "-26,", 0,
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
    bad_edit("    sigma: {value: 0.83, source: \"[netsurvcalibration2026][hane2020] posterior median of scenarios/calibration/default-posterior.h5 (netsurv calibrate on scenarios/calibration/series.yaml, 9 follow-up series, IMIS, seed 20261122, 20,000 virtual patients per series, 3,000 points, ESS 1,023; commit 13c7bb7; 95 % 0.66-1.04); prior: spread to place about a quarter of metastases after 10 years (Hane 2020) and few before 2 years\", psa: {distribution: gamma, sd: 0.1}}\n",
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
    bad_edit("model: life_table", "model: weibul", "weibul", 0, "other_cause_death.model",
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
