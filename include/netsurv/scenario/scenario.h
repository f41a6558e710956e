/* A scenario: every model parameter, loaded from YAML and checked.
 *
 * Parsing and checking end here: later stages trust the struct. Each
 * parameter in the file is a mapping {value: ..., source: "..."} or
 * {value: ..., assumption: "..."}; the loader records every parameter in
 * a registry (path, address, allowed range) for --set, sweeps and PSA. */
#ifndef NETSURV_SCENARIO_H
#define NETSURV_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "netsurv/numeric/dist.h"

#define NS_MAX_METHODS 8
#define NS_MAX_TARGETS 32
#define NS_MAX_LIFE 128
#define NS_MAX_PARAMS 1024
#define NS_NAME_LEN 48
#define NS_MAX_ERRORS 64

enum { NS_G1, NS_G2, NS_G3, NS_NGRADES };
enum { NS_R0, NS_R1, NS_RX, NS_NMARGINS };
enum { NS_SEX_FEMALE, NS_SEX_MALE };
enum { NS_SITE_NODAL, NS_SITE_LIVER, NS_NSITES };
typedef struct {
    char name[NS_NAME_LEN];
    double share;      /* of all resections */
    double incomplete; /* P(R1 or Rx) */
} ns_method;

typedef struct {
    double age_mean, age_sd, age_min, age_max;
    double male_share;
    ns_curve size_cdf;          /* x: size mm (sorted), y: cumulative share 0..1 */
    double grade_p[NS_NGRADES];
    double mp_by_grade[NS_NGRADES]; /* P(muscularis propria invasion | grade) */
    double lvi_prevalence;      /* true LVI */
    double lvi_ihc_share;       /* labs staining with CD31/elastic (IHC) */
    double lvi_sens_he, lvi_sens_ihc;
    int n_methods;
    ns_method method[NS_MAX_METHODS];
    double rx_share_of_incomplete;
} ns_cohort_params;

typedef struct {
    double intercept;
    ns_curve size_logit;        /* logit contribution by size in mm */
    double grade[NS_NGRADES];   /* log odds ratios; G1 is 0 */
    double lvi, muscularis, margin[NS_NMARGINS];
    double liver_share;         /* first detectable deposit in liver (else nodes) */
    double dormant_nodal_ratio; /* node metastases at resection that never progress, per
                                   progressing nodal one: seen only in specimens (calibration
                                   series measured at resection), nothing else */
    double extra_deposits[NS_NSITES]; /* deposits besides the largest: Poisson mean, per site */
    double resectable_per_extra;/* P(resectable) multiplied by this per extra deposit */
} ns_metastasis_params;

typedef struct {
    double prob_by_margin[NS_NMARGINS];
    ns_dist onset;              /* years to a visible regrowth at the scar */
} ns_residual_params;

typedef struct {
    double reference_mm;        /* diameter at which a deposit is "detectable" */
    ns_dist onset;              /* years from resection to that diameter */
    ns_curve synchronous;       /* P(already past it at resection | metastasis), by size mm */
    double synchronous_or;      /* its odds multiplied by this at every size (1 unless given) */
    ns_dist synchronous_mm;     /* largest-deposit diameter at resection, if synchronous */
    ns_dist doubling_months;    /* volume doubling time of the deposits */
    double grade_doubling[NS_NGRADES]; /* doubling time multiplied by this, per grade */
    ns_dist symptom_mm;         /* largest-deposit diameter that causes symptoms */
    double incidental_rate;     /* imaging for other reasons, per person-year */
    ns_dist lethal_ratio;       /* lethal diameter / symptom diameter (>= 1 once drawn) */
} ns_course_params;

enum { NS_DEATH_GOMPERTZ, NS_DEATH_LIFE_TABLE };
typedef struct {
    int model;
    double gompertz_a[2], gompertz_b[2]; /* hazard a*exp(b*age), per sex */
    int n_ages;                  /* life table: hazard constant on [age[i], age[i+1]) */
    double ages[NS_MAX_LIFE];
    double qx[2][NS_MAX_LIFE];   /* annual death probability by sex */
    double cumhaz[2][NS_MAX_LIFE + 1]; /* derived: cumulative hazard at ages[i] */
    double hazard_ratio;         /* life table: its hazard multiplied by this at every age */
} ns_death_params;

/* Cohort groups, by reported attributes (labels as in `netsurv cohort --csv`). */
enum { NS_GRP_ALL, NS_GRP_SIZE_LT10, NS_GRP_SIZE_10_20, NS_GRP_SIZE_GE20, NS_GRP_G1, NS_GRP_G2,
       NS_GRP_G3, NS_GRP_LVI_POS, NS_GRP_LVI_NEG, NS_GRP_R0, NS_GRP_R1, NS_GRP_RX, NS_NGROUPS };
extern const char *const ns_group_label[NS_NGROUPS];

enum { NS_STAT_METASTASIS_RATE, NS_STAT_SHARE, NS_STAT_AFTER5, NS_STAT_AFTER10,
       NS_STAT_RATE_RATIO, NS_STAT_WITHIN5_RATE, NS_STAT_SYNCHRONOUS_RATE, NS_NSTATS };
typedef struct {
    char name[NS_NAME_LEN];
    int statistic;
    int group, reference;        /* ns_group indices (see cohort.h) */
    double lo, hi;               /* accepted range; -inf/+inf when one-sided */
    char source[256];
} ns_target;

/* ---- surveillance (MODEL.md section 3) ---- */
#define NS_MAX_MODALITIES 16
#define NS_MAX_STRATEGIES 32
#define NS_MAX_RULES 64        /* a composite policy has a rule per group and schedule */
#define NS_MAX_VISITS 128       /* visits per rule, after expanding repeats */
#define NS_MAX_TREATMENTS 8
#define NS_HORIZON_YEARS 60.0   /* "lifelong" schedules stop here (or at death) */
enum { NS_LOC_LOCAL, NS_LOC_NODAL, NS_LOC_LIVER, NS_NLOCS };

typedef struct {
    char name[NS_NAME_LEN];
    double cost;                /* per test */
    double workup_cost;         /* per positive result */
    double specificity;
    double radiation_msv;
    int sees[NS_NLOCS];         /* a sensitivity curve is given for the site */
    ns_curve sensitivity[NS_NLOCS]; /* by lesion diameter in mm */
} ns_modality;

typedef struct {
    char name[NS_NAME_LEN];
    double cost;
    double mortality;           /* operative death at time 0 */
    double clears_residual;     /* P(removes local residual tumour) */
    double clears_nodal;        /* P(removes nodal metastasis) */
    double qaly_loss;           /* QALYs lost to the treatment itself */
    double utility_loss;        /* utility lost for the rest of life (bowel function, stoma) */
} ns_treatment;

/* A risk group by reported attributes: each set is a bit mask over the
 * attribute's values; size in [size_lo, size_hi). */
typedef struct {
    double size_lo, size_hi;
    unsigned grades, margins, lvi, depth; /* lvi: bit0 no, bit1 yes; depth: bit0 submucosa, bit1 muscularis */
} ns_riskgroup;

/* A risk group of the scenario's `groups:` partition: results are reported
 * per group, and the best schedule is chosen per group. */
#define NS_MAX_GROUPS 48
typedef struct {
    char name[NS_NAME_LEN];
    ns_riskgroup when;
    int otherwise;              /* the patients no other group holds */
    char description[200];      /* the `description:` or, absent, the when: in words */
} ns_risk_group;

typedef struct {
    char name[NS_NAME_LEN];
    ns_riskgroup when;
    int treatment;              /* index into treatments, -1 none */
    int n_visits;
    double visit_time[NS_MAX_VISITS];   /* sorted, years after resection */
    uint32_t visit_tests[NS_MAX_VISITS];/* bit mask of modalities */
    uint32_t visit_day[NS_MAX_VISITS];  /* derived: the visit's time in whole days, the
                                           counter of its draws */
    uint64_t visit_attend_below[NS_MAX_VISITS]; /* derived: P(attending) as the threshold
                                           of a 32-bit draw (ns_rng_u32_below) */
    double visit_discount[NS_MAX_VISITS]; /* derived: cost discount factor */
    double visit_discount_eff[NS_MAX_VISITS]; /* derived: effect discount factor */
    int lifelong;               /* schedule runs to the horizon */
    int otherwise;              /* matches the patients no other rule matches */
} ns_rule;

/* A proposed follow-up study (the studies: section, issue 11): N patients
 * of a cohort followed with a protocol for T years, observing the
 * recurrences found by type; its value (EVSI) is estimated after a PSA. */
#define NS_MAX_STUDIES 4
#define NS_STUDY_MAX_N 8
#define NS_STUDY_MAX_T 4
#define NS_STUDY_LATE_AFTER 5.0 /* late_after_years when a study does not give it */
typedef struct {
    char name[NS_NAME_LEN];
    ns_riskgroup when;          /* who is in it (reported attributes) */
    ns_rule protocol;           /* its visits (tests and interval) */
    int n_sizes, n_years;
    double size[NS_STUDY_MAX_N];   /* patients, ascending */
    double years[NS_STUDY_MAX_T];  /* follow-up, ascending */
    double cost_fixed;          /* currency of the scenario */
    double cost_per_patient_year;
    double late_after;          /* recurrences found after this many years: a statistic */
} ns_study;

typedef struct {
    char name[NS_NAME_LEN];
    char source[256];
    int n_rules;
    ns_rule rule[NS_MAX_RULES];
} ns_strategy;

typedef struct {
    ns_curve adherence;         /* P(attending a visit) by years after resection */
    ns_curve resectable[NS_NSITES]; /* P(resectable) by largest-deposit diameter, per site */
    ns_curve cure[NS_NSITES];   /* P(cure | complete resection) by diameter, per site */
    double residual_fraction;   /* volume left behind by a resection that does not cure */
    double ssa_hr;              /* somatostatin analogue: hazard ratio of progression */
    double surgery_mortality;   /* operative mortality of metastasis surgery */
    double resection_cost;      /* curative surgery for a detected metastasis */
    double systemic_cost;       /* unresectable disease: somatostatin analogues, per year */
    double second_line_cost;    /* PRRT / everolimus, once, for a share of unresectable */
    double second_line_share;
    double second_line_hr;      /* its hazard ratio of death, on top of the analogue */
    double progression_increase;/* progression: the largest deposit this much wider */
    double local_treatment_cost;/* re-resection of a local recurrence */
    double discount_costs;      /* annual rate */
    double discount_effects;
} ns_followup_params;

/* Quality of life by state, and the willingness to pay. */
typedef struct {
    double u_well;              /* utility without metastatic disease (or after cure) */
    double u_occult;            /* with a metastasis not yet found */
    double u_after_resection;   /* after resection of a metastasis: recovery, or disease left */
    double u_metastatic;        /* known unresectable metastatic disease */
    double surgery_qaly_loss;   /* QALYs lost once to metastasis surgery */
    double recovery_years;      /* after a cure, years at u_after_resection before u_well */
    double fp_qaly_loss;        /* QALYs lost to the work-up of a false-positive test */
    double test_disutility;     /* QALYs lost per surveillance test */
    double wtp;                 /* willingness to pay, `currency` per QALY */
    char currency[4];           /* ISO 4217 code of every cost (economics.currency) */
    int price_year;             /* the year the costs are priced in (economics.price_year) */
    double wtp_max, wtp_step;   /* the grid for NMB, CEAC and EVPI: 0..max by step */
    int has_population;         /* economics.population given */
    double pop_incidence;       /* patients a year who face the decision */
    double pop_horizon;         /* years over which they do */
} ns_econ_params;

/* Uncertainty of a parameter for probabilistic sensitivity analysis. */
enum { NS_PSA_NONE, NS_PSA_FIXED, NS_PSA_BETA, NS_PSA_GAMMA, NS_PSA_LOGNORMAL, NS_PSA_NORMAL,
       NS_PSA_UNIFORM, NS_PSA_DIRICHLET, NS_NPSA };

/* One registered parameter: where it is and what it may be. */
typedef struct {
    char path[192];
    size_t offset;              /* of the double inside ns_scenario */
    double lo, hi;
    const char *file;
    int line, col;
    int psa;                    /* NS_PSA_* */
    double psa_a, psa_b;        /* beta: alpha, beta; gamma: shape, scale; lognormal: mu,
                                 * sigma of the log; normal: mean, sd; uniform: low, high;
                                 * Dirichlet: concentration (alpha_i = value_i x it) */
    int group, group_n;         /* Dirichlet: first parameter of the list and its length */
    int has_range;              /* one-way sensitivity analysis: low and high values */
    double range_lo, range_hi;
} ns_param;

/* ---- sweeps (issue 5) ---- */
#define NS_MAX_AXES 16
#define NS_MAX_AXIS_VALUES 1000
#define NS_MAX_POINTS 20000 /* checkpoints keep every point's tallies in memory */

/* One swept scalar: a path into the scenario and its values. */
typedef struct {
    char path[192];
    int zip;                    /* varies together with the other zip axes */
    int n;
    double values[NS_MAX_AXIS_VALUES];
    const char *file;
    int line, col;              /* of the axis in the scenario file */
} ns_axis;

/* Points: every combination of the grid axes, times the zipped axes taken
 * together (the zip index varies fastest, then the last grid axis). */
typedef struct {
    int n_axes;
    ns_axis axis[NS_MAX_AXES];
    uint64_t n_points;          /* 1 when there is no sweep */
} ns_sweep;

/* ---- the search space of `netsurv optimize` (issue 10) ---- */
#define NS_OPT_MAX_CHOICES 32
#define NS_OPT_NEVER INFINITY  /* change_after_years: never (one interval throughout) */
/* One axis of the space: its values (years), where it was written. */
typedef struct {
    int n;
    double v[NS_OPT_MAX_CHOICES];
} ns_opt_axis;

/* Candidates are every combination of: the tests at each visit (modality
 * masks), the first visit, the interval, the year after which the interval
 * changes (NS_OPT_NEVER: it does not) and the interval after it, the last
 * year of visits (NS_HORIZON_YEARS: lifelong), and a treatment at time 0
 * (-1: none); visits at first, first + interval, ... up to the horizon. */
typedef struct {
    int given;                  /* an optimize: section was read */
    int n_tests;
    uint32_t tests[NS_OPT_MAX_CHOICES];
    ns_opt_axis first, interval, change_after, later_interval, horizon;
    int n_treatments;
    int treatment[NS_OPT_MAX_CHOICES];
    double screen_z;            /* screening keeps candidates within z standard errors */
    double screen_min;          /* ... on subsamples of at least this many patients */
} ns_opt_space;

/* Quantities computed from the parameters once, for the per-patient loop.
 * ns_scenario_derive refreshes them after any parameter changes. */
typedef struct {
    double age_p_lo, age_p_hi;      /* standard normal CDF at the age limits */
    double grade_cum[NS_NGRADES];
    double method_cum[NS_MAX_METHODS];
    double rate_costs, rate_effects; /* continuous discount rates ln(1 + annual rate) */
    /* per modality: the specificity as the threshold of a 32-bit draw
     * (ns_rng_u32_below); a negative test is a false positive at or above it */
    uint64_t specificity_below[NS_MAX_MODALITIES];
    /* 1: every patient goes through the general visit loop, none through
     * the fast path for patients with nothing to find, and the engine
     * matches and plays every strategy's rule itself (no lookup table, no
     * outcome reused across strategies whose rules play alike): tests
     * compare the two; 0 by default, set by the derivation only when the
     * environment has NETSURV_GENERIC_PLAY=1 */
    int generic_play;
} ns_derived;

typedef struct ns_scenario {
    char *path;
    char *text;                 /* the whole file as read, for provenance */
    char name[128];
    uint64_t seed;
    ns_cohort_params cohort;
    ns_metastasis_params met;
    ns_residual_params residual;
    ns_course_params course;
    ns_death_params death;
    int n_targets;
    ns_target target[NS_MAX_TARGETS];
    ns_followup_params follow;
    ns_econ_params econ;
    int n_modalities;
    ns_modality modality[NS_MAX_MODALITIES];
    int n_treatments;
    ns_treatment treatment[NS_MAX_TREATMENTS];
    int n_strategies;
    ns_strategy strategy[NS_MAX_STRATEGIES];
    int n_groups;               /* 0: no groups: section */
    ns_risk_group group[NS_MAX_GROUPS];
    int n_params;
    ns_param param[NS_MAX_PARAMS];
    ns_derived derived;
    ns_sweep sweep;
    int n_sets;                 /* the --set overrides it was loaded with (owned) */
    char **sets;
    char *sweep_path, *sweep_text; /* a sweep given in its own file (--sweep), or NULL */
    ns_opt_space opt;           /* the optimize: section (opt.given 0: none) */
    int n_studies;              /* the studies: section (0: none) */
    ns_study study[NS_MAX_STUDIES];
} ns_scenario;

/* Value index of each axis at sweep point p (idx[0..n_axes)). */
void ns_sweep_indices(const ns_sweep *w, uint64_t p, int *idx);



/* Recomputes s->derived (and the life table's cumulative hazards). */
void ns_scenario_derive(ns_scenario *s);

/* Fills the derived visit fields of rule r (attendance, discount factors)
 * from s, as ns_scenario_derive does for the scenario's rules. */
void ns_rule_derive(const ns_scenario *s, ns_rule *r);

/* Messages about bad input, each "FILE:LINE:COLUMN: path: problem"; and
 * warnings, in the same form, about input that loads but is likely not
 * what was meant (a rule's `max: 19.9`). The loaders reset both. */
#define NS_MAX_WARNINGS 16
typedef struct {
    int n;
    char msg[NS_MAX_ERRORS][320];
    int n_warnings;
    char warning[NS_MAX_WARNINGS][320];
} ns_errors;

/* Work shared over MPI ranks or over shards that run together: rank `rank`
 * of `size` computes its contiguous share of n items (share k holds items
 * [n k / size, n (k + 1) / size)), then exchange(state, items, n, len)
 * gives every rank all of them (len doubles each), in item order; 0, or -1
 * when they could not be had. replay (NULL: none), asked before an
 * exchange's share is computed, returns 1 with all n items filled when a
 * resumed run already holds that exchange's result, 0 when the share must
 * be computed, -1 on error. NULL: one process computes everything. */
typedef struct {
    int rank, size;
    int (*exchange)(void *state, double *items, uint64_t n, size_t len);
    int (*replay)(void *state, double *items, uint64_t n, size_t len);
    void *state;
} ns_ranks;

/* Adds a message to e (dropped when e is full). */
void ns_errors_add(ns_errors *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Load and check a scenario file, after applying `path=value` overrides.
 * Returns 0, or -1 with every problem found in *errs. The scenario is heap
 * allocated; free with ns_scenario_free. */
int ns_scenario_load(const char *path, const char *const *sets, int n_sets, ns_scenario **out,
                     ns_errors *errs);
/* Same, from text in memory (name is used in messages). */
int ns_scenario_load_string(const char *name, const char *text, const char *const *sets,
                            int n_sets, ns_scenario **out, ns_errors *errs);
void ns_scenario_free(ns_scenario *s);

/* The same from texts in memory (a shard file's copy of a run's inputs). */
int ns_scenario_load_texts(const char *name, const char *text, const char *sweep_name,
                           const char *sweep_text, const char *const *sets, int n_sets,
                           ns_scenario **out, ns_errors *errs);

/* ns_scenario_load, with the sweep: section of the file sweep_path (if not
 * NULL) added to the scenario, as if written in it; messages about it name
 * sweep_path. */
int ns_scenario_load_with_sweep(const char *path, const char *sweep_path,
                                const char *const *sets, int n_sets, ns_scenario **out,
                                ns_errors *errs);

/* The scenario of sweep point p: base's text with base's overrides, then
 * the point's values. Returns 0, or -1 with the problems in *errs. */
int ns_scenario_load_point(const ns_scenario *base, uint64_t p, ns_scenario **out,
                           ns_errors *errs);

/* g in the grammar of a rule's `when:` ("{size_mm: {min: 10, max: 20},
 * grade: [G1]}"); returns 0, or -1 when out[cap] is too short. */
int ns_riskgroup_yaml(const ns_riskgroup *g, char *out, size_t cap);

/* The strategy entry (YAML, a list item indented by `indent` spaces, for a
 * scenario's strategies: list) that applies to each risk group g the rules
 * of strategy choice[g] as they apply to its patients: replayed by
 * `netsurv run`, every patient gets the schedule of its group's choice.
 * Returns malloc'd text, or NULL with the reason in err. */
char *ns_composite_yaml(const ns_scenario *s, const int *choice, const char *name,
                        const char *source, int indent, char *err, size_t errlen);

/* The scenario text `text` (file `name`, for messages) with `entry` (a
 * strategies: list item written at indentation 0, as ns_composite_yaml
 * with indent 0 writes it) added as the first strategy. Returns malloc'd
 * text, or NULL with the reason in err (strategies: is not a block list). */
char *ns_scenario_add_strategy(const char *name, const char *text, const char *entry, char *err,
                               size_t errlen);

/* Strategy st (its rules' when:, otherwise:, treatment and visits) as a
 * strategies: list item indented by `indent` spaces; each rule's note is
 * "assumption: <st->source>". Returns malloc'd text, or NULL with the reason
 * in err. */
char *ns_strategy_yaml(const ns_scenario *s, const ns_strategy *st, int indent, char *err,
                       size_t errlen);

/* The optimize: section of the file `path` (which holds only optimize:),
 * read against s's modalities and treatments into *out: 0, or -1 with every
 * problem ("FILE:LINE:COLUMN: optimize.key: problem") in *errs. */
int ns_opt_space_load(const ns_scenario *s, const char *path, ns_opt_space *out,
                      ns_errors *errs);

/* Index of a group label, or -1. */
int ns_group_index(const char *label);

/* Pointer to registered parameter i of s. */
static inline double *ns_param_ptr(ns_scenario *s, int i)
{
    return (double *)((char *)s + s->param[i].offset);
}

#endif
