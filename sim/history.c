/* The virtual-patient generator (MODEL.md sections 1 and 2). */
#include "netsurv/history.h"
#include "netsurv/rng.h"

#include <math.h>

/* Standard normal quantile, Acklam's rational approximation (relative error
 * below 1.2e-9): accurate enough for sampling, and cheap. */
static double norm_quantile_fast(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    if (p > 0.02425 && p < 0.97575) {
        double q = p - 0.5, r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
               (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    double q = sqrt(-2 * log(p < 0.5 ? p : 1 - p));
    double x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    return p < 0.5 ? x : -x;
}

double ns_dist_quantile(const ns_dist *d, double u)
{
    if (d->kind == NS_DIST_UNIFORM)
        return d->a + (d->b - d->a) * u;
    if (d->kind == NS_DIST_LOGNORMAL)
        return d->a * exp(d->b * norm_quantile_fast(u));
    return d->b * pow(-log1p(-u), 1 / d->a);
}

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
     * interval's hazard continues for ever */
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
    p->age = c->age_mean + c->age_sd * norm_quantile_fast(u);
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
    p->site = NS_SITE_NODAL;
    p->u_resectable = p->u_survival = 1;
    if (!p->has_metastasis)
        return;
    p->site = ns_rng_uniform_pos(r) < m->liver_share ? NS_SITE_LIVER : NS_SITE_NODAL;
    p->onset = ns_dist_quantile(&c->onset, ns_rng_uniform_pos(r));
    p->doubling_years = 3 * ns_dist_quantile(&c->doubling_months, ns_rng_uniform_pos(r)) / 12;
    double sym_mm = ns_dist_quantile(&c->symptom_mm, ns_rng_uniform_pos(r));
    p->symptom_time = p->onset + (sym_mm > c->reference_mm
                                      ? p->doubling_years * log2(sym_mm / c->reference_mm)
                                      : 0);
    double e = -log(ns_rng_uniform_pos(r));
    p->u_resectable = ns_rng_uniform_pos(r);
    p->u_survival = ns_rng_uniform_pos(r);
    p->incidental_time = c->incidental_rate > 0 ? p->onset + e / c->incidental_rate : INFINITY;
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
}

double ns_history_diameter(const ns_patient *p, double ref_mm, double t)
{
    if (!p->has_metastasis)
        return 0;
    return ref_mm * exp2((t - p->onset) / p->doubling_years);
}
