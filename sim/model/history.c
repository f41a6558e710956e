/* The virtual-patient generator (MODEL.md sections 1 and 2). */
#include "netsurv/model/history.h"
#include "netsurv/numeric/rng.h"

#include <math.h>

/* Index of the first cumulative share above u. */
static int pick(const double *cum, int n, double u)
{
    for (int i = 0; i < n - 1; i++)
        if (u < cum[i])
            return i;
    return n - 1;
}

double ns_death_time(const ns_death_params *d, int sex, double age, double e)
{
    if (d->model == NS_DEATH_GOMPERTZ) {
        /* H(age + t) - H(age) = e with H(x) = (a/b) exp(b x) */
        double a = d->gompertz_a[sex], b = d->gompertz_b[sex];
        return log(exp(b * age) + e * b / a) / b - age;
    }
    /* life table: hazard constant within [ages[i], ages[i+1]), the last
     * interval's hazard continues for ever; hazard_ratio x H(t) = e */
    e /= d->hazard_ratio;
    const double *x = d->ages, *h = d->cumhaz[sex];
    int n = d->n_ages, i = 0;
    while (i + 1 < n && x[i + 1] <= age)
        i++;
    double rate = -log(1 - (d->qx[sex][i] < 1 ? d->qx[sex][i] : 1 - 1e-12));
    double target = h[i] + rate * (age - x[i]) + e;
    while (i + 1 < n && h[i + 1] <= target)
        i++;
    rate = -log(1 - (d->qx[sex][i] < 1 ? d->qx[sex][i] : 1 - 1e-12));
    double t_abs = x[i] + (rate > 0 ? (target - h[i]) / rate : INFINITY);
    return t_abs - age;
}

/* The pathology report and true attributes at resection. */
static void draw_attributes(const ns_scenario *s, ns_rng *r, ns_patient *p)
{
    const ns_cohort_params *c = &s->cohort;
    const ns_derived *d = &s->derived;
    p->sex = ns_rng_uniform_pos(r) < c->male_share ? NS_SEX_MALE : NS_SEX_FEMALE;
    double u = d->age_p_lo + (d->age_p_hi - d->age_p_lo) * ns_rng_uniform_pos(r);
    p->age = c->age_mean + c->age_sd * ns_norm_quantile_fast(u);
    p->size_mm = ns_curve_inverse(&c->size_cdf, ns_rng_uniform_pos(r));
    p->grade = (uint8_t)pick(d->grade_cum, NS_NGRADES, ns_rng_uniform_pos(r));
    p->muscularis = ns_rng_uniform_pos(r) < c->mp_by_grade[p->grade];
    p->lvi_true = ns_rng_uniform_pos(r) < c->lvi_prevalence;
    double sens = ns_rng_uniform_pos(r) < c->lvi_ihc_share ? c->lvi_sens_ihc : c->lvi_sens_he;
    p->lvi_reported = p->lvi_true && ns_rng_uniform_pos(r) < sens;
    p->method = (uint8_t)pick(d->method_cum, c->n_methods, ns_rng_uniform_pos(r));
    int incomplete = ns_rng_uniform_pos(r) < c->method[p->method].incomplete;
    int rx = ns_rng_uniform_pos(r) < c->rx_share_of_incomplete;
    p->margin = incomplete ? (rx ? NS_RX : NS_R1) : NS_R0;
}

/* Occult metastasis: presence by the logistic model, then its course. */
static void draw_metastasis(const ns_scenario *s, ns_rng *r, ns_patient *p)
{
    const ns_metastasis_params *m = &s->met;
    const ns_course_params *c = &s->course;
    double eta = m->intercept + ns_curve_eval(&m->size_logit, p->size_mm) + m->grade[p->grade] +
                 (p->lvi_true ? m->lvi : 0) + (p->muscularis ? m->muscularis : 0) +
                 m->margin[p->margin];
    p->p_metastasis = 1 / (1 + (double)expf((float)-eta)); /* single precision: cheap, ample */
    p->has_metastasis = ns_rng_uniform_pos(r) < p->p_metastasis;
    p->onset = p->symptom_time = p->incidental_time = INFINITY;
    p->doubling_years = INFINITY;
    p->synchronous = 0;
    p->n_deposits = 0;
    p->site = NS_SITE_NODAL;
    p->u_resectable = p->u_cure = p->u_surgery = p->u_second_line = 1;
    p->lethal_time = INFINITY;
    if (!p->has_metastasis)
        return;
    p->site = ns_rng_uniform_pos(r) < m->liver_share ? NS_SITE_LIVER : NS_SITE_NODAL;
    p->onset = ns_dist_quantile(&c->onset, ns_rng_uniform_pos(r));
    p->doubling_years = 3 * ns_dist_quantile(&c->doubling_months, ns_rng_uniform_pos(r)) / 12 *
                        c->grade_doubling[p->grade];
    double sym_mm = ns_dist_quantile(&c->symptom_mm, ns_rng_uniform_pos(r));
    p->symptom_time = p->onset + (sym_mm > c->reference_mm
                                      ? p->doubling_years * log2(sym_mm / c->reference_mm)
                                      : 0);
    double e = -log(ns_rng_uniform_pos(r));
    p->u_resectable = ns_rng_uniform_pos(r);
    p->u_cure = ns_rng_uniform_pos(r);
    p->u_surgery = ns_rng_uniform_pos(r);
    /* untreated, the deposit grows on to a lethal burden a multiple of the
     * symptomatic one: death from the metastasis is a property of the disease */
    double ratio = ns_dist_quantile(&c->lethal_ratio, ns_rng_uniform_pos(r));
    /* synchronous: the deposit is already past the detectable diameter at
     * resection (below the symptomatic one), so its onset lies before time 0;
     * drawn last, so that the other draws do not depend on it */
    double u_sync = ns_rng_uniform_pos(r), u_mm = ns_rng_uniform_pos(r);
    double ps = ns_curve_eval(&c->synchronous, p->size_mm);
    if (c->synchronous_or != 1 && ps > 0 && ps < 1) /* its odds times the ratio */
        ps = c->synchronous_or * ps / (1 - ps + c->synchronous_or * ps);
    p->synchronous = u_sync < ps;
    if (p->synchronous) {
        double d0 = ns_dist_quantile(&c->synchronous_mm, u_mm);
        d0 = d0 < sym_mm ? d0 : sym_mm;
        d0 = d0 > c->reference_mm ? d0 : c->reference_mm;
        double onset = -p->doubling_years * log2(d0 / c->reference_mm);
        p->symptom_time += onset - p->onset;
        p->onset = onset;
    }
    p->u_second_line = ns_rng_uniform_pos(r);
    /* how many deposits: the largest and a Poisson number of others, which
     * grow with it and decide resectability (drawn last: the other draws
     * do not depend on it) */
    double lam = m->extra_deposits[p->site], u = ns_rng_uniform_pos(r);
    double pk = exp(-lam), cum = pk;
    int k = 0;
    while (u > cum && k < NS_MAX_DEPOSITS - 1) {
        k++;
        pk *= lam / k;
        cum += pk;
    }
    p->n_deposits = (uint8_t)(1 + k);
    double seen = p->onset > 0 ? p->onset : 0; /* imaging for other reasons, after time 0 */
    p->incidental_time = c->incidental_rate > 0 ? seen + e / c->incidental_rate : INFINITY;
    p->lethal_time = p->symptom_time + (ratio > 1 ? p->doubling_years * log2(ratio) : 0);
}

/* Local residual tumour at the scar, by the true margin. */
static void draw_residual(const ns_scenario *s, ns_rng *r, ns_patient *p)
{
    p->has_residual = ns_rng_uniform_pos(r) < s->residual.prob_by_margin[p->margin];
    p->residual_time = p->residual_doubling_years = INFINITY;
    if (!p->has_residual)
        return;
    p->residual_time = ns_dist_quantile(&s->residual.onset, ns_rng_uniform_pos(r));
    p->residual_doubling_years =
        3 * ns_dist_quantile(&s->course.doubling_months, ns_rng_uniform_pos(r)) / 12;
}

void ns_history_draw(const ns_scenario *s, uint64_t seed, uint64_t index, ns_patient *p)
{
    p->key = ns_rng_mix64(seed ^ ns_rng_mix64(index ^ 0x6e65747375727600ULL));
    ns_rng r = ns_rng_for(seed, index, NS_RNG_PATIENT, 0);
    draw_attributes(s, &r, p);
    r = ns_rng_for(seed, index, NS_RNG_HISTORY, 0);
    draw_metastasis(s, &r, p);
    r = ns_rng_for(seed, index, NS_RNG_HISTORY, 1);
    draw_residual(s, &r, p);
    r = ns_rng_for(seed, index, NS_RNG_DEATH, 0);
    /* Exp(1) from a 24-bit uniform in single precision: cheap, never 0 */
    float u = ((float)(ns_rng_u32(&r) >> 8) + 0.5f) * (1.0f / 16777216.0f);
    p->death_time = ns_death_time(&s->death, p->sex, p->age, -(double)logf(u));
    double first = p->symptom_time < p->incidental_time ? p->symptom_time : p->incidental_time;
    p->presentation_time = first < p->death_time ? first : INFINITY;
    double h = NS_MAX_AGE - p->age;
    p->ly_end = p->death_time < h ? p->death_time : h;
    p->ly_rate = s->derived.rate_effects;
    p->ly_end_discounted = ns_discounted_years(p->ly_rate, 0, p->ly_end);
}

double ns_discounted_years(double r, double a, double b)
{
    if (!(b > a))
        return 0;
    return r > 0 ? (exp(-r * a) - exp(-r * b)) / r : b - a;
}

double ns_history_diameter(const ns_patient *p, double ref_mm, double t)
{
    if (!p->has_metastasis)
        return 0;
    return ref_mm * exp2((t - p->onset) / p->doubling_years);
}
