/* Tests for the patient generator (netsurv/history.h) and the cohort summary
 * (netsurv/cohort.h): targets met by the default scenario, determinism across
 * threads and draw order, the generator's semantics against closed forms,
 * other-cause death, the Wilson interval and `netsurv cohort --csv`.
 * Fixed seeds: every run draws the same numbers. Statistical checks allow
 * Z standard errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "netsurv/engine/cohort.h"
#include "netsurv/model/history.h"
#include "netsurv/numeric/rng.h"
#include "netsurv/scenario/scenario.h"

#define DEFAULT_PATH NETSURV_SOURCE_DIR "/scenarios/default.yaml"
#define SEED 12345u
#define N_TARGETS 1000000u /* patients for the target check */
#define N_GEN 200000u      /* patients for the generator checks */
#define N_DEATH 200000     /* draws per survival check */
#define Z 5.0

static ns_scenario *load(const char *const *sets, int n_sets)
{
    ns_scenario *s = NULL;
    ns_errors e;
    if (ns_scenario_load(DEFAULT_PATH, sets, n_sets, &s, &e)) {
        for (int i = 0; i < e.n; i++)
            print_message("    %s\n", e.msg[i]);
        fail_msg("cannot load %s", DEFAULT_PATH);
    }
    return s;
}

/* Fails unless the count k of n is within Z standard errors of n*p. */
static void check_share(const char *what, uint64_t k, uint64_t n, double p)
{
    double se = sqrt(p * (1 - p) / (double)n), got = (double)k / (double)n;
    if (!(fabs(got - p) <= Z * se + 1e-12))
        fail_msg("%s: %.6f (%llu of %llu), expected %.6f +- %.6f", what, got,
                 (unsigned long long)k, (unsigned long long)n, p, Z * se);
}

/* ---------- 1. targets ---------- */

static void test_default_meets_targets(void **state)
{
    (void)state;
    ns_scenario *s = load(NULL, 0);
    assert_true(s->n_targets >= 1);
    ns_cohort_tally t;
    ns_cohort_run(s, SEED, N_TARGETS, 0, &t);
    assert_true(t.n == N_TARGETS);
    assert_true(t.g[NS_GRP_ALL].n == N_TARGETS);
    int missed = 0;
    for (int i = 0; i < s->n_targets; i++) {
        ns_target_result r = ns_cohort_target(s, &t, i);
        if (!r.ok)
            print_message("    target %s missed: %.5f not in [%g, %g]\n", s->target[i].name,
                          r.value, s->target[i].lo, s->target[i].hi);
        missed += !r.ok;
        /* ok is exactly "inside the range" */
        assert_int_equal(r.ok, r.value >= s->target[i].lo && r.value <= s->target[i].hi);
    }
    if (missed)
        fail_msg("%d target(s) missed", missed);
    /* the printer agrees */
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(ns_cohort_print(f, s, &t, 0), 0);
    fclose(f);
    ns_scenario_free(s);
}

/* Groups partition the cohort; a target's value is the statistic it names. */
static void test_tally_structure(void **state)
{
    (void)state;
    ns_scenario *s = load(NULL, 0);
    ns_cohort_tally t;
    ns_cohort_run(s, SEED, 100000, 1, &t);
    const ns_group_tally *g = t.g;
    static const int parts[4][4] = {{NS_GRP_SIZE_LT10, NS_GRP_SIZE_10_20, NS_GRP_SIZE_GE20, -1},
                                    {NS_GRP_G1, NS_GRP_G2, NS_GRP_G3, -1},
                                    {NS_GRP_LVI_POS, NS_GRP_LVI_NEG, -1, -1},
                                    {NS_GRP_R0, NS_GRP_R1, NS_GRP_RX, -1}};
    for (int k = 0; k < 4; k++) {
        uint64_t n = 0, m = 0, a5 = 0, a10 = 0, d = 0, sy = 0;
        for (int j = 0; j < 4 && parts[k][j] >= 0; j++) {
            n += g[parts[k][j]].n;
            m += g[parts[k][j]].n_met;
            sy += g[parts[k][j]].n_sync;
            a5 += g[parts[k][j]].n_met_after5;
            a10 += g[parts[k][j]].n_met_after10;
            d += g[parts[k][j]].n_met_dead_before;
        }
        assert_true(n == t.n && m == g[NS_GRP_ALL].n_met && a5 == g[NS_GRP_ALL].n_met_after5 &&
                    a10 == g[NS_GRP_ALL].n_met_after10 && d == g[NS_GRP_ALL].n_met_dead_before &&
                    sy == g[NS_GRP_ALL].n_sync);
    }
    for (int i = 0; i < NS_NGROUPS; i++)
        assert_true(g[i].n_met <= g[i].n && g[i].n_met_after10 <= g[i].n_met_after5 &&
                    g[i].n_met_after5 + g[i].n_sync <= g[i].n_met &&
                    g[i].n_met_dead_before <= g[i].n_met);
    /* synchronous disease rises with size */
    assert_true(g[NS_GRP_SIZE_LT10].n_sync * g[NS_GRP_SIZE_GE20].n <
                g[NS_GRP_SIZE_GE20].n_sync * g[NS_GRP_SIZE_LT10].n);
    /* the statistics by hand */
    for (int i = 0; i < s->n_targets; i++) {
        const ns_target *tg = &s->target[i];
        const ns_group_tally *x = &g[tg->group];
        double want;
        switch (tg->statistic) {
        case NS_STAT_METASTASIS_RATE: want = (double)x->n_met / (double)x->n; break;
        /* timing statistics count metachronous disease only */
        case NS_STAT_AFTER10:
            want = (double)x->n_met_after10 / (double)(x->n_met - x->n_sync);
            break;
        case NS_STAT_WITHIN5_RATE:
            want = (double)(x->n_met - x->n_sync - x->n_met_after5) / (double)x->n;
            break;
        case NS_STAT_SYNCHRONOUS_RATE: want = (double)x->n_sync / (double)x->n; break;
        case NS_STAT_RATE_RATIO:
            want = ((double)x->n_met / (double)x->n) /
                   ((double)g[tg->reference].n_met / (double)g[tg->reference].n);
            break;
        default: continue;
        }
        ns_target_result r = ns_cohort_target(s, &t, i);
        if (fabs(r.value - want) > 1e-12 * fabs(want))
            fail_msg("%s: %g, by hand %g", tg->name, r.value, want);
    }
    ns_scenario_free(s);
}

/* ---------- 2. determinism ---------- */

static void test_threads_and_seeds(void **state)
{
    (void)state;
    ns_scenario *s = load(NULL, 0);
    const uint64_t n = 3 * 65536 + 12345; /* not a multiple of the block */
    ns_cohort_tally a, b, c, d;
    ns_cohort_run(s, SEED, n, 1, &a);
    ns_cohort_run(s, SEED, n, 2, &b);
    ns_cohort_run(s, SEED, n, 3, &c);
    assert_true(a.n == n);
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(&a, &c, sizeof a);
    ns_cohort_run(s, SEED + 1, n, 2, &d);
    assert_true(d.n == n);
    assert_true(memcmp(&a, &d, sizeof a) != 0);
    assert_true(a.g[NS_GRP_ALL].n_met != d.g[NS_GRP_ALL].n_met ||
                a.g[NS_GRP_G2].n != d.g[NS_GRP_G2].n || a.g[NS_GRP_R1].n != d.g[NS_GRP_R1].n);
    /* a prefix: the first n - 1 patients are the same patients */
    ns_cohort_run(s, SEED, n - 1, 2, &d);
    assert_true(d.n == n - 1);
    ns_patient p;
    ns_history_draw(s, SEED, n - 1, &p);
    assert_true(d.g[NS_GRP_ALL].n_met + p.has_metastasis == a.g[NS_GRP_ALL].n_met);
    /* small cohorts, fewer patients than threads */
    ns_cohort_run(s, SEED, 1, 4, &d);
    assert_true(d.n == 1 && d.g[NS_GRP_ALL].n == 1);
    ns_cohort_run(s, SEED, 0, 2, &d);
    assert_true(d.n == 0 && d.g[NS_GRP_ALL].n == 0);
    ns_scenario_free(s);
}

static void assert_same_patient(const ns_patient *a, const ns_patient *b)
{
    assert_true(a->age == b->age && a->size_mm == b->size_mm && a->sex == b->sex &&
                a->grade == b->grade && a->muscularis == b->muscularis &&
                a->lvi_true == b->lvi_true && a->lvi_reported == b->lvi_reported &&
                a->method == b->method && a->margin == b->margin &&
                a->has_metastasis == b->has_metastasis && a->site == b->site &&
                a->has_residual == b->has_residual && a->p_metastasis == b->p_metastasis &&
                a->onset == b->onset && a->symptom_time == b->symptom_time &&
                a->residual_time == b->residual_time && a->death_time == b->death_time);
    assert_true(a->doubling_years == b->doubling_years ||
                (isnan(a->doubling_years) && isnan(b->doubling_years)));
    assert_true(a->incidental_time == b->incidental_time);
}

/* ---------- 3. patients are functions of (seed, index) ---------- */

static void test_draw_deterministic(void **state)
{
    (void)state;
    ns_scenario *s = load(NULL, 0);
    ns_patient alone, again, seq[8], other;
    memset(&alone, 0, sizeof alone);
    memset(&again, 0, sizeof again);
    memset(seq, 0, sizeof seq);
    ns_history_draw(s, SEED, 7, &alone);
    for (int i = 0; i < 8; i++)
        ns_history_draw(s, SEED, (uint64_t)i, &seq[i]);
    ns_history_draw(s, SEED, 7, &again);
    assert_same_patient(&alone, &seq[7]);
    assert_same_patient(&alone, &again);
    assert_memory_equal(&alone, &seq[7], sizeof alone);
    /* backwards as well */
    for (int i = 7; i >= 0; i--) {
        ns_patient q;
        memset(&q, 0, sizeof q);
        ns_history_draw(s, SEED, (uint64_t)i, &q);
        assert_memory_equal(&q, &seq[i], sizeof q);
    }
    /* different patients and different seeds differ */
    assert_true(seq[6].age != seq[7].age && seq[0].age != seq[1].age);
    ns_history_draw(s, SEED + 1, 7, &other);
    assert_true(other.age != alone.age && other.death_time != alone.death_time);
    /* a huge index works and is reproducible */
    ns_history_draw(s, SEED, UINT64_C(1) << 62, &other);
    ns_history_draw(s, SEED, UINT64_C(1) << 62, &again);
    assert_same_patient(&other, &again);

    /* common random numbers: a death parameter moves only death times, and
     * a higher metastasis intercept never removes a metastasis */
    const char *sets[] = {"metastasis.intercept=-3.5", "other_cause_death.life_table.hazard_ratio=1.5"};
    ns_scenario *t = load(sets, 2);
    for (uint64_t i = 0; i < 2000; i++) {
        ns_patient p, q;
        ns_history_draw(s, SEED, i, &p);
        ns_history_draw(t, SEED, i, &q);
        assert_true(p.age == q.age && p.size_mm == q.size_mm && p.grade == q.grade &&
                    p.lvi_reported == q.lvi_reported && p.margin == q.margin);
        assert_true(q.p_metastasis > p.p_metastasis);
        assert_true(q.has_metastasis >= p.has_metastasis);
        assert_true(q.death_time <= p.death_time);
    }
    ns_scenario_free(t);
    ns_scenario_free(s);
}

/* ---------- 4. generator semantics ---------- */

static void test_generator(void **state)
{
    (void)state;
    ns_scenario *s = load(NULL, 0);
    const ns_cohort_params *c = &s->cohort;
    uint64_t n = N_GEN, lvi_true = 0, lvi_rep = 0, lvi_false_pos = 0, small = 0, male = 0;
    uint64_t margin[NS_NMARGINS] = {0}, grade[NS_NGRADES] = {0}, met = 0, liver = 0;
    double sum_p = 0, sum_pq = 0;
    for (uint64_t i = 0; i < n; i++) {
        ns_patient p;
        ns_history_draw(s, SEED, i, &p);
        if (!(p.age >= c->age_min && p.age <= c->age_max))
            fail_msg("patient %llu: age %g", (unsigned long long)i, p.age);
        if (!(p.size_mm >= c->size_cdf.x[0] && p.size_mm <= c->size_cdf.x[c->size_cdf.n - 1]))
            fail_msg("patient %llu: size %g", (unsigned long long)i, p.size_mm);
        assert_true(p.grade < NS_NGRADES && p.margin < NS_NMARGINS &&
                    p.method < c->n_methods && p.sex <= 1);
        lvi_true += p.lvi_true;
        lvi_rep += p.lvi_reported;
        lvi_false_pos += p.lvi_reported && !p.lvi_true;
        small += p.size_mm < 10;
        male += p.sex == NS_SEX_MALE;
        margin[p.margin]++;
        grade[p.grade]++;
        met += p.has_metastasis;
        sum_p += p.p_metastasis;
        sum_pq += p.p_metastasis * (1 - p.p_metastasis);
        if (!(p.p_metastasis > 0 && p.p_metastasis < 1))
            fail_msg("patient %llu: p_metastasis %g", (unsigned long long)i, p.p_metastasis);
        if (p.has_metastasis) {
            liver += p.site == NS_SITE_LIVER;
            /* synchronous disease is past the detectable diameter at time 0 and
             * not yet symptomatic; imaging for other reasons starts at time 0 */
            if (!(isfinite(p.onset) && (p.synchronous ? p.onset <= 0 : p.onset > 0) &&
                  p.symptom_time >= p.onset && p.symptom_time >= 0 &&
                  p.incidental_time >= (p.onset > 0 ? p.onset : 0) && p.doubling_years > 0))
                fail_msg("patient %llu: onset %g, symptoms %g, incidental %g, doubling %g",
                         (unsigned long long)i, p.onset, p.symptom_time, p.incidental_time,
                         p.doubling_years);
            /* the deposit has the reference diameter at onset */
            assert_true(fabs(ns_history_diameter(&p, s->course.reference_mm, p.onset) -
                             s->course.reference_mm) < 1e-9);
        } else {
            if (!(isinf(p.onset) && p.onset > 0 && isinf(p.symptom_time)))
                fail_msg("patient %llu without metastasis: onset %g, symptoms %g",
                         (unsigned long long)i, p.onset, p.symptom_time);
            assert_true(ns_history_diameter(&p, s->course.reference_mm, 50) == 0);
        }
        if (!(p.death_time > 0 && isfinite(p.death_time)))
            fail_msg("patient %llu: death time %g", (unsigned long long)i, p.death_time);
        if (p.has_residual)
            assert_true(p.residual_time > 0 && isfinite(p.residual_time));
        else
            assert_true(isinf(p.residual_time));
    }
    assert_true(lvi_false_pos == 0);
    check_share("true LVI", lvi_true, n, c->lvi_prevalence);
    double sens = c->lvi_ihc_share * c->lvi_sens_ihc + (1 - c->lvi_ihc_share) * c->lvi_sens_he;
    check_share("P(LVI reported | true LVI)", lvi_rep, lvi_true, sens);
    check_share("male", male, n, c->male_share);
    check_share("size < 10 mm", small, n, ns_curve_eval(&c->size_cdf, 10));
    for (int g = 0; g < NS_NGRADES; g++)
        check_share("grade", grade[g], n, c->grade_p[g]);
    double p_r1 = 0, p_rx = 0;
    for (int m = 0; m < c->n_methods; m++) {
        p_r1 += c->method[m].share * c->method[m].incomplete * (1 - c->rx_share_of_incomplete);
        p_rx += c->method[m].share * c->method[m].incomplete * c->rx_share_of_incomplete;
    }
    check_share("R0", margin[NS_R0], n, 1 - p_r1 - p_rx);
    check_share("R1", margin[NS_R1], n, p_r1);
    check_share("Rx", margin[NS_RX], n, p_rx);
    /* metastases: the count's variance given the p's is sum p(1-p) */
    double mean_p = sum_p / (double)n;
    if (!(fabs((double)met - sum_p) <= Z * sqrt(sum_pq)))
        fail_msg("metastasis rate %.6f, mean p %.6f (+- %.6f)", (double)met / (double)n, mean_p,
                 Z * sqrt(sum_pq) / (double)n);
    check_share("liver site", liver, met, s->met.liver_share);
    ns_scenario_free(s);
}

static void test_lvi_overrides(void **state)
{
    (void)state;
    const char *sets[] = {"cohort.lvi.sensitivity_he=0", "cohort.lvi.sensitivity_ihc=0"};
    ns_scenario *s = load(sets, 2);
    assert_true(s->cohort.lvi_sens_he == 0 && s->cohort.lvi_sens_ihc == 0);
    uint64_t n = 50000, rep = 0, tru = 0;
    for (uint64_t i = 0; i < n; i++) {
        ns_patient p;
        ns_history_draw(s, SEED, i, &p);
        rep += p.lvi_reported;
        tru += p.lvi_true;
    }
    assert_true(rep == 0);
    assert_true(tru > 0);
    ns_cohort_tally t;
    ns_cohort_run(s, SEED, n, 2, &t);
    assert_true(t.g[NS_GRP_LVI_POS].n == 0 && t.g[NS_GRP_LVI_NEG].n == n);
    ns_scenario_free(s);

    /* perfect sensitivity: reported is true */
    const char *sets1[] = {"cohort.lvi.sensitivity_he=1", "cohort.lvi.sensitivity_ihc=1"};
    s = load(sets1, 2);
    for (uint64_t i = 0; i < n; i++) {
        ns_patient p;
        ns_history_draw(s, SEED, i, &p);
        assert_int_equal(p.lvi_reported, p.lvi_true);
    }
    ns_scenario_free(s);

    /* only H&E labs */
    const char *sets2[] = {"cohort.lvi.ihc_share=0"};
    s = load(sets2, 1);
    rep = tru = 0;
    for (uint64_t i = 0; i < N_GEN; i++) {
        ns_patient p;
        ns_history_draw(s, SEED, i, &p);
        rep += p.lvi_reported;
        tru += p.lvi_true;
    }
    check_share("P(LVI reported | true), H&E only", rep, tru, s->cohort.lvi_sens_he);
    ns_scenario_free(s);
}

/* ---------- 5. other-cause death ---------- */

static void check_survival(const char *what, const ns_death_params *d, int sex, double age,
                           const double *t, const double *surv, int nt)
{
    ns_rng r;
    ns_rng_seed(&r, 2024, (uint64_t)(sex * 1000 + age));
    uint64_t alive[8] = {0};
    for (int i = 0; i < N_DEATH; i++) {
        double e = -log(ns_rng_uniform_pos(&r));
        double x = ns_death_time(d, sex, age, e);
        if (!(x > 0))
            fail_msg("%s: death time %g at e = %g", what, x, e);
        for (int k = 0; k < nt; k++)
            alive[k] += x > t[k];
    }
    for (int k = 0; k < nt; k++) {
        char buf[128];
        snprintf(buf, sizeof buf, "%s: S(%g | age %g, sex %d)", what, t[k], age, sex);
        check_share(buf, alive[k], N_DEATH, surv[k]);
    }
}

static void test_death_gompertz(void **state)
{
    (void)state;
    const char *sets[] = {"other_cause_death.model=gompertz"};
    ns_scenario *s = load(sets, 1);
    const ns_death_params *d = &s->death;
    assert_int_equal(d->model, NS_DEATH_GOMPERTZ);
    static const double ages[] = {45, 70};
    for (int sex = 0; sex < 2; sex++)
        for (int k = 0; k < 2; k++) {
            double a = d->gompertz_a[sex], b = d->gompertz_b[sex], x = ages[k];
            double t[2] = {10, 20}, S[2];
            for (int j = 0; j < 2; j++)
                S[j] = exp(-(a / b) * exp(b * x) * (exp(b * t[j]) - 1));
            check_survival("Gompertz", d, sex, x, t, S, 2);
        }
    /* inversion: the cumulative hazard over the drawn time is e */
    for (double e = 0.01; e < 10; e *= 1.7) {
        double a = d->gompertz_a[1], b = d->gompertz_b[1], x = 60;
        double t = ns_death_time(d, NS_SEX_MALE, x, e);
        double H = (a / b) * exp(b * x) * (exp(b * t) - 1);
        assert_true(fabs(H - e) < 1e-9 * e);
    }
    ns_scenario_free(s);
}

static void test_death_life_table(void **state)
{
    (void)state;
    ns_scenario *s = load(NULL, 0);
    ns_death_params *d = &s->death;
    static const double ages[] = {0, 50, 70, 90};
    static const double q[2][4] = {{0.001, 0.01, 0.05, 0.2}, {0.002, 0.02, 0.07, 0.25}};
    d->model = NS_DEATH_LIFE_TABLE;
    d->n_ages = 4;
    for (int i = 0; i < 4; i++) {
        d->ages[i] = ages[i];
        d->qx[0][i] = q[0][i];
        d->qx[1][i] = q[1][i];
    }
    ns_scenario_derive(s);
    for (int sex = 0; sex < 2; sex++) {
        assert_true(d->cumhaz[sex][0] == 0);
        double h = 0;
        for (int i = 1; i < 4; i++) {
            h += -log(1 - q[sex][i - 1]) * (ages[i] - ages[i - 1]);
            assert_true(fabs(d->cumhaz[sex][i] - h) < 1e-12);
        }
    }
    for (int sex = 0; sex < 2; sex++) {
        const double *qs = q[sex];
        /* from 60: 10 y in [50, 70), then [70, 90), then the last rate for ever */
        double t[4] = {10, 20, 30, 40};
        double S[4] = {pow(1 - qs[1], 10), pow(1 - qs[1], 10) * pow(1 - qs[2], 10),
                       pow(1 - qs[1], 10) * pow(1 - qs[2], 20),
                       pow(1 - qs[1], 10) * pow(1 - qs[2], 20) * pow(1 - qs[3], 10)};
        check_survival("life table from 60", d, sex, 60, t, S, 4);
        /* from 30: crosses 50 after 20 y */
        double t2[2] = {10, 30};
        double S2[2] = {pow(1 - qs[0], 10), pow(1 - qs[0], 20) * pow(1 - qs[1], 10)};
        check_survival("life table from 30", d, sex, 30, t2, S2, 2);
        /* from 95, past the last age */
        double t3[1] = {3};
        double S3[1] = {pow(1 - qs[3], 3)};
        check_survival("life table from 95", d, sex, 95, t3, S3, 1);
    }
    /* exact: e equal to the hazard of 10 years at 60 lands on 70 */
    double e = -10 * log(1 - q[0][1]);
    assert_true(fabs(ns_death_time(d, NS_SEX_FEMALE, 60, e) - 10) < 1e-9);
    e = -10 * log(1 - q[1][1]) - 5 * log(1 - q[1][2]);
    assert_true(fabs(ns_death_time(d, NS_SEX_MALE, 60, e) - 15) < 1e-9);
    /* a hazard ratio k multiplies every hazard: survival S^k */
    d->hazard_ratio = 2;
    double t4[2] = {10, 30}, S4[2] = {pow(1 - q[1][1], 20), pow(1 - q[1][1], 20) * pow(1 - q[1][2], 40)};
    check_survival("life table, hazard ratio 2", d, NS_SEX_MALE, 60, t4, S4, 2);
    ns_scenario_free(s);
}

/* The default table: survival over whole years of age is the product of
 * (1 - q) read from the scenario, and a hazard ratio scales it as a power. */
static void test_death_default_table(void **state)
{
    (void)state;
    const char *sets[] = {"other_cause_death.life_table.hazard_ratio=0.85"};
    ns_scenario *s = load(NULL, 0), *r = load(sets, 1);
    const ns_death_params *d = &s->death;
    assert_int_equal(d->model, NS_DEATH_LIFE_TABLE);
    assert_true(d->ages[0] == 30 && d->ages[d->n_ages - 1] == 119);
    for (int sex = 0; sex < 2; sex++) {
        double t[3] = {10, 25, 40}, S[3], Sr[3], prod = 1;
        int k = 0;
        for (int a = 57; a < 57 + 40; a++) {
            prod *= 1 - d->qx[sex][a - 30];
            if (a + 1 - 57 == (int)t[k]) {
                S[k] = prod;
                Sr[k] = pow(prod, 0.85);
                k++;
            }
        }
        check_survival("default table from 57", d, sex, 57, t, S, 3);
        check_survival("default table x 0.85", &r->death, sex, 57, t, Sr, 3);
    }
    ns_scenario_free(r);
    ns_scenario_free(s);
}

/* ---------- 6. Wilson interval ---------- */

static void test_wilson(void **state)
{
    (void)state;
    double lo, hi;
    ns_wilson(10, 100, &lo, &hi);
    assert_true(fabs(lo - 0.0552) < 5e-5 && fabs(hi - 0.1744) < 5e-5);
    const double z2 = 1.959963984540054 * 1.959963984540054;
    ns_wilson(0, 100, &lo, &hi);
    assert_true(lo >= 0 && lo < 1e-12);
    assert_true(fabs(hi - z2 / (100 + z2)) < 1e-12);
    ns_wilson(100, 100, &lo, &hi);
    assert_true(hi <= 1 && hi > 1 - 1e-12);
    assert_true(fabs(lo - 100 / (100 + z2)) < 1e-12);
    ns_wilson(0, 0, &lo, &hi);
    assert_true(lo == 0 && hi == 1);
    ns_wilson(1, 1, &lo, &hi);
    assert_true(fabs(lo - 1 / (1 + z2)) < 1e-12 && hi > 1 - 1e-12 && hi <= 1);
    /* symmetric: k of n and n - k of n mirror each other */
    double lo2, hi2;
    ns_wilson(37, 250, &lo, &hi);
    ns_wilson(213, 250, &lo2, &hi2);
    assert_true(fabs(lo - (1 - hi2)) < 1e-12 && fabs(hi - (1 - lo2)) < 1e-12);
    assert_true(lo < 37.0 / 250 && hi > 37.0 / 250);
    /* large n: close to the normal approximation */
    ns_wilson(500000, 1000000, &lo, &hi);
    assert_true(fabs(lo - (0.5 - 1.959963984540054 * 0.0005)) < 1e-6);
    assert_true(fabs(hi - (0.5 + 1.959963984540054 * 0.0005)) < 1e-6);
}

/* ---------- 7. netsurv cohort --csv ---------- */

static void test_cli_csv(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' cohort --csv -n 20000 --seed 99 2>&1", NETSURV_BINARY);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    static char line[NS_NGROUPS + 4][4096];
    int nl = 0;
    while (nl < NS_NGROUPS + 4 && fgets(line[nl], sizeof line[0], p) && line[nl][0] != '\n')
        nl++;
    char rest[4096];
    int n_target_rows = -1;
    while (fgets(rest, sizeof rest, p))
        n_target_rows++;
    int st = pclose(p);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    static const char head[] =
        "group,n,share,metastasis_rate,metastasis_rate_ci_low,metastasis_rate_ci_high";
    if (nl < 1 || strncmp(line[0], head, strlen(head)) != 0)
        fail_msg("header: %s", nl ? line[0] : "(none)");
    assert_int_equal(nl, 1 + NS_NGROUPS);
    static const char *const labels[NS_NGROUPS] = {"all", "size<10", "size10-19.9", "size>=20",
                                                   "G1",  "G2",      "G3",          "LVI+",
                                                   "LVI-", "R0",     "R1",          "Rx"};
    unsigned long long n[NS_NGROUPS];
    for (int i = 0; i < NS_NGROUPS; i++) {
        char label[32];
        double share, rate, lo, hi;
        if (sscanf(line[1 + i], "%31[^,],%llu,%lf,%lf,%lf,%lf", label, &n[i], &share, &rate, &lo,
                   &hi) != 6)
            fail_msg("row %d: %s", i, line[1 + i]);
        assert_string_equal(label, labels[i]);
        assert_true(lo <= rate && rate <= hi && lo >= 0 && hi <= 1);
        assert_true(fabs(share - (double)n[i] / 20000) < 1e-6);
    }
    assert_true(n[0] == 20000);
    assert_true(n[1] + n[2] + n[3] == 20000 && n[4] + n[5] + n[6] == 20000 &&
                n[7] + n[8] == 20000 && n[9] + n[10] + n[11] == 20000);
    /* a blank line then the target table with one row per target */
    ns_scenario *s = load(NULL, 0);
    assert_int_equal(n_target_rows, s->n_targets);
    /* the same cohort through the library */
    ns_cohort_tally t;
    ns_cohort_run(s, 99, 20000, 1, &t);
    for (int i = 0; i < NS_NGROUPS; i++)
        assert_true(t.g[i].n == n[i]);
    ns_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_meets_targets),
        cmocka_unit_test(test_tally_structure),
        cmocka_unit_test(test_threads_and_seeds),
        cmocka_unit_test(test_draw_deterministic),
        cmocka_unit_test(test_generator),
        cmocka_unit_test(test_lvi_overrides),
        cmocka_unit_test(test_death_gompertz),
        cmocka_unit_test(test_death_life_table),
        cmocka_unit_test(test_death_default_table),
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_cli_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
