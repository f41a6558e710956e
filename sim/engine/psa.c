/* PSA draws and OWSA settings of scenario parameters. */
#include "netsurv/engine/psa.h"
#include "netsurv/numeric/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ns_psa_count(const ns_scenario *s)
{
    int n = 0;
    for (int i = 0; i < s->n_params; i++)
        n += s->param[i].psa > NS_PSA_FIXED;
    return n;
}

/* One draw of a univariate distribution. */
static double draw_one(const ns_param *q, double value, ns_rng *r)
{
    switch (q->psa) {
    case NS_PSA_BETA: return ns_rng_beta(r, q->psa_a, q->psa_b);
    case NS_PSA_GAMMA: return ns_rng_gamma(r, q->psa_a, q->psa_b);
    case NS_PSA_LOGNORMAL: return ns_rng_lognormal(r, q->psa_a, q->psa_b);
    case NS_PSA_NORMAL: return ns_rng_normal(r, q->psa_a, q->psa_b);
    case NS_PSA_UNIFORM: return q->psa_a + (q->psa_b - q->psa_a) * ns_rng_uniform(r);
    default: return value;
    }
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* The Dirichlet list starting at parameter g: alpha_i = base value x concentration. */
static void draw_dirichlet(const ns_scenario *base, ns_scenario *out, int g, ns_rng *r)
{
    const ns_param *q = &base->param[g];
    double alpha[NS_MAX_KNOTS] = {0}, x[NS_MAX_KNOTS];
    int n = q->group_n < NS_MAX_KNOTS ? q->group_n : NS_MAX_KNOTS;
    for (int i = 0; i < n; i++) {
        double v = *(const double *)((const char *)base + base->param[g + i].offset);
        alpha[i] = v * q->psa_a > 1e-9 ? v * q->psa_a : 1e-9;
    }
    ns_rng_dirichlet(r, alpha, n, x);
    for (int i = 0; i < n; i++)
        *ns_param_ptr(out, g + i) = x[i];
}

void ns_psa_draw(const ns_scenario *base, ns_scenario *out, uint64_t seed, uint64_t draw)
{
    if (out != base)
        memcpy(out, base, sizeof *out);
    for (int i = 0; i < base->n_params; i++) {
        const ns_param *q = &base->param[i];
        if (q->psa <= NS_PSA_FIXED)
            continue;
        ns_rng r = ns_rng_for(seed, draw, NS_RNG_PSA, (uint64_t)i);
        if (q->psa == NS_PSA_DIRICHLET) {
            if (q->group == i)
                draw_dirichlet(base, out, i, &r);
            continue;
        }
        double v = *(const double *)((const char *)base + q->offset);
        *ns_param_ptr(out, i) = clamp(draw_one(q, v, &r), q->lo, q->hi);
    }
    ns_scenario_derive(out);
}

int ns_posterior_prepare(ns_posterior *post)
{
    free(post->cum);
    post->cum = malloc(sizeof *post->cum * (size_t)(post->n > 0 ? post->n : 1));
    if (!post->cum || post->n < 1 || post->d < 1)
        return -1;
    double sum = 0;
    for (int i = 0; i < post->n; i++) {
        double w = post->weight[i];
        if (!isfinite(w) || w < 0)
            return -1;
        post->cum[i] = sum += w;
    }
    return fabs(sum - 1) <= 1e-6 ? 0 : -1;
}

void ns_posterior_free(ns_posterior *post)
{
    free(post->theta);
    free(post->weight);
    free(post->cum);
    free(post->path);
    memset(post, 0, sizeof *post);
}

int ns_psa_draw_posterior(const ns_scenario *base, const ns_posterior *post, ns_scenario *out,
                          uint64_t seed, uint64_t draw)
{
    ns_psa_draw(base, out, seed, draw);
    if (!post)
        return -1;
    /* the stream index past every parameter's: never one of theirs */
    ns_rng r = ns_rng_for(seed, draw, NS_RNG_PSA, (uint64_t)NS_MAX_PARAMS + 1);
    double u = ns_rng_uniform(&r) * post->cum[post->n - 1];
    int lo = 0, hi = post->n - 1;
    while (lo < hi) { /* the first point whose cumulative weight exceeds u */
        int mid = (lo + hi) / 2;
        if (post->cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    for (int j = 0; j < post->d; j++) {
        const ns_param *q = &base->param[post->param[j]];
        *ns_param_ptr(out, post->param[j]) = clamp(post->theta[(size_t)lo * post->d + j], q->lo,
                                                   q->hi);
    }
    ns_scenario_derive(out);
    return lo;
}

void ns_owsa_set(const ns_scenario *base, ns_scenario *out, int i, int high)
{
    if (out != base)
        memcpy(out, base, sizeof *out);
    const ns_param *q = &base->param[i];
    *ns_param_ptr(out, i) = high ? q->range_hi : q->range_lo;
    ns_scenario_derive(out);
}

int ns_owsa_count(const ns_scenario *s)
{
    int n = 0;
    for (int i = 0; i < s->n_params; i++)
        n += s->param[i].has_range;
    return n;
}

/* Mean discounted cost and QALYs per strategy of one engine run on s. */
static int run_means(const ns_scenario *s, const ns_engine_opts *o, ns_strategy_tally *t,
                     double *cost, double *effect)
{
    ns_engine_opts q = *o;
    q.fill = NULL;
    q.flush = NULL;
    q.progress = NULL;
    if (ns_engine_run(s, &q, t))
        return -1;
    for (int i = 0; i < s->n_strategies; i++) {
        double lo, hi;
        ns_acc_mean(&t[i].cost_discounted, &cost[i], &lo, &hi);
        ns_acc_mean(&t[i].qaly_discounted, &effect[i], &lo, &hi);
    }
    return 0;
}

size_t ns_psa_row_len(const ns_scenario *s)
{
    size_t S = (size_t)s->n_strategies, G = (size_t)s->n_groups;
    return (size_t)ns_psa_count(s) + 2 * S + (2 * S + 1) * G;
}

int ns_psa_draw_row(const ns_scenario *base, const ns_engine_opts *o, const ns_posterior *post,
                    uint64_t k, ns_scenario *work, ns_strategy_tally *t, double *row)
{
    int S = base->n_strategies, G = base->n_groups;
    ns_psa_draw_posterior(base, post, work, o->seed, k);
    double *v = row;
    for (int i = 0; i < base->n_params; i++)
        if (base->param[i].psa > NS_PSA_FIXED)
            *v++ = *ns_param_ptr(work, i);
    double *cost = v, *effect = v + S, *gc = v + 2 * S, *ge = gc + (size_t)G * S,
           *share = ge + (size_t)G * S;
    if (run_means(work, o, t, cost, effect))
        return -1;
    for (int j = 0; j < G; j++) {
        for (int i = 0; i < S; i++)
            ns_tally_means(&t[ns_tally_index(work, i, j)], &gc[(size_t)j * S + i],
                           &ge[(size_t)j * S + i]);
        share[j] = (double)t[ns_tally_index(work, 0, j)].n_patients / (double)t[0].n_patients;
    }
    return 0;
}

void ns_psa_rows_split(const ns_scenario *s, int K, const double *rows, double *cost,
                       double *effect, double *values, ns_psa_groups *g)
{
    int S = s->n_strategies, G = s->n_groups, P = ns_psa_count(s);
    size_t R = ns_psa_row_len(s), GS = (size_t)G * S;
    for (size_t k = 0; k < (size_t)K; k++) {
        const double *r = rows + k * R;
        memcpy(values + k * P, r, sizeof *r * (size_t)P);
        memcpy(cost + k * S, r + P, sizeof *r * (size_t)S);
        memcpy(effect + k * S, r + P + S, sizeof *r * (size_t)S);
        if (g && G) {
            memcpy(g->cost + k * GS, r + P + 2 * S, sizeof *r * GS);
            memcpy(g->effect + k * GS, r + P + 2 * S + GS, sizeof *r * GS);
            memcpy(g->share + k * G, r + P + 2 * S + 2 * GS, sizeof *r * (size_t)G);
        }
    }
}

int ns_psa_run(const ns_scenario *base, const ns_engine_opts *o, int K, double *cost,
               double *effect, double *values, ns_psa_groups *g, const ns_posterior *post)
{
    size_t R = ns_psa_row_len(base);
    ns_scenario *s = malloc(sizeof *s);
    ns_strategy_tally *t = calloc((size_t)ns_tally_count(base), sizeof *t);
    double *row = malloc(sizeof *row * R);
    int rc = !s || !t || !row ? -1 : 0;
    for (int k = 0; k < K && !rc; k++) {
        rc = ns_psa_draw_row(base, o, post, (uint64_t)k, s, t, row);
        size_t GS = (size_t)base->n_groups * base->n_strategies;
        ns_psa_groups at = {g ? g->cost + k * GS : NULL, g ? g->effect + k * GS : NULL,
                            g ? g->share + (size_t)k * base->n_groups : NULL};
        if (!rc)
            ns_psa_rows_split(base, 1, row, cost + (size_t)k * base->n_strategies,
                              effect + (size_t)k * base->n_strategies,
                              values + (size_t)k * ns_psa_count(base), g ? &at : NULL);
        if (o->progress)
            o->progress(o->progress_ctx, (uint64_t)k + 1, (uint64_t)K);
        if (o->stop && *o->stop)
            rc = -1;
    }
    free(s);
    free(t);
    free(row);
    return rc;
}

/* The registry index of the q-th parameter with a range, or -1. */
static int ranged(const ns_scenario *s, int q)
{
    for (int i = 0; i < s->n_params; i++)
        if (s->param[i].has_range && q-- == 0)
            return i;
    return -1;
}

int ns_owsa_setting_row(const ns_scenario *base, const ns_engine_opts *o, int q,
                        ns_scenario *work, ns_strategy_tally *t, double *row)
{
    int S = base->n_strategies, i = ranged(base, q);
    if (i < 0)
        return -1;
    ns_owsa_set(base, work, i, 0);
    int rc = run_means(work, o, t, row, row + 2 * S);
    ns_owsa_set(base, work, i, 1);
    return rc | run_means(work, o, t, row + S, row + 3 * S) ? -1 : 0;
}

void ns_owsa_rows_split(const ns_scenario *s, int Q, const double *rows, double *cost_lo,
                        double *cost_hi, double *effect_lo, double *effect_hi)
{
    size_t S = (size_t)s->n_strategies;
    double *to[4] = {cost_lo, cost_hi, effect_lo, effect_hi};
    for (size_t j = 0; j < (size_t)Q; j++)
        for (int a = 0; a < 4; a++)
            memcpy(to[a] + j * S, rows + j * 4 * S + a * S, sizeof *rows * S);
}

int ns_owsa_run(const ns_scenario *base, const ns_engine_opts *o, double *cost_lo,
                double *cost_hi, double *effect_lo, double *effect_hi)
{
    int S = base->n_strategies, Q = ns_owsa_count(base), rc = 0;
    ns_scenario *s = malloc(sizeof *s);
    ns_strategy_tally *t = calloc((size_t)ns_tally_count(base), sizeof *t);
    double *row = malloc(sizeof *row * 4 * (size_t)S);
    if (!s || !t || !row)
        rc = -1;
    for (int j = 0; j < Q && !rc; j++) {
        size_t at = (size_t)j * S;
        rc = ns_owsa_setting_row(base, o, j, s, t, row);
        if (!rc)
            ns_owsa_rows_split(base, 1, row, cost_lo + at, cost_hi + at, effect_lo + at,
                               effect_hi + at);
        if (o->progress)
            o->progress(o->progress_ctx, (uint64_t)j + 1, (uint64_t)Q);
        if (o->stop && *o->stop)
            rc = -1;
    }
    free(s);
    free(t);
    free(row);
    return rc ? -1 : Q;
}
