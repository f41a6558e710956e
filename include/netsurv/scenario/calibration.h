/* Calibration input (issue 9): published follow-up series after endoscopic
 * resection, each as its own cohort under its own follow-up, and the
 * parameters to calibrate with the settings of the method.
 *
 * A series file (scenarios/calibration/series.yaml is the reference) is read
 * against a loaded scenario: its parameter paths must be registered
 * parameters of that scenario with a `psa:` prior, and its protocol names
 * the scenario's modalities. Every problem is reported as
 * "FILE:LINE:COLUMN: path: message", as for scenarios. */
#ifndef NETSURV_SCENARIO_CALIBRATION_H
#define NETSURV_SCENARIO_CALIBRATION_H

#include <stdint.h>

#include "netsurv/scenario/scenario.h"

#define NS_MAX_SERIES 32
#define NS_MAX_CALIB_PARAMS 16
#define NS_MAX_EVENT_TIMES 8    /* reported times per event type of a series */

/* What a series counts: events found within its follow-up (recurrences after
 * endoscopic resection), disease present at the resection itself (nodes in a
 * salvage or primary surgical specimen), or the metastases that staging at
 * time 0 finds (metastasis at diagnosis in a registry: the series' staging
 * tests at a visit at time 0, as the engine plays any visit). */
enum { NS_MEASURE_FOLLOW_UP, NS_MEASURE_AT_RESECTION, NS_MEASURE_AT_STAGING };

/* Event types a series reports. `metastasis` is nodal or distant, for series
 * that do not split them; a series gives either it or nodal/distant. */
enum { NS_EV_LOCAL, NS_EV_NODAL, NS_EV_DISTANT, NS_EV_METASTASIS, NS_NEVENTS };
extern const char *const ns_event_name[NS_NEVENTS];

/* The two groups of a survival target (measured at staging): patients in
 * whom the time-0 staging found a metastasis, and those in whom it found
 * none ("found", "not_found"). */
enum { NS_SURV_FOUND, NS_SURV_NOT_FOUND, NS_NSURV };
extern const char *const ns_surv_group_name[NS_NSURV];

typedef struct {
    char name[NS_NAME_LEN];
    char source[256];
    ns_riskgroup when;          /* reported attributes of the series' patients */
    int n_patients;
    double fu_median;           /* years */
    double fu_sigma;            /* lognormal spread of follow-up times (0: all at the median) */
    double fu_max;              /* years: no follow-up longer */
    ns_rule protocol;           /* the series' visits (tests and interval), and the
                                   treatment every patient had at time 0 (-1 none);
                                   measured at staging: one visit at time 0 with the
                                   staging tests, no treatment */
    double staged;              /* measured at staging: the share of patients staged
                                   (attending the time-0 visit; 1 unless given); with
                                   entry staging, the share of the series' patients
                                   staged before they entered it */
    /* a follow-up series with entry_staging: the staging its patients had
     * before they entered it, one visit at time 0 with its tests; a patient
     * whose metastasis it finds never entered the series (not counted, not
     * in the denominator) */
    int entry_staging;
    ns_rule entry;
    int measure;                /* NS_MEASURE_* */
    int has_event[NS_NEVENTS];
    int events[NS_NEVENTS];     /* observed */
    /* when a series reports when its events were found: the times (years
     * from resection; every event of the type has one) and the half-width of
     * the window about each within which a simulated event counts as found
     * then (the precision the series reports times with) */
    int n_times[NS_NEVENTS];
    double times[NS_NEVENTS][NS_MAX_EVENT_TIMES];
    double time_window;
    /* a survival target (measured at staging; surv_months 0: none): the
     * published cancer-specific survival at surv_months of each group the
     * series gives (has_surv), a Kaplan-Meier share, scored as a binomial
     * proportion with surv_patients (the group's patients unless changed)
     * as its effective sample size */
    double surv_months;
    int has_surv[NS_NSURV];
    double surv_value[NS_NSURV];
    double surv_patients[NS_NSURV];
    char surv_source[NS_NSURV][256];
} ns_series;

/* The method's settings: IMIS (incremental mixture importance sampling). */
typedef struct {
    int initial;                /* points drawn from the prior */
    int per_iteration;          /* points added by each mixture component */
    int max_iterations;
    double target_ess;          /* stop once the effective sample size reaches it */
} ns_imis_settings;

typedef struct {
    char *path, *text;          /* the file as read, for provenance */
    int n_series;
    ns_series series[NS_MAX_SERIES];
    int n_params;
    int param[NS_MAX_CALIB_PARAMS];          /* indices into the scenario's registry */
    char param_path[NS_MAX_CALIB_PARAMS][192];
    uint64_t virtual_patients;  /* simulated per series */
    ns_imis_settings imis;
} ns_calibration;

/* Loads and checks a series file against scenario s. Returns 0 with *out
 * (free with ns_calibration_free), or -1 with every problem in *errs. */
int ns_calibration_load(const char *path, const ns_scenario *s, ns_calibration **out,
                        ns_errors *errs);
/* The same from text in memory (name is used in messages). */
int ns_calibration_load_string(const char *name, const char *text, const ns_scenario *s,
                               ns_calibration **out, ns_errors *errs);
void ns_calibration_free(ns_calibration *c);

#endif
