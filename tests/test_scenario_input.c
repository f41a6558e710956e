/* Tests for the scenario loader's handling of whole inputs: life tables,
 * YAML syntax errors, duplicate keys, missing files, many errors at once,
 * --set values and their errors, and the command line's messages.
 *
 * Bad inputs are the default scenario with one piece of text replaced, so
 * the expected FILE:LINE:COLUMN of each message is computed from the edited
 * text rather than written down by hand. */
#include "scenario_fixtures.h"

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
    t = edit("male_share: {value: 0.55,", "male_share: {value: 0.55, value: 0.65,");
    expect_bad_at(t, NULL, 0, "value: 0.65", 0, 1, "value", "duplicate key");
    free(t);
}

/* A parameter may carry `label:` (a reader's name for it, the tornado's row); it must be a
 * non-empty text, and a misspelt `lable:` is an unknown key. */
static void test_param_label(void **state)
{
    (void)state;
    char *t = edit("male_share: {value: 0.55,", "male_share: {value: 0.55, label: \"share of men\",");
    ns_scenario *s = NULL;
    ns_errors e;
    if (ns_scenario_load_string(MEM, t, NULL, 0, &s, &e)) {
        dump_errors(&e);
        fail_msg("a parameter with label: did not load");
    }
    assert_true(find_param(s, "cohort.male_share") >= 0);
    ns_scenario_free(s);
    free(t);
    t = edit("male_share: {value: 0.55,", "male_share: {value: 0.55, label: \"\",");
    expect_bad_at(t, NULL, 0, "label: \"\"", 7, 1, "cohort.male_share", "'label' must be a non-empty text");
    free(t);
    t = edit("male_share: {value: 0.55,", "male_share: {value: 0.55, label: [a, b],");
    expect_bad_at(t, NULL, 0, "[a, b]", 0, 1, "cohort.male_share", "'label' must be a non-empty text");
    free(t);
    t = edit("male_share: {value: 0.55,", "male_share: {value: 0.55, lable: \"men\",");
    expect_bad_at(t, NULL, 0, "lable", 0, 1, "cohort.male_share.lable", "unknown key");
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

/* ---------- 10b. currency and price year ---------- */

/* economics.currency and economics.price_year: the default's are read; a
 * code that is not three upper-case letters, a year outside [1900, 2100] or
 * not a whole number, and one without source or assumption are errors at
 * FILE:LINE:COLUMN naming the key; without them USD 2026 is assumed. */
static void test_currency(void **state)
{
    (void)state;
    ns_scenario *s = load_default_with(NULL, 0);
    assert_string_equal(s->econ.currency, "USD");
    assert_int_equal(s->econ.price_year, 2026);
    ns_scenario_free(s);
    static const struct {
        const char *from, *to, *needle, *path, *what;
    } bad[] = {
        {"currency: {value: USD,", "currency: {value: usd,", "usd,", "economics.currency.value",
         "'usd' is not an ISO 4217 currency code"},
        {"currency: {value: USD,", "currency: {value: DOLLAR,", "DOLLAR,",
         "economics.currency.value", "not an ISO 4217"},
        {"price_year: {value: 2026,", "price_year: {value: 1850,", "1850,",
         "economics.price_year.value", "1850 is not a price year (a whole year in [1900, 2100])"},
        {"price_year: {value: 2026,", "price_year: {value: 2026.5,", "2026.5,",
         "economics.price_year.value", "2026.5 is not a price year (a whole year"},
        {"price_year: {value: 2026, source:", "price_year: {value: 2030, sourc:", "{value: 2030",
         "economics.price_year", "needs 'source:' or 'assumption:'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *t = edit(bad[i].from, bad[i].to);
        expect_bad_at(t, NULL, 0, bad[i].needle, 0, 1, bad[i].path, bad[i].what);
        free(t);
    }
    char *t = edit("  currency: {value: USD,", "  x_currency: {value: USD,");
    expect_bad_at(t, NULL, 0, "x_currency", 0, 1, "economics.x_currency", "unknown key");
    free(t);
}

/* ---------- 10. several errors ---------- */

static void test_many_errors(void **state)
{
    (void)state;
    char *a = edit("male_share: {value: 0.55,", "male_share: {value: 1.5,");
    char *b = replace(a, "median: {value: 6.43,", "median: {value: -1,");
    char *c = replace(b, "group: G2", "group: G4");
    char *d = replace(c, "model: life_table", "model: weibul");
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
    assert_int_equal(s->death.model, NS_DEATH_GOMPERTZ);
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
        cmocka_unit_test(test_life_table),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_param_label),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_many_errors),
        cmocka_unit_test(test_currency),
        cmocka_unit_test(test_set_values),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
