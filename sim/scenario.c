/* Scenario loading and checking: YAML tree -> ns_scenario. */
#include "netsurv/scenario.h"
#include "netsurv/rng.h"
#include "netsurv/yamltree.h"
#include "scenario_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ns_group_label[NS_NGROUPS] = {
    "all", "size<10", "size10-19.9", "size>=20", "G1", "G2", "G3",
    "LVI+", "LVI-", "R0", "R1", "Rx"};

int ns_group_index(const char *label)
{
    for (int i = 0; i < NS_NGROUPS; i++)
        if (strcmp(label, ns_group_label[i]) == 0)
            return i;
    return -1;
}


/* Records "FILE:LINE:COLUMN: path: message" at node n. */
void ns__err_at(ld *L, const ns_ynode *n, const char *path, const char *fmt, ...)
{
    if (L->e->n >= NS_MAX_ERRORS)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(L->e->msg[L->e->n++], sizeof L->e->msg[0], "%s:%d:%d: %s: %s", n->file, n->line,
             n->col, path, msg);
}

/* out = parent.key (truncated to PATHLEN). */
void ns__join(char *out, const char *parent, const char *key)
{
    int k = snprintf(out, PATHLEN, "%s%s%s", parent, parent[0] ? "." : "", key);
    if (k >= PATHLEN)
        out[PATHLEN - 1] = '\0';
}

const char *ns__kind_name(ns_ykind k)
{
    return k == NS_Y_MAP ? "a mapping" : k == NS_Y_SEQ ? "a list" : "a single value";
}

/* Child `key` of map, required to be of kind `kind`. NULL (and a message
 * when required) if missing or of the wrong kind. */
ns_ynode *ns__child(ld *L, ns_ynode *map, const char *parent, const char *key, ns_ykind kind,
                       int required)
{
    char path[PATHLEN];
    ns__join(path, parent, key);
    ns_ynode *n = ns_ymap_get(map, key);
    if (!n) {
        if (required)
            ns__err_at(L, map, path, "missing required key '%s'", key);
        return NULL;
    }
    if (n->kind != kind) {
        ns__err_at(L, n, path, "expected %s, found %s", ns__kind_name(kind), ns__kind_name(n->kind));
        return NULL;
    }
    return n;
}

/* Parses a scalar as a finite number. */
int ns__to_number(ld *L, const ns_ynode *n, const char *path, double *out)
{
    char *end;
    if (n->kind != NS_Y_SCALAR) {
        ns__err_at(L, n, path, "expected a number, found %s", ns__kind_name(n->kind));
        return -1;
    }
    double v = strtod(n->text, &end);
    if (n->quoted || end == n->text || *end || !isfinite(v)) {
        ns__err_at(L, n, path, "expected a number, found '%s'", n->text);
        return -1;
    }
    *out = v;
    return 0;
}

int ns__check_range(ld *L, const ns_ynode *n, const char *path, double v, double lo, double hi)
{
    if (v >= lo && v <= hi)
        return 0;
    if (lo == 0 && hi == 1)
        ns__err_at(L, n, path, "%g is outside [0, 1] (a probability or share)", v);
    else if (isinf(hi))
        ns__err_at(L, n, path, "%g is below the minimum %g", v, lo);
    else
        ns__err_at(L, n, path, "%g is outside [%g, %g]", v, lo, hi);
    return -1;
}

static void register_param(ld *L, const char *path, double *v, double lo, double hi,
                           const ns_ynode *n)
{
    ns_scenario *s = L->s;
    if (s->n_params >= NS_MAX_PARAMS) {
        ns__err_at(L, n, path, "more than %d parameters in one scenario", NS_MAX_PARAMS);
        return;
    }
    ns_param *p = &s->param[s->n_params++];
    snprintf(p->path, sizeof p->path, "%s", path);
    p->offset = (size_t)((char *)v - (char *)s);
    p->lo = lo;
    p->hi = hi;
    p->file = n->file;
    p->line = n->line;
    p->col = n->col;
}

/* The `value` node of parameter mapping `key`, after checking that the
 * mapping names its source or says it is an assumption; *unc is the
 * mapping itself, for its optional `psa:` and `range:`. */
static ns_ynode *param_value(ld *L, ns_ynode *map, const char *parent, const char *key,
                             char *path, ns_ynode **unc)
{
    ns__join(path, parent, key);
    ns_ynode *p = ns__child(L, map, parent, key, NS_Y_MAP, 1);
    *unc = p;
    if (!p)
        return NULL;
    ns_ymap_get(p, "psa");
    ns_ymap_get(p, "range");
    ns_ynode *src = ns_ymap_get(p, "source"), *asm_ = ns_ymap_get(p, "assumption");
    ns_ymap_get(p, "note");
    const ns_ynode *why = src ? src : asm_;
    if (!why)
        ns__err_at(L, p, path, "every parameter needs 'source:' or 'assumption:'");
    else if (why->kind != NS_Y_SCALAR || !why->text[0])
        ns__err_at(L, why, path, "'%s' must be a non-empty text", src ? "source" : "assumption");
    ns_ynode *v = ns_ymap_get(p, "value");
    if (!v)
        ns__err_at(L, p, path, "missing required key 'value'");
    /* a misspelt key here (`sorce:`) is reported with the missing source,
     * not only when the file has no other error */
    for (size_t i = 0; i < p->n; i++)
        if (!p->used[i]) {
            char kp[PATHLEN];
            ns__join(kp, path, p->keys[i]->text);
            ns__err_at(L, p->keys[i], kp, "unknown key '%s'", p->keys[i]->text);
            p->used[i] = 1;
        }
    return v;
}

static const char *const psa_words[] = {"fixed", "beta", "gamma", "lognormal", "normal",
                                        "uniform", "dirichlet"};

/* A number under `key` of the psa mapping, or `fallback` when absent. */
static int psa_number(ld *L, ns_ynode *m, const char *path, const char *key, double fallback,
                      double *out)
{
    char p[PATHLEN];
    ns__join(p, path, key);
    ns_ynode *n = ns_ymap_get(m, key);
    *out = fallback;
    return n ? ns__to_number(L, n, p, out) : 0;
}

/* Fills the psa_* fields of q from a {distribution: ..., mean/sd | alpha/beta
 * | low/high | concentration} mapping; `mean` defaults to the value. */
static int psa_spec(ld *L, ns_ynode *m, const char *path, ns_param *q, double value, int list)
{
    int kind;
    if (m->kind != NS_Y_MAP) {
        ns__err_at(L, m, path, "expected a mapping such as {distribution: beta, sd: 0.05}");
        return -1;
    }
    if (ns__choice(L, m, path, "distribution", psa_words, 7, &kind))
        return -1;
    q->psa = kind + NS_PSA_FIXED;
    if ((q->psa == NS_PSA_DIRICHLET) != list) {
        ns__err_at(L, m, path, list ? "a list parameter takes only distribution: dirichlet"
                                    : "dirichlet is for lists of shares");
        return -1;
    }
    double mean, sd, a, b;
    if (psa_number(L, m, path, "mean", value, &mean) || psa_number(L, m, path, "sd", NAN, &sd) ||
        psa_number(L, m, path, "low", NAN, &a) || psa_number(L, m, path, "high", NAN, &b))
        return -1;
    switch (q->psa) {
    case NS_PSA_FIXED:
        return 0;
    case NS_PSA_UNIFORM:
        q->psa_a = a, q->psa_b = b;
        if (a < b && a >= q->lo && b <= q->hi)
            return 0;
        ns__err_at(L, m, path, "uniform needs low < high within [%g, %g]", q->lo, q->hi);
        return -1;
    case NS_PSA_DIRICHLET:
        if (psa_number(L, m, path, "concentration", NAN, &q->psa_a) || !(q->psa_a > 0)) {
            ns__err_at(L, m, path, "dirichlet needs concentration > 0 (alpha_i = value_i x it)");
            return -1;
        }
        return 0;
    default:
        break;
    }
    /* a mean taken from a value on the boundary (a probability of 0 or 1,
     * a cost of 0, e.g. after --set) is the distribution's point-mass limit */
    if (!ns_ymap_get(m, "mean") && q->psa != NS_PSA_NORMAL &&
        (mean == 0 || (q->psa == NS_PSA_BETA && mean == 1))) {
        q->psa = NS_PSA_FIXED;
        return 0;
    }
    if (!(sd > 0) || (q->psa != NS_PSA_NORMAL && !(mean > 0))) {
        ns__err_at(L, m, path, "%s needs sd > 0%s", psa_words[q->psa - 1],
                   q->psa == NS_PSA_NORMAL ? "" : " and a positive mean");
        return -1;
    }
    if (q->psa == NS_PSA_BETA) {
        double k = mean * (1 - mean) / (sd * sd) - 1;
        if (!(mean < 1) || !(k > 0)) {
            ns__err_at(L, m, path, "beta needs 0 < mean < 1 and sd^2 < mean (1 - mean)");
            return -1;
        }
        q->psa_a = mean * k, q->psa_b = (1 - mean) * k;
    } else if (q->psa == NS_PSA_GAMMA)
        q->psa_a = mean * mean / (sd * sd), q->psa_b = sd * sd / mean;
    else if (q->psa == NS_PSA_LOGNORMAL) {
        double s2 = log1p(sd * sd / (mean * mean));
        q->psa_a = log(mean) - s2 / 2, q->psa_b = sqrt(s2);
    } else
        q->psa_a = mean, q->psa_b = sd;
    return 0;
}

/* `range: [low, high]` for one-way sensitivity analysis. */
static int owsa_range(ld *L, ns_ynode *r, const char *path, ns_param *q)
{
    if (r->kind != NS_Y_SEQ || r->n != 2) {
        ns__err_at(L, r, path, "expected [low, high]");
        return -1;
    }
    if (ns__to_number(L, r->items[0], path, &q->range_lo) ||
        ns__to_number(L, r->items[1], path, &q->range_hi))
        return -1;
    if (!(q->range_lo <= q->range_hi) || q->range_lo < q->lo || q->range_hi > q->hi) {
        ns__err_at(L, r, path, "need low <= high within [%g, %g]", q->lo, q->hi);
        return -1;
    }
    q->has_range = 1;
    return 0;
}

/* The optional psa: and range: of parameter mapping unc, for the n
 * registered parameters ending at the last one registered. */
static int uncertainty(ld *L, ns_ynode *unc, const char *path, int n, double value)
{
    ns_scenario *s = L->s;
    ns_ynode *psa = ns_ymap_get(unc, "psa"), *range = ns_ymap_get(unc, "range");
    if ((!psa && !range) || s->n_params < n)
        return 0;
    char p[PATHLEN];
    int first = s->n_params - n, rc = 0;
    if (range && n > 1) {
        ns__join(p, path, "range");
        ns__err_at(L, range, p, "range is for single values, not lists");
        return -1;
    }
    if (range) {
        ns__join(p, path, "range");
        rc |= owsa_range(L, range, p, &s->param[first]);
    }
    if (psa) {
        ns__join(p, path, "psa");
        ns_param *q = &s->param[first];
        rc |= psa_spec(L, psa, p, q, value, n > 1);
        for (int i = 0; i < n; i++) {
            s->param[first + i].psa = q->psa;
            s->param[first + i].psa_a = q->psa_a;
            s->param[first + i].psa_b = q->psa_b;
            s->param[first + i].group = first;
            s->param[first + i].group_n = n;
        }
    }
    return rc;
}

/* A scalar parameter in [lo, hi]. */
int ns__param(ld *L, ns_ynode *map, const char *parent, const char *key, double *out,
                 double lo, double hi)
{
    char path[PATHLEN], vpath[PATHLEN];
    ns_ynode *unc;
    ns_ynode *v = param_value(L, map, parent, key, path, &unc);
    if (!v)
        return -1;
    ns__join(vpath, path, "value");
    if (ns__to_number(L, v, vpath, out) || ns__check_range(L, v, vpath, *out, lo, hi))
        return -1;
    register_param(L, path, out, lo, hi, v);
    return uncertainty(L, unc, path, 1, *out);
}

/* A list parameter of exactly n values (or 2..max when n == 0, count in *got). */
int ns__param_list(ld *L, ns_ynode *map, const char *parent, const char *key, double *out,
                      int n, int max, int *got, double lo, double hi)
{
    char path[PATHLEN], vpath[PATHLEN], ipath[PATHLEN + 24];
    ns_ynode *unc;
    ns_ynode *v = param_value(L, map, parent, key, path, &unc);
    if (!v)
        return -1;
    ns__join(vpath, path, "value");
    if (v->kind != NS_Y_SEQ) {
        ns__err_at(L, v, vpath, "expected a list of numbers, found %s", ns__kind_name(v->kind));
        return -1;
    }
    if ((n && (int)v->n != n) || (!n && ((int)v->n < 2 || (int)v->n > max))) {
        if (n)
            ns__err_at(L, v, vpath, "expected %d values, found %zu", n, v->n);
        else
            ns__err_at(L, v, vpath, "expected 2 to %d values, found %zu", max, v->n);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < v->n; i++) {
        snprintf(ipath, sizeof ipath, "%s.%zu", vpath, i);
        if (ns__to_number(L, v->items[i], ipath, &out[i]) ||
            ns__check_range(L, v->items[i], ipath, out[i], lo, hi))
            rc = -1;
        else {
            snprintf(ipath, sizeof ipath, "%s.%zu", path, i);
            register_param(L, ipath, &out[i], lo, hi, v->items[i]);
        }
    }
    if (got)
        *got = (int)v->n;
    return rc ? rc : uncertainty(L, unc, path, (int)v->n, NAN);
}

/* Shares that must add up to 1 (within 1e-6). */
int ns__check_sum1(ld *L, const ns_ynode *n, const char *path, const double *p, int k)
{
    double sum = 0;
    for (int i = 0; i < k; i++)
        sum += p[i];
    if (fabs(sum - 1) > 1e-6) {
        ns__err_at(L, n, path, "shares add up to %.6g, not 1", sum);
        return -1;
    }
    return 0;
}

/* A setting that is one of a fixed list of words. */
int ns__choice(ld *L, ns_ynode *map, const char *parent, const char *key,
                  const char *const *words, int nwords, int *out)
{
    char path[PATHLEN];
    ns__join(path, parent, key);
    ns_ynode *n = ns__child(L, map, parent, key, NS_Y_SCALAR, 1);
    if (!n)
        return -1;
    for (int i = 0; i < nwords; i++)
        if (strcmp(n->text, words[i]) == 0) {
            *out = i;
            return 0;
        }
    char list[200] = "";
    for (int i = 0; i < nwords; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", words[i]);
    ns__err_at(L, n, path, "'%s' is not one of: %s", n->text, list);
    return -1;
}

/* A curve: knots strictly increasing, values checked in [lo, hi]. */
int ns__curve(ld *L, ns_ynode *map, const char *parent, const char *xkey, const char *ykey,
                 ns_curve *c, double xlo, double ylo, double yhi)
{
    int nx = 0, ny = 0;
    int rc = ns__param_list(L, map, parent, xkey, c->x, 0, NS_MAX_KNOTS, &nx, xlo, INFINITY);
    rc |= ns__param_list(L, map, parent, ykey, c->y, 0, NS_MAX_KNOTS, &ny, ylo, yhi);
    if (rc)
        return -1;
    char path[PATHLEN];
    ns__join(path, parent, ykey);
    if (nx != ny) {
        ns__err_at(L, ns_ymap_get(map, ykey), path, "has %d values but %s has %d", ny, xkey, nx);
        return -1;
    }
    c->n = nx;
    ns__join(path, parent, xkey);
    for (int i = 1; i < nx; i++)
        if (!(c->x[i] > c->x[i - 1])) {
            ns_ynode *v = ns_ymap_get(ns_ymap_get(map, xkey), "value");
            ns__err_at(L, v->items[i], path, "breakpoints must be strictly increasing (%g after %g)",
                   c->x[i], c->x[i - 1]);
            return -1;
        }
    return 0;
}

static const char *const dist_words[] = {"lognormal", "weibull", "uniform"};

/* A long-tailed positive distribution: lognormal (median, sigma) or Weibull
 * (shape, scale). */
int ns__dist(ld *L, ns_ynode *map, const char *parent, const char *key, ns_dist *d)
{
    char path[PATHLEN];
    ns__join(path, parent, key);
    ns_ynode *n = ns__child(L, map, parent, key, NS_Y_MAP, 1);
    if (!n || ns__choice(L, n, path, "distribution", dist_words, 3, &d->kind))
        return -1;
    if (d->kind == NS_DIST_UNIFORM) {
        int rc = ns__param(L, n, path, "min", &d->a, 0, INFINITY) |
                 ns__param(L, n, path, "max", &d->b, 0, INFINITY);
        if (!rc && !(d->b > d->a)) {
            ns__err_at(L, n, path, "need min < max");
            rc = -1;
        }
        return rc;
    }
    if (d->kind == NS_DIST_LOGNORMAL)
        return ns__param(L, n, path, "median", &d->a, 1e-9, INFINITY) |
               ns__param(L, n, path, "sigma", &d->b, 1e-9, 10);
    return ns__param(L, n, path, "shape", &d->a, 1e-3, 100) |
           ns__param(L, n, path, "scale", &d->b, 1e-9, INFINITY);
}

/* Resection methods: a list of {name, share, incomplete}. */
static int methods(ld *L, ns_ynode *cohort)
{
    ns_cohort_params *c = &L->s->cohort;
    ns_ynode *list = ns__child(L, cohort, "cohort", "resection_methods", NS_Y_SEQ, 1);
    if (!list)
        return -1;
    if (list->n < 1 || list->n > NS_MAX_METHODS) {
        ns__err_at(L, list, "cohort.resection_methods", "expected 1 to %d methods, found %zu",
               NS_MAX_METHODS, list->n);
        return -1;
    }
    int rc = 0;
    c->n_methods = (int)list->n;
    for (size_t i = 0; i < list->n; i++) {
        char path[PATHLEN];
        ns_ynode *m = list->items[i];
        snprintf(path, sizeof path, "cohort.resection_methods.%zu", i);
        if (m->kind != NS_Y_MAP) {
            ns__err_at(L, m, path, "expected a mapping with name, share, incomplete");
            rc = -1;
            continue;
        }
        ns_ynode *name = ns__child(L, m, path, "name", NS_Y_SCALAR, 1);
        if (name) {
            snprintf(c->method[i].name, NS_NAME_LEN, "%s", name->text);
            snprintf(path, sizeof path, "cohort.resection_methods.%s", name->text);
        }
        rc |= ns__param(L, m, path, "share", &c->method[i].share, 0, 1);
        rc |= ns__param(L, m, path, "incomplete", &c->method[i].incomplete, 0, 1);
    }
    double shares[NS_MAX_METHODS];
    for (int i = 0; i < c->n_methods; i++)
        shares[i] = c->method[i].share;
    return rc ? rc : ns__check_sum1(L, list, "cohort.resection_methods.*.share", shares, c->n_methods);
}

static int load_cohort(ld *L, ns_ynode *root)
{
    ns_cohort_params *c = &L->s->cohort;
    ns_ynode *n = ns__child(L, root, "", "cohort", NS_Y_MAP, 1), *sub;
    if (!n)
        return -1;
    int rc = 0;
    if ((sub = ns__child(L, n, "cohort", "age", NS_Y_MAP, 1))) {
        rc |= ns__param(L, sub, "cohort.age", "mean", &c->age_mean, 0, 120);
        rc |= ns__param(L, sub, "cohort.age", "sd", &c->age_sd, 0.01, 60);
        rc |= ns__param(L, sub, "cohort.age", "min", &c->age_min, 0, 120);
        rc |= ns__param(L, sub, "cohort.age", "max", &c->age_max, 0, 120);
        if (!rc && !(c->age_min < c->age_max && c->age_mean > c->age_min &&
                     c->age_mean < c->age_max)) {
            ns__err_at(L, sub, "cohort.age", "need min < mean < max");
            rc = -1;
        }
    } else
        rc = -1;
    rc |= ns__param(L, n, "cohort", "male_share", &c->male_share, 0, 1);
    if ((sub = ns__child(L, n, "cohort", "size_mm", NS_Y_MAP, 1))) {
        if (!ns__curve(L, sub, "cohort.size_mm", "breakpoints", "cumulative", &c->size_cdf, 0, 0, 1)) {
            const ns_curve *k = &c->size_cdf;
            ns_ynode *v = ns_ymap_get(ns_ymap_get(sub, "cumulative"), "value");
            for (int i = 1; i < k->n; i++)
                if (k->y[i] < k->y[i - 1]) {
                    ns__err_at(L, v->items[i], "cohort.size_mm.cumulative",
                           "cumulative shares must not decrease (%g after %g)", k->y[i],
                           k->y[i - 1]);
                    rc = -1;
                }
            if (k->y[0] != 0 || k->y[k->n - 1] != 1) {
                ns__err_at(L, v, "cohort.size_mm.cumulative", "must start at 0 and end at 1");
                rc = -1;
            }
        } else
            rc = -1;
    } else
        rc = -1;
    if (!ns__param_list(L, n, "cohort", "grade_shares", c->grade_p, NS_NGRADES, 0, NULL, 0, 1))
        rc |= ns__check_sum1(L, ns_ymap_get(n, "grade_shares"), "cohort.grade_shares", c->grade_p,
                         NS_NGRADES);
    else
        rc = -1;
    rc |= ns__param_list(L, n, "cohort", "muscularis_propria_by_grade", c->mp_by_grade, NS_NGRADES, 0,
                     NULL, 0, 1);
    if ((sub = ns__child(L, n, "cohort", "lvi", NS_Y_MAP, 1))) {
        rc |= ns__param(L, sub, "cohort.lvi", "prevalence", &c->lvi_prevalence, 0, 1);
        rc |= ns__param(L, sub, "cohort.lvi", "ihc_share", &c->lvi_ihc_share, 0, 1);
        rc |= ns__param(L, sub, "cohort.lvi", "sensitivity_he", &c->lvi_sens_he, 0, 1);
        rc |= ns__param(L, sub, "cohort.lvi", "sensitivity_ihc", &c->lvi_sens_ihc, 0, 1);
    } else
        rc = -1;
    rc |= methods(L, n);
    rc |= ns__param(L, n, "cohort", "rx_share_of_incomplete", &c->rx_share_of_incomplete, 0, 1);
    return rc;
}

static int load_metastasis(ld *L, ns_ynode *root)
{
    ns_metastasis_params *m = &L->s->met;
    ns_ynode *n = ns__child(L, root, "", "metastasis", NS_Y_MAP, 1), *sub;
    if (!n)
        return -1;
    int rc = ns__param(L, n, "metastasis", "intercept", &m->intercept, -30, 30);
    if ((sub = ns__child(L, n, "metastasis", "size_effect", NS_Y_MAP, 1)))
        rc |= ns__curve(L, sub, "metastasis.size_effect", "knots_mm", "logit", &m->size_logit, 0, -30,
                    30);
    else
        rc = -1;
    m->grade[NS_G1] = 0;
    rc |= ns__param(L, n, "metastasis", "log_or_g2", &m->grade[NS_G2], -10, 10);
    rc |= ns__param(L, n, "metastasis", "log_or_g3", &m->grade[NS_G3], -10, 10);
    rc |= ns__param(L, n, "metastasis", "log_or_lvi", &m->lvi, -10, 10);
    rc |= ns__param(L, n, "metastasis", "log_or_muscularis_propria", &m->muscularis, -10, 10);
    m->margin[NS_R0] = 0;
    rc |= ns__param(L, n, "metastasis", "log_or_r1", &m->margin[NS_R1], -10, 10);
    rc |= ns__param(L, n, "metastasis", "log_or_rx", &m->margin[NS_RX], -10, 10);
    rc |= ns__param(L, n, "metastasis", "liver_share", &m->liver_share, 0, 1);
    return rc;
}

static int load_residual(ld *L, ns_ynode *root)
{
    ns_residual_params *r = &L->s->residual;
    ns_ynode *n = ns__child(L, root, "", "residual", NS_Y_MAP, 1);
    if (!n)
        return -1;
    return ns__param_list(L, n, "residual", "probability_by_margin", r->prob_by_margin, NS_NMARGINS, 0,
                      NULL, 0, 1) |
           ns__dist(L, n, "residual", "years_to_visible", &r->onset);
}

static int load_course(ld *L, ns_ynode *root)
{
    ns_course_params *c = &L->s->course;
    int rc = 0;
    ns_ynode *n;
    if ((n = ns__child(L, root, "", "timing", NS_Y_MAP, 1))) {
        rc |= ns__param(L, n, "timing", "reference_diameter_mm", &c->reference_mm, 0.1, 100);
        rc |= ns__dist(L, n, "timing", "years_to_detectable", &c->onset);
    } else
        rc = -1;
    if ((n = ns__child(L, root, "", "growth", NS_Y_MAP, 1)))
        rc |= ns__dist(L, n, "growth", "volume_doubling_months", &c->doubling_months);
    else
        rc = -1;
    if ((n = ns__child(L, root, "", "symptoms", NS_Y_MAP, 1))) {
        rc |= ns__dist(L, n, "symptoms", "diameter_mm", &c->symptom_mm);
        rc |= ns__param(L, n, "symptoms", "incidental_imaging_per_year", &c->incidental_rate, 0, 10);
    } else
        rc = -1;
    return rc;
}

/* Cumulative hazards at each life-table age, for sampling by inversion. */
static void life_table_cumhaz(ns_death_params *d)
{
    for (int s = 0; s < 2; s++) {
        d->cumhaz[s][0] = 0;
        for (int i = 0; i + 1 < d->n_ages; i++) {
            double q = d->qx[s][i] < 1 ? d->qx[s][i] : 1 - 1e-12;
            d->cumhaz[s][i + 1] = d->cumhaz[s][i] - log(1 - q) * (d->ages[i + 1] - d->ages[i]);
        }
    }
}

static const char *const death_words[] = {"gompertz", "life_table"};

static int load_death(ld *L, ns_ynode *root)
{
    ns_death_params *d = &L->s->death;
    ns_ynode *n = ns__child(L, root, "", "other_cause_death", NS_Y_MAP, 1), *sub, *sx;
    if (!n || ns__choice(L, n, "other_cause_death", "model", death_words, 2, &d->model))
        return -1;
    int rc = 0;
    static const char *const sexes[2] = {"female", "male"};
    if ((sub = ns__child(L, n, "other_cause_death", "gompertz", NS_Y_MAP, d->model == 0)))
        for (int s = 0; s < 2; s++) {
            char path[PATHLEN];
            ns__join(path, "other_cause_death.gompertz", sexes[s]);
            if (!(sx = ns__child(L, sub, "other_cause_death.gompertz", sexes[s], NS_Y_MAP, 1))) {
                rc = -1;
                continue;
            }
            rc |= ns__param(L, sx, path, "a", &d->gompertz_a[s], 1e-12, 1);
            rc |= ns__param(L, sx, path, "b", &d->gompertz_b[s], 1e-6, 1);
        }
    else if (d->model == NS_DEATH_GOMPERTZ)
        rc = -1;
    if ((sub = ns__child(L, n, "other_cause_death", "life_table", NS_Y_MAP, d->model == 1))) {
        int na = 0, nf = 0, nm = 0;
        const char *p = "other_cause_death.life_table";
        rc |= ns__param_list(L, sub, p, "ages", d->ages, 0, NS_MAX_LIFE, &na, 0, 130);
        rc |= ns__param_list(L, sub, p, "qx_female", d->qx[0], 0, NS_MAX_LIFE, &nf, 0, 1);
        rc |= ns__param_list(L, sub, p, "qx_male", d->qx[1], 0, NS_MAX_LIFE, &nm, 0, 1);
        if (!rc && (nf != na || nm != na)) {
            ns__err_at(L, sub, p, "ages, qx_female and qx_male must have the same length");
            rc = -1;
        }
        for (int i = 1; !rc && i < na; i++)
            if (!(d->ages[i] > d->ages[i - 1])) {
                ns__err_at(L, ns_ymap_get(ns_ymap_get(sub, "ages"), "value")->items[i],
                       "other_cause_death.life_table.ages",
                       "breakpoints must be strictly increasing (%g after %g)", d->ages[i],
                       d->ages[i - 1]);
                rc = -1;
            }
        d->n_ages = na;
    } else if (d->model == NS_DEATH_LIFE_TABLE)
        rc = -1;
    return rc;
}

static const char *const stat_words[] = {"metastasis_rate", "share", "detectable_after_5y",
                                         "detectable_after_10y", "rate_ratio",
                                         "detectable_within_5y_rate"};

/* A group label setting. */
static int group(ld *L, ns_ynode *map, const char *parent, const char *key, int *out)
{
    char path[PATHLEN];
    ns__join(path, parent, key);
    ns_ynode *n = ns__child(L, map, parent, key, NS_Y_SCALAR, 1);
    if (!n)
        return -1;
    if ((*out = ns_group_index(n->text)) < 0) {
        ns__err_at(L, n, path, "unknown group '%s' (groups: all, size<10, size10-19.9, size>=20, "
               "G1, G2, G3, LVI+, LVI-, R0, R1, Rx)", n->text);
        return -1;
    }
    return 0;
}

/* One bound of a target, if given. */
static int bound(ld *L, ns_ynode *t, const char *path, const char *key, double *out)
{
    ns_ynode *n = ns_ymap_get(t, key);
    char p[PATHLEN];
    ns__join(p, path, key);
    return n ? ns__to_number(L, n, p, out) : 0;
}

static int load_target(ld *L, ns_ynode *t, int i, ns_target *g)
{
    char path[PATHLEN];
    snprintf(path, sizeof path, "targets.%d", i);
    if (t->kind != NS_Y_MAP) {
        ns__err_at(L, t, path, "expected a mapping");
        return -1;
    }
    ns_ynode *n = ns__child(L, t, path, "name", NS_Y_SCALAR, 1);
    if (n) {
        snprintf(g->name, NS_NAME_LEN, "%s", n->text);
        ns__join(path, "targets", n->text);
    }
    int rc = ns__choice(L, t, path, "statistic", stat_words, NS_NSTATS, &g->statistic);
    rc |= group(L, t, path, "group", &g->group);
    g->reference = -1;
    if (g->statistic == NS_STAT_RATE_RATIO)
        rc |= group(L, t, path, "reference", &g->reference);
    ns_ynode *src = ns__child(L, t, path, "source", NS_Y_SCALAR, 1);
    if (src)
        snprintf(g->source, sizeof g->source, "%s", src->text);
    else
        rc = -1;
    g->lo = -INFINITY;
    g->hi = INFINITY;
    ns_ynode *range = ns_ymap_get(t, "range");
    if (range) {
        char rp[PATHLEN];
        ns__join(rp, path, "range");
        if (range->kind != NS_Y_SEQ || range->n != 2) {
            ns__err_at(L, range, rp, "expected [low, high]");
            return -1;
        }
        rc |= ns__to_number(L, range->items[0], rp, &g->lo) | ns__to_number(L, range->items[1], rp, &g->hi);
    }
    rc |= bound(L, t, path, "min", &g->lo) | bound(L, t, path, "max", &g->hi);
    if (!rc && isinf(g->lo) && isinf(g->hi)) {
        ns__err_at(L, t, path, "needs 'range: [low, high]', 'min:' or 'max:'");
        rc = -1;
    }
    if (!rc && g->lo > g->hi) {
        ns__err_at(L, t, path, "low bound %g is above high bound %g", g->lo, g->hi);
        rc = -1;
    }
    return rc;
}

static int load_targets(ld *L, ns_ynode *root)
{
    ns_ynode *n = ns__child(L, root, "", "targets", NS_Y_SEQ, 0);
    if (!n)
        return 0;
    if (n->n > NS_MAX_TARGETS) {
        ns__err_at(L, n, "targets", "at most %d targets", NS_MAX_TARGETS);
        return -1;
    }
    int rc = 0;
    L->s->n_targets = (int)n->n;
    for (size_t i = 0; i < n->n; i++)
        rc |= load_target(L, n->items[i], (int)i, &L->s->target[i]);
    return rc;
}

static int load_header(ld *L, ns_ynode *root)
{
    int rc = 0;
    ns_ynode *v = ns__child(L, root, "", "netsurv", NS_Y_SCALAR, 1);
    if (v && strcmp(v->text, "1") != 0) {
        ns__err_at(L, v, "netsurv", "unsupported scenario format '%s' (this netsurv reads 1)", v->text);
        rc = -1;
    } else if (!v)
        rc = -1;
    ns_ynode *name = ns__child(L, root, "", "name", NS_Y_SCALAR, 1);
    if (name)
        snprintf(L->s->name, sizeof L->s->name, "%s", name->text);
    else
        rc = -1;
    ns__child(L, root, "", "description", NS_Y_SCALAR, 0);
    ns_ynode *seed = ns__child(L, root, "", "seed", NS_Y_SCALAR, 1);
    if (seed) {
        char *end;
        unsigned long long s = strtoull(seed->text, &end, 10);
        if (seed->quoted || !*seed->text || *end || seed->text[0] == '-') {
            ns__err_at(L, seed, "seed", "expected a non-negative whole number, found '%s'", seed->text);
            rc = -1;
        }
        L->s->seed = s;
    } else
        rc = -1;
    return rc;
}

/* Reports every mapping key the loader never looked at. */
static void unknown_keys(ld *L, const ns_ynode *n, const char *path)
{
    if (n->kind == NS_Y_SEQ)
        for (size_t i = 0; i < n->n; i++) {
            char p[PATHLEN];
            snprintf(p, sizeof p, "%s.%zu", path, i);
            unknown_keys(L, n->items[i], p);
        }
    if (n->kind != NS_Y_MAP)
        return;
    for (size_t i = 0; i < n->n; i++) {
        char p[PATHLEN];
        ns__join(p, path, n->keys[i]->text);
        if (!n->used[i])
            ns__err_at(L, n->keys[i], p, "unknown key '%s'", n->keys[i]->text);
        else
            unknown_keys(L, n->items[i], p);
    }
}

typedef int (*section_loader)(ld *, ns_ynode *);

static int load_tree(ns_ytree *t, ns_scenario *s, ns_errors *e)
{
    ld L = {s, e};
    static const section_loader loaders[] = {load_header, load_cohort, load_metastasis,
                                              load_residual, load_course, load_death,
                                              load_targets, ns__load_modalities,
                                              ns__load_strategies, ns__load_sweep};
    for (size_t i = 0; i < sizeof loaders / sizeof *loaders; i++)
        loaders[i](&L, t->root);
    if (e->n == 0)
        unknown_keys(&L, t->root, "");
    return e->n ? -1 : 0;
}

/* Owned copies of the overrides, kept with the scenario for sweep points. */
static int keep_sets(ns_scenario *s, const char *const *sets, int n_sets)
{
    s->sets = calloc((size_t)n_sets + 1, sizeof *s->sets);
    if (!s->sets)
        return -1;
    for (int i = 0; i < n_sets; i++)
        if (!(s->sets[s->n_sets++] = strdup(sets[i])))
            return -1;
    return 0;
}

static int load_common(ns_ytree *t, int rc, const char *const *sets, int n_sets,
                       ns_scenario **out, ns_errors *errs, int check_sweep);

/* Loads name/text with sets plus one more assignment, without checking
 * its sweep again. */
static int load_with(const char *name, const char *text, const char *const *sets, int n_sets,
                     const char *extra, ns_scenario **out, ns_errors *errs)
{
    const char **all = malloc(sizeof *all * ((size_t)n_sets + 1));
    if (!all) {
        errs->n = 1;
        snprintf(errs->msg[0], sizeof errs->msg[0], "%s: out of memory", name);
        return -1;
    }
    for (int i = 0; i < n_sets; i++)
        all[i] = sets[i];
    if (extra)
        all[n_sets] = extra;
    ns_ytree t;
    errs->n = 0;
    int rc = ns_ytree_load_string(&t, name, text, strlen(text), errs->msg[0], sizeof errs->msg[0]);
    if (rc)
        errs->n = 1;
    rc = load_common(&t, rc, all, n_sets + (extra != NULL), out, errs, 0);
    free(all);
    return rc;
}

/* Every value of every sweep axis, alone, must give a valid scenario. */
static int check_sweep_values(const ns_scenario *s, ns_errors *errs)
{
    ns_errors *e = malloc(sizeof *e);
    if (!e)
        return -1;
    int bad = 0;
    for (int a = 0; a < s->sweep.n_axes && !bad; a++) {
        const ns_axis *x = &s->sweep.axis[a];
        for (int i = 0; i < x->n && !bad; i++) {
            char set[256];
            ns_scenario *p;
            snprintf(set, sizeof set, "%s=%.17g", x->path, x->values[i]);
            if (load_with(s->path, s->text, (const char *const *)s->sets, s->n_sets, set, &p, e)) {
                int k = snprintf(errs->msg[errs->n++], sizeof errs->msg[0],
                                 "%s:%d:%d: sweep: value %.17g of %s makes the scenario invalid: "
                                 "%.150s", x->file, x->line, x->col, x->values[i], x->path,
                                 e->n ? e->msg[0] : "");
                (void)k; /* a long message is cut, never overflowed */
                bad = 1;
            } else
                ns_scenario_free(p);
        }
    }
    free(e);
    return bad ? -1 : 0;
}

/* Moves the `sweep:` entry of tree w into the root of tree t; w keeps the
 * file name the moved nodes point to. */
static int graft_sweep(ns_ytree *t, ns_ytree *w, ns_errors *errs)
{
    ns_ynode *wr = w->root;
    for (size_t i = 0; i < wr->n; i++)
        if (strcmp(wr->keys[i]->text, "sweep") != 0) {
            snprintf(errs->msg[errs->n++], sizeof errs->msg[0],
                     "%s:%d:%d: %s: a sweep file holds only sweep:", w->file, wr->keys[i]->line,
                     wr->keys[i]->col, wr->keys[i]->text);
            return -1;
        }
    if (wr->n != 1) {
        snprintf(errs->msg[errs->n++], sizeof errs->msg[0], "%s:1:1: sweep: missing", w->file);
        return -1;
    }
    if (ns_ytree_find(t->root, "sweep")) {
        snprintf(errs->msg[errs->n++], sizeof errs->msg[0],
                 "%s:%d:%d: sweep: the scenario %s already has a sweep: section", w->file,
                 wr->keys[0]->line, wr->keys[0]->col, t->file);
        return -1;
    }
    ns_ynode *r = t->root;
    ns_ynode **items = realloc(r->items, (r->n + 1) * sizeof *items);
    if (items)
        r->items = items;
    ns_ynode **keys = realloc(r->keys, (r->n + 1) * sizeof *keys);
    if (keys)
        r->keys = keys;
    unsigned char *used = realloc(r->used, r->n + 1);
    if (used)
        r->used = used;
    if (!items || !keys || !used)
        return -1;
    r->items[r->n] = wr->items[0];
    r->keys[r->n] = wr->keys[0];
    r->used[r->n++] = 0;
    wr->n = 0;
    return 0;
}

static int load_common(ns_ytree *t, int rc, const char *const *sets, int n_sets,
                       ns_scenario **out, ns_errors *errs, int check_sweep)
{
    *out = NULL;
    if (rc)
        return -1;
    for (int i = 0; i < n_sets; i++)
        if (ns_ytree_set(t, sets[i], errs->msg[errs->n], sizeof errs->msg[0]) &&
            ++errs->n >= NS_MAX_ERRORS)
            break;
    ns_scenario *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errs->msg[errs->n++], sizeof errs->msg[0], "%s: out of memory", t->file);
        ns_ytree_free(t);
        return -1;
    }
    if (errs->n || load_tree(t, s, errs) || keep_sets(s, sets, n_sets)) {
        if (!errs->n)
            snprintf(errs->msg[errs->n++], sizeof errs->msg[0], "%s: out of memory", t->file);
        ns_ytree_free(t);
        ns_scenario_free(s);
        return -1;
    }
    ns_scenario_derive(s);
    s->path = t->file;
    s->text = t->text;
    t->file = t->text = NULL;
    ns_ytree_free(t);
    if (check_sweep && s->sweep.n_axes && check_sweep_values(s, errs)) {
        ns_scenario_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int ns_scenario_load(const char *path, const char *const *sets, int n_sets, ns_scenario **out,
                     ns_errors *errs)
{
    ns_ytree t;
    errs->n = 0;
    int rc = ns_ytree_load_file(&t, path, errs->msg[0], sizeof errs->msg[0]);
    if (rc)
        errs->n = 1;
    return load_common(&t, rc, sets, n_sets, out, errs, 1);
}

/* Loads tree t with the sweep of tree w grafted in (both parsed: rc_t and
 * rc_w say whether they were); the scenario keeps w's name and text. */
static int load_grafted(ns_ytree *t, int rc_t, ns_ytree *w, int rc_w, const char *const *sets,
                        int n_sets, ns_scenario **out, ns_errors *errs)
{
    *out = NULL;
    int rc = rc_t || rc_w;
    if (!rc && graft_sweep(t, w, errs))
        rc = -1;
    if (rc && !rc_t)
        ns_ytree_free(t);
    rc = load_common(t, rc, sets, n_sets, out, errs, 1);
    if (!rc) { /* the axes point at this file name: the scenario keeps it */
        (*out)->sweep_path = w->file;
        (*out)->sweep_text = w->text;
        w->file = w->text = NULL;
    }
    if (!rc_w)
        ns_ytree_free(w);
    return rc;
}

int ns_scenario_load_with_sweep(const char *path, const char *sweep_path,
                                const char *const *sets, int n_sets, ns_scenario **out,
                                ns_errors *errs)
{
    if (!sweep_path)
        return ns_scenario_load(path, sets, n_sets, out, errs);
    ns_ytree t, w;
    errs->n = 0;
    int rc_w = ns_ytree_load_file(&w, sweep_path, errs->msg[0], sizeof errs->msg[0]);
    int rc_t = rc_w ? -1 : ns_ytree_load_file(&t, path, errs->msg[0], sizeof errs->msg[0]);
    errs->n = rc_t || rc_w;
    return load_grafted(&t, rc_t, &w, rc_w, sets, n_sets, out, errs);
}

int ns_scenario_load_texts(const char *name, const char *text, const char *sweep_name,
                           const char *sweep_text, const char *const *sets, int n_sets,
                           ns_scenario **out, ns_errors *errs)
{
    if (!sweep_text)
        return ns_scenario_load_string(name, text, sets, n_sets, out, errs);
    ns_ytree t, w;
    errs->n = 0;
    int rc_w = ns_ytree_load_string(&w, sweep_name, sweep_text, strlen(sweep_text), errs->msg[0],
                                    sizeof errs->msg[0]);
    int rc_t = rc_w ? -1
                    : ns_ytree_load_string(&t, name, text, strlen(text), errs->msg[0],
                                           sizeof errs->msg[0]);
    errs->n = rc_t || rc_w;
    return load_grafted(&t, rc_t, &w, rc_w, sets, n_sets, out, errs);
}

int ns_scenario_load_string(const char *name, const char *text, const char *const *sets,
                            int n_sets, ns_scenario **out, ns_errors *errs)
{
    ns_ytree t;
    errs->n = 0;
    int rc = ns_ytree_load_string(&t, name, text, strlen(text), errs->msg[0], sizeof errs->msg[0]);
    if (rc)
        errs->n = 1;
    return load_common(&t, rc, sets, n_sets, out, errs, 1);
}

int ns_scenario_load_point(const ns_scenario *base, uint64_t p, ns_scenario **out,
                           ns_errors *errs)
{
    const ns_sweep *w = &base->sweep;
    int idx[NS_MAX_AXES];
    const char **sets = malloc(sizeof *sets * ((size_t)base->n_sets + NS_MAX_AXES));
    char (*buf)[256] = malloc(sizeof *buf * NS_MAX_AXES);
    int rc = -1;
    if (sets && buf) {
        ns_sweep_indices(w, p, idx);
        for (int i = 0; i < base->n_sets; i++)
            sets[i] = base->sets[i];
        for (int a = 0; a < w->n_axes; a++) {
            snprintf(buf[a], sizeof buf[a], "%s=%.17g", w->axis[a].path,
                     w->axis[a].values[idx[a]]);
            sets[base->n_sets + a] = buf[a];
        }
        ns_ytree t;
        errs->n = 0;
        rc = ns_ytree_load_string(&t, base->path, base->text, strlen(base->text), errs->msg[0],
                                  sizeof errs->msg[0]);
        if (rc)
            errs->n = 1;
        rc = load_common(&t, rc, sets, base->n_sets + w->n_axes, out, errs, 0);
    }
    free(sets);
    free(buf);
    return rc;
}

void ns_scenario_free(ns_scenario *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_sets; i++)
        free(s->sets[i]);
    free(s->sets);
    free(s->sweep_path);
    free(s->sweep_text);
    free(s->path);
    free(s->text);
    free(s);
}

void ns_scenario_derive(ns_scenario *s)
{
    ns_cohort_params *c = &s->cohort;
    ns_derived *d = &s->derived;
    d->age_p_lo = ns_norm_cdf((c->age_min - c->age_mean) / c->age_sd);
    d->age_p_hi = ns_norm_cdf((c->age_max - c->age_mean) / c->age_sd);
    /* cumulative shares, normalised so that drawn shares still add up to 1 */
    double sum = 0, total = 0;
    for (int g = 0; g < NS_NGRADES; g++)
        total += c->grade_p[g];
    for (int g = 0; g < NS_NGRADES; g++)
        d->grade_cum[g] = (sum += c->grade_p[g]) / total;
    sum = total = 0;
    for (int m = 0; m < c->n_methods; m++)
        total += c->method[m].share;
    for (int m = 0; m < c->n_methods; m++)
        d->method_cum[m] = (sum += c->method[m].share) / total;
    /* a drawn size distribution stays a distribution */
    ns_curve *z = &c->size_cdf;
    for (int i = 1; i < z->n; i++)
        z->y[i] = z->y[i] < z->y[i - 1] ? z->y[i - 1] : z->y[i];
    z->y[0] = 0;
    z->y[z->n - 1] = 1;
    if (s->death.model == NS_DEATH_LIFE_TABLE)
        life_table_cumhaz(&s->death);
    d->rate_costs = log1p(s->follow.discount_costs);
    d->rate_effects = log1p(s->follow.discount_effects);
    for (int k = 0; k < s->n_strategies; k++)
        for (int r = 0; r < s->strategy[k].n_rules; r++) {
            ns_rule *rule = &s->strategy[k].rule[r];
            for (int v = 0; v < rule->n_visits; v++) {
                rule->visit_attend[v] = ns_curve_eval(&s->follow.adherence, rule->visit_time[v]);
                rule->visit_discount[v] = pow(1 + s->follow.discount_costs, -rule->visit_time[v]);
                rule->visit_discount_eff[v] =
                    pow(1 + s->follow.discount_effects, -rule->visit_time[v]);
            }
        }
}

double ns_curve_eval(const ns_curve *c, double x)
{
    if (x <= c->x[0])
        return c->y[0];
    for (int i = 1; i < c->n; i++)
        if (x < c->x[i])
            return c->y[i - 1] + (c->y[i] - c->y[i - 1]) * (x - c->x[i - 1]) / (c->x[i] - c->x[i - 1]);
    return c->y[c->n - 1];
}

double ns_curve_inverse(const ns_curve *c, double u)
{
    for (int i = 1; i < c->n; i++)
        if (u < c->y[i]) {
            double dy = c->y[i] - c->y[i - 1];
            return c->x[i - 1] + (dy > 0 ? (u - c->y[i - 1]) / dy : 0) * (c->x[i] - c->x[i - 1]);
        }
    return c->x[c->n - 1];
}
