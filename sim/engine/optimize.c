/* The search of `netsurv optimize` (optimize.h): candidates, their
 * evaluation on each group's patients with common random numbers,
 * screening by successive halving, and the frontiers of the survivors. */
#include "netsurv/engine/optimize.h"
#include "netsurv/engine/econ.h"
#include "netsurv/engine/frontier.h"
#include "netsurv/engine/psa.h"
#include "netsurv/model/history.h"
#include "netsurv/model/strategy.h"
#include "netsurv/numeric/hash.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define SLICES 8  /* fixed slices of a group's patients: sums independent of threads */
#define TILE 256  /* patients drawn at once; every active schedule plays on them */
#define NBASE 5   /* cost, QALYs, life-years, tests, metastasis deaths */

/* ---------- candidates ---------- */

void ns_opt_rule(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_cand *c, ns_rule *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "candidate");
    r->when = (ns_riskgroup){0, INFINITY, 7, 7, 3, 3};
    r->otherwise = 1;
    r->treatment = c->treatment;
    if (!c->none) {
        double first = sp->first.v[c->first], step = sp->interval.v[c->interval];
        double change = sp->change_after.v[c->change], later = sp->later_interval.v[c->later];
        double h = sp->horizon.v[c->horizon];
        r->lifelong = h >= NS_HORIZON_YEARS;
        /* first + i x interval before the change, then the first visit at or
         * after it + j x the later interval; times rounded to 1e-9 y so that
         * equal schedules have equal times whatever the path to them */
        double t = first, anchor;
        for (int i = 1; t < change - 1e-9 && t <= h + 1e-9 && r->n_visits < NS_MAX_VISITS; i++) {
            r->visit_time[r->n_visits] = t;
            r->visit_tests[r->n_visits++] = sp->tests[c->tests];
            t = nearbyint((first + i * step) * 1e9) / 1e9;
        }
        anchor = t;
        for (int j = 1; t <= h + 1e-9 && r->n_visits < NS_MAX_VISITS; j++) {
            r->visit_time[r->n_visits] = t;
            r->visit_tests[r->n_visits++] = sp->tests[c->tests];
            t = nearbyint((anchor + j * later) * 1e9) / 1e9;
        }
    }
    ns_rule_derive(s, r);
}

static const char *tests_words(const ns_scenario *s, uint32_t mask, char *buf, size_t cap)
{
    buf[0] = 0;
    for (uint32_t m = mask; m; m &= m - 1)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? "+" : "",
                 s->modality[__builtin_ctz(m)].name);
    return buf;
}

void ns_opt_describe(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_cand *c,
                     char *out, size_t cap)
{
    char tests[160];
    if (c->none)
        snprintf(out, cap, "no follow-up");
    else {
        double change = sp->change_after.v[c->change], h = sp->horizon.v[c->horizon];
        double first = sp->first.v[c->first], step = sp->interval.v[c->interval];
        double later = sp->later_interval.v[c->later];
        char tail[64], chg[80] = "";
        if (isfinite(change) && change <= first + 1e-9) /* changed before the first visit */
            step = later, change = INFINITY;
        if (h >= NS_HORIZON_YEARS)
            snprintf(tail, sizeof tail, "for life");
        else
            snprintf(tail, sizeof tail, "to %g y", h);
        if (isfinite(change) && change < h && later != step)
            snprintf(chg, sizeof chg, ", every %g y after year %g", later, change);
        if (first + step > h + 1e-9)
            snprintf(out, cap, "%s once at %g y", tests_words(s, sp->tests[c->tests], tests,
                                                               sizeof tests), first);
        else
            snprintf(out, cap, "%s every %g y from %g y%s %s",
                     tests_words(s, sp->tests[c->tests], tests, sizeof tests), step, first, chg,
                     tail);
    }
    if (c->treatment >= 0)
        snprintf(out + strlen(out), cap - strlen(out), "; %s at 0", s->treatment[c->treatment].name);
}

static uint64_t rule_hash(const ns_rule *r)
{
    uint64_t h = ns_hash64(NS_HASH_SEED, &r->n_visits, sizeof r->n_visits);
    h = ns_hash64(h, &r->treatment, sizeof r->treatment);
    h = ns_hash64(h, r->visit_time, sizeof *r->visit_time * (size_t)r->n_visits);
    return ns_hash64(h, r->visit_tests, sizeof *r->visit_tests * (size_t)r->n_visits);
}

static int same_rule(const ns_rule *a, const ns_rule *b)
{
    return a->n_visits == b->n_visits && a->treatment == b->treatment &&
           !memcmp(a->visit_time, b->visit_time, sizeof *a->visit_time * (size_t)a->n_visits) &&
           !memcmp(a->visit_tests, b->visit_tests, sizeof *a->visit_tests * (size_t)a->n_visits);
}

/* Adds c unless a candidate with the same visits is there (open addressing). */
static int add_unique(const ns_scenario *s, const ns_opt_space *sp, ns_opt_cand c,
                      ns_opt_cand **out, int *n, int *cap, int *table, uint64_t *hashes,
                      int tsize, ns_rule *a, ns_rule *b)
{
    ns_opt_rule(s, sp, &c, a);
    uint64_t h = rule_hash(a);
    for (size_t k = h & (size_t)(tsize - 1);; k = (k + 1) & (size_t)(tsize - 1)) {
        if (table[k] < 0) {
            if (*n == *cap) {
                *cap *= 2;
                ns_opt_cand *q = realloc(*out, sizeof *q * (size_t)*cap);
                if (!q)
                    return -1;
                *out = q;
            }
            table[k] = *n;
            hashes[k] = h;
            (*out)[(*n)++] = c;
            return 0;
        }
        if (hashes[k] == h) {
            ns_opt_rule(s, sp, &(*out)[table[k]], b);
            if (same_rule(a, b))
                return 0;
        }
    }
}

int ns_opt_candidates(const ns_scenario *s, const ns_opt_space *sp, ns_opt_cand **out)
{
    long total = (long)sp->n_tests * sp->first.n * sp->interval.n * sp->horizon.n *
                 sp->n_treatments * (1 + (long)sp->change_after.n * sp->later_interval.n) +
                 sp->n_treatments + 1;
    int tsize = 1024;
    while (tsize < 2 * total)
        tsize *= 2;
    int *table = malloc(sizeof *table * (size_t)tsize);
    uint64_t *hashes = malloc(sizeof *hashes * (size_t)tsize);
    ns_rule *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    int n = 0, cap = 1024, rc = 0;
    *out = malloc(sizeof **out * (size_t)cap);
    if (!table || !hashes || !a || !b || !*out) {
        rc = -1;
        goto done;
    }
    for (int i = 0; i < tsize; i++)
        table[i] = -1;
    ns_opt_cand none = {0, 0, 0, 0, 0, 0, -1, 1};
    rc |= add_unique(s, sp, none, out, &n, &cap, table, hashes, tsize, a, b);
    for (int tr = 0; tr < sp->n_treatments; tr++) {
        none.treatment = (int8_t)sp->treatment[tr];
        rc |= add_unique(s, sp, none, out, &n, &cap, table, hashes, tsize, a, b);
    }
    for (int te = 0; te < sp->n_tests; te++)
        for (int f = 0; f < sp->first.n; f++)
            for (int iv = 0; iv < sp->interval.n; iv++)
                for (int ch = 0; ch < sp->change_after.n; ch++)
                    for (int la = 0; la < sp->later_interval.n; la++)
                        for (int h = 0; h < sp->horizon.n; h++)
                            for (int tr = 0; tr < sp->n_treatments && !rc; tr++) {
                                if (isinf(sp->change_after.v[ch]) && la > 0)
                                    continue; /* no change: the later interval is moot */
                                ns_opt_cand c = {(uint8_t)te, (uint8_t)f, (uint8_t)iv,
                                                 (uint8_t)ch, (uint8_t)la, (uint8_t)h,
                                                 (int8_t)sp->treatment[tr], 0};
                                rc |= add_unique(s, sp, c, out, &n, &cap, table, hashes, tsize,
                                                 a, b);
                            }
done:
    free(table);
    free(hashes);
    free(a);
    free(b);
    if (rc) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return n;
}

/* ---------- evaluation ---------- */

/* What one pass plays: `active` codes (>= 0 a candidate, < 0 strategy
 * -1 - code) on the first n patients of a group's list, with paired sums
 * against the `refs` candidates. */
typedef struct {
    const ns_scenario *s;
    const ns_opt_space *sp;
    const ns_opt_cand *cand;
    uint64_t seed;
    const uint32_t *patients;
    uint64_t n;
    int n_active;
    const int *active;
    int n_refs;
    const int *refs;
    int F;                      /* fields per active: NBASE + 5 per ref */
    int threads;
    const ns_ranks *ranks;      /* each rank its share of the slices (NULL: all here) */
} pass;

static void play_code(const pass *P, int code, const ns_rule *r, const ns_patient *p,
                      ns_outcome *o)
{
    if (code >= 0)
        ns_rule_play(P->s, r, 0, p, o);
    else
        ns_strategy_play(P->s, -1 - code, p, o);
}

/* Slice j of the pass into acc[n_active * F]. Returns -1 when out of memory. */
static int run_slice(const pass *P, int j, double *acc)
{
    uint64_t lo = P->n * (uint64_t)j / SLICES, hi = P->n * (uint64_t)(j + 1) / SLICES;
    ns_patient *pt = malloc(sizeof *pt * TILE);
    ns_rule *r = malloc(sizeof *r);
    double *rc = malloc(sizeof *rc * TILE * NS_OPT_MAX_REFS * 2);
    if (!pt || !r || !rc) {
        free(pt), free(r), free(rc);
        return -1;
    }
    double *rq = rc + TILE * NS_OPT_MAX_REFS;
    ns_outcome o;
    for (uint64_t t0 = lo; t0 < hi; t0 += TILE) {
        int m = hi - t0 < TILE ? (int)(hi - t0) : TILE;
        for (int i = 0; i < m; i++)
            ns_history_draw(P->s, P->seed, P->patients[t0 + (uint64_t)i], &pt[i]);
        for (int k = 0; k < P->n_refs; k++) {
            ns_opt_rule(P->s, P->sp, &P->cand[P->refs[k]], r);
            for (int i = 0; i < m; i++) {
                ns_rule_play(P->s, r, 0, &pt[i], &o);
                rc[k * TILE + i] = o.cost_discounted;
                rq[k * TILE + i] = o.qaly_discounted;
            }
        }
        for (int a = 0; a < P->n_active; a++) {
            int code = P->active[a];
            if (code >= 0)
                ns_opt_rule(P->s, P->sp, &P->cand[code], r);
            double *x = acc + (size_t)a * (size_t)P->F;
            for (int i = 0; i < m; i++) {
                play_code(P, code, r, &pt[i], &o);
                double c = o.cost_discounted, q = o.qaly_discounted;
                x[0] += c;
                x[1] += q;
                x[2] += o.ly_discounted;
                x[3] += o.n_tests;
                x[4] += o.death_cause == NS_DEATH_METASTASIS;
                for (int k = 0; k < P->n_refs; k++) {
                    double dc = c - rc[k * TILE + i], dq = q - rq[k * TILE + i];
                    double *y = x + NBASE + 5 * k;
                    y[0] += dc;
                    y[1] += dq;
                    y[2] += dc * dc;
                    y[3] += dq * dq;
                    y[4] += dc * dq;
                }
            }
        }
    }
    free(pt), free(r), free(rc);
    return 0;
}

/* The pass into out[n_active * F]: slices in parallel, merged in order. */
static int run_pass(const pass *P, double *out)
{
    size_t per = (size_t)P->n_active * (size_t)P->F;
    double *slot = calloc(per * SLICES, sizeof *slot);
    if (!slot)
        return -1;
    int bad = 0;
    int threads = P->threads, j0 = 0, j1 = SLICES;
    const ns_ranks *r = P->ranks;
    int got = r && r->replay ? r->replay(r->state, slot, SLICES, per) : 0;
    if (r) { /* this rank's slices; the exchange brings the others' */
        j0 = got ? 0 : SLICES * r->rank / r->size;
        j1 = got ? 0 : SLICES * (r->rank + 1) / r->size;
    }
    if (got < 0)
        bad = 1;
#ifdef _OPENMP
    if (threads <= 0)
        threads = omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(| : bad)
#endif
    for (int j = j0; j < j1; j++)
        bad |= run_slice(P, j, slot + per * (size_t)j);
    (void)threads;
    if (r && !got && r->exchange(r->state, slot, SLICES, per))
        bad = 1;
    memset(out, 0, sizeof *out * per);
    for (int j = 0; j < SLICES; j++)
        for (size_t i = 0; i < per; i++)
            out[i] += slot[per * (size_t)j + i];
    free(slot);
    return bad ? -1 : 0;
}

/* Standard error of the mean paired difference w dq - dc from its sums. */
static double paired_se(const double *y, double w, uint64_t n)
{
    if (n < 2)
        return 0;
    double sd = w * y[1] - y[0];
    double sdd = w * w * y[3] + y[2] - 2 * w * y[4];
    double var = (sdd - sd * sd / (double)n) / (double)(n - 1);
    return var > 0 ? sqrt(var / (double)n) : 0;
}

/* ---------- one group ---------- */

typedef struct {
    const ns_scenario *s;
    const ns_opt_space *sp;
    const ns_opt_opts *o;
    ns_opt_result *res;
} ctx;

static void note(const ctx *C, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const ctx *C, const char *fmt, ...)
{
    if (!C->o->note)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    C->o->note(C->o->ctx, line);
}

/* Keeps the active candidates that may still be best at some WTP; the next
 * stage's references into refs (no follow-up first). Returns the new count. */
static int screen(const ctx *C, const pass *P, const double *acc, int *active, int *refs,
                  int *n_refs, int *ref_of_w, int *keep, double *buf, int *work)
{
    const ns_opt_result *R = C->res;
    int na = P->n_active, F = P->F;
    double n = (double)P->n, z = C->sp->screen_z;
    double *mc = buf, *mq = buf + na, *ic = buf + 2 * na;
    for (int a = 0; a < na; a++) {
        keep[a] = P->active[a] == 0; /* no follow-up stays: the comparator */
        mc[a] = acc[(size_t)a * F] / n;
        mq[a] = acc[(size_t)a * F + 1] / n;
    }
    int *st = work, *rf = work + na, *fr = work + 2 * na;
    int nf = ns_frontier_ce(mc, mq, na, st, ic, rf, fr, work + 3 * na);
    for (int k = 0; k < nf; k++)
        keep[fr[k]] = 1;
    int new_refs[NS_OPT_MAX_REFS] = {0}, nr = 1, new_ref_of_w[NS_ECON_MAX_WTP];
    for (int w = 0; w < R->n_wtp; w++) {
        double wtp = R->wtp[w];
        int b = 0;
        for (int a = 1; a < na; a++)
            if (wtp * mq[a] - mc[a] > wtp * mq[b] - mc[b])
                b = a;
        int k = ref_of_w[w];
        double seb = paired_se(acc + (size_t)b * F + NBASE + 5 * k, wtp, P->n);
        double nb = wtp * mq[b] - mc[b];
        for (int a = 0; a < na; a++) {
            if (keep[a])
                continue;
            double gap = nb - (wtp * mq[a] - mc[a]);
            double se = paired_se(acc + (size_t)a * F + NBASE + 5 * k, wtp, P->n);
            if (gap <= z * (se + seb) + 1e-9 * (1 + fabs(nb)))
                keep[a] = 1;
        }
        /* the next stage's reference at this WTP: this best */
        int code = P->active[b], found = -1;
        for (int r = 0; r < nr; r++)
            if (new_refs[r] == code)
                found = r;
        if (found < 0 && nr < NS_OPT_MAX_REFS) {
            new_refs[nr] = code;
            found = nr++;
        }
        new_ref_of_w[w] = found < 0 ? nr - 1 : found;
    }
    int m = 0;
    for (int a = 0; a < na; a++)
        if (keep[a])
            active[m++] = P->active[a];
    memcpy(refs, new_refs, sizeof new_refs);
    *n_refs = nr;
    memcpy(ref_of_w, new_ref_of_w, sizeof *ref_of_w * (size_t)R->n_wtp);
    return m;
}

static int alloc_group(ns_opt_group *g, int n)
{
    g->n_final = n;
    g->final = malloc(sizeof *g->final * (size_t)n);
    double **d[] = {&g->cost, &g->qaly, &g->ly, &g->tests, &g->met_deaths, &g->nmb_gain,
                    &g->nmb_gain_se, &g->icer};
    int bad = !g->final;
    for (size_t i = 0; i < sizeof d / sizeof *d; i++)
        bad |= !(*d[i] = malloc(sizeof **d[i] * (size_t)n));
    int **p[] = {&g->status, &g->reference, &g->frontier, &g->pareto};
    for (size_t i = 0; i < sizeof p / sizeof *p; i++)
        bad |= !(*p[i] = malloc(sizeof **p[i] * (size_t)n));
    return bad ? -1 : 0;
}

/* The frontiers, the best at each WTP and the strategies' distances. */
static int conclude_group(const ctx *C, ns_opt_group *g, const double *acc, const pass *P)
{
    ns_opt_result *R = C->res;
    const ns_scenario *s = C->s;
    int nf = g->n_final, F = P->F, S = s->n_strategies;
    double n = (double)g->n_patients, wtp = s->econ.wtp;
    int *work = malloc(sizeof *work * 2 * (size_t)(nf > 1 ? nf : 1));
    g->best_at_wtp = malloc(sizeof *g->best_at_wtp * (size_t)R->n_wtp);
    if (!work || !g->best_at_wtp) {
        free(work);
        return -1;
    }
    g->nofollow = 0;
    for (int a = 0; a < nf; a++) {
        const double *x = acc + (size_t)a * F;
        g->final[a] = P->active[a];
        if (P->active[a] == 0)
            g->nofollow = a;
        g->cost[a] = x[0] / n, g->qaly[a] = x[1] / n, g->ly[a] = x[2] / n;
        g->tests[a] = x[3] / n, g->met_deaths[a] = x[4] / n;
        g->nmb_gain[a] = (wtp * x[NBASE + 1] - x[NBASE]) / n; /* refs[0] is no follow-up */
        g->nmb_gain_se[a] = paired_se(x + NBASE, wtp, g->n_patients);
    }
    g->n_frontier = ns_frontier_ce(g->cost, g->qaly, nf, g->status, g->icer, g->reference,
                                   g->frontier, work);
    g->n_pareto = ns_frontier_pareto(g->tests, g->met_deaths, nf, g->pareto, work);
    for (int w = -1; w < R->n_wtp; w++) {
        double x = w < 0 ? wtp : R->wtp[w];
        int b = 0;
        for (int a = 1; a < nf; a++)
            if (x * g->qaly[a] - g->cost[a] > x * g->qaly[b] - g->cost[b])
                b = a;
        if (w < 0)
            g->best = b;
        else
            g->best_at_wtp[w] = b;
    }
    double best_nmb = wtp * g->qaly[g->best] - g->cost[g->best];
    for (int k = 0; k < S; k++) {
        const double *x = acc + (size_t)(nf + k) * F;
        g->s_cost[k] = x[0] / n, g->s_qaly[k] = x[1] / n, g->s_ly[k] = x[2] / n;
        g->s_tests[k] = x[3] / n, g->s_met_deaths[k] = x[4] / n;
        double fc = ns_frontier_cost_at(g->cost, g->qaly, g->frontier, g->n_frontier,
                                        g->s_qaly[k], &g->s_where[k]);
        g->s_extra_cost[k] = g->s_cost[k] - fc;
        g->s_nmb_gap[k] = best_nmb - (wtp * g->s_qaly[k] - g->s_cost[k]);
    }
    free(work);
    return 0;
}

static int run_group(const ctx *C, int gi, const uint32_t *patients, uint64_t n)
{
    ns_opt_result *R = C->res;
    ns_opt_group *g = &R->group[gi];
    const ns_scenario *s = C->s;
    int nc = R->n_cand, S = s->n_strategies;
    g->n_patients = n;
    int *active = malloc(sizeof *active * (size_t)(nc + S)), *keep = malloc(sizeof *keep * (size_t)nc);
    int *work = malloc(sizeof *work * 5 * (size_t)nc);
    double *mc = malloc(sizeof *mc * 3 * (size_t)nc);
    int *ref_of_w = calloc((size_t)R->n_wtp, sizeof *ref_of_w);
    double *acc = NULL;
    int rc = -1;
    if (!active || !keep || !work || !mc || !ref_of_w)
        goto out;
    for (int a = 0; a < nc; a++)
        active[a] = a;
    int na = nc, refs[NS_OPT_MAX_REFS] = {0}, n_refs = 1;
    /* the stages: 1/16, 1/4 of the patients when screening and large enough, then all */
    uint64_t sizes[NS_OPT_MAX_STAGES];
    int ns = 0;
    if (C->o->screen)
        for (int d = 16; d >= 4; d /= 4)
            if ((double)(n / (uint64_t)d) >= C->sp->screen_min)
                sizes[ns++] = n / (uint64_t)d;
    sizes[ns++] = n;
    g->n_stages = ns;
    for (int st = 0; st < ns; st++) {
        int last = st == ns - 1;
        if (last)
            for (int k = 0; k < S; k++)
                active[na + k] = -1 - k;
        pass P = {s, C->sp, R->cand, C->o->seed, patients, sizes[st], na + (last ? S : 0),
                  active, last ? 1 : n_refs, refs, NBASE + 5 * (last ? 1 : n_refs),
                  C->o->threads, C->o->ranks};
        free(acc);
        acc = malloc(sizeof *acc * (size_t)P.n_active * (size_t)P.F);
        if (!acc || (P.n && run_pass(&P, acc)))
            goto out;
        R->plays += P.n * (uint64_t)(P.n_active + P.n_refs);
        g->stage_patients[st] = P.n;
        g->stage_candidates[st] = na;
        if (last) {
            if (alloc_group(g, na))
                goto out;
            if (n == 0) { /* no patients: every mean is NaN; no follow-up is the answer */
                memset(acc, 0, sizeof *acc * (size_t)P.n_active * (size_t)P.F);
            }
            rc = conclude_group(C, g, acc, &P);
            break;
        }
        na = screen(C, &P, acc, active, refs, &n_refs, ref_of_w, keep, mc, work);
        note(C, "  %-32s stage %d: %llu patients, %d candidates kept of %d", s->n_groups ?
             s->group[gi].name : "everyone", st + 1, (unsigned long long)P.n, na,
             g->stage_candidates[st]);
    }
out:
    free(active), free(keep), free(work), free(mc), free(ref_of_w), free(acc);
    return rc;
}

/* ---------- the search ---------- */

/* list[start[g] .. start[g + 1]) = the patients of group g, by index. */
static int group_lists(const ns_scenario *s, const ns_opt_opts *o, int G, uint8_t *grp,
                       uint32_t *list, uint64_t *start)
{
    int threads = o->threads;
#ifdef _OPENMP
    if (threads <= 0)
        threads = omp_get_max_threads();
#pragma omp parallel for schedule(static, 4096) num_threads(threads)
#endif
    for (uint64_t i = 0; i < o->n; i++) {
        ns_patient p;
        ns_history_draw(s, o->seed, i, &p);
        grp[i] = (uint8_t)ns_group_of(s, &p);
    }
    (void)threads;
    memset(start, 0, sizeof *start * ((size_t)G + 1));
    for (uint64_t i = 0; i < o->n; i++)
        start[grp[i] + 1]++;
    for (int g = 0; g < G; g++)
        start[g + 1] += start[g];
    uint64_t *fill = malloc(sizeof *fill * (size_t)G);
    if (!fill)
        return -1;
    memcpy(fill, start, sizeof *fill * (size_t)G);
    for (uint64_t i = 0; i < o->n; i++)
        list[fill[grp[i]]++] = (uint32_t)i;
    free(fill);
    return 0;
}

int ns_optimize(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_opts *o,
                ns_opt_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (o->n > UINT32_MAX) {
        snprintf(err, errlen, "at most %u patients", UINT32_MAX);
        return -1;
    }
    double t0 = 0;
#ifdef _OPENMP
    t0 = omp_get_wtime();
#endif
    res->n_cand = ns_opt_candidates(s, sp, &res->cand);
    res->n_wtp = 0;
    res->wtp = malloc(sizeof *res->wtp * NS_ECON_MAX_WTP);
    res->n_groups = s->n_groups ? s->n_groups : 1;
    res->group = calloc((size_t)res->n_groups, sizeof *res->group);
    res->n_patients = o->n;
    uint8_t *grp = malloc(o->n ? o->n : 1);
    uint32_t *list = malloc(sizeof *list * (o->n ? o->n : 1));
    uint64_t *start = calloc((size_t)res->n_groups + 1, sizeof *start);
    if (res->n_cand < 0 || !res->wtp || !res->group || !grp || !list || !start) {
        snprintf(err, errlen, "out of memory");
        free(grp), free(list), free(start);
        return -1;
    }
    res->n_wtp = ns_econ_wtp_grid(s->econ.wtp_max, s->econ.wtp_step, res->wtp, NS_ECON_MAX_WTP);
    int rc = group_lists(s, o, res->n_groups, grp, list, start);
    free(grp);
    ctx C = {s, sp, o, res};
    note(&C, "%d candidate schedules per group, %d groups, %llu patients", res->n_cand,
         res->n_groups, (unsigned long long)o->n);
    for (int g = 0; g < res->n_groups && !rc; g++)
        rc = run_group(&C, g, list + start[g], start[g + 1] - start[g]);
    free(list);
    free(start);
#ifdef _OPENMP
    res->seconds = omp_get_wtime() - t0;
#else
    (void)t0;
#endif
    if (rc)
        snprintf(err, errlen, "out of memory");
    return rc;
}

int ns_opt_psa(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_opts *o, int K,
               ns_opt_result *res, char *err, size_t errlen)
{
    int G = res->n_groups, rc = 0;
    ns_scenario *d = malloc(sizeof *d);
    uint8_t *grp = malloc(o->n ? o->n : 1);
    uint32_t *list = malloc(sizeof *list * (o->n ? o->n : 1));
    uint64_t *start = calloc((size_t)G + 1, sizeof *start);
    double *acc = NULL;
    int nmax = 1;
    for (int g = 0; g < G; g++) {
        ns_opt_group *x = &res->group[g];
        nmax = x->n_frontier > nmax ? x->n_frontier : nmax;
        x->psa_draws = K;
        x->psa_nmb = calloc((size_t)(x->n_frontier ? x->n_frontier : 1), sizeof *x->psa_nmb);
        x->psa_prob_best = calloc((size_t)(x->n_frontier ? x->n_frontier : 1),
                                  sizeof *x->psa_prob_best);
        rc |= !x->psa_nmb || !x->psa_prob_best;
    }
    int *codes = malloc(sizeof *codes * (size_t)nmax);
    acc = malloc(sizeof *acc * (size_t)nmax * (NBASE + 5));
    if (rc || !d || !grp || !list || !start || !codes || !acc) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    int refs[1] = {0};
    for (int k = 0; k < K && !rc; k++) {
        ns_psa_draw_posterior(s, o->posterior, d, o->seed, (uint64_t)k);
        rc = group_lists(d, o, G, grp, list, start);
        for (int g = 0; g < G && !rc; g++) {
            ns_opt_group *x = &res->group[g];
            uint64_t n = start[g + 1] - start[g];
            if (!n || !x->n_frontier)
                continue;
            for (int i = 0; i < x->n_frontier; i++)
                codes[i] = x->final[x->frontier[i]];
            pass P = {d, sp, res->cand, o->seed, list + start[g], n, x->n_frontier, codes, 1,
                      refs, NBASE + 5, o->threads, o->ranks};
            rc = run_pass(&P, acc);
            res->plays += n * (uint64_t)(x->n_frontier + 1);
            int b = 0;
            double bv = -INFINITY;
            for (int i = 0; i < x->n_frontier && !rc; i++) {
                double v = (d->econ.wtp * acc[(size_t)i * P.F + 1] - acc[(size_t)i * P.F]) /
                           (double)n;
                x->psa_nmb[i] += v / K;
                if (v > bv)
                    bv = v, b = i;
            }
            x->psa_prob_best[b] += 1.0 / K;
        }
        if (rc)
            snprintf(err, errlen, "out of memory");
    }
    free(d), free(grp), free(list), free(start), free(codes), free(acc);
    return rc;
}

void ns_opt_result_free(ns_opt_result *res)
{
    for (int gi = 0; res->group && gi < res->n_groups; gi++) {
        ns_opt_group *g = &res->group[gi];
        void *p[] = {g->final, g->cost, g->qaly, g->ly, g->tests, g->met_deaths, g->nmb_gain,
                     g->nmb_gain_se, g->status, g->reference, g->icer, g->frontier, g->pareto,
                     g->best_at_wtp, g->psa_nmb, g->psa_prob_best};
        for (size_t i = 0; i < sizeof p / sizeof *p; i++)
            free(p[i]);
    }
    free(res->group);
    free(res->cand);
    free(res->wtp);
    memset(res, 0, sizeof *res);
}

void ns_opt_policy(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_result *res,
                   const int *best, const char *name, const char *source, ns_strategy *st)
{
    memset(st, 0, sizeof *st);
    snprintf(st->name, sizeof st->name, "%s", name);
    snprintf(st->source, sizeof st->source, "%s", source);
    st->n_rules = res->n_groups;
    for (int g = 0; g < res->n_groups; g++) {
        const ns_opt_group *G = &res->group[g];
        int b = best ? best[g] : G->best;
        ns_rule *r = &st->rule[g];
        ns_opt_rule(s, sp, &res->cand[G->final[b]], r);
        if (s->n_groups) {
            snprintf(r->name, sizeof r->name, "%s", s->group[g].name);
            r->when = s->group[g].when;
            r->otherwise = s->group[g].otherwise;
        } else
            snprintf(r->name, sizeof r->name, "everyone");
    }
}

void ns_opt_policy_totals(const ns_opt_result *res, const int *best, double *cost, double *qaly)
{
    double c = 0, q = 0, n = 0;
    for (int g = 0; g < res->n_groups; g++) {
        const ns_opt_group *G = &res->group[g];
        if (!G->n_patients)
            continue;
        int b = best ? best[g] : G->best;
        c += G->cost[b] * (double)G->n_patients;
        q += G->qaly[b] * (double)G->n_patients;
        n += (double)G->n_patients;
    }
    *cost = c / n;
    *qaly = q / n;
}
