/* /optimize of `netsurv optimize` (optimize_out.h). */
#include "netsurv/output/optimize_out.h"
#include "netsurv/engine/econ.h"
#include "h5util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *STATUS_LABELS = "0=frontier,1=dominated,2=extended_dominated,3=duplicate";

/* The candidates of group g, row by row: their schedule and results. */
static int write_rows(hid_t d, const ns_scenario *s, const ns_opt_space *sp,
                      const ns_opt_result *r, const ns_opt_group *g)
{
    int n = g->n_final;
    hsize_t dim = (hsize_t)n;
    size_t m = n > 0 ? (size_t)n : 1;
    double *y = malloc(sizeof *y * m * 5);
    int *mask = malloc(sizeof *mask * m);
    char **words = calloc(m, sizeof *words), **treat = calloc(m, sizeof *treat);
    int rc = !y || !mask || !words || !treat;
    for (int i = 0; i < n && !rc; i++) {
        const ns_opt_cand *c = &r->cand[g->final[i]];
        char buf[300];
        ns_opt_describe(s, sp, c, buf, sizeof buf);
        words[i] = strdup(buf);
        treat[i] = strdup(c->treatment >= 0 ? s->treatment[c->treatment].name : "none");
        rc |= !words[i] || !treat[i];
        mask[i] = c->none ? 0 : (int)sp->tests[c->tests];
        y[i] = c->none ? NAN : sp->first.v[c->first];
        y[m + i] = c->none ? NAN : sp->interval.v[c->interval];
        y[2 * m + i] = c->none ? NAN : sp->change_after.v[c->change];
        y[3 * m + i] = c->none || isinf(y[2 * m + i]) ? NAN : sp->later_interval.v[c->later];
        y[4 * m + i] = c->none ? NAN : sp->horizon.v[c->horizon];
        if (!c->none && isinf(y[2 * m + i]))
            y[2 * m + i] = NAN;
    }
    char labels[600] = "bit k = modality k:";
    for (int k = 0; k < s->n_modalities; k++)
        snprintf(labels + strlen(labels), sizeof labels - strlen(labels), "%s%d=%s",
                 k ? "," : "", k, s->modality[k].name);
    if (!rc)
        rc = ns__h5_write_i32(NULL, d, "candidate", dim, g->final,
                              "index of the candidate in the de-duplicated search space", NULL) ||
             ns__h5_write_strings(d, "schedule", (const char *const *)words, dim,
                                  "the schedule in words") ||
             ns__h5_write_strings(d, "treatment", (const char *const *)treat, dim,
                                  "additional treatment at time 0") ||
             ns__h5_write_i32(NULL, d, "tests_mask", dim, mask,
                              "modalities at each visit (bit mask; 0: no visits)", labels) ||
             ns__h5_write_f64(NULL, d, "first_visit_years", 1, &dim, y, "first visit (NaN: none)",
                              "years") ||
             ns__h5_write_f64(NULL, d, "interval_years", 1, &dim, y + m, "interval", "years") ||
             ns__h5_write_f64(NULL, d, "change_after_years", 1, &dim, y + 2 * m,
                              "year after which the interval changes (NaN: never)", "years") ||
             ns__h5_write_f64(NULL, d, "later_interval_years", 1, &dim, y + 3 * m,
                              "interval after the change (NaN: no change)", "years") ||
             ns__h5_write_f64(NULL, d, "horizon_years", 1, &dim, y + 4 * m,
                              "last year of visits (60: lifelong)", "years") ||
             ns__h5_write_f64(NULL, d, "cost", 1, &dim, g->cost, "mean discounted cost per patient",
                              NS_H5_CURRENCY) ||
             ns__h5_write_f64(NULL, d, "qaly", 1, &dim, g->qaly, "mean discounted QALYs per patient",
                              "QALY") ||
             ns__h5_write_f64(NULL, d, "life_years", 1, &dim, g->ly,
                              "mean discounted life-years per patient", "years") ||
             ns__h5_write_f64(NULL, d, "tests", 1, &dim, g->tests, "mean tests per patient",
                              "tests") ||
             ns__h5_write_f64(NULL, d, "metastasis_deaths", 1, &dim, g->met_deaths,
                              "deaths from the metastasis per patient", "share") ||
             ns__h5_write_f64(NULL, d, "nmb_gain", 1, &dim, g->nmb_gain,
                              "NMB at the scenario's WTP minus that of no follow-up", NS_H5_CURRENCY) ||
             ns__h5_write_f64(NULL, d, "nmb_gain_se", 1, &dim, g->nmb_gain_se,
                              "standard error of nmb_gain (paired over patients)", NS_H5_CURRENCY) ||
             ns__h5_write_i32(NULL, d, "status", dim, g->status, "cost-QALY frontier status",
                              STATUS_LABELS) ||
             ns__h5_write_f64(NULL, d, "icer", 1, &dim, g->icer,
                              "ICER against the previous frontier row (NaN off the frontier)",
                              NS_H5_CURRENCY " per QALY");
    for (int i = 0; i < n; i++)
        free(words[i]), free(treat[i]);
    free(words), free(treat), free(y), free(mask);
    return rc ? -1 : 0;
}

/* The scenario's strategies against group g's frontier. */
static int write_guidelines(hid_t d, const ns_scenario *s, const ns_opt_group *g)
{
    hsize_t S = (hsize_t)s->n_strategies;
    const char *names[NS_MAX_STRATEGIES];
    for (int k = 0; k < s->n_strategies; k++)
        names[k] = s->strategy[k].name;
    hid_t q = H5Gcreate2(d, "strategies", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (q < 0)
        return ns__h5_fail();
    int rc = ns__h5_write_strings(q, "name", names, S, "the scenario's strategies") ||
             ns__h5_write_f64(NULL, q, "cost", 1, &S, g->s_cost,
                              "mean discounted cost per patient of the group", NS_H5_CURRENCY) ||
             ns__h5_write_f64(NULL, q, "qaly", 1, &S, g->s_qaly, "mean discounted QALYs", "QALY") ||
             ns__h5_write_f64(NULL, q, "life_years", 1, &S, g->s_ly, "mean discounted life-years",
                              "years") ||
             ns__h5_write_f64(NULL, q, "tests", 1, &S, g->s_tests, "mean tests", "tests") ||
             ns__h5_write_f64(NULL, q, "metastasis_deaths", 1, &S, g->s_met_deaths,
                              "deaths from the metastasis per patient", "share") ||
             ns__h5_write_f64(NULL, q, "extra_cost", 1, &S, g->s_extra_cost,
                              "cost above the frontier at equal QALYs (NaN: more QALYs than the "
                              "frontier reaches)", NS_H5_CURRENCY) ||
             ns__h5_write_i32(NULL, q, "frontier_range", S, g->s_where,
                              "where the strategy's QALYs lie against the frontier's",
                              "-1=below (extra cost against the cheapest frontier schedule),"
                              "0=within,1=beyond") ||
             ns__h5_write_f64(NULL, q, "nmb_gap", 1, &S, g->s_nmb_gap,
                              "NMB of the best schedule minus the strategy's, at the scenario's WTP",
                              NS_H5_CURRENCY);
    H5Gclose(q);
    return rc ? -1 : 0;
}

static int write_group(hid_t top, const ns_scenario *s, const ns_opt_space *sp,
                       const ns_opt_result *r, int gi)
{
    const ns_opt_group *g = &r->group[gi];
    char name[32];
    snprintf(name, sizeof name, "group_%02d", gi);
    hid_t d = H5Gcreate2(top, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d < 0)
        return ns__h5_fail();
    hsize_t nf = (hsize_t)g->n_frontier, np = (hsize_t)g->n_pareto, W = (hsize_t)r->n_wtp;
    uint64_t sp_n[NS_OPT_MAX_STAGES] = {0};
    int sc[NS_OPT_MAX_STAGES] = {0};
    for (int k = 0; k < g->n_stages; k++)
        sp_n[k] = g->stage_patients[k], sc[k] = g->stage_candidates[k];
    double stage_n[NS_OPT_MAX_STAGES];
    for (int k = 0; k < NS_OPT_MAX_STAGES; k++)
        stage_n[k] = (double)sp_n[k];
    hsize_t nst = (hsize_t)g->n_stages;
    int rc = ns__h5_attr_str(d, "name", s->n_groups ? s->group[gi].name : "everyone") ||
             ns__h5_attr_str(d, "description",
                             s->n_groups ? s->group[gi].description : "every patient") ||
             ns__h5_attr_u64(d, "n_patients", g->n_patients) ||
             ns__h5_attr_u64(d, "best", (uint64_t)g->best) ||
             write_rows(d, s, sp, r, g) ||
             ns__h5_write_i32(NULL, d, "frontier", nf, g->frontier,
                              "rows on the cost-QALY efficient frontier, by cost", NULL) ||
             ns__h5_write_i32(NULL, d, "pareto", np, g->pareto,
                              "rows on the Pareto frontier of tests and metastasis deaths "
                              "(both fewer), by tests", NULL) ||
             ns__h5_write_i32(NULL, d, "best_at_wtp", W, g->best_at_wtp,
                              "row with the highest NMB at each WTP of /optimize/wtp_grid", NULL) ||
             ns__h5_write_f64(NULL, d, "stage_patients", 1, &nst, stage_n,
                              "patients of each screening stage (the last: all)", "patients") ||
             ns__h5_write_i32(NULL, d, "stage_candidates", nst, sc,
                              "candidates evaluated in each screening stage", NULL) ||
             write_guidelines(d, s, g);
    if (!rc && g->psa_draws && g->n_frontier)
        rc = ns__h5_attr_u64(d, "psa_draws", (uint64_t)g->psa_draws) ||
             ns__h5_write_f64(NULL, d, "psa_expected_nmb", 1, &nf, g->psa_nmb,
                              "expected NMB at the scenario's WTP over the PSA draws, per "
                              "frontier row (as in frontier)", NS_H5_CURRENCY) ||
             ns__h5_write_f64(NULL, d, "psa_prob_best", 1, &nf, g->psa_prob_best,
                              "share of PSA draws in which the frontier row has the highest NMB "
                              "of the frontier", "share");
    H5Gclose(d);
    return rc ? -1 : 0;
}

int ns_h5_write_optimize(ns_h5 *h, const ns_scenario *s, const ns_opt_space *sp,
                         const ns_opt_result *r, const char *policy_yaml, double policy_cost,
                         double policy_qaly)
{
    hid_t top = ns__h5_group(h, "optimize");
    if (top < 0)
        return ns__h5_fail();
    hsize_t W = (hsize_t)r->n_wtp;
    int rc = ns__h5_attr_u64(top, "n_candidates", (uint64_t)r->n_cand) ||
             ns__h5_attr_u64(top, "n_patients", r->n_patients) ||
             ns__h5_attr_u64(top, "plays", r->plays) ||
             ns__h5_attr_f64(top, "seconds", r->seconds) ||
             ns__h5_attr_f64(top, "wtp", s->econ.wtp) ||
             ns__h5_attr_f64(top, "screen_z", sp->screen_z) ||
             ns__h5_write_f64(NULL, top, "wtp_grid", 1, &W, r->wtp, "willingness to pay",
                              NS_H5_CURRENCY " per QALY") ||
             ns__h5_write_text(top, "policy", policy_yaml,
                               "the composite policy at the scenario's WTP as a strategies: item") ||
             ns__h5_attr_f64(top, "policy_cost", policy_cost) ||
             ns__h5_attr_f64(top, "policy_qaly", policy_qaly);
    for (int g = 0; g < r->n_groups && !rc; g++)
        rc = write_group(top, s, sp, r, g);
    H5Gclose(top);
    return rc ? -1 : 0;
}
