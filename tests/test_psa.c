/* Tests for parameter uncertainty (netsurv/psa.h) and discounting: PSA draws
 * are reproducible and have the moments their distributions promise; a PSA
 * run gives the same numbers on 1 and 2 threads; OWSA moves only what the
 * parameter touches; bad psa/range specifications are FILE:LINE:COLUMN
 * errors; discounted durations and life-years match closed forms. */
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

#include "netsurv/engine/engine.h"
#include "netsurv/engine/psa.h"
#include "netsurv/scenario/scenario.h"
#include "netsurv/model/strategy.h"

#define K_MOMENTS 20000
#define Z 5.0

/* The default text with `from` (which must occur once) replaced by `to`. */
static char *edited(const char *from, const char *to)
{
    char *d = default_text(), *p = strstr(d, from);
    if (!p || strstr(p + 1, from))
        fail_msg("'%s' must occur exactly once in the default scenario", from);
    size_t a = (size_t)(p - d), fl = strlen(from), tl = strlen(to);
    char *out = malloc(strlen(d) - fl + tl + 1);
    memcpy(out, d, a);
    memcpy(out + a, to, tl);
    strcpy(out + a + tl, p + fl);
    free(d);
    return out;
}

static ns_scenario *load_text(const char *text, const char *const *sets, int n_sets)
{
    ns_scenario *s;
    ns_errors e;
    if (ns_scenario_load_string("mem.yaml", text, sets, n_sets, &s, &e)) {
        for (int i = 0; i < e.n; i++)
            print_message("    %s\n", e.msg[i]);
        fail_msg("scenario did not load");
    }
    return s;
}

static int param_index(const ns_scenario *s, const char *path)
{
    for (int i = 0; i < s->n_params; i++)
        if (strcmp(s->param[i].path, path) == 0)
            return i;
    fail_msg("no parameter %s", path);
    return -1;
}

/* ---------- reproducibility ---------- */

static void test_draws_reproducible(void **state)
{
    (void)state;
    char *t = default_text();
    ns_scenario *base = load_text(t, NULL, 0);
    ns_scenario *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_true(ns_psa_count(base) >= 20);
    ns_psa_draw(base, a, 7, 3);
    ns_psa_draw(base, b, 7, 3);
    int differ_k = 0, differ_seed = 0;
    for (int i = 0; i < base->n_params; i++)
        assert_true(*ns_param_ptr(a, i) == *ns_param_ptr(b, i));
    ns_psa_draw(base, b, 7, 4);
    for (int i = 0; i < base->n_params; i++)
        differ_k += *ns_param_ptr(a, i) != *ns_param_ptr(b, i);
    ns_psa_draw(base, b, 8, 3);
    for (int i = 0; i < base->n_params; i++)
        differ_seed += *ns_param_ptr(a, i) != *ns_param_ptr(b, i);
    /* every drawn parameter changes with the draw and with the seed; the
     * others never do */
    assert_int_equal(differ_k, ns_psa_count(base));
    assert_int_equal(differ_seed, ns_psa_count(base));
    for (int i = 0; i < base->n_params; i++)
        if (base->param[i].psa <= NS_PSA_FIXED)
            assert_true(*ns_param_ptr(b, i) == *ns_param_ptr(base, i));
    free(a);
    free(b);
    ns_scenario_free(base);
    free(t);
}

/* ---------- moments ---------- */

/* The mean and variance a parameter's PSA distribution promises. */
static void promised(const ns_scenario *s, int i, double *mean, double *var)
{
    const ns_param *q = &s->param[i];
    double a = q->psa_a, b = q->psa_b, v = *(const double *)((const char *)s + q->offset);
    switch (q->psa) {
    case NS_PSA_BETA:
        *mean = a / (a + b), *var = a * b / ((a + b) * (a + b) * (a + b + 1));
        break;
    case NS_PSA_GAMMA:
        *mean = a * b, *var = a * b * b;
        break;
    case NS_PSA_LOGNORMAL:
        *mean = exp(a + b * b / 2), *var = (exp(b * b) - 1) * exp(2 * a + b * b);
        break;
    case NS_PSA_NORMAL:
        *mean = a, *var = b * b;
        break;
    case NS_PSA_UNIFORM:
        *mean = (a + b) / 2, *var = (b - a) * (b - a) / 12;
        break;
    default: { /* Dirichlet component */
        double a0 = 0;
        for (int j = 0; j < q->group_n; j++)
            a0 += *(const double *)((const char *)s + s->param[q->group + j].offset) * q->psa_a;
        double ai = v * q->psa_a;
        *mean = ai / a0, *var = ai * (a0 - ai) / (a0 * a0 * (a0 + 1));
    }
    }
}

/* Sample moments of every drawn parameter over K draws against the promise. */
static void check_moments(const ns_scenario *base, int expect_kinds)
{
    int P = base->n_params, kinds = 0;
    double *sum = calloc((size_t)P, sizeof *sum), *sq = calloc((size_t)P, sizeof *sq);
    int *clamped = calloc((size_t)P, sizeof *clamped);
    ns_scenario *d = malloc(sizeof *d);
    for (int k = 0; k < K_MOMENTS; k++) {
        ns_psa_draw(base, d, 99, (uint64_t)k);
        for (int i = 0; i < P; i++) {
            double x = *ns_param_ptr(d, i);
            sum[i] += x;
            sq[i] += x * x;
            clamped[i] += base->param[i].psa > NS_PSA_FIXED &&
                          (x == base->param[i].lo || x == base->param[i].hi);
        }
    }
    for (int i = 0; i < P; i++) {
        if (base->param[i].psa <= NS_PSA_FIXED || clamped[i])
            continue;
        kinds |= 1 << base->param[i].psa;
        double m, v, mh = sum[i] / K_MOMENTS, vh = sq[i] / K_MOMENTS - mh * mh;
        promised(base, i, &m, &v);
        if (fabs(mh - m) > Z * sqrt(v / K_MOMENTS) + 1e-12 || fabs(vh / v - 1) > 0.08)
            fail_msg("%s: mean %.6g var %.6g, promised %.6g and %.6g", base->param[i].path, mh,
                     vh, m, v);
    }
    assert_int_equal(kinds & expect_kinds, expect_kinds);
    free(sum);
    free(sq);
    free(clamped);
    free(d);
}

static void test_moments_default(void **state)
{
    (void)state;
    char *t = default_text();
    ns_scenario *base = load_text(t, NULL, 0);
    check_moments(base, 1 << NS_PSA_BETA | 1 << NS_PSA_GAMMA | 1 << NS_PSA_NORMAL |
                            1 << NS_PSA_DIRICHLET);
    ns_scenario_free(base);
    free(t);
}

static void test_moments_uniform_lognormal(void **state)
{
    (void)state;
    char *a = edited("series; no figure read\"}", "series; no figure read\", psa: "
                                                  "{distribution: uniform, low: 0.5, high: 0.6}}");
    char *b = strdup(a);
    /* the incidental-imaging rate's gamma prior switched to a lognormal */
    char *c = malloc(strlen(b) + 16);
    char *q = strstr(b, "incidental_imaging_per_year: {value: 0.027,");
    assert_non_null(q);
    char *g = strstr(q, "distribution: gamma");
    size_t off = (size_t)(g - b);
    memcpy(c, b, off);
    strcpy(c + off, "distribution: lognormal");
    strcat(c, g + strlen("distribution: gamma"));
    ns_scenario *base = load_text(c, NULL, 0);
    assert_int_equal(base->param[param_index(base, "cohort.male_share")].psa, NS_PSA_UNIFORM);
    assert_int_equal(base->param[param_index(base, "symptoms.incidental_imaging_per_year")].psa,
                     NS_PSA_LOGNORMAL);
    check_moments(base, 1 << NS_PSA_UNIFORM | 1 << NS_PSA_LOGNORMAL);
    ns_scenario_free(base);
    free(a);
    free(b);
    free(c);
}

/* Dirichlet shares add up to 1 in every draw. */
static void test_dirichlet_sums(void **state)
{
    (void)state;
    char *t = default_text();
    ns_scenario *base = load_text(t, NULL, 0), *d = malloc(sizeof *d);
    int g = param_index(base, "cohort.grade_shares.0");
    assert_int_equal(base->param[g].psa, NS_PSA_DIRICHLET);
    for (int k = 0; k < 100; k++) {
        ns_psa_draw(base, d, 5, (uint64_t)k);
        double sum = d->cohort.grade_p[0] + d->cohort.grade_p[1] + d->cohort.grade_p[2];
        assert_true(fabs(sum - 1) < 1e-12);
        assert_true(fabs(d->derived.grade_cum[2] - 1) < 1e-12);
    }
    free(d);
    ns_scenario_free(base);
    free(t);
}

/* ---------- runs ---------- */

static void test_psa_run_threads(void **state)
{
    (void)state;
    char *t = default_text();
    ns_scenario *s = load_text(t, NULL, 0);
    enum { K = 4, N = 6000 };
    int S = s->n_strategies, P = ns_psa_count(s);
    double *a = calloc((size_t)K * (2 * S + P), sizeof *a);
    double *b = calloc((size_t)K * (2 * S + P), sizeof *b);
    ns_engine_opts o = {.seed = 11, .n = N, .threads = 1};
    assert_int_equal(ns_psa_run(s, &o, K, a, a + K * S, a + 2 * K * S, NULL, NULL), 0);
    o.threads = 2;
    assert_int_equal(ns_psa_run(s, &o, K, b, b + K * S, b + 2 * K * S, NULL, NULL), 0);
    assert_memory_equal(a, b, sizeof *a * (size_t)K * (2 * S + P));
    /* draws differ from one another */
    assert_true(a[0] != a[S]);
    free(a);
    free(b);
    ns_scenario_free(s);
    free(t);
}

/* Raising the MRI cost changes only strategies that use MRI, and by exactly
 * the discounted MRI tests (common random numbers). */
static void test_owsa_mri_cost(void **state)
{
    (void)state;
    char *t = default_text();
    ns_scenario *s = load_text(t, NULL, 0);
    int S = s->n_strategies, Q = ns_owsa_count(s);
    assert_true(Q >= 10);
    double *v = calloc((size_t)4 * Q * S, sizeof *v);
    ns_engine_opts o = {.seed = 3, .n = 5000, .threads = 2};
    assert_int_equal(ns_owsa_run(s, &o, v, v + Q * S, v + 2 * Q * S, v + 3 * Q * S), Q);
    int j = 0;
    for (int i = 0; i < s->n_params; i++) {
        if (!s->param[i].has_range)
            continue;
        if (strcmp(s->param[i].path, "modalities.mri.cost") == 0)
            break;
        j++;
    }
    assert_true(j < Q);
    int none = -1, life = -1;
    for (int k = 0; k < S; k++) {
        if (!strcmp(s->strategy[k].name, "no_follow_up"))
            none = k;
        if (!strcmp(s->strategy[k].name, "lifelong_annual_imaging"))
            life = k;
    }
    double *clo = v, *chi = v + Q * S, *elo = v + 2 * Q * S, *ehi = v + 3 * Q * S;
    assert_true(clo[j * S + none] == chi[j * S + none]);
    assert_true(elo[j * S + life] == ehi[j * S + life]);
    assert_true(chi[j * S + life] > clo[j * S + life] + 100);
    free(v);
    ns_scenario_free(s);
    free(t);
}

/* ---------- errors ---------- */

static void expect_load_error(const char *text, const char *needle, const char *path,
                         const char *message)
{
    ns_scenario *s;
    ns_errors e;
    assert_int_equal(ns_scenario_load_string("mem.yaml", text, NULL, 0, &s, &e), -1);
    const char *p = strstr(text, needle);
    assert_non_null(p);
    int line = 1;
    for (const char *q = text; q < p; q++)
        line += *q == '\n';
    char want[64];
    snprintf(want, sizeof want, "mem.yaml:%d:", line);
    for (int i = 0; i < e.n; i++)
        if (strstr(e.msg[i], want) && strstr(e.msg[i], path) && strstr(e.msg[i], message))
            return;
    for (int i = 0; i < e.n; i++)
        print_message("    %s\n", e.msg[i]);
    fail_msg("no error at %s naming %s: %s", want, path, message);
}

static void test_bad_specs(void **state)
{
    (void)state;
    char *a = edited("psa: {distribution: beta, sd: 0.2}", "psa: {distribution: beta, sd: 0.6}");
    expect_load_error(a, "sd: 0.6", "cohort.lvi.sensitivity_he.psa", "sd^2 < mean (1 - mean)");
    char *b = edited("psa: {distribution: beta, sd: 0.2}", "psa: {distribution: betta, sd: 0.2}");
    expect_load_error(b, "betta", "cohort.lvi.sensitivity_he.psa.distribution", "is not one of");
    char *c = edited("psa: {distribution: beta, sd: 0.2}",
                     "psa: {distribution: dirichlet, concentration: 5}");
    expect_load_error(c, "dirichlet, concentration: 5}, range", "cohort.lvi.sensitivity_he.psa",
                 "dirichlet is for lists");
    char *d = edited("range: [0.03, 0.9]", "range: [0.03, 1.9]");
    expect_load_error(d, "[0.03, 1.9]", "cohort.lvi.sensitivity_he.range", "within [0, 1]");
    char *f = edited("range: [0.03, 0.9]", "range: [0.03, 0.9], colour: red");
    expect_load_error(f, "colour", "cohort.lvi.sensitivity_he.colour", "unknown key");
    free(a), free(b), free(c), free(d), free(f);
}

/* ---------- discounting ---------- */

/* A constant stream of 1 a year over [a, b]: closed form and a fine sum. */
static void test_discounted_stream(void **state)
{
    (void)state;
    double r = log(1.03);
    assert_true(fabs(ns_discounted_years(r, 0, 10) - (1 - pow(1.03, -10)) / r) < 1e-12);
    assert_true(fabs(ns_discounted_years(r, 0, INFINITY) - 1 / r) < 1e-9);
    assert_true(fabs(ns_discounted_years(0, 2, 7) - 5) < 1e-12);
    assert_true(ns_discounted_years(r, 5, 5) == 0 && ns_discounted_years(r, 6, 5) == 0);
    double sum = 0, h = 1e-4; /* midpoint rule over [3, 8] */
    for (double t = 3 + h / 2; t < 8; t += h)
        sum += pow(1.03, -t) * h;
    assert_true(fabs(ns_discounted_years(r, 3, 8) - sum) < 1e-6);
}

/* No metastasis, no visits, a constant death hazard: discounted life-years
 * are 1 / (r + lambda) and QALYs u / (r + lambda) (a known survival curve). */
static void test_discounted_survival(void **state)
{
    (void)state;
    const double lambda = 0.5;
    char a_female[64], a_male[64];
    /* hazard a exp(b age) with b at its minimum: constant to 1e-4 */
    snprintf(a_female, sizeof a_female, "other_cause_death.gompertz.female.a=%.17g", lambda);
    snprintf(a_male, sizeof a_male, "other_cause_death.gompertz.male.a=%.17g", lambda);
    const char *sets[] = {a_female, a_male, "other_cause_death.gompertz.female.b=0.000001",
                          "other_cause_death.gompertz.male.b=0.000001",
                          "metastasis.intercept=-30", "residual.probability_by_margin.0=0",
                          "residual.probability_by_margin.1=0",
                          "residual.probability_by_margin.2=0", "other_cause_death.model=gompertz"};
    char *t = default_text();
    ns_scenario *s = load_text(t, sets, 9);
    int S = s->n_strategies, none = 0;
    for (int k = 0; k < S; k++)
        if (!strcmp(s->strategy[k].name, "no_follow_up"))
            none = k;
    ns_strategy_tally *tally = calloc((size_t)ns_tally_count(s), sizeof *tally);
    ns_engine_opts o = {.seed = 21, .n = 200000, .threads = 2};
    assert_int_equal(ns_engine_run(s, &o, tally), 0);
    double r = log1p(s->follow.discount_effects), m, lo, hi;
    /* the hazard at age x is lambda e^{1e-6 x}: within 1e-4 of lambda */
    double want_ly = 1 / (r + lambda), want_q = s->econ.u_well / (r + lambda);
    ns_acc_mean(&tally[none].ly_discounted, &m, &lo, &hi);
    if (!(fabs(m - want_ly) <= 2.6 * (hi - lo) / 2 + 2e-4 * want_ly))
        fail_msg("discounted LY %.6f (%.6f-%.6f), closed form %.6f", m, lo, hi, want_ly);
    ns_acc_mean(&tally[none].qaly_discounted, &m, &lo, &hi);
    if (!(fabs(m - want_q) <= 2.6 * (hi - lo) / 2 + 2e-4 * want_q))
        fail_msg("discounted QALY %.6f, closed form %.6f", m, want_q);
    ns_acc_mean(&tally[none].ly, &m, &lo, &hi);
    if (!(fabs(m - 1 / lambda) <= 2.6 * (hi - lo) / 2 + 2e-4 / lambda))
        fail_msg("LY %.6f, closed form %.6f", m, 1 / lambda);
    assert_int_equal(tally[none].n_metastases, 0);
    free(tally);
    ns_scenario_free(s);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_draws_reproducible),
        cmocka_unit_test(test_moments_default),
        cmocka_unit_test(test_moments_uniform_lognormal),
        cmocka_unit_test(test_dirichlet_sums),
        cmocka_unit_test(test_psa_run_threads),
        cmocka_unit_test(test_owsa_mri_cost),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_discounted_stream),
        cmocka_unit_test(test_discounted_survival),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
