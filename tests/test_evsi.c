/* EVSI of a follow-up study (engine/evsi.c, the studies: section): a study
 * of no patients is worth exactly nothing; EVSI rises with the number of
 * patients and stays below the EVPPI of the natural history it informs and
 * below the EVPI; the study's data and EVSI are the same on 1 and 2
 * threads; a bad studies: section is reported with file, line and key. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsurv/engine/econ.h"
#include "netsurv/engine/evppi.h"
#include "netsurv/engine/evsi.h"
#include "netsurv/engine/psa.h"
#include "test_util.h"

#define STUDY_PATH NETSURV_SOURCE_DIR "/scenarios/registry_study.yaml"
#define K 300
#define W 7

static ns_scenario *sc;
static double *cost, *effect, *values;
static const double wtp[W] = {0, 50000, 100000, 150000, 200000, 250000, 300000};

static int setup(void **state)
{
    (void)state;
    ns_errors e = {0};
    if (ns_scenario_load(STUDY_PATH, NULL, 0, &sc, &e))
        return -1;
    int S = sc->n_strategies, P = ns_psa_count(sc);
    cost = malloc(sizeof *cost * K * S), effect = malloc(sizeof *effect * K * S);
    values = malloc(sizeof *values * K * P);
    ns_engine_opts o = {.seed = sc->seed, .n = 2000, .threads = 2};
    return ns_psa_run(sc, &o, K, cost, effect, values, NULL, NULL);
}

static int teardown(void **state)
{
    (void)state;
    ns_scenario_free(sc);
    free(cost), free(effect), free(values);
    return 0;
}

/* The study's EVSI over the grid for each of its designs, ev and se [design * W + w]. */
static void evsi(const ns_study *st, int threads, double *stats, double *ev, double *se)
{
    char err[200];
    int S = sc->n_strategies, D = st->n_sizes * st->n_years;
    assert_int_equal(ns_evsi_simulate(sc, NULL, st, K, sc->seed, 77, threads, stats, err,
                                      sizeof err), 0);
    const double *c = cost, *e = effect;
    for (int d = 0; d < D; d++)
        assert_int_equal(ns_evsi_regress(stats + (size_t)d * K * NS_EVSI_STATS, K, 1, &c, &e,
                                         S, wtp, W, 5, ev + d * W, se + d * W), 0);
}

static ns_study study(double n0, double n1)
{
    ns_study st = sc->study[0];
    st.n_sizes = 3, st.size[0] = 0, st.size[1] = n0, st.size[2] = n1;
    st.n_years = 1, st.years[0] = 15;
    return st;
}

static void test_zero_rising_bounded(void **state)
{
    (void)state;
    ns_study st = study(20, 5000);
    double *stats = malloc(sizeof *stats * 3 * K * NS_EVSI_STATS), ev[3 * W], se[3 * W];
    evsi(&st, 2, stats, ev, se);
    /* the EVPI and the EVPPI of the natural-history parameters on the same draws */
    int S = sc->n_strategies, P = ns_psa_count(sc), cols[NS_EVPPI_MAX_PARAMS], p = 0;
    for (int i = 0, j = 0; i < sc->n_params; i++)
        if (sc->param[i].psa > NS_PSA_FIXED) {
            if (ns_evppi_group_of(sc->param[i].path) == 0 && p < NS_EVPPI_MAX_PARAMS)
                cols[p++] = j;
            j++;
        }
    assert_true(p > 0);
    double evppi[W], evppi_se[W], ceac[W * 16], evpi[W];
    int ceaf[W];
    assert_int_equal(ns_evppi(values, K, P, cols, p, cost, effect, S, wtp, W, 9, evppi,
                              evppi_se), 0);
    ns_econ_psa(cost, effect, K, S, wtp, W, ceac, ceaf, evpi);
    int informative = 0;
    for (int w = 0; w < W; w++) {
        /* no patients: nothing observed, nothing learnt, exactly */
        assert_true(ev[w] == 0 && se[w] == 0);
        if (evpi[w] <= 0)
            continue;
        double small = ev[W + w], large = ev[2 * W + w], lse = se[2 * W + w];
        printf("wtp %g: EVPI %g, EVPPI(natural history) %g (SE %g), EVSI N=20 %g (SE %g), "
               "N=5000 %g (SE %g)\n", wtp[w], evpi[w], evppi[w], evppi_se[w], small,
               se[W + w], large, lse);
        assert_true(large <= evpi[w]);
        assert_true(large <= evppi[w] + 2 * (evppi_se[w] + lse));
        if (evppi[w] > 0.1 * evpi[w]) { /* there is something for the study to learn */
            informative++;
            assert_true(large > small);
            assert_true(large > 0);
        }
    }
    assert_true(informative > 0);
    free(stats);
}

static void test_threads(void **state)
{
    (void)state;
    ns_study st = study(250, 1000);
    size_t n = 3 * K * NS_EVSI_STATS;
    double *a = malloc(sizeof *a * n), *b = malloc(sizeof *b * n);
    double ea[3 * W], sa[3 * W], eb[3 * W], sb[3 * W];
    evsi(&st, 1, a, ea, sa);
    evsi(&st, 2, b, eb, sb);
    assert_memory_equal(a, b, sizeof *a * n);
    assert_memory_equal(ea, eb, sizeof ea);
    assert_memory_equal(sa, sb, sizeof sa);
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += a[i];
    assert_true(total > 0); /* the study does observe recurrences */
    free(a), free(b);
}

/* The data's timing: the recurrences found after late_after (of any site) are
 * a fourth statistic, at most all those found, some of them in a 15-year
 * study; none when the cut-off is the follow-up itself, and the counts by
 * site do not depend on it. */
static void test_late_statistic(void **state)
{
    (void)state;
    ns_study st = study(250, 1000);
    size_t n = 3 * K * NS_EVSI_STATS;
    double *a = malloc(sizeof *a * n), *b = malloc(sizeof *b * n);
    char err[200];
    st.late_after = 5;
    assert_int_equal(ns_evsi_simulate(sc, NULL, &st, K, sc->seed, 77, 2, a, err, sizeof err), 0);
    st.late_after = 15;
    assert_int_equal(ns_evsi_simulate(sc, NULL, &st, K, sc->seed, 77, 2, b, err, sizeof err), 0);
    double late = 0, all = 0;
    for (size_t r = 0; r < n / NS_EVSI_STATS; r++) {
        const double *x = a + r * NS_EVSI_STATS, *y = b + r * NS_EVSI_STATS;
        assert_true(x[3] >= 0 && x[3] <= x[0] + x[1] + x[2]);
        assert_true(y[3] == 0);
        assert_memory_equal(x, y, sizeof *x * 3);
        late += x[3], all += x[0] + x[1] + x[2];
    }
    printf("recurrences found in the study's draws: %g, after year 5: %g\n", all, late);
    assert_true(late > 0 && late < all);
    free(a), free(b);
}

/* The shipped example with `from` replaced by `to`, loaded: its first message. */
static void bad(const char *from, const char *to, const char *want_key, char *msg)
{
    char *text = read_all(STUDY_PATH, NULL);
    char *at = strstr(text, from);
    assert_non_null(at);
    size_t len = strlen(text) + strlen(to) + 1;
    char *t = malloc(len);
    snprintf(t, len, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    ns_errors e = {0};
    ns_scenario *s = NULL;
    assert_int_equal(ns_scenario_load_string("registry_study.yaml", t, NULL, 0, &s, &e), -1);
    assert_true(e.n > 0);
    /* a message naming FILE:LINE: of the change and the key */
    int line = 1;
    for (const char *c = t; c < t + (at - text); c++)
        line += *c == '\n';
    char where[64];
    snprintf(where, sizeof where, "registry_study.yaml:%d:", line);
    int found = 0;
    for (int i = 0; i < e.n && !found; i++)
        if (strstr(e.msg[i], where) && strstr(e.msg[i], want_key)) {
            found = 1;
            snprintf(msg, 512, "%s", e.msg[i]);
            printf("%s\n", msg);
        }
    if (!found)
        fail_msg("no message with %s and %s (first: %s)", where, want_key, e.msg[0]);
    free(text), free(t);
}

static void test_bad_section(void **state)
{
    (void)state;
    char msg[512];
    bad("sample_sizes: [250, 500,", "sample_sizes: [250, 100,", "studies.0.sample_sizes", msg);
    bad("follow_up_years: [5, 15]", "follow_up_year: [5, 15]", "studies.0.follow_up_year",
        msg);
    bad("per_patient_year: {value: 600, assumption:", "per_patient_year: {value: 600, note:",
        "studies.0.cost.per_patient_year", msg);
    bad("late_after_years: {value: 5, assumption:", "late_after_years: {value: 5, note:",
        "studies.0.late_after_years", msg);
    bad("late_after_years: {value: 5,", "late_after_years: {value: 0.1,",
        "studies.0.late_after_years.value", msg);
    bad("sample_sizes: [250, 500,", "sample_sizes: [250.5, 500,", "studies.0.sample_sizes", msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_rising_bounded),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_late_statistic),
        cmocka_unit_test(test_bad_section),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
