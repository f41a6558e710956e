/* The scenario reference (netsurv/scenario/reference.h) cannot drift from
 * the loaders:
 *   - every key of every shipped file under scenarios/ (scenarios, sweep
 *     files, the calibration series file; found by glob, so a new file is
 *     walked too), list entries wildcarded, is documented;
 *   - every parameter the loader registers (s->param[i].path) for the
 *     default scenario and for variants that take the other branches of
 *     the grammar (Weibull and uniform distributions) is documented, with
 *     the loader's own range;
 *   - keys the loader refuses are not documented;
 *   - a rule's `max: 19.9` loads with a warning at its FILE:LINE:COLUMN,
 *     `max: 20` and `max: 19.5` without one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <glob.h>
#include <math.h>

#include "netsurv/scenario/reference.h"
#include "netsurv/scenario/yamltree.h"
#include "test_util.h"

static int n_checked, n_missing;

/* Checks path (and everything below node n) against the reference. */
static void walk(unsigned file, const char *where, const ns_ynode *n, const char *path)
{
    if (path[0]) {
        n_checked++;
        if (!ns_reference_find(file, path)) {
            print_message("    %s: '%s' (line %d) is not in the reference\n", where, path, n->line);
            n_missing++;
            return;
        }
    }
    char p[512];
    if (n->kind == NS_Y_MAP)
        for (size_t i = 0; i < n->n; i++) {
            snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", n->keys[i]->text);
            walk(file, where, n->items[i], p);
        }
    else if (n->kind == NS_Y_SEQ)
        for (size_t i = 0; i < n->n; i++)
            if (n->items[i]->kind == NS_Y_MAP) { /* a list of numbers or words ends here */
                snprintf(p, sizeof p, "%s.*", path);
                const ns_ynode *m = n->items[i];
                for (size_t k = 0; k < m->n; k++) {
                    char q[600];
                    snprintf(q, sizeof q, "%s.%s", p, m->keys[k]->text);
                    walk(file, where, m->items[k], q);
                }
            }
}

static void every_shipped_key_is_documented(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob(NETSURV_SOURCE_DIR "/scenarios/*.yaml", 0, NULL, &g), 0);
    assert_int_equal(glob(NETSURV_SOURCE_DIR "/scenarios/*/*.yaml", GLOB_APPEND, NULL, &g), 0);
    int files = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *f = g.gl_pathv[i];
        unsigned kind = strstr(f, "/scenarios/sweeps/")        ? NS_REF_SWEEP
                        : strstr(f, "/scenarios/calibration/") ? NS_REF_SERIES
                                                               : NS_REF_SCENARIO;
        ns_ytree t;
        char err[320];
        if (ns_ytree_load_file(&t, f, err, sizeof err))
            fail_msg("%s", err);
        walk(kind, f, t.root, "");
        ns_ytree_free(&t);
        files++;
    }
    globfree(&g);
    print_message("    %d files, %d keys checked, %d missing\n", files, n_checked, n_missing);
    assert_true(files >= 6);
    assert_int_equal(n_missing, 0);
}

/* Every registered parameter of s is documented with the loader's range. */
static void check_registry(const ns_scenario *s, const char *what)
{
    int bad = 0;
    for (int i = 0; i < s->n_params; i++) {
        const ns_param *q = &s->param[i];
        const ns_ref_key *k = ns_reference_find(NS_REF_SCENARIO, q->path);
        if (!k) {
            print_message("    %s: parameter %s is not in the reference\n", what, q->path);
            bad++;
        } else if (!ns_reference_same_range(k, q->lo, q->hi)) {
            print_message("    %s: %s: the loader allows [%g, %g], the reference (%s) says "
                          "[%g, %g]\n", what, q->path, q->lo, q->hi, k->key, k->lo, k->hi);
            bad++;
        }
    }
    assert_true(s->n_params > 100);
    assert_int_equal(bad, 0);
}

static ns_scenario *load_text(const char *text)
{
    ns_scenario *s = NULL;
    ns_errors *e = calloc(1, sizeof *e);
    assert_non_null(e);
    if (ns_scenario_load_string("mem.yaml", text, NULL, 0, &s, e)) {
        for (int i = 0; i < e->n; i++)
            print_message("    %s\n", e->msg[i]);
        fail_msg("the scenario did not load");
    }
    free(e);
    return s;
}

/* text with [start, end) (from the only `start` to the next `end`) replaced. */
static char *replace_block(const char *text, const char *start, const char *end, const char *to)
{
    const char *a = strstr(text, start);
    assert_non_null(a);
    const char *b = strstr(a, end);
    assert_non_null(b);
    char *from = strndup(a, (size_t)(b - a));
    char *out = replace(text, from, to);
    free(from);
    return out;
}

static void every_registered_parameter_is_documented(void **state)
{
    (void)state;
    char *d = default_text();
    ns_scenario *s = load_text(d);
    check_registry(s, "default.yaml");
    ns_scenario_free(s);
    /* the other distributions of the grammar: weibull and uniform */
    char *w = replace_block(d, "  years_to_visible:\n", "\ntiming:",
                            "  years_to_visible:\n    distribution: weibull\n"
                            "    shape: {value: 1.5, assumption: \"t\"}\n"
                            "    scale: {value: 4, assumption: \"t\"}\n\n");
    char *u = replace_block(w, "    diameter_mm:\n      distribution: lognormal\n      median: {value: 10",
                            "\ngrowth:",
                            "    diameter_mm:\n      distribution: uniform\n"
                            "      min: {value: 2, assumption: \"t\"}\n"
                            "      max: {value: 20, assumption: \"t\"}\n\n");
    s = load_text(u);
    int weibull = 0, uniform = 0;
    for (int i = 0; i < s->n_params; i++) {
        weibull += !strcmp(s->param[i].path, "residual.years_to_visible.shape");
        uniform += !strcmp(s->param[i].path, "timing.synchronous.diameter_mm.max");
    }
    assert_int_equal(weibull, 1);
    assert_int_equal(uniform, 1);
    check_registry(s, "weibull and uniform");
    ns_scenario_free(s);
    free(u);
    free(w);
    free(d);
}

static void refused_keys_are_not_documented(void **state)
{
    (void)state;
    const char *bad[] = {"cohort.agee", "cohort.age.mean.psa.sdd", "strategies.x.rules.y.when.size",
                         "strategies.x.rules.y.schedule.0.evry", "sweep.grdi", "cohort.grade_shares.x",
                         "metastasis.intercept.0", "calibrate.imis.initial"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (ns_reference_find(NS_REF_SCENARIO, bad[i]))
            fail_msg("'%s' is documented but the loader refuses it", bad[i]);
    const char *good[] = {"cohort.grade_shares.2", "modalities.mri.sensitivity.liver.diameter_mm.0",
                          "strategies.x.rules.y.when.size_mm.max", "strategies.x.rules.y.schedule.1.every",
                          "sweep.zip.0.range.step", "cohort.age.mean.psa.sd",
                          "other_cause_death.model", "timing.years_to_detectable.median.range"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!ns_reference_find(NS_REF_SCENARIO, good[i]))
            fail_msg("'%s' is not documented", good[i]);
    assert_non_null(ns_reference_find(NS_REF_SERIES, "series.kuiper.cohort.when.size_mm.min"));
    assert_non_null(ns_reference_find(NS_REF_SWEEP, "sweep.grid.0.path"));
    assert_null(ns_reference_find(NS_REF_SWEEP, "cohort.age.mean"));
}

#define NO_RISK "when: {size_mm: {max: 20}, grade: [G1], lvi: [no], depth: [submucosa]"

/* Loads the default scenario with the jnets no_risk rule's max replaced;
 * returns the number of warnings (the first in *w). */
static int warnings_for(const char *max, char *w, size_t len)
{
    char to[160];
    snprintf(to, sizeof to, "when: {size_mm: {max: %s}, grade: [G1], lvi: [no], depth: [submucosa]",
             max);
    char *d = default_text(), *t = replace(d, NO_RISK, to);
    ns_scenario *s = NULL;
    ns_errors *e = calloc(1, sizeof *e);
    assert_non_null(e);
    if (ns_scenario_load_string("mem.yaml", t, NULL, 0, &s, e))
        fail_msg("max: %s: %s", max, e->msg[0]);
    int n = e->n_warnings;
    snprintf(w, len, "%s", n ? e->warning[0] : "");
    if (n) { /* at the value */
        const char *at = strstr(t, to) + strlen("when: {size_mm: {max: ");
        int line, col;
        line_col(t, at, &line, &col);
        char head[128];
        snprintf(head, sizeof head, "mem.yaml:%d:%d: strategies.jnets_2019.rules.no_risk.when."
                 "size_mm.max: ", line, col);
        if (strncmp(w, head, strlen(head)))
            fail_msg("warning '%s' does not start with '%s'", w, head);
    }
    ns_scenario_free(s);
    free(e);
    free(t);
    free(d);
    return n;
}

static void max_just_below_a_round_number_warns(void **state)
{
    (void)state;
    char w[320];
    assert_int_equal(warnings_for("19.9", w, sizeof w), 1);
    assert_non_null(strstr(w, "19.9 is exclusive; tumours of 19.9-20 mm match no group"));
    assert_non_null(strstr(w, "write max: 20"));
    assert_int_equal(warnings_for("19.99", w, sizeof w), 1);
    assert_non_null(strstr(w, "19.99 is exclusive; tumours of 19.99-20 mm"));
    assert_int_equal(warnings_for("20", w, sizeof w), 0);
    assert_int_equal(warnings_for("19.5", w, sizeof w), 0);
    assert_int_equal(warnings_for("15", w, sizeof w), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_shipped_key_is_documented),
        cmocka_unit_test(every_registered_parameter_is_documented),
        cmocka_unit_test(refused_keys_are_not_documented),
        cmocka_unit_test(max_just_below_a_round_number_warns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
