/* The file of `netsurv calibrate` (issue 9): the weighted posterior sample,
 * every target's simulated value beside the published one, and the
 * sampler's diagnostics, with the scenario and series file for provenance. */
#ifndef NETSURV_OUTPUT_CALIB_OUT_H
#define NETSURV_OUTPUT_CALIB_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "netsurv/engine/imis.h"
#include "netsurv/engine/psa.h"
#include "netsurv/output/h5out.h"
#include "netsurv/scenario/calibration.h"
#include "netsurv/scenario/scenario.h"

/* A target: one event type that one series reports (type < NS_NEVENTS), or
 * one group of its survival target (type NS_TARGET_SURVIVAL + NS_SURV_*).
 * For a survival target the counts are effective: patients the group's
 * effective n, observed n (1 - published survival) and expected
 * n (1 - simulated survival) cancer deaths. */
#define NS_TARGET_SURVIVAL NS_NEVENTS
#define NS_MAX_CALIB_TARGETS (NS_MAX_SERIES * (NS_NEVENTS + NS_NSURV))
typedef struct {
    int series, type;
} ns_calib_target;

typedef struct {
    const ns_scenario *s;
    const ns_calibration *c;
    const ns_imis_result *r;     /* extra[i * n_targets + t]: expected events of target t
                                    (a survival target: expected cancer deaths) */
    int n_targets;
    const ns_calib_target *target;
    uint64_t seed;
    const char *command_line;
    double wall_seconds;
} ns_calib_report;

/* Writes the report to path (a new file: give it ns_atomic_tmp()). 0, or -1
 * with a message in err. */
int ns_calib_write(const char *path, const ns_calib_report *rep, char *err, size_t errlen);

/* The posterior sample of a calibration file (path), its parameters mapped
 * to s's registry: 0, or -1 with the reason in err (not a calibration
 * file, a parameter s does not have, weights that do not add up to 1).
 * Free with ns_posterior_free. */
int ns_calib_read_posterior(const char *path, const ns_scenario *s, ns_posterior *out, char *err,
                            size_t errlen);

/* Notes on /psa of h that its draws came from post. */
int ns_h5_note_posterior(ns_h5 *h, const ns_posterior *post);

#endif
