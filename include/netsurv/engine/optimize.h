/* `netsurv optimize`: the best surveillance schedule for each risk group.
 *
 * Candidates are every schedule of the scenario's search space (the
 * optimize: section, scenario.h ns_opt_space), de-duplicated by their visit
 * lists, plus no follow-up. Each risk group's candidates are played, as a
 * one-rule strategy (ns_rule_play), on that group's patients only, all on
 * the same patients and draws (common random numbers). Screening by
 * successive halving: on the first 1/16 and then 1/4 of the group's
 * patients (when these hold at least screen_min patients) a candidate is
 * dropped only when, at every willingness to pay of the grid, its net
 * monetary benefit is below the best's by more than screen_z standard
 * errors of paired differences (bounded, for any pair, by the sum of both
 * candidates' standard deviations of their paired difference to a common
 * reference: the previous stage's best at that WTP), and it is not on the
 * stage's cost-QALY frontier. The survivors are evaluated on every patient
 * of the group, with the scenario's strategies, for the frontier.
 *
 * Patients are drawn once to find their group and redrawn (ns_history_draw,
 * cheap next to the schedules played on them) tile by tile; memory grows
 * with the candidates (a few hundred bytes each), never with candidates x
 * patients. Sums run over 8 fixed slices of a group's patients, merged in
 * slice order: results are identical for any thread count. */
#ifndef NETSURV_ENGINE_OPTIMIZE_H
#define NETSURV_ENGINE_OPTIMIZE_H

#include <stddef.h>
#include <stdint.h>

#include "netsurv/engine/psa.h"
#include "netsurv/scenario/scenario.h"

#define NS_OPT_MAX_STAGES 3
#define NS_OPT_MAX_REFS 8

/* A candidate: indices into the axes of the space (none: no visits). */
typedef struct {
    uint8_t tests, first, interval, change, later, horizon;
    int8_t treatment;           /* index into the scenario's treatments, -1 none */
    uint8_t none;               /* no visits (no follow-up, or the treatment alone) */
} ns_opt_cand;

/* One group's answer. Indices into final[] unless said otherwise. */
typedef struct {
    uint64_t n_patients;
    int n_stages;
    uint64_t stage_patients[NS_OPT_MAX_STAGES];
    int stage_candidates[NS_OPT_MAX_STAGES];
    int n_final;
    int *final;                 /* candidate indices evaluated on every patient of the group */
    double *cost, *qaly, *ly, *tests, *met_deaths; /* per patient, discounted cost / QALYs / LYs */
    double *nmb_gain, *nmb_gain_se; /* NMB at the scenario's WTP minus no follow-up's, its SE */
    int *status, *reference;    /* ns_frontier_ce's */
    double *icer;
    int n_frontier, *frontier;  /* cost-QALY frontier, by cost */
    int n_pareto, *pareto;      /* tests vs metastasis deaths, by tests */
    int *best_at_wtp;           /* per WTP of the grid */
    int best;                   /* at the scenario's WTP */
    int nofollow;               /* no follow-up */
    /* the scenario's strategies on the group's patients (same draws) */
    double s_cost[NS_MAX_STRATEGIES], s_qaly[NS_MAX_STRATEGIES], s_ly[NS_MAX_STRATEGIES];
    double s_tests[NS_MAX_STRATEGIES], s_met_deaths[NS_MAX_STRATEGIES];
    double s_extra_cost[NS_MAX_STRATEGIES]; /* over the frontier at equal QALYs */
    int s_where[NS_MAX_STRATEGIES];          /* ns_frontier_cost_at's */
    double s_nmb_gap[NS_MAX_STRATEGIES];     /* best candidate's NMB minus the strategy's */
    /* ns_opt_psa: per frontier point (frontier[i]), over psa_draws draws */
    int psa_draws;
    double *psa_nmb;            /* expected NMB at the scenario's WTP */
    double *psa_prob_best;      /* share of draws in which it has the highest NMB of the frontier */
} ns_opt_group;

typedef struct {
    int n_cand;
    ns_opt_cand *cand;
    int n_wtp;
    double *wtp;
    int n_groups;               /* the scenario's groups, or 1 (everyone) without */
    ns_opt_group *group;
    uint64_t n_patients, plays; /* schedules played on a patient, all stages */
    double seconds;             /* wall time of the evaluation */
} ns_opt_result;

typedef struct {
    uint64_t seed;
    uint64_t n;                 /* patients [0, n) */
    int threads;                /* 0: OpenMP's default */
    int screen;                 /* successive-halving screening (0: every candidate on every patient) */
    const ns_posterior *posterior; /* --psa draws from a calibration's posterior (or NULL) */
    void (*note)(void *ctx, const char *line); /* progress lines, or NULL */
    void *ctx;
    /* MPI ranks: each plays its share of every pass's patient slices, and
     * all get every slice's sums (the same result as one process); NULL:
     * this process plays them all */
    const ns_ranks *ranks;
} ns_opt_opts;

/* The de-duplicated candidates of space sp (no follow-up first) into a
 * malloc'd *out; returns their number, or -1 (out of memory). */
int ns_opt_candidates(const ns_scenario *s, const ns_opt_space *sp, ns_opt_cand **out);
/* Candidate c as a rule (visits and derived fields; when: everyone). */
void ns_opt_rule(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_cand *c, ns_rule *r);
/* Candidate c in words ("mri every 1 y from 1 y to 10 y; radical_surgery at 0"). */
void ns_opt_describe(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_cand *c,
                     char *out, size_t cap);

/* Searches space sp for each group of s. 0, or -1 with the reason in err. */
int ns_optimize(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_opts *o,
                ns_opt_result *res, char *err, size_t errlen);
void ns_opt_result_free(ns_opt_result *res);

/* Re-evaluates each group's frontier schedules under K PSA draws of s
 * (ns_psa_draw with o's seed; every draw on the patients [0, o->n) as that
 * draw makes them, each in the group it then falls in): psa_nmb and
 * psa_prob_best of res's groups. 0, or -1 with the reason in err. */
int ns_opt_psa(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_opts *o, int K,
               ns_opt_result *res, char *err, size_t errlen);

/* The composite policy: for each group its best candidate (best[g] indexes
 * res->group[g].final; NULL: the best at the scenario's WTP) as one rule
 * (the group's box, or otherwise: true) of strategy *st named `name`. */
void ns_opt_policy(const ns_scenario *s, const ns_opt_space *sp, const ns_opt_result *res,
                   const int *best, const char *name, const char *source, ns_strategy *st);
/* Whole-cohort means of that policy (group means weighted by group size). */
void ns_opt_policy_totals(const ns_opt_result *res, const int *best, double *cost, double *qaly);

#endif
