/* The optimize: section: the search space of `netsurv optimize`, in the
 * scenario or in a file of its own (--space FILE). Every axis is a mapping
 * {choices: [...], source: "..."} or {..., assumption: "..."}, as every
 * scenario entry carries its source; screening: holds the two settings of
 * the successive-halving screen. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optimize_section.h"

/* The choices list of axis `key` of sec, with its source or assumption. */
static ns_ynode *axis_list(ld *L, ns_ynode *sec, const char *key, char *path)
{
    ns__join(path, "optimize", key);
    ns_ynode *m = ns__child(L, sec, "optimize", key, NS_Y_MAP, 1);
    if (!m)
        return NULL;
    ns_ynode *src = ns__child(L, m, path, "source", NS_Y_SCALAR, 0),
             *as = ns__child(L, m, path, "assumption", NS_Y_SCALAR, 0);
    ns_ynode *c = ns_ymap_get(m, "choices");
    if (ns__unknown_here(L, m, path))
        return NULL;
    if (!src && !as) {
        ns__err_at(L, m, path, "every choice of the search space needs 'source:' or "
                               "'assumption:'");
        return NULL;
    }
    char cp[PATHLEN];
    ns__join(cp, path, "choices");
    if (!c) {
        ns__err_at(L, m, path, "missing required key 'choices'");
        return NULL;
    }
    if (c->kind != NS_Y_SEQ || c->n == 0 || c->n > NS_OPT_MAX_CHOICES) {
        ns__err_at(L, c, cp, c->kind != NS_Y_SEQ ? "expected a list of choices"
                             : c->n == 0 ? "empty list: give at least one choice"
                                         : "more than %d choices", NS_OPT_MAX_CHOICES);
        return NULL;
    }
    strcpy(path, cp);
    return c;
}

/* A list of years in [lo, hi]; `word` (if not NULL) stands for the value
 * `word_value` (never, lifelong). */
static int years_axis(ld *L, ns_ynode *sec, const char *key, ns_opt_axis *a, double lo,
                      double hi, const char *word, double word_value)
{
    char path[PATHLEN];
    ns_ynode *c = axis_list(L, sec, key, path);
    if (!c)
        return -1;
    a->n = 0;
    for (size_t i = 0; i < c->n; i++) {
        ns_ynode *x = c->items[i];
        double v;
        if (word && x->kind == NS_Y_SCALAR && strcmp(x->text, word) == 0)
            v = word_value;
        else if (ns__to_number(L, x, path, &v) || ns__check_range(L, x, path, v, lo, hi))
            return -1;
        for (int j = 0; j < a->n; j++)
            if (a->v[j] == v) {
                ns__err_at(L, x, path, "choice '%s' is listed twice", x->text);
                return -1;
            }
        a->v[a->n++] = v;
    }
    return 0;
}

static int find_name(const ns_scenario *s, int modalities, const char *name)
{
    int n = modalities ? s->n_modalities : s->n_treatments;
    for (int k = 0; k < n; k++)
        if (!strcmp(modalities ? s->modality[k].name : s->treatment[k].name, name))
            return k;
    return -1;
}

/* tests: a list of modality sets, each a list of the scenario's modalities. */
static int tests_axis(ld *L, ns_ynode *sec, ns_opt_space *o)
{
    char path[PATHLEN];
    ns_ynode *c = axis_list(L, sec, "tests", path);
    if (!c)
        return -1;
    o->n_tests = 0;
    for (size_t i = 0; i < c->n; i++) {
        ns_ynode *set = c->items[i];
        char ip[PATHLEN + 24];
        snprintf(ip, sizeof ip, "%s.%zu", path, i);
        if (set->kind != NS_Y_SEQ || set->n == 0) {
            ns__err_at(L, set, ip, "expected a list of modalities, e.g. [endoscopy, mri]");
            return -1;
        }
        uint32_t mask = 0;
        for (size_t j = 0; j < set->n; j++) {
            ns_ynode *x = set->items[j];
            int k = x->kind == NS_Y_SCALAR ? find_name(L->s, 1, x->text) : -1;
            if (k < 0) {
                ns__err_at(L, x, ip, "unknown modality '%.60s' (define it under modalities:)",
                           x->kind == NS_Y_SCALAR ? x->text : "(not a name)");
                return -1;
            }
            mask |= 1u << k;
        }
        for (int j = 0; j < o->n_tests; j++)
            if (o->tests[j] == mask) {
                ns__err_at(L, set, ip, "this set of tests is listed twice");
                return -1;
            }
        o->tests[o->n_tests++] = mask;
    }
    return 0;
}

static int treatment_axis(ld *L, ns_ynode *sec, ns_opt_space *o)
{
    char path[PATHLEN];
    ns_ynode *c = axis_list(L, sec, "treatment", path);
    if (!c)
        return -1;
    o->n_treatments = 0;
    for (size_t i = 0; i < c->n; i++) {
        ns_ynode *x = c->items[i];
        int k = -1;
        if (x->kind != NS_Y_SCALAR ||
            (strcmp(x->text, "none") && (k = find_name(L->s, 0, x->text)) < 0)) {
            ns__err_at(L, x, path, "unknown treatment '%.60s' (none, or one under treatments:)",
                       x->kind == NS_Y_SCALAR ? x->text : "(not a name)");
            return -1;
        }
        for (int j = 0; j < o->n_treatments; j++)
            if (o->treatment[j] == k) {
                ns__err_at(L, x, path, "choice '%s' is listed twice", x->text);
                return -1;
            }
        o->treatment[o->n_treatments++] = k;
    }
    return 0;
}

/* screening: {z: {value, assumption}, min_patients: {value, assumption}}. */
static int screening(ld *L, ns_ynode *sec, ns_opt_space *o)
{
    o->screen_z = 3;
    o->screen_min = 2000;
    ns_ynode *m = ns__child(L, sec, "optimize", "screening", NS_Y_MAP, 0);
    if (!m)
        return 0;
    const char *keys[2] = {"z", "min_patients"};
    double *out[2] = {&o->screen_z, &o->screen_min};
    const double lo[2] = {0, 100}, hi[2] = {100, 1e12};
    int rc = 0;
    for (int i = 0; i < 2; i++) {
        char p[PATHLEN];
        ns__join(p, "optimize.screening", keys[i]);
        ns_ynode *v = ns__child(L, m, "optimize.screening", keys[i], NS_Y_MAP, 0);
        if (!v)
            continue;
        ns_ynode *val = ns__child(L, v, p, "value", NS_Y_SCALAR, 1);
        ns_ynode *src = ns__child(L, v, p, "source", NS_Y_SCALAR, 0),
                 *as = ns__child(L, v, p, "assumption", NS_Y_SCALAR, 0);
        if (ns__unknown_here(L, v, p) || !val) {
            rc = -1;
            continue;
        }
        if (!src && !as) {
            ns__err_at(L, v, p, "needs 'source:' or 'assumption:'");
            rc = -1;
            continue;
        }
        char vp[PATHLEN];
        ns__join(vp, p, "value");
        if (ns__to_number(L, val, vp, out[i]) || ns__check_range(L, val, vp, *out[i], lo[i], hi[i]))
            rc = -1;
    }
    return rc | ns__unknown_here(L, m, "optimize.screening");
}

/* Reads sec into o (the axes, then checks across them). */
static int load_space(ld *L, ns_ynode *sec, ns_opt_space *o)
{
    memset(o, 0, sizeof *o);
    int rc = tests_axis(L, sec, o);
    rc |= years_axis(L, sec, "first_visit_years", &o->first, 0, NS_HORIZON_YEARS, NULL, 0);
    rc |= years_axis(L, sec, "interval_years", &o->interval, 0.25, NS_HORIZON_YEARS, NULL, 0);
    rc |= years_axis(L, sec, "change_after_years", &o->change_after, 0.25, NS_HORIZON_YEARS,
                     "never", NS_OPT_NEVER);
    rc |= years_axis(L, sec, "later_interval_years", &o->later_interval, 0.25, NS_HORIZON_YEARS,
                     NULL, 0);
    rc |= years_axis(L, sec, "horizon_years", &o->horizon, 0, NS_HORIZON_YEARS, "lifelong",
                     NS_HORIZON_YEARS);
    rc |= treatment_axis(L, sec, o);
    rc |= screening(L, sec, o);
    rc |= ns__unknown_here(L, sec, "optimize");
    if (rc)
        return -1;
    /* the densest schedule must fit a rule's visits */
    double imin = INFINITY, hmax = 0, f0 = INFINITY;
    for (int i = 0; i < o->interval.n; i++)
        imin = fmin(imin, o->interval.v[i]);
    for (int i = 0; i < o->later_interval.n; i++)
        imin = fmin(imin, o->later_interval.v[i]);
    for (int i = 0; i < o->horizon.n; i++)
        hmax = fmax(hmax, o->horizon.v[i]);
    for (int i = 0; i < o->first.n; i++)
        f0 = fmin(f0, o->first.v[i]);
    double visits = floor((hmax - f0) / imin + 1e-9) + 1;
    if (visits > NS_MAX_VISITS) {
        ns_ynode *iv = ns_ymap_get(sec, "interval_years");
        ns__err_at(L, iv ? iv : sec, "optimize.interval_years",
                   "the densest schedule (every %g years from %g to %g) has %.0f visits; a rule "
                   "holds at most %d", imin, f0, hmax, visits, NS_MAX_VISITS);
        return -1;
    }
    o->given = 1;
    return 0;
}

int ns__load_optimize(ld *L, ns_ynode *root)
{
    L->s->opt.given = 0;
    ns_ynode *sec = ns__child(L, root, "", "optimize", NS_Y_MAP, 0);
    if (!sec || L->e->n) /* the modalities it names must have loaded */
        return 0;
    return load_space(L, sec, &L->s->opt);
}

int ns_opt_space_load(const ns_scenario *s, const char *path, ns_opt_space *out,
                      ns_errors *errs)
{
    ns_ytree t;
    errs->n = 0;
    if (ns_ytree_load_file(&t, path, errs->msg[0], sizeof errs->msg[0])) {
        errs->n = 1;
        return -1;
    }
    /* the loader reads names from the scenario and writes only messages */
    ld L = {(ns_scenario *)s, errs};
    ns_ynode *root = t.root;
    if (!root || root->kind != NS_Y_MAP) {
        ns_errors_add(errs, "%s:1:1: optimize: a space file holds a mapping with optimize:", path);
    } else {
        ns_ynode *sec = ns__child(&L, root, "", "optimize", NS_Y_MAP, 1);
        if (sec)
            load_space(&L, sec, out);
        for (size_t i = 0; i < root->n; i++)
            if (strcmp(root->keys[i]->text, "optimize"))
                ns__err_at(&L, root->keys[i], root->keys[i]->text,
                           "a space file holds only optimize:");
    }
    ns_ytree_free(&t);
    return errs->n ? -1 : 0;
}
