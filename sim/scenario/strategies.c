/* The scenario's follow-up parameters, modalities, additional
 * treatments and strategies (MODEL.md section 3), with their checks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "economics_section.h"
#include "strategies.h"

static const char *const site_words[NS_NLOCS] = {"local", "nodal", "liver"};

/* Index of the entry called `name` in an array of `count` structs of size
 * `stride` whose first member is their name; -1 if none. */
static int find_named(const void *base, int count, size_t stride, const char *name)
{
    for (int k = 0; k < count; k++)
        if (strcmp((const char *)base + (size_t)k * stride, name) == 0)
            return k;
    return -1;
}
#define FIND_NAMED(arr, count, nm) find_named((arr), (count), sizeof *(arr), (nm))

/* The `name:` of a list entry, copied to out and appended to the path;
 * checks it is unique among the first `i` names of `names`. */
int ns__entry_name(ld *L, ns_ynode *m, const char *list, size_t i, char *out,
                      const void *names, size_t stride, char *path)
{
    char idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    ns__join(path, list, idx);
    if (m->kind != NS_Y_MAP) {
        ns__err_at(L, m, path, "expected a mapping with a name");
        return -1;
    }
    ns_ynode *n = ns__child(L, m, path, "name", NS_Y_SCALAR, 1);
    if (!n)
        return -1;
    if (!n->text[0] || strlen(n->text) >= NS_NAME_LEN || strpbrk(n->text, "./ ") ||
        ns__has_control(n->text)) {
        ns__err_at(L, n, path, "name '%.60s' must be 1-%d characters without '.', '/', spaces "
                   "or control characters (such as a newline)", n->text, NS_NAME_LEN - 1);
        return -1;
    }
    if (find_named(names, (int)i, stride, n->text) >= 0) {
        ns__err_at(L, n, path, "duplicate name '%s'", n->text);
        return -1;
    }
    memcpy(out, n->text, strlen(n->text) + 1);
    ns__join(path, list, n->text);
    return 0;
}

/* A curve over diameter in mm with probabilities in [0, 1]. */
static int prob_curve(ld *L, ns_ynode *map, const char *parent, const char *key, ns_curve *c,
                      const char *xkey, const char *ykey, int required)
{
    char path[PATHLEN];
    ns__join(path, parent, key);
    ns_ynode *n = ns__child(L, map, parent, key, NS_Y_MAP, required);
    if (!n)
        return required ? -1 : 1;
    return ns__curve(L, n, path, xkey, ykey, c, 0, 0, 1);
}

/* A probability curve by diameter for each site (nodal, liver) under
 * parent.key. */
static int site_curves(ld *L, ns_ynode *map, const char *parent, const char *key, ns_curve *c)
{
    char path[PATHLEN];
    ns__join(path, parent, key);
    ns_ynode *n = ns__child(L, map, parent, key, NS_Y_MAP, 1);
    if (!n)
        return -1;
    return prob_curve(L, n, path, "nodal", &c[NS_SITE_NODAL], "diameter_mm", "probability", 1) |
           prob_curve(L, n, path, "liver", &c[NS_SITE_LIVER], "diameter_mm", "probability", 1);
}

/* What treatment at detection does: cure after complete resection by
 * burden and site, the disease a non-curative resection leaves, somatostatin
 * analogues for unresectable disease, and the mortality of the operation. */
static int load_treatment_effect(ld *L, ns_ynode *follow)
{
    ns_followup_params *f = &L->s->follow;
    const char *p = "follow_up.treatment_effect";
    ns_ynode *n = ns__child(L, follow, "follow_up", "treatment_effect", NS_Y_MAP, 1);
    if (!n)
        return -1;
    int rc = 0;
    rc |= site_curves(L, n, p, "cure_after_resection", f->cure);
    rc |= ns__param(L, n, p, "residual_volume_fraction", &f->residual_fraction, 1e-9, 1);
    rc |= ns__param(L, n, p, "somatostatin_hazard_ratio", &f->ssa_hr, 0.01, 1);
    rc |= ns__param(L, n, p, "second_line_survival_hazard_ratio", &f->second_line_hr, 0.01, 2);
    rc |= ns__param(L, n, p, "progression_diameter_increase", &f->progression_increase, 0.01, 10);
    rc |= ns__param(L, n, p, "surgery_mortality", &f->surgery_mortality, 0, 1);
    return rc;
}

static int load_follow(ld *L, ns_ynode *root)
{
    ns_followup_params *f = &L->s->follow;
    ns_ynode *n = ns__child(L, root, "", "follow_up", NS_Y_MAP, 1), *sub;
    if (!n)
        return -1;
    int rc = prob_curve(L, n, "follow_up", "adherence", &f->adherence, "years", "probability", 1);
    rc |= site_curves(L, n, "follow_up", "resectable", f->resectable);
    rc |= load_treatment_effect(L, n);
    if ((sub = ns__child(L, n, "follow_up", "costs", NS_Y_MAP, 1))) {
        const char *p = "follow_up.costs";
        rc |= ns__param(L, sub, p, "metastasis_resection", &f->resection_cost, 0, INFINITY);
        rc |= ns__param(L, sub, p, "systemic_therapy_per_year", &f->systemic_cost, 0, INFINITY);
        rc |= ns__param(L, sub, p, "second_line", &f->second_line_cost, 0, INFINITY);
        rc |= ns__param(L, sub, p, "second_line_share", &f->second_line_share, 0, 1);
        rc |= ns__param(L, sub, p, "local_reresection", &f->local_treatment_cost, 0, INFINITY);
    } else
        rc = -1;
    if ((sub = ns__child(L, n, "follow_up", "discount", NS_Y_MAP, 1))) {
        rc |= ns__param(L, sub, "follow_up.discount", "costs", &f->discount_costs, 0, 0.5);
        rc |= ns__param(L, sub, "follow_up.discount", "effects", &f->discount_effects, 0, 0.5);
    } else
        rc = -1;
    return rc;
}

static int load_modality(ld *L, ns_ynode *m, size_t i)
{
    ns_scenario *s = L->s;
    ns_modality *x = &s->modality[i];
    char path[PATHLEN];
    if (ns__entry_name(L, m, "modalities", i, x->name, s->modality, sizeof *x, path))
        return -1;
    int rc = ns__param(L, m, path, "cost", &x->cost, 0, INFINITY);
    rc |= ns__param(L, m, path, "workup_cost", &x->workup_cost, 0, INFINITY);
    rc |= ns__param(L, m, path, "specificity", &x->specificity, 0, 1);
    rc |= ns__param(L, m, path, "radiation_msv", &x->radiation_msv, 0, 1000);
    char spath[PATHLEN];
    ns__join(spath, path, "sensitivity");
    ns_ynode *sens = ns__child(L, m, path, "sensitivity", NS_Y_MAP, 1);
    if (!sens)
        return -1;
    int any = 0;
    for (int k = 0; k < NS_NLOCS; k++) {
        int r = prob_curve(L, sens, spath, site_words[k], &x->sensitivity[k], "diameter_mm",
                           "sensitivity", 0);
        x->sees[k] = r == 0;
        any |= r == 0;
        rc |= r < 0;
    }
    if (!any && !rc) {
        ns__err_at(L, sens, spath, "give a sensitivity curve for at least one of local, nodal, liver");
        rc = -1;
    }
    return rc ? -1 : 0;
}

static int load_treatment(ld *L, ns_ynode *m, size_t i)
{
    ns_scenario *s = L->s;
    ns_treatment *t = &s->treatment[i];
    char path[PATHLEN];
    if (ns__entry_name(L, m, "treatments", i, t->name, s->treatment, sizeof *t, path))
        return -1;
    return ns__param(L, m, path, "cost", &t->cost, 0, INFINITY) |
           ns__param(L, m, path, "operative_mortality", &t->mortality, 0, 1) |
           ns__param(L, m, path, "clears_residual", &t->clears_residual, 0, 1) |
           ns__param(L, m, path, "clears_nodal", &t->clears_nodal, 0, 1) |
           ns__param(L, m, path, "qaly_loss", &t->qaly_loss, 0, 10) |
           ns__param(L, m, path, "utility_loss_per_year", &t->utility_loss, 0, 1);
}

/* The list of named entries under root[key], each loaded by fn: required
 * or not, and when given of at least `min` entries and at most max. */
int ns__named_list(ld *L, ns_ynode *root, const char *key, int min, int max, int *count,
                   int required, int (*fn)(ld *, ns_ynode *, size_t))
{
    ns_ynode *n = ns__child(L, root, "", key, NS_Y_SEQ, required);
    if (!n)
        return required ? -1 : 0;
    if (n->n > (size_t)max || n->n < (size_t)min) {
        ns__err_at(L, n, key, "expected %d to %d entries, found %zu", min, max, n->n);
        return -1;
    }
    int rc = 0;
    *count = (int)n->n;
    for (size_t i = 0; i < n->n; i++)
        rc |= fn(L, n->items[i], i);
    return rc;
}

int ns__load_modalities(ld *L, ns_ynode *root)
{
    ns_scenario *s = L->s;
    return load_follow(L, root) | ns__load_economics(L, root) |
           ns__named_list(L, root, "modalities", 1, NS_MAX_MODALITIES, &s->n_modalities, 1,
                          load_modality) |
           ns__named_list(L, root, "treatments", 0, NS_MAX_TREATMENTS, &s->n_treatments, 0,
                          load_treatment);
}

/* ---- strategies ---- */

/* A set of words from `words` as a bit mask; absent means all. */
static int word_set(ld *L, ns_ynode *when, const char *parent, const char *key,
                    const char *const *words, int nwords, unsigned *mask)
{
    char path[PATHLEN];
    ns__join(path, parent, key);
    *mask = (1u << nwords) - 1;
    ns_ynode *n = ns_ymap_get(when, key);
    if (!n)
        return 0;
    if (n->kind != NS_Y_SEQ) {
        ns__err_at(L, n, path, "expected a list, e.g. [%s]", words[0]);
        return -1;
    }
    *mask = 0;
    for (size_t i = 0; i < n->n; i++) {
        int k = -1;
        for (int w = 0; w < nwords && n->items[i]->kind == NS_Y_SCALAR; w++)
            if (strcmp(n->items[i]->text, words[w]) == 0)
                k = w;
        if (k < 0) {
            char list[128] = "";
            for (int w = 0; w < nwords; w++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", w ? ", " : "",
                         words[w]);
            ns__err_at(L, n->items[i], path, "'%s' is not one of: %s",
                       n->items[i]->kind == NS_Y_SCALAR ? n->items[i]->text : "(list)", list);
            return -1;
        }
        *mask |= 1u << k;
    }
    return 0;
}

static const char *const grade_words[] = {"G1", "G2", "G3"};
static const char *const margin_words[] = {"R0", "R1", "Rx"};
static const char *const lvi_words[] = {"no", "yes"};
static const char *const depth_words[] = {"submucosa", "muscularis"};

/* The values of one attribute in a mask as "G1 or G2", or "" when all. */
static void words_in(unsigned mask, const char *const *words, int n, char *out, size_t cap,
                     const char *sep)
{
    out[0] = 0;
    if (mask == (1u << n) - 1)
        return;
    for (int w = 0; w < n; w++)
        if (mask >> w & 1)
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? sep : "", words[w]);
}

void ns__describe_group(const ns_riskgroup *g, char *out, size_t cap)
{
    char part[5][64];
    if (g->size_lo > 0 && isfinite(g->size_hi))
        snprintf(part[0], sizeof part[0], "size %g to under %g mm", g->size_lo, g->size_hi);
    else if (g->size_lo > 0)
        snprintf(part[0], sizeof part[0], "size %g mm or more", g->size_lo);
    else if (isfinite(g->size_hi))
        snprintf(part[0], sizeof part[0], "size under %g mm", g->size_hi);
    else
        part[0][0] = 0;
    words_in(g->grades, grade_words, 3, part[1], sizeof part[1], " or ");
    words_in(g->margins, margin_words, 3, part[2], sizeof part[2], " or ");
    char lvi[16];
    words_in(g->lvi, lvi_words, 2, lvi, sizeof lvi, " or ");
    snprintf(part[3], sizeof part[3], lvi[0] ? "LVI %s" : "%s", lvi);
    words_in(g->depth, depth_words, 2, part[4], sizeof part[4], " or ");
    out[0] = 0;
    for (int i = 0; i < 5; i++)
        if (part[i][0])
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? ", " : "", part[i]);
    if (!out[0])
        snprintf(out, cap, "every patient");
}

int ns_riskgroup_yaml(const ns_riskgroup *g, char *out, size_t cap)
{
    char list[4][64];
    const unsigned masks[4] = {g->grades, g->margins, g->lvi, g->depth};
    const char *const *words[4] = {grade_words, margin_words, lvi_words, depth_words};
    const char *keys[4] = {"grade", "margin", "lvi", "depth"};
    const int nw[4] = {3, 3, 2, 2};
    int len = snprintf(out, cap, "{");
    if (g->size_lo > 0 || isfinite(g->size_hi)) {
        len += snprintf(out + len, cap > (size_t)len ? cap - (size_t)len : 0, "size_mm: {");
        if (g->size_lo > 0)
            len += snprintf(out + len, cap > (size_t)len ? cap - (size_t)len : 0, "min: %.17g%s",
                            g->size_lo, isfinite(g->size_hi) ? ", " : "");
        if (isfinite(g->size_hi))
            len += snprintf(out + len, cap > (size_t)len ? cap - (size_t)len : 0, "max: %.17g",
                            g->size_hi);
        len += snprintf(out + len, cap > (size_t)len ? cap - (size_t)len : 0, "}");
    }
    for (int a = 0; a < 4; a++) {
        words_in(masks[a], words[a], nw[a], list[a], sizeof list[a], ", ");
        if (list[a][0])
            len += snprintf(out + len, cap > (size_t)len ? cap - (size_t)len : 0, "%s%s: [%s]",
                            len > 1 ? ", " : "", keys[a], list[a]);
    }
    len += snprintf(out + len, cap > (size_t)len ? cap - (size_t)len : 0, "}");
    return (size_t)len < cap ? 0 : -1;
}

/* `max: 19.9` (a round number less 0.1 or 0.01) where `max: 20` was
 * likely meant: max is exclusive, so 19.9-20 mm falls out of the group. */
static void exclusive_max_warning(ld *L, const ns_ynode *n, const char *path, double max)
{
    static const double gaps[] = {0.1, 0.01};
    for (size_t i = 0; i < sizeof gaps / sizeof *gaps; i++) {
        double up = round(max + gaps[i]);
        if (max != floor(max) && up >= 1 && fabs(max + gaps[i] - up) < 1e-9) {
            ns__warn_at(L, n, path, "%g is exclusive; tumours of %g-%g mm match no group that "
                        "ends here (min is inclusive, max exclusive): write max: %g for "
                        "'under %g mm'", max, max, up, up, up);
            return;
        }
    }
}

/* The `when:` risk group of a rule (absent: everyone). */
static int riskgroup(ld *L, ns_ynode *rule, const char *path, ns_riskgroup *g)
{
    char wpath[PATHLEN];
    ns__join(wpath, path, "when");
    g->size_lo = 0;
    g->size_hi = INFINITY;
    g->grades = 7, g->margins = 7, g->lvi = 3, g->depth = 3;
    ns_ynode *w = ns_ymap_get(rule, "when");
    if (!w)
        return 0;
    if (w->kind != NS_Y_MAP) {
        ns__err_at(L, w, wpath, "expected a mapping of reported attributes");
        return -1;
    }
    int rc = 0;
    ns_ynode *size = ns__child(L, w, wpath, "size_mm", NS_Y_MAP, 0);
    if (size) {
        char spath[PATHLEN], kpath[PATHLEN];
        ns__join(spath, wpath, "size_mm");
        ns_ynode *lo = ns_ymap_get(size, "min"), *hi = ns_ymap_get(size, "max");
        ns__join(kpath, spath, "min");
        if (lo)
            rc |= ns__to_number(L, lo, kpath, &g->size_lo) ||
                  ns__check_range(L, lo, kpath, g->size_lo, 0, 1000);
        ns__join(kpath, spath, "max");
        if (hi && !(ns__to_number(L, hi, kpath, &g->size_hi) ||
                    ns__check_range(L, hi, kpath, g->size_hi, 0, 1000)))
            exclusive_max_warning(L, hi, kpath, g->size_hi);
        else if (hi)
            rc = -1;
        if (!lo && !hi) {
            ns__err_at(L, size, spath, "give min (inclusive) and/or max (exclusive)");
            rc = -1;
        }
        rc |= ns__unknown_here(L, size, spath);
    }
    rc |= word_set(L, w, wpath, "grade", grade_words, 3, &g->grades);
    rc |= word_set(L, w, wpath, "margin", margin_words, 3, &g->margins);
    rc |= word_set(L, w, wpath, "lvi", lvi_words, 2, &g->lvi);
    rc |= word_set(L, w, wpath, "depth", depth_words, 2, &g->depth);
    /* a misspelt attribute (`size:`) would widen the group to everyone */
    if (ns__unknown_here(L, w, wpath))
        return -1;
    if (!rc && g->size_lo >= g->size_hi) {
        ns__err_at(L, w, wpath, "this risk group is empty: no patient can match it (size_mm "
                   "min %g is inclusive, max %g exclusive)", g->size_lo, g->size_hi);
        rc = -1;
    } else if (!rc && (!g->grades || !g->margins || !g->lvi || !g->depth)) {
        ns__err_at(L, w, wpath, "this risk group is empty: no patient can match it");
        rc = -1;
    }
    return rc;
}

/* Adds a visit at time t with tests `mask`, merging equal times. */
static int add_visit(ns_rule *r, double t, uint32_t mask)
{
    for (int i = 0; i < r->n_visits; i++)
        if (fabs(r->visit_time[i] - t) < 1e-9) {
            r->visit_tests[i] |= mask;
            return 0;
        }
    if (r->n_visits >= NS_MAX_VISITS)
        return -1;
    int i = r->n_visits++;
    while (i > 0 && r->visit_time[i - 1] > t) {
        r->visit_time[i] = r->visit_time[i - 1];
        r->visit_tests[i] = r->visit_tests[i - 1];
        i--;
    }
    r->visit_time[i] = t;
    r->visit_tests[i] = mask;
    return 0;
}

/* The modalities of a schedule item as a bit mask. */
static int tests_mask(ld *L, ns_ynode *item, const char *path, uint32_t *mask)
{
    char tpath[PATHLEN];
    ns__join(tpath, path, "tests");
    ns_ynode *t = ns__child(L, item, path, "tests", NS_Y_SEQ, 1);
    if (!t)
        return -1;
    *mask = 0;
    if (t->n == 0) {
        ns__err_at(L, t, tpath, "a visit needs at least one test");
        return -1;
    }
    for (size_t i = 0; i < t->n; i++) {
        const ns_ynode *x = t->items[i];
        int k = x->kind == NS_Y_SCALAR ? FIND_NAMED(L->s->modality, L->s->n_modalities, x->text)
                                       : -1;
        if (k < 0) {
            char known[300] = "";
            for (int j = 0; j < L->s->n_modalities; j++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                         j ? ", " : "", L->s->modality[j].name);
            ns__err_at(L, x, tpath, "unknown modality '%.60s' (known: %s; define others under "
                       "modalities:)", x->kind == NS_Y_SCALAR ? x->text : "(not a name)",
                       known[0] ? known : "none");
            return -1;
        }
        *mask |= 1u << k;
    }
    return 0;
}

/* A number under key in item, if present; *given says whether it was. */
static int opt_number(ld *L, ns_ynode *item, const char *path, const char *key, double *out,
                      int *given)
{
    char p[PATHLEN];
    ns__join(p, path, key);
    ns_ynode *n = ns_ymap_get(item, key);
    *given = n != NULL;
    return n ? ns__to_number(L, n, p, out) : 0;
}

/* One schedule item: explicit `at: [...]` times, or `every` from `from` to
 * `to` (or lifelong). */
static int schedule_item(ld *L, ns_rule *r, ns_ynode *item, const char *path)
{
    if (item->kind != NS_Y_MAP) {
        ns__err_at(L, item, path, "expected a mapping with at: or every:, and tests:");
        return -1;
    }
    uint32_t mask = 0;
    int rc = tests_mask(L, item, path, &mask);
    ns_ymap_get(item, "assumption");
    ns_ymap_get(item, "source");
    ns_ynode *at = ns_ymap_get(item, "at");
    double every = 0, from = 0, to = 0;
    int has_every, has_from, has_to, lifelong = 0;
    rc |= opt_number(L, item, path, "every", &every, &has_every);
    rc |= opt_number(L, item, path, "from", &from, &has_from);
    rc |= opt_number(L, item, path, "to", &to, &has_to);
    ns_ynode *ll = ns_ymap_get(item, "lifelong");
    rc |= ns__unknown_here(L, item, path); /* `evry:` is named, not "needs every:" */
    if (ll && !(ll->kind == NS_Y_SCALAR && (!strcmp(ll->text, "true") || !strcmp(ll->text, "false")))) {
        ns__err_at(L, ll, path, "lifelong must be true or false");
        rc = -1;
    } else if (ll)
        lifelong = !strcmp(ll->text, "true");
    if (rc)
        return -1;
    char p[PATHLEN];
    if (at) {
        ns__join(p, path, "at");
        if (has_every || has_from || has_to || ll) {
            ns__err_at(L, at, path, "use either at: or every:/from:/to:/lifelong:, not both");
            return -1;
        }
        if (at->kind != NS_Y_SEQ || at->n == 0) {
            ns__err_at(L, at, p, "expected a list of times in years");
            return -1;
        }
        for (size_t i = 0; i < at->n; i++) {
            double t;
            if (ns__to_number(L, at->items[i], p, &t) ||
                ns__check_range(L, at->items[i], p, t, 0, NS_HORIZON_YEARS))
                return -1;
            if (add_visit(r, t, mask))
                goto too_many;
        }
        return 0;
    }
    if (!has_every) {
        ns__err_at(L, item, path, "needs at: [times] or every: (with from:, to: or lifelong: true)");
        return -1;
    }
    ns__join(p, path, "every");
    if (every <= 0 || every > NS_HORIZON_YEARS) {
        ns__err_at(L, ns_ymap_get(item, "every"), p, "%g is not a positive interval in years",
                   every);
        return -1;
    }
    ns__join(p, path, "from");
    if (from < 0) {
        ns__err_at(L, ns_ymap_get(item, "from"), p, "negative time %g", from);
        return -1;
    }
    ns__join(p, path, "to");
    if (lifelong == has_to) {
        ns__err_at(L, item, path, lifelong ? "give to: or lifelong: true, not both"
                                           : "needs to: (years) or lifelong: true");
        return -1;
    }
    if (has_to && to < from) {
        ns__err_at(L, ns_ymap_get(item, "to"), p, "to (%g) is before from (%g)", to, from);
        return -1;
    }
    if (!has_from)
        from = every;
    double end = lifelong ? NS_HORIZON_YEARS : to;
    r->lifelong |= lifelong;
    for (int k = 0; from + k * every <= end + 1e-9; k++)
        if (add_visit(r, from + k * every, mask))
            goto too_many;
    return 0;
too_many:
    ns__err_at(L, item, path, "more than %d visits in this rule's schedule", NS_MAX_VISITS);
    return -1;
}

int ns__otherwise(ld *L, ns_ynode *m, const char *path, const char *what, const char *verb,
                  int *flag)
{
    ns_ynode *ow = ns_ymap_get(m, "otherwise");
    *flag = ow && ow->kind == NS_Y_SCALAR && strcmp(ow->text, "true") == 0;
    if (ow && (!*flag || ns_ymap_get(m, "when"))) {
        ns__err_at(L, ow, path, "otherwise: true %s the patients no other %s %s; it takes no "
                   "when:", verb, what, verb);
        return -1;
    }
    return 0;
}

int ns__treatment_ref(ld *L, ns_ynode *m, const char *path, int *out)
{
    *out = -1;
    ns_ynode *t = ns__child(L, m, path, "treatment", NS_Y_SCALAR, 0);
    if (!t || !strcmp(t->text, "none"))
        return 0;
    *out = FIND_NAMED(L->s->treatment, L->s->n_treatments, t->text);
    if (*out >= 0)
        return 0;
    char tp[PATHLEN];
    ns__join(tp, path, "treatment");
    ns__err_at(L, t, tp, "unknown treatment '%s' (define it under treatments:)", t->text);
    return -1;
}


static int load_rule(ld *L, ns_strategy *st, ns_ynode *m, size_t i, const char *spath)
{
    ns_rule *r = &st->rule[i];
    char list[PATHLEN], path[PATHLEN];
    ns__join(list, spath, "rules");
    if (ns__entry_name(L, m, list, i, r->name, st->rule, sizeof *r, path))
        return -1;
    ns_ynode *src = ns_ymap_get(m, "source"), *as = ns_ymap_get(m, "assumption");
    if (!src && !as) {
        ns__err_at(L, m, path, "every rule needs 'source:' or 'assumption:'");
        return -1;
    }
    if (ns__otherwise(L, m, path, "rule", "matches", &r->otherwise))
        return -1;
    int rc = riskgroup(L, m, path, &r->when) | ns__treatment_ref(L, m, path, &r->treatment);
    ns_ynode *sch = ns_ymap_get(m, "schedule");
    /* a misspelt key (`shedule:`) is named before the missing one */
    rc |= ns__unknown_here(L, m, path);
    if (sch)
        sch = ns__child(L, m, path, "schedule", NS_Y_SEQ, 1);
    else
        ns__child(L, m, path, "schedule", NS_Y_SEQ, 1);
    if (!sch)
        return -1;
    for (size_t k = 0; k < sch->n; k++) {
        char ip[PATHLEN + 32];
        snprintf(ip, sizeof ip, "%s.schedule.%zu", path, k);
        rc |= schedule_item(L, r, sch->items[k], ip);
    }
    return rc;
}

/* "size 10-20 mm, G2, R0, LVI no, submucosa" for messages. */
static void describe_cell(char *buf, size_t len, double lo, double hi, int g, int m, int v, int d)
{
    int k = isinf(hi) ? snprintf(buf, len, "size %g mm or more", lo)
                      : snprintf(buf, len, "size %g-%g mm (from %g, under %g)", lo, hi, lo, hi);
    if (k > 0 && (size_t)k < len)
        snprintf(buf + k, len - (size_t)k, ", %s, %s, LVI %s, %s", grade_words[g], margin_words[m],
                 lvi_words[v], depth_words[d]);
}

/* Every reported patient must match exactly one of the n owners (rules of
 * a strategy, or risk groups; an `otherwise` owner takes those no other
 * matches): no overlaps, no gaps, no empty owner. `what` names them in
 * messages ("rule", "group"); items[i] is owner i's node. */
int ns__check_partition(ld *L, const ns__owner *ow, int n, ns_ynode *list, const char *path,
                        const char *what)
{
    _Static_assert(NS_MAX_RULES <= NS_MAX_OWNERS && NS_MAX_GROUPS <= NS_MAX_OWNERS,
                   "cut[] holds the sizes of at most NS_MAX_OWNERS owners");
    double cut[2 * NS_MAX_OWNERS + 3];
    int nc = 0;
    cut[nc++] = 0;
    cut[nc++] = INFINITY;
    for (int i = 0; i < n; i++) {
        cut[nc++] = ow[i].when->size_lo;
        cut[nc++] = ow[i].when->size_hi;
    }
    for (int i = 1; i < nc; i++) /* insertion sort */
        for (int j = i; j > 0 && cut[j] < cut[j - 1]; j--) {
            double x = cut[j]; cut[j] = cut[j - 1]; cut[j - 1] = x;
        }
    char cell[160];
    int other = -1, other_used = 0;
    for (int i = 0; i < n; i++)
        if (ow[i].otherwise) {
            if (other >= 0) {
                ns__err_at(L, list->items[i], path, "only one %s may say otherwise: true", what);
                return -1;
            }
            other = i;
        }
    for (int c = 0; c + 1 < nc; c++) {
        if (!(cut[c + 1] > cut[c]) || isinf(cut[c]))
            continue;
        double mid = isinf(cut[c + 1]) ? cut[c] + 1 : (cut[c] + cut[c + 1]) / 2;
        for (int g = 0; g < 3; g++) for (int m = 0; m < 3; m++)
        for (int v = 0; v < 2; v++) for (int d = 0; d < 2; d++) {
            int first = -1;
            for (int i = 0; i < n; i++) {
                const ns_riskgroup *w = ow[i].when;
                if (i == other || !(mid >= w->size_lo && mid < w->size_hi && (w->grades >> g & 1) &&
                      (w->margins >> m & 1) && (w->lvi >> v & 1) && (w->depth >> d & 1)))
                    continue;
                if (first >= 0) {
                    describe_cell(cell, sizeof cell, cut[c], cut[c + 1], g, m, v, d);
                    ns__err_at(L, list->items[i], path, "%ss '%s' and '%s' overlap (both match %s)",
                               what, ow[first].name, ow[i].name, cell);
                    return -1;
                }
                first = i;
            }
            if (first < 0 && other >= 0)
                other_used = 1;
            else if (first < 0) {
                describe_cell(cell, sizeof cell, cut[c], cut[c + 1], g, m, v, d);
                ns__err_at(L, list, path, "no %s matches patients with %s", what, cell);
                return -1;
            }
        }
    }
    if (other >= 0 && !other_used) {
        ns__err_at(L, list->items[other], path,
                   "%s '%s' is empty: the other %ss already match every patient", what,
                   ow[other].name, what);
        return -1;
    }
    return 0;
}

static int check_partition(ld *L, ns_strategy *st, ns_ynode *rules, const char *spath)
{
    ns__owner ow[NS_MAX_RULES];
    char path[PATHLEN];
    ns__join(path, spath, "rules");
    for (int i = 0; i < st->n_rules; i++)
        ow[i] = (ns__owner){st->rule[i].name, &st->rule[i].when, st->rule[i].otherwise};
    return ns__check_partition(L, ow, st->n_rules, rules, path, "rule");
}

/* Names of the per-patient columns beside /patients/<strategy>/: a strategy
 * may not take one. */
static const char *const reserved_names[] = {
    "age", "sex", "size_mm", "grade", "depth", "lvi_true", "lvi_reported", "method", "margin",
    "has_metastasis", "site", "p_metastasis", "onset_time", "symptom_time", "incidental_time",
    "has_residual", "residual_time", "death_time"};

static int load_strategy(ld *L, ns_ynode *m, size_t i)
{
    ns_scenario *s = L->s;
    ns_strategy *st = &s->strategy[i];
    char path[PATHLEN];
    if (ns__entry_name(L, m, "strategies", i, st->name, s->strategy, sizeof *st, path))
        return -1;
    for (size_t r = 0; r < sizeof reserved_names / sizeof *reserved_names; r++)
        if (strcmp(st->name, reserved_names[r]) == 0) {
            ns__err_at(L, ns_ymap_get(m, "name"), path,
                       "'%s' is the name of a per-patient dataset; choose another", st->name);
            return -1;
        }
    ns_ynode *src = ns__child(L, m, path, "source", NS_Y_SCALAR, 1);
    if (src)
        snprintf(st->source, sizeof st->source, "%s", src->text);
    ns__child(L, m, path, "description", NS_Y_SCALAR, 0);
    ns_ymap_get(m, "assumptions");
    ns_ynode *rules = ns__child(L, m, path, "rules", NS_Y_SEQ, 1);
    if (!rules || !src)
        return -1;
    if (rules->n == 0 || rules->n > NS_MAX_RULES) {
        char rp[PATHLEN];
        ns__join(rp, path, "rules");
        ns__err_at(L, rules, rp, "expected 1 to %d rules, found %zu", NS_MAX_RULES, rules->n);
        return -1;
    }
    st->n_rules = (int)rules->n;
    int rc = 0;
    for (size_t k = 0; k < rules->n; k++)
        rc |= load_rule(L, st, rules->items[k], k, path);
    return rc ? rc : check_partition(L, st, rules, path);
}

int ns__load_strategies(ld *L, ns_ynode *root)
{
    return ns__named_list(L, root, "strategies", 1, NS_MAX_STRATEGIES, &L->s->n_strategies, 1,
                          load_strategy);
}

/* The `when:` and schedule grammar of rules, for the calibration series
 * (calibration.c), so that a series' cohort and protocol read as a rule does. */
int ns__riskgroup(ld *L, ns_ynode *m, const char *path, ns_riskgroup *g)
{
    return riskgroup(L, m, path, g);
}

int ns__schedule_item(ld *L, ns_rule *r, ns_ynode *item, const char *path)
{
    return schedule_item(L, r, item, path);
}

int ns__tests_mask(ld *L, ns_ynode *m, const char *path, uint32_t *mask)
{
    return tests_mask(L, m, path, mask);
}
