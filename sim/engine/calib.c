/* Calibration series as cohorts under their own follow-up, and their
 * likelihood (engine/calib.h). */
#include "netsurv/engine/calib.h"
#include "netsurv/model/history.h"
#include "netsurv/model/strategy.h"
#include "netsurv/numeric/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* One series: a scenario copy whose only strategy is the series' protocol,
 * the indices of the patients that match its cohort, their follow-up. */
typedef struct {
    ns_scenario *sc;
    ns_scenario *entry;         /* the staging before entry as its one strategy (or NULL) */
    uint64_t seed, m;
    uint64_t entered;           /* of the m, those the entry staging let in (m without one) */
    uint64_t *idx;
    double *fu;
    /* events of each type found within the window about each reported time */
    uint64_t timed[NS_NEVENTS][NS_MAX_EVENT_TIMES];
    /* a survival target: each group's simulated cancer-specific survival
     * (Kaplan-Meier) at the series' months, and its virtual patients */
    double surv[NS_NSURV];
    uint64_t surv_m[NS_NSURV];
} series_sim;

struct ns_calib_sim {
    const ns_calibration *c;
    int n;
    series_sim x[NS_MAX_SERIES];
};

static int matches(const ns_riskgroup *g, const ns_patient *p)
{
    return p->size_mm >= g->size_lo && p->size_mm < g->size_hi && (g->grades >> p->grade & 1) &&
           (g->margins >> p->margin & 1) && (g->lvi >> p->lvi_reported & 1) &&
           (g->depth >> p->muscularis & 1);
}

/* Follow-up of a patient: lognormal about the median, at most the longest. */
static double follow_up(const ns_series *x, uint64_t key)
{
    uint64_t h = ns_rng_mix64(key ^ 0x666f6c6c6f777570ULL);
    double u = ((double)(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    double t = x->fu_median * exp(x->fu_sigma * ns_norm_quantile(u));
    return t < x->fu_max ? t : x->fu_max;
}

/* sc re-derived (its one rule's visits from the scenario's adherence); for a
 * series measured at staging, its time-0 visit attended by the share staged
 * instead. */
static void derive(ns_scenario *sc, const ns_series *x, int staging)
{
    ns_scenario_derive(sc);
    if (staging)
        sc->strategy[0].rule[0].visit_attend_below[0] = ns_rng_u32_below(x->staged);
}

/* sc = s with the series' protocol as its only strategy, no risk groups,
 * re-derived: a shallow copy that shares s's path and text, never freed
 * through it. */
static void series_scenario(ns_scenario *sc, const ns_scenario *s, const ns_series *x,
                            const ns_rule *r, int staging)
{
    memcpy(sc, s, sizeof *s);
    sc->n_strategies = 1;
    sc->n_groups = 0;
    memset(&sc->strategy[0], 0, sizeof sc->strategy[0]);
    snprintf(sc->strategy[0].name, sizeof sc->strategy[0].name, "%s", x->name);
    sc->strategy[0].n_rules = 1;
    sc->strategy[0].rule[0] = *r;
    derive(sc, x, staging);
}

uint64_t ns_calib_sim_patients(const ns_calib_sim *cs, int j)
{
    return cs->x[j].m;
}

uint64_t ns_calib_sim_entered(const ns_calib_sim *cs, int j)
{
    return cs->x[j].entered;
}

void ns_calib_sim_free(ns_calib_sim *cs)
{
    if (!cs)
        return;
    for (int j = 0; j < cs->n; j++) {
        free(cs->x[j].sc);
        free(cs->x[j].entry);
        free(cs->x[j].idx);
        free(cs->x[j].fu);
    }
    free(cs);
}

ns_calib_sim *ns_calib_sim_new(const ns_scenario *s, const ns_calibration *c, uint64_t seed,
                               uint64_t m, char *err, size_t errlen)
{
    ns_calib_sim *cs = calloc(1, sizeof *cs);
    if (!cs) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cs->c = c;
    for (int j = 0; j < c->n_series; j++) {
        const ns_series *x = &c->series[j];
        series_sim *q = &cs->x[j];
        cs->n = j + 1;
        q->m = q->entered = m ? m : (uint64_t)x->n_patients;
        q->seed = ns_rng_mix64(seed ^ ns_rng_mix64((uint64_t)j + 0x7365726965730000ULL));
        q->sc = malloc(sizeof *q->sc);
        q->idx = malloc(q->m * sizeof *q->idx);
        q->fu = malloc(q->m * sizeof *q->fu);
        q->entry = x->entry_staging ? malloc(sizeof *q->entry) : NULL;
        if (!q->sc || !q->idx || !q->fu || (x->entry_staging && !q->entry)) {
            snprintf(err, errlen, "out of memory");
            ns_calib_sim_free(cs);
            return NULL;
        }
        series_scenario(q->sc, s, x, &x->protocol, x->measure == NS_MEASURE_AT_STAGING);
        if (q->entry)
            series_scenario(q->entry, s, x, &x->entry, 1);
        uint64_t got = 0, tries = 0, limit = q->m * 100000 + 1000000;
        ns_patient p;
        while (got < q->m && tries < limit) {
            ns_history_draw(q->sc, q->seed, tries, &p);
            if (matches(&x->when, &p)) {
                q->idx[got] = tries;
                q->fu[got] = follow_up(x, p.key);
                got++;
            }
            tries++;
        }
        if (got < q->m) {
            snprintf(err, errlen, "series '%s': its cohort matches fewer than 1 in 100,000 of the "
                     "scenario's patients", x->name);
            ns_calib_sim_free(cs);
            return NULL;
        }
    }
    return cs;
}

/* The calibrated parameters of series x's scenario set to theta, re-derived. */
static void set_theta(const ns_calibration *c, const ns_series *x, ns_scenario *sc,
                      const double *theta, int staging)
{
    if (!theta || !sc)
        return;
    for (int k = 0; k < c->n_params; k++)
        *ns_param_ptr(sc, c->param[k]) = theta[k];
    derive(sc, x, staging);
}

/* Node metastasis at resection that never progresses (seen in a specimen,
 * never found in follow-up): with probability dormant_nodal_ratio times the
 * patient's chance of a progressing nodal one (at most 1), from a draw of its
 * own, so that no other draw of the patient moves. */
static int dormant_nodes(const ns_scenario *s, const ns_patient *p)
{
    double k = s->met.dormant_nodal_ratio;
    if (k <= 0)
        return 0;
    double pr = k * p->p_metastasis * (1 - s->met.liver_share);
    uint64_t h = ns_rng_mix64(p->key ^ 0x646f726d616e7400ULL);
    return ((double)(h >> 11) + 0.5) * (1.0 / 9007199254740992.0) < pr;
}

/* Disease present at the resection among series q's patients: residual
 * tumour (local), nodal (progressing or dormant) and liver metastasis,
 * whatever any later test finds. */
static void count_at_resection(const series_sim *q, int threads, uint64_t *out)
{
    uint64_t local = 0, nodal = 0, distant = 0;
    const int64_t m = (int64_t)q->m;
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(+ : local, nodal, distant) \
    num_threads(threads > 0 ? threads : omp_get_max_threads())
#endif
    for (int64_t i = 0; i < m; i++) {
        ns_patient p;
        ns_history_draw(q->sc, q->seed, q->idx[i], &p);
        local += p.has_residual != 0;
        nodal += (p.has_metastasis && p.site != NS_SITE_LIVER) || dormant_nodes(q->sc, &p);
        distant += p.has_metastasis && p.site == NS_SITE_LIVER;
    }
    out[NS_EV_LOCAL] = local, out[NS_EV_NODAL] = nodal, out[NS_EV_DISTANT] = distant;
}

/* Metastases that series q's staging finds at time 0: its one visit, at
 * time 0 with the staging tests, played by the engine as any visit
 * (ns_strategy_play: each test positive with its sensitivity for the site at
 * the deposit's diameter then; attended by the share staged), or a
 * metastasis presenting then (symptoms at diagnosis). Only a deposit already
 * past the detectable diameter at time 0 (synchronous: onset <= 0) can be
 * found; dormant nodes are no deposit of the engine's and never count. */
static void count_at_staging(const series_sim *q, int threads, uint64_t *out)
{
    uint64_t nodal = 0, distant = 0;
    const ns_scenario *sc = q->sc;
    const int64_t m = (int64_t)q->m;
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(+ : nodal, distant) \
    num_threads(threads > 0 ? threads : omp_get_max_threads())
#endif
    for (int64_t i = 0; i < m; i++) {
        ns_patient p;
        ns_outcome o;
        ns_history_draw(sc, q->seed, q->idx[i], &p);
        if (!p.has_metastasis || p.onset > 0)
            continue; /* nothing any test or symptom finds at time 0 */
        ns_strategy_play(sc, 0, &p, &o);
        if (!(o.detection_time <= 0))
            continue;
        nodal += p.site != NS_SITE_LIVER;
        distant += p.site == NS_SITE_LIVER;
    }
    out[NS_EV_LOCAL] = 0, out[NS_EV_NODAL] = nodal, out[NS_EV_DISTANT] = distant;
}

/* Bins of the survival time (the series' months) for the Kaplan-Meier
 * estimate: deaths and censorings counted per bin, the censored of a bin at
 * risk through its deaths (the product-limit convention for ties). */
enum { SURV_BINS = 600 };

/* Cancer-specific survival at x's months in each group of series q (the
 * patients whose metastasis its time-0 staging found, and the rest): every
 * patient played by the engine (ns_strategy_play: the staging visit, then
 * presentation; a metastasis found is treated as the engine treats any
 * found), death of the metastasis the event, other deaths (other cause, an
 * operation) censoring, alive at the months censored then. A product-limit
 * estimate over SURV_BINS bins of integer counts: the same for any thread
 * count. */
static void count_survival(const ns_series *x, series_sim *q, int threads)
{
    enum { CELLS = NS_NSURV * 2 * SURV_BINS };
    uint64_t acc[CELLS] = {0}, in[NS_NSURV] = {0};
    const ns_scenario *sc = q->sc;
    const int64_t m = (int64_t)q->m;
    const double T = x->surv_months / 12;
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(+ : acc[:CELLS], in[:NS_NSURV]) \
    num_threads(threads > 0 ? threads : omp_get_max_threads())
#endif
    for (int64_t i = 0; i < m; i++) {
        ns_patient p;
        ns_outcome o;
        ns_history_draw(sc, q->seed, q->idx[i], &p);
        int g = NS_SURV_NOT_FOUND, dead = 0;
        double end = p.death_time; /* nothing to find or die of: other-cause death */
        if (p.has_metastasis || p.has_residual) {
            ns_strategy_play(sc, 0, &p, &o);
            g = o.detection_time <= 0 ? NS_SURV_FOUND : NS_SURV_NOT_FOUND;
            end = o.death_time;
            dead = o.death_cause == NS_DEATH_METASTASIS;
        }
        in[g]++;
        if (!(end < T))
            continue; /* alive at T: at risk throughout */
        int k = end > 0 ? (int)(end / T * SURV_BINS) : 0;
        acc[(g * 2 + dead) * SURV_BINS + (k < SURV_BINS ? k : SURV_BINS - 1)]++;
    }
    for (int g = 0; g < NS_NSURV; g++) {
        uint64_t risk = in[g];
        double S = 1;
        for (int k = 0; k < SURV_BINS && risk > 0; k++) {
            uint64_t d = acc[(g * 2 + 1) * SURV_BINS + k], c = acc[g * 2 * SURV_BINS + k];
            S *= 1 - (double)d / (double)risk;
            risk -= d + c;
        }
        q->surv[g] = S, q->surv_m[g] = in[g];
    }
}

/* Events found within follow-up among series x's patients (q), and within
 * the window about each of x's reported event times (q->timed). */
static void count_follow_up(const ns_series *x, series_sim *q, int threads, uint64_t *out)
{
    enum { TW = NS_NEVENTS * NS_MAX_EVENT_TIMES };
    uint64_t local = 0, nodal = 0, distant = 0, tw[TW] = {0}, out_at_entry = 0;
    const ns_scenario *sc = q->sc, *entry = q->entry;
    const int64_t m = (int64_t)q->m;
    const double w = x->time_window;
    int timed = 0;
    for (int t = 0; t < NS_NEVENTS; t++)
        timed |= x->n_times[t] > 0;
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) \
    reduction(+ : local, nodal, distant, tw[:TW], out_at_entry) \
    num_threads(threads > 0 ? threads : omp_get_max_threads())
#endif
    for (int64_t i = 0; i < m; i++) {
        ns_patient p;
        ns_outcome o;
        ns_history_draw(sc, q->seed, q->idx[i], &p);
        if (!p.has_metastasis && !p.has_residual)
            continue; /* nothing to find: the protocol cannot change that */
        if (entry && p.has_metastasis && p.onset <= 0) { /* found before entry: not in it */
            ns_strategy_play(entry, 0, &p, &o);
            if (o.detection_time <= 0) {
                out_at_entry++;
                continue;
            }
        }
        ns_strategy_play(sc, 0, &p, &o);
        double f = q->fu[i];
        int lo = o.local_detection_time <= f;
        int me = o.detection_time > 0 && o.detection_time <= f;
        int no = me && p.site != NS_SITE_LIVER, di = me && p.site == NS_SITE_LIVER;
        local += lo, nodal += no, distant += di;
        if (!timed)
            continue;
        for (int t = 0; t < NS_NEVENTS; t++) {
            int hit = t == NS_EV_LOCAL ? lo : t == NS_EV_NODAL ? no : t == NS_EV_DISTANT ? di : me;
            double when = t == NS_EV_LOCAL ? o.local_detection_time : o.detection_time;
            for (int k = 0; hit && k < x->n_times[t]; k++)
                tw[t * NS_MAX_EVENT_TIMES + k] += fabs(when - x->times[t][k]) <= w;
        }
    }
    out[NS_EV_LOCAL] = local, out[NS_EV_NODAL] = nodal, out[NS_EV_DISTANT] = distant;
    q->entered = q->m - out_at_entry;
    for (int t = 0; t < NS_NEVENTS; t++)
        for (int k = 0; k < NS_MAX_EVENT_TIMES; k++)
            q->timed[t][k] = tw[t * NS_MAX_EVENT_TIMES + k];
}

void ns_calib_sim_run(ns_calib_sim *cs, const double *theta, int threads, uint64_t *found)
{
    for (int j = 0; j < cs->n; j++) {
        series_sim *q = &cs->x[j];
        const ns_series *x = &cs->c->series[j];
        set_theta(cs->c, x, q->sc, theta, x->measure == NS_MEASURE_AT_STAGING);
        set_theta(cs->c, x, q->entry, theta, 1);
        uint64_t *out = found + (size_t)j * NS_NEVENTS;
        if (x->measure == NS_MEASURE_AT_RESECTION)
            count_at_resection(q, threads, out);
        else if (x->measure == NS_MEASURE_AT_STAGING)
            count_at_staging(q, threads, out);
        else
            count_follow_up(x, q, threads, out);
        out[NS_EV_METASTASIS] = out[NS_EV_NODAL] + out[NS_EV_DISTANT];
        if (x->surv_months > 0)
            count_survival(x, q, threads);
    }
}

void ns_calib_sim_survival(const ns_calib_sim *cs, int j, int g, double *surv, uint64_t *m)
{
    *surv = cs->x[j].surv[g];
    *m = cs->x[j].surv_m[g];
}

void ns_calib_sim_run_draw(ns_calib_sim *cs, int j, const ns_scenario *draw, int nb,
                           const uint64_t *bound, int nt, const double *years, int threads,
                           uint64_t *found)
{
    series_sim *q = &cs->x[j];
    const ns_series *x = &cs->c->series[j];
    series_scenario(q->sc, draw, x, &x->protocol, x->measure == NS_MEASURE_AT_STAGING);
    const ns_scenario *sc = q->sc;
    enum { CELLS = 64 * NS_NEVENTS };
    uint64_t acc[CELLS] = {0};
    int cells = nb * nt * NS_NEVENTS;
    (void)threads;
    for (int b = 0; b < nb; b++) {
        /* the patients of block b: from the previous bound to this one */
        const int64_t lo = b ? (int64_t)bound[b - 1] : 0, hi = (int64_t)bound[b];
        uint64_t *blk = acc + (size_t)b * nt * NS_NEVENTS;
        uint64_t part[(NS_STUDY_MAX_T + 1) * NS_NEVENTS] = {0};
        const int pn = nt * NS_NEVENTS;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(+ : part[:(NS_STUDY_MAX_T + 1) * NS_NEVENTS]) \
    num_threads(threads > 0 ? threads : omp_get_max_threads())
#endif
        for (int64_t i = lo; i < hi; i++) {
            ns_patient p;
            ns_outcome o;
            ns_history_draw(sc, q->seed, q->idx[i], &p);
            if (!p.has_metastasis && !p.has_residual)
                continue;
            ns_strategy_play(sc, 0, &p, &o);
            for (int t = 0; t < nt; t++) {
                double f = years[t];
                part[t * NS_NEVENTS + NS_EV_LOCAL] += o.local_detection_time <= f;
                if (o.detection_time > 0 && o.detection_time <= f) {
                    part[t * NS_NEVENTS + NS_EV_NODAL] += p.site != NS_SITE_LIVER;
                    part[t * NS_NEVENTS + NS_EV_DISTANT] += p.site == NS_SITE_LIVER;
                }
            }
        }
        for (int c = 0; c < pn; c++)
            blk[c] = part[c] + (b ? blk[c - nt * NS_NEVENTS] : 0); /* cumulative over blocks */
    }
    for (int c = 0; c < cells && c < CELLS; c++)
        found[c] = acc[c];
    for (int c = 0; c < nb * nt; c++)
        found[c * NS_NEVENTS + NS_EV_METASTASIS] =
            found[c * NS_NEVENTS + NS_EV_NODAL] + found[c * NS_NEVENTS + NS_EV_DISTANT];
}

double ns_calib_prob(uint64_t found, uint64_t m)
{
    return ((double)found + 0.5) / ((double)m + 1);
}

double ns_calib_binom_loglik(int n, int k, double p)
{
    return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(p) +
           (n - k) * log1p(-p);
}

double ns_calib_binom_loglik_real(double n, double k, double p)
{
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + (k > 0 ? k * log(p) : 0) +
           (n - k > 0 ? (n - k) * log1p(-p) : 0);
}

double ns_calib_surv_prob(double surv, uint64_t m)
{
    return ((1 - surv) * (double)m + 0.5) / ((double)m + 1);
}

double ns_calib_survival_term(const ns_calibration *c, const ns_calib_sim *cs, int j, int g)
{
    const ns_series *x = &c->series[j];
    if (!x->has_surv[g])
        return NAN;
    double n = x->surv_patients[g];
    return ns_calib_binom_loglik_real(n, n * (1 - x->surv_value[g]),
                                      ns_calib_surv_prob(cs->x[j].surv[g], cs->x[j].surv_m[g]));
}

double ns_calib_timed_loglik(int n, int k, double p, int groups, const int *count,
                             const double *share)
{
    double ll = lgamma(n + 1.0) - lgamma(n - k + 1.0) + (n - k) * log1p(-p);
    for (int g = 0; g < groups; g++)
        ll += count[g] * log(p * share[g]) - lgamma(count[g] + 1.0);
    return ll;
}

/* Series x's term for type t: the binomial, or with reported times the
 * multinomial over the windows about them, not found, and found at other
 * times (observed 0). Each distinct time's share of the found events is
 * (in its window + 0.5 / groups) / (found + 0.5), so they never add past 1. */
static double term(const ns_series *x, const series_sim *q, int t, uint64_t found)
{
    double p = ns_calib_prob(found, q->entered);
    if (!x->n_times[t])
        return ns_calib_binom_loglik(x->n_patients, x->events[t], p);
    int groups = 0, count[NS_MAX_EVENT_TIMES];
    double at[NS_MAX_EVENT_TIMES], share[NS_MAX_EVENT_TIMES];
    uint64_t in[NS_MAX_EVENT_TIMES];
    for (int k = 0; k < x->n_times[t]; k++) {
        int g = 0;
        while (g < groups && at[g] != x->times[t][k])
            g++;
        if (g == groups) { /* a new time: its window's count */
            at[g] = x->times[t][k], count[g] = 0, in[g] = q->timed[t][k];
            groups++;
        }
        count[g]++;
    }
    for (int g = 0; g < groups; g++)
        share[g] = ((double)in[g] + 0.5 / groups) / ((double)found + 0.5);
    return ns_calib_timed_loglik(x->n_patients, x->events[t], p, groups, count, share);
}

double ns_calib_loglik(const ns_calibration *c, const ns_calib_sim *cs, const uint64_t *found,
                       double *per)
{
    double ll = 0;
    for (int j = 0; j < c->n_series; j++) {
        const ns_series *x = &c->series[j];
        for (int t = 0; t < NS_NEVENTS; t++) {
            size_t at = (size_t)j * NS_NEVENTS + (size_t)t;
            double v = NAN;
            if (x->has_event[t]) {
                v = term(x, &cs->x[j], t, found[at]);
                ll += v;
            }
            if (per)
                per[at] = v;
        }
        for (int g = 0; g < NS_NSURV; g++)
            if (x->has_surv[g])
                ll += ns_calib_survival_term(c, cs, j, g);
    }
    return ll;
}

int ns_calib_synthesize(const ns_scenario *s, ns_calibration *c, const double *theta,
                        uint64_t seed, int threads, char *err, size_t errlen)
{
    ns_calib_sim *cs = ns_calib_sim_new(s, c, seed, 0, err, errlen);
    uint64_t *found = malloc((size_t)c->n_series * NS_NEVENTS * sizeof *found);
    if (!cs || !found) {
        if (cs)
            snprintf(err, errlen, "out of memory");
        ns_calib_sim_free(cs);
        free(found);
        return -1;
    }
    ns_calib_sim_run(cs, theta, threads, found);
    for (int j = 0; j < c->n_series; j++)
        for (int t = 0; t < NS_NEVENTS; t++)
            c->series[j].events[t] = (int)found[(size_t)j * NS_NEVENTS + (size_t)t],
            c->series[j].n_times[t] = 0; /* the synthetic events have no reported times */
    for (int j = 0; j < c->n_series; j++)
        for (int g = 0; g < NS_NSURV; g++)
            if (c->series[j].has_surv[g])
                c->series[j].surv_value[g] = cs->x[j].surv[g];
    ns_calib_sim_free(cs);
    free(found);
    return 0;
}
