/* Parameter uncertainty: probabilistic (PSA) draws and one-way (OWSA)
 * settings of a scenario's registered parameters. */
#ifndef NETSURV_PSA_H
#define NETSURV_PSA_H

#include <stdint.h>

#include "netsurv/engine/engine.h"
#include "netsurv/scenario/scenario.h"

/* Number of parameters with a distribution other than fixed. */
int ns_psa_count(const ns_scenario *s);

/* out = base with every parameter that has a distribution drawn for PSA draw
 * `draw` (streams from (seed, draw, parameter): the same draw whatever the
 * thread or process), clamped to the parameter's allowed range, then
 * re-derived. Shares drawn from a Dirichlet add up to 1. */
void ns_psa_draw(const ns_scenario *base, ns_scenario *out, uint64_t seed, uint64_t draw);

/* A calibration's posterior as PSA draws: n weighted points (weights add
 * up to 1) of d parameters (indices into the scenario's registry). */
#define NS_MAX_POSTERIOR_PARAMS 64
typedef struct {
    int d, n;
    int param[NS_MAX_POSTERIOR_PARAMS];
    double *theta;              /* [point * d + j] */
    double *weight;             /* [point] */
    double *cum;                /* derived by ns_posterior_prepare: cumulative weights */
    char *path;                 /* the file it was read from */
} ns_posterior;
/* Fills post->cum; 0, or -1 when the weights are not finite, negative or
 * do not add up to 1 within 1e-6 (out of memory too). */
int ns_posterior_prepare(ns_posterior *post);
void ns_posterior_free(ns_posterior *post);

/* ns_psa_draw, then the posterior's parameters set together to one point
 * of post drawn with probability its weight (from the stream of (seed,
 * draw), so a draw is the same whatever K, thread or process): the joint
 * posterior keeps the calibrated parameters' correlations; the others come
 * from their psa: priors. post NULL: ns_psa_draw. Returns the point. */
int ns_psa_draw_posterior(const ns_scenario *base, const ns_posterior *post, ns_scenario *out,
                          uint64_t seed, uint64_t draw);

/* out = base with parameter i at its low (high = 0) or high value, re-derived.
 * For both functions out is a shallow copy: it shares base's path and text, so
 * free it with free(), never ns_scenario_free(). */
void ns_owsa_set(const ns_scenario *base, ns_scenario *out, int i, int high);

/* Runs K PSA draws of base on the same patients (o's seed, n, threads; o's
 * per-patient sink must be NULL): cost[k * S + i] and effect[k * S + i] get
 * strategy i's mean discounted cost and QALYs in draw k, values[k * P + j]
 * the value of the j-th drawn parameter (P = ns_psa_count). o->progress is
 * told draws done of K. With post, draws come from the posterior
 * (ns_psa_draw_posterior). With risk groups (G = base->n_groups) and g given,
 * g->cost[(k * G + j) * S + i] and g->effect likewise get the means among
 * group j's patients, g->share[k * G + j] the group's share of the cohort.
 * Returns 0, or -1 (out of memory, stopped). */
typedef struct {
    double *cost, *effect, *share;
} ns_psa_groups;
int ns_psa_run(const ns_scenario *base, const ns_engine_opts *o, int K, double *cost,
               double *effect, double *values, ns_psa_groups *g, const ns_posterior *post);

/* Runs every parameter with a range at its low and high value: for the j-th
 * such parameter, cost_lo[j * S + i] etc. Returns the number of parameters
 * run (Q), or -1. */
int ns_owsa_run(const ns_scenario *base, const ns_engine_opts *o, double *cost_lo,
                double *cost_hi, double *effect_lo, double *effect_hi);

/* One PSA draw as a row of ns_psa_row_len(s) doubles: the P drawn values,
 * cost[S], effect[S], then with risk groups cost[G * S], effect[G * S] and
 * share[G] (as ns_psa_run lays them out per draw). ns_psa_draw_row runs
 * draw k (o's seed, n, threads) into row with work (a scenario) and t
 * (ns_tally_count tallies) as scratch: the same numbers whatever process,
 * shard or rank runs it. 0, or -1. ns_psa_rows_split spreads K rows into
 * ns_psa_run's arrays (g NULL: not the groups'). */
size_t ns_psa_row_len(const ns_scenario *s);
int ns_psa_draw_row(const ns_scenario *base, const ns_engine_opts *o, const ns_posterior *post,
                    uint64_t k, ns_scenario *work, ns_strategy_tally *t, double *row);
void ns_psa_rows_split(const ns_scenario *s, int K, const double *rows, double *cost,
                       double *effect, double *values, ns_psa_groups *g);

/* The q-th parameter with a range at its low and high value as a row of
 * 4 * S doubles: cost_lo, cost_hi, effect_lo, effect_hi (S each).
 * ns_owsa_rows_split spreads Q rows into ns_owsa_run's arrays. */
int ns_owsa_setting_row(const ns_scenario *base, const ns_engine_opts *o, int q,
                        ns_scenario *work, ns_strategy_tally *t, double *row);
void ns_owsa_rows_split(const ns_scenario *s, int Q, const double *rows, double *cost_lo,
                        double *cost_hi, double *effect_lo, double *effect_hi);

/* Number of parameters with a range for one-way analysis. */
int ns_owsa_count(const ns_scenario *s);

#endif
