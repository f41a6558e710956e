/* Playing one strategy on one patient's history (MODEL.md sections 3-5).
 *
 * Pure: no allocation, no I/O, no state beyond the arguments. Every chance
 * outcome (attending a visit, a test's result, the treatment's effect) is a
 * counter-based draw keyed by (patient, visit time, modality) or (patient,
 * treatment), never by the strategy, so two strategies that share a visit see
 * the same result (common random numbers). */
#ifndef NETSURV_STRATEGY_H
#define NETSURV_STRATEGY_H

#include <stdint.h>

#include "netsurv/model/history.h"
#include "netsurv/scenario/scenario.h"


enum { NS_ROUTE_NEVER, NS_ROUTE_SURVEILLANCE, NS_ROUTE_SYMPTOMS, NS_ROUTE_INCIDENTAL,
       NS_NROUTES };
enum { NS_MISS_NONE, NS_MISS_NOT_FOLLOWED, NS_MISS_BETWEEN_VISITS, NS_MISS_FALSE_NEGATIVE,
       NS_MISS_AFTER_SCHEDULE, NS_MISS_MISSED_VISIT, NS_NMISS };
extern const char *const ns_route_name[NS_NROUTES];
extern const char *const ns_miss_name[NS_NMISS];
/* The parts of the discounted QALYs: life in each state, and the losses to
 * tests and to treatment (time-0 operation, metastasis surgery). They add up
 * to qaly_discounted. */
enum { NS_Q_WELL, NS_Q_OCCULT, NS_Q_AFTER_RESECTION, NS_Q_METASTATIC, NS_Q_TESTS, NS_Q_HARMS,
       NS_NQPARTS };
extern const char *const ns_qaly_part_name[NS_NQPARTS];

/* What happened to one patient under one strategy. Times in years after
 * resection; INFINITY where the event never happened. */
typedef struct ns_outcome {
    double detection_time;   /* metastasis found (any route) */
    double second_line_time; /* progression on the analogue, second-line therapy (if given) */
    double detection_delay;  /* detection_time - time it became detectable */
    double burden_mm;        /* largest deposit at detection; 0 if none */
    double local_detection_time; /* local regrowth found by a surveillance visit */
    double death_time;       /* death: other cause, the time-0 operation, or the metastasis */
    double metastasis_death; /* death_time when the metastasis caused it, else INFINITY */
    double cost_surveillance, cost_workup, cost_treatment; /* undiscounted */
    double cost;             /* all costs, undiscounted (the sum of the three) */
    double cost_discounted;  /* all costs, discounted to time 0 */
    double radiation_msv;
    double ly, ly_discounted;     /* life-years from resection to death (lifetime) */
    double qaly, qaly_discounted;
    double qaly_part[NS_NQPARTS];  /* qaly_discounted by part (NS_Q_*) */
    uint16_t n_tests, n_false_positives;
    uint16_t tests_by_modality[NS_MAX_MODALITIES];
    uint8_t rule;            /* index of the matching rule */
    uint8_t route;           /* NS_ROUTE_* */
    uint8_t metastasis;      /* a metastasis became detectable while the patient lived */
    uint8_t missed;          /* ... and no surveillance visit found it */
    uint8_t missed_reason;   /* NS_MISS_* */
    uint8_t resectable;      /* resectable when found */
    uint8_t cured;           /* cured by the resection */
    uint8_t second_line;     /* unresectable, given PRRT or everolimus at progression */
    uint8_t overdiagnosed;   /* found by surveillance; would not have presented in life */
    uint8_t metastasis_surgery_death; /* died of the operation on the metastasis */
    uint8_t operative_death; /* died of the additional treatment at time 0 */
    uint8_t death_cause;     /* NS_DEATH_* */
} ns_outcome;

enum { NS_DEATH_OTHER, NS_DEATH_OPERATIVE, NS_DEATH_METASTASIS, NS_NDEATHS };
extern const char *const ns_death_cause_name[NS_NDEATHS];

/* Index of the rule of strategy st that patient p's report matches. */
int ns_strategy_match(const ns_strategy *st, const ns_patient *p);

/* Index of the risk group (s->group) patient p's report falls in; 0 when
 * the scenario has no groups. */
int ns_group_of(const ns_scenario *s, const ns_patient *p);

/* Plays rule r (reported as rule index ri) of any strategy on patient p into
 * *o: what ns_strategy_play does once it has found the patient's rule, so a
 * schedule built outside the scenario (netsurv optimize) plays exactly as
 * the same rule in a strategy. r's derived visit fields must be filled
 * (ns_rule_derive). */
void ns_rule_play(const ns_scenario *s, const ns_rule *r, int ri, const ns_patient *p,
                  ns_outcome *o);

/* Whether rules a and b play alike on every patient: the same time-0
 * treatment and visits (times, tests, days, attendance, discounting), all
 * that ns_rule_play reads of a rule, so their outcomes differ only in
 * the rule index. */
int ns_rule_same_play(const ns_rule *a, const ns_rule *b);

/* Plays strategy index k of s on patient p into *o. */
void ns_strategy_play(const ns_scenario *s, int k, const ns_patient *p, ns_outcome *o);

#endif
