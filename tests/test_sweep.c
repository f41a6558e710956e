/* Tests for sweeps at the library level (netsurv/scenario/scenario.h):
 *
 *  1. points: grid x zip counts, the order of ns_sweep_indices, range values;
 *  2. ns_scenario_load_point: the point's values on top of the base's --set
 *     overrides, in the in-file form and the --sweep form;
 *  3. bad sweep definitions: FILE:LINE:COLUMN messages naming the key, for a
 *     sweep: section in the scenario and for a --sweep file.
 * Bad inputs are the default scenario plus a sweep text, so each expected
 * location is computed from the text (as in test_scenario.c). */
#include "sweep_fixtures.h"

/* Line and column of the first `needle` at or after byte `from` of text, plus skip. */
static void where_from(const char *text, size_t from, const char *needle, size_t skip,
                       int *line, int *col)
{
    const char *p = strstr(text + from, needle);
    if (!p)
        fail_msg("'%s' not found in the text", needle);
    line_col(text, p + skip, line, col);
}

static int modality_index(const ns_scenario *s, const char *name)
{
    for (int i = 0; i < s->n_modalities; i++)
        if (!strcmp(s->modality[i].name, name))
            return i;
    fail_msg("no modality %s", name);
    return -1;
}

static const ns_rule *rule_of(const ns_scenario *s, const char *strategy, const char *rule)
{
    for (int k = 0; k < s->n_strategies; k++)
        if (!strcmp(s->strategy[k].name, strategy))
            for (int r = 0; r < s->strategy[k].n_rules; r++)
                if (!strcmp(s->strategy[k].rule[r].name, rule))
                    return &s->strategy[k].rule[r];
    fail_msg("no rule %s.%s", strategy, rule);
    return NULL;
}

/* ---------- 1. points ---------- */

/* grid 3 x 2, zip of two axes of 4 values: 24 points. */
static const char GRID_ZIP[] =
    "\nsweep:\n"
    "  zip:\n"
    "    - path: follow_up.adherence.probability.2\n"
    "      values: [0.75, 0.7, 0.65, 0.6]\n"
    "    - path: follow_up.adherence.probability.3\n"
    "      values: [0.65, 0.6, 0.55, 0.5]\n"
    "  grid:\n"
    "    - path: modalities.mri.cost\n"
    "      values: [400, 600, 900]\n"
    "    - path: " EVERY_PATH "\n"
    "      values: [2, 4]\n";

static void check_grid_zip(const ns_scenario *s)
{
    const ns_sweep *w = &s->sweep;
    assert_int_equal(w->n_axes, 4);
    assert_int_equal(w->n_points, 24);
    /* grid axes first, in file order, then the zip axes */
    assert_string_equal(w->axis[0].path, "modalities.mri.cost");
    assert_string_equal(w->axis[1].path, EVERY_PATH);
    assert_string_equal(w->axis[2].path, "follow_up.adherence.probability.2");
    assert_string_equal(w->axis[3].path, "follow_up.adherence.probability.3");
    assert_false(w->axis[0].zip || w->axis[1].zip);
    assert_true(w->axis[2].zip && w->axis[3].zip);
    assert_int_equal(w->axis[0].n, 3);
    assert_int_equal(w->axis[1].n, 2);
    assert_int_equal(w->axis[2].n, 4);
    assert_true(w->axis[0].values[2] == 900 && w->axis[1].values[1] == 4);
    assert_true(w->axis[2].values[1] == 0.7 && w->axis[3].values[3] == 0.5);

    int seen[3][2][4] = {{{0}}};
    for (uint64_t p = 0; p < w->n_points; p++) {
        int idx[NS_MAX_AXES];
        memset(idx, 0xff, sizeof idx);
        ns_sweep_indices(w, p, idx);
        assert_in_range(idx[0], 0, 2);
        assert_in_range(idx[1], 0, 1);
        assert_in_range(idx[2], 0, 3);
        assert_int_equal(idx[3], idx[2]); /* zip axes share their index */
        seen[idx[0]][idx[1]][idx[2]]++;
        /* the zip index varies fastest, then the last grid axis, then the first */
        assert_int_equal(p, (uint64_t)((idx[0] * 2 + idx[1]) * 4 + idx[2]));
    }
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 2; b++)
            for (int z = 0; z < 4; z++)
                assert_int_equal(seen[a][b][z], 1);
}

static void test_points_grid_zip(void **state)
{
    (void)state;
    /* in the scenario file */
    char *text = default_with(GRID_ZIP);
    ns_scenario *s = load_ok_string(text, NULL, 0);
    check_grid_zip(s);
    assert_null(s->sweep_text);
    ns_scenario_free(s);
    free(text);

    /* as a --sweep file */
    char path[64];
    write_temp(path, GRID_ZIP + 1);
    s = load_ok_with_sweep(DEFAULT_PATH, path, NULL, 0);
    check_grid_zip(s);
    assert_string_equal(s->sweep_text, GRID_ZIP + 1);
    assert_string_equal(s->sweep_path, path);
    assert_string_equal(s->sweep.axis[0].file, path);
    ns_scenario_free(s);
    unlink(path);

    /* a zip alone, a grid alone, no sweep at all */
    text = default_with("sweep:\n  zip:\n    - path: modalities.mri.cost\n"
                        "      values: [1, 2, 3, 4, 5]\n");
    s = load_ok_string(text, NULL, 0);
    assert_int_equal(s->sweep.n_points, 5);
    ns_scenario_free(s);
    free(text);
    text = default_with("sweep:\n  grid:\n    - path: modalities.mri.cost\n"
                        "      values: [1, 2, 3]\n    - path: modalities.ct.cost\n"
                        "      values: [1, 2, 3, 4, 5]\n");
    s = load_ok_string(text, NULL, 0);
    assert_int_equal(s->sweep.n_points, 15);
    int idx[NS_MAX_AXES];
    ns_sweep_indices(&s->sweep, 7, idx);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 2);
    ns_scenario_free(s);
    free(text);
    s = load_ok_with_sweep(DEFAULT_PATH, NULL, NULL, 0);
    assert_int_equal(s->sweep.n_axes, 0);
    assert_int_equal(s->sweep.n_points, 1);
    ns_scenario_free(s);

    /* the example sweep files */
    s = load_ok_with_sweep(DEFAULT_PATH, MRI_SWEEP_PATH, NULL, 0);
    assert_int_equal(s->sweep.n_points, 9);
    ns_scenario_free(s);
    s = load_ok_with_sweep(DEFAULT_PATH,
                           NETSURV_SOURCE_DIR "/scenarios/sweeps/horizon_and_adherence.yaml",
                           NULL, 0);
    assert_int_equal(s->sweep.n_points, 12);
    ns_scenario_free(s);
}

/* Loads a one-axis range sweep of cohort.male_share and returns the axis. */
static ns_scenario *range_sweep(const char *range)
{
    char sweep[256];
    snprintf(sweep, sizeof sweep,
             "sweep:\n  grid:\n    - path: cohort.male_share\n      range: %s\n", range);
    char *text = default_with(sweep);
    ns_scenario *s = load_ok_string(text, NULL, 0);
    free(text);
    assert_int_equal(s->sweep.n_axes, 1);
    return s;
}

static void expect_values(const char *range, int n, const double *want)
{
    ns_scenario *s = range_sweep(range);
    const ns_axis *a = &s->sweep.axis[0];
    if (a->n != n)
        fail_msg("range %s: %d values, expected %d", range, a->n, n);
    assert_int_equal(s->sweep.n_points, (uint64_t)n);
    for (int i = 0; i < n; i++)
        if (a->values[i] != want[i]) /* the number as written, not an ulp off */
            fail_msg("range %s: value %d is %.17g, expected %.17g", range, i, a->values[i],
                     want[i]);
    ns_scenario_free(s);
}

static void test_range_values(void **state)
{
    (void)state;
    /* (to - from) / step is 4.999... or 5.000...1 in floating point: 6 values */
    const double a[] = {0, 0.01, 0.02, 0.03, 0.04, 0.05};
    expect_values("{from: 0, to: 0.05, step: 0.01}", 6, a);
    /* 0.1 + 2 * 0.1 is 0.30000000000000004 in floating point */
    const double b[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    expect_values("{from: 0.1, to: 0.9, step: 0.1}", 9, b);
    /* 3 * 0.1 is past `to` = 0.3 */
    const double c[] = {0, 0.1, 0.2, 0.3};
    expect_values("{from: 0, to: 0.3, step: 0.1}", 4, c);
    const double d[] = {0.7, 0.8, 0.9, 1.0};
    expect_values("{from: 0.7, to: 1, step: 0.1}", 4, d);
    /* a step that does not reach `to` stops before it */
    const double e[] = {0, 0.3, 0.6, 0.9};
    expect_values("{from: 0, to: 1, step: 0.3}", 4, e);
    const double f[] = {0.25};
    expect_values("{from: 0.25, to: 0.25, step: 0.1}", 1, f);
    /* whole numbers (as in horizon_and_adherence.yaml) */
    char *text = default_with("sweep:\n  grid:\n    - path: modalities.mri.cost\n"
                              "      range: {from: 5, to: 20, step: 5}\n");
    ns_scenario *s = load_ok_string(text, NULL, 0);
    assert_int_equal(s->sweep.axis[0].n, 4);
    assert_true(s->sweep.axis[0].values[3] == 20);
    ns_scenario_free(s);
    free(text);
}

/* ---------- 2. the scenario of a point ---------- */

/* 2 x 2 grid and a zip of two axes of 2 values: 8 points. */
static const char POINT_SWEEP[] =
    "sweep:\n"
    "  grid:\n"
    "    - path: modalities.mri.cost\n"
    "      values: [400, 900]\n"
    "    - path: " EVERY_PATH "\n"
    "      values: [2, 4]\n"
    "  zip:\n"
    "    - path: follow_up.adherence.probability.2\n"
    "      values: [0.7, 0.6]\n"
    "    - path: follow_up.adherence.probability.3\n"
    "      values: [0.6, 0.5]\n";

/* Every point of base: the values applied, the base's overrides kept unless
 * swept, and the same parameters as the base's text loaded with the base's
 * overrides followed by the point's values as overrides. */
static void check_points(const ns_scenario *base, const char *plain_text, const char *const *sets,
                         int n_sets)
{
    int mri = modality_index(base, "mri");
    /* the base itself: its overrides, no sweep values */
    assert_true(base->modality[mri].cost == 1234);
    assert_true(base->cohort.male_share == 0.6);
    assert_int_equal(rule_of(base, "risk_stratified", "intermediate")->n_visits, 6);
    for (uint64_t p = 0; p < base->sweep.n_points; p++) {
        int idx[NS_MAX_AXES];
        ns_sweep_indices(&base->sweep, p, idx);
        double cost = base->sweep.axis[0].values[idx[0]];
        double every = base->sweep.axis[1].values[idx[1]];
        double a2 = base->sweep.axis[2].values[idx[2]], a3 = base->sweep.axis[3].values[idx[3]];
        ns_scenario *s = load_point_ok(base, p);
        assert_true(s->modality[mri].cost == cost); /* a swept --set is overridden */
        assert_true(s->cohort.male_share == 0.6);   /* an un-swept --set survives */
        assert_true(s->follow.adherence.y[2] == a2 && s->follow.adherence.y[3] == a3);
        /* MRI at 1, 3, 5 y, then every 2 (8, 10, 12, 14) or 4 (8, 12) years */
        const ns_rule *r = rule_of(s, "risk_stratified", "intermediate");
        assert_int_equal(r->n_visits, every == 2 ? 7 : 5);
        assert_true(r->visit_time[3] == 8 && r->visit_time[4] == 8 + every);

        /* the same as loading the text with the values as the last overrides */
        const char *all[8];
        char b[4][256];
        for (int i = 0; i < n_sets; i++)
            all[i] = sets[i];
        snprintf(b[0], sizeof b[0], "modalities.mri.cost=%.17g", cost);
        snprintf(b[1], sizeof b[1], EVERY_PATH "=%.17g", every);
        snprintf(b[2], sizeof b[2], "follow_up.adherence.probability.2=%.17g", a2);
        snprintf(b[3], sizeof b[3], "follow_up.adherence.probability.3=%.17g", a3);
        for (int i = 0; i < 4; i++)
            all[n_sets + i] = b[i];
        ns_scenario *want = load_ok_string(plain_text, all, n_sets + 4);
        assert_memory_equal(&s->cohort, &want->cohort, sizeof s->cohort);
        assert_memory_equal(&s->follow, &want->follow, sizeof s->follow);
        assert_memory_equal(&s->econ, &want->econ, sizeof s->econ);
        assert_memory_equal(s->modality, want->modality, sizeof s->modality);
        assert_memory_equal(s->strategy, want->strategy, sizeof s->strategy);
        assert_memory_equal(&s->derived, &want->derived, sizeof s->derived);
        ns_scenario_free(want);
        ns_scenario_free(s);
    }
}

static void test_load_point(void **state)
{
    (void)state;
    const char *sets[] = {"cohort.male_share=0.6", "modalities.mri.cost=1234"};
    char *plain = read_all(DEFAULT_PATH, NULL);

    /* in the scenario file */
    char *text = default_with(POINT_SWEEP);
    ns_scenario *base = load_ok_string(text, sets, 2);
    assert_int_equal(base->sweep.n_points, 8);
    check_points(base, plain, sets, 2);
    ns_scenario_free(base);
    free(text);

    /* as a --sweep file */
    char path[64];
    write_temp(path, POINT_SWEEP);
    base = load_ok_with_sweep(DEFAULT_PATH, path, sets, 2);
    assert_int_equal(base->sweep.n_points, 8);
    check_points(base, plain, sets, 2);

    /* from texts in memory (what merge rebuilds from a shard): the same */
    ns_scenario *t = NULL;
    ns_errors e;
    if (ns_scenario_load_texts(base->path, base->text, base->sweep_path, base->sweep_text, sets,
                               2, &t, &e)) {
        dump_errors(&e);
        fail_msg("ns_scenario_load_texts failed");
    }
    assert_int_equal(t->sweep.n_points, 8);
    assert_int_equal(t->sweep.n_axes, base->sweep.n_axes);
    for (int a = 0; a < base->sweep.n_axes; a++) {
        const ns_axis *x = &t->sweep.axis[a], *y = &base->sweep.axis[a];
        assert_string_equal(x->path, y->path);
        assert_string_equal(x->file, y->file);
        assert_true(x->zip == y->zip && x->n == y->n && x->line == y->line && x->col == y->col);
        assert_memory_equal(x->values, y->values, sizeof x->values[0] * (size_t)x->n);
    }
    check_points(t, plain, sets, 2);
    ns_scenario_free(t);
    ns_scenario_free(base);
    unlink(path);
    free(plain);
}

/* ---------- 3. bad sweeps ---------- */

/* The default scenario with the sweep section `sweep` fails with a message
 * for `path` at `needle` (+ skip; looked for inside the sweep) containing
 * `what`, both in the scenario file and as a --sweep file (where the message
 * names the sweep file). */
static void bad_sweep(const char *sweep, const char *needle, size_t skip, const char *path,
                      const char *what)
{
    ns_scenario *s = (ns_scenario *)1;
    ns_errors e;
    int line, col;

    char *d = read_all(DEFAULT_PATH, NULL), *text = cat(d, sweep);
    int rc = ns_scenario_load_string(MEM, text, NULL, 0, &s, &e);
    if (rc != -1) {
        ns_scenario_free(rc == 0 ? s : NULL);
        fail_msg("in-file sweep loaded although '%s' should fail with '%s'", path, what);
    }
    assert_null(s);
    where_from(text, strlen(d), needle, skip, &line, &col);
    expect_error(&e, MEM, line, col, path, what);
    free(text);
    free(d);

    char file[64];
    write_temp(file, sweep);
    s = (ns_scenario *)1;
    rc = ns_scenario_load_with_sweep(DEFAULT_PATH, file, NULL, 0, &s, &e);
    if (rc != -1) {
        ns_scenario_free(rc == 0 ? s : NULL);
        fail_msg("--sweep loaded although '%s' should fail with '%s'", path, what);
    }
    assert_null(s);
    where_from(sweep, 0, needle, skip, &line, &col);
    expect_error(&e, file, line, col, path, what);
    unlink(file);
}

static void test_bad_sweeps(void **state)
{
    (void)state;
    bad_sweep("sweep:\n  grid:\n    - path: cohort.nope\n      values: [1]\n", "cohort.nope", 0,
              "sweep.grid.0.path", "'cohort.nope' names nothing in the scenario");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: [1]\n"
              "    - path: modalities.nope.cost\n      values: [1]\n",
              "modalities.nope", 0, "sweep.grid.1.path", "names nothing");
    /* the seed: every point runs on the same patients, so it would change nothing */
    bad_sweep("sweep:\n  grid:\n    - path: seed\n      values: [1, 2]\n", "seed", 0,
              "sweep.grid.0.path", "'seed' cannot be swept");
    /* one value swept by two axes: the second would override the first */
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: [1, 2]\n"
              "    - path: modalities.mri.cost\n      values: [3, 4]\n",
              "path: modalities.mri.cost\n      values: [3", 6, "sweep.grid.1.path",
              "'modalities.mri.cost' is already swept");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: [1, 2]\n"
              "  zip:\n    - path: modalities.3.cost.value\n      values: [3, 4]\n",
              "modalities.3", 0, "sweep.zip.0.path",
              "'modalities.3.cost.value' is already swept (as 'modalities.mri.cost'");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: []\n", "[]", 0,
              "sweep.grid.0.values", "empty list");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: 5\n", "5\n", 0,
              "sweep.grid.0.values", "expected a list");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: [1, x]\n", "x]",
              0, "sweep.grid.0.values", "expected a number, found 'x'");
    bad_sweep("sweep:\n  grid:\n    - path: cohort\n      values: [1]\n", "cohort", 0,
              "sweep.grid.0.path", "'cohort' names a section or list");
    bad_sweep("sweep:\n  grid:\n    - path: strategies.no_follow_up.rules\n      values: [1]\n",
              "strategies", 0, "sweep.grid.0.path", "names a section or list");
    bad_sweep("sweep:\n  grid:\n    - path: cohort.grade_shares\n      values: [1]\n",
              "cohort.grade", 0, "sweep.grid.0.path", "names a section or list");
    bad_sweep("sweep:\n  zip:\n    - path: modalities.mri.cost\n      values: [1, 2, 3]\n"
              "    - path: modalities.ct.cost\n      values: [1, 2]\n",
              "path: modalities.ct", 0, "sweep.zip.1", "same number of values (2 here, 3");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n"
              "      range: {from: 1, to: 5, step: 0}\n",
              "{from", 0, "sweep.grid.0.range", "step > 0");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n"
              "      range: {from: 1, to: 5, step: -1}\n",
              "{from", 0, "sweep.grid.0.range", "step > 0");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n"
              "      range: {from: 5, to: 1, step: 1}\n",
              "{from", 0, "sweep.grid.0.range", "from <= to");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n"
              "      range: {from: 0, to: 5000, step: 1}\n",
              "{from", 0, "sweep.grid.0.range", "at most 1000 values");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      range: {from: 1, to: 5}\n",
              "{from", 0, "sweep.grid.0.range.step",
              "missing required key 'step'");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: [1, 2]\n"
              "      range: {from: 1, to: 5, step: 1}\n",
              "path:", 0, "sweep.grid.0", "give values: [...] or range");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n", "path:", 0, "sweep.grid.0",
              "give values: [...] or range");
    bad_sweep("sweep:\n  grid:\n    - values: [1]\n", "values", 0, "sweep.grid.0.path",
              "missing required key 'path'");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: [1]\n"
              "      step: 2\n",
              "step", 0, "sweep.grid.0.step", "unknown key");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: [1]\n"
              "  zap: []\n",
              "zap", 0, "sweep.zap", "unknown key");
    bad_sweep("sweep:\n  grid: []\n", "[]", 0, "sweep.grid", "empty list of axes");
    bad_sweep("sweep: {}\n", "{}", 0, "sweep", "needs grid: and/or zip:");
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      range: {from: 1, to: 1000, step: 1}\n"
              "    - path: modalities.ct.cost\n      range: {from: 1, to: 1000, step: 1}\n",
              "grid", 0, "sweep", "1000000 points: at most 20000");
    /* a value that makes the scenario invalid: at the axis, naming the value */
    bad_sweep("sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: [1]\n"
              "    - path: cohort.male_share\n      values: [0.5, 1.5]\n",
              "path: cohort", 0, "sweep",
              "value 1.5 of cohort.male_share makes the scenario invalid");
    bad_sweep("sweep:\n  zip:\n    - path: cohort.male_share\n      values: [0.5, 0.6]\n"
              "    - path: modalities.mri.cost\n      values: [100, -5]\n",
              "path: modalities", 0, "sweep", "value -5 of modalities.mri.cost makes the scenario "
                                              "invalid");
}

/* The --sweep file's own problems: other keys, a scenario with a sweep. */
static void test_bad_sweep_file(void **state)
{
    (void)state;
    ns_scenario *s = (ns_scenario *)1;
    ns_errors e;
    char file[64];
    const char *w = "sweep:\n  grid:\n    - path: modalities.mri.cost\n      values: [1]\n"
                    "name: other\n";
    write_temp(file, w);
    assert_int_equal(ns_scenario_load_with_sweep(DEFAULT_PATH, file, NULL, 0, &s, &e), -1);
    assert_null(s);
    expect_error(&e, file, 5, 1, "name", "a sweep file holds only sweep:");
    unlink(file);

    write_temp(file, "# nothing swept\nname: x\n");
    s = (ns_scenario *)1;
    assert_int_equal(ns_scenario_load_with_sweep(DEFAULT_PATH, file, NULL, 0, &s, &e), -1);
    assert_null(s);
    expect_error(&e, file, 2, 1, "name", "holds only sweep:");
    unlink(file);

    /* a scenario that has a sweep: section, and a --sweep file */
    char *text = default_with(POINT_SWEEP), scen[64];
    write_temp(scen, text);
    write_temp(file, "\n\nsweep:\n  grid:\n    - path: modalities.mri.cost\n      values: [1]\n");
    s = (ns_scenario *)1;
    assert_int_equal(ns_scenario_load_with_sweep(scen, file, NULL, 0, &s, &e), -1);
    assert_null(s);
    int i = expect_error(&e, file, 3, 1, "sweep", "already has a sweep: section");
    assert_non_null(strstr(e.msg[i], scen));
    unlink(file);
    unlink(scen);
    free(text);

    /* the sweep file is read and parsed: a missing or broken one is named */
    s = (ns_scenario *)1;
    assert_int_equal(ns_scenario_load_with_sweep(DEFAULT_PATH, "/nonexistent/sweep.yaml", NULL, 0,
                                                 &s, &e),
                     -1);
    assert_null(s);
    assert_true(e.n >= 1);
    assert_non_null(strstr(e.msg[0], "/nonexistent/sweep.yaml"));
    write_temp(file, "sweep:\n  grid: [\n");
    s = (ns_scenario *)1;
    assert_int_equal(ns_scenario_load_with_sweep(DEFAULT_PATH, file, NULL, 0, &s, &e), -1);
    assert_null(s);
    assert_true(e.n >= 1);
    assert_int_equal(strncmp(e.msg[0], file, strlen(file)), 0);
    unlink(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_grid_zip),
        cmocka_unit_test(test_range_values),
        cmocka_unit_test(test_load_point),
        cmocka_unit_test(test_bad_sweeps),
        cmocka_unit_test(test_bad_sweep_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
