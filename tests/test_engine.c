/* Tests for playing strategies (netsurv/strategy.h), the engine
 * (netsurv/engine.h) and the strategy part of the scenario loader.
 *
 *  1. closed form: constant sensitivity s, visits every D years, onset
 *     spread evenly: mean delay from detectable to detected = D (1/s - 1/2);
 *  2. a duplicated strategy gives identical outcomes and tallies;
 *  3. two schedules that agree to year 5 give identical outcomes up to then;
 *  4. the engine's tallies (and per-patient rows) do not depend on threads;
 *  5. no follow-up finds nothing and misses everything as not_followed;
 *  6. the missed reasons on constructed cases;
 *  7. bad modalities and strategies: FILE:LINE:COLUMN: path: message.
 *
 * Fixed seeds: every run draws the same numbers. Statistical checks allow
 * Z standard errors. */
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
#define N_CLOSED 200000u
#define N_PLAY 100000u
#define N_THREADS (3u * 65536u + 777u) /* not a multiple of the block or the wave */
#define Z 4.0

/* Copy of text with `len` bytes at offset `at` replaced by `to`. */
static char *splice(const char *text, size_t at, size_t len, const char *to)
{
    size_t tl = strlen(to), rest = strlen(text + at + len);
    char *out = malloc(at + tl + rest + 1);
    assert_non_null(out);
    memcpy(out, text, at);
    memcpy(out + at, to, tl);
    memcpy(out + at + tl, text + at + len, rest + 1);
    return out;
}

/* Copy of text with every occurrence of `from` replaced by `to` (at least one). */
static char *replace_all(const char *text, const char *from, const char *to)
{
    char *cur = splice(text, 0, 0, "");
    size_t pos = 0;
    int n = 0;
    const char *p;
    while ((p = strstr(cur + pos, from))) {
        size_t at = (size_t)(p - cur);
        char *next = splice(cur, at, strlen(from), to);
        free(cur);
        cur = next;
        pos = at + strlen(to);
        n++;
    }
    if (!n)
        fail_msg("'%s' not found in the scenario text", from);
    return cur;
}

/* The block of the list entry that starts with `head` (a line "  - name: X\n"):
 * up to the next entry of the same list or the end of the text. */
static char *entry_block(const char *text, const char *head)
{
    const char *p = strstr(text, head);
    if (!p)
        fail_msg("'%s' not found in the scenario text", head);
    const char *q = strstr(p + strlen(head), "\n  - name: ");
    size_t len = q ? (size_t)(q - p) + 1 : strlen(p);
    char *out = malloc(len + 2);
    assert_non_null(out);
    memcpy(out, p, len);
    if (len == 0 || out[len - 1] != '\n')
        out[len++] = '\n';
    out[len] = '\0';
    return out;
}

/* text + "\n" (if missing) + what: a new last entry of the last section. */
static char *append(const char *text, const char *what)
{
    size_t tl = strlen(text);
    int nl = tl > 0 && text[tl - 1] != '\n';
    char *out = malloc(tl + 1 + strlen(what) + 1);
    assert_non_null(out);
    sprintf(out, "%s%s%s", text, nl ? "\n" : "", what);
    return out;
}

static ns_scenario *load_text(const char *text)
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

static ns_scenario *load_default(void)
{
    char *t = default_text();
    ns_scenario *s = load_text(t);
    free(t);
    return s;
}

static int strategy_index(const ns_scenario *s, const char *name)
{
    for (int k = 0; k < s->n_strategies; k++)
        if (strcmp(s->strategy[k].name, name) == 0)
            return k;
    fail_msg("no strategy '%s'", name);
    return -1;
}

static ns_strategy_tally *run_engine(const ns_scenario *s, uint64_t n, int threads)
{
    ns_strategy_tally *t = calloc((size_t)s->n_strategies, sizeof *t);
    assert_non_null(t);
    ns_engine_opts o = {.seed = SEED, .n = n, .threads = threads};
    assert_int_equal(ns_engine_run(s, &o, t), 0);
    return t;
}

/* ---------- a small scenario with closed-form answers ---------- */

/* Start of the line that follows the block starting at `p` (a line indented
 * by `indent` spaces): the next line indented by at most `indent` that is not
 * blank or a comment; the end of the text if none. */
static const char *block_end(const char *p, int indent)
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
static char *replace_block(const char *text, const char *parent, const char *key,
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

static ns_scenario *closed_form_rules(double sens, double adherence, const char *symptom_mm,
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
    char *t3 = replace_block(t2, NULL, "modalities", buf);
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
                          "other_cause_death.gompertz.male.b=1e-6"};
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
static ns_scenario *closed_form(double sens, double adherence, const char *symptom_mm,
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

/* ---------- 1. closed form ---------- */

static void check_delay(double sens, double every)
{
    char sched[160];
    snprintf(sched, sizeof sched,
             "          - {every: %.17g, from: %.17g, lifelong: true, tests: [probe]}\n", every,
             every);
    ns_scenario *s = closed_form(sens, 1, NO_SYMPTOMS, sched);
    assert_int_equal(s->n_strategies, 1);
    ns_strategy_tally *t = run_engine(s, N_CLOSED, 0);
    double mean, lo, hi, want = every * (1 / sens - 0.5);
    ns_acc_mean(&t->detection_delay, &mean, &lo, &hi);
    double se = (hi - lo) / 2 / 1.959963984540054;
    print_message("    s = %g, every %g y: mean delay %.5f (95 %% %.5f-%.5f), expected %.5f\n",
                  sens, every, mean, lo, hi, want);
    /* nearly everyone has a metastasis, detectable while alive */
    assert_true(t->n_metastases > N_CLOSED - 10);
    assert_true(t->n_patients == N_CLOSED);
    assert_true(t->detection_delay.n == t->n_metastases);
    if (!(fabs(mean - want) <= Z * se))
        fail_msg("mean delay %.6f, expected %.6f +- %.6f (s %g, every %g)", mean, want, Z * se,
                 sens, every);
    /* no symptoms, no incidental findings, no deaths: surveillance finds all */
    assert_true(t->n_route[NS_ROUTE_SURVEILLANCE] == t->n_metastases);
    assert_true(t->n_missed == 0);
    assert_true(t->n_miss[NS_MISS_NONE] == t->n_metastases);
    /* specificity 1: no false positives */
    assert_true(t->false_positives.sum == 0);
    if (sens == 1) {
        /* every delay is at most one interval */
        for (int b = (int)ceil(every / NS_DELAY_BIN_WIDTH + 1e-9); b <= NS_DELAY_BINS; b++)
            assert_true(t->hist_delay[b] == 0);
    }
    free(t);
    ns_scenario_free(s);
}

static void test_closed_form_delay(void **state)
{
    (void)state;
    check_delay(1, 1);
    check_delay(1, 0.5);
    check_delay(0.5, 1);
    check_delay(0.5, 0.5);
    check_delay(0.8, 0.75);
}

/* With s = 1 the delay of each patient is the wait for the next visit. */
static void test_closed_form_per_patient(void **state)
{
    (void)state;
    ns_scenario *s =
        closed_form(1, 1, NO_SYMPTOMS, "          - {every: 1, from: 1, lifelong: true, tests: [probe]}\n");
    ns_patient p;
    ns_outcome o;
    for (uint64_t i = 0; i < 20000; i++) {
        ns_history_draw(s, SEED, i, &p);
        if (!p.has_metastasis)
            continue;
        ns_strategy_play(s, 0, &p, &o);
        double want = ceil(p.onset);
        if (o.route != NS_ROUTE_SURVEILLANCE || o.detection_time != want ||
            o.n_tests != (uint16_t)want || o.missed)
            fail_msg("patient %llu: onset %.6f, found %.6f by route %d after %d tests",
                     (unsigned long long)i, p.onset, o.detection_time, o.route, o.n_tests);
        assert_true(o.detection_delay == o.detection_time - p.onset);
        assert_true(o.metastasis == 1);
        assert_true(o.tests_by_modality[0] == o.n_tests);
        assert_true(o.cost_surveillance == 100.0 * o.n_tests);
        assert_true(o.n_false_positives == 0);
    }
    ns_scenario_free(s);
}

/* ---------- 2. a duplicated strategy ---------- */

static void check_duplicate(const char *name)
{
    char head[96], copy_head[96];
    snprintf(head, sizeof head, "\n  - name: %s\n", name);
    snprintf(copy_head, sizeof copy_head, "\n  - name: %s_copy\n", name);
    char *d = default_text();
    char *block = entry_block(d, head + 1);
    char *copy = replace_all(block, head + 1, copy_head + 1);
    /* the copy goes right after the original */
    const char *at = strstr(d, head);
    const char *next = strstr(at + strlen(head), "\n  - name: ");
    size_t off = next ? (size_t)(next - d) + 1 : strlen(d);
    char *t = next ? splice(d, off, 0, copy) : append(d, copy);
    ns_scenario *s = load_text(t);
    int a = strategy_index(s, name);
    char cn[96];
    snprintf(cn, sizeof cn, "%s_copy", name);
    int b = strategy_index(s, cn);
    assert_int_equal(b, a + 1);
    assert_int_equal(s->strategy[a].n_rules, s->strategy[b].n_rules);

    ns_patient p;
    ns_outcome oa, ob;
    uint64_t found = 0, met = 0;
    for (uint64_t i = 0; i < N_PLAY; i++) {
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, a, &p, &oa);
        ns_strategy_play(s, b, &p, &ob);
        if (memcmp(&oa, &ob, sizeof oa) != 0)
            fail_msg("%s: patient %llu differs from its copy (detection %g vs %g)", name,
                     (unsigned long long)i, oa.detection_time, ob.detection_time);
        found += oa.route == NS_ROUTE_SURVEILLANCE;
        met += oa.metastasis;
    }
    print_message("    %s: %llu metastases, %llu found by surveillance, copies identical\n", name,
                  (unsigned long long)met, (unsigned long long)found);
    assert_true(met > 100 && found > 10);

    ns_strategy_tally *tt = run_engine(s, N_PLAY, 0);
    assert_true(memcmp(&tt[a], &tt[b], sizeof tt[a]) == 0);
    assert_true(tt[a].n_metastases == met);
    free(tt);
    ns_scenario_free(s);
    free(t);
    free(copy);
    free(block);
    free(d);
}

static void test_duplicate_strategy(void **state)
{
    (void)state;
    check_duplicate("risk_stratified");
    check_duplicate("nccn_2025");
}

/* ---------- 3. schedules that agree up to year 5 ---------- */

static void test_agree_to_year5(void **state)
{
    (void)state;
    char *d = default_text();
    const char *ct12 = "  - name: ct_12y\n"
                       "    source: \"test: annual CT to 12 years\"\n"
                       "    rules:\n"
                       "      - name: everyone\n"
                       "        assumption: \"test\"\n"
                       "        schedule:\n"
                       "          - {every: 1, from: 1, to: 12, tests: [ct]}\n";
    char *t = append(d, ct12);
    ns_scenario *s = load_text(t);
    int a = strategy_index(s, "annual_ct_5y"), b = strategy_index(s, "ct_12y");
    /* the premise: the same visits to year 5 */
    const ns_rule *ra = &s->strategy[a].rule[0], *rb = &s->strategy[b].rule[0];
    assert_int_equal(s->strategy[a].n_rules, 1);
    assert_int_equal(ra->n_visits, 5);
    assert_int_equal(rb->n_visits, 12);
    for (int v = 0; v < 5; v++) {
        assert_true(ra->visit_time[v] == rb->visit_time[v]);
        assert_true(ra->visit_tests[v] == rb->visit_tests[v]);
    }

    ns_patient p;
    ns_outcome oa, ob;
    uint64_t surv = 0, other = 0, later = 0;
    for (uint64_t i = 0; i < N_PLAY; i++) {
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, a, &p, &oa);
        ns_strategy_play(s, b, &p, &ob);
        int early_a = oa.detection_time <= 5, early_b = ob.detection_time <= 5;
        if (early_a || early_b) {
            /* found (any route) by year 5 under one: the same under the other,
             * with the same tests up to then */
            if (oa.detection_time != ob.detection_time || oa.route != ob.route ||
                oa.n_tests != ob.n_tests || oa.n_false_positives != ob.n_false_positives ||
                memcmp(oa.tests_by_modality, ob.tests_by_modality, sizeof oa.tests_by_modality) ||
                oa.missed_reason != ob.missed_reason || memcmp(&oa, &ob, sizeof oa) != 0)
                fail_msg("patient %llu: found at %g (route %d, %d tests) under annual_ct_5y, "
                         "%g (route %d, %d tests) under ct_12y",
                         (unsigned long long)i, oa.detection_time, oa.route, oa.n_tests,
                         ob.detection_time, ob.route, ob.n_tests);
            if (oa.route == NS_ROUTE_SURVEILLANCE)
                surv++;
            else
                other++;
        } else {
            /* the longer schedule does at least the same tests */
            assert_true(ob.n_tests >= oa.n_tests);
            assert_true(ob.n_false_positives >= oa.n_false_positives);
            if (oa.metastasis && ob.route == NS_ROUTE_SURVEILLANCE)
                later++;
        }
    }
    print_message("    found by year 5: %llu by surveillance, %llu otherwise; %llu found later "
                  "by ct_12y only\n",
                  (unsigned long long)surv, (unsigned long long)other, (unsigned long long)later);
    assert_true(surv > 100 && other > 10 && later > 10);
    ns_scenario_free(s);
    free(t);
    free(d);
}

/* ---------- 4. thread invariance ---------- */

/* A sink that checks the engine's per-patient rows against a fresh draw. */
typedef struct {
    const ns_scenario *s;
    uint64_t base;          /* first patient of the current wave */
    uint64_t flushed, waves;
    unsigned char *seen;    /* per row of the wave: times filled */
    unsigned char *bad;     /* per row: mismatch found */
    int order_bad;
} check_sink;

static void sink_fill(void *ctx, int row, int count, const ns_patient *patients,
                      const ns_outcome *outcomes)
{
    check_sink *c = ctx;
    int S = c->s->n_strategies;
    for (int i = 0; i < count; i++) {
        ns_patient q;
        ns_outcome o;
        ns_history_draw(c->s, SEED, c->base + (uint64_t)row + (uint64_t)i, &q);
        int bad = q.key != patients[i].key || q.size_mm != patients[i].size_mm ||
                  q.has_metastasis != patients[i].has_metastasis ||
                  q.death_time != patients[i].death_time;
        for (int k = 0; k < S && !bad; k++) {
            ns_strategy_play(c->s, k, &q, &o);
            bad = memcmp(&o, &outcomes[(size_t)i * S + k], sizeof o) != 0;
        }
        c->seen[row + i]++;
        c->bad[row + i] |= (unsigned char)bad;
    }
}

static int sink_flush(void *ctx, uint64_t first, int count)
{
    check_sink *c = ctx;
    if (first != c->base || count <= 0 || count > NS_BLOCK * NS_WAVE_BLOCKS)
        c->order_bad = 1;
    for (int r = 0; r < count; r++)
        if (c->seen[r] != 1 || c->bad[r])
            c->order_bad = 1;
    memset(c->seen, 0, (size_t)NS_BLOCK * NS_WAVE_BLOCKS);
    memset(c->bad, 0, (size_t)NS_BLOCK * NS_WAVE_BLOCKS);
    c->base += (uint64_t)count;
    c->flushed += (uint64_t)count;
    c->waves++;
    return 0;
}

static void test_thread_invariance(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    int S = s->n_strategies;
    ns_strategy_tally *t1 = run_engine(s, N_THREADS, 1);
    ns_strategy_tally *t2 = run_engine(s, N_THREADS, 2);
    ns_strategy_tally *t3 = run_engine(s, N_THREADS, 3);
    for (int k = 0; k < S; k++) {
        assert_true(t1[k].n_patients == N_THREADS);
        if (memcmp(&t1[k], &t2[k], sizeof t1[k]) || memcmp(&t1[k], &t3[k], sizeof t1[k]))
            fail_msg("strategy %s: tallies differ between 1, 2 and 3 threads",
                     s->strategy[k].name);
    }
    /* the tallies are those of playing every patient in order */
    ns_strategy_tally *seq = calloc((size_t)S, sizeof *seq);
    assert_non_null(seq);
    ns_patient p;
    ns_outcome o;
    for (uint64_t i = 0; i < N_THREADS; i++) {
        ns_history_draw(s, SEED, i, &p);
        for (int k = 0; k < S; k++) {
            ns_strategy_play(s, k, &p, &o);
            ns_tally_add_outcome(&seq[k], &o);
            seq[k].n_residual += p.has_residual;
        }
    }
    for (int k = 0; k < S; k++) {
        /* counts exactly; sums up to rounding (the engine sums by block) */
        assert_true(seq[k].n_metastases == t1[k].n_metastases);
        assert_true(seq[k].n_missed == t1[k].n_missed);
        assert_true(seq[k].n_residual == t1[k].n_residual);
        assert_memory_equal(seq[k].n_route, t1[k].n_route, sizeof seq[k].n_route);
        assert_memory_equal(seq[k].n_miss, t1[k].n_miss, sizeof seq[k].n_miss);
        assert_memory_equal(seq[k].hist_delay, t1[k].hist_delay, sizeof seq[k].hist_delay);
        assert_memory_equal(seq[k].tests_by_modality, t1[k].tests_by_modality,
                            sizeof seq[k].tests_by_modality);
        assert_true(seq[k].tests.sum == t1[k].tests.sum); /* whole numbers: exact */
        assert_true(fabs(seq[k].cost.sum - t1[k].cost.sum) <= 1e-9 * fabs(seq[k].cost.sum));
    }
    free(seq);

    /* per-patient rows: every row once, in patient order, for any thread count */
    for (int threads = 1; threads <= 2; threads++) {
        check_sink c = {.s = s};
        c.seen = calloc((size_t)NS_BLOCK * NS_WAVE_BLOCKS, 1);
        c.bad = calloc((size_t)NS_BLOCK * NS_WAVE_BLOCKS, 1);
        assert_true(c.seen && c.bad);
        ns_strategy_tally *tf = calloc((size_t)S, sizeof *tf);
        assert_non_null(tf);
        ns_engine_opts eo = {.seed = SEED, .n = N_THREADS, .threads = threads,
                             .fill = sink_fill, .flush = sink_flush, .sink_ctx = &c};
        assert_int_equal(ns_engine_run(s, &eo, tf), 0);
        assert_false(c.order_bad);
        assert_true(c.flushed == N_THREADS);
        assert_true(c.waves == (N_THREADS + 65535) / 65536);
        assert_memory_equal(tf, t1, sizeof *tf * (size_t)S);
        free(tf);
        free(c.seen);
        free(c.bad);
    }
    free(t1);
    free(t2);
    free(t3);
    ns_scenario_free(s);
}

static volatile sig_atomic_t stop_flag;
static uint64_t progress_done;

static void note_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    (void)total;
    progress_done = done;
}

/* A stop request ends the run after the current wave, with -1. */
static void test_engine_stop(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    ns_strategy_tally *t = calloc((size_t)s->n_strategies, sizeof *t);
    assert_non_null(t);
    stop_flag = 1;
    progress_done = 0;
    ns_engine_opts o = {.seed = SEED, .n = 10u * 65536u, .threads = 2, .stop = &stop_flag,
                        .progress = note_progress};
    assert_int_equal(ns_engine_run(s, &o, t), -1);
    assert_true(progress_done == 65536);
    assert_true(t[0].n_patients == 65536);
    free(t);
    ns_scenario_free(s);
}

/* ---------- 5. no follow-up ---------- */

static void test_no_follow_up(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    int k = strategy_index(s, "no_follow_up");
    ns_strategy_tally *t = run_engine(s, N_PLAY, 0);
    const ns_strategy_tally *x = &t[k];
    double mean, lo, hi;
    ns_acc_mean(&x->tests, &mean, &lo, &hi);
    print_message("    no_follow_up: %llu metastases, all missed as not_followed\n",
                  (unsigned long long)x->n_metastases);
    assert_true(x->n_metastases > 1000);
    assert_true(x->n_route[NS_ROUTE_SURVEILLANCE] == 0);
    assert_true(mean == 0 && x->tests.sum == 0);
    assert_true(x->cost_surveillance.sum == 0 && x->false_positives.sum == 0);
    assert_true(x->radiation_msv.sum == 0);
    assert_true(x->n_missed == x->n_metastases);
    assert_true(x->n_miss[NS_MISS_NOT_FOLLOWED] == x->n_metastases);
    assert_true(x->n_miss[NS_MISS_NONE] == 0);
    assert_true(x->n_local_found == 0);
    /* the routes add up */
    assert_true(x->n_route[NS_ROUTE_NEVER] + x->n_route[NS_ROUTE_SYMPTOMS] +
                    x->n_route[NS_ROUTE_INCIDENTAL] == x->n_metastases);
    /* every strategy: the missed reasons and routes add up */
    for (int j = 0; j < s->n_strategies; j++) {
        uint64_t sum = 0, routes = 0;
        for (int r = NS_MISS_NOT_FOLLOWED; r < NS_NMISS; r++)
            sum += t[j].n_miss[r];
        for (int r = 0; r < NS_NROUTES; r++)
            routes += t[j].n_route[r];
        assert_true(sum == t[j].n_missed);
        assert_true(t[j].n_miss[NS_MISS_NONE] + t[j].n_missed == t[j].n_metastases);
        assert_true(t[j].n_route[NS_ROUTE_SURVEILLANCE] + t[j].n_missed == t[j].n_metastases);
        assert_true(routes == t[j].n_metastases);
    }
    free(t);
    ns_scenario_free(s);
}

/* ---------- 6. missed reasons ---------- */

static void count_reasons(const ns_scenario *s, uint64_t n, uint64_t *reason, uint64_t *met)
{
    ns_patient p;
    ns_outcome o;
    memset(reason, 0, sizeof *reason * NS_NMISS);
    *met = 0;
    for (uint64_t i = 0; i < n; i++) {
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, 0, &p, &o);
        reason[o.missed_reason]++;
        *met += o.metastasis;
    }
}

static void test_missed_after_schedule(void **state)
{
    (void)state;
    ns_scenario *s =
        closed_form(1, 1, NO_SYMPTOMS, "          - {every: 1, from: 1, to: 2, tests: [probe]}\n");
    ns_patient p;
    ns_outcome o;
    uint64_t after = 0, found = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        ns_history_draw(s, SEED, i, &p);
        if (!p.has_metastasis)
            continue;
        ns_strategy_play(s, 0, &p, &o);
        assert_true(o.metastasis);
        if (p.onset > 2) {
            if (!(o.missed && o.missed_reason == NS_MISS_AFTER_SCHEDULE &&
                  o.route == NS_ROUTE_NEVER && o.n_tests == 2))
                fail_msg("patient %llu, detectable at %g after the last visit at 2: reason %s, "
                         "route %s",
                         (unsigned long long)i, p.onset, ns_miss_name[o.missed_reason],
                         ns_route_name[o.route]);
            after++;
        } else {
            assert_true(!o.missed && o.missed_reason == NS_MISS_NONE);
            assert_true(o.route == NS_ROUTE_SURVEILLANCE && o.detection_time == ceil(p.onset));
            found++;
        }
    }
    assert_true(after > 10000 && found > 500);
    ns_strategy_tally *t = run_engine(s, 20000, 0);
    assert_true(t->n_miss[NS_MISS_AFTER_SCHEDULE] == after);
    assert_true(t->n_missed == after && t->n_route[NS_ROUTE_SURVEILLANCE] == found);
    free(t);
    ns_scenario_free(s);
}

static void test_missed_visit(void **state)
{
    (void)state;
    ns_scenario *s = closed_form(1, 0, NO_SYMPTOMS,
                                 "          - {every: 1, from: 1, lifelong: true, tests: [probe]}\n");
    uint64_t r[NS_NMISS], met;
    count_reasons(s, 20000, r, &met);
    assert_true(met > 19990);
    assert_true(r[NS_MISS_MISSED_VISIT] == met);
    ns_strategy_tally *t = run_engine(s, 20000, 0);
    assert_true(t->n_miss[NS_MISS_MISSED_VISIT] == met && t->n_missed == met);
    assert_true(t->tests.sum == 0 && t->cost.sum == 0);
    free(t);
    ns_scenario_free(s);
}

static void test_missed_false_negative(void **state)
{
    (void)state;
    ns_scenario *s = closed_form(0, 1, NO_SYMPTOMS,
                                 "          - {every: 1, from: 1, lifelong: true, tests: [probe]}\n");
    ns_patient p;
    ns_outcome o;
    uint64_t met = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        ns_history_draw(s, SEED, i, &p);
        ns_strategy_play(s, 0, &p, &o);
        if (!o.metastasis)
            continue;
        met++;
        if (o.missed_reason != NS_MISS_FALSE_NEGATIVE || o.route != NS_ROUTE_NEVER ||
            o.n_tests != 60)
            fail_msg("patient %llu: reason %s, route %s, %d tests", (unsigned long long)i,
                     ns_miss_name[o.missed_reason], ns_route_name[o.route], o.n_tests);
    }
    assert_true(met > 19990);
    ns_strategy_tally *t = run_engine(s, 20000, 0);
    assert_true(t->n_miss[NS_MISS_FALSE_NEGATIVE] == met && t->n_missed == met);
    free(t);
    ns_scenario_free(s);
}

/* Visits every 10 years; symptoms one diameter doubling after onset: the
 * next visit comes first (surveillance) or not (between visits). */
static void test_missed_between_visits(void **state)
{
    (void)state;
    ns_scenario *s =
        closed_form(1, 1, "10", "          - {every: 10, from: 10, lifelong: true, tests: [probe]}\n");
    ns_patient p;
    ns_outcome o;
    uint64_t between = 0, found = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        ns_history_draw(s, SEED, i, &p);
        if (!p.has_metastasis)
            continue;
        ns_strategy_play(s, 0, &p, &o);
        double next = 10 * ceil(p.onset / 10);
        assert_true(fabs(p.symptom_time - p.onset - p.doubling_years) < 1e-6 * p.doubling_years);
        if (next < p.symptom_time) {
            assert_true(o.route == NS_ROUTE_SURVEILLANCE && o.detection_time == next);
            assert_true(!o.missed);
            found++;
        } else {
            if (!(o.route == NS_ROUTE_SYMPTOMS && o.detection_time == p.symptom_time &&
                  o.missed && o.missed_reason == NS_MISS_BETWEEN_VISITS))
                fail_msg("patient %llu: onset %g, symptoms %g, next visit %g: route %s, "
                         "reason %s",
                         (unsigned long long)i, p.onset, p.symptom_time, next,
                         ns_route_name[o.route], ns_miss_name[o.missed_reason]);
            between++;
        }
    }
    print_message("    every 10 y: %llu found by surveillance, %llu between visits\n",
                  (unsigned long long)found, (unsigned long long)between);
    assert_true(between > 1000 && found > 1000);
    ns_strategy_tally *t = run_engine(s, 20000, 0);
    assert_true(t->n_miss[NS_MISS_BETWEEN_VISITS] == between && t->n_missed == between);
    assert_true(t->n_route[NS_ROUTE_SYMPTOMS] == between);
    free(t);
    ns_scenario_free(s);
}

/* A strategy that follows only part of the cohort: the others are
 * not_followed, whatever happens to them. */
static void test_missed_not_followed_by_group(void **state)
{
    (void)state;
    ns_scenario *s = closed_form_rules(1, 1, NO_SYMPTOMS,
                                       "      - name: others\n"
                                       "        otherwise: true\n"
                                       "        assumption: \"test\"\n"
                                       "        schedule:\n"
                                       "          - {every: 1, from: 1, lifelong: true, tests: [probe]}\n"
                                       "      - name: small\n"
                                       "        when: {size_mm: {max: 10}}\n"
                                       "        assumption: \"test\"\n"
                                       "        schedule: []\n");
    ns_patient p;
    ns_outcome o;
    uint64_t small = 0, large = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        ns_history_draw(s, SEED, i, &p);
        if (!p.has_metastasis)
            continue;
        ns_strategy_play(s, 0, &p, &o);
        if (p.size_mm < 10) {
            assert_int_equal(o.rule, 1);
            assert_true(o.missed && o.missed_reason == NS_MISS_NOT_FOLLOWED && o.n_tests == 0);
            small++;
        } else {
            assert_int_equal(o.rule, 0);
            assert_true(!o.missed && o.route == NS_ROUTE_SURVEILLANCE);
            large++;
        }
    }
    print_message("    %llu small (not followed), %llu others found\n", (unsigned long long)small,
                  (unsigned long long)large);
    assert_true(small > 5000 && large > 2000);
    ns_scenario_free(s);
}

/* ---------- 7. bad modalities and strategies ---------- */

/* Loads text, expects failure with a message "MEM:LINE:COL: PATH: ..."
 * containing `what`, where LINE:COL is that of `needle` (+ skip) found at
 * or after byte `from`. */
static void expect_bad(const char *text, size_t from, const char *needle, size_t skip,
                       const char *path, const char *what)
{
    const char *p = strstr(text + from, needle);
    if (!p)
        fail_msg("'%s' not found in the edited text", needle);
    if (strstr(p + 1, needle))
        fail_msg("'%s' occurs more than once after the edit", needle);
    int line, col;
    line_col(text, p + skip, &line, &col);
    ns_scenario *s = (ns_scenario *)1;
    ns_errors *e = malloc(sizeof *e);
    assert_non_null(e);
    int rc = ns_scenario_load_string(MEM, text, NULL, 0, &s, e);
    if (rc != -1) {
        ns_scenario_free(rc == 0 ? s : NULL);
        fail_msg("loaded although '%s' should fail with '%s'", path, what);
    }
    assert_null(s);
    char head[400];
    snprintf(head, sizeof head, "%s:%d:%d: %s: ", MEM, line, col, path);
    for (int i = 0; i < e->n; i++)
        if (strncmp(e->msg[i], head, strlen(head)) == 0 && strstr(e->msg[i] + strlen(head), what)) {
            free(e);
            return;
        }
    dump_errors(e);
    free(e);
    fail_msg("no message starting '%s' containing '%s'", head, what);
}

/* The default scenario with `block` appended as a last strategy. */
static void bad_strategy(const char *block, const char *needle, size_t skip, const char *path,
                         const char *what)
{
    char *d = default_text();
    char *t = append(d, block);
    expect_bad(t, strlen(d), needle, skip, path, what);
    free(t);
    free(d);
}

/* The default scenario with `block` inserted as a last modality. */
static void bad_modality(const char *block, const char *needle, size_t skip, const char *path,
                        const char *what)
{
    char *d = default_text();
    const char *anchor = "\ntreatments:\n";
    const char *at = strstr(d, anchor);
    if (!at)
        fail_msg("'treatments:' not found in the default scenario");
    size_t off = (size_t)(at - d) + 1;
    char *t = splice(d, off, 0, block);
    expect_bad(t, off, needle, skip, path, what);
    free(t);
    free(d);
}

#define STRAT(name) "  - name: " name "\n    source: \"test\"\n    rules:\n"
#define RULE(name) "      - name: " name "\n        assumption: \"test\"\n"

static void test_bad_strategies(void **state)
{
    (void)state;
    /* a modality that does not exist */
    bad_strategy(STRAT("bad_tests") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: 1, from: 1, to: 5, tests: [ct, petct]}\n",
                 "petct", 0, "strategies.bad_tests.rules.everyone.schedule.0.tests",
                 "unknown modality 'petct'");
    bad_strategy(STRAT("bad_tests") RULE("everyone")
                 "        schedule:\n"
                 "          - {at: [1], tests: [mri]}\n"
                 "          - {at: [2], tests: []}\n",
                 "[]}", 0, "strategies.bad_tests.rules.everyone.schedule.1.tests",
                 "a visit needs at least one test");
    /* two rules matching the same patients */
    bad_strategy(STRAT("bad_overlap") RULE("small")
                 "        when: {size_mm: {max: 10}}\n"
                 "        schedule: []\n"
                 "      - name: high_grade\n"
                 "        when: {grade: [G2, G3]}\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "name: high_grade", 0, "strategies.bad_overlap.rules",
                 "rules 'small' and 'high_grade' overlap");
    /* empty risk groups */
    bad_strategy(STRAT("bad_empty") RULE("nobody")
                 "        when: {grade: []}\n"
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "{grade: []}", 0, "strategies.bad_empty.rules.nobody.when",
                 "this risk group is empty");
    bad_strategy(STRAT("bad_empty") RULE("nobody")
                 "        when: {size_mm: {min: 10, max: 10}}\n"
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "{size_mm: {min: 10", 0, "strategies.bad_empty.rules.nobody.when",
                 "this risk group is empty");
    bad_strategy(STRAT("bad_empty") RULE("nobody")
                 "        when: {size_mm: {min: 20, max: 10}}\n"
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "{size_mm: {min: 20", 0, "strategies.bad_empty.rules.nobody.when",
                 "this risk group is empty");
    /* a gap: 10-12 mm matched by no rule */
    bad_strategy(STRAT("bad_gap") RULE("small")
                 "        when: {size_mm: {max: 10}}\n"
                 "        schedule: []\n"
                 "      - name: large\n"
                 "        when: {size_mm: {min: 12}}\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "- name: small", 0, "strategies.bad_gap.rules",
                 "no rule matches patients with size 10-12 mm");
    /* a gap by grade */
    bad_strategy(STRAT("bad_gap") RULE("low")
                 "        when: {grade: [G1, G2]}\n"
                 "        schedule: []\n",
                 "- name: low", 0, "strategies.bad_gap.rules", "no rule matches patients with");
    /* otherwise: true matching nobody */
    bad_strategy(STRAT("bad_otherwise") RULE("all")
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "name: rest", 0, "strategies.bad_otherwise.rules",
                 "rule 'rest' is empty: the other rules already match every patient");
    bad_strategy(STRAT("bad_otherwise") RULE("low")
                 "        when: {size_mm: {max: 10}}\n"
                 "        schedule: []\n"
                 "      - name: rest\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n"
                 "      - name: rest2\n"
                 "        otherwise: true\n"
                 "        assumption: \"test\"\n"
                 "        schedule: []\n",
                 "name: rest2", 0, "strategies.bad_otherwise.rules",
                 "only one rule may say otherwise: true");
    /* schedules */
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: 1, from: 3, to: 2, tests: [ct]}\n",
                 "to: 2", 4, "strategies.bad_sched.rules.everyone.schedule.0.to",
                 "to (2) is before from (3)");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {at: [1], tests: [ct]}\n"
                 "          - {every: 0, from: 1, to: 5, tests: [ct]}\n",
                 "every: 0", 7, "strategies.bad_sched.rules.everyone.schedule.1.every",
                 "0 is not a positive interval");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: -2, from: 1, to: 5, tests: [ct]}\n",
                 "every: -2", 7, "strategies.bad_sched.rules.everyone.schedule.0.every",
                 "-2 is not a positive interval");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: 1, from: 1, to: 5, lifelong: true, tests: [ct]}\n",
                 "{every: 1, from: 1, to: 5, lifelong", 0,
                 "strategies.bad_sched.rules.everyone.schedule.0",
                 "give to: or lifelong: true, not both");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: 1, from: 1, tests: [ct]}\n",
                 "{every: 1, from: 1, tests", 0, "strategies.bad_sched.rules.everyone.schedule.0",
                 "needs to: (years) or lifelong: true");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {at: [1, 61], tests: [ct]}\n",
                 "61", 0, "strategies.bad_sched.rules.everyone.schedule.0.at", "outside [0, 60]");
    bad_strategy(STRAT("bad_sched") RULE("everyone")
                 "        schedule:\n"
                 "          - {every: 0.25, from: 0.25, lifelong: true, tests: [ct]}\n",
                 "{every: 0.25", 0, "strategies.bad_sched.rules.everyone.schedule.0",
                 "more than 128 visits");
    /* an unknown treatment */
    bad_strategy(STRAT("bad_treat") RULE("everyone")
                 "        treatment: laser_ablation\n"
                 "        schedule: []\n",
                 "laser_ablation", 0, "strategies.bad_treat.rules.everyone.treatment",
                 "unknown treatment 'laser_ablation'");
    /* a duplicate strategy name: reported at the later one */
    ns_scenario *s = load_default();
    char path[32];
    snprintf(path, sizeof path, "strategies.%d", s->n_strategies);
    ns_scenario_free(s);
    bad_strategy("  - name: annual_ct_5y\n    source: \"test\"\n    rules:\n" RULE("everyone")
                 "        schedule: []\n",
                 "annual_ct_5y\n    source: \"test\"", 0, path, "duplicate name 'annual_ct_5y'");
    /* a rule without source or assumption */
    bad_strategy(STRAT("bad_rule")
                 "      - name: everyone\n"
                 "        schedule: []\n",
                 "name: everyone\n        schedule: []", 0, "strategies.bad_rule.rules.everyone",
                 "every rule needs 'source:' or 'assumption:'");
}

#define MODALITY(name)                                                                         \
    "  - name: " name "\n"                                                                     \
    "    cost: {value: 1000, assumption: \"test\"}\n"                                         \
    "    workup_cost: {value: 100, assumption: \"test\"}\n"                                   \
    "    specificity: {value: 0.9, assumption: \"test\"}\n"                                   \
    "    radiation_msv: {value: 5, assumption: \"test\"}\n"

static void test_bad_modalities(void **state)
{
    (void)state;
    bad_modality(MODALITY("petct") "    sensitivity: {}\n", "{}\n", 0,
                 "modalities.petct.sensitivity",
                 "give a sensitivity curve for at least one of local, nodal, liver");
    bad_modality(MODALITY("petct"), "name: petct", 0, "modalities.petct.sensitivity",
                 "missing required key 'sensitivity'");
    bad_modality(MODALITY("petct")
                 "    sensitivity:\n"
                 "      liver:\n"
                 "        diameter_mm: {value: [2, 5], assumption: \"test\"}\n"
                 "        sensitivity: {value: [0.5, 1.5], assumption: \"test\"}\n",
                 "1.5]", 0, "modalities.petct.sensitivity.liver.sensitivity.value.1",
                 "1.5 is outside [0, 1]");
    /* a duplicate name: reported at the later one */
    ns_scenario *s = load_default();
    char path[32];
    snprintf(path, sizeof path, "modalities.%d", s->n_modalities);
    ns_scenario_free(s);
    bad_modality(MODALITY("ct")
                 "    sensitivity:\n"
                 "      liver:\n"
                 "        diameter_mm: {value: [2, 5], assumption: \"test\"}\n"
                 "        sensitivity: {value: [0.5, 0.9], assumption: \"test\"}\n",
                 "ct\n    cost: {value: 1000", 0, path, "duplicate name 'ct'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_form_delay),
        cmocka_unit_test(test_closed_form_per_patient),
        cmocka_unit_test(test_duplicate_strategy),
        cmocka_unit_test(test_agree_to_year5),
        cmocka_unit_test(test_thread_invariance),
        cmocka_unit_test(test_engine_stop),
        cmocka_unit_test(test_no_follow_up),
        cmocka_unit_test(test_missed_after_schedule),
        cmocka_unit_test(test_missed_visit),
        cmocka_unit_test(test_missed_false_negative),
        cmocka_unit_test(test_missed_between_visits),
        cmocka_unit_test(test_missed_not_followed_by_group),
        cmocka_unit_test(test_bad_strategies),
        cmocka_unit_test(test_bad_modalities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
