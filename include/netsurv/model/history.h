/* A virtual patient: the pathology report at resection and the hidden truth.
 *
 * ns_history_draw turns (seed, patient index) into one patient, from
 * separate random streams per purpose (attributes, metastasis, residual
 * disease, death), every draw by inversion of a uniform so that a changed
 * parameter moves a patient's values monotonically (common random numbers
 * across sweep points and PSA draws). Pure: no allocation, no I/O. */
#ifndef NETSURV_HISTORY_H
#define NETSURV_HISTORY_H

#include <stdint.h>

#include "netsurv/scenario/scenario.h"

#define NS_MAX_DEPOSITS 50 /* deposits counted per patient, at most */
#define NS_MAX_AGE 120.0   /* the lifetime horizon of life-years and QALYs */

typedef struct ns_patient {
    /* at resection: what the report says (and the true LVI) */
    double age;
    double size_mm;
    uint8_t sex, grade, muscularis, lvi_true, lvi_reported, method, margin;
    /* hidden disease */
    uint8_t has_metastasis, site;  /* site: NS_SITE_NODAL or NS_SITE_LIVER */
    uint8_t has_residual;
    uint8_t n_deposits;            /* deposits at the site, the largest included (0: none) */
    uint8_t synchronous;           /* the deposit is past the detectable diameter at resection */
    double p_metastasis;           /* from the logistic model */
    double onset;                  /* years to a detectable deposit (reference diameter), < 0 if
                                      synchronous; INFINITY if none */
    double doubling_years;         /* diameter doubling time (3 x volume doubling) */
    double symptom_time;           /* years to symptoms from the metastasis; INFINITY if none */
    double incidental_time;        /* years to incidental detection by imaging done for other reasons */
    double residual_time;          /* years to a visible local regrowth; INFINITY if none */
    double residual_doubling_years;/* diameter doubling time of the local regrowth */
    double death_time;             /* years to death from other causes */
    double u_resectable;           /* uniform deciding resectability at detection */
    double u_cure;                 /* uniform deciding cure by a complete resection */
    double u_surgery;              /* uniform deciding death from metastasis surgery */
    double u_second_line;          /* uniform deciding second-line therapy if unresectable */
    double lethal_time;            /* years to death from the untreated metastasis; INFINITY if none */
    double presentation_time;      /* when it would present without surveillance (symptoms or
                                      incidental imaging); INFINITY if not in life */
    uint64_t key;                  /* hash of (seed, index) for counter-based draws */
    /* the life-years to other-cause death (clipped at NS_MAX_AGE) discounted
     * at rate ly_rate, worked out once for every strategy that leaves the
     * patient's life as it is: a cache that strategy play uses only while
     * ly_end and ly_rate still match what it would compute them from */
    double ly_end, ly_rate, ly_end_discounted;
} ns_patient;

/* Draws patient `index` of the cohort of scenario s with `seed`. */
void ns_history_draw(const ns_scenario *s, uint64_t seed, uint64_t index, ns_patient *p);

/* Integral of exp(-r t) dt over [a, b] (b may be infinite): a duration
 * discounted continuously at rate r = ln(1 + annual rate). */
double ns_discounted_years(double r, double a, double b);

/* Diameter (mm) of the largest deposit at time t (years); 0 if none. */
double ns_history_diameter(const ns_patient *p, double ref_mm, double t);

/* Years of life left from `age` for `sex` at cumulative-hazard draw e ~ Exp(1). */
double ns_death_time(const ns_death_params *d, int sex, double age, double e);

#endif
