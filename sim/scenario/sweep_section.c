/* The sweep: section. Each axis names
 * a scalar of the scenario by its dotted path (as --set does) and lists its
 * values, or a range; grid axes combine in full, zip axes vary together. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_section.h"

/* Values from `values: [...]` or `range: {from, to, step}`. */
static int axis_values(ld *L, ns_ynode *m, const char *path, ns_axis *a)
{
    ns_ynode *v = ns_ymap_get(m, "values"), *r = ns_ymap_get(m, "range");
    char p[PATHLEN];
    if (!v == !r) {
        ns__err_at(L, m, path, "give values: [...] or range: {from, to, step}");
        return -1;
    }
    if (v) {
        ns__join(p, path, "values");
        if (v->kind != NS_Y_SEQ || v->n == 0 || v->n > NS_MAX_AXIS_VALUES) {
            ns__err_at(L, v, p, v->kind != NS_Y_SEQ ? "expected a list of numbers"
                                : v->n == 0 ? "empty list: an axis needs at least one value"
                                            : "more than 1000 values");
            return -1;
        }
        a->n = (int)v->n;
        for (size_t i = 0; i < v->n; i++)
            if (ns__to_number(L, v->items[i], p, &a->values[i]))
                return -1;
        return 0;
    }
    ns__join(p, path, "range");
    double from, to, step;
    ns_ynode *f = ns__child(L, r, p, "from", NS_Y_SCALAR, 1), *t = ns__child(L, r, p, "to", NS_Y_SCALAR, 1),
             *s = ns__child(L, r, p, "step", NS_Y_SCALAR, 1);
    if (!f || !t || !s || ns__to_number(L, f, p, &from) || ns__to_number(L, t, p, &to) ||
        ns__to_number(L, s, p, &step))
        return -1;
    double count = floor((to - from) / step + 1e-9) + 1;
    if (!(step > 0) || to < from || count > NS_MAX_AXIS_VALUES) {
        ns__err_at(L, r, p, "need step > 0, from <= to, and at most 1000 values");
        return -1;
    }
    a->n = (int)count;
    for (int i = 0; i < a->n; i++) {
        /* from + i * step can be an ulp off the number meant (0.1 + 2 * 0.1 is
         * 0.30000000000000004, 3 * 0.1 is past to: 0.3): round to 15 digits,
         * which gives back the decimal written, and never go past `to` */
        char buf[40];
        snprintf(buf, sizeof buf, "%.15g", from + i * step);
        a->values[i] = fmin(strtod(buf, NULL), to);
    }
    return 0;
}

/* One axis {path, values | range}; its path must name a single value. */
static int load_axis(ld *L, ns_ynode *root, ns_ynode *m, const char *path, ns_axis *a)
{
    if (m->kind != NS_Y_MAP) {
        ns__err_at(L, m, path, "expected {path: ..., values: [...]}");
        return -1;
    }
    ns_ynode *pn = ns__child(L, m, path, "path", NS_Y_SCALAR, 1);
    if (!pn)
        return -1;
    char p[PATHLEN];
    ns__join(p, path, "path");
    const ns_ynode *target = ns_ytree_find(root, pn->text);
    if (!target || target->kind != NS_Y_SCALAR || strncmp(pn->text, "sweep", 5) == 0) {
        ns__err_at(L, pn, p, "'%s' %s", pn->text,
                   !target ? "names nothing in the scenario"
                           : "names a section or list, not a single value");
        return -1;
    }
    /* every point runs on the run's patients (its seed): a swept seed would be
     * reported in /sweep/points but change nothing */
    if (target == ns_ytree_find(root, "seed")) {
        ns__err_at(L, pn, p, "'%s' cannot be swept: every point runs on the same patients "
                   "(run again with --seed for other patients)", pn->text);
        return -1;
    }
    /* two axes on one value (x.cost and x.cost.value too): the last would
     * silently override the other, whose values /sweep/points would report */
    for (const ns_axis *b = L->s->sweep.axis; b < a; b++)
        if (ns_ytree_find(root, b->path) == target) {
            ns__err_at(L, pn, p, "'%s' is already swept (as '%s', line %d)", pn->text, b->path,
                       b->line);
            return -1;
        }
    snprintf(a->path, sizeof a->path, "%s", pn->text);
    a->file = m->file;
    a->line = m->line;
    a->col = m->col;
    return axis_values(L, m, path, a);
}

/* The axes of the list `key` (grid or zip). */
static int load_axes(ld *L, ns_ynode *root, ns_ynode *sweep, const char *key, int zip)
{
    ns_sweep *w = &L->s->sweep;
    char path[PATHLEN];
    ns__join(path, "sweep", key);
    ns_ynode *list = ns__child(L, sweep, "sweep", key, NS_Y_SEQ, 0);
    if (!list)
        return 0;
    if (list->n == 0) {
        ns__err_at(L, list, path, "empty list of axes");
        return -1;
    }
    int rc = 0, first = w->n_axes, first_ok = 1;
    for (size_t i = 0; i < list->n; i++) { /* every axis, so every problem is reported */
        if (w->n_axes >= NS_MAX_AXES) {
            ns__err_at(L, list->items[i], path, "more than %d axes", NS_MAX_AXES);
            return -1;
        }
        char ip[PATHLEN + 24];
        snprintf(ip, sizeof ip, "%s.%zu", path, i);
        ns_axis *a = &w->axis[w->n_axes++];
        a->zip = zip;
        int bad = load_axis(L, root, list->items[i], ip, a);
        rc |= bad;
        first_ok &= i > 0 || !bad;
        if (!bad && zip && first_ok && a->n != w->axis[first].n) {
            ns__err_at(L, list->items[i], ip, "zip axes must have the same number of values "
                       "(%d here, %d in the first)", a->n, w->axis[first].n);
            rc = -1;
        }
    }
    return rc;
}

int ns__load_sweep(ld *L, ns_ynode *root)
{
    ns_sweep *w = &L->s->sweep;
    w->n_axes = 0;
    w->n_points = 1;
    ns_ynode *sweep = ns__child(L, root, "", "sweep", NS_Y_MAP, 0);
    if (!sweep)
        return 0;
    int rc = load_axes(L, root, sweep, "grid", 0) | load_axes(L, root, sweep, "zip", 1);
    /* a misspelt `grdi:` is named, not only "needs grid:" */
    if (ns__unknown_here(L, sweep, "sweep") || rc)
        return -1;
    if (w->n_axes == 0) {
        ns__err_at(L, sweep, "sweep", "needs grid: and/or zip: axes");
        return -1;
    }
    double points = 1;
    int zip_done = 0;
    for (int i = 0; i < w->n_axes; i++)
        if (!w->axis[i].zip || !zip_done) {
            points *= w->axis[i].n;
            zip_done |= w->axis[i].zip;
        }
    if (points > NS_MAX_POINTS) {
        ns__err_at(L, sweep, "sweep", "%.0f points: at most %d", points, NS_MAX_POINTS);
        return -1;
    }
    w->n_points = (uint64_t)points;
    return 0;
}

void ns_sweep_indices(const ns_sweep *w, uint64_t p, int *idx)
{
    int zn = 0;
    for (int i = 0; i < w->n_axes; i++)
        if (w->axis[i].zip)
            zn = w->axis[i].n;
    if (zn) {
        for (int i = 0; i < w->n_axes; i++)
            if (w->axis[i].zip)
                idx[i] = (int)(p % (uint64_t)zn);
        p /= (uint64_t)zn;
    }
    for (int i = w->n_axes - 1; i >= 0; i--)
        if (!w->axis[i].zip) {
            idx[i] = (int)(p % (uint64_t)w->axis[i].n);
            p /= (uint64_t)w->axis[i].n;
        }
}
