/* Regression EVPPI (engine/evppi.h). */
#include "netsurv/engine/evppi.h"
#include "netsurv/numeric/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NKNOTS 6 /* interior knots per parameter: a basis of 3 + NKNOTS columns */
#define PER (3 + NKNOTS)

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Cholesky of the m x m symmetric positive definite a (lower, in place); -1 if not. */
static int cholesky(double *a, int m)
{
    for (int j = 0; j < m; j++) {
        double d = a[j * m + j];
        for (int k = 0; k < j; k++)
            d -= a[j * m + k] * a[j * m + k];
        if (!(d > 0))
            return -1;
        d = sqrt(d);
        a[j * m + j] = d;
        for (int i = j + 1; i < m; i++) {
            double s = a[i * m + j];
            for (int k = 0; k < j; k++)
                s -= a[i * m + k] * a[j * m + k];
            a[i * m + j] = s / d;
        }
    }
    return 0;
}

/* Solves L L' z = b in place. */
static void chol_solve(const double *l, int m, double *b)
{
    for (int i = 0; i < m; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= l[i * m + k] * b[k];
        b[i] = s / l[i * m + i];
    }
    for (int i = m - 1; i >= 0; i--) {
        double s = b[i];
        for (int k = i + 1; k < m; k++)
            s -= l[k * m + i] * b[k];
        b[i] = s / l[i * m + i];
    }
}

/* The basis: an intercept, then per parameter x, x^2, x^3 and (x - knot)^3_+
 * on x scaled to [0, 1]; pen[j] = 1 for the columns the penalty shrinks. */
static int build_basis(const double *x, int K, int P, const int *cols, int p, double *B, int *m,
                       double *pen, double *sorted)
{
    int c = 1;
    for (int k = 0; k < K; k++)
        B[(size_t)k * (size_t)*m] = 1;
    pen[0] = 0;
    for (int j = 0; j < p; j++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int k = 0; k < K; k++) {
            double v = x[(size_t)k * P + cols[j]];
            lo = v < lo ? v : lo, hi = v > hi ? v : hi;
        }
        if (!(hi > lo))
            continue; /* a parameter that does not vary explains nothing */
        for (int k = 0; k < K; k++)
            sorted[k] = (x[(size_t)k * P + cols[j]] - lo) / (hi - lo);
        qsort(sorted, (size_t)K, sizeof *sorted, cmp_double);
        double knot[NKNOTS];
        for (int q = 0; q < NKNOTS; q++)
            knot[q] = sorted[(size_t)((double)(q + 1) / (NKNOTS + 1) * (K - 1))];
        for (int k = 0; k < K; k++) {
            double u = (x[(size_t)k * P + cols[j]] - lo) / (hi - lo);
            double *row = B + (size_t)k * (size_t)*m + c;
            row[0] = u - 0.5, row[1] = (u - 0.5) * (u - 0.5), row[2] = row[1] * (u - 0.5);
            for (int q = 0; q < NKNOTS; q++) {
                double d = u > knot[q] ? u - knot[q] : 0;
                row[3 + q] = d * d * d;
            }
        }
        for (int q = 0; q < PER; q++)
            pen[c + q] = q >= 1; /* the linear term unpenalised */
        c += PER;
    }
    if (c == 1)
        return -1;
    *m = c;
    return 0;
}

/* Fits each of the T series ys[t][0..K) on the first m columns of B (row
 * stride ld) by penalised least squares, each with its own lambda by GCV
 * from one grid; the basis is shared, so each lambda's factorisation and
 * degrees of freedom are computed once for all series. Per series: fitted
 * values f[t * K ..], coefficients beta[t * m ..], its lambda's index
 * which[t] and the residual variance sigma2[t]; the Cholesky factor of
 * (B'B + lambda P) for lambda index e in l[e * m * m ..] (NLAMBDA of them). */
#define NLAMBDA 13
static int fit_all(const double *B, int ld, int K, int m, const double *pen, const double *btb,
                   const double *const *ys, int T, double *f, double *beta, double *l,
                   int *which, double *sigma2)
{
    double *bty = malloc(sizeof *bty * (size_t)m * T), *tmp = malloc(sizeof *tmp * (size_t)m);
    double *lc = malloc(sizeof *lc * (size_t)m * m), *b = malloc(sizeof *b * (size_t)m);
    double *best = malloc(sizeof *best * (size_t)T), *fk = malloc(sizeof *fk * (size_t)K);
    int *best_e = malloc(sizeof *best_e * (size_t)T), rc = 0;
    if (!bty || !tmp || !lc || !b || !best || !fk || !best_e)
        rc = -1;
    for (int s = 0; !rc && s < T; s++) {
        best[s] = INFINITY, best_e[s] = -100;
        for (int j = 0; j < m; j++) {
            double acc = 0;
            for (int k = 0; k < K; k++)
                acc += B[(size_t)k * ld + j] * ys[s][k];
            bty[(size_t)s * m + j] = acc;
        }
    }
    double scale = 0;
    for (int j = 0; j < m; j++)
        scale += btb[j * m + j] / m;
    /* pass 0: GCV of every series at every lambda; pass 1: each at its best */
    for (int pass = 0; !rc && pass < 2; pass++)
        for (int e = -9; e <= 3; e++) {
            int used = 0;
            for (int s = 0; s < T; s++)
                used |= !pass || best_e[s] == e;
            if (!used)
                continue;
            double lambda = scale * pow(10, e);
            for (int i = 0; i < m * m; i++)
                lc[i] = btb[i];
            for (int j = 0; j < m; j++)
                lc[j * m + j] += lambda * pen[j] + 1e-12 * scale;
            if (cholesky(lc, m))
                continue;
            double df = 0; /* trace((B'B + lambda P)^-1 B'B) */
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < m; i++)
                    tmp[i] = btb[i * m + j];
                chol_solve(lc, m, tmp);
                df += tmp[j];
            }
            if (!(K - df > 1))
                continue;
            for (int s = 0; s < T; s++) {
                if (pass && best_e[s] != e)
                    continue;
                memcpy(b, bty + (size_t)s * m, sizeof *b * (size_t)m);
                chol_solve(lc, m, b);
                double rss = 0;
                for (int k = 0; k < K; k++) {
                    double v = 0;
                    for (int j = 0; j < m; j++)
                        v += B[(size_t)k * ld + j] * b[j];
                    fk[k] = v;
                    rss += (ys[s][k] - v) * (ys[s][k] - v);
                }
                if (!pass) {
                    double gcv = K * rss / ((K - df) * (K - df));
                    if (gcv < best[s])
                        best[s] = gcv, best_e[s] = e;
                    continue;
                }
                memcpy(f + (size_t)s * K, fk, sizeof *fk * (size_t)K);
                memcpy(beta + (size_t)s * m, b, sizeof *b * (size_t)m);
                memcpy(l + (size_t)(e + 9) * m * m, lc, sizeof *lc * (size_t)m * m);
                which[s] = e + 9;
                sigma2[s] = rss / (K - df);
            }
        }
    for (int s = 0; !rc && s < T; s++)
        if (best_e[s] == -100)
            rc = -1; /* no lambda gave a positive definite system */
    free(bty), free(tmp), free(lc), free(b), free(best), free(fk), free(best_e);
    return rc;
}

/* mean_k max_i (wtp e_ki - c_ki) - max_i mean_k (wtp e_ki - c_ki) */
static double value_of(const double *fc, const double *fe, int K, int S, double wtp,
                       double *mean)
{
    for (int i = 0; i < S; i++)
        mean[i] = 0;
    double top = 0;
    for (int k = 0; k < K; k++) {
        double mx = -INFINITY;
        for (int i = 0; i < S; i++) {
            double v = wtp * fe[(size_t)i * K + k] - fc[(size_t)i * K + k];
            mean[i] += v;
            mx = v > mx ? v : mx;
        }
        top += mx;
    }
    double mm = -INFINITY;
    for (int i = 0; i < S; i++)
        mm = mean[i] > mm ? mean[i] : mm;
    double v = (top - mm) / K;
    return v > 0 ? v : 0;
}

int ns_evppi_min_draws(int p)
{
    return 2 * (1 + PER * p);
}

int ns_evppi_sets(const double *x, int K, int P, const int *cols, int p, int nsets,
                  const double *const *costs, const double *const *effects, int S,
                  const double *wtp, int W, uint64_t seed, double *evppi, double *se)
{
    if (p < 1 || p > NS_EVPPI_MAX_PARAMS || S < 1 || W < 1 || nsets < 1)
        return -1;
    int mmax = 1 + PER * p;
    if (K < ns_evppi_min_draws(p))
        return -1;
    int m = mmax, rc = 0;
    size_t Ks = (size_t)K;
    double *B = malloc(sizeof *B * Ks * (size_t)mmax), *pen = malloc(sizeof *pen * (size_t)mmax);
    double *sorted = malloc(sizeof *sorted * Ks), *btb = malloc(sizeof *btb * (size_t)mmax * mmax);
    size_t TS = 2 * (size_t)S * nsets; /* series: per set, each strategy's cost then effect */
    double *fc = malloc(sizeof *fc * Ks * TS);
    int *which = malloc(sizeof *which * TS);
    double *beta = malloc(sizeof *beta * (size_t)mmax * TS);
    double *chol = malloc(sizeof *chol * (size_t)mmax * mmax * NLAMBDA);
    double *sig = malloc(sizeof *sig * TS), *mean = malloc(sizeof *mean * (size_t)S);
    if (!B || !pen || !sorted || !btb || !fc || !which || !beta || !chol || !sig || !mean ||
        build_basis(x, K, P, cols, p, B, &m, pen, sorted))
        rc = -1;
    if (!rc) { /* B was written with row stride mmax; m columns are used */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int k = 0; k < K; k++)
                    s += B[(size_t)k * mmax + i] * B[(size_t)k * mmax + j];
                btb[i * m + j] = s;
            }
    }
    if (!rc) { /* the cost of each strategy, then its effect: one series each, less the
                * first strategy's in the same draw (as voi regresses incremental net benefit:
                * what all strategies share in a draw, e.g. the cohort's QALYs, is no noise in
                * their differences), so the first strategy's series is 0 */
        const double **ys = malloc(sizeof *ys * TS);
        double *yy = malloc(sizeof *yy * Ks * TS);
        rc = !ys || !yy;
        for (size_t t = 0; !rc && t < TS; t++) {
            size_t q = t / (2 * (size_t)S), u = t % (2 * (size_t)S);
            const double *src = u < (size_t)S ? costs[q] : effects[q];
            for (int k = 0; k < K; k++)
                yy[t * K + k] = src[(size_t)k * S + u % (size_t)S] - src[(size_t)k * S];
            ys[t] = yy + t * K;
        }
        /* series t's fitted values at fc + t * K: a set's costs, then its effects */
        rc = rc || fit_all(B, mmax, K, m, pen, btb, ys, (int)TS, fc, beta, chol, which, sig);
        free(ys);
        free(yy);
    }
    for (int q = 0; !rc && evppi && q < nsets; q++) {
        const double *qc = fc + (size_t)q * 2 * S * K;
        for (int w = 0; w < W; w++)
            evppi[(size_t)q * W + w] = value_of(qc, qc + (size_t)S * K, K, S, wtp[w], mean);
    }
    if (!rc && se) {
        /* coefficients drawn from N(beta, sigma^2 (B'B + lambda P)^-1) */
        double *sum = calloc((size_t)W * nsets, sizeof *sum);
        double *sq = calloc((size_t)W * nsets, sizeof *sq);
        double *bb = malloc(sizeof *bb * (size_t)m), *z = malloc(sizeof *z * (size_t)m);
        double *gc = malloc(sizeof *gc * Ks * S * 2), *ge = gc ? gc + Ks * S : NULL;
        rc = !sum || !sq || !bb || !z || !gc;
        ns_rng r = ns_rng_for(seed, 0, NS_RNG_PSA, 0x65767070ULL);
        for (int q = 0; !rc && q < nsets; q++)
        for (int d = 0; d < NS_EVPPI_SE_DRAWS; d++) {
            for (int u = 0; u < 2 * S; u++) {
                size_t t = (size_t)q * 2 * S + (size_t)u;
                const double *l = chol + (size_t)which[t] * m * m;
                for (int j = 0; j < m; j++)
                    z[j] = ns_rng_normal(&r, 0, 1);
                /* L' u = z gives u ~ N(0, (L L')^-1) */
                for (int i = m - 1; i >= 0; i--) {
                    double s = z[i];
                    for (int k = i + 1; k < m; k++)
                        s -= l[k * m + i] * z[k];
                    z[i] = s / l[i * m + i];
                }
                double sd = sqrt(sig[t]);
                for (int j = 0; j < m; j++)
                    bb[j] = beta[(size_t)t * m + j] + sd * z[j];
                double *g = (u < S ? gc : ge) + (size_t)(u % S) * K;
                for (int k = 0; k < K; k++) {
                    double s = 0;
                    for (int j = 0; j < m; j++)
                        s += B[(size_t)k * mmax + j] * bb[j];
                    g[k] = s;
                }
            }
            for (int w = 0; w < W; w++) {
                double v = value_of(gc, ge, K, S, wtp[w], mean);
                sum[(size_t)q * W + w] += v, sq[(size_t)q * W + w] += v * v;
            }
        }
        for (size_t w = 0; !rc && w < (size_t)W * nsets; w++) {
            double mu = sum[w] / NS_EVPPI_SE_DRAWS;
            double var = sq[w] / NS_EVPPI_SE_DRAWS - mu * mu;
            se[w] = var > 0 ? sqrt(var) : 0;
        }
        free(sum), free(sq), free(bb), free(z), free(gc);
    }
    free(B), free(pen), free(sorted), free(btb), free(fc), free(which), free(beta);
    free(chol), free(sig), free(mean);
    return rc ? -1 : 0;
}

int ns_evppi(const double *x, int K, int P, const int *cols, int p, const double *cost,
             const double *effect, int S, const double *wtp, int W, uint64_t seed, double *evppi,
             double *se)
{
    return ns_evppi_sets(x, K, P, cols, p, 1, &cost, &effect, S, wtp, W, seed, evppi, se);
}

const char *const ns_evppi_group_name[NS_EVPPI_NGROUPS] = {
    "natural_history", "cohort", "test_accuracy", "treatment_effect", "costs", "utilities",
    "follow_up_other"};

int ns_evppi_group_of(const char *path)
{
    if (strstr(path, "cost"))
        return 4;
    if (!strncmp(path, "utilities.", 10))
        return 5;
    if (!strncmp(path, "modalities.", 11))
        return 2;
    if (!strncmp(path, "follow_up.treatment_effect.", 27) || !strncmp(path, "treatments.", 11))
        return 3;
    if (!strncmp(path, "cohort.", 7))
        return 1;
    if (!strncmp(path, "metastasis.", 11) || !strncmp(path, "residual.", 9) ||
        !strncmp(path, "timing.", 7) || !strncmp(path, "growth.", 7) ||
        !strncmp(path, "symptoms.", 9) || !strncmp(path, "other_cause_death.", 18))
        return 0;
    return 6;
}
