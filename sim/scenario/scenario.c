/* Scenario loading and checking: YAML tree -> ns_scenario. */
#include "netsurv/scenario/scenario.h"
#include "netsurv/numeric/rng.h"
#include "netsurv/scenario/yamltree.h"
#include "params.h"
#include "sections.h"
#include "strategies.h"
#include "sweep_section.h"
#include "optimize_section.h"
#include "study_section.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    static const section_loader loaders[] = {ns__load_header, ns__load_cohort, ns__load_metastasis,
                                              ns__load_residual, ns__load_course, ns__load_death,
                                              ns__load_targets, ns__load_modalities,
                                              ns__load_strategies, ns__load_groups,
                                              ns__load_sweep, ns__load_optimize,
                                              ns__load_studies, ns__load_specimen};
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
    errs->n = errs->n_warnings = 0;
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
    r->cap = r->n;
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
    errs->n = errs->n_warnings = 0;
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
    errs->n = errs->n_warnings = 0;
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
    errs->n = errs->n_warnings = 0;
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
    errs->n = errs->n_warnings = 0;
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
        errs->n = errs->n_warnings = 0;
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
    const char *generic = getenv("NETSURV_GENERIC_PLAY"); /* tests: the reference path */
    if (generic && generic[0] == '1')
        d->generic_play = 1;
    d->rate_costs = log1p(s->follow.discount_costs);
    d->rate_effects = log1p(s->follow.discount_effects);
    for (int m = 0; m < s->n_modalities; m++)
        d->specificity_below[m] = ns_rng_u32_below(s->modality[m].specificity);
    for (int k = 0; k < s->n_strategies; k++)
        for (int r = 0; r < s->strategy[k].n_rules; r++)
            ns_rule_derive(s, &s->strategy[k].rule[r]);
}

void ns_rule_derive(const ns_scenario *s, ns_rule *rule)
{
    for (int v = 0; v < rule->n_visits; v++) {
        double t = rule->visit_time[v];
        rule->visit_day[v] = (uint32_t)(t * 365.25 + 0.5);
        rule->visit_attend_below[v] = ns_rng_u32_below(ns_curve_eval(&s->follow.adherence, t));
        rule->visit_discount[v] = pow(1 + s->follow.discount_costs, -rule->visit_time[v]);
        rule->visit_discount_eff[v] = pow(1 + s->follow.discount_effects, -rule->visit_time[v]);
    }
}
