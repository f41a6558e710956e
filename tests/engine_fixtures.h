/* Helpers of tests/test_engine.c and tests/test_strategy_rules.c: scenarios from text, the closed-form scenario, running the engine. */
#ifndef ENGINE_FIXTURES_H
#define ENGINE_FIXTURES_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsurv/engine/engine.h"
#include "netsurv/model/history.h"
#include "netsurv/scenario/scenario.h"
#include "netsurv/model/strategy.h"


#define MEM "mem.yaml" /* file name of scenarios loaded from strings */
#define SEED 4242u
#define N_PLAY 100000u

/* Copy of text with `len` bytes at offset `at` replaced by `to`. */
static inline char *splice(const char *text, size_t at, size_t len, const char *to)
{
    size_t tl = strlen(to), rest = strlen(text + at + len);
    char *out = malloc(at + tl + rest + 1);
    assert_non_null(out);
    memcpy(out, text, at);
    memcpy(out + at, to, tl);
    memcpy(out + at + tl, text + at + len, rest + 1);
    return out;
}

/* text + "\n" (if missing) + what: a new last entry of the last section. */
static inline char *append(const char *text, const char *what)
{
    size_t tl = strlen(text);
    int nl = tl > 0 && text[tl - 1] != '\n';
    char *out = malloc(tl + 1 + strlen(what) + 1);
    assert_non_null(out);
    sprintf(out, "%s%s%s", text, nl ? "\n" : "", what);
    return out;
}

static inline ns_scenario *load_text(const char *text)
{
    ns_scenario *s = NULL;
    ns_errors *e = malloc(sizeof *e);
    assert_non_null(e);
    if (ns_scenario_load_string(MEM, text, NULL, 0, &s, e)) {
        dump_errors(e);
        fail_msg("the scenario text did not load");
    }
    free(e);
    assert_non_null(s);
    return s;
}

static inline ns_scenario *load_default(void)
{
    char *t = default_text();
    ns_scenario *s = load_text(t);
    free(t);
    return s;
}

static inline int strategy_index(const ns_scenario *s, const char *name)
{
    for (int k = 0; k < s->n_strategies; k++)
        if (strcmp(s->strategy[k].name, name) == 0)
            return k;
    fail_msg("no strategy '%s'", name);
    return -1;
}

static inline ns_strategy_tally *run_engine(const ns_scenario *s, uint64_t n, int threads)
{
    ns_strategy_tally *t = calloc((size_t)ns_tally_count(s), sizeof *t);
    assert_non_null(t);
    ns_engine_opts o = {.seed = SEED, .n = n, .threads = threads};
    assert_int_equal(ns_engine_run(s, &o, t), 0);
    return t;
}

/* ---------- a small scenario with closed-form answers ---------- */

/* Start of the line that follows the block starting at `p` (a line indented
 * by `indent` spaces): the next line indented by at most `indent` that is not
 * blank or a comment; the end of the text if none. */
static inline const char *block_end(const char *p, int indent)
{
    const char *q = strchr(p, '\n');
    while (q) {
        const char *line = q + 1;
        int k = 0;
        while (line[k] == ' ')
            k++;
        if (line[k] != '\n' && line[k] != '\0' && line[k] != '#' && k <= indent)
            return line;
        if (line[k] == '\0')
            break;
        q = strchr(line, '\n');
    }
    return p + strlen(p);
}

/* Copy of text with the block of `key:` under the top-level section
 * `parent:` (or the top-level section itself when parent is NULL) replaced
 * by `block`. Other sections, and keys added to the format later, stay. */
static inline char *replace_block(const char *text, const char *parent, const char *key,
                           const char *block)
{
    char head[96];
    const char *from = text;
    if (parent) {
        snprintf(head, sizeof head, "\n%s:\n", parent);
        from = strstr(text, head);
        if (!from)
            fail_msg("no section '%s' in the scenario text", parent);
        snprintf(head, sizeof head, "\n  %s:", key);
    } else
        snprintf(head, sizeof head, "\n%s:", key);
    const char *p = strstr(from, head);
    if (!p)
        fail_msg("no key '%s' in the scenario text", key);
    p++;
    const char *end = block_end(p, parent ? 2 : 0);
    return splice(text, (size_t)(p - text), (size_t)(end - p), block);
}

/* The default scenario made simple enough for closed forms: everyone has a
 * metastasis (logit 30) that becomes detectable at a time spread evenly over
 * [0, 30) years (a multiple of every visit interval used), is never found
 * incidentally, and no one dies of other causes for millions of years.
 * Without symptoms (symptom_mm NO_SYMPTOMS) the deposits hardly grow (volume
 * doubling 1e12 months) and never reach a symptomatic size; otherwise they
 * double in volume every 30 months (median) and cause symptoms at
 * `symptom_mm` mm. One modality, `probe`, with constant sensitivity `sens`
 * for nodes and liver and specificity 1; attendance `adherence` at every
 * visit; one strategy, `probe_schedule`, with the given rules. */
#define NO_SYMPTOMS "1e12"

static inline ns_scenario *closed_form_rules(double sens, double adherence, const char *symptom_mm,
                                      const char *rules)
{
    char buf[2048];
    char *d = default_text();
    char *t1 = replace_block(d, "timing", "years_to_detectable",
                             "  years_to_detectable:\n"
                             "    distribution: uniform\n"
                             "    min: {value: 0, assumption: \"test\"}\n"
                             "    max: {value: 30, assumption: \"test\"}\n");
    snprintf(buf, sizeof buf,
             "  adherence:\n"
             "    years: {value: [0, 60], assumption: \"test\"}\n"
             "    probability: {value: [%.17g, %.17g], assumption: \"test\"}\n",
             adherence, adherence);
    char *t2 = replace_block(t1, "follow_up", "adherence", buf);
    snprintf(buf, sizeof buf,
             "modalities:\n"
             "  - name: probe\n"
             "    cost: {value: 100, assumption: \"test\"}\n"
             "    workup_cost: {value: 1000, assumption: \"test\"}\n"
             "    specificity: {value: 1, assumption: \"test\"}\n"
             "    radiation_msv: {value: 0, assumption: \"test\"}\n"
             "    sensitivity:\n"
             "      nodal:\n"
             "        diameter_mm: {value: [0, 1000], assumption: \"test\"}\n"
             "        sensitivity: {value: [%.17g, %.17g], assumption: \"test\"}\n"
             "      liver:\n"
             "        diameter_mm: {value: [0, 1000], assumption: \"test\"}\n"
             "        sensitivity: {value: [%.17g, %.17g], assumption: \"test\"}\n\n",
             sens, sens, sens, sens);
    char *t3m = replace_block(t2, NULL, "modalities", buf);
    /* the default search space names the default modalities */
    char *t3 = replace_block(t3m, NULL, "optimize", "");
    free(t3m);
    size_t need = strlen(rules) + 200;
    char *strat = malloc(need);
    assert_non_null(strat);
    snprintf(strat, need,
             "strategies:\n"
             "  - name: probe_schedule\n"
             "    source: \"test\"\n"
             "    rules:\n"
             "%s",
             rules);
    char *t4 = replace_block(t3, NULL, "strategies", strat);
    char sym[64], dbl[64];
    snprintf(sym, sizeof sym, "symptoms.diameter_mm.median=%s", symptom_mm);
    snprintf(dbl, sizeof dbl, "growth.volume_doubling_months.median=%s",
             strcmp(symptom_mm, NO_SYMPTOMS) ? "30" : "1e12");
    const char *sets[] = {"metastasis.intercept=30",
                          sym,
                          "symptoms.diameter_mm.sigma=1e-9",
                          "symptoms.incidental_imaging_per_year=0",
                          dbl,
                          "growth.volume_doubling_months.sigma=0.49",
                          "other_cause_death.model=gompertz",
                          "other_cause_death.gompertz.female.a=1e-12",
                          "other_cause_death.gompertz.female.b=1e-6",
                          "other_cause_death.gompertz.male.a=1e-12",
                          "other_cause_death.gompertz.male.b=1e-6",
                          "timing.synchronous.share.0=0",
                          "timing.synchronous.share.1=0",
                          "timing.synchronous.share.2=0",
                          "timing.synchronous.share.3=0"};
    ns_scenario *s = NULL;
    ns_errors *e = malloc(sizeof *e);
    assert_non_null(e);
    if (ns_scenario_load_string(MEM, t4, sets, (int)(sizeof sets / sizeof *sets), &s, e)) {
        dump_errors(e);
        fail_msg("the closed-form scenario did not load");
    }
    free(e);
    /* the premises */
    assert_int_equal(s->n_strategies, 1);
    assert_int_equal(s->n_modalities, 1);
    assert_int_equal(s->course.onset.kind, NS_DIST_UNIFORM);
    assert_true(s->course.incidental_rate == 0);
    free(strat);
    free(t4);
    free(t3);
    free(t2);
    free(t1);
    free(d);
    return s;
}

/* The same with one rule for everyone and the given schedule items. */
static inline ns_scenario *closed_form(double sens, double adherence, const char *symptom_mm,
                                const char *schedule)
{
    size_t need = strlen(schedule) + 200;
    char *rules = malloc(need);
    assert_non_null(rules);
    snprintf(rules, need,
             "      - name: everyone\n"
             "        assumption: \"test\"\n"
             "        schedule:\n"
             "%s",
             schedule);
    ns_scenario *s = closed_form_rules(sens, adherence, symptom_mm, rules);
    free(rules);
    return s;
}

#endif
