/* The parallel engine: patients in fixed-size blocks on OpenMP threads,
 * every strategy played on each patient, block tallies merged in block order
 * so that every sum is identical for any thread count. */
#ifndef NETSURV_ENGINE_H
#define NETSURV_ENGINE_H

#include <signal.h>
#include <stdint.h>

#include "netsurv/model/history.h"
#include "netsurv/scenario/scenario.h"
#include "netsurv/model/strategy.h"

#define NS_BLOCK 1024           /* patients per block (the unit of merging) */
#define NS_WAVE_BLOCKS 64       /* blocks computed in parallel before a merge */
/* A work unit: one wave of patients. Units are what ranks and shards share
 * out; their tallies are folded in unit order. */
#define NS_UNIT_PATIENTS ((uint64_t)NS_BLOCK * NS_WAVE_BLOCKS)
/* At most this many patients per run (2^50, about 1.1e15): the work units,
 * patient indices and counts of every tally stay far from 2^64. */
#define NS_MAX_PATIENTS ((uint64_t)1 << 50)
#define NS_TIME_BINS 240        /* detection time histogram: 0.25-year bins to 60 years */
#define NS_TIME_BIN_WIDTH 0.25
#define NS_DELAY_BINS 200       /* delay histogram: 0.1-year bins to 20 years */
#define NS_DELAY_BIN_WIDTH 0.1

/* Running sum for a mean and its 95 % interval. */
typedef struct {
    uint64_t n;
    double sum, sumsq;
} ns_acc;

/* Everything summed over the patients of one strategy. */
typedef struct {
    uint64_t n_patients, n_metastases, n_missed, n_resectable, n_operative_deaths;
    uint64_t n_local_found, n_residual, n_metastasis_deaths;
    uint64_t n_cured, n_overdiagnosed, n_surgery_deaths;
    uint64_t n_route[NS_NROUTES];   /* among metastases detectable while alive */
    uint64_t n_miss[NS_NMISS];
    ns_acc detection_time, detection_delay, burden_mm;
    ns_acc cost, cost_discounted, cost_surveillance, cost_workup, cost_treatment;
    ns_acc tests, false_positives, radiation_msv;
    ns_acc ly, ly_discounted, qaly, qaly_discounted;
    ns_acc qaly_part[NS_NQPARTS];   /* qaly_discounted by part */
    uint64_t tests_by_modality[NS_MAX_MODALITIES];
    uint64_t hist_detection[NS_TIME_BINS + 1]; /* last bin: later */
    uint64_t hist_delay[NS_DELAY_BINS + 1];
} ns_strategy_tally;

/* The tallies of a run: out[k] for strategy k over the whole cohort, then,
 * when the scenario has risk groups, out[S + k * G + g] for strategy k in
 * group g (S strategies, G groups). The whole-cohort tally of a block is
 * the fold of its group tallies in group order, so the integer counts of
 * the groups add up to the whole exactly. */
static inline int ns_tally_count(const ns_scenario *s)
{
    return s->n_strategies * (1 + s->n_groups);
}
static inline int ns_tally_index(const ns_scenario *s, int k, int g)
{
    return s->n_strategies + k * s->n_groups + g;
}

/* Per-patient rows leave the engine in two steps. fill is called from the
 * worker threads, once per block, with `count` patients that are rows
 * [row, row + count) of the current wave and their outcomes
 * (outcomes[i * n_strategies + k]); calls touch disjoint rows. flush is
 * called from the main thread once the wave is complete: patients
 * [first, first + count). It returns 0, or -1 to stop the run. */
typedef void (*ns_fill_fn)(void *ctx, int row, int count, const ns_patient *patients,
                           const ns_outcome *outcomes);
typedef int (*ns_flush_fn)(void *ctx, uint64_t first, int count);
/* Told after each wave how many patients are done. */
typedef void (*ns_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct {
    uint64_t seed;
    uint64_t n;                 /* patients [0, n) */
    int threads;                /* 0: OpenMP's default */
    ns_fill_fn fill;            /* NULL: summary only */
    ns_flush_fn flush;
    void *sink_ctx;
    ns_progress_fn progress;
    void *progress_ctx;
    volatile sig_atomic_t *stop;/* set (by a signal handler) to stop between waves */
} ns_engine_opts;

/* Runs every strategy of s on patients [0, o->n) into out[0..ns_tally_count(s)).
 * Returns 0, or -1 when memory ran out, the sink failed, or *stop was set. */
int ns_engine_run(const ns_scenario *s, const ns_engine_opts *o, ns_strategy_tally *out);

/* Number of work units of n patients. */
uint64_t ns_engine_units(uint64_t n);

/* Runs work units [u0, u0 + nu) of patients [0, o->n): each unit's tallies
 * (blocks folded in block order) into units[(u - u0) * T + i] when units is
 * given (T = ns_tally_count(s)), and the fold of these units into
 * out[0..T) when out is given.
 * Returns 0 or -1 as ns_engine_run. */
int ns_engine_run_units(const ns_scenario *s, const ns_engine_opts *o, uint64_t u0, uint64_t nu,
                        ns_strategy_tally *units, ns_strategy_tally *out);

/* out += units[0], units[1], ... in order (out[k] += units[u * S + k]);
 * S is the number of tallies per unit. */
void ns_engine_fold(int S, const ns_strategy_tally *units, uint64_t nu, ns_strategy_tally *out);

/* Adds one outcome to a tally. */
void ns_tally_add_outcome(ns_strategy_tally *t, const ns_outcome *o);
/* into += t, field by field (the order of calls fixes the floating-point result). */
void ns_tally_merge(ns_strategy_tally *into, const ns_strategy_tally *t);

/* Mean discounted cost and QALYs per patient of a tally (NaN when empty). */
void ns_tally_means(const ns_strategy_tally *t, double *cost, double *effect);

/* For each risk group g of s, best[g] = the strategy with the highest mean
 * net monetary benefit wtp * QALYs - cost among the group's patients (ties:
 * the first; -1 for a group without patients); t as ns_engine_run's. */
void ns_group_best(const ns_scenario *s, const ns_strategy_tally *t, double wtp, int *best);
/* *out = the tally of the policy that gives each group g the strategy
 * best[g]: the fold of those groups' tallies in group order. */
void ns_group_composite(const ns_scenario *s, const ns_strategy_tally *t, const int *best,
                        ns_strategy_tally *out);

/* Mean of an accumulator and its normal-approximation 95 % interval. */
void ns_acc_mean(const ns_acc *a, double *mean, double *lo, double *hi);

#endif
