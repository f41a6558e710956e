/* The scenario reference (scenario/reference.h): every key of a scenario,
 * a sweep file and a calibration series file, as the loaders read them.
 * The ranges of parameters are the loader's (tests/test_reference.c checks
 * every registered parameter against them); the rest is the grammar. To add
 * a section: one entry in ns_ref_sections and its keys. A `groups:` list of
 * {name, when: {...} | otherwise: true, description}, for example, is
 *     {"groups", SC, "groups", "", groups}
 * with the keys
 *     L("groups", "list of mappings", "none", "..."),
 *     V("groups.*.name", "name", "", 1, 0, NULL, "..."),
 *     G("groups.*.when", NS_REF_MAP, "when", "", "everyone", "when", "..."),
 *     V("groups.*.otherwise", "true", "", 1, 0, "false", "..."),
 *     V("groups.*.description", "text", "", 1, 0, "none", "..."), END
 * and the rules' `when` grammar below groups.*.when comes with it. */
#include "netsurv/scenario/reference.h"
#include "netsurv/numeric/dist.h"
#include "netsurv/scenario/calibration.h"
#include "netsurv/scenario/scenario.h"

#include <math.h>
#include <string.h>

#define INF INFINITY
#define NONE 1, 0 /* no range (in V and F rows: lo 1, hi 0) */
/* a parameter and a list parameter */
#define P(key, unit, lo, hi, meaning) {key, NS_REF_PARAM, "parameter", unit, lo, hi, NULL, "parameter", meaning}
#define PD(key, unit, lo, hi, def, meaning) {key, NS_REF_PARAM, "parameter", unit, lo, hi, def, "parameter", meaning}
#define PL(key, type, unit, lo, hi, meaning) {key, NS_REF_PARAMS, type, unit, lo, hi, NULL, "parameter", meaning}
/* a mapping, a list, a single value */
#define M(key, def, meaning) {key, NS_REF_MAP, "mapping", "", NONE, def, NULL, meaning}
#define L(key, type, def, meaning) {key, NS_REF_LIST, type, "", NONE, def, NULL, meaning}
#define V(key, type, unit, lo, hi, def, meaning) {key, NS_REF_VALUE, type, unit, lo, hi, def, NULL, meaning}
/* a key with a shared grammar below it */
#define G(key, kind, type, unit, def, grammar, meaning) {key, kind, type, unit, NONE, def, grammar, meaning}
/* a documented number of the series file {value, source|assumption} */
#define F(key, unit, lo, hi, def, meaning) {key, NS_REF_VALUE, "documented number", unit, lo, hi, def, "number", meaning}
/* a documented setting of the scenario {value, source|assumption}, not a parameter */
#define S(key, type, unit, def, meaning) {key, NS_REF_VALUE, type, unit, NONE, def, "setting", meaning}
#define END {NULL, 0, NULL, NULL, NONE, NULL, NULL, NULL}

#define WHY_TEXT "text"
#define XS(v) #v
#define X(v) XS(v)

static const ns_ref_key header[] = {
    V("netsurv", "whole number", "", 1, 1, NULL, "the scenario format; this netsurv reads 1"),
    V("name", "text", "", 1, 0, NULL, "the scenario's name (1-127 characters, no control characters)"),
    V("description", "text", "", 1, 0, "none", "free text"),
    V("seed", "whole number", "", 1, 0, NULL,
      "random seed of the virtual patients (0 to 2^64-1; `--seed` overrides it)"),
    END};

static const ns_ref_key cohort[] = {
    M("cohort", NULL, "who has a rectal NET resected endoscopically (time 0)"),
    M("cohort.age", NULL, "age at resection: a normal distribution truncated to [min, max]; min < mean < max"),
    P("cohort.age.mean", "years", 0, 120, "mean of the untruncated normal"),
    P("cohort.age.sd", "years", 0.01, 60, "its standard deviation"),
    P("cohort.age.min", "years", 0, 120, "youngest"),
    P("cohort.age.max", "years", 0, 120, "oldest"),
    P("cohort.male_share", "share", 0, 1, "share of men"),
    M("cohort.size_mm", NULL, "tumour size: a piecewise-uniform distribution"),
    PL("cohort.size_mm.breakpoints", "list parameter, 2-" X(NS_MAX_KNOTS) " values", "mm", 0, INF,
       "size breakpoints, strictly increasing"),
    PL("cohort.size_mm.cumulative", "list parameter, as many values", "share", 0, 1,
       "cumulative share at each breakpoint: from 0 to 1, never decreasing"),
    PL("cohort.grade_shares", "list parameter, 3 values", "share", 0, 1,
       "shares of G1, G2, G3 (adding up to 1)"),
    PL("cohort.muscularis_propria_by_grade", "list parameter, 3 values", "probability", 0, 1,
       "P(invasion of the muscularis propria) by grade G1, G2, G3"),
    M("cohort.lvi", NULL, "lymphovascular invasion: true prevalence and how the lab sees it"),
    P("cohort.lvi.prevalence", "probability", 0, 1, "true LVI"),
    P("cohort.lvi.ihc_share", "share", 0, 1, "labs staining with CD31/D2-40/elastic (IHC)"),
    P("cohort.lvi.sensitivity_he", "probability", 0, 1, "true LVI reported on H&E"),
    P("cohort.lvi.sensitivity_ihc", "probability", 0, 1, "true LVI reported with IHC"),
    L("cohort.resection_methods", "list of 1-" X(NS_MAX_METHODS) " mappings", NULL,
      "resection methods; their shares add up to 1. Addressed by name: `--set cohort.resection_methods.esd.share=0.3`"),
    V("cohort.resection_methods.*.name", "name", "", 1, 0, NULL,
      "unique, 1-47 characters without '.', '/', spaces"),
    P("cohort.resection_methods.*.share", "share", 0, 1, "share of resections by this method"),
    P("cohort.resection_methods.*.incomplete", "probability", 0, 1, "P(R1 or Rx margin)"),
    P("cohort.rx_share_of_incomplete", "share", 0, 1, "share of incomplete resections reported Rx (the rest R1)"),
    END};

static const ns_ref_key metastasis[] = {
    M("metastasis", NULL,
      "occult metastasis: logit p = intercept + size_effect(size) + the log odds ratios of true grade, LVI, depth, margin"),
    P("metastasis.intercept", "logit", -30, 30, "intercept"),
    M("metastasis.size_effect", NULL, "the size term, piecewise linear between knots"),
    PL("metastasis.size_effect.knots_mm", "list parameter, 2-" X(NS_MAX_KNOTS) " values", "mm", 0, INF,
       "knots, strictly increasing"),
    PL("metastasis.size_effect.logit", "list parameter, as many values", "logit", -30, 30,
       "the term at each knot"),
    P("metastasis.log_or_g2", "log odds ratio", -10, 10, "G2 against G1"),
    P("metastasis.log_or_g3", "log odds ratio", -10, 10, "G3 against G1"),
    P("metastasis.log_or_lvi", "log odds ratio", -10, 10, "true LVI"),
    P("metastasis.log_or_muscularis_propria", "log odds ratio", -10, 10, "invasion of the muscularis propria"),
    P("metastasis.log_or_r1", "log odds ratio", -10, 10, "R1 margin against R0"),
    P("metastasis.log_or_rx", "log odds ratio", -10, 10, "Rx margin against R0"),
    P("metastasis.liver_share", "probability", 0, 1, "first detectable deposit in the liver (else nodes)"),
    PD("metastasis.dormant_nodal_ratio", "ratio", 0, 50, "0", "node metastases present at resection "
       "that never progress, per progressing nodal metastasis: seen only in specimens (series "
       "measured at resection); no effect on any run"),
    M("metastasis.deposits", NULL, "deposits besides the largest (Poisson): they change resectability only"),
    P("metastasis.deposits.extra_mean_nodal", "deposits", 0, 20, "mean number of other deposits, nodal disease"),
    P("metastasis.deposits.extra_mean_liver", "deposits", 0, 20, "the same, liver disease"),
    P("metastasis.deposits.resectable_factor_per_extra", "factor", 0, 1,
      "P(resectable) multiplied by this per other deposit"),
    END};

static const ns_ref_key residual[] = {
    M("residual", NULL, "local residual tumour at the scar"),
    PL("residual.probability_by_margin", "list parameter, 3 values", "probability", 0, 1,
       "P(residual tumour) for margins R0, R1, Rx"),
    G("residual.years_to_visible", NS_REF_MAP, "distribution", "years", NULL, "distribution",
      "years to a visible regrowth"),
    END};

static const ns_ref_key timing[] = {
    M("timing", NULL, "when a metastasis becomes detectable"),
    P("timing.reference_diameter_mm", "mm", 0.1, 100, "the diameter at which a deposit counts as detectable"),
    G("timing.years_to_detectable", NS_REF_MAP, "distribution", "years", NULL, "distribution",
      "years from resection to the reference diameter"),
    M("timing.synchronous", NULL, "metastases already past the reference diameter at resection"),
    PL("timing.synchronous.size_mm", "list parameter, 2-" X(NS_MAX_KNOTS) " values", "mm", 0, INF,
       "tumour-size knots, strictly increasing"),
    PL("timing.synchronous.share", "list parameter, as many values", "probability", 0, 1,
       "P(synchronous | metastasis) at each knot"),
    PD("timing.synchronous.odds_ratio", "odds ratio", 0.01, 100, "1", "the odds of "
       "synchronous disease multiplied by this at every size (a calibration handle on the "
       "share curve; 1: the curve as given)"),
    G("timing.synchronous.diameter_mm", NS_REF_MAP, "distribution", "mm", NULL, "distribution",
      "largest deposit's diameter at resection, if synchronous"),
    END};

static const ns_ref_key growth[] = {
    M("growth", NULL, "growth of the deposits"),
    G("growth.volume_doubling_months", NS_REF_MAP, "distribution", "months", NULL, "distribution",
      "volume doubling time (the diameter doubles in 3 times this)"),
    PL("growth.doubling_factor_by_grade", "list parameter, 3 values", "factor", 0.01, 100,
       "doubling time multiplied by this, for G1, G2, G3"),
    END};

static const ns_ref_key symptoms[] = {
    M("symptoms", NULL, "presentation without surveillance, and the untreated death"),
    G("symptoms.diameter_mm", NS_REF_MAP, "distribution", "mm", NULL, "distribution",
      "largest-deposit diameter that causes symptoms"),
    P("symptoms.incidental_imaging_per_year", "per person-year", 0, 10,
      "imaging for other reasons that would find a detectable deposit"),
    G("symptoms.lethal_to_symptom_diameter_ratio", NS_REF_MAP, "distribution", "ratio", NULL,
      "distribution", "lethal diameter / symptom diameter (at least 1 once drawn)"),
    END};

static const ns_ref_key death[] = {
    M("other_cause_death", NULL, "death from other causes"),
    V("other_cause_death.model", "one of: life_table, gompertz", "", 1, 0, NULL,
      "life_table: the hazard of `life_table` constant between its ages; gompertz: a*exp(b*age) "
      "per sex. The section the model names is required; the other may be given and is checked"),
    M("other_cause_death.life_table", "required with model: life_table", "a period life table"),
    PL("other_cause_death.life_table.ages", "list parameter, 2-" X(NS_MAX_LIFE) " values", "years", 0, 130,
       "ages, strictly increasing"),
    PL("other_cause_death.life_table.qx_female", "list parameter, as many values", "probability", 0, 1,
       "annual death probability of women at each age"),
    PL("other_cause_death.life_table.qx_male", "list parameter, as many values", "probability", 0, 1,
       "the same, men"),
    PD("other_cause_death.life_table.hazard_ratio", "hazard ratio", 0.01, 100, "1",
       "the table's hazard multiplied by this at every age"),
    M("other_cause_death.gompertz", "required with model: gompertz", "hazard a*exp(b*age) per sex"),
    M("other_cause_death.gompertz.*", NULL, "`female` and `male`, both required"),
    P("other_cause_death.gompertz.*.a", "per year", 1e-12, 1, "a"),
    P("other_cause_death.gompertz.*.b", "per year of age", 1e-6, 1, "b"),
    END};

static const ns_ref_key targets[] = {
    L("targets", "list of at most " X(NS_MAX_TARGETS) " mappings", "none",
      "published figures the cohort must reproduce (`netsurv cohort` marks a miss with *)"),
    V("targets.*.name", "text", "", 1, 0, NULL, "its name"),
    V("targets.*.statistic", "one of: metastasis_rate, share, detectable_after_5y, detectable_after_10y, "
      "rate_ratio, detectable_within_5y_rate, synchronous_rate", "", 1, 0, NULL, "what is compared"),
    V("targets.*.group", "group label", "", 1, 0, NULL,
      "all, size<10, size10-19.9, size>=20, G1, G2, G3, LVI+, LVI-, R0, R1, Rx"),
    V("targets.*.reference", "group label", "", 1, 0, "required for rate_ratio; else unused",
      "the denominator group of a rate_ratio"),
    V("targets.*.source", "text", "", 1, 0, NULL, "where the figure comes from"),
    V("targets.*.range", "[low, high]", "", 1, 0, "none", "accepted values, both ends inclusive"),
    V("targets.*.min", "number", "", 1, 0, "no lower bound", "lowest accepted value (inclusive); "
      "give range, min or max"),
    V("targets.*.max", "number", "", 1, 0, "no upper bound", "highest accepted value (inclusive)"),
    END};

static const ns_ref_key follow_up[] = {
    M("follow_up", NULL, "adherence, resectability, treatment at detection, costs, discounting"),
    M("follow_up.adherence", NULL, "P(attending a visit), piecewise linear in years after resection"),
    PL("follow_up.adherence.years", "list parameter, 2-" X(NS_MAX_KNOTS) " values", "years", 0, INF, "knots"),
    PL("follow_up.adherence.probability", "list parameter, as many values", "probability", 0, 1, "at each knot"),
    M("follow_up.resectable", NULL, "P(resectable) by the largest deposit's diameter, per site"),
    M("follow_up.resectable.*", NULL, "`nodal` and `liver`, both required"),
    PL("follow_up.resectable.*.diameter_mm", "list parameter, 2-" X(NS_MAX_KNOTS) " values", "mm", 0, INF, "knots"),
    PL("follow_up.resectable.*.probability", "list parameter, as many values", "probability", 0, 1, "at each knot"),
    M("follow_up.treatment_effect", NULL, "what treatment at detection does to the disease"),
    M("follow_up.treatment_effect.cure_after_resection", NULL,
      "P(cure | complete resection) by diameter, per site"),
    M("follow_up.treatment_effect.cure_after_resection.*", NULL, "`nodal` and `liver`, both required"),
    PL("follow_up.treatment_effect.cure_after_resection.*.diameter_mm",
       "list parameter, 2-" X(NS_MAX_KNOTS) " values", "mm", 0, INF, "knots"),
    PL("follow_up.treatment_effect.cure_after_resection.*.probability",
       "list parameter, as many values", "probability", 0, 1, "at each knot"),
    P("follow_up.treatment_effect.residual_volume_fraction", "share", 1e-9, 1,
      "volume a resection that does not cure leaves behind"),
    P("follow_up.treatment_effect.somatostatin_hazard_ratio", "hazard ratio", 0.01, 1,
      "progression on a somatostatin analogue"),
    P("follow_up.treatment_effect.second_line_survival_hazard_ratio", "hazard ratio", 0.01, 2,
      "second-line therapy after progression, on top of the analogue"),
    P("follow_up.treatment_effect.progression_diameter_increase", "factor", 0.01, 10,
      "progression: the largest deposit this much wider (RECIST 0.2)"),
    P("follow_up.treatment_effect.surgery_mortality", "probability", 0, 1, "operative death of metastasis surgery"),
    M("follow_up.costs", NULL, "costs of treatment after detection"),
    P("follow_up.costs.metastasis_resection", "USD", 0, INF, "resection of a metastasis"),
    P("follow_up.costs.systemic_therapy_per_year", "USD per year", 0, INF, "somatostatin analogues while alive"),
    P("follow_up.costs.second_line", "USD", 0, INF, "PRRT or everolimus, once"),
    P("follow_up.costs.second_line_share", "share", 0, 1, "share of unresectable disease given it"),
    P("follow_up.costs.local_reresection", "USD", 0, INF, "re-resection of a local recurrence"),
    M("follow_up.discount", NULL, "annual discount rates"),
    P("follow_up.discount.costs", "per year", 0, 0.5, "costs"),
    P("follow_up.discount.effects", "per year", 0, 0.5, "life-years and QALYs"),
    END};

static const ns_ref_key utilities[] = {
    M("utilities", NULL, "quality of life by state, and one-off losses"),
    P("utilities.well", "utility", -1, 1, "without metastatic disease, or after a cure"),
    P("utilities.undiagnosed_metastatic", "utility", -1, 1, "with a metastasis not yet found"),
    P("utilities.after_metastasis_resection", "utility", -1, 1, "after resection of a metastasis"),
    P("utilities.metastatic", "utility", -1, 1, "known unresectable disease"),
    P("utilities.metastasis_surgery_qaly_loss", "QALY", 0, 1, "once, per metastasis operation"),
    P("utilities.recovery_years_after_cure", "years", 0, 100, "at the after-resection utility before well again"),
    P("utilities.false_positive_qaly_loss", "QALY", 0, 1, "per false-positive work-up"),
    P("utilities.test_disutility_qaly", "QALY", 0, 1, "per surveillance test"),
    END};

static const ns_ref_key economics[] = {
    M("economics", NULL, "willingness to pay, and the money every cost is in"),
    P("economics.wtp", "currency per QALY", 0, 1e9, "for the net monetary benefit"),
    P("economics.wtp_grid_max", "currency per QALY", 1, 1e9, "the grid of NMB, CEAC and EVPI: 0 to this"),
    P("economics.wtp_grid_step", "currency per QALY", 1, 1e9, "its step (at most 1000 points)"),
    S("economics.currency", "documented ISO 4217 code", "", "USD",
      "the currency of every cost and of the WTP: three upper-case letters (USD, EUR, GBP); "
      "written to /economics and shown wherever a cost is"),
    {"economics.price_year", NS_REF_VALUE, "documented whole number", "year", 1900, 2100, "2026",
     "setting", "the year the costs are priced in; costs from other years are the scenario's to "
     "convert (say so in its source or assumption)"},
    M("economics.population", "none (EVPI and EVPPI per patient only)",
      "who the decision concerns: the population EVPI and EVPPI are the per-patient values times "
      "incidence x the sum of (1 + r)^-t over the horizon's years, r = follow_up.discount.costs"),
    P("economics.population.incidence", "patients a year", 0, 1e9, "patients a year who face the decision"),
    P("economics.population.horizon_years", "years", 0, 200, "years over which they do"),
    END};

static const ns_ref_key modalities[] = {
    L("modalities", "list of 1-" X(NS_MAX_MODALITIES) " mappings", NULL,
      "the tests a visit can use, by name (`modalities.mri.cost`)"),
    V("modalities.*.name", "name", "", 1, 0, NULL, "unique, 1-47 characters without '.', '/', spaces"),
    P("modalities.*.cost", "USD", 0, INF, "per test"),
    P("modalities.*.workup_cost", "USD", 0, INF, "per positive result"),
    P("modalities.*.specificity", "probability", 0, 1, "specificity"),
    P("modalities.*.radiation_msv", "mSv", 0, 1000, "dose per test"),
    M("modalities.*.sensitivity", NULL, "sensitivity curves by lesion diameter for the sites it sees: "
      "at least one of `local`, `nodal`, `liver`"),
    M("modalities.*.sensitivity.*", "the site is not seen", "`local`, `nodal` or `liver`"),
    PL("modalities.*.sensitivity.*.diameter_mm", "list parameter, 2-" X(NS_MAX_KNOTS) " values", "mm", 0, INF, "knots"),
    PL("modalities.*.sensitivity.*.sensitivity", "list parameter, as many values", "probability", 0, 1,
       "at each knot"),
    END};

static const ns_ref_key treatments[] = {
    L("treatments", "list of at most " X(NS_MAX_TREATMENTS) " mappings", "none",
      "treatments a rule can give at time 0, by name"),
    V("treatments.*.name", "name", "", 1, 0, NULL, "unique, 1-47 characters without '.', '/', spaces"),
    P("treatments.*.cost", "USD", 0, INF, "once"),
    P("treatments.*.operative_mortality", "probability", 0, 1, "death at time 0"),
    P("treatments.*.clears_residual", "probability", 0, 1, "removes local residual tumour"),
    P("treatments.*.clears_nodal", "probability", 0, 1, "removes a nodal metastasis"),
    P("treatments.*.qaly_loss", "QALY", 0, 10, "lost to the treatment itself"),
    P("treatments.*.utility_loss_per_year", "utility", 0, 1, "lost for the rest of life"),
    END};

static const ns_ref_key strategies[] = {
    L("strategies", "list of 1-" X(NS_MAX_STRATEGIES) " mappings", NULL, "the strategies compared, by name"),
    V("strategies.*.name", "name", "", 1, 0, NULL,
      "unique, 1-47 characters without '.', '/', spaces; not the name of a per-patient dataset (age, sex, ...)"),
    V("strategies.*.source", "text", "", 1, 0, NULL, "where it comes from"),
    V("strategies.*.description", "text", "", 1, 0, "none", "free text"),
    V("strategies.*.assumptions", "text or list of texts", "", 1, 0, "none", "the details the source leaves open"),
    L("strategies.*.rules", "list of 1-" X(NS_MAX_RULES) " mappings", NULL,
      "risk groups by reported attributes: every patient matches exactly one rule (checked cell by cell)"),
    V("strategies.*.rules.*.name", "name", "", 1, 0, NULL, "unique within the strategy"),
    V("strategies.*.rules.*.source", "text", "", 1, 0, "give source or assumption", "where it comes from"),
    V("strategies.*.rules.*.assumption", "text", "", 1, 0, "give source or assumption", "what is assumed"),
    G("strategies.*.rules.*.when", NS_REF_MAP, "when", "", "everyone", "when",
      "the risk group (see the grammar `when`); not with otherwise"),
    V("strategies.*.rules.*.otherwise", "true", "", 1, 0, "false",
      "the patients no other rule matches; at most one rule, without when:"),
    V("strategies.*.rules.*.treatment", "treatment name or none", "", 1, 0, "none",
      "a treatment of `treatments` at time 0"),
    G("strategies.*.rules.*.schedule", NS_REF_LIST, "list of visit items (may be empty)", "", NULL,
      "visit", "the visits (see the grammar `visit`)"),
    END};

static const ns_ref_key groups[] = {
    L("groups", "list of 1-" X(NS_MAX_GROUPS) " mappings", "no groups",
      "the risk groups every result is also reported by (/summary_by_group, /economics_by_group) and "
      "the best strategy is chosen for (/composite): every reported patient in exactly one group "
      "(checked cell by cell, like a strategy's rules)"),
    V("groups.*.name", "name", "", 1, 0, NULL, "unique, 1-47 characters without '.', '/', spaces"),
    G("groups.*.when", NS_REF_MAP, "when", "", NULL, "when",
      "the group's reported attributes (see the grammar `when`); give when: or otherwise:"),
    V("groups.*.otherwise", "true", "", 1, 0, "false",
      "the patients no other group holds; at most one group, without when:"),
    V("groups.*.description", "text", "", 1, 0, "the when: in words", "the group in words, for tables and the report"),
    V("groups.*.why", "text", "", 1, 0, "none", "why cells were merged into the group (kept in the file, not used)"),
    END};

static const ns_ref_key studies[] = {
    L("studies", "list of 1-" X(NS_MAX_STUDIES) " mappings", "no studies",
      "proposed follow-up studies whose expected value of sample information (EVSI) `netsurv run "
      "--psa K --voi` estimates (/voi/evsi/STUDY): N patients of the cohort followed with the "
      "protocol for T years, observing the local, nodal and distant recurrences found and those "
      "found late (after late_after_years)"),
    V("studies.*.name", "name", "", 1, 0, NULL, "unique, 1-47 characters without '.', '/', spaces"),
    V("studies.*.source", "text", "", 1, 0, "give source or assumption", "where the design comes from"),
    V("studies.*.assumption", "text", "", 1, 0, "give source or assumption", "what is assumed"),
    V("studies.*.description", "text", "", 1, 0, "none", "the study in words (kept in the file, not used)"),
    M("studies.*.cohort", NULL, "who is in it: `when` and source or assumption"),
    G("studies.*.cohort.when", NS_REF_MAP, "when", "", "everyone", "when", "the rules' grammar, over reported attributes"),
    V("studies.*.cohort.source", "text", "", 1, 0, "give source or assumption", "why"),
    V("studies.*.cohort.assumption", "text", "", 1, 0, "give source or assumption", "why"),
    M("studies.*.protocol", NULL, "the study's visits: a one-rule strategy over the scenario's modalities: source or assumption, schedule"),
    V("studies.*.protocol.source", "text", "", 1, 0, "give source or assumption", "why"),
    V("studies.*.protocol.assumption", "text", "", 1, 0, "give source or assumption", "why"),
    G("studies.*.protocol.schedule", NS_REF_LIST, "list of visit items", "", NULL, "visit",
      "the visits (see the grammar `visit`)"),
    V("studies.*.follow_up_years", "list of 1-" X(NS_STUDY_MAX_T) " ascending numbers", "years", 0.25,
      NS_HORIZON_YEARS, NULL, "follow-up T of every patient (no drop-out), one design per value"),
    V("studies.*.sample_sizes", "list of 1-" X(NS_STUDY_MAX_N) " ascending whole numbers", "patients",
      0, 1e6, NULL, "patients N, one design per value; 0 observes nothing (EVSI 0)"),
    M("studies.*.cost", NULL, "the study's cost: fixed + per_patient_year x N x T (0 when N is 0)"),
    F("studies.*.cost.fixed", "currency", 0, 1e12, NULL, "set-up and analysis"),
    F("studies.*.cost.per_patient_year", "currency per patient-year", 0, 1e9, NULL,
      "following one patient one year"),
    F("studies.*.late_after_years", "years", 0.25, NS_HORIZON_YEARS, "5",
      "the data's timing: the recurrences found after this many years (and within T) are a "
      "statistic of their own beside the counts by site"),
    END};

#define OPT_AXIS(name, type, meaning) \
    M("optimize." name, NULL, meaning), \
    L("optimize." name ".choices", type, NULL, "the choices"), \
    V("optimize." name ".source", "text", "", 1, 0, "give source or assumption", "where they come from"), \
    V("optimize." name ".assumption", "text", "", 1, 0, "give source or assumption", "what is assumed")
static const ns_ref_key optimize[] = {
    M("optimize", "no search space (netsurv optimize needs one, or --space FILE)",
      "the search space of netsurv optimize: every combination of the choices is a candidate "
      "schedule for every risk group, de-duplicated by its visit list, plus no follow-up and each "
      "treatment alone; each axis at most " X(NS_OPT_MAX_CHOICES) " choices"),
    OPT_AXIS("tests", "list of lists of modality names", "the tests at every visit of a candidate"),
    OPT_AXIS("first_visit_years", "list of years in [0, 60]", "the first visit"),
    OPT_AXIS("interval_years", "list of years in [0.25, 60]", "the interval between visits"),
    OPT_AXIS("change_after_years", "list of years in [0.25, 60] or never",
             "the year after which the interval changes to later_interval_years"),
    OPT_AXIS("later_interval_years", "list of years in [0.25, 60]", "the interval after the change"),
    OPT_AXIS("horizon_years", "list of years in [0, 60] or lifelong", "the last visit"),
    OPT_AXIS("treatment", "list of treatment names or none", "an additional treatment at time 0"),
    M("optimize.screening", "z 3, min_patients 2000",
      "successive-halving screening on subsamples before the full evaluation"),
    F("optimize.screening.z", "standard errors", 0, 100, "3",
      "a candidate is dropped only when this many standard errors of paired differences below the "
      "best at every WTP of the grid (and off the cost-QALY frontier)"),
    F("optimize.screening.min_patients", "patients", 100, 1e12, "2000",
      "a screening subsample holds at least this many of a group's patients"),
    END};

static const ns_ref_key sweep[] = {
    M("sweep", "no sweep", "points over scalars of the scenario, each a full run on the same patients "
      "(in the scenario or in a file of its own, `--sweep FILE`); grid and/or zip; at most "
      X(NS_MAX_POINTS) " points"),
    G("sweep.grid", NS_REF_LIST, "list of axes", "", "none", "axis", "every combination of the axes"),
    G("sweep.zip", NS_REF_LIST, "list of axes", "", "none", "axis",
      "axes that vary together (the same number of values): one more axis of the grid"),
    END};

/* ---- the calibration series file (netsurv calibrate --series) ---- */
static const ns_ref_key series_header[] = {
    V("netsurv_calibration", "any", "", 1, 0, "none", "the format's name (1)"),
    V("description", "text", "", 1, 0, "none", "free text"),
    M("calibrate", NULL, "what is calibrated, and IMIS's settings"),
    L("calibrate.parameters", "list of 1-" X(NS_MAX_CALIB_PARAMS) " parameter paths", NULL,
      "registered single-value parameters of the scenario with a psa: distribution (the prior); not cohort.*"),
    V("calibrate.virtual_patients", "whole number", "patients", 100, 1e8, "20000", "per series"),
    M("calibrate.imis", "the defaults below", "IMIS settings"),
    V("calibrate.imis.initial", "whole number", "points", 10, 1e6, "1000", "points drawn from the prior"),
    V("calibrate.imis.per_iteration", "whole number", "points", 2, 1e5, "100", "points per iteration"),
    V("calibrate.imis.iterations", "whole number", "", 0, 1000, "30", "at most this many iterations"),
    V("calibrate.imis.target_ess", "whole number", "", 1, 1e7, "500", "stop at this effective sample size"),
    END};

static const ns_ref_key series[] = {
    L("series", "list of 1-" X(NS_MAX_SERIES) " mappings", NULL, "published follow-up series, and specimens at resection"),
    V("series.*.name", "text", "", 1, 0, NULL, "unique"),
    V("series.*.source", "text", "", 1, 0, "give source or assumption", "the publication"),
    V("series.*.assumption", "text", "", 1, 0, "give source or assumption", "what is assumed"),
    F("series.*.patients", "patients", 1, 1e8, NULL, "patients in the series (whole)"),
    V("series.*.measure", "follow_up, at_resection or at_staging", "", 1, 0, "follow_up",
      "events found within the follow-up, disease present at resection (what the specimen "
      "of a surgery at time 0 shows; no follow_up, no event times), or the metastases the "
      "series' staging tests find at time 0 (staging: instead of follow_up; no event times, "
      "no local events)"),
    M("series.*.cohort", NULL, "who is in it: `when` and source or assumption"),
    G("series.*.cohort.when", NS_REF_MAP, "when", "", "everyone", "when", "the rules' grammar, over reported attributes"),
    V("series.*.cohort.source", "text", "", 1, 0, "give source or assumption", "why"),
    V("series.*.cohort.assumption", "text", "", 1, 0, "give source or assumption", "why"),
    M("series.*.follow_up", NULL, "follow-up times and protocol"),
    F("series.*.follow_up.median_months", "months", 0.1, 1e6, NULL, "median follow-up (at most the 60-year horizon)"),
    F("series.*.follow_up.spread", "", 0, 3, "0", "lognormal sigma of follow-up times"),
    F("series.*.follow_up.max_months", "months", 0.1, 1e6, "720 (the horizon)", "the longest follow-up"),
    F("series.*.follow_up.time_window_months", "months", 0.1, 120, "6",
      "half-width of the window about each reported event time"),
    M("series.*.follow_up.protocol", NULL, "a one-rule strategy over the scenario's modalities: source or assumption, schedule"),
    V("series.*.follow_up.protocol.source", "text", "", 1, 0, "give source or assumption", "why"),
    V("series.*.follow_up.protocol.assumption", "text", "", 1, 0, "give source or assumption", "why"),
    G("series.*.follow_up.protocol.schedule", NS_REF_LIST, "list of visit items", "", NULL, "visit",
      "the rules' schedule grammar"),
    V("series.*.follow_up.protocol.treatment", "name under treatments:, or none", "", 1, 0, "none",
      "a treatment every patient of the series had at time 0"),
    M("series.*.staging", NULL, "measure: at_staging only: one visit at time 0 with these tests, "
      "no treatment, played as any visit"),
    L("series.*.staging.tests", "list of modality names", NULL,
      "the staging tests: names under modalities: (at least one)"),
    F("series.*.staging.staged", "share", 0, 1, "1", "the share of patients staged (attending the "
      "time-0 visit)"),
    V("series.*.staging.source", "text", "", 1, 0, "give source or assumption", "why"),
    V("series.*.staging.assumption", "text", "", 1, 0, "give source or assumption", "why"),
    M("series.*.entry_staging", NULL, "measure: follow_up only: the staging before a patient "
      "entered the series, one visit at time 0 with these tests; a patient whose metastasis it "
      "finds is not in the series (nor in its denominator)"),
    L("series.*.entry_staging.tests", "list of modality names", NULL,
      "the staging tests: names under modalities: (at least one)"),
    F("series.*.entry_staging.staged", "share", 0, 1, "1", "the share of the series' patients "
      "staged before entry"),
    V("series.*.entry_staging.source", "text", "", 1, 0, "give source or assumption", "why"),
    V("series.*.entry_staging.assumption", "text", "", 1, 0, "give source or assumption", "why"),
    M("series.*.survival", "none", "measure: at_staging only: cancer-specific survival at `months` "
      "by what the staging found (death of the metastasis the event, other deaths censored); "
      "source or assumption"),
    V("series.*.survival.months", "number", "months", 1, 720, NULL, "when the survival is read"),
    F("series.*.survival.found", "share", 0, 1, "not scored", "the published survival of the "
      "patients whose metastasis staging found: value, patients, source or assumption"),
    V("series.*.survival.found.patients", "number", "patients", 1, 1e8, NULL,
      "the group's effective sample size (the published share is scored as a binomial "
      "proportion of it; need not be whole)"),
    F("series.*.survival.not_found", "share", 0, 1, "not scored", "the same for the patients in "
      "whom staging found none (found and not_found patients at most the series')"),
    V("series.*.survival.not_found.patients", "number", "patients", 1, 1e8, NULL,
      "the group's effective sample size"),
    V("series.*.survival.source", "text", "", 1, 0, "give source or assumption", "why"),
    V("series.*.survival.assumption", "text", "", 1, 0, "give source or assumption", "why"),
    M("series.*.events", "required, unless a survival: is given", "at least one of local, nodal, "
      "distant, metastasis (nodal or distant; not with them)"),
    F("series.*.events.*", "events", 0, 1e9, "not scored", "`local`, `nodal`, `distant` or `metastasis`: "
      "events observed (whole, at most the patients)"),
    V("series.*.events.*.times_months", "list of numbers", "months", 0, 1e6, "none",
      "when each event was found: one time per event (at most " X(NS_MAX_EVENT_TIMES) "), none past "
      "the longest follow-up, distinct times at least two windows apart"),
    END};

/* ---- grammars shared by several keys ---- */
static const ns_ref_key g_parameter[] = {
    V("value", "number (a list parameter: list of numbers)", "the key's", 1, 0, NULL,
      "the value, within the key's range"),
    V("source", WHY_TEXT, "", 1, 0, "give source or assumption", "where the value comes from"),
    V("assumption", WHY_TEXT, "", 1, 0, "give source or assumption", "why it was chosen without one"),
    V("note", "text", "", 1, 0, "none", "free text"),
    G("psa", NS_REF_MAP, "mapping", "", "not drawn", "psa", "a distribution for `run --psa K` (and a prior for calibrate)"),
    V("range", "[low, high]", "the key's", 1, 0, "not in --owsa",
      "`run --owsa` runs it at low and at high; within the key's range; single values only"),
    END};

static const ns_ref_key g_psa[] = {
    V("distribution", "one of: fixed, beta, gamma, lognormal, normal, uniform, dirichlet", "", 1, 0, NULL,
      "dirichlet for list parameters (shares) only, and only it; draws are clamped to the key's range"),
    V("mean", "number", "the key's", 1, 0, "the value", "beta, gamma, lognormal, normal"),
    V("sd", "number > 0", "the key's", 1, 0, NULL, "beta (sd^2 < mean (1 - mean)), gamma, lognormal, normal"),
    V("low", "number", "the key's", 1, 0, NULL, "uniform: low < high within the key's range"),
    V("high", "number", "the key's", 1, 0, NULL, "uniform"),
    V("concentration", "number > 0", "", 1, 0, NULL, "dirichlet: alpha_i = value_i x concentration"),
    END};

static const ns_ref_key g_distribution[] = {
    V("distribution", "one of: lognormal, weibull, uniform", "", 1, 0, NULL, "the family; its keys below"),
    P("median", "the key's", 1e-9, INF, "lognormal: median"),
    P("sigma", "", 1e-9, 10, "lognormal: sigma of the log"),
    P("shape", "", 1e-3, 100, "weibull: shape"),
    P("scale", "the key's", 1e-9, INF, "weibull: scale"),
    P("min", "the key's", 0, INF, "uniform: lower end (min < max)"),
    P("max", "the key's", 0, INF, "uniform: upper end"),
    END};

static const ns_ref_key g_when[] = {
    M("size_mm", "any size", "reported size: give min and/or max"),
    V("size_mm.min", "number", "mm", 0, 1000, "0", "INCLUSIVE: size >= min"),
    V("size_mm.max", "number", "mm", 0, 1000, "no upper bound",
      "EXCLUSIVE: size < max. `max: 20` with `min: 20` on the next group leaves no gap; "
      "`max: 19.9` leaves 19.9-20 mm out (the validator warns)"),
    V("grade", "list of: G1, G2, G3", "", 1, 0, "all", "reported grade"),
    V("margin", "list of: R0, R1, Rx", "", 1, 0, "all", "reported margin"),
    V("lvi", "list of: no, yes", "", 1, 0, "all", "reported LVI"),
    V("depth", "list of: submucosa, muscularis", "", 1, 0, "all", "reported depth"),
    END};

static const ns_ref_key g_visit[] = {
    V("tests", "list of modality names", "", 1, 0, NULL, "at least one, each a name of `modalities`"),
    V("at", "list of numbers", "years", 0, NS_HORIZON_YEARS, "use every", "explicit visit times; not with every/from/to/lifelong"),
    V("every", "number", "years", 1, 0, "use at", "the interval: above 0, at most 60"),
    V("from", "number", "years", 0, INF, "every", "the first visit"),
    V("to", "number >= from", "years", 1, 0, "required unless lifelong", "the last visit (inclusive)"),
    V("lifelong", "true or false", "", 1, 0, "false", "every `every` years to the 60-year horizon or death; not with to"),
    V("source", "text", "", 1, 0, "none", "where it comes from"),
    V("assumption", "text", "", 1, 0, "none", "what is assumed"),
    END};

static const ns_ref_key g_axis[] = {
    V("path", "dotted path", "", 1, 0, NULL,
      "a single value of the scenario, as --set names it (strategies.x.rules.y.schedule.1.every, "
      "modalities.mri.cost); not seed, not twice"),
    V("values", "list of 1-" X(NS_MAX_AXIS_VALUES) " numbers", "", 1, 0, "give values or range", "the values"),
    M("range", "give values or range", "from, to, step: from <= to, step > 0, at most 1000 values"),
    V("range.from", "number", "", 1, 0, NULL, "first value"),
    V("range.to", "number", "", 1, 0, NULL, "last value (inclusive, when on the step)"),
    V("range.step", "number > 0", "", 1, 0, NULL, "step"),
    END};

static const ns_ref_key g_number[] = {
    V("value", "number", "the key's", 1, 0, NULL, "the value"),
    V("source", "text", "", 1, 0, "give source or assumption", "where it comes from"),
    V("assumption", "text", "", 1, 0, "give source or assumption", "why"),
    V("note", "text", "", 1, 0, "none", "free text"),
    END};

static const ns_ref_key g_setting[] = {
    V("value", "the key's type", "", 1, 0, NULL, "the value"),
    V("source", "text", "", 1, 0, "give source or assumption", "where it comes from"),
    V("assumption", "text", "", 1, 0, "give source or assumption", "why"),
    V("note", "text", "", 1, 0, "none", "free text"),
    END};

#define SC NS_REF_SCENARIO
const ns_ref_section ns_ref_sections[] = {
    {"header", SC, "Header", "The top of the file.", header},
    {"cohort", SC, "cohort", "", cohort},
    {"metastasis", SC, "metastasis", "", metastasis},
    {"residual", SC, "residual", "", residual},
    {"timing", SC, "timing", "", timing},
    {"growth", SC, "growth", "", growth},
    {"symptoms", SC, "symptoms", "", symptoms},
    {"other_cause_death", SC, "other_cause_death", "", death},
    {"targets", SC, "targets", "", targets},
    {"follow_up", SC, "follow_up", "", follow_up},
    {"utilities", SC, "utilities", "", utilities},
    {"economics", SC, "economics", "", economics},
    {"modalities", SC, "modalities", "", modalities},
    {"treatments", SC, "treatments", "", treatments},
    {"strategies", SC, "strategies", "", strategies},
    {"groups", SC, "groups", "", groups},
    {"optimize", SC, "optimize", "In the scenario, or alone in a file given with `netsurv optimize --space FILE`.", optimize},
    {"studies", SC, "studies", "Proposed follow-up studies, for EVSI (`netsurv run --psa K --voi`).", studies},
    {"sweep", SC | NS_REF_SWEEP, "sweep",
     "In the scenario, or alone in a sweep file (`--sweep FILE`, which holds only `sweep:`).", sweep},
    {"calibrate", NS_REF_SERIES, "Series file: calibrate",
     "The calibration series file (`netsurv calibrate --series FILE`, default "
     "scenarios/calibration/series.yaml).", series_header},
    {"series", NS_REF_SERIES, "Series file: series", "", series},
    {"parameter", NS_REF_GRAMMAR, "Grammar: parameter",
     "Every key of type parameter or list parameter is a mapping of these keys.", g_parameter},
    {"psa", NS_REF_GRAMMAR, "Grammar: psa", "A parameter's `psa:` mapping.", g_psa},
    {"distribution", NS_REF_GRAMMAR, "Grammar: distribution",
     "A positive, long-tailed distribution; the key's unit is that of its median, scale, min, max.",
     g_distribution},
    {"when", NS_REF_GRAMMAR, "Grammar: when",
     "A risk group by reported attributes; absent keys match every value. Size bounds: min is "
     "inclusive, max is exclusive.", g_when},
    {"visit", NS_REF_GRAMMAR, "Grammar: visit",
     "One item of a schedule: `at: [times]`, or `every:` with `from:` and `to:` or `lifelong: true`; "
     "visits at equal times merge.", g_visit},
    {"axis", NS_REF_GRAMMAR, "Grammar: axis", "One axis of a sweep.", g_axis},
    {"number", NS_REF_GRAMMAR, "Grammar: documented number",
     "A number of the series file: a mapping of these keys.", g_number},
    {"setting", NS_REF_GRAMMAR, "Grammar: documented setting",
     "A setting of the scenario that is not a parameter (no --set, no PSA): a mapping of these keys.",
     g_setting},
    {NULL, 0, NULL, NULL, NULL},
};

static const ns_ref_key *grammar_keys(const char *name)
{
    for (const ns_ref_section *s = ns_ref_sections; s->name; s++)
        if (s->files & NS_REF_GRAMMAR && !strcmp(s->name, name))
            return s->keys;
    return NULL;
}

/* Whether the segments of pattern match the first segments of path ("*"
 * any one segment): the length of path matched, or -1. */
static int match_prefix(const char *pat, const char *path)
{
    const char *p = pat, *q = path;
    while (*p) {
        size_t lp = strcspn(p, "."), lq = strcspn(q, ".");
        if (!lq || (!(lp == 1 && *p == '*') && (lp != lq || strncmp(p, q, lp))))
            return -1;
        p += lp, q += lq;
        if (*p == '.') {
            if (*q != '.')
                return -1;
            p++, q++;
        }
    }
    return (int)(q - path);
}

static const ns_ref_key *find_in(const ns_ref_key *keys, const char *path, int depth)
{
    for (const ns_ref_key *k = keys; k && k->key && depth < 8; k++) {
        int n = match_prefix(k->key, path);
        if (n < 0)
            continue;
        if (!path[n])
            return k;
        if (path[n] != '.')
            continue;
        const char *rest = path + n + 1;
        if (k->kind == NS_REF_PARAMS && strspn(rest, "0123456789") == strlen(rest))
            return k; /* a list parameter's item, as the registry names it */
        if (k->kind == NS_REF_LIST && k->grammar) { /* the grammar of each entry */
            rest += strcspn(rest, ".");
            if (*rest++ != '.')
                continue;
        }
        const ns_ref_key *g = k->grammar ? find_in(grammar_keys(k->grammar), rest, depth + 1)
                                         : NULL;
        if (g)
            return g;
    }
    return NULL;
}

const ns_ref_key *ns_reference_find(unsigned file, const char *path)
{
    for (const ns_ref_section *s = ns_ref_sections; s->name; s++) {
        if (!(s->files & file))
            continue;
        const ns_ref_key *k = find_in(s->keys, path, 0);
        if (k)
            return k;
    }
    return NULL;
}

int ns_reference_same_range(const ns_ref_key *k, double lo, double hi)
{
    return k && (k->kind == NS_REF_PARAM || k->kind == NS_REF_PARAMS) && k->lo == lo &&
           k->hi == hi;
}
