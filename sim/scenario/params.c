/* The loader's vocabulary: messages at a node, typed children, checked
 * numbers, and the parameter registry behind --set, sweeps and PSA. */
#include "params.h"

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


/* (declared in scenario.h; here so that every loader file can use it
 * without depending on scenario.c) */
void ns_errors_add(ns_errors *e, const char *fmt, ...)
{
    if (e->n >= NS_MAX_ERRORS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg[e->n++], sizeof e->msg[0], fmt, ap);
    va_end(ap);
}

/* Appends "FILE:LINE:COLUMN: path: message" at node n to list[*count]
 * (ns_errors' messages or warnings, cap lines), unless it is full. */
static void at_node(char (*list)[sizeof((ns_errors *)0)->msg[0]], int *count, int cap,
                    const ns_ynode *n, const char *path, const char *fmt, va_list ap)
{
    if (*count >= cap)
        return;
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    snprintf(list[(*count)++], sizeof list[0], "%s:%d:%d: %s: %s", n->file, n->line, n->col,
             path, msg);
}

/* Records "FILE:LINE:COLUMN: path: message" at node n. */
void ns__err_at(ld *L, const ns_ynode *n, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    at_node(L->e->msg, &L->e->n, NS_MAX_ERRORS, n, path, fmt, ap);
    va_end(ap);
}

void ns__warn_at(ld *L, const ns_ynode *n, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    at_node(L->e->warning, &L->e->n_warnings, NS_MAX_WARNINGS, n, path, fmt, ap);
    va_end(ap);
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

int ns__to_u64(ld *L, const ns_ynode *n, const char *path, uint64_t *out)
{
    const char *t = n->kind == NS_Y_SCALAR ? n->text : "";
    int digits = n->kind == NS_Y_SCALAR && !n->quoted && t[0];
    for (const char *c = t; digits && *c; c++)
        digits = *c >= '0' && *c <= '9';
    if (!digits) {
        ns__err_at(L, n, path, "expected a non-negative whole number, found '%.60s'",
                   n->kind == NS_Y_SCALAR ? t : ns__kind_name(n->kind));
        return -1;
    }
    uint64_t v = 0;
    for (const char *c = t; *c; c++) {
        unsigned d = (unsigned)(*c - '0');
        if (v > (UINT64_MAX - d) / 10) {
            ns__err_at(L, n, path, "%.60s is out of range (at most 18446744073709551615)", t);
            return -1;
        }
        v = 10 * v + d;
    }
    *out = v;
    return 0;
}

int ns__why(ld *L, ns_ynode *m, const char *path, char *out, size_t len)
{
    ns_ynode *src = ns_ymap_get(m, "source"), *as = ns_ymap_get(m, "assumption");
    const ns_ynode *w = src ? src : as;
    if (!w) {
        ns__err_at(L, m, path, "needs 'source:' or 'assumption:'");
        return -1;
    }
    if (w->kind != NS_Y_SCALAR || !w->text[0]) {
        ns__err_at(L, w, path, "'%s' must be a non-empty text", src ? "source" : "assumption");
        return -1;
    }
    if (out && len)
        snprintf(out, len, "%s%s", src ? "" : "assumption: ", w->text);
    return 0;
}

int ns__unknown_here(ld *L, ns_ynode *map, const char *path)
{
    int rc = 0;
    for (size_t i = 0; map && map->kind == NS_Y_MAP && i < map->n; i++)
        if (!map->used[i]) {
            char kp[PATHLEN];
            ns__join(kp, path, map->keys[i]->text);
            ns__err_at(L, map->keys[i], kp, "unknown key '%s'", map->keys[i]->text);
            map->used[i] = 1;
            rc = -1;
        }
    return rc;
}

int ns__has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

int ns__name(ld *L, const ns_ynode *n, const char *path, char *out, size_t cap,
             const char *extra)
{
    size_t len = strlen(n->text);
    if (!len || len >= cap) {
        ns__err_at(L, n, path, "a name must be 1 to %zu characters long (this one has %zu)",
                   cap - 1, len);
        return -1;
    }
    if (ns__has_control(n->text) || (extra && strpbrk(n->text, extra))) {
        ns__err_at(L, n, path, "name '%.60s' holds a control character (such as a newline)%s%s",
                   n->text, extra ? " or one of " : "", extra ? extra : "");
        return -1;
    }
    memcpy(out, n->text, len + 1);
    return 0;
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

/* The largest magnitude of an open-ended value (a cost, a time, a
 * willingness to pay): beyond it sums and squares over millions of patients
 * and years could overflow to infinity, which would surface only when the
 * results are written. */
#define NS_MAX_MAGNITUDE 1e12

int ns__check_range(ld *L, const ns_ynode *n, const char *path, double v, double lo, double hi)
{
    if (isinf(hi) && v > NS_MAX_MAGNITUDE) {
        ns__err_at(L, n, path, "%g is too large (at most %g: sums over patients would overflow)",
                   v, NS_MAX_MAGNITUDE);
        return -1;
    }
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
    /* `label:` names the parameter for readers (the report's tornado); netsurv does not use it */
    const ns_ynode *label = ns_ymap_get(p, "label");
    if (label && (label->kind != NS_Y_SCALAR || !label->text[0]))
        ns__err_at(L, label, path, "'label' must be a non-empty text");
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
    ns__unknown_here(L, p, path);
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
