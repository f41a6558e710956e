/* The model's sections of a scenario: header, cohort, metastasis, local
 * residual, course after detection, other-cause death and the cohort's
 * targets. */
#include "sections.h"
#include "params.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        if (name && ns__name(L, name, path, c->method[i].name, NS_NAME_LEN, "./ ") == 0) {
            for (size_t k = 0; k < i; k++)
                if (strcmp(c->method[k].name, name->text) == 0) {
                    ns__err_at(L, name, path, "duplicate name '%s'", name->text);
                    rc = -1;
                }
            snprintf(path, sizeof path, "cohort.resection_methods.%s", name->text);
        } else
            rc = -1;
        rc |= ns__param(L, m, path, "share", &c->method[i].share, 0, 1);
        rc |= ns__param(L, m, path, "incomplete", &c->method[i].incomplete, 0, 1);
    }
    double shares[NS_MAX_METHODS];
    for (int i = 0; i < c->n_methods; i++)
        shares[i] = c->method[i].share;
    return rc ? rc : ns__check_sum1(L, list, "cohort.resection_methods.*.share", shares, c->n_methods);
}

int ns__load_cohort(ld *L, ns_ynode *root)
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

int ns__load_metastasis(ld *L, ns_ynode *root)
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
    if ((sub = ns__child(L, n, "metastasis", "deposits", NS_Y_MAP, 1))) {
        const char *p = "metastasis.deposits";
        rc |= ns__param(L, sub, p, "extra_mean_nodal", &m->extra_deposits[NS_SITE_NODAL], 0, 20);
        rc |= ns__param(L, sub, p, "extra_mean_liver", &m->extra_deposits[NS_SITE_LIVER], 0, 20);
        rc |= ns__param(L, sub, p, "resectable_factor_per_extra", &m->resectable_per_extra, 0, 1);
    } else
        rc = -1;
    return rc;
}

int ns__load_residual(ld *L, ns_ynode *root)
{
    ns_residual_params *r = &L->s->residual;
    ns_ynode *n = ns__child(L, root, "", "residual", NS_Y_MAP, 1);
    if (!n)
        return -1;
    return ns__param_list(L, n, "residual", "probability_by_margin", r->prob_by_margin, NS_NMARGINS, 0,
                      NULL, 0, 1) |
           ns__dist(L, n, "residual", "years_to_visible", &r->onset);
}

int ns__load_course(ld *L, ns_ynode *root)
{
    ns_course_params *c = &L->s->course;
    int rc = 0;
    ns_ynode *n;
    if ((n = ns__child(L, root, "", "timing", NS_Y_MAP, 1))) {
        rc |= ns__param(L, n, "timing", "reference_diameter_mm", &c->reference_mm, 0.1, 100);
        rc |= ns__dist(L, n, "timing", "years_to_detectable", &c->onset);
        ns_ynode *sub = ns__child(L, n, "timing", "synchronous", NS_Y_MAP, 1);
        if (sub) {
            rc |= ns__curve(L, sub, "timing.synchronous", "size_mm", "share", &c->synchronous, 0,
                            0, 1);
            rc |= ns__dist(L, sub, "timing.synchronous", "diameter_mm", &c->synchronous_mm);
        } else
            rc = -1;
    } else
        rc = -1;
    if ((n = ns__child(L, root, "", "growth", NS_Y_MAP, 1))) {
        rc |= ns__dist(L, n, "growth", "volume_doubling_months", &c->doubling_months);
        rc |= ns__param_list(L, n, "growth", "doubling_factor_by_grade", c->grade_doubling,
                             NS_NGRADES, 0, NULL, 0.01, 100);
    } else
        rc = -1;
    if ((n = ns__child(L, root, "", "symptoms", NS_Y_MAP, 1))) {
        rc |= ns__dist(L, n, "symptoms", "diameter_mm", &c->symptom_mm);
        rc |= ns__param(L, n, "symptoms", "incidental_imaging_per_year", &c->incidental_rate, 0, 10);
        rc |= ns__dist(L, n, "symptoms", "lethal_to_symptom_diameter_ratio", &c->lethal_ratio);
    } else
        rc = -1;
    return rc;
}


static const char *const death_words[] = {"gompertz", "life_table"};

int ns__load_death(ld *L, ns_ynode *root)
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
        d->hazard_ratio = 1; /* optional: the table as published */
        if (ns_ymap_get(sub, "hazard_ratio"))
            rc |= ns__param(L, sub, p, "hazard_ratio", &d->hazard_ratio, 0.01, 100);
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
                                         "detectable_within_5y_rate", "synchronous_rate"};

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

int ns__load_targets(ld *L, ns_ynode *root)
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

int ns__load_header(ld *L, ns_ynode *root)
{
    int rc = 0;
    ns_ynode *v = ns__child(L, root, "", "netsurv", NS_Y_SCALAR, 1);
    if (v && strcmp(v->text, "1") != 0) {
        ns__err_at(L, v, "netsurv", "unsupported scenario format '%s' (this netsurv reads 1)", v->text);
        rc = -1;
    } else if (!v)
        rc = -1;
    ns_ynode *name = ns__child(L, root, "", "name", NS_Y_SCALAR, 1);
    if (!name || ns__name(L, name, "name", L->s->name, sizeof L->s->name, NULL))
        rc = -1;
    ns__child(L, root, "", "description", NS_Y_SCALAR, 0);
    ns_ynode *seed = ns__child(L, root, "", "seed", NS_Y_SCALAR, 1);
    if (!seed || ns__to_u64(L, seed, "seed", &L->s->seed))
        rc = -1;
    return rc;
}

int ns__load_specimen(ld *L, ns_ynode *root)
{
    /* optional, and read after every other section, so that the registry
     * index (and so the PSA stream) of every other parameter is what it was
     * before the key existed */
    ns_ynode *n = ns_ymap_get(root, "metastasis");
    L->s->met.dormant_nodal_ratio = 0;
    L->s->course.synchronous_or = 1;
    int rc = 0;
    if (n && n->kind == NS_Y_MAP && ns_ymap_get(n, "dormant_nodal_ratio"))
        rc |= ns__param(L, n, "metastasis", "dormant_nodal_ratio",
                        &L->s->met.dormant_nodal_ratio, 0, 50);
    /* timing.synchronous.odds_ratio: the same, after the dormant ratio */
    ns_ynode *t = ns_ymap_get(root, "timing");
    ns_ynode *sy = t && t->kind == NS_Y_MAP ? ns_ymap_get(t, "synchronous") : NULL;
    if (sy && sy->kind == NS_Y_MAP && ns_ymap_get(sy, "odds_ratio"))
        rc |= ns__param(L, sy, "timing.synchronous", "odds_ratio", &L->s->course.synchronous_or,
                        0.01, 100);
    return rc;
}
