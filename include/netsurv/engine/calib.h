/* Calibration series simulated (issue 9): each series as its own cohort of
 * virtual patients (the scenario's patients whose report matches the series'
 * cohort), played under the series' own protocol, each followed for a time
 * drawn from the series' follow-up; an event counts when the protocol, or
 * presentation, found it within that follow-up. Every candidate parameter
 * set runs on the same virtual patients (common random numbers); counts are
 * integers, so the result is the same for any thread count. */
#ifndef NETSURV_ENGINE_CALIB_H
#define NETSURV_ENGINE_CALIB_H

#include <stddef.h>
#include <stdint.h>

#include "netsurv/scenario/calibration.h"
#include "netsurv/scenario/scenario.h"

typedef struct ns_calib_sim ns_calib_sim;

/* Sets up m virtual patients per series (m = 0: each series' own number of
 * patients) drawn with `seed`. NULL with a message in err when the cohort of
 * a series matches too few of the scenario's patients, or memory ran out. */
ns_calib_sim *ns_calib_sim_new(const ns_scenario *s, const ns_calibration *c, uint64_t seed,
                               uint64_t m, char *err, size_t errlen);
void ns_calib_sim_free(ns_calib_sim *cs);
/* Virtual patients of series j. */
uint64_t ns_calib_sim_patients(const ns_calib_sim *cs, int j);
/* Of those, the ones in series j after its last run: a follow-up series
 * with entry staging leaves out the patients whose metastasis that staging
 * found (its shares and likelihood are of these); the others, all. */
uint64_t ns_calib_sim_entered(const ns_calib_sim *cs, int j);

/* Runs every series with the calibrated parameters at theta (c's order;
 * NULL: the scenario's values): found[j * NS_NEVENTS + t] virtual patients of
 * series j in whom an event of type t was found within follow-up
 * (metastasis = nodal + distant), or, for a series measured at resection, in
 * whom it was present then (local: residual tumour). The counts within the
 * windows about reported event times stay in cs for ns_calib_loglik. No
 * allocation. */
void ns_calib_sim_run(ns_calib_sim *cs, const double *theta, int threads, uint64_t *found);

/* Series j's survival target after ns_calib_sim_run: the simulated
 * cancer-specific survival (Kaplan-Meier, other deaths censored) at its
 * months in group g (NS_SURV_*) and the group's virtual patients. */
void ns_calib_sim_survival(const ns_calib_sim *cs, int j, int g, double *surv, uint64_t *m);

/* Runs series j on the scenario `draw` (every parameter of it, e.g. a PSA
 * draw, with the series' protocol as its only strategy) on the same virtual
 * patients, and counts by sample size and follow-up instead of the series'
 * own follow-up: found[(b * nt + t) * NS_NEVENTS + e] virtual patients among
 * the first bound[b] (ascending, at most the series' patients) in whom an
 * event of type e was found within years[t] (nt at most NS_STUDY_MAX_T + 1,
 * in any order). nb * nt at most 64. No
 * allocation; integers, so the same for any thread count. */
void ns_calib_sim_run_draw(ns_calib_sim *cs, int j, const ns_scenario *draw, int nb,
                           const uint64_t *bound, int nt, const double *years, int threads,
                           uint64_t *found);

/* Probability of an event from `found` of m virtual patients, with half an
 * event added (found + 0.5) / (m + 1), so that a series with events is never
 * impossible. */
double ns_calib_prob(uint64_t found, uint64_t m);
/* log of the binomial probability of k events among n at probability p. */
double ns_calib_binom_loglik(int n, int k, double p);
/* The continuous binomial: log of C(n, k) p^k (1 - p)^(n - k) with lgamma,
 * for real n >= k >= 0 (effective counts). */
double ns_calib_binom_loglik_real(double n, double k, double p);
/* Probability of cancer death by the months from a simulated survival surv
 * among m virtual patients, with half a death added as ns_calib_prob:
 * ((1 - surv) m + 0.5) / (m + 1). */
double ns_calib_surv_prob(double surv, uint64_t m);
/* Series j's survival term for group g: a Kaplan-Meier share S published
 * for n effective patients scored as n (1 - S) cancer deaths among n, a
 * binomial with the simulated probability (ns_calib_surv_prob); NaN when
 * the series gives no such group. */
double ns_calib_survival_term(const ns_calibration *c, const ns_calib_sim *cs, int j, int g);
/* log of the multinomial probability of k events among n, found with
 * probability p, of which count[g] at reported time g (groups times), each
 * time taking share[g] of the found (shares adding to at most 1), none at
 * other times, and n - k not found. */
double ns_calib_timed_loglik(int n, int k, double p, int groups, const int *count,
                             const double *share);
/* Log-likelihood of every series' reported event types (independent
 * binomials, or multinomials over the windows about the reported times of a
 * type's events) and survival targets (ns_calib_survival_term) given the
 * counts of ns_calib_sim_run; per[j * NS_NEVENTS + t] gets each event term
 * (NaN for types a series does not report) when not NULL. */
double ns_calib_loglik(const ns_calibration *c, const ns_calib_sim *cs, const uint64_t *found,
                       double *per);

/* A synthetic series: sets every series' events to what its own number of
 * patients, drawn with `seed`, show at theta (and its survival targets to
 * their simulated survival). 0, or -1 with a message. */
int ns_calib_synthesize(const ns_scenario *s, ns_calibration *c, const double *theta,
                        uint64_t seed, int threads, char *err, size_t errlen);

#endif
