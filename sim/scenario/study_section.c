/* The studies: section: proposed follow-up studies whose expected value of
 * sample information `netsurv run --psa K --voi` estimates. Each study is a
 * mapping with name, source or assumption, cohort (when: and source or
 * assumption, as a calibration series' cohort), protocol (source or
 * assumption and a schedule, as a series' protocol), follow_up_years and
 * sample_sizes (lists) and cost (fixed and per_patient_year, each a
 * documented number: value with source or assumption), and optionally
 * late_after_years (a documented number, 5 when absent). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "strategies.h"
#include "study_section.h"

/* A list of 1 to max ascending numbers in [lo, hi] under key (whole numbers when whole). */
static int number_list(ld *L, ns_ynode *m, const char *parent, const char *key, double lo,
                       double hi, int max, int whole, double *out, int *n)
{
    char path[PATHLEN];
    ns__join(path, parent, key);
    ns_ynode *c = ns__child(L, m, parent, key, NS_Y_SEQ, 1);
    if (!c)
        return -1;
    if (c->n == 0 || c->n > (size_t)max) {
        ns__err_at(L, c, path, "give 1 to %d values", max);
        return -1;
    }
    *n = 0;
    for (size_t i = 0; i < c->n; i++) {
        double v;
        if (ns__to_number(L, c->items[i], path, &v) ||
            ns__check_range(L, c->items[i], path, v, lo, hi))
            return -1;
        if (whole && v != floor(v)) {
            ns__err_at(L, c->items[i], path, "'%s' is not a whole number of patients",
                       c->items[i]->text);
            return -1;
        }
        if (i > 0 && v <= out[i - 1]) {
            ns__err_at(L, c->items[i], path, "values must be ascending ('%s' after %g)",
                       c->items[i]->text, out[i - 1]);
            return -1;
        }
        out[(*n)++] = v;
    }
    return 0;
}

/* A documented number {value, source | assumption} under key, in [lo, hi]. */
static int documented(ld *L, ns_ynode *m, const char *parent, const char *key, double lo,
                      double hi, double *out)
{
    char path[PATHLEN], vp[PATHLEN];
    ns__join(path, parent, key);
    ns_ynode *d = ns__child(L, m, parent, key, NS_Y_MAP, 1);
    if (!d)
        return -1;
    ns_ymap_get(d, "note");
    int rc = ns__why(L, d, path, NULL, 0);
    ns_ynode *v = ns__child(L, d, path, "value", NS_Y_SCALAR, 1);
    ns__join(vp, path, "value");
    rc |= !v || ns__to_number(L, v, vp, out) || ns__check_range(L, v, vp, *out, lo, hi);
    rc |= ns__unknown_here(L, d, path);
    return rc ? -1 : 0;
}

static int load_study(ld *L, ns_study *x, ns_ynode *m, const char *path, int index)
{
    char p[PATHLEN];
    int rc = 0;
    ns_ynode *nm = ns__child(L, m, path, "name", NS_Y_SCALAR, 1);
    if (nm) {
        ns__join(p, path, "name");
        rc |= ns__name(L, nm, p, x->name, sizeof x->name, "./ ");
        for (int j = 0; j < index; j++)
            if (!strcmp(L->s->study[j].name, x->name)) {
                ns__err_at(L, nm, p, "a second study named '%s'", x->name);
                rc = -1;
            }
    } else
        rc = -1;
    rc |= ns__why(L, m, path, NULL, 0);
    ns_ymap_get(m, "description");
    /* cohort: who is followed */
    ns__join(p, path, "cohort");
    ns_ynode *co = ns__child(L, m, path, "cohort", NS_Y_MAP, 1);
    if (co)
        rc |= ns__why(L, co, p, NULL, 0) | ns__riskgroup(L, co, p, &x->when) |
              ns__unknown_here(L, co, p);
    else
        rc = -1;
    /* protocol: the study's visits */
    ns__join(p, path, "protocol");
    ns_ynode *pr = ns__child(L, m, path, "protocol", NS_Y_MAP, 1);
    if (pr) {
        char sp[PATHLEN];
        rc |= ns__why(L, pr, p, NULL, 0);
        ns__join(sp, p, "schedule");
        ns_ynode *sch = ns__child(L, pr, p, "schedule", NS_Y_SEQ, 1);
        memset(&x->protocol, 0, sizeof x->protocol);
        _Static_assert(sizeof x->protocol.name == sizeof x->name, "one name length");
        memcpy(x->protocol.name, x->name, sizeof x->name); /* snprintf: a -Wrestrict false alarm */
        x->protocol.treatment = -1;
        x->protocol.otherwise = 1;
        for (size_t i = 0; sch && i < sch->n; i++) {
            char ip[PATHLEN + 24];
            snprintf(ip, sizeof ip, "%s.%zu", sp, i);
            rc |= ns__schedule_item(L, &x->protocol, sch->items[i], ip);
        }
        rc |= !sch || ns__unknown_here(L, pr, p);
    } else
        rc = -1;
    rc |= number_list(L, m, path, "follow_up_years", 0.25, NS_HORIZON_YEARS, NS_STUDY_MAX_T, 0,
                      x->years, &x->n_years);
    rc |= number_list(L, m, path, "sample_sizes", 0, 1e6, NS_STUDY_MAX_N, 1, x->size,
                      &x->n_sizes);
    ns__join(p, path, "cost");
    ns_ynode *c = ns__child(L, m, path, "cost", NS_Y_MAP, 1);
    if (c)
        rc |= documented(L, c, p, "fixed", 0, 1e12, &x->cost_fixed) |
              documented(L, c, p, "per_patient_year", 0, 1e9, &x->cost_per_patient_year) |
              ns__unknown_here(L, c, p);
    else
        rc = -1;
    x->late_after = NS_STUDY_LATE_AFTER;
    if (ns_ymap_get(m, "late_after_years"))
        rc |= documented(L, m, path, "late_after_years", 0.25, NS_HORIZON_YEARS, &x->late_after);
    rc |= ns__unknown_here(L, m, path);
    return rc ? -1 : 0;
}

int ns__load_studies(ld *L, ns_ynode *root)
{
    L->s->n_studies = 0;
    ns_ynode *list = ns__child(L, root, "", "studies", NS_Y_SEQ, 0);
    if (!list)
        return 0;
    if (list->n == 0 || list->n > NS_MAX_STUDIES) {
        ns__err_at(L, list, "studies", "give 1 to %d studies", NS_MAX_STUDIES);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < list->n; i++) {
        char path[PATHLEN];
        snprintf(path, sizeof path, "studies.%zu", i);
        ns_study *x = &L->s->study[i];
        memset(x, 0, sizeof *x);
        L->s->n_studies = (int)i + 1;
        if (list->items[i]->kind != NS_Y_MAP) {
            ns__err_at(L, list->items[i], path, "expected a mapping with name, source or "
                       "assumption, cohort, protocol, follow_up_years, sample_sizes and cost");
            rc = -1;
            continue;
        }
        rc |= load_study(L, x, list->items[i], path, (int)i);
    }
    return rc;
}
