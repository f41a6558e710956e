/* OpenMP engine: waves of blocks, per-thread scratch, ordered merges. */
#include "netsurv/engine/engine.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static inline void acc_add(ns_acc *a, double x)
{
    a->n++;
    a->sum += x;
    a->sumsq += x * x;
}

static inline void acc_merge(ns_acc *a, const ns_acc *b)
{
    a->n += b->n;
    a->sum += b->sum;
    a->sumsq += b->sumsq;
}

void ns_acc_mean(const ns_acc *a, double *mean, double *lo, double *hi)
{
    if (a->n == 0) {
        *mean = *lo = *hi = NAN;
        return;
    }
    double n = (double)a->n, m = a->sum / n;
    double var = a->n > 1 ? (a->sumsq - n * m * m) / (n - 1) : 0;
    double half = 1.959963984540054 * sqrt(var > 0 ? var / n : 0);
    *mean = m;
    *lo = m - half;
    *hi = m + half;
}

static inline int bin(double x, double width, int nbins)
{
    double b = floor(x / width);
    return b < 0 ? 0 : b >= nbins ? nbins : (int)b;
}

void ns_tally_add_outcome(ns_strategy_tally *t, const ns_outcome *o)
{
    t->n_patients++;
    acc_add(&t->cost, o->cost);
    acc_add(&t->cost_discounted, o->cost_discounted);
    acc_add(&t->cost_surveillance, o->cost_surveillance);
    acc_add(&t->cost_workup, o->cost_workup);
    acc_add(&t->cost_treatment, o->cost_treatment);
    acc_add(&t->tests, o->n_tests);
    acc_add(&t->false_positives, o->n_false_positives);
    acc_add(&t->radiation_msv, o->radiation_msv);
    acc_add(&t->ly, o->ly);
    acc_add(&t->ly_discounted, o->ly_discounted);
    acc_add(&t->qaly, o->qaly);
    acc_add(&t->qaly_discounted, o->qaly_discounted);
    for (int q = 0; q < NS_NQPARTS; q++)
        acc_add(&t->qaly_part[q], o->qaly_part[q]);
    t->n_metastasis_deaths += o->death_cause == NS_DEATH_METASTASIS;
    t->n_operative_deaths += o->operative_death;
    t->n_surgery_deaths += o->metastasis_surgery_death;
    t->n_local_found += o->local_detection_time < INFINITY;
    for (int m = 0; m < NS_MAX_MODALITIES; m++)
        t->tests_by_modality[m] += o->tests_by_modality[m];
    if (!o->metastasis)
        return;
    t->n_metastases++;
    t->n_route[o->route]++;
    t->n_missed += o->missed;
    t->n_miss[o->missed_reason]++;
    if (o->route == NS_ROUTE_NEVER)
        return;
    t->n_resectable += o->resectable;
    t->n_cured += o->cured;
    t->n_overdiagnosed += o->overdiagnosed;
    acc_add(&t->detection_time, o->detection_time);
    acc_add(&t->detection_delay, o->detection_delay);
    acc_add(&t->burden_mm, o->burden_mm);
    t->hist_detection[bin(o->detection_time, NS_TIME_BIN_WIDTH, NS_TIME_BINS)]++;
    t->hist_delay[bin(o->detection_delay, NS_DELAY_BIN_WIDTH, NS_DELAY_BINS)]++;
}

void ns_tally_merge(ns_strategy_tally *a, const ns_strategy_tally *b)
{
    a->n_patients += b->n_patients;
    a->n_metastases += b->n_metastases;
    a->n_missed += b->n_missed;
    a->n_resectable += b->n_resectable;
    a->n_operative_deaths += b->n_operative_deaths;
    a->n_surgery_deaths += b->n_surgery_deaths;
    a->n_cured += b->n_cured;
    a->n_overdiagnosed += b->n_overdiagnosed;
    a->n_local_found += b->n_local_found;
    a->n_residual += b->n_residual;
    a->n_metastasis_deaths += b->n_metastasis_deaths;
    for (int i = 0; i < NS_NROUTES; i++)
        a->n_route[i] += b->n_route[i];
    for (int i = 0; i < NS_NMISS; i++)
        a->n_miss[i] += b->n_miss[i];
    ns_acc *x[] = {&a->detection_time, &a->detection_delay, &a->burden_mm, &a->cost,
                   &a->cost_discounted, &a->cost_surveillance, &a->cost_workup,
                   &a->cost_treatment, &a->tests, &a->false_positives, &a->radiation_msv,
                   &a->ly, &a->ly_discounted, &a->qaly, &a->qaly_discounted};
    const ns_acc *y[] = {&b->detection_time, &b->detection_delay, &b->burden_mm, &b->cost,
                         &b->cost_discounted, &b->cost_surveillance, &b->cost_workup,
                         &b->cost_treatment, &b->tests, &b->false_positives, &b->radiation_msv,
                         &b->ly, &b->ly_discounted, &b->qaly, &b->qaly_discounted};
    for (size_t i = 0; i < sizeof x / sizeof *x; i++)
        acc_merge(x[i], y[i]);
    for (int q = 0; q < NS_NQPARTS; q++)
        acc_merge(&a->qaly_part[q], &b->qaly_part[q]);
    for (int m = 0; m < NS_MAX_MODALITIES; m++)
        a->tests_by_modality[m] += b->tests_by_modality[m];
    if (b->detection_time.n == 0) /* the histograms count the detections: all zero */
        return;
    for (int i = 0; i <= NS_TIME_BINS; i++)
        a->hist_detection[i] += b->hist_detection[i];
    for (int i = 0; i <= NS_DELAY_BINS; i++)
        a->hist_delay[i] += b->hist_delay[i];
}

/* Rules that play alike (ns_rule_same_play) across strategies, worked out
 * once a run: same[k][r] is the flat index k' * NS_MAX_RULES + r' of the
 * first rule of a strategy k' <= k that plays as rule r of strategy k. A
 * patient whose rule in strategy k plays as the rule it matched in an
 * earlier strategy takes that outcome (its rule index set to its own):
 * the same function of the same inputs, bit for bit, played once. Empty
 * schedules of several strategies are the common case. */
/* With it, the rule of every strategy and the risk group of each report,
 * looked up: the `when:` groups of rules and risk groups cut size into at
 * most NS_PLAN_SIZES - 1 boundaries, and within a size cell a report's
 * grade, margin, reported LVI and depth decide every match, so the table
 * holds ns_strategy_match and ns_group_of of a report of each cell (sizes
 * at a cell's lower boundary). Without it (more boundaries, or generic
 * play), the matches are made for each patient. */
#define NS_PLAN_SIZES 16
#define NS_PLAN_REPORTS (NS_NGRADES * NS_NMARGINS * 2 * 2)
typedef struct {
    int16_t same[NS_MAX_STRATEGIES][NS_MAX_RULES];
    int lookup, n_bounds;
    double bound[NS_PLAN_SIZES]; /* ascending, distinct */
    /* [cell][report]: rule of each strategy, then (index S) the risk group */
    uint8_t match[NS_PLAN_SIZES][NS_PLAN_REPORTS][NS_MAX_STRATEGIES + 1];
} rule_classes;

static int add_bound(rule_classes *c, double x)
{
    for (int i = 0; i < c->n_bounds; i++)
        if (c->bound[i] == x)
            return 0;
    if (c->n_bounds == NS_PLAN_SIZES - 1 || isnan(x))
        return -1;
    int i = c->n_bounds++;
    for (; i > 0 && c->bound[i - 1] > x; i--)
        c->bound[i] = c->bound[i - 1];
    c->bound[i] = x;
    return 0;
}

static int report_index(const ns_patient *p)
{
    return ((p->grade * NS_NMARGINS + p->margin) * 2 + p->lvi_reported) * 2 + p->muscularis;
}

static void match_table(const ns_scenario *s, rule_classes *c)
{
    int ok = !s->derived.generic_play;
    c->n_bounds = 0;
    for (int k = 0; k < s->n_strategies && ok; k++)
        for (int r = 0; r < s->strategy[k].n_rules && ok; r++)
            ok = add_bound(c, s->strategy[k].rule[r].when.size_lo) == 0 &&
                 add_bound(c, s->strategy[k].rule[r].when.size_hi) == 0;
    for (int g = 0; g < s->n_groups && ok; g++)
        ok = add_bound(c, s->group[g].when.size_lo) == 0 &&
             add_bound(c, s->group[g].when.size_hi) == 0;
    c->lookup = ok;
    for (int cell = 0; cell <= c->n_bounds && ok; cell++)
        for (int q = 0; q < NS_PLAN_REPORTS; q++) {
            ns_patient p = {0};
            p.size_mm = cell ? c->bound[cell - 1] : -INFINITY;
            p.muscularis = (uint8_t)(q & 1);
            p.lvi_reported = (uint8_t)(q >> 1 & 1);
            p.margin = (uint8_t)(q >> 2) % NS_NMARGINS;
            p.grade = (uint8_t)((q >> 2) / NS_NMARGINS);
            for (int k = 0; k < s->n_strategies; k++)
                c->match[cell][q][k] = (uint8_t)ns_strategy_match(&s->strategy[k], &p);
            c->match[cell][q][s->n_strategies] = (uint8_t)ns_group_of(s, &p);
        }
}

/* The matches of patient p: rules[k] of each strategy, and its risk group. */
static inline const uint8_t *plan_matches(const ns_scenario *s, const rule_classes *c,
                                          const ns_patient *p, uint8_t *own)
{
    if (c->lookup) {
        int cell = 0;
        while (cell < c->n_bounds && p->size_mm >= c->bound[cell])
            cell++;
        return c->match[cell][report_index(p)];
    }
    for (int k = 0; k < s->n_strategies; k++)
        own[k] = (uint8_t)ns_strategy_match(&s->strategy[k], p);
    own[s->n_strategies] = (uint8_t)ns_group_of(s, p);
    return own;
}

#define NS_SAME_PLAY_MAX_RULES 512 /* beyond: every rule on its own (bounded set-up) */

static void rule_classes_find(const ns_scenario *s, rule_classes *c)
{
    int total = 0;
    for (int k = 0; k < s->n_strategies; k++)
        total += s->strategy[k].n_rules;
    for (int k = 0; k < s->n_strategies; k++)
        for (int r = 0; r < s->strategy[k].n_rules; r++) {
            int own = k * NS_MAX_RULES + r, found = own;
            for (int j = 0; j < k && found == own && total <= NS_SAME_PLAY_MAX_RULES &&
                            !s->derived.generic_play;
                 j++)
                for (int q = 0; q < s->strategy[j].n_rules && found == own; q++)
                    if (ns_rule_same_play(&s->strategy[j].rule[q], &s->strategy[k].rule[r]))
                        found = c->same[j][q];
            c->same[k][r] = (int16_t)found;
        }
    match_table(s, c);
}

/* Patients [first, first + count) of one block: draw, play every strategy,
 * tally into bt[0..T) (by group when there are groups, then the whole
 * cohort as the fold of the groups); with a fill callback, hand the rows on
 * from the thread's scratch (pats, outs). */
static void run_block(const ns_scenario *s, const ns_engine_opts *o, const rule_classes *rc,
                      uint64_t first, int row, int count, ns_strategy_tally *bt,
                      ns_patient *pats, ns_outcome *outs)
{
    int S = s->n_strategies, G = s->n_groups;
    /* a tally without detections has all-zero histograms (they count the
     * detections), so only the sums before them need clearing */
    for (int t = 0; t < ns_tally_count(s); t++)
        memset(&bt[t], 0,
               bt[t].detection_time.n ? sizeof *bt : offsetof(ns_strategy_tally, hist_detection));
    for (int i = 0; i < count; i++) {
        ns_patient *p = &pats[o->fill ? i : 0];
        ns_history_draw(s, o->seed, first + (uint64_t)i, p);
        uint8_t own[NS_MAX_STRATEGIES + 1];
        const uint8_t *match = plan_matches(s, rc, p, own);
        ns_strategy_tally *into = G ? bt + ns_tally_index(s, 0, match[S]) : bt;
        ns_outcome *row_outs = &outs[o->fill ? (size_t)i * S : 0]; /* S outcomes either way */
        int played[NS_MAX_STRATEGIES];
        for (int k = 0; k < S; k++) {
            ns_outcome *out = &row_outs[k];
            int ri = match[k], c = rc->same[k][ri], j = 0;
            played[k] = c;
            while (j < k && played[j] != c)
                j++;
            if (j < k) {
                *out = row_outs[j];
                out->rule = (uint8_t)ri;
            } else
                ns_rule_play(s, &s->strategy[k].rule[ri], ri, p, out);
            ns_strategy_tally *t = into + (size_t)k * (G ? G : 1);
            ns_tally_add_outcome(t, out);
            t->n_residual += p->has_residual;
        }
    }
    for (int k = 0; k < S && G; k++)
        for (int g = 0; g < G; g++)
            ns_tally_merge(&bt[k], &bt[ns_tally_index(s, k, g)]);
    if (o->fill)
        o->fill(o->sink_ctx, row, count, pats, outs);
}

static int thread_count(int requested)
{
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_max_threads();
#else
    (void)requested;
    return 1;
#endif
}

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

uint64_t ns_engine_units(uint64_t n)
{
    return n / NS_UNIT_PATIENTS + (n % NS_UNIT_PATIENTS != 0); /* no overflow near 2^64 */
}

void ns_engine_fold(int S, const ns_strategy_tally *units, uint64_t nu, ns_strategy_tally *out)
{
    for (uint64_t u = 0; u < nu; u++)
        for (int k = 0; k < S; k++)
            ns_tally_merge(&out[k], &units[u * (uint64_t)S + (uint64_t)k]);
}

int ns_engine_run_units(const ns_scenario *s, const ns_engine_opts *o, uint64_t u0, uint64_t nu,
                        ns_strategy_tally *units, ns_strategy_tally *out)
{
    int S = ns_tally_count(s), rc = 0, threads = thread_count(o->threads);
    size_t rows = o->fill ? NS_BLOCK : 1;
    ns_strategy_tally *bt = calloc((size_t)(NS_WAVE_BLOCKS + 1) * S, sizeof *bt);
    ns_strategy_tally *wt = bt ? bt + (size_t)NS_WAVE_BLOCKS * S : NULL;
    /* per-thread scratch, each thread's on pages of its own (no false sharing) */
    size_t pat_bytes = (sizeof(ns_patient) * rows + 4095) / 4096 * 4096;
    size_t out_bytes = (sizeof(ns_outcome) * rows * (size_t)s->n_strategies + 4095) / 4096 * 4096;
    char *scratch = aligned_alloc(4096, (pat_bytes + out_bytes) * (size_t)threads);
    if (out)
        memset(out, 0, sizeof *out * (size_t)S);
    if (!bt || !scratch)
        rc = -1;
    rule_classes classes;
    rule_classes_find(s, &classes);
    uint64_t end = u0 + nu < ns_engine_units(o->n) ? u0 + nu : ns_engine_units(o->n);
    for (uint64_t u = u0; u < end && rc == 0; u++) {
        uint64_t w0 = u * NS_UNIT_PATIENTS;
        uint64_t wn = o->n - w0 < NS_UNIT_PATIENTS ? o->n - w0 : NS_UNIT_PATIENTS;
        int nb = (int)((wn + NS_BLOCK - 1) / NS_BLOCK);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
#endif
        for (int b = 0; b < nb; b++) {
            int off = b * NS_BLOCK, tid = thread_id();
            int count = (int)(wn - (uint64_t)off < NS_BLOCK ? wn - (uint64_t)off : NS_BLOCK);
            char *mine = scratch + (pat_bytes + out_bytes) * (size_t)tid;
            run_block(s, o, &classes, w0 + (uint64_t)off, off, count, bt + (size_t)b * S,
                      (ns_patient *)mine, (ns_outcome *)(mine + pat_bytes));
        }
        /* block order within the unit, unit order across units: the same sums
         * for any thread count, rank count or sharding */
        memset(wt, 0, sizeof *wt * (size_t)S);
        ns_engine_fold(S, bt, (uint64_t)nb, wt);
        if (units)
            memcpy(units + (u - u0) * (uint64_t)S, wt, sizeof *wt * (size_t)S);
        if (out)
            ns_engine_fold(S, wt, 1, out);
        if (o->flush && o->flush(o->sink_ctx, w0, (int)wn))
            rc = -1;
        if (o->progress)
            o->progress(o->progress_ctx, (u + 1 - u0) * NS_UNIT_PATIENTS < o->n
                                             ? (u + 1 - u0) * NS_UNIT_PATIENTS
                                             : o->n,
                        o->n);
        if (o->stop && *o->stop)
            rc = -1;
    }
    free(bt);
    free(scratch);
    return rc;
}

int ns_engine_run(const ns_scenario *s, const ns_engine_opts *o, ns_strategy_tally *out)
{
    return ns_engine_run_units(s, o, 0, ns_engine_units(o->n), NULL, out);
}

void ns_tally_means(const ns_strategy_tally *t, double *cost, double *effect)
{
    double lo, hi;
    ns_acc_mean(&t->cost_discounted, cost, &lo, &hi);
    ns_acc_mean(&t->qaly_discounted, effect, &lo, &hi);
}

void ns_group_best(const ns_scenario *s, const ns_strategy_tally *t, double wtp, int *best)
{
    for (int g = 0; g < s->n_groups; g++) {
        best[g] = -1;
        double top = -INFINITY;
        for (int k = 0; k < s->n_strategies; k++) {
            double c, e;
            ns_tally_means(&t[ns_tally_index(s, k, g)], &c, &e);
            double nmb = wtp * e - c;
            if (isfinite(nmb) && nmb > top) /* ties: the first strategy */
                top = nmb, best[g] = k;
        }
    }
}

void ns_group_composite(const ns_scenario *s, const ns_strategy_tally *t, const int *best,
                        ns_strategy_tally *out)
{
    memset(out, 0, sizeof *out);
    for (int g = 0; g < s->n_groups; g++)
        if (best[g] >= 0)
            ns_tally_merge(out, &t[ns_tally_index(s, best[g], g)]);
}
