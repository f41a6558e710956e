/* Health-economic decision rules on per-strategy mean costs and effects:
 * incremental analysis (dominance, extended dominance, ICERs along the
 * efficiency frontier), net monetary benefit, and, over PSA draws,
 * acceptability curves (CEAC), the acceptability frontier (CEAF) and the
 * expected value of perfect information (EVPI). Pure functions; no
 * allocation beyond what the caller passes; no I/O. */
#ifndef NETSURV_ECON_H
#define NETSURV_ECON_H

#include <stddef.h>

#define NS_ECON_MAX 64

enum {
    NS_ECON_FRONTIER = 0,      /* on the efficiency frontier */
    NS_ECON_DOMINATED = 1,     /* strongly dominated: another costs no more and gains no less, one of them strictly */
    NS_ECON_EXT_DOMINATED = 2, /* extended dominated: a mix of two frontier strategies does better */
    NS_ECON_DUPLICATE = 3      /* identical cost and effect to an earlier frontier strategy */
};
extern const char *const ns_econ_status_name[4];
/* The Status column of dampack's calculate_icers: "ND", "D", "ED"; a copy
 * of a frontier strategy keeps netsurv's "duplicate" (dampack says D). */
extern const char *const ns_econ_status_code[4];

typedef struct {
    int order[NS_ECON_MAX];    /* strategies sorted by cost, then by effect descending, then index */
    int status[NS_ECON_MAX];   /* NS_ECON_* per strategy (indexed by strategy) */
    int reference[NS_ECON_MAX];/* frontier strategy each frontier strategy is compared to; -1 for the first */
    double inc_cost[NS_ECON_MAX], inc_effect[NS_ECON_MAX]; /* vs reference; NaN when none */
    double icer[NS_ECON_MAX];  /* inc_cost / inc_effect on the frontier; NaN otherwise */
} ns_icer_table;

/* Incremental analysis of n strategies with mean cost[i] and effect[i]
 * (e.g. discounted QALYs). Returns 0, or -1 when n is out of range. */
int ns_econ_icers(const double *cost, const double *effect, int n, ns_icer_table *out);

/* rows[0 .. n-1] = the strategies of a table from ns_econ_icers in the
 * row order of dampack's calculate_icers: frontier strategies first, then
 * extended-dominated ones, then dominated ones and duplicates; within each
 * group in t->order (cost ascending, effect descending). */
void ns_econ_dampack_rows(const ns_icer_table *t, int n, int *rows);

/* The willingness-to-pay grid 0, step, 2 step, ... up to max (to 1e-9),
 * at most cap points, into grid; returns its length. The scenario loader
 * keeps it to NS_ECON_MAX_WTP points. */
#define NS_ECON_MAX_WTP 1001
int ns_econ_wtp_grid(double max, double step, double *grid, int cap);

/* Net monetary benefit wtp * effect - cost, per strategy. */
void ns_econ_nmb(const double *cost, const double *effect, int n, double wtp, double *nmb);

/* Over K PSA draws (cost[k * n + i], effect[k * n + i]) and W willingness-
 * to-pay values: ceac[w * n + i] = share of draws in which strategy i has the
 * highest NMB (ties split evenly); ceaf[w] = the strategy with the highest
 * expected NMB; evpi[w] = E[max_i NMB] - max_i E[NMB] (per patient). */
void ns_econ_psa(const double *cost, const double *effect, int K, int n, const double *wtp, int W,
                 double *ceac, int *ceaf, double *evpi);

/* Patients who face the decision over the horizon, discounted: the sum of
 * incidence (1 + r)^-t for t = 0, 1, ... while t < horizon_years (the last
 * year in part), r the annual rate. Per-patient EVPI times this is the
 * population EVPI. */
double ns_econ_population_factor(double incidence, double horizon_years, double rate);

#endif
