/* The HDF5 output: the only code that knows HDF5. Writes from one thread.
 *
 * Layout: root attributes (provenance), /scenario (the scenario text),
 * /summary/ (one dataset per statistic, one row per strategy), and with
 * per-patient output /patients/ (attributes and hidden truth) and
 * /patients/<strategy>/ (outcomes), chunked and compressed, written wave by
 * wave so memory does not grow with N. Every dataset has `description` and
 * `units` attributes; coded integers also have `labels`. */
#ifndef NETSURV_OUTPUT_H5OUT_H
#define NETSURV_OUTPUT_H5OUT_H

#include <stddef.h>
#include <stdint.h>

#include "netsurv/engine/engine.h"
#include "netsurv/scenario/scenario.h"

typedef struct {
    uint64_t seed, n_patients;
    const char *command_line;
} ns_run_info;

typedef struct ns_h5 ns_h5;

/* Creates the file at `path` (which must not exist) with provenance and,
 * when per_patient, the per-patient datasets. NULL with a message on error. */
ns_h5 *ns_h5_create(const char *path, const ns_scenario *s, const ns_run_info *info,
                    int per_patient, char *err, size_t errlen);

/* An ns_fill_fn: converts rows into the column buffers (thread-safe for
 * disjoint rows; ctx is the ns_h5). */
void ns_h5_fill_rows(void *ctx, int row, int count, const ns_patient *patients,
                     const ns_outcome *outcomes);
/* An ns_flush_fn: writes the buffered wave as patients [first, first + count). */
int ns_h5_flush_rows(void *ctx, uint64_t first, int count);

/* Threads that compress per-patient chunks (as the engine's; 0: default). */
void ns_h5_set_threads(ns_h5 *h, int threads);
/* The deflate level (0-12; 1 unless set) of the per-patient datasets of the
 * files this process creates from now on: 0 stores them without filters
 * (no shuffle, no deflate), the fastest to write and the largest; the
 * values are the same at every level. */
void ns_h5_set_patient_compression(int level);

/* Writes /summary from the strategy tallies. Returns 0 or -1. */
int ns_h5_write_summary(ns_h5 *h, const ns_strategy_tally *t);

/* /economics: the incremental analysis of mean discounted cost and QALYs
 * per strategy, NMB at the scenario's WTP and over its grid. */
int ns_h5_write_economics(ns_h5 *h, const double *cost, const double *effect);

/* /psa: K draws; values[k * P + j] of the P drawn parameters, cost and
 * effect [k * S + i]; CEAC, CEAF and EVPI over the WTP grid. */
int ns_h5_write_psa(ns_h5 *h, int K, uint64_t n_patients, const double *values,
                    const double *cost, const double *effect);

/* /psa_by_group: the K draws' means per group (cost and effect
 * [(k * G + g) * S + i], share [k * G + g], as ns_psa_run gives them); per
 * group CEAC, CEAF and EVPI per patient of the group, and the EVPI of the
 * composite decision (a strategy per group) per patient of the cohort. */
int ns_h5_write_psa_groups(ns_h5 *h, int K, const double *cost, const double *effect,
                           const double *share);

/* /owsa: every parameter with a range at its low and high value: cost and
 * effect [j * S + i]; NMB at the scenario's WTP. */
int ns_h5_write_owsa(ns_h5 *h, int Q, const double *cost_lo, const double *cost_hi,
                     const double *effect_lo, const double *effect_hi);

/* In a sweep, the point whose rows the next summary and economics writes
 * fill (datasets gain a leading point dimension), and its scenario (for
 * economic parameters that may be swept; NULL: the file's scenario). */
void ns_h5_set_point(ns_h5 *h, uint64_t p, const ns_scenario *ps);
/* The group the next ns_h5_write_psa fills (NULL: /psa), e.g.
 * "sweep_psa/point_000003"; the name must stay valid until then. */
void ns_h5_set_psa_group(ns_h5 *h, const char *name);
/* /sweep_psa (attributes n_points, n_draws K): the PSA of a sweep, one group
 * point_NNNNNN per point laid out as /psa (the same K draws at every
 * point). 0 or -1. */
int ns_h5_begin_sweep_psa(ns_h5 *h, int K);

/* /sweep: one dataset per swept path under /sweep/points, its values at
 * every point; /sweep/axis names them. */
int ns_h5_write_sweep(ns_h5 *h);

/* From a result file of a run with risk groups: the scenario text it ran,
 * its composite policy (/composite/yaml) and its command line (malloc'd;
 * the command line may be NULL). Returns 0, or -1 with the reason in err. */
int ns_h5_read_policy(const char *path, char **scenario, char **policy, char **command_line,
                      char *err, size_t errlen);

/* Flushes and closes the file; frees h. Returns 0 or -1. */
int ns_h5_close(ns_h5 *h);

/* The operating system's reason for the first HDF5 write or close that
 * failed since the last ns_h5_reason_clear ("No space left on device"), or
 * "" when HDF5 named none. */
const char *ns_h5_reason(void);
void ns_h5_reason_clear(void);

#endif
