/* A composite policy as scenario YAML: for each risk group, the rules of a
 * chosen strategy as they apply to the group's patients, so that
 * `netsurv run` replays it patient by patient. Rules become disjoint boxes
 * of the reported attributes (size interval x grade, margin, LVI and depth
 * sets): group boxes intersected with the chosen strategy's rules, an
 * `otherwise` region as what the boxes before it leave. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsurv/scenario/scenario.h"
#include "netsurv/scenario/yamltree.h"

typedef struct {
    ns_riskgroup box;
    int strategy, rule;
} piece;

typedef struct {
    piece *p;
    int n, cap;
} pieces;

static int push(pieces *ps, ns_riskgroup b, int k, int r)
{
    if (b.size_lo >= b.size_hi || !b.grades || !b.margins || !b.lvi || !b.depth)
        return 0;
    if (ps->n == ps->cap) {
        int cap = ps->cap ? 2 * ps->cap : 64;
        piece *q = realloc(ps->p, sizeof *q * (size_t)cap);
        if (!q)
            return -1;
        ps->p = q, ps->cap = cap;
    }
    ps->p[ps->n++] = (piece){b, k, r};
    return 0;
}

static ns_riskgroup meet(ns_riskgroup a, const ns_riskgroup *b)
{
    a.size_lo = fmax(a.size_lo, b->size_lo);
    a.size_hi = fmin(a.size_hi, b->size_hi);
    a.grades &= b->grades, a.margins &= b->margins, a.lvi &= b->lvi, a.depth &= b->depth;
    return a;
}

/* out += the pieces of a outside b (disjoint boxes), owned by (k, r). */
static int subtract(pieces *out, ns_riskgroup a, const ns_riskgroup *b, int k, int r)
{
    ns_riskgroup in = meet(a, b);
    if (in.size_lo >= in.size_hi || !in.grades || !in.margins || !in.lvi || !in.depth)
        return push(out, a, k, r);
    ns_riskgroup x = a;
    int rc = 0;
    if (a.size_lo < b->size_lo) {
        x.size_hi = b->size_lo;
        rc |= push(out, x, k, r);
        a.size_lo = b->size_lo;
    }
    if (a.size_hi > b->size_hi) {
        x = a;
        x.size_lo = b->size_hi;
        rc |= push(out, x, k, r);
        a.size_hi = b->size_hi;
    }
    unsigned *fa[4] = {&a.grades, &a.margins, &a.lvi, &a.depth};
    const unsigned fb[4] = {b->grades, b->margins, b->lvi, b->depth};
    for (int d = 0; d < 4; d++) {
        if (!(*fa[d] & ~fb[d]))
            continue;
        x = a;
        unsigned *fx[4] = {&x.grades, &x.margins, &x.lvi, &x.depth};
        *fx[d] = *fa[d] & ~fb[d];
        rc |= push(out, x, k, r);
        *fa[d] &= fb[d];
    }
    return rc;
}

/* The boxes of risk group g (an `otherwise` group: what the others leave). */
static int group_boxes(const ns_scenario *s, int g, pieces *out)
{
    ns_riskgroup all = {0, INFINITY, 7, 7, 3, 3};
    if (!s->group[g].otherwise)
        return push(out, s->group[g].when, -1, -1);
    int rc = push(out, all, -1, -1);
    for (int h = 0; h < s->n_groups && !rc; h++) {
        if (h == g)
            continue;
        pieces next = {0};
        for (int i = 0; i < out->n && !rc; i++)
            rc = subtract(&next, out->p[i].box, &s->group[h].when, -1, -1);
        free(out->p);
        *out = next;
    }
    return rc;
}

/* The pieces of region (boxes) under strategy k's rules, in rule order. */
static int assign(const ns_scenario *s, int k, pieces *region, pieces *out)
{
    const ns_strategy *st = &s->strategy[k];
    int other = -1, rc = 0;
    for (int r = 0; r < st->n_rules && !rc; r++) {
        if (st->rule[r].otherwise) {
            other = r;
            continue;
        }
        pieces rest = {0};
        for (int i = 0; i < region->n && !rc; i++) {
            rc = push(out, meet(region->p[i].box, &st->rule[r].when), k, r) ||
                 subtract(&rest, region->p[i].box, &st->rule[r].when, -1, -1);
        }
        free(region->p);
        *region = rest;
    }
    for (int i = 0; i < region->n && !rc; i++) /* what no rule took: the otherwise rule's */
        rc = other < 0 ? -1 : push(out, region->p[i].box, k, other);
    return rc;
}

/* Whether boxes a and b differ in one attribute only, where their union is
 * again a box; if so, a becomes that union. */
static int join(ns_riskgroup *a, const ns_riskgroup *b)
{
    int same_size = a->size_lo == b->size_lo && a->size_hi == b->size_hi;
    int diff = !same_size + (a->grades != b->grades) + (a->margins != b->margins) +
               (a->lvi != b->lvi) + (a->depth != b->depth);
    if (diff != 1)
        return 0;
    if (!same_size) {
        if (a->size_hi == b->size_lo)
            a->size_hi = b->size_hi;
        else if (b->size_hi == a->size_lo)
            a->size_lo = b->size_lo;
        else
            return 0;
        return 1;
    }
    a->grades |= b->grades, a->margins |= b->margins, a->lvi |= b->lvi, a->depth |= b->depth;
    return 1;
}

/* Joins pieces of the same rule while any two make a box. */
static void simplify(pieces *ps)
{
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < ps->n; i++)
            for (int j = i + 1; j < ps->n; j++)
                if (ps->p[i].strategy == ps->p[j].strategy && ps->p[i].rule == ps->p[j].rule &&
                    join(&ps->p[i].box, &ps->p[j].box)) {
                    ps->p[j] = ps->p[--ps->n];
                    changed = 1;
                    j = i;
                }
    }
}

/* A growing text buffer. */
typedef struct {
    char *s;
    size_t n, cap;
    int failed;
} textbuf;

static void put(textbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(textbuf *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        if (m < 0) {
            t->failed = 1;
            return;
        }
        if (t->s && t->n + (size_t)m < t->cap) {
            t->n += (size_t)m;
            return;
        }
        size_t cap = (t->cap ? 2 * t->cap : 4096) + (size_t)m;
        char *q = realloc(t->s, cap);
        if (!q) {
            t->failed = 1;
            return;
        }
        t->s = q, t->cap = cap;
    }
}

/* A rule's schedule: one `at:` list per set of tests. */
static void put_schedule(textbuf *t, const ns_scenario *s, const ns_rule *r, const char *ind)
{
    if (r->n_visits == 0) {
        put(t, "%s  schedule: []\n", ind);
        return;
    }
    put(t, "%s  schedule:\n", ind);
    uint32_t done[NS_MAX_VISITS];
    int nd = 0;
    for (int v = 0; v < r->n_visits; v++) {
        uint32_t mask = r->visit_tests[v];
        int seen = 0;
        for (int i = 0; i < nd; i++)
            seen |= done[i] == mask;
        if (seen)
            continue;
        done[nd++] = mask;
        put(t, "%s    - at: [", ind);
        for (int w = v, first = 1; w < r->n_visits; w++)
            if (r->visit_tests[w] == mask) {
                put(t, "%s%.17g", first ? "" : ", ", r->visit_time[w]);
                first = 0;
            }
        put(t, "]\n%s      tests: [", ind);
        for (uint32_t m = mask, first = 1; m; m &= m - 1, first = 0)
            put(t, "%s%s", first ? "" : ", ", s->modality[__builtin_ctz(m)].name);
        put(t, "]\n");
    }
}

char *ns_composite_yaml(const ns_scenario *s, const int *choice, const char *name,
                        const char *source, int indent, char *err, size_t errlen)
{
    pieces all = {0};
    int rc = 0;
    for (int g = 0; g < s->n_groups && !rc; g++) {
        pieces region = {0};
        rc = choice[g] < 0 || choice[g] >= s->n_strategies || group_boxes(s, g, &region) ||
             assign(s, choice[g], &region, &all);
        free(region.p);
    }
    if (rc) {
        snprintf(err, errlen, "cannot build the composite policy (a group without a strategy, "
                              "or out of memory)");
        free(all.p);
        return NULL;
    }
    simplify(&all);
    if (all.n > NS_MAX_RULES) {
        snprintf(err, errlen, "the composite policy needs %d rules; a strategy holds at most %d",
                 all.n, NS_MAX_RULES);
        free(all.p);
        return NULL;
    }
    char ind[64];
    snprintf(ind, sizeof ind, "%*s", indent < 60 ? indent : 60, "");
    textbuf t = {0};
    put(&t, "%s- name: %s\n%s  source: \"%s\"\n%s  rules:\n", ind, name, ind, source, ind);
    char sub[80];
    snprintf(sub, sizeof sub, "%s    ", ind);
    for (int i = 0; i < all.n; i++) {
        const piece *p = &all.p[i];
        const ns_strategy *st = &s->strategy[p->strategy];
        const ns_rule *r = &st->rule[p->rule];
        char when[512];
        ns_riskgroup_yaml(&p->box, when, sizeof when);
        put(&t, "%s- name: r%d_%.20s\n", sub, i + 1, st->name);
        put(&t, "%s  assumption: \"rule '%s' of strategy '%s'\"\n", sub, r->name, st->name);
        put(&t, "%s  when: %s\n", sub, when);
        if (r->treatment >= 0)
            put(&t, "%s  treatment: %s\n", sub, s->treatment[r->treatment].name);
        put_schedule(&t, s, r, sub);
    }
    free(all.p);
    if (t.failed) {
        free(t.s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return t.s;
}

char *ns_strategy_yaml(const ns_scenario *s, const ns_strategy *st, int indent, char *err,
                       size_t errlen)
{
    char ind[64], sub[80];
    snprintf(ind, sizeof ind, "%*s", indent < 60 ? indent : 60, "");
    snprintf(sub, sizeof sub, "%s    ", ind);
    textbuf t = {0};
    put(&t, "%s- name: %s\n%s  source: \"%s\"\n%s  rules:\n", ind, st->name, ind, st->source,
        ind);
    for (int i = 0; i < st->n_rules; i++) {
        const ns_rule *r = &st->rule[i];
        put(&t, "%s- name: %s\n", sub, r->name);
        put(&t, "%s  assumption: \"%s\"\n", sub, st->source);
        if (r->otherwise)
            put(&t, "%s  otherwise: true\n", sub);
        else {
            char when[512];
            ns_riskgroup_yaml(&r->when, when, sizeof when);
            put(&t, "%s  when: %s\n", sub, when);
        }
        if (r->treatment >= 0)
            put(&t, "%s  treatment: %s\n", sub, s->treatment[r->treatment].name);
        put_schedule(&t, s, r, sub);
    }
    if (t.failed) {
        free(t.s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return t.s;
}

char *ns_scenario_add_strategy(const char *name, const char *text, const char *entry, char *err,
                               size_t errlen)
{
    ns_ytree t = {0};
    if (ns_ytree_load_string(&t, name, text, strlen(text), err, errlen))
        return NULL;
    ns_ynode *st = t.root && t.root->kind == NS_Y_MAP ? ns_ymap_get(t.root, "strategies") : NULL;
    if (!st || st->kind != NS_Y_SEQ || st->n == 0) {
        snprintf(err, errlen, "%s: no strategies: list to add the strategy to", name);
        ns_ytree_free(&t);
        return NULL;
    }
    /* the first item's line: its dash sets the indentation of the entry */
    int line = st->items[0]->line;
    ns_ytree_free(&t);
    const char *at = text;
    for (int l = 1; l < line && at; l++) {
        at = strchr(at, '\n');
        at = at ? at + 1 : NULL;
    }
    size_t dash = at ? strspn(at, " ") : 0;
    if (!at || at[dash] != '-') {
        snprintf(err, errlen, "%s:%d: strategies: must be a block list (\"- name: ...\" lines) "
                 "to add a strategy to it", name, line);
        return NULL;
    }
    textbuf t2 = {0};
    put(&t2, "%.*s", (int)(at - text), text);
    for (const char *p = entry; *p;) {
        size_t len = strcspn(p, "\n");
        put(&t2, "%*s%.*s\n", (int)dash, "", (int)len, p);
        p += len + (p[len] == '\n');
    }
    put(&t2, "%s", at);
    if (t2.failed) {
        free(t2.s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return t2.s;
}
