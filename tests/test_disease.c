/* Tests for the disease model (MODEL.md sections 2 and 4; sim/model/):
 *
 *  1. no lead time by construction: when detection triggers no treatment
 *     with an effect, every strategy gives each patient bit for bit the
 *     metastasis death time (and death time) of no follow-up; with the
 *     default effects some patients' deaths do change;
 *  2. cure: with cure certain at any burden and a perfect yearly test, no
 *     patient whose disease was detectable at a visit before it became
 *     lethal dies of it; with cure impossible, such patients do;
 *  3. closed forms: the untreated time to death from the growth law, and
 *     quality-adjusted life by state integrated over each patient's path
 *     (and its parts adding up to the whole);
 *  4. overdiagnosis: a metastasis found by surveillance counts as
 *     overdiagnosed exactly when it would not have presented in life;
 *  5. harms in closed form: each false positive costs its work-up loss, and
 *     radical surgery at time 0 its lasting utility loss over the life left;
 *  6. the structural alternatives of scenarios/sweeps/structural.yaml: point 0
 *     is the default scenario bit for bit, and the QALYs that lifelong imaging
 *     gains over no follow-up rank pessimistic < default < optimistic;
 *  8. unresectable disease: the analogue stretches the remaining time to the
 *     lethal burden by its hazard ratio, and second-line therapy, from
 *     progression (RECIST: 20 % wider) for the share given it, the time left
 *     then by its own;
 *  9. deposits: their count is 1 + Poisson(mean) per site, moves no other
 *     draw, and with a factor 0 per extra deposit only single deposits are
 *     resectable;
 *  7. synchronous disease: the same patients with and without it differ only
 *     by a shift of the metastasis' clock to before time 0, so the share
 *     moves nothing else; only synchronous deposits are found at time 0, and
 *     staging at time 0 finds most of them in tumours >= 20 mm.
 *
 * Every patient is drawn and played directly (ns_history_draw,
 * ns_strategy_play), so the checks are per patient, not on means. */
#include "engine_fixtures.h"

#define N_DISEASE 200000u

/* The default scenario with overrides. */
static ns_scenario *default_with(const char *const *sets, int n)
{
    ns_scenario *s = NULL;
    ns_errors *e = malloc(sizeof *e);
    assert_non_null(e);
    if (ns_scenario_load(DEFAULT_PATH, sets, n, &s, e)) {
        dump_errors(e);
        fail_msg("the default scenario did not load with the overrides");
    }
    free(e);
    return s;
}

/* Treatment at detection without effect: nothing resectable, and somatostatin
 * analogues that do not slow progression. */
static const char *const no_effect[] = {
    "follow_up.resectable.nodal.probability.0=0", "follow_up.resectable.nodal.probability.1=0",
    "follow_up.resectable.nodal.probability.2=0", "follow_up.resectable.liver.probability.0=0",
    "follow_up.resectable.liver.probability.1=0", "follow_up.resectable.liver.probability.2=0",
    "follow_up.resectable.liver.probability.3=0",
    "follow_up.treatment_effect.somatostatin_hazard_ratio=1",
    "follow_up.treatment_effect.second_line_survival_hazard_ratio=1"};
#define N_NO_EFFECT ((int)(sizeof no_effect / sizeof *no_effect))

/* Plays every strategy on n patients; counts, over rules with no treatment
 * at time 0, the patients whose metastasis death or death differs from no
 * follow-up's, and those found earlier than under no follow-up. */
static void compare_with_none(const ns_scenario *s, uint64_t n, uint64_t *differ,
                              uint64_t *earlier)
{
    int none = strategy_index(s, "no_follow_up"), S = s->n_strategies;
    *differ = *earlier = 0;
    for (uint64_t i = 0; i < n; i++) {
        ns_patient p;
        ns_outcome base, o;
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, none, &p, &base);
        for (int k = 0; k < S; k++) {
            if (k == none || s->strategy[k].rule[ns_strategy_match(&s->strategy[k], &p)]
                                     .treatment >= 0)
                continue;
            ns_strategy_play(s, k, &p, &o);
            *differ += memcmp(&o.metastasis_death, &base.metastasis_death, sizeof(double)) != 0 ||
                       memcmp(&o.death_time, &base.death_time, sizeof(double)) != 0;
            *earlier += o.detection_time < base.detection_time;
        }
    }
}

static void test_no_lead_time(void **state)
{
    (void)state;
    ns_scenario *s = default_with(no_effect, N_NO_EFFECT);
    uint64_t differ, earlier;
    compare_with_none(s, N_DISEASE, &differ, &earlier);
    if (differ)
        fail_msg("%llu patient-strategies die at another time without any treatment effect",
                 (unsigned long long)differ);
    assert_true(earlier > 1000); /* surveillance did find disease earlier */
    ns_scenario_free(s);
    /* the control: with the default effects, earlier detection changes deaths */
    s = load_default();
    compare_with_none(s, N_DISEASE, &differ, &earlier);
    assert_true(differ > 100);
    ns_scenario_free(s);
}

/* Sets every knot of a probability curve to v. */
static void flat(ns_curve *c, double v)
{
    for (int i = 0; i < c->n; i++)
        c->y[i] = v;
}

/* With resection always possible and safe, and cure probability `cure`:
 * patients (all with a metastasis) whose disease was detectable at a yearly
 * visit before it became lethal, and how many of them died of it. */
static void cure_run(double cure, uint64_t *eligible, uint64_t *died)
{
    ns_scenario *s =
        closed_form(1, 1, "50", "          - {every: 1, from: 1, lifelong: true, tests: [probe]}\n");
    for (int site = 0; site < NS_NSITES; site++) {
        flat(&s->follow.resectable[site], 1);
        flat(&s->follow.cure[site], cure);
    }
    s->follow.surgery_mortality = 0;
    s->met.resectable_per_extra = 1; /* however many deposits */
    *eligible = *died = 0;
    for (uint64_t i = 0; i < N_DISEASE / 4; i++) {
        ns_patient p;
        ns_outcome o;
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, 0, &p, &o);
        double first_visit = ceil(p.onset) < 1 ? 1 : ceil(p.onset);
        if (!p.has_metastasis || !(first_visit < p.lethal_time && first_visit < p.death_time &&
                                   first_visit < NS_MAX_AGE - p.age))
            continue;
        (*eligible)++;
        *died += o.death_cause == NS_DEATH_METASTASIS;
    }
    ns_scenario_free(s);
}

static void test_cure(void **state)
{
    (void)state;
    uint64_t eligible, died;
    cure_run(1, &eligible, &died);
    assert_true(eligible > 10000);
    if (died)
        fail_msg("%llu of %llu curable patients died of the metastasis",
                 (unsigned long long)died, (unsigned long long)eligible);
    cure_run(0, &eligible, &died);
    assert_true(died > eligible / 2);
}

/* Spreads set to (almost) nothing: every deposit grows at the median rate. */
static const char *const fixed_growth[] = {
    "growth.volume_doubling_months.sigma=1e-9", "symptoms.diameter_mm.sigma=1e-9",
    "symptoms.lethal_to_symptom_diameter_ratio.sigma=1e-9"};

static void test_untreated_death_closed_form(void **state)
{
    (void)state;
    ns_scenario *s = default_with(fixed_growth, 3);
    const ns_course_params *c = &s->course;
    uint64_t checked = 0;
    for (uint64_t i = 0; i < N_DISEASE; i++) {
        ns_patient p;
        ns_history_draw(s, SEED, i, &p);
        if (!p.has_metastasis) {
            assert_true(isinf(p.lethal_time));
            continue;
        }
        /* diameter doubling = 3 x volume doubling, by grade; from the
         * reference diameter to symptom x ratio */
        double td = 3 * c->doubling_months.a / 12 * c->grade_doubling[p.grade];
        double want = p.onset + td * log2(c->symptom_mm.a * c->lethal_ratio.a / c->reference_mm);
        if (fabs(p.lethal_time - want) > 1e-6 * want)
            fail_msg("patient %llu: untreated death %.9f, growth law %.9f",
                     (unsigned long long)i, p.lethal_time, want);
        assert_true(p.symptom_time <= p.lethal_time);
        checked++;
    }
    assert_true(checked > 1000);
    ns_scenario_free(s);
}

/* (e^{-ra} - e^{-rb}) / r, written out. */
static double disc(double r, double a, double b)
{
    return b > a ? (exp(-r * a) - exp(-r * b)) / r : 0;
}

/* The discounted QALYs of a patient's path under no follow-up (no tests, no
 * treatment at time 0): well to onset, undiagnosed to detection, then the
 * state treatment left, to death. */
static double path_qaly(const ns_scenario *s, const ns_patient *p, const ns_outcome *o)
{
    const ns_econ_params *e = &s->econ;
    double r = log1p(s->follow.discount_effects), death = o->death_time;
    if (!p->has_metastasis || !(p->onset < death))
        return e->u_well * disc(r, 0, death);
    double t = o->detection_time < death ? o->detection_time : death;
    /* a synchronous deposit (onset < 0) is undiagnosed disease from time 0 */
    double from = p->onset > 0 ? p->onset : 0;
    double q = e->u_well * disc(r, 0, from) + e->u_occult * disc(r, from, t);
    if (!(o->detection_time < death))
        return q;
    if (o->resectable)
        q -= e->surgery_qaly_loss * exp(-r * t);
    if (o->cured) {
        double back = t + e->recovery_years;
        back = back < death ? back : death;
        return q + e->u_after_resection * disc(r, t, back) + e->u_well * disc(r, back, death);
    }
    return q + (o->resectable ? e->u_after_resection : e->u_metastatic) * disc(r, t, death);
}

static void test_utilities_by_state(void **state)
{
    (void)state;
    /* distinct utilities, so that a state counted in the wrong place shows */
    const char *sets[] = {"utilities.well=0.9", "utilities.undiagnosed_metastatic=0.83",
                          "utilities.after_metastasis_resection=0.7",
                          "utilities.metastatic=0.6", "utilities.recovery_years_after_cure=2",
                          "utilities.metastasis_surgery_qaly_loss=0.04"};
    ns_scenario *s = default_with(sets, 6);
    int none = strategy_index(s, "no_follow_up");
    uint64_t seen[4] = {0}; /* no metastasis, cured, resected not cured, unresectable */
    for (uint64_t i = 0; i < N_DISEASE; i++) {
        ns_patient p;
        ns_outcome o;
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, none, &p, &o);
        if (!(o.death_time < NS_MAX_AGE - p.age))
            continue; /* the horizon clips the path: not this check */
        double want = path_qaly(s, &p, &o);
        if (fabs(o.qaly_discounted - want) > 1e-9 * (1 + fabs(want)))
            fail_msg("patient %llu: discounted QALYs %.12f, by state %.12f",
                     (unsigned long long)i, o.qaly_discounted, want);
        double parts = 0;
        for (int q = 0; q < NS_NQPARTS; q++)
            parts += o.qaly_part[q];
        if (fabs(parts - o.qaly_discounted) > 1e-9 * (1 + fabs(want)))
            fail_msg("patient %llu: the QALY parts add up to %.12f, not %.12f",
                     (unsigned long long)i, parts, o.qaly_discounted);
        int found = p.has_metastasis && o.detection_time < o.death_time;
        seen[!found ? 0 : o.cured ? 1 : o.resectable ? 2 : 3]++;
    }
    for (int k = 0; k < 4; k++)
        assert_true(seen[k] > 20);
    ns_scenario_free(s);
}

static void test_overdiagnosis(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    int k = strategy_index(s, "lifelong_annual_imaging");
    uint64_t over = 0, presented = 0;
    for (uint64_t i = 0; i < N_DISEASE; i++) {
        ns_patient p;
        ns_outcome o;
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, k, &p, &o);
        int want = o.route == NS_ROUTE_SURVEILLANCE && isinf(p.presentation_time);
        assert_int_equal(o.overdiagnosed, want);
        over += want;
        presented += o.route == NS_ROUTE_SURVEILLANCE && !want;
        if (isinf(p.presentation_time) && p.has_metastasis)
            assert_true(p.symptom_time >= p.death_time && p.incidental_time >= p.death_time);
    }
    assert_true(over > 10 && presented > 10);
    ns_scenario_free(s);
}

static void test_harms(void **state)
{
    (void)state;
    const char *none[] = {"utilities.false_positive_qaly_loss=0",
                          "treatments.radical_surgery.utility_loss_per_year=0"};
    const char *some[] = {"utilities.false_positive_qaly_loss=0.01",
                          "treatments.radical_surgery.utility_loss_per_year=0.03"};
    ns_scenario *a = default_with(none, 2), *b = default_with(some, 2);
    int radical = -1;
    for (int i = 0; i < a->n_treatments; i++)
        if (!strcmp(a->treatment[i].name, "radical_surgery"))
            radical = i;
    assert_true(radical >= 0);
    uint64_t fp = 0, operated = 0;
    for (uint64_t i = 0; i < N_DISEASE / 4; i++) {
        ns_patient p;
        ns_history_draw(a, SEED, i, &p);
        for (int k = 0; k < a->n_strategies; k++) {
            ns_outcome x, y;
            ns_strategy_play(a, k, &p, &x);
            ns_strategy_play(b, k, &p, &y);
            int cut = a->strategy[k].rule[x.rule].treatment == radical;
            double want = 0.01 * x.n_false_positives + (cut ? 0.03 * x.ly : 0);
            if (fabs((x.qaly - y.qaly) - want) > 1e-9)
                fail_msg("patient %llu, %s: QALYs lost %.12f, closed form %.12f",
                         (unsigned long long)i, a->strategy[k].name, x.qaly - y.qaly, want);
            assert_true(x.death_time == y.death_time && x.cost == y.cost);
            fp += x.n_false_positives;
            operated += cut;
        }
    }
    assert_true(fp > 100 && operated > 100);
    ns_scenario_free(a);
    ns_scenario_free(b);
}

/* Mean discounted QALYs of strategy a minus those of b, and the sum of a's. */
static double qaly_gain(const ns_scenario *s, int a, int b, double *sum_a)
{
    ns_strategy_tally *t = run_engine(s, 60000, 2);
    double qa, qb, lo, hi;
    ns_acc_mean(&t[a].qaly_discounted, &qa, &lo, &hi);
    ns_acc_mean(&t[b].qaly_discounted, &qb, &lo, &hi);
    *sum_a = t[a].qaly_discounted.sum;
    free(t);
    return qa - qb;
}

static void test_synchronous(void **state)
{
    (void)state;
    const char *none_sync[] = {"timing.synchronous.share.0=0", "timing.synchronous.share.1=0",
                               "timing.synchronous.share.2=0", "timing.synchronous.share.3=0"};
    const char *all_sync[] = {"timing.synchronous.share.0=1", "timing.synchronous.share.1=1",
                              "timing.synchronous.share.2=1", "timing.synchronous.share.3=1"};
    ns_scenario *s = default_with(NULL, 0), *s0 = default_with(none_sync, 4),
                *s1 = default_with(all_sync, 4);
    int enets = strategy_index(s, "enets_2023"), none = strategy_index(s, "no_follow_up");
    uint64_t large_sync = 0, large_found0 = 0, shifted = 0;
    for (uint64_t i = 0; i < N_DISEASE; i++) {
        ns_patient p, a, b;
        ns_history_draw(s, SEED, i, &p);
        ns_history_draw(s0, SEED, i, &a);
        ns_history_draw(s1, SEED, i, &b);
        assert_true(p.has_metastasis == a.has_metastasis && a.has_metastasis == b.has_metastasis);
        assert_true(!a.synchronous && b.synchronous == b.has_metastasis);
        if (!p.has_metastasis)
            continue;
        assert_true(a.onset > 0 && b.onset <= 0);
        /* the same deposit, its clock shifted: growth, symptoms, lethal burden */
        double shift = b.onset - a.onset;
        assert_true(a.doubling_years == b.doubling_years && a.site == b.site &&
                    a.u_cure == b.u_cure && a.death_time == b.death_time);
        if (fabs(b.symptom_time - (a.symptom_time + shift)) > 1e-9 * (1 + fabs(a.symptom_time)) ||
            fabs(b.lethal_time - (a.lethal_time + shift)) > 1e-9 * (1 + fabs(a.lethal_time)))
            fail_msg("patient %llu: synchronous symptoms %.9f / lethal %.9f, shifted %.9f / %.9f",
                     (unsigned long long)i, b.symptom_time, b.lethal_time,
                     a.symptom_time + shift, a.lethal_time + shift);
        /* below the symptomatic burden at resection */
        assert_true(b.symptom_time >= 0);
        shifted++;
        const ns_patient *x = p.synchronous ? &b : &a;
        assert_true(p.onset == x->onset && p.symptom_time == x->symptom_time);
        ns_outcome o, q;
        ns_strategy_play(s, enets, &p, &o);
        ns_strategy_play(s, none, &p, &q);
        int at0 = o.route == NS_ROUTE_SURVEILLANCE && o.detection_time == 0;
        if (at0 && !p.synchronous)
            fail_msg("patient %llu: found at time 0 with onset %g", (unsigned long long)i,
                     p.onset);
        assert_false(q.route == NS_ROUTE_SURVEILLANCE);
        if (p.synchronous && p.size_mm >= 20 && p.site == NS_SITE_LIVER) {
            large_sync++;
            large_found0 += at0;
        }
    }
    assert_true(shifted > 1000 && large_sync > 100);
    /* MRI + SSTR PET at time 0 find most synchronous liver deposits of >= 20 mm
     * tumours (radical surgery removes most nodal ones before staging counts) */
    assert_true(large_found0 > large_sync / 2);
    ns_scenario_free(s1);
    ns_scenario_free(s0);
    ns_scenario_free(s);
}

static void test_unresectable(void **state)
{
    (void)state;
    ns_scenario *s = default_with(NULL, 0);
    const ns_followup_params *f = &s->follow;
    int none = strategy_index(s, "no_follow_up");
    uint64_t n = 0, second = 0;
    for (uint64_t i = 0; i < N_DISEASE; i++) {
        ns_patient p;
        ns_outcome o;
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, none, &p, &o);
        if (!(o.detection_time < o.death_time) || o.resectable || o.death_cause != NS_DEATH_METASTASIS)
            continue;
        /* on the analogue the time left is stretched by 1 / h; progression when the
         * largest deposit is 20 % wider (RECIST), then by 1 / h2 for second line */
        double t = o.detection_time, on_ssa = t + (p.lethal_time - t) / f->ssa_hr;
        double tp = t + p.doubling_years * log2(1 + f->progression_increase) / f->ssa_hr;
        double want = o.second_line ? tp + (on_ssa - tp) / f->second_line_hr : on_ssa;
        if (fabs(o.metastasis_death - want) > 1e-9 * want)
            fail_msg("patient %llu: metastasis death %.9f, expected %.9f", (unsigned long long)i,
                     o.metastasis_death, want);
        assert_int_equal(o.second_line, p.u_second_line < f->second_line_share && tp < on_ssa);
        assert_true(o.second_line ? o.second_line_time == tp : isinf(o.second_line_time));
        n += tp < on_ssa; /* progressed before the lethal burden: offered second line */
        second += o.second_line;
    }
    assert_true(n > 200);
    double share = (double)second / (double)n, se = sqrt(f->second_line_share *
                                                          (1 - f->second_line_share) / (double)n);
    assert_true(fabs(share - f->second_line_share) < 4 * se);
    ns_scenario_free(s);
}

static void test_deposits(void **state)
{
    (void)state;
    const char *one[] = {"metastasis.deposits.extra_mean_nodal=0",
                         "metastasis.deposits.extra_mean_liver=0"};
    const char *zero[] = {"metastasis.deposits.resectable_factor_per_extra=0"};
    ns_scenario *s = default_with(NULL, 0), *s1 = default_with(one, 2), *s0 = default_with(zero, 1);
    int none = strategy_index(s, "no_follow_up");
    uint64_t n[NS_NSITES] = {0}, sum[NS_NSITES] = {0}, multi_resectable = 0, single_found = 0,
             single_resectable = 0, single_resectable0 = 0;
    for (uint64_t i = 0; i < N_DISEASE; i++) {
        ns_patient p, q, z;
        ns_history_draw(s, SEED, i, &p);
        ns_history_draw(s1, SEED, i, &q);
        ns_history_draw(s0, SEED, i, &z);
        if (!p.has_metastasis) {
            assert_int_equal(p.n_deposits, 0);
            continue;
        }
        assert_int_equal(q.n_deposits, 1);
        /* the count moves no other draw */
        assert_true(p.onset == q.onset && p.symptom_time == q.symptom_time &&
                    p.incidental_time == q.incidental_time && p.lethal_time == q.lethal_time &&
                    p.doubling_years == q.doubling_years && p.site == q.site &&
                    p.synchronous == q.synchronous && p.u_resectable == q.u_resectable &&
                    p.u_cure == q.u_cure && p.u_surgery == q.u_surgery &&
                    p.u_second_line == q.u_second_line && p.death_time == q.death_time);
        n[p.site]++;
        sum[p.site] += p.n_deposits;
        ns_outcome o, o0;
        ns_strategy_play(s, none, &p, &o);
        ns_strategy_play(s0, none, &z, &o0);
        if (!(o0.detection_time < o0.death_time))
            continue;
        if (p.n_deposits > 1)
            multi_resectable += o0.resectable;
        else {
            single_found++;
            single_resectable += o.resectable;
            single_resectable0 += o0.resectable;
        }
    }
    /* the mean count is 1 + the Poisson mean, within 4 standard errors */
    for (int site = 0; site < NS_NSITES; site++) {
        double lam = s->met.extra_deposits[site], mean = (double)sum[site] / (double)n[site];
        assert_true(n[site] > 1000);
        assert_true(fabs(mean - (1 + lam)) < 4 * sqrt(lam / (double)n[site]));
    }
    assert_true(multi_resectable == 0 && single_found > 100);
    /* a single deposit is not penalised */
    assert_true(single_resectable == single_resectable0);
    ns_scenario_free(s0);
    ns_scenario_free(s1);
    ns_scenario_free(s);
}

static void test_structural_variants(void **state)
{
    (void)state;
    ns_scenario *base = NULL, *pt;
    ns_errors *e = malloc(sizeof *e);
    assert_non_null(e);
    if (ns_scenario_load_with_sweep(DEFAULT_PATH,
                                    NETSURV_SOURCE_DIR "/scenarios/sweeps/structural.yaml", NULL,
                                    0, &base, e)) {
        dump_errors(e);
        fail_msg("scenarios/sweeps/structural.yaml did not load");
    }
    assert_int_equal(base->sweep.n_points, 3);
    ns_scenario *plain = load_default();
    int life = strategy_index(plain, "lifelong_annual_imaging");
    int none = strategy_index(plain, "no_follow_up");
    double gain[3], sum[3], plain_sum;
    double plain_gain = qaly_gain(plain, life, none, &plain_sum);
    for (uint64_t p = 0; p < 3; p++) {
        assert_int_equal(ns_scenario_load_point(base, p, &pt, e), 0);
        gain[p] = qaly_gain(pt, life, none, &sum[p]);
        ns_scenario_free(pt);
    }
    assert_true(memcmp(&sum[0], &plain_sum, sizeof sum[0]) == 0 && gain[0] == plain_gain);
    if (!(gain[1] < gain[0] && gain[0] < gain[2]))
        fail_msg("QALY gains %.5f (pessimistic), %.5f (default), %.5f (optimistic)", gain[1],
                 gain[0], gain[2]);
    ns_scenario_free(plain);
    ns_scenario_free(base);
    free(e);
}

/* timing.synchronous.odds_ratio: absent, the draws are the curve's (the
 * other tests); at 3, every patient synchronous at 1 still is (the same
 * uniform against a larger share), no other draw moves, and the count of
 * synchronous metastases matches the odds-transformed curve's expectation. */
static void test_synchronous_odds(void **state)
{
    (void)state;
    char *d = default_text();
    const char *at = "    share: {value: [0.1, 0.3, 0.85, 0.9]";
    assert_non_null(strstr(d, at));
    char with[200];
    snprintf(with, sizeof with, "    odds_ratio: {value: 3, assumption: \"test\"}\n%s", at);
    char *t = replace(d, at, with);
    ns_scenario *s = default_with(NULL, 0), *s3 = NULL;
    ns_errors *e = malloc(sizeof *e);
    assert_non_null(e);
    if (ns_scenario_load_string("or3.yaml", t, NULL, 0, &s3, e)) {
        dump_errors(e);
        fail_msg("the scenario with odds_ratio 3 did not load");
    }
    assert_true(s->course.synchronous_or == 1 && s3->course.synchronous_or == 3);
    double want = 0, var = 0;
    uint64_t got = 0, mets = 0;
    for (uint64_t i = 0; i < N_DISEASE; i++) {
        ns_patient p, q;
        ns_history_draw(s, SEED, i, &p);
        ns_history_draw(s3, SEED, i, &q);
        assert_true(p.has_metastasis == q.has_metastasis && p.size_mm == q.size_mm &&
                    p.death_time == q.death_time && p.site == q.site);
        if (!p.has_metastasis)
            continue;
        assert_true(!p.synchronous || q.synchronous);
        double ps = ns_curve_eval(&s->course.synchronous, p.size_mm);
        double f = 3 * ps / (1 - ps + 3 * ps);
        want += f;
        var += f * (1 - f);
        got += q.synchronous;
        mets++;
    }
    assert_true(mets > 500);
    if (fabs((double)got - want) > 4 * sqrt(var))
        fail_msg("%llu synchronous of %llu metastases with odds ratio 3, expected %.1f +- %.1f",
                 (unsigned long long)got, (unsigned long long)mets, want, sqrt(var));
    ns_scenario_free(s);
    ns_scenario_free(s3);
    free(e);
    free(t);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_lead_time),
        cmocka_unit_test(test_cure),
        cmocka_unit_test(test_untreated_death_closed_form),
        cmocka_unit_test(test_utilities_by_state),
        cmocka_unit_test(test_overdiagnosis),
        cmocka_unit_test(test_harms),
        cmocka_unit_test(test_structural_variants),
        cmocka_unit_test(test_synchronous),
        cmocka_unit_test(test_synchronous_odds),
        cmocka_unit_test(test_unresectable),
        cmocka_unit_test(test_deposits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
