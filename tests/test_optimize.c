/* netsurv optimize: the frontier against ns_econ_icers, the closed-form
 * optimum of a toy scenario, the composite policy replayed by the engine,
 * thread-count independence, and bad search spaces. */
#include "engine_fixtures.h"

#include "netsurv/engine/econ.h"
#include "netsurv/engine/frontier.h"
#include "netsurv/engine/optimize.h"
#include "netsurv/numeric/rng.h"

#include <unistd.h>

/* ns_frontier_ce gives ns_econ_icers' statuses, references and ICERs. */
static void test_frontier_matches_econ(void **state)
{
    (void)state;
    uint64_t x = 12345;
    for (int rep = 0; rep < 2000; rep++) {
        int n = 1 + (int)(ns_rng_mix64(x++) % 40);
        double cost[64], eff[64], icer[64];
        int status[64], ref[64], fr[64], work[128];
        for (int i = 0; i < n; i++) {
            uint64_t u = ns_rng_mix64(x++);
            /* coarse values: ties, duplicates and collinear points happen */
            cost[i] = (double)(u % 50) * 100;
            eff[i] = (double)((u >> 20) % 30) * 0.01 + (rep % 3 == 0 ? 0.001 * (double)(u % 7) : 0);
            if (i > 0 && (u >> 40) % 8 == 0) {
                cost[i] = cost[i - 1];
                eff[i] = eff[i - 1];
            }
        }
        ns_icer_table t;
        assert_int_equal(ns_econ_icers(cost, eff, n, &t), 0);
        int nf = ns_frontier_ce(cost, eff, n, status, icer, ref, fr, work);
        int count = 0;
        for (int i = 0; i < n; i++) {
            assert_int_equal(status[i], t.status[i]);
            assert_int_equal(ref[i], t.reference[i]);
            if (isnan(t.icer[i]))
                assert_true(isnan(icer[i]));
            else
                assert_true(fabs(icer[i] - t.icer[i]) <= 1e-9 * fabs(t.icer[i]));
            count += status[i] == NS_ECON_FRONTIER;
        }
        assert_int_equal(nf, count);
        for (int k = 1; k < nf; k++)
            assert_true(cost[fr[k]] > cost[fr[k - 1]]);
    }
}

static void test_pareto_and_interpolation(void **state)
{
    (void)state;
    double x[6] = {1, 2, 3, 2, 5, 0}, y[6] = {5, 3, 4, 3, 1, 9};
    int out[6], work[12];
    int m = ns_frontier_pareto(x, y, 6, out, work);
    assert_int_equal(m, 4);
    int want[4] = {5, 0, 1, 4};
    for (int i = 0; i < 4; i++)
        assert_int_equal(out[i], want[i]);
    double cost[3] = {0, 100, 300}, eff[3] = {1, 2, 3};
    int fr[3] = {0, 1, 2}, where;
    assert_true(fabs(ns_frontier_cost_at(cost, eff, fr, 3, 2.5, &where) - 200) < 1e-9);
    assert_int_equal(where, 0);
    ns_frontier_cost_at(cost, eff, fr, 3, 3.5, &where);
    assert_int_equal(where, 1);
    assert_true(ns_frontier_cost_at(cost, eff, fr, 3, 0.5, &where) == 0 && where == -1);
}

/* A one-axis space: tests `mask`, first visits, intervals, horizons, no change, no treatment. */
static ns_opt_space small_space(uint32_t mask, const double *first, int nf, const double *iv,
                                int ni, const double *h, int nh)
{
    ns_opt_space sp;
    memset(&sp, 0, sizeof sp);
    sp.given = 1;
    sp.n_tests = 1;
    sp.tests[0] = mask;
    sp.first.n = nf, sp.interval.n = ni, sp.horizon.n = nh;
    memcpy(sp.first.v, first, sizeof *first * (size_t)nf);
    memcpy(sp.interval.v, iv, sizeof *iv * (size_t)ni);
    memcpy(sp.horizon.v, h, sizeof *h * (size_t)nh);
    sp.change_after.n = 1, sp.change_after.v[0] = INFINITY;
    sp.later_interval.n = 1, sp.later_interval.v[0] = 1;
    sp.n_treatments = 1, sp.treatment[0] = -1;
    sp.screen_z = 3, sp.screen_min = 100;
    return sp;
}

/* Everyone's metastasis becomes detectable in [2.999, 3) years; one test,
 * perfect (sensitivity and specificity 1), always attended. The optimum at
 * a high WTP is one visit at 3 years: the earliest visit that finds it, and
 * no test before. */
static void test_closed_form_optimum(void **state)
{
    (void)state;
    ns_scenario *s = closed_form(1.0, 1.0, "20", "          - {at: [3], tests: [probe]}\n");
    s->course.onset.a = 2.999; /* uniform [min, max) */
    s->course.onset.b = 3.0;
    s->n_groups = 0;
    s->econ.wtp = 1e6;
    double first[] = {1, 2, 3, 4}, iv[] = {1, 2, 5}, h[] = {5, 10};
    ns_opt_space sp = small_space(1u, first, 4, iv, 3, h, 2);
    ns_opt_opts o = {SEED, 4000, 2, 1, NULL, NULL, NULL, NULL};
    ns_opt_result r;
    char err[256];
    assert_int_equal(ns_optimize(s, &sp, &o, &r, err, sizeof err), 0);
    assert_int_equal(r.n_groups, 1);
    const ns_opt_group *g = &r.group[0];
    const ns_opt_cand *c = &r.cand[g->final[g->best]];
    assert_false(c->none);
    assert_true(sp.first.v[c->first] == 3);
    assert_true(g->tests[g->best] == 1.0); /* one test each, and it finds the metastasis */
    /* the same as the scenario's strategy "at: [3]" played by the engine */
    ns_strategy_tally *t = run_engine(s, 4000, 2);
    double ec = t[0].cost_discounted.sum / 4000, eq = t[0].qaly_discounted.sum / 4000;
    assert_true(fabs(g->cost[g->best] - ec) <= 1e-9 * fabs(ec));
    assert_true(fabs(g->qaly[g->best] - eq) <= 1e-9 * fabs(eq));
    assert_true(fabs(g->s_cost[0] - ec) <= 1e-9 * fabs(ec));
    /* at WTP 0 nothing beats no follow-up (tests cost, the cure saves nothing) */
    assert_true(r.cand[g->final[g->best_at_wtp[0]]].none);
    free(t);
    ns_opt_result_free(&r);
    ns_scenario_free(s);
}

/* A few hundred candidates of the default space (faster tests). */
static ns_opt_space default_small(const ns_scenario *s)
{
    ns_opt_space sp = s->opt;
    assert_true(sp.given);
    sp.n_tests = 3;     /* mri, ct, cga */
    sp.interval.n = 2;  /* 0.5, 1 */
    sp.horizon.n = 3;   /* 3, 5, 10 */
    sp.screen_min = 100;
    return sp;
}

/* The composite policy, written as a scenario and run by the engine on the
 * same patients, costs and gains what optimize reported. */
static void test_policy_replays(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    ns_opt_space sp = default_small(s);
    uint64_t n = 3000;
    ns_opt_opts o = {SEED, n, 2, 1, NULL, NULL, NULL, NULL};
    ns_opt_result r;
    char err[9000];
    assert_int_equal(ns_optimize(s, &sp, &o, &r, err, sizeof err), 0);
    assert_true(r.n_cand >= 300);
    ns_strategy *st = malloc(sizeof *st);
    assert_non_null(st);
    ns_opt_policy(s, &sp, &r, NULL, "optimized_policy", "test", st);
    char *yaml = ns_strategy_yaml(s, st, 0, err, sizeof err);
    assert_non_null(yaml);
    char *full = ns_scenario_add_strategy(s->path, s->text, yaml, err, sizeof err);
    assert_non_null(full);
    ns_scenario *p = load_text(full);
    assert_string_equal(p->strategy[0].name, "optimized_policy");
    ns_strategy_tally *t = run_engine(p, n, 2);
    double pc, pq;
    ns_opt_policy_totals(&r, NULL, &pc, &pq);
    double ec = t[0].cost_discounted.sum / (double)n, eq = t[0].qaly_discounted.sum / (double)n;
    assert_true(fabs(pc - ec) <= 1e-9 * fabs(ec));
    assert_true(fabs(pq - eq) <= 1e-9 * fabs(eq));
    /* and each named strategy's group results add up to the engine's per-group tallies */
    for (int g = 0; g < s->n_groups; g++) {
        const ns_strategy_tally *x = &t[ns_tally_index(p, 1, g)];
        if (!x->n_patients)
            continue;
        double c = x->cost_discounted.sum / (double)x->n_patients;
        assert_true(fabs(r.group[g].s_cost[0] - c) <= 1e-9 * fabs(c) + 1e-9);
    }
    free(t);
    ns_scenario_free(p);
    free(full);
    free(yaml);
    free(st);
    ns_opt_result_free(&r);
    ns_scenario_free(s);
}

/* Same seed, same answer, bit for bit, on 1 and 2 threads (screening on). */
static void test_threads(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    ns_opt_space sp = default_small(s);
    ns_opt_result r[2];
    char err[256];
    for (int k = 0; k < 2; k++) {
        ns_opt_opts o = {SEED, 4000, k + 1, 1, NULL, NULL, NULL, NULL};
        assert_int_equal(ns_optimize(s, &sp, &o, &r[k], err, sizeof err), 0);
    }
    int screened = 0;
    for (int g = 0; g < r[0].n_groups; g++) {
        const ns_opt_group *a = &r[0].group[g], *b = &r[1].group[g];
        screened |= a->n_stages > 1;
        assert_int_equal(a->n_final, b->n_final);
        assert_int_equal(a->n_frontier, b->n_frontier);
        assert_int_equal(a->best, b->best);
        assert_memory_equal(a->final, b->final, sizeof *a->final * (size_t)a->n_final);
        assert_memory_equal(a->frontier, b->frontier, sizeof *a->frontier * (size_t)a->n_frontier);
        assert_memory_equal(a->cost, b->cost, sizeof *a->cost * (size_t)a->n_final);
        assert_memory_equal(a->qaly, b->qaly, sizeof *a->qaly * (size_t)a->n_final);
    }
    assert_true(screened); /* the test covers screening */
    ns_opt_result_free(&r[0]);
    ns_opt_result_free(&r[1]);
    ns_scenario_free(s);
}

/* PSA of the frontier schedules: each group's shares of draws add up to 1. */
static void test_psa(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    ns_opt_space sp = default_small(s);
    sp.n_tests = 1, sp.first.n = 1, sp.n_treatments = 2;
    ns_opt_opts o = {SEED, 2000, 2, 0, NULL, NULL, NULL, NULL};
    ns_opt_result r;
    char err[256];
    assert_int_equal(ns_optimize(s, &sp, &o, &r, err, sizeof err), 0);
    assert_int_equal(ns_opt_psa(s, &sp, &o, 3, &r, err, sizeof err), 0);
    for (int g = 0; g < r.n_groups; g++) {
        const ns_opt_group *x = &r.group[g];
        assert_int_equal(x->psa_draws, 3);
        double sum = 0;
        for (int i = 0; i < x->n_frontier; i++) {
            assert_true(isfinite(x->psa_nmb[i]));
            sum += x->psa_prob_best[i];
        }
        if (x->n_patients)
            assert_true(fabs(sum - 1) < 1e-12);
    }
    ns_opt_result_free(&r);
    ns_scenario_free(s);
}

/* Bad search spaces fail with FILE:LINE:COLUMN and the key. */
static void test_bad_space(void **state)
{
    (void)state;
    char *d = default_text();
    struct {
        const char *from, *to, *path, *what;
        int dl; /* the line of the message after the line `to` starts on */
    } cases[] = {
        {"choices: [[mri], [ct], [cga]", "choices: [[mri], [pet_ct], [cga]",
         "optimize.tests.choices.1", "unknown modality 'pet_ct'", 0},
        {"  horizon_years:\n", "  horizn_years:\n", "optimize.horizn_years", "unknown key", 0},
        {"choices: [0.5, 1, 2]\n    assumption: \"guidelines place",
         "choices: [0.5, 1, -2]\n    assumption: \"guidelines place",
         "optimize.first_visit_years.choices", "-2", 0},
        {"choices: [none, local_reexcision, radical_surgery]\n    assumption",
         "choices: [none, local_reexcision, radical_surgery]\n    asumption",
         "optimize.treatment.asumption", "unknown key 'asumption'", 1},
        {"choices: [0.5, 1, 2, 3]\n", "choices: [0.1, 1, 2, 3]\n",
         "optimize.interval_years.choices", "0.1", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = replace(d, cases[i].from, cases[i].to);
        ns_scenario *s = NULL;
        ns_errors *e = malloc(sizeof *e);
        assert_non_null(e);
        assert_int_equal(ns_scenario_load_string(MEM, t, NULL, 0, &s, e), -1);
        const char *p = strstr(t, cases[i].to);
        int line, col;
        line_col(t, p, &line, &col);
        expect_error(e, MEM, line + cases[i].dl, 0, cases[i].path, cases[i].what);
        free(e);
        free(t);
    }
    /* a --space file: the same checks, naming that file */
    ns_scenario *s = load_default();
    char path[] = "/tmp/netsurv-space-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *bad = "optimize:\n"
                      "  tests: {choices: [[mri]], assumption: \"t\"}\n"
                      "  first_visit_years: {choices: [1], assumption: \"t\"}\n"
                      "  interval_years: {choices: [1]}\n";
    assert_true(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad));
    close(fd);
    ns_opt_space sp;
    ns_errors *e = malloc(sizeof *e);
    assert_non_null(e);
    assert_int_equal(ns_opt_space_load(s, path, &sp, e), -1);
    expect_error(e, path, 4, 19, "optimize.interval_years", "source:' or 'assumption:'");
    expect_error(e, path, 2, 3, "optimize.change_after_years", "missing required key");
    unlink(path);
    free(e);
    ns_scenario_free(s);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frontier_matches_econ),
        cmocka_unit_test(test_pareto_and_interpolation),
        cmocka_unit_test(test_closed_form_optimum),
        cmocka_unit_test(test_policy_replays),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_psa),
        cmocka_unit_test(test_bad_space),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
