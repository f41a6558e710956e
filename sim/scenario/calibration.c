/* The calibration series file (issue 9): series, their cohorts, follow-up,
 * protocol and events, and the parameters to calibrate; checked against a
 * loaded scenario with the scenario loader's vocabulary (params.c) and the
 * rules' `when:` and schedule grammar (strategies.c). */
#include "netsurv/scenario/calibration.h"
#include "netsurv/scenario/yamltree.h"
#include "params.h"
#include "strategies.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ns_event_name[NS_NEVENTS] = {"local", "nodal", "distant", "metastasis"};
const char *const ns_surv_group_name[NS_NSURV] = {"found", "not_found"};

/* Reports every mapping key the loader never looked at, below n. */
static void unknown_keys(ld *L, const ns_ynode *n, const char *path)
{
    char p[PATHLEN];
    if (n->kind == NS_Y_SEQ)
        for (size_t i = 0; i < n->n; i++) {
            snprintf(p, sizeof p, "%s.%zu", path, i);
            unknown_keys(L, n->items[i], p);
        }
    if (n->kind != NS_Y_MAP)
        return;
    for (size_t i = 0; i < n->n; i++) {
        ns__join(p, path, n->keys[i]->text);
        if (!n->used[i])
            ns__err_at(L, n->keys[i], p, "unknown key '%s'", n->keys[i]->text);
        else
            unknown_keys(L, n->items[i], p);
    }
}

/* A documented number {value: V, source|assumption: "..."} in [lo, hi];
 * whole when `whole`. *vn gets the value node (for later messages). */
static int field(ld *L, ns_ynode *map, const char *parent, const char *key, double lo, double hi,
                 int whole, double *out, ns_ynode **vn)
{
    char path[PATHLEN], vpath[PATHLEN];
    ns__join(path, parent, key);
    ns_ynode *m = ns__child(L, map, parent, key, NS_Y_MAP, 1);
    if (!m)
        return -1;
    int rc = ns__why(L, m, path, NULL, 0);
    ns_ymap_get(m, "note");
    ns_ynode *v = ns_ymap_get(m, "value");
    ns__join(vpath, path, "value");
    if (!v) {
        ns__err_at(L, m, path, "missing required key 'value'");
        return -1;
    }
    if (ns__to_number(L, v, vpath, out) || ns__check_range(L, v, vpath, *out, lo, hi))
        return -1;
    if (whole && *out != floor(*out)) {
        ns__err_at(L, v, vpath, "%g is not a whole number", *out);
        return -1;
    }
    if (vn)
        *vn = v;
    return rc;
}

/* A plain number setting (no source: a setting of the method). */
static int setting(ld *L, ns_ynode *map, const char *parent, const char *key, double lo,
                   double hi, double fallback, double *out)
{
    char path[PATHLEN];
    ns__join(path, parent, key);
    ns_ynode *n = ns_ymap_get(map, key);
    *out = fallback;
    if (!n)
        return 0;
    if (ns__to_number(L, n, path, out) || ns__check_range(L, n, path, *out, lo, hi))
        return -1;
    if (*out != floor(*out)) {
        ns__err_at(L, n, path, "%g is not a whole number", *out);
        return -1;
    }
    return 0;
}

/* calibrate.parameters: registered parameters with a univariate prior. */
static int load_parameters(ld *L, ns_calibration *c, ns_ynode *cal)
{
    const ns_scenario *s = L->s;
    ns_ynode *list = ns__child(L, cal, "calibrate", "parameters", NS_Y_SEQ, 1);
    if (!list)
        return -1;
    if (list->n == 0 || list->n > NS_MAX_CALIB_PARAMS) {
        ns__err_at(L, list, "calibrate.parameters", "give 1 to %d parameter paths",
                   NS_MAX_CALIB_PARAMS);
        return -1;
    }
    int rc = 0;
    for (size_t k = 0; k < list->n; k++) {
        ns_ynode *n = list->items[k];
        char path[PATHLEN];
        snprintf(path, sizeof path, "calibrate.parameters.%zu", k);
        if (n->kind != NS_Y_SCALAR) {
            ns__err_at(L, n, path, "expected a parameter path such as metastasis.intercept");
            rc = -1;
            continue;
        }
        int found = -1;
        for (int i = 0; i < s->n_params && found < 0; i++)
            if (!strcmp(s->param[i].path, n->text))
                found = i;
        if (found < 0) {
            ns__err_at(L, n, path, "unknown parameter path '%s' (not a parameter of the scenario)",
                       n->text);
            rc = -1;
            continue;
        }
        const ns_param *q = &s->param[found];
        if (!strncmp(n->text, "cohort.", 7)) {
            ns__err_at(L, n, path, "'%s' decides who is in a series; cohort parameters are not "
                                   "calibrated", n->text);
            rc = -1;
        } else if (q->psa == NS_PSA_DIRICHLET) {
            ns__err_at(L, n, path, "'%s' is a Dirichlet share; only single values are calibrated",
                       n->text);
            rc = -1;
        } else if (q->psa <= NS_PSA_FIXED) {
            ns__err_at(L, n, path, "'%s' has no prior: give it a psa: distribution in the scenario",
                       n->text);
            rc = -1;
        }
        for (int j = 0; j < c->n_params; j++)
            if (c->param[j] == found) {
                ns__err_at(L, n, path, "'%s' is listed twice", n->text);
                rc = -1;
            }
        if (!rc) {
            c->param[c->n_params] = found;
            snprintf(c->param_path[c->n_params], sizeof c->param_path[0], "%s", n->text);
            c->n_params++;
        }
    }
    return rc;
}

static int load_settings(ld *L, ns_calibration *c, ns_ynode *root)
{
    ns_ynode *cal = ns__child(L, root, "", "calibrate", NS_Y_MAP, 1);
    if (!cal)
        return -1;
    int rc = load_parameters(L, c, cal);
    double v;
    rc |= setting(L, cal, "calibrate", "virtual_patients", 100, 1e8, 20000, &v);
    c->virtual_patients = (uint64_t)v;
    ns_ynode *m = ns__child(L, cal, "calibrate", "imis", NS_Y_MAP, 0);
    ns_imis_settings *im = &c->imis;
    double a = 1000, b = 100, it = 30, ess = 500;
    if (m) {
        rc |= setting(L, m, "calibrate.imis", "initial", 10, 1e6, a, &a);
        rc |= setting(L, m, "calibrate.imis", "per_iteration", 2, 1e5, b, &b);
        rc |= setting(L, m, "calibrate.imis", "iterations", 0, 1000, it, &it);
        rc |= setting(L, m, "calibrate.imis", "target_ess", 1, 1e7, ess, &ess);
    }
    im->initial = (int)a, im->per_iteration = (int)b, im->max_iterations = (int)it;
    im->target_ess = ess;
    return rc;
}

/* events.TYPE.times_months: when each of the type's events was found (every
 * event one time, none past the longest follow-up, windows apart). */
static int load_times(ld *L, ns_series *x, ns_ynode *m, const char *path, int t)
{
    ns_ynode *list = ns_ymap_get(m, "times_months");
    if (!list)
        return 0;
    char p[PATHLEN];
    ns__join(p, path, "times_months");
    if (x->measure != NS_MEASURE_FOLLOW_UP) {
        ns__err_at(L, list, p, "a series measured at %s has no event times",
                   x->measure == NS_MEASURE_AT_STAGING ? "staging" : "resection");
        return -1;
    }
    if (list->kind != NS_Y_SEQ || (int)list->n != x->events[t] || list->n > NS_MAX_EVENT_TIMES) {
        ns__err_at(L, list, p, "give one time in months for each of the %d events (at most %d)",
                   x->events[t], NS_MAX_EVENT_TIMES);
        return -1;
    }
    for (size_t i = 0; i < list->n; i++) {
        char ip[PATHLEN + 24];
        snprintf(ip, sizeof ip, "%s.%zu", p, i);
        double v;
        if (ns__to_number(L, list->items[i], ip, &v) ||
            ns__check_range(L, list->items[i], ip, v, 0, x->fu_max * 12))
            return -1;
        double y = v / 12;
        for (int j = 0; j < x->n_times[t]; j++) {
            double d = fabs(x->times[t][j] - y);
            if (d > 0 && d < 2 * x->time_window) {
                ns__err_at(L, list->items[i], ip, "%g months is within two windows (%g months) of "
                           "another event's time: give them the same time or a narrower "
                           "follow_up.time_window_months", v, 24 * x->time_window);
                return -1;
            }
        }
        x->times[t][x->n_times[t]++] = y;
    }
    return 0;
}

/* events: {local|nodal|distant|metastasis: {value: k, source: ...}}, k <= patients. */
static int load_events(ld *L, ns_series *x, ns_ynode *m, const char *path)
{
    char ep[PATHLEN];
    ns__join(ep, path, "events");
    ns_ynode *ev = ns__child(L, m, path, "events", NS_Y_MAP, x->surv_months == 0);
    if (!ev) /* events are optional beside a survival target */
        return x->surv_months > 0 && !ns_ymap_get(m, "events") ? 0 : -1;
    int rc = 0, any = 0;
    for (int t = 0; t < NS_NEVENTS; t++) {
        if (!ns_ymap_get(ev, ns_event_name[t]))
            continue;
        double k;
        ns_ynode *vn = NULL;
        char kp[PATHLEN];
        ns__join(kp, ep, ns_event_name[t]);
        if (field(L, ev, ep, ns_event_name[t], 0, 1e9, 1, &k, &vn)) {
            rc = -1;
            continue;
        }
        if (k > x->n_patients) {
            char vp[PATHLEN];
            ns__join(vp, kp, "value");
            ns__err_at(L, vn, vp, "%g events is more than the series' %d patients", k,
                       x->n_patients);
            rc = -1;
        }
        x->has_event[t] = 1;
        x->events[t] = (int)k;
        any = 1;
        rc |= load_times(L, x, ns_ymap_get(ev, ns_event_name[t]), kp, t);
    }
    if (!any && !rc) {
        ns__err_at(L, ev, ep, "give at least one of local, nodal, distant, metastasis");
        rc = -1;
    }
    if (x->measure == NS_MEASURE_AT_STAGING && x->has_event[NS_EV_LOCAL]) {
        char lp[PATHLEN];
        ns__join(lp, ep, "local");
        ns__err_at(L, ns_ymap_get(ev, "local"), lp, "staging finds metastases: a series measured "
                   "at staging gives nodal, distant or metastasis, not local");
        rc = -1;
    }
    if (x->has_event[NS_EV_METASTASIS] && (x->has_event[NS_EV_NODAL] || x->has_event[NS_EV_DISTANT])) {
        ns__err_at(L, ev, ep, "give metastasis (nodal or distant) or nodal/distant, not both");
        rc = -1;
    }
    return rc;
}

/* follow_up: median (and spread, longest) follow-up, and the protocol. */
static int load_follow_up(ld *L, ns_series *x, ns_ynode *m, const char *path)
{
    char fp[PATHLEN], p[PATHLEN];
    ns__join(fp, path, "follow_up");
    ns_ynode *f = ns__child(L, m, path, "follow_up", NS_Y_MAP, 1);
    if (!f)
        return -1;
    double med, sig = 0, mx = NS_HORIZON_YEARS * 12, win = 6;
    ns_ynode *mn = NULL, *xn = NULL;
    int rc = field(L, f, fp, "median_months", 0.1, 1e6, 0, &med, &mn);
    if (ns_ymap_get(f, "spread"))
        rc |= field(L, f, fp, "spread", 0, 3, 0, &sig, NULL);
    if (ns_ymap_get(f, "max_months"))
        rc |= field(L, f, fp, "max_months", 0.1, 1e6, 0, &mx, &xn);
    if (ns_ymap_get(f, "time_window_months"))
        rc |= field(L, f, fp, "time_window_months", 0.1, 120, 0, &win, NULL);
    if (rc)
        return -1;
    x->fu_median = med / 12, x->fu_sigma = sig, x->fu_max = mx / 12, x->time_window = win / 12;
    if (x->fu_median > NS_HORIZON_YEARS || x->fu_max > NS_HORIZON_YEARS) {
        int on_max = x->fu_max > NS_HORIZON_YEARS;
        ns__join(p, fp, on_max ? "max_months.value" : "median_months.value");
        ns__err_at(L, on_max ? xn : mn, p, "follow-up of %g years is longer than the horizon (%g "
                   "years)", on_max ? x->fu_max : x->fu_median, NS_HORIZON_YEARS);
        return -1;
    }
    if (x->fu_max < x->fu_median) {
        ns__join(p, fp, "max_months.value");
        ns__err_at(L, xn, p, "the longest follow-up is shorter than the median");
        return -1;
    }
    ns__join(p, fp, "protocol");
    ns_ynode *pr = ns__child(L, f, fp, "protocol", NS_Y_MAP, 1);
    if (!pr || ns__why(L, pr, p, NULL, 0))
        return -1;
    char sp[PATHLEN];
    ns__join(sp, p, "schedule");
    ns_ynode *sch = ns__child(L, pr, p, "schedule", NS_Y_SEQ, 1);
    if (!sch)
        return -1;
    memset(&x->protocol, 0, sizeof x->protocol);
    _Static_assert(sizeof x->protocol.name == sizeof x->name, "one name length");
    memcpy(x->protocol.name, x->name, sizeof x->name);
    x->protocol.otherwise = 1;
    rc |= ns__treatment_ref(L, pr, p, &x->protocol.treatment);
    for (size_t i = 0; i < sch->n; i++) {
        char ip[PATHLEN + 24];
        snprintf(ip, sizeof ip, "%s.%zu", sp, i);
        rc |= ns__schedule_item(L, &x->protocol, sch->items[i], ip);
    }
    return rc;
}

/* The key `key` of series mapping m, reported at the key itself when the
 * series' measure does not take it. -1 when present. */
static int refuse_key(ld *L, ns_ynode *m, const char *path, const char *key, const char *why)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->keys[i]->text, key)) {
            char kp[PATHLEN];
            ns__join(kp, path, key);
            m->used[i] = 1;
            ns__err_at(L, m->keys[i], kp, "%s", why);
            return -1;
        }
    return 0;
}

/* measure: follow_up (events found within the series' follow-up, the
 * default), at_resection (disease present at the resection: what the
 * specimen of a surgery at time 0 shows; no follow-up) or at_staging (the
 * metastases that the series' staging tests find at time 0; no follow-up,
 * a `staging:` instead). */
static int load_measure(ld *L, ns_series *x, ns_ynode *m, const char *path)
{
    char p[PATHLEN];
    ns__join(p, path, "measure");
    ns_ynode *n = ns__child(L, m, path, "measure", NS_Y_SCALAR, 0);
    x->measure = NS_MEASURE_FOLLOW_UP;
    if (n && !strcmp(n->text, "at_resection"))
        x->measure = NS_MEASURE_AT_RESECTION;
    else if (n && !strcmp(n->text, "at_staging"))
        x->measure = NS_MEASURE_AT_STAGING;
    else if (n && strcmp(n->text, "follow_up")) {
        ns__err_at(L, n, p, "unknown measure '%s' (follow_up, at_resection or at_staging)",
                   n->text);
        return -1;
    }
    int rc = 0;
    if (x->measure == NS_MEASURE_AT_RESECTION)
        rc |= refuse_key(L, m, path, "follow_up", "a series measured at resection has no "
                                                  "follow-up");
    if (x->measure == NS_MEASURE_AT_STAGING)
        rc |= refuse_key(L, m, path, "follow_up", "a series measured at staging has no "
                                                  "follow-up: its tests go under staging:");
    if (x->measure != NS_MEASURE_FOLLOW_UP)
        rc |= refuse_key(L, m, path, "entry_staging", "entry_staging: (the staging before a "
                                                      "follow-up series) is for a series "
                                                      "measured in follow-up");
    if (x->measure != NS_MEASURE_AT_STAGING) {
        rc |= refuse_key(L, m, path, "staging", "staging: is for a series with measure: "
                                                "at_staging (a follow-up series' staging at "
                                                "entry is entry_staging:)");
        rc |= refuse_key(L, m, path, "survival", "survival: is for a series with measure: "
                                                 "at_staging (its groups are the patients "
                                                 "whose metastasis staging found, and the rest)");
    }
    return rc;
}

/* staging: {tests: [modalities], staged: {value, source|assumption} (the
 * share staged, 1 unless given), source|assumption}: the series' protocol
 * becomes one visit at time 0 with those tests and no treatment, played as
 * the engine plays any visit (the modalities' sensitivity by site and
 * burden, attended by the share staged). */
static int load_staging(ld *L, ns_series *x, ns_ynode *m, const char *path, const char *key,
                        ns_rule *into)
{
    char sp[PATHLEN];
    ns__join(sp, path, key);
    ns_ynode *st = ns__child(L, m, path, key, NS_Y_MAP, 1);
    if (!st)
        return -1;
    uint32_t mask = 0;
    int rc = ns__why(L, st, sp, NULL, 0) | ns__tests_mask(L, st, sp, &mask);
    x->staged = 1;
    if (ns_ymap_get(st, "staged"))
        rc |= field(L, st, sp, "staged", 0, 1, 0, &x->staged, NULL);
    if (rc)
        return -1;
    memset(into, 0, sizeof *into);
    memcpy(into->name, x->name, sizeof x->name);
    into->otherwise = 1;
    into->treatment = -1;
    into->n_visits = 1;
    into->visit_time[0] = 0;
    into->visit_tests[0] = mask;
    return 0;
}

/* survival.found / survival.not_found: {value: S, patients: n, source|
 * assumption}: the published share alive of the cancer at survival.months
 * in the group, and the group's effective sample size (its patients; any
 * positive number, not necessarily whole). */
static int load_group(ld *L, ns_series *x, ns_ynode *sv, const char *sp, int g, double *sum,
                      ns_ynode **last)
{
    const char *key = ns_surv_group_name[g];
    ns_ynode *gm = ns_ymap_get(sv, key);
    if (!gm)
        return 0;
    char gp[PATHLEN], np[PATHLEN];
    ns__join(gp, sp, key);
    ns__join(np, gp, "patients");
    ns_ynode *pn = gm->kind == NS_Y_MAP ? ns_ymap_get(gm, "patients") : NULL;
    int rc = field(L, sv, sp, key, 0, 1, 0, &x->surv_value[g], NULL);
    if (gm->kind != NS_Y_MAP)
        return -1;
    if (!pn) {
        ns__err_at(L, gm, gp, "missing required key 'patients' (the group's effective sample "
                   "size)");
        return -1;
    }
    double n;
    if (ns__to_number(L, pn, np, &n) || ns__check_range(L, pn, np, n, 1, 1e8))
        return -1;
    if (rc)
        return -1;
    ns__why(L, gm, gp, x->surv_source[g], sizeof x->surv_source[g]);
    x->has_surv[g] = 1;
    x->surv_patients[g] = n;
    *sum += n;
    *last = pn;
    return 0;
}

/* survival: {months: M, found: {...}, not_found: {...}, source|assumption}:
 * cancer-specific survival at M months by what the series' staging found
 * (measure: at_staging only; at least one group; the groups' patients at
 * most the series'). */
static int load_survival(ld *L, ns_series *x, ns_ynode *m, const char *path)
{
    char sp[PATHLEN], mp[PATHLEN];
    ns__join(sp, path, "survival");
    ns_ynode *sv = ns__child(L, m, path, "survival", NS_Y_MAP, 0);
    if (!sv)
        return ns_ymap_get(m, "survival") ? -1 : 0;
    int rc = ns__why(L, sv, sp, NULL, 0);
    ns__join(mp, sp, "months");
    ns_ynode *mn = ns__child(L, sv, sp, "months", NS_Y_SCALAR, 1);
    double months = 0;
    if (!mn || ns__to_number(L, mn, mp, &months) ||
        ns__check_range(L, mn, mp, months, 1, NS_HORIZON_YEARS * 12))
        rc = -1;
    double sum = 0;
    ns_ynode *last = NULL;
    for (int g = 0; g < NS_NSURV; g++)
        rc |= load_group(L, x, sv, sp, g, &sum, &last);
    if (!rc && !x->has_surv[NS_SURV_FOUND] && !x->has_surv[NS_SURV_NOT_FOUND]) {
        ns__err_at(L, sv, sp, "give found, not_found or both");
        rc = -1;
    }
    if (!rc && sum > x->n_patients) {
        char gp[PATHLEN], np[PATHLEN];
        ns__join(gp, sp, x->has_surv[NS_SURV_NOT_FOUND] ? "not_found" : "found");
        ns__join(np, gp, "patients");
        ns__err_at(L, last, np, "the groups' %g patients are more than the series' %d", sum,
                   x->n_patients);
        rc = -1;
    }
    if (rc) {
        memset(x->has_surv, 0, sizeof x->has_surv);
        return -1;
    }
    x->surv_months = months;
    return 0;
}

static int load_series(ld *L, ns_calibration *c, ns_ynode *root)
{
    ns_ynode *list = ns__child(L, root, "", "series", NS_Y_SEQ, 1);
    if (!list)
        return -1;
    if (list->n == 0 || list->n > NS_MAX_SERIES) {
        ns__err_at(L, list, "series", "give 1 to %d series", NS_MAX_SERIES);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < list->n; i++) {
        ns_ynode *m = list->items[i];
        ns_series *x = &c->series[c->n_series++];
        char path[PATHLEN];
        snprintf(path, sizeof path, "series.%zu", i);
        if (m->kind != NS_Y_MAP) {
            ns__err_at(L, m, path, "expected a mapping with name, source, patients, cohort, "
                                   "follow_up and events");
            rc = -1;
            continue;
        }
        ns_ynode *nm = ns__child(L, m, path, "name", NS_Y_SCALAR, 1);
        if (nm) {
            snprintf(x->name, sizeof x->name, "%s", nm->text);
            for (int j = 0; j + 1 < c->n_series; j++)
                if (!strcmp(c->series[j].name, x->name)) {
                    ns__err_at(L, nm, path, "a second series named '%s'", x->name);
                    rc = -1;
                }
        } else
            rc = -1;
        rc |= ns__why(L, m, path, x->source, sizeof x->source);
        double n;
        if (field(L, m, path, "patients", 1, 1e8, 1, &n, NULL)) {
            rc = -1;
            continue;
        }
        x->n_patients = (int)n;
        char cp[PATHLEN];
        ns__join(cp, path, "cohort");
        ns_ynode *co = ns__child(L, m, path, "cohort", NS_Y_MAP, 1);
        if (co)
            rc |= ns__why(L, co, cp, NULL, 0) | ns__riskgroup(L, co, cp, &x->when);
        else
            rc = -1;
        x->staged = 1;
        rc |= load_measure(L, x, m, path);
        if (x->measure == NS_MEASURE_FOLLOW_UP) {
            rc |= load_follow_up(L, x, m, path);
            x->entry_staging = ns_ymap_get(m, "entry_staging") != NULL;
            if (x->entry_staging)
                rc |= load_staging(L, x, m, path, "entry_staging", &x->entry);
        } else if (x->measure == NS_MEASURE_AT_STAGING) {
            rc |= load_staging(L, x, m, path, "staging", &x->protocol);
            rc |= load_survival(L, x, m, path);
        }
        rc |= load_events(L, x, m, path); /* after the follow-up: times are checked against it */
    }
    return rc;
}

int ns_calibration_load_string(const char *name, const char *text, const ns_scenario *s,
                               ns_calibration **out, ns_errors *errs)
{
    *out = NULL;
    errs->n = errs->n_warnings = 0;
    ns_ytree t;
    char msg[320];
    if (ns_ytree_load_string(&t, name, text, strlen(text), msg, sizeof msg)) {
        ns_errors_add(errs, "%s", msg);
        return -1;
    }
    ns_calibration *c = calloc(1, sizeof *c);
    if (!c) {
        ns_ytree_free(&t);
        ns_errors_add(errs, "%s: out of memory", name);
        return -1;
    }
    /* the scenario is only read: its registry and modalities */
    ld L = {(ns_scenario *)s, errs};
    if (t.root->kind != NS_Y_MAP)
        ns__err_at(&L, t.root, "", "expected a mapping with calibrate: and series:");
    else {
        ns_ymap_get(t.root, "netsurv_calibration");
        ns_ymap_get(t.root, "description");
        load_settings(&L, c, t.root);
        load_series(&L, c, t.root);
        if (errs->n == 0)
            unknown_keys(&L, t.root, "");
    }
    ns_ytree_free(&t);
    c->path = strdup(name);
    c->text = strdup(text);
    if (errs->n || !c->path || !c->text) {
        if (!errs->n)
            ns_errors_add(errs, "%s: out of memory", name);
        ns_calibration_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

int ns_calibration_load(const char *path, const ns_scenario *s, ns_calibration **out,
                        ns_errors *errs)
{
    *out = NULL;
    errs->n = errs->n_warnings = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        ns_errors_add(errs, "%s: cannot open the series file", path);
        return -1;
    }
    size_t cap = 1 << 16, len = 0, k;
    char *buf = malloc(cap);
    while (buf && (k = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += k;
        if (len + 1 == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    fclose(f);
    if (!buf) {
        ns_errors_add(errs, "%s: out of memory", path);
        return -1;
    }
    buf[len] = '\0';
    int rc = ns_calibration_load_string(path, buf, s, out, errs);
    free(buf);
    return rc;
}

void ns_calibration_free(ns_calibration *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->text);
    free(c);
}
