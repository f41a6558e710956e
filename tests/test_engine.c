/* Tests for playing strategies (netsurv/model/strategy.h) and the engine
 * (netsurv/engine/engine.h).
 *
 *  1. closed form: constant sensitivity s, visits every D years, onset
 *     spread evenly: mean delay from detectable to detected = D (1/s - 1/2);
 *  2. a duplicated strategy gives identical outcomes and tallies;
 *  3. two schedules that agree to year 5 give identical outcomes up to then;
 *  4. the engine's tallies (and per-patient rows) do not depend on threads,
 *     and a stop request ends a run after the current wave;
 *  5. the fast path for patients with nothing to find matches the general
 *     visit loop bit for bit.
 *
 * Fixed seeds: every run draws the same numbers. Statistical checks allow
 * Z standard errors. */
#include "engine_fixtures.h"
#define N_CLOSED 200000u
#define N_THREADS (3u * 65536u + 777u) /* not a multiple of the block or the wave */
#define Z 4.0

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
        ns_strategy_tally *tf = calloc((size_t)ns_tally_count(s), sizeof *tf);
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

/* The fast path for patients with nothing to find gives what the general
 * visit loop gives, bit for bit: every outcome of every strategy, and every
 * tally of an engine run (whole cohort and risk groups). generic_play also
 * turns off the engine's reuse of an outcome across strategies whose rules
 * play alike, so the tallies compare that too. */
static void test_fast_path(void **state)
{
    (void)state;
    ns_scenario *s = load_default();
    ns_scenario *g = load_default();
    g->derived.generic_play = 1;
    int S = s->n_strategies, clear = 0;
    for (uint64_t i = 0; i < 50000; i++) {
        ns_patient p;
        ns_outcome a, b;
        ns_history_draw(s, SEED, i, &p);
        clear += !p.has_metastasis && !p.has_residual;
        for (int k = 0; k < S; k++) {
            ns_strategy_play(s, k, &p, &a);
            ns_strategy_play(g, k, &p, &b);
            if (memcmp(&a, &b, sizeof a))
                fail_msg("patient %llu, strategy %s: the fast path's outcome differs",
                         (unsigned long long)i, s->strategy[k].name);
        }
    }
    assert_true(clear > 40000 && clear < 50000); /* both paths were taken */
    ns_strategy_tally *t = run_engine(s, N_THREADS, 2), *u = run_engine(g, N_THREADS, 2);
    for (int i = 0; i < ns_tally_count(s); i++)
        if (memcmp(&t[i], &u[i], sizeof t[i]))
            fail_msg("tally %d differs between the fast path and the general loop", i);
    free(t);
    free(u);
    ns_scenario_free(s);
    ns_scenario_free(g);
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
    ns_strategy_tally *t = calloc((size_t)ns_tally_count(s), sizeof *t);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_form_delay),
        cmocka_unit_test(test_closed_form_per_patient),
        cmocka_unit_test(test_duplicate_strategy),
        cmocka_unit_test(test_agree_to_year5),
        cmocka_unit_test(test_thread_invariance),
        cmocka_unit_test(test_fast_path),
        cmocka_unit_test(test_engine_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
