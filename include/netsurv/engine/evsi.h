/* Expected value of sample information of a follow-up study (issue 11) by
 * regression (Strong, Oakley, Brennan and Breeze 2015): for every PSA draw,
 * the study's data are simulated under that draw's parameters on the
 * study's own virtual patients (a seed stream apart from the cohort's, the
 * same patients in every draw); the draws' costs and effects are regressed
 * on the data's summary statistics (the events found by site: local, nodal,
 * distant; and by time: the recurrences of any site found after the
 * study's late_after years) by the regression of EVPPI (engine/evppi.h). Pure: no I/O. */
#ifndef NETSURV_ENGINE_EVSI_H
#define NETSURV_ENGINE_EVSI_H

#include <stddef.h>
#include <stdint.h>

#include "netsurv/engine/psa.h"
#include "netsurv/scenario/scenario.h"

#define NS_EVSI_STATS 4 /* local, nodal, distant recurrences found; any found late */

/* The study's summary statistics for PSA draws 0..K-1 of base (seed, post:
 * as ns_psa_run's), for each follow-up t and sample size n of st:
 * stats[(((size_t)t * nN + n) * K + k) * NS_EVSI_STATS + e]. The study's
 * patients are drawn with study_seed. 0, or -1 with a message in err. */
int ns_evsi_simulate(const ns_scenario *base, const ns_posterior *post, const ns_study *st,
                     int K, uint64_t seed, uint64_t study_seed, int threads, double *stats,
                     char *err, size_t errlen);

/* EVSI of one design from its statistics [K x NS_EVSI_STATS] for nsets
 * decisions (costs[q], effects[q], each [K * S]) over the W willingness-to-
 * pay values: ev[q * W + w] and se; each never above its decision's EVPI.
 * Data that do not vary between draws (a study that observes nothing) teach
 * nothing: EVSI 0 exactly, standard error 0. 0 or -1 (out of memory, too
 * few draws for the regression). */
int ns_evsi_regress(const double *stats, int K, int nsets, const double *const *costs,
                    const double *const *effects, int S, const double *wtp, int W,
                    uint64_t seed, double *ev, double *se);

#endif
