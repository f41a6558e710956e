/* One strategy on one patient: visits, tests, detection, costs, misses. */
#include "netsurv/model/strategy.h"
#include "netsurv/numeric/rng.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

const char *const ns_route_name[NS_NROUTES] = {"never", "surveillance", "symptoms",
                                               "incidental"};
const char *const ns_death_cause_name[NS_NDEATHS] = {"other", "operative", "metastasis"};
const char *const ns_qaly_part_name[NS_NQPARTS] = {"well", "undiagnosed_metastatic",
                                                   "after_resection", "metastatic", "tests",
                                                   "treatment_harms"};
const char *const ns_miss_name[NS_NMISS] = {"none", "not_followed", "between_visits",
                                            "false_negative", "after_schedule", "missed_visit"};

/* Counter-based draws: 64 random bits for (patient key, purpose, a, b),
 * one splitmix64 finaliser over distinct odd-weighted counters (the key is
 * itself a full 64-bit hash of seed and patient, so streams of different
 * patients do not meet). A visit's draws take its day as worked out at load
 * (ns_rule_derive). */
static inline uint64_t draw64(uint64_t key, uint64_t purpose, uint64_t a, uint64_t b)
{
    return ns_rng_mix64(key + purpose * 0x9e3779b97f4a7c15ULL + a * 0xd1b54a32d192ed03ULL +
                        b * 0x8cb92ba72f3d8dd7ULL);
}

/* The two 32-bit halves of a draw as uniforms in (0, 1). */
static inline double lo_u(uint64_t x)
{
    return ((double)(uint32_t)x + 0.5) * (1.0 / 4294967296.0);
}
static inline double hi_u(uint64_t x)
{
    return ((double)(uint32_t)(x >> 32) + 0.5) * (1.0 / 4294967296.0);
}

static int group_matches(const ns_riskgroup *g, const ns_patient *p)
{
    return p->size_mm >= g->size_lo && p->size_mm < g->size_hi && (g->grades >> p->grade & 1) &&
           (g->margins >> p->margin & 1) && (g->lvi >> p->lvi_reported & 1) &&
           (g->depth >> p->muscularis & 1);
}

/* The first of n entries (structs of size stride, each with an ns_riskgroup
 * at when_at and an int `otherwise` flag at other_at) whose group p's
 * report matches, else the otherwise entry (0 if none): a strategy's rules
 * and the scenario's risk groups are matched alike. */
static int first_match(const void *base, size_t stride, size_t when_at, size_t other_at, int n,
                       const ns_patient *p)
{
    int other = 0;
    for (int i = 0; i < n; i++) {
        const char *e = (const char *)base + (size_t)i * stride;
        if (*(const int *)(e + other_at))
            other = i;
        else if (group_matches((const ns_riskgroup *)(e + when_at), p))
            return i;
    }
    return other;
}

int ns_strategy_match(const ns_strategy *st, const ns_patient *p)
{
    return first_match(st->rule, sizeof *st->rule, offsetof(ns_rule, when),
                       offsetof(ns_rule, otherwise), st->n_rules, p);
}

int ns_group_of(const ns_scenario *s, const ns_patient *p)
{
    return first_match(s->group, sizeof *s->group, offsetof(ns_risk_group, when),
                       offsetof(ns_risk_group, otherwise), s->n_groups, p);
}

/* The hidden disease as this strategy leaves it after any treatment at 0. */
typedef struct {
    int met, residual;
    double onset, death;
    double lasting_loss;         /* utility lost for life to the time-0 treatment */
} disease;

/* Additional treatment at time 0: its cost, operative death, and the chance
 * it removes residual or nodal disease. */
static void treat(const ns_scenario *s, const ns_rule *r, const ns_patient *p, disease *d,
                  ns_outcome *o)
{
    if (r->treatment < 0)
        return;
    const ns_treatment *t = &s->treatment[r->treatment];
    uint64_t x = draw64(p->key, NS_RNG_TREATMENT, (uint64_t)r->treatment, 0);
    uint64_t y = draw64(p->key, NS_RNG_TREATMENT, (uint64_t)r->treatment, 1);
    o->cost_treatment += t->cost;
    o->cost_discounted += t->cost;
    o->qaly -= t->qaly_loss;
    o->qaly_discounted -= t->qaly_loss;
    o->qaly_part[NS_Q_HARMS] -= t->qaly_loss;
    d->lasting_loss = t->utility_loss;
    if (lo_u(x) < t->mortality) {
        o->operative_death = 1;
        o->death_cause = NS_DEATH_OPERATIVE;
        d->death = 30 / 365.25;
    }
    if (d->residual && hi_u(x) < t->clears_residual)
        d->residual = 0;
    if (d->met && p->site == NS_SITE_NODAL && lo_u(y) < t->clears_nodal)
        d->met = 0;
}

/* Diameter of a deposit that reached ref_mm at t0 and doubles every td years. */
static inline double diameter(double ref_mm, double t0, double td, double t)
{
    return ref_mm * exp2((t - t0) / td);
}

/* Visit state carried through the schedule for the missed-reason rules. */
typedef struct {
    double found;        /* surveillance detection time */
    int attended_window; /* an attended visit with tests after onset, before detection */
} visit_log;

/* The outcome's sums that visits add to, held apart from it while they run
 * (each added to in the order the visits and tests come, as before). */
typedef struct {
    double qaly, qaly_discounted, qaly_tests;
    double cost_surveillance, cost_workup, cost_treatment, cost_discounted, radiation_msv;
    unsigned n_tests, n_false_positives;
} visit_sums;

static inline void sums_take(visit_sums *a, const ns_outcome *o)
{
    *a = (visit_sums){o->qaly, o->qaly_discounted, o->qaly_part[NS_Q_TESTS],
                      o->cost_surveillance, o->cost_workup, o->cost_treatment,
                      o->cost_discounted, o->radiation_msv, o->n_tests, o->n_false_positives};
}

static inline void sums_put(const visit_sums *a, ns_outcome *o)
{
    o->qaly = a->qaly;
    o->qaly_discounted = a->qaly_discounted;
    o->qaly_part[NS_Q_TESTS] = a->qaly_tests;
    o->cost_surveillance = a->cost_surveillance;
    o->cost_workup = a->cost_workup;
    o->cost_treatment = a->cost_treatment;
    o->cost_discounted = a->cost_discounted;
    o->radiation_msv = a->radiation_msv;
    o->n_tests = (uint16_t)a->n_tests;
    o->n_false_positives = (uint16_t)a->n_false_positives;
}

/* A test done with modality m at a visit whose costs are discounted by disc
 * and effects by eff; a false positive adds its work-up. */
static inline void charge_test(const ns_scenario *s, int m, double disc, double eff,
                               visit_sums *a, ns_outcome *o)
{
    const ns_modality *x = &s->modality[m];
    a->n_tests++;
    o->tests_by_modality[m]++;
    a->qaly -= s->econ.test_disutility;
    a->qaly_discounted -= s->econ.test_disutility * eff;
    a->qaly_tests -= s->econ.test_disutility * eff;
    a->cost_surveillance += x->cost;
    a->cost_discounted += x->cost * disc;
    a->radiation_msv += x->radiation_msv;
}

static inline void charge_false_positive(const ns_scenario *s, int m, double disc, double eff,
                                         visit_sums *a)
{
    double loss = s->econ.fp_qaly_loss * eff;
    a->qaly -= s->econ.fp_qaly_loss;
    a->qaly_discounted -= loss;
    a->qaly_tests -= loss;
    a->n_false_positives++;
    a->cost_workup += s->modality[m].workup_cost;
    a->cost_discounted += s->modality[m].workup_cost * disc;
}

/* Whether the patient attends visit v: the low half of the visit's
 * attendance draw below the rule's threshold. */
static inline int attends(const ns_rule *r, int v, uint64_t key)
{
    return (uint32_t)draw64(key, NS_RNG_ADHERENCE, r->visit_day[v], 0) < r->visit_attend_below[v];
}

/* The draw of the test with modality m at visit v. */
static inline uint64_t test_draw(const ns_rule *r, int v, uint64_t key, int m)
{
    return draw64(key, NS_RNG_TEST, r->visit_day[v], (uint64_t)m);
}

/* The visits before `stop` of a patient with nothing to find (no
 * metastasis, no residual tumour once any time-0 treatment is done): tests,
 * false positives and their costs, and no detection. The same draws, sums
 * and order as visit() on such a patient, without its detection logic. */
static void visits_clear(const ns_scenario *s, const ns_rule *r, const ns_patient *p,
                         double stop, visit_sums *a, ns_outcome *o)
{
    for (int v = 0; v < r->n_visits && r->visit_time[v] < stop; v++) {
        if (!attends(r, v, p->key))
            continue;
        double disc = r->visit_discount[v], eff = r->visit_discount_eff[v];
        for (uint32_t mask = r->visit_tests[v]; mask; mask &= mask - 1) {
            int m = __builtin_ctz(mask);
            uint64_t u = test_draw(r, v, p->key, m);
            charge_test(s, m, disc, eff, a, o);
            if (u >> 32 >= s->derived.specificity_below[m])
                charge_false_positive(s, m, disc, eff, a);
        }
    }
}

/* One attended visit at index v: tests, results, costs. */
static void visit(const ns_scenario *s, const ns_rule *r, int v, const ns_patient *p,
                  const disease *d, visit_sums *a, ns_outcome *o, visit_log *log)
{
    double t = r->visit_time[v], disc = r->visit_discount[v], eff = r->visit_discount_eff[v];
    int met_visible = d->met && t >= d->onset;
    double met_d = met_visible ? diameter(s->course.reference_mm, d->onset, p->doubling_years, t)
                               : 0;
    int loc_visible = d->residual && t >= p->residual_time && isinf(o->local_detection_time);
    double loc_d = loc_visible ? diameter(s->course.reference_mm, p->residual_time,
                                          p->residual_doubling_years, t)
                               : 0;
    int found = 0;
    for (uint32_t mask = r->visit_tests[v]; mask; mask &= mask - 1) {
        int m = __builtin_ctz(mask);
        const ns_modality *x = &s->modality[m];
        uint64_t u = test_draw(r, v, p->key, m);
        charge_test(s, m, disc, eff, a, o);
        int positive = 0;
        if (met_visible && x->sees[p->site + 1] &&
            lo_u(u) < ns_curve_eval(&x->sensitivity[p->site + 1], met_d))
            positive = found = 1;
        if (loc_visible && x->sees[NS_LOC_LOCAL]) {
            uint64_t w = test_draw(r, v, p->key, 64 + m);
            if (lo_u(w) < ns_curve_eval(&x->sensitivity[NS_LOC_LOCAL], loc_d)) {
                positive = 1;
                o->local_detection_time = t;
                a->cost_treatment += s->follow.local_treatment_cost;
                a->cost_discounted += s->follow.local_treatment_cost * disc;
            }
        }
        if (!positive && u >> 32 >= s->derived.specificity_below[m])
            charge_false_positive(s, m, disc, eff, a);
    }
    if (met_visible)
        log->attended_window = 1;
    if (found)
        log->found = t;
}

/* Why a metastasis that surveillance did not find was missed. */
static int miss_reason(const ns_rule *r, double onset, double end, const visit_log *log)
{
    if (r->n_visits == 0)
        return NS_MISS_NOT_FOLLOWED;
    if (r->visit_time[r->n_visits - 1] < onset)
        return NS_MISS_AFTER_SCHEDULE;
    int window = 0;
    for (int v = 0; v < r->n_visits && !window; v++)
        window = r->visit_time[v] >= onset && r->visit_time[v] < end;
    if (!window)
        return NS_MISS_BETWEEN_VISITS;
    return log->attended_window ? NS_MISS_FALSE_NEGATIVE : NS_MISS_MISSED_VISIT;
}

/* Treatment at detection at t acts on the disease (MODEL.md section 4): a
 * complete resection cures with a probability that falls with burden, or
 * leaves a fraction of the volume that regrows to the lethal burden;
 * unresectable disease on a somatostatin analogue progresses more slowly
 * (its remaining time to the lethal burden divided by the hazard ratio, and
 * after progression (the largest deposit wider by the RECIST fraction, on the
 * analogue), the time left then divided by that of second-line therapy, PRRT
 * or everolimus, for the share given it).
 * Returns the death from the metastasis (INFINITY: cured, or killed by the
 * operation, with *surgery_death set). A treatment without effect returns
 * the untreated death, bit for bit: no lead time by construction. */
static double treat_metastasis(const ns_scenario *s, const ns_patient *p, double t,
                               ns_outcome *o, double *surgery_death)
{
    const ns_followup_params *f = &s->follow;
    *surgery_death = INFINITY;
    if (!o->resectable) {
        double on_ssa = f->ssa_hr == 1 ? p->lethal_time : t + (p->lethal_time - t) / f->ssa_hr;
        double tp = t + p->doubling_years * log2(1 + f->progression_increase) / f->ssa_hr;
        o->second_line = p->u_second_line < f->second_line_share && tp < on_ssa;
        if (!o->second_line)
            return on_ssa;
        o->second_line_time = tp;
        return f->second_line_hr == 1 ? on_ssa : tp + (on_ssa - tp) / f->second_line_hr;
    }
    if (p->u_surgery < f->surgery_mortality) {
        *surgery_death = t + 30 / 365.25;
        return INFINITY;
    }
    if (p->u_cure < ns_curve_eval(&f->cure[p->site], o->burden_mm)) {
        o->cured = 1;
        return INFINITY;
    }
    return p->lethal_time - p->doubling_years * log2(f->residual_fraction) / 3;
}

/* Costs of treating a metastasis found at t, to death. */
static void treatment_costs(const ns_scenario *s, double t, double death, ns_outcome *o)
{
    const ns_followup_params *f = &s->follow;
    double rc = s->derived.rate_costs;
    if (o->resectable) {
        o->cost_treatment += f->resection_cost;
        o->cost_discounted += f->resection_cost * exp(-rc * t);
    } else {
        if (o->second_line && o->second_line_time < death) { /* at progression, if alive */
            o->cost_treatment += f->second_line_cost;
            o->cost_discounted += f->second_line_cost * exp(-rc * o->second_line_time);
        }
        o->cost_treatment += f->systemic_cost * (death - t);
        o->cost_discounted += f->systemic_cost * ns_discounted_years(rc, t, death);
    }
}

/* Adds utility u over [a, b) (clipped to the horizon h) to the QALYs, and
 * the discounted QALYs to their part. */
static void live(double u, double a, double b, double h, double re, int part, ns_outcome *o)
{
    b = b < h ? b : h;
    if (!(b > a))
        return;
    double q = u * ns_discounted_years(re, a, b);
    o->qaly += u * (b - a);
    o->qaly_discounted += q;
    o->qaly_part[part] += q;
}

/* Quality-adjusted life by state: well, an undiagnosed metastasis from its
 * onset, and after detection at t the state treatment left (recovery and
 * back to well after a cure, life after a non-curative resection, or known
 * unresectable disease), to death. */
static void quality_of_life(const ns_scenario *s, const ns_patient *p, const disease *d,
                            double t, double death, ns_outcome *o)
{
    const ns_econ_params *e = &s->econ;
    double re = s->derived.rate_effects, h = NS_MAX_AGE - p->age;
    double onset = d->met ? d->onset : INFINITY, found = t < death ? t : death;
    if (!(onset < found)) { /* well for life: the discounted life-years, reused */
        o->qaly += e->u_well * o->ly;
        o->qaly_discounted += e->u_well * o->ly_discounted;
        o->qaly_part[NS_Q_WELL] += e->u_well * o->ly_discounted;
        return;
    }
    live(e->u_well, 0, onset, h, re, NS_Q_WELL, o);
    live(e->u_occult, onset > 0 ? onset : 0, found, h, re, NS_Q_OCCULT, o);
    if (!(t < death))
        return;
    if (o->resectable) {
        double loss = e->surgery_qaly_loss * exp(-re * t);
        o->qaly -= e->surgery_qaly_loss;
        o->qaly_discounted -= loss;
        o->qaly_part[NS_Q_HARMS] -= loss;
    }
    if (o->cured) {
        double back = t + e->recovery_years < death ? t + e->recovery_years : death;
        live(e->u_after_resection, t, back, h, re, NS_Q_AFTER_RESECTION, o);
        live(e->u_well, back, death, h, re, NS_Q_WELL, o);
    } else if (o->resectable)
        live(e->u_after_resection, t, death, h, re, NS_Q_AFTER_RESECTION, o);
    else
        live(e->u_metastatic, t, death, h, re, NS_Q_METASTATIC, o);
}

/* After detection at t (INFINITY: never): treatment, death and its cause,
 * costs, life-years and QALYs over the whole life. */
static void life_after(const ns_scenario *s, const ns_patient *p, const disease *d, double t,
                       ns_outcome *o)
{
    double death = o->death_time, met = d->met ? p->lethal_time : INFINITY;
    if (t < death) {
        double op;
        met = treat_metastasis(s, p, t, o, &op);
        if (op < death) {
            death = op;
            o->death_cause = NS_DEATH_OPERATIVE;
            o->metastasis_surgery_death = 1;
        }
    }
    if (met < death) {
        death = met;
        o->death_cause = NS_DEATH_METASTASIS;
    }
    if (t < death)
        treatment_costs(s, t, death, o);
    o->death_time = death;
    o->metastasis_death = o->death_cause == NS_DEATH_METASTASIS ? death : INFINITY;
    double h = NS_MAX_AGE - p->age, end = death < h ? death : h;
    double re = s->derived.rate_effects;
    o->ly = end;
    o->ly_discounted = end == p->ly_end && re == p->ly_rate ? p->ly_end_discounted
                                                            : ns_discounted_years(re, 0, end);
    quality_of_life(s, p, d, t, death, o);
    if (d->lasting_loss > 0) { /* the time-0 treatment's lasting harm, over the life it left */
        o->qaly -= d->lasting_loss * o->ly;
        o->qaly_discounted -= d->lasting_loss * o->ly_discounted;
        o->qaly_part[NS_Q_HARMS] -= d->lasting_loss * o->ly_discounted;
    }
}

/* Detection, its route and burden, treatment cost, and the missed reason. */
static void conclude(const ns_scenario *s, const ns_rule *r, const ns_patient *p,
                     const disease *d, const visit_log *log, ns_outcome *o)
{
    double sym = d->met ? p->symptom_time : INFINITY, inc = d->met ? p->incidental_time : INFINITY;
    double t = log->found;
    int route = NS_ROUTE_SURVEILLANCE;
    if (sym < t)
        t = sym, route = NS_ROUTE_SYMPTOMS;
    if (inc < t)
        t = inc, route = NS_ROUTE_INCIDENTAL;
    o->metastasis = d->met && d->onset < d->death;
    if (!(t < d->death)) {
        t = INFINITY;
        route = NS_ROUTE_NEVER;
    }
    o->route = (uint8_t)route;
    o->detection_time = t;
    o->death_time = d->death;
    o->missed = o->metastasis && route != NS_ROUTE_SURVEILLANCE;
    o->missed_reason = (uint8_t)(o->missed ? miss_reason(r, d->onset, t < d->death ? t : d->death,
                                                         log)
                                           : NS_MISS_NONE);
    if (route != NS_ROUTE_NEVER) {
        o->detection_delay = t - d->onset;
        o->burden_mm = diameter(s->course.reference_mm, d->onset, p->doubling_years, t);
        double pr = ns_curve_eval(&s->follow.resectable[p->site], o->burden_mm);
        if (p->n_deposits > 1)
            pr *= pow(s->met.resectable_per_extra, p->n_deposits - 1);
        o->resectable = p->u_resectable < pr;
    }
    o->overdiagnosed = route == NS_ROUTE_SURVEILLANCE && isinf(p->presentation_time);
    life_after(s, p, d, t, o);
    o->cost = o->cost_surveillance + o->cost_workup + o->cost_treatment;
}

void ns_rule_play(const ns_scenario *s, const ns_rule *r, int ri, const ns_patient *p,
                  ns_outcome *o)
{
    memset(o, 0, sizeof *o);
    o->rule = (uint8_t)ri;
    o->detection_time = o->detection_delay = o->local_detection_time = INFINITY;
    o->second_line_time = INFINITY;
    disease d = {p->has_metastasis, p->has_residual, p->onset, p->death_time, 0};
    treat(s, r, p, &d, o);
    visit_log log = {INFINITY, 0};
    double stop = d.death;
    if (d.met) {
        double other = p->symptom_time < p->incidental_time ? p->symptom_time : p->incidental_time;
        stop = other < stop ? other : stop;
    }
    visit_sums a;
    sums_take(&a, o);
    if (!d.met && !d.residual && !s->derived.generic_play)
        visits_clear(s, r, p, stop, &a, o);
    else
        for (int v = 0; v < r->n_visits && r->visit_time[v] < stop; v++) {
            if (!attends(r, v, p->key))
                continue;
            visit(s, r, v, p, &d, &a, o, &log);
            if (log.found < INFINITY)
                break;
        }
    sums_put(&a, o);
    conclude(s, r, p, &d, &log, o);
}

int ns_rule_same_play(const ns_rule *a, const ns_rule *b)
{
    int n = a->n_visits;
    if (a->treatment != b->treatment || n != b->n_visits || a->lifelong != b->lifelong)
        return 0;
    size_t nv = (size_t)(n > 0 ? n : 0);
    return !memcmp(a->visit_time, b->visit_time, nv * sizeof *a->visit_time) &&
           !memcmp(a->visit_tests, b->visit_tests, nv * sizeof *a->visit_tests) &&
           !memcmp(a->visit_day, b->visit_day, nv * sizeof *a->visit_day) &&
           !memcmp(a->visit_attend_below, b->visit_attend_below,
                   nv * sizeof *a->visit_attend_below) &&
           !memcmp(a->visit_discount, b->visit_discount, nv * sizeof *a->visit_discount) &&
           !memcmp(a->visit_discount_eff, b->visit_discount_eff,
                   nv * sizeof *a->visit_discount_eff);
}

void ns_strategy_play(const ns_scenario *s, int k, const ns_patient *p, ns_outcome *o)
{
    const ns_strategy *st = &s->strategy[k];
    int ri = ns_strategy_match(st, p);
    ns_rule_play(s, &st->rule[ri], ri, p, o);
}
