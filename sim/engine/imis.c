/* Incremental mixture importance sampling (engine/imis.h). Written from the
 * method's description (Steele, Raftery and Emond 2006; Raftery and Bao
 * 2010): prior sample; then, each iteration, a normal component centred on
 * the point of largest weight, with the weighted covariance of its nearest
 * points (Mahalanobis distance under the prior sample's covariance); weights
 * likelihood x prior / mixture. */
#include "netsurv/engine/imis.h"
#include "netsurv/numeric/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG2PI 1.8378770664093453
#define MAXD NS_MAX_CALIB_PARAMS
#define KEY_PRIOR (1ULL << 40)
#define KEY_MIXTURE (2ULL << 40)

static double softplus(double x)
{
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

static double logaddexp(double a, double b)
{
    if (a == -INFINITY)
        return b;
    if (b == -INFINITY)
        return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/* The parameter's value from the sampler's scale u, and back. */
static double to_theta(const ns_param *q, double u)
{
    switch (q->psa) {
    case NS_PSA_GAMMA:
    case NS_PSA_LOGNORMAL: return exp(u);
    case NS_PSA_BETA: return 1 / (1 + exp(-u));
    case NS_PSA_UNIFORM: return q->psa_a + (q->psa_b - q->psa_a) / (1 + exp(-u));
    default: return u;
    }
}

static double to_u(const ns_param *q, double th)
{
    double x;
    switch (q->psa) {
    case NS_PSA_GAMMA:
    case NS_PSA_LOGNORMAL: return log(th);
    case NS_PSA_BETA: return log(th) - log1p(-th);
    case NS_PSA_UNIFORM:
        x = (th - q->psa_a) / (q->psa_b - q->psa_a);
        return log(x) - log1p(-x);
    default: return th;
    }
}

/* Log prior density on the sampler's scale (the Jacobian included); -inf
 * outside the parameter's allowed range. */
static double log_prior_u(const ns_param *q, double u)
{
    double th = to_theta(q, u), a = q->psa_a, b = q->psa_b, z;
    if (!(th >= q->lo && th <= q->hi) || !isfinite(u))
        return -INFINITY;
    switch (q->psa) {
    case NS_PSA_NORMAL:
    case NS_PSA_LOGNORMAL:
        z = (u - a) / b;
        return -0.5 * z * z - log(b) - 0.5 * LOG2PI;
    case NS_PSA_GAMMA: return a * u - exp(u) / b - lgamma(a) - a * log(b);
    case NS_PSA_BETA:
        return -a * softplus(-u) - b * softplus(u) - (lgamma(a) + lgamma(b) - lgamma(a + b));
    case NS_PSA_UNIFORM: return -softplus(-u) - softplus(u);
    default: return -INFINITY;
    }
}

double ns_imis_log_prior(const ns_param *q, double theta)
{
    return log_prior_u(q, to_u(q, theta));
}

/* A draw of the prior on the sampler's scale, within the allowed range. */
static double draw_prior_u(const ns_param *q, ns_rng *r)
{
    for (int t = 0; t < 1000; t++) {
        double u, x;
        switch (q->psa) {
        case NS_PSA_GAMMA: u = log(ns_rng_gamma(r, q->psa_a, q->psa_b)); break;
        case NS_PSA_BETA:
            x = ns_rng_beta(r, q->psa_a, q->psa_b);
            u = log(x) - log1p(-x);
            break;
        case NS_PSA_UNIFORM:
            x = ns_rng_uniform_pos(r);
            u = log(x) - log1p(-x);
            break;
        default: u = ns_rng_normal(r, q->psa_a, q->psa_b); break;
        }
        if (isfinite(log_prior_u(q, u)))
            return u;
    }
    return NAN;
}

/* Cholesky factor L (lower, row-major) of A + ridge x diag(D); -1 if not
 * positive definite. */
static int cholesky(const double *A, const double *D, double ridge, int d, double *L)
{
    memset(L, 0, sizeof(double) * (size_t)(d * d));
    for (int i = 0; i < d; i++)
        for (int j = 0; j <= i; j++) {
            double s = A[i * d + j] + (i == j ? ridge * D[i] : 0);
            for (int k = 0; k < j; k++)
                s -= L[i * d + k] * L[j * d + k];
            if (i == j) {
                if (!(s > 0))
                    return -1;
                L[i * d + i] = sqrt(s);
            } else
                L[i * d + j] = s / L[j * d + j];
        }
    return 0;
}

/* |L^-1 v|^2 by forward substitution. */
static double maha2(const double *L, const double *v, int d)
{
    double y[MAXD], s2 = 0;
    for (int i = 0; i < d; i++) {
        double s = v[i];
        for (int k = 0; k < i; k++)
            s -= L[i * d + k] * y[k];
        y[i] = s / L[i * d + i];
        s2 += y[i] * y[i];
    }
    return s2;
}

/* A robust factor: the smallest ridge (relative to D) that makes A positive definite. */
static int factor(const double *A, const double *D, int d, double *L)
{
    for (double ridge = 0; ridge < 1e3; ridge = ridge ? ridge * 10 : 1e-10)
        if (!cholesky(A, D, ridge, d, L))
            return 0;
    return -1;
}

typedef struct {
    double mu[MAXD], L[MAXD * MAXD], logdet;
} component;

static double log_normal(const component *c, const double *u, int d)
{
    double v[MAXD];
    for (int i = 0; i < d; i++)
        v[i] = u[i] - c->mu[i];
    return -0.5 * (d * LOG2PI + c->logdet + maha2(c->L, v, d));
}

typedef struct {
    const ns_param *q[MAXD];
    int d, n, n0, per, k, n_extra;
    double *u, *logl, *logpi, *lse, *lw, *w, *extra;
    int *iter;
    ns_imis_loglik_fn loglik;
    void *ctx;
    const ns_ranks *ranks;
    double *row;                /* scratch of the exchange: (2 + n_extra) per point */
} state;

/* Evaluates point i at its u (log prior, likelihood, extras). */
static void evaluate(state *S, int i)
{
    double th[MAXD], lp = 0;
    const double *u = S->u + (size_t)i * S->d;
    for (int j = 0; j < S->d; j++) {
        th[j] = to_theta(S->q[j], u[j]);
        lp += log_prior_u(S->q[j], u[j]);
    }
    S->logpi[i] = lp;
    double *ex = S->extra + (size_t)i * S->n_extra;
    if (lp == -INFINITY) { /* outside the prior's support: weight 0, not run */
        S->logl[i] = -INFINITY;
        memset(ex, 0, sizeof(double) * (size_t)S->n_extra);
        return;
    }
    S->logl[i] = S->loglik(S->ctx, th, ex);
}

/* Evaluates points [i0, i0 + n): over ranks or shards each its share, then
 * every one gets all of them (the sampler then runs alike on every one); a
 * resumed shard replays a batch its shards recorded. */
static int evaluate_batch(state *S, int i0, int n)
{
    const ns_ranks *r = S->ranks;
    if (!r) {
        for (int i = i0; i < i0 + n; i++)
            evaluate(S, i);
        return 0;
    }
    size_t len = 2 + (size_t)S->n_extra;
    int got = r->replay ? r->replay(r->state, S->row, (uint64_t)n, len) : 0;
    if (got < 0)
        return -1;
    uint64_t a = (uint64_t)n * (uint64_t)r->rank / (uint64_t)r->size,
             b = (uint64_t)n * (uint64_t)(r->rank + 1) / (uint64_t)r->size;
    for (uint64_t k = a; k < b && !got; k++) {
        int i = i0 + (int)k;
        evaluate(S, i);
        double *x = S->row + k * len;
        x[0] = S->logpi[i];
        x[1] = S->logl[i];
        memcpy(x + 2, S->extra + (size_t)i * S->n_extra, sizeof *x * (size_t)S->n_extra);
    }
    if (!got && r->exchange(r->state, S->row, (uint64_t)n, len))
        return -1;
    for (int k = 0; k < n; k++) {
        const double *x = S->row + (size_t)k * len;
        S->logpi[i0 + k] = x[0];
        S->logl[i0 + k] = x[1];
        memcpy(S->extra + (size_t)(i0 + k) * S->n_extra, x + 2, sizeof *x * (size_t)S->n_extra);
    }
    return 0;
}

/* Importance weights over the n points with k components; returns the ESS
 * and sets *max_w and *log_ev (log of the mean unnormalised weight). */
static double weights(state *S, double *max_w, double *log_ev)
{
    double lnorm = log((double)S->n0 + (double)S->k * S->per), top = -INFINITY;
    for (int i = 0; i < S->n; i++) {
        double lq = logaddexp(log((double)S->n0) + S->logpi[i],
                              S->k ? log((double)S->per) + S->lse[i] : -INFINITY) - lnorm;
        S->lw[i] = S->logl[i] == -INFINITY || S->logpi[i] == -INFINITY
                       ? -INFINITY
                       : S->logl[i] + S->logpi[i] - lq;
        top = S->lw[i] > top ? S->lw[i] : top;
    }
    double sum = 0, sq = 0, mx = 0;
    for (int i = 0; i < S->n; i++)
        sum += (S->w[i] = top == -INFINITY ? 0 : exp(S->lw[i] - top));
    for (int i = 0; i < S->n; i++) {
        S->w[i] = sum > 0 ? S->w[i] / sum : 0;
        sq += S->w[i] * S->w[i];
        mx = S->w[i] > mx ? S->w[i] : mx;
    }
    *max_w = mx;
    *log_ev = top + log(sum) - log((double)S->n);
    return sq > 0 ? 1 / sq : 0;
}

typedef struct {
    double dist;
    int i;
} ranked;

static int by_distance(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The next component: centred on the largest weight, with the weighted
 * covariance of its `per` nearest points. */
static int next_component(state *S, const double *L0, const double *D0, ranked *rk,
                          component *c)
{
    int d = S->d, best = 0;
    for (int i = 1; i < S->n; i++)
        if (S->w[i] > S->w[best])
            best = i;
    const double *ub = S->u + (size_t)best * d;
    for (int i = 0; i < S->n; i++) {
        double v[MAXD];
        for (int j = 0; j < d; j++)
            v[j] = S->u[(size_t)i * d + j] - ub[j];
        rk[i].dist = maha2(L0, v, d);
        rk[i].i = i;
    }
    qsort(rk, (size_t)S->n, sizeof *rk, by_distance);
    int b = S->per < S->n ? S->per : S->n;
    double cov[MAXD * MAXD] = {0}, tot = 0;
    for (int r = 0; r < b; r++) {
        int i = rk[r].i;
        double om = (S->w[i] + 1.0 / S->n) / 2, v[MAXD];
        for (int j = 0; j < d; j++)
            v[j] = S->u[(size_t)i * d + j] - ub[j];
        for (int x = 0; x < d; x++)
            for (int y = 0; y < d; y++)
                cov[x * d + y] += om * v[x] * v[y];
        tot += om;
    }
    for (int x = 0; x < d * d; x++)
        cov[x] /= tot;
    memcpy(c->mu, ub, sizeof(double) * (size_t)d);
    if (factor(cov, D0, d, c->L))
        return -1;
    c->logdet = 0;
    for (int j = 0; j < d; j++)
        c->logdet += 2 * log(c->L[j * d + j]);
    return 0;
}

void ns_imis_result_free(ns_imis_result *r)
{
    free(r->theta);
    free(r->loglik);
    free(r->log_prior);
    free(r->weight);
    free(r->iteration);
    free(r->extra);
    free(r->ess);
    free(r->max_weight);
    free(r->log_evidence);
    free(r->n_points);
    memset(r, 0, sizeof *r);
}

static void free_state(state *S)
{
    free(S->u);
    free(S->logl);
    free(S->logpi);
    free(S->lse);
    free(S->lw);
    free(S->w);
    free(S->extra);
    free(S->iter);
    free(S->row);
}

/* Copies the state into the result. */
static void finish(state *S, ns_imis_result *out)
{
    out->d = S->d;
    out->n = S->n;
    for (int i = 0; i < S->n; i++)
        for (int j = 0; j < S->d; j++)
            out->theta[(size_t)i * S->d + j] = to_theta(S->q[j], S->u[(size_t)i * S->d + j]);
    memcpy(out->loglik, S->logl, sizeof(double) * (size_t)S->n);
    memcpy(out->log_prior, S->logpi, sizeof(double) * (size_t)S->n);
    memcpy(out->weight, S->w, sizeof(double) * (size_t)S->n);
    memcpy(out->iteration, S->iter, sizeof(int) * (size_t)S->n);
    out->n_extra = S->n_extra;
    memcpy(out->extra, S->extra, sizeof(double) * (size_t)S->n * (size_t)S->n_extra);
}

int ns_imis_run(const ns_scenario *s, const int *param, int d, const ns_imis_settings *set,
                uint64_t seed, ns_imis_loglik_fn loglik, void *ctx, int n_extra,
                ns_imis_progress_fn progress, void *progress_ctx, const ns_ranks *ranks,
                ns_imis_result *out)
{
    memset(out, 0, sizeof *out);
    if (d < 1 || d > MAXD)
        return -1;
    state S = {.d = d, .n0 = set->initial, .per = set->per_iteration, .n_extra = n_extra,
               .loglik = loglik, .ctx = ctx, .ranks = ranks};
    for (int j = 0; j < d; j++)
        S.q[j] = &s->param[param[j]];
    size_t cap = (size_t)set->initial + (size_t)set->max_iterations * (size_t)set->per_iteration;
    size_t it_cap = (size_t)set->max_iterations + 1;
    S.u = malloc(cap * d * sizeof *S.u);
    S.logl = malloc(cap * sizeof(double));
    S.logpi = malloc(cap * sizeof(double));
    S.lse = malloc(cap * sizeof(double));
    S.lw = malloc(cap * sizeof(double));
    S.w = malloc(cap * sizeof(double));
    S.extra = malloc(cap * (size_t)(n_extra > 0 ? n_extra : 1) * sizeof(double));
    S.iter = malloc(cap * sizeof(int));
    size_t batch = (size_t)(set->initial > set->per_iteration ? set->initial : set->per_iteration);
    S.row = malloc((batch + 1) * (2 + (size_t)(n_extra > 0 ? n_extra : 0)) * sizeof(double));
    ranked *rk = malloc(cap * sizeof *rk);
    component *comp = malloc(it_cap * sizeof *comp);
    out->theta = malloc(cap * d * sizeof(double));
    out->loglik = malloc(cap * sizeof(double));
    out->log_prior = malloc(cap * sizeof(double));
    out->weight = malloc(cap * sizeof(double));
    out->iteration = malloc(cap * sizeof(int));
    out->extra = malloc(cap * (size_t)(n_extra > 0 ? n_extra : 1) * sizeof(double));
    out->ess = malloc(it_cap * sizeof(double));
    out->max_weight = malloc(it_cap * sizeof(double));
    out->log_evidence = malloc(it_cap * sizeof(double));
    out->n_points = malloc(it_cap * sizeof(int));
    int rc = 0;
    if (!S.u || !S.logl || !S.logpi || !S.lse || !S.lw || !S.w || !S.extra || !S.iter || !S.row || !rk || !comp ||
        !out->theta || !out->loglik || !out->log_prior || !out->weight || !out->iteration ||
        !out->extra || !out->ess || !out->max_weight || !out->log_evidence || !out->n_points)
        rc = -1;
    /* the prior sample */
    for (int i = 0; i < S.n0 && !rc; i++) {
        for (int j = 0; j < d && !rc; j++) {
            ns_rng r = ns_rng_for(seed, (uint64_t)i, NS_RNG_PSA, KEY_PRIOR + (uint64_t)param[j]);
            double u = draw_prior_u(S.q[j], &r);
            S.u[(size_t)i * d + j] = u;
            rc = isnan(u) ? -1 : 0;
        }
        if (rc)
            break;
        S.lse[i] = -INFINITY;
        S.iter[i] = 0;
    }
    if (!rc && evaluate_batch(&S, 0, S.n0))
        rc = -1;
    S.n = rc ? 0 : S.n0;
    /* the prior sample's covariance: the metric of "nearest" */
    double mean[MAXD] = {0}, cov0[MAXD * MAXD] = {0}, D0[MAXD], L0[MAXD * MAXD];
    for (int i = 0; i < S.n && !rc; i++)
        for (int j = 0; j < d; j++)
            mean[j] += S.u[(size_t)i * d + j] / S.n;
    for (int i = 0; i < S.n && !rc; i++)
        for (int x = 0; x < d; x++)
            for (int y = 0; y < d; y++)
                cov0[x * d + y] += (S.u[(size_t)i * d + x] - mean[x]) *
                                   (S.u[(size_t)i * d + y] - mean[y]) / (S.n - 1);
    for (int j = 0; j < d; j++)
        D0[j] = cov0[j * d + j] > 0 ? cov0[j * d + j] : 1;
    if (!rc && factor(cov0, D0, d, L0))
        rc = -1;
    int it = 0;
    while (!rc) {
        double mx, lev, ess = weights(&S, &mx, &lev);
        out->ess[it] = ess;
        out->max_weight[it] = mx;
        out->log_evidence[it] = lev;
        out->n_points[it] = S.n;
        out->n_iter = it + 1;
        if (progress)
            progress(progress_ctx, it, S.n, ess);
        if (ess >= set->target_ess || it >= set->max_iterations)
            break;
        component *c = &comp[it];
        if (next_component(&S, L0, D0, rk, c)) {
            rc = -1;
            break;
        }
        it++;
        S.k = it;
        for (int i = 0; i < S.n; i++)
            S.lse[i] = logaddexp(S.lse[i], log_normal(c, S.u + (size_t)i * d, d));
        for (int b = 0; b < S.per; b++) {
            int i = S.n + b;
            ns_rng r = ns_rng_for(seed, (uint64_t)i, NS_RNG_PSA, KEY_MIXTURE);
            double z[MAXD];
            for (int j = 0; j < d; j++)
                z[j] = ns_rng_normal(&r, 0, 1);
            for (int j = 0; j < d; j++) {
                double v = c->mu[j];
                for (int k = 0; k <= j; k++)
                    v += c->L[j * d + k] * z[k];
                S.u[(size_t)i * d + j] = v;
            }
            S.iter[i] = it;
            /* its density under every component so far */
            S.lse[i] = -INFINITY;
            for (int k = 0; k < it; k++)
                S.lse[i] = logaddexp(S.lse[i], log_normal(&comp[k], S.u + (size_t)i * d, d));
        }
        if (evaluate_batch(&S, S.n, S.per)) {
            rc = -1;
            break;
        }
        S.n += S.per;
    }
    if (!rc)
        finish(&S, out);
    free(rk);
    free(comp);
    free_state(&S);
    if (rc)
        ns_imis_result_free(out);
    return rc;
}

double ns_weighted_quantile(const double *x, int stride, const double *w, int n, double q)
{
    ranked *r = malloc((size_t)n * sizeof *r);
    if (!r || n < 1) {
        free(r);
        return NAN;
    }
    for (int i = 0; i < n; i++)
        r[i].dist = x[(size_t)i * stride], r[i].i = i;
    qsort(r, (size_t)n, sizeof *r, by_distance);
    double acc = 0, v = r[n - 1].dist;
    for (int k = 0; k < n; k++) {
        acc += w[r[k].i];
        if (acc >= q) {
            v = r[k].dist;
            break;
        }
    }
    free(r);
    return v;
}
