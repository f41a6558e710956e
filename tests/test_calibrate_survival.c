/* netsurv calibrate's survival targets (issue 9): cancer-specific survival
 * by what a time-0 staging found, simulated on the series' cohort through
 * the engine (the staging visit, presentation, the treatment of a
 * metastasis found), against independent counts of the same histories'
 * lethal times; and its likelihood, a continuous binomial on the effective
 * cancer deaths, against the closed form. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <math.h>

#include "netsurv/engine/calib.h"
#include "netsurv/model/history.h"
#include "netsurv/scenario/calibration.h"

#define MEM "series.yaml"

/* A file of one series of 100 patients < 20 mm measured at staging with CT,
 * its survival at `months` published as found_value for 12 (effective)
 * patients and 1 for 88, on m virtual patients. */
static char *survival_file(double months, double found_value, uint64_t m)
{
    char *t = malloc(2048);
    assert_non_null(t);
    snprintf(t, 2048,
             "netsurv_calibration: 1\ncalibrate:\n  parameters:\n    - metastasis.intercept\n"
             "  virtual_patients: %llu\nseries:\n"
             "  - name: staged\n    source: \"t\"\n    measure: at_staging\n"
             "    patients: {value: 100, source: \"t\"}\n"
             "    cohort:\n      when: {size_mm: {max: 20}}\n      assumption: \"t\"\n"
             "    staging: {tests: [ct], assumption: \"t\"}\n"
             "    survival:\n      months: %g\n      assumption: \"t\"\n"
             "      found: {value: %g, patients: 12, source: \"t\"}\n"
             "      not_found: {value: 1, patients: 88, source: \"t\"}\n",
             (unsigned long long)m, months, found_value);
    return t;
}

/* Every patient metastatic with a deposit past the detectable diameter at
 * time 0, CT's sensitivity 1 (so staging finds every one), no dormant
 * nodes; other-cause mortality times `death_hr` (1e-12: none). */
static ns_scenario *all_found(double death_hr)
{
    ns_scenario *s = load_default_file();
    s->met.intercept = 30;
    s->met.dormant_nodal_ratio = 0;
    for (int i = 0; i < s->course.synchronous.n; i++)
        s->course.synchronous.y[i] = 1;
    for (int m = 0; m < s->n_modalities; m++)
        if (!strcmp(s->modality[m].name, "ct"))
            for (int l = NS_LOC_NODAL; l <= NS_LOC_LIVER; l++)
                for (int i = 0; i < s->modality[m].sensitivity[l].n; i++)
                    s->modality[m].sensitivity[l].y[i] = 1;
    s->death.hazard_ratio = death_hr;
    ns_scenario_derive(s);
    return s;
}

/* The treatment of a metastasis found: `cure` every one (resectable however
 * many deposits, no operative death, cured), or none (unresectable, no analogue effect, no
 * second line: death of the metastasis at the untreated lethal time). */
static void treatment(ns_scenario *s, int cure)
{
    for (int site = 0; site < NS_NSITES; site++) {
        for (int i = 0; i < s->follow.resectable[site].n; i++)
            s->follow.resectable[site].y[i] = cure;
        for (int i = 0; i < s->follow.cure[site].n; i++)
            s->follow.cure[site].y[i] = 1;
    }
    s->met.resectable_per_extra = 1; /* more deposits do not make it unresectable */
    s->follow.surgery_mortality = 0;
    s->follow.ssa_hr = 1;
    s->follow.second_line_share = 0;
    ns_scenario_derive(s);
}

/* Runs the series file t on s: each group's simulated survival and
 * virtual patients, and the survival terms. */
static void run(const ns_scenario *s, const char *t, double *surv, uint64_t *m, double *term,
                ns_calibration **out)
{
    ns_calibration *c;
    ns_errors e;
    if (ns_calibration_load_string(MEM, t, s, &c, &e)) {
        dump_errors(&e);
        fail_msg("the series does not load");
    }
    char err[256];
    ns_calib_sim *cs = ns_calib_sim_new(s, c, 7, c->virtual_patients, err, sizeof err);
    assert_non_null(cs);
    uint64_t found[NS_NEVENTS];
    ns_calib_sim_run(cs, NULL, 2, found);
    double ll = ns_calib_loglik(c, cs, found, NULL);
    for (int g = 0; g < NS_NSURV; g++) {
        ns_calib_sim_survival(cs, 0, g, &surv[g], &m[g]);
        term[g] = ns_calib_survival_term(c, cs, 0, g);
    }
    /* no events: the log-likelihood is the two survival terms */
    assert_true(fabs(ll - term[0] - term[1]) < 1e-12);
    ns_calib_sim_free(cs);
    *out = c;
}

/* The share of n independent patients of s (< 20 mm, seed 12345; only those
 * without symptoms at time 0 when `later`) whose untreated metastasis kills
 * after `years`: net survival without treatment. */
static double lethal_after(const ns_scenario *s, double years, uint64_t n, int later)
{
    uint64_t in = 0, alive = 0;
    for (uint64_t i = 0; in < n; i++) {
        ns_patient p;
        ns_history_draw(s, 12345, i, &p);
        if (!(p.size_mm < 20) || (later && !(p.symptom_time > 0)))
            continue;
        in++;
        alive += !(p.lethal_time <= years);
    }
    return (double)alive / (double)n;
}

static void test_loads(void **state)
{
    (void)state;
    ns_scenario *s = load_default_file();
    char *t = survival_file(60, 0.78, 1000);
    ns_calibration *c;
    ns_errors e;
    if (ns_calibration_load_string(MEM, t, s, &c, &e)) {
        dump_errors(&e);
        fail_msg("the survival series does not load");
    }
    const ns_series *x = &c->series[0];
    assert_true(x->surv_months == 60);
    assert_true(x->has_surv[NS_SURV_FOUND] && x->has_surv[NS_SURV_NOT_FOUND]);
    assert_true(x->surv_value[NS_SURV_FOUND] == 0.78 && x->surv_patients[NS_SURV_FOUND] == 12);
    assert_true(x->surv_value[NS_SURV_NOT_FOUND] == 1 && x->surv_patients[NS_SURV_NOT_FOUND] == 88);
    for (int k = 0; k < NS_NEVENTS; k++)
        assert_false(x->has_event[k]); /* events are optional beside a survival target */
    ns_calibration_free(c);
    free(t);
    ns_scenario_free(s);
}

/* The continuous binomial at whole counts is the binomial; the term of a
 * group is the closed form at d = n (1 - S) and p = ((1 - S_sim) m + 0.5) /
 * (m + 1). */
static void test_likelihood_closed_form(void **state)
{
    (void)state;
    assert_true(fabs(ns_calib_binom_loglik_real(10, 3, 0.2) - ns_calib_binom_loglik(10, 3, 0.2)) <
                1e-12);
    double n = 12, d = 12 * (1 - 0.78), p = 0.3;
    double want = lgamma(n + 1) - lgamma(d + 1) - lgamma(n - d + 1) + d * log(p) +
                  (n - d) * log(1 - p);
    assert_true(fabs(ns_calib_binom_loglik_real(n, d, p) - want) < 1e-12);
    /* published 100 %: no deaths, (1 - p)^n */
    assert_true(fabs(ns_calib_binom_loglik_real(776, 0, 0.01) - 776 * log(0.99)) < 1e-9);
    assert_true(fabs(ns_calib_surv_prob(1, 999) - 0.5 / 1000) < 1e-15);
    assert_true(fabs(ns_calib_surv_prob(0.75, 3) - (0.75 + 0.5) / 4) < 1e-15);
}

/* A treatment that cures every metastasis found: nobody found dies of it,
 * the survival of the found is exactly 1. Without treatment every found
 * patient dies at the untreated lethal time, so the survival is the share
 * whose lethal time is past the months, counted independently; and so is
 * the survival of the patients staging did not find when it finds none. */
static void test_survival_of_the_found(void **state)
{
    (void)state;
    const uint64_t M = 40000;
    const double months = 60;
    ns_scenario *s = all_found(1e-12);
    char *t = survival_file(months, 0.78, M);
    double surv[NS_NSURV], term[NS_NSURV];
    uint64_t m[NS_NSURV];
    ns_calibration *c;
    treatment(s, 1);
    run(s, t, surv, m, term, &c);
    print_message("    every found cured: survival %.4f of %llu found, %llu not found\n",
                  surv[NS_SURV_FOUND], (unsigned long long)m[NS_SURV_FOUND],
                  (unsigned long long)m[NS_SURV_NOT_FOUND]);
    assert_int_equal(m[NS_SURV_FOUND], M); /* staging found every one */
    assert_int_equal(m[NS_SURV_NOT_FOUND], 0);
    assert_true(surv[NS_SURV_FOUND] == 1);
    double n = 12, d = n * (1 - 0.78);
    assert_true(fabs(term[NS_SURV_FOUND] -
                     ns_calib_binom_loglik_real(n, d, ns_calib_surv_prob(1, M))) < 1e-12);
    ns_calibration_free(c);
    /* untreated */
    treatment(s, 0);
    run(s, t, surv, m, term, &c);
    double want = lethal_after(s, months / 12, M, 0);
    double se = sqrt(2 * want * (1 - want) / (double)M); /* two independent samples */
    print_message("    untreated: survival %.4f, independent count %.4f (se %.4f)\n",
                  surv[NS_SURV_FOUND], want, se);
    assert_int_equal(m[NS_SURV_FOUND], M);
    assert_true(want > 0.05 && want < 0.95); /* the deposits grow fast enough to kill */
    assert_true(fabs(surv[NS_SURV_FOUND] - want) < 4 * se);
    ns_calibration_free(c);
    /* CT's sensitivity 0: staging finds only the metastases presenting at
     * time 0 (symptoms then); the rest present later and, untreated still,
     * survive as the patients without symptoms at time 0 counted
     * independently */
    for (int k = 0; k < s->n_modalities; k++)
        if (!strcmp(s->modality[k].name, "ct"))
            for (int l = NS_LOC_NODAL; l <= NS_LOC_LIVER; l++)
                for (int i = 0; i < s->modality[k].sensitivity[l].n; i++)
                    s->modality[k].sensitivity[l].y[i] = 0;
    ns_scenario_derive(s);
    run(s, t, surv, m, term, &c);
    print_message("    none found: survival of the rest %.4f of %llu\n", surv[NS_SURV_NOT_FOUND],
                  (unsigned long long)m[NS_SURV_NOT_FOUND]);
    want = lethal_after(s, months / 12, M, 1);
    assert_true(m[NS_SURV_FOUND] > 0 && m[NS_SURV_FOUND] < M / 20);
    assert_int_equal(m[NS_SURV_FOUND] + m[NS_SURV_NOT_FOUND], M);
    print_message("    independent count %.4f\n", want);
    assert_true(fabs(surv[NS_SURV_NOT_FOUND] - want) < 4 * se);
    ns_calibration_free(c);
    free(t);
    ns_scenario_free(s);
}

/* Other-cause deaths are censored: with other-cause mortality 30 times the
 * life table's, the Kaplan-Meier survival of the untreated found is still
 * the net survival (lethal times independent of other-cause deaths), not
 * the share alive and free of a metastasis death. */
static void test_other_deaths_censored(void **state)
{
    (void)state;
    const uint64_t M = 40000;
    const double months = 60;
    ns_scenario *s = all_found(30);
    treatment(s, 0);
    char *t = survival_file(months, 0.78, M);
    double surv[NS_NSURV], term[NS_NSURV];
    uint64_t m[NS_NSURV];
    ns_calibration *c;
    run(s, t, surv, m, term, &c);
    double want = lethal_after(s, months / 12, M, 0);
    /* the crude share (other deaths counted as surviving the cancer, or as
     * dying of it) is far from the net one here */
    uint64_t other = 0, in = 0;
    for (uint64_t i = 0; in < M; i++) {
        ns_patient p;
        ns_history_draw(s, 12345, i, &p);
        if (!(p.size_mm < 20))
            continue;
        in++;
        other += p.death_time <= months / 12 && p.death_time < p.lethal_time;
    }
    double se = sqrt(2 * want * (1 - want) / (double)M) + 0.002; /* and the bins' width */
    print_message("    30x other deaths (%.3f before the months): survival %.4f, net %.4f "
                  "(se %.4f)\n", (double)other / (double)M, surv[NS_SURV_FOUND], want, se);
    assert_true((double)other / (double)M > 0.1);
    assert_true(fabs(surv[NS_SURV_FOUND] - want) < 4 * se);
    ns_calibration_free(c);
    free(t);
    ns_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads),
        cmocka_unit_test(test_likelihood_closed_form),
        cmocka_unit_test(test_survival_of_the_found),
        cmocka_unit_test(test_other_deaths_censored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
