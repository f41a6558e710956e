/* Tests for work over sweep points (netsurv/engine/work.h,
 * netsurv/engine/checkpoint.h):
 *
 *  4. work units: ns_work_share covers [0, total) and ns_work_run of shares
 *     that cut through points, folded per point, equals ns_engine_run of the
 *     point's scenario bit for bit;
 *  5. ns_run_fingerprint: what changes it and what does not;
 *  6. checkpoints: resume, a foreign fingerprint, a torn last record, a fresh
 *     start, removal. */
#include "sweep_fixtures.h"

/* ---------- 4. work units ---------- */

static void test_work_share(void **state)
{
    (void)state;
    for (int N = 1; N <= 7; N++)
        for (uint64_t total = 0; total <= 50; total++) {
            uint64_t next = 0, lo = UINT64_MAX, hi = 0;
            for (int k = 0; k < N; k++) {
                uint64_t w0, nw;
                ns_work_share(total, k, N, &w0, &nw);
                if (w0 != next)
                    fail_msg("share %d of %d of %llu starts at %llu, not %llu", k, N,
                             (unsigned long long)total, (unsigned long long)w0,
                             (unsigned long long)next);
                next = w0 + nw;
                lo = nw < lo ? nw : lo;
                hi = nw > hi ? nw : hi;
            }
            assert_int_equal(next, total);
            assert_true(hi - lo <= 1);
        }
}

static const char WORK_SWEEP[] =
    "\nsweep:\n"
    "  grid:\n"
    "    - path: modalities.mri.cost\n"
    "      values: [400, 900]\n"
    "    - path: " EVERY_PATH "\n"
    "      values: [2, 4]\n";

static void test_work_run(void **state)
{
    (void)state;
    char *text = default_with(WORK_SWEEP);
    ns_scenario *base = load_ok_string(text, NULL, 0);
    free(text);
    const uint64_t n = 3 * NS_UNIT_PATIENTS + 100, U = 4, P = 4;
    const int S = ns_tally_count(base);
    assert_int_equal(ns_engine_units(n), U);
    assert_int_equal(base->sweep.n_points, P);
    uint64_t total = ns_work_total(base, n);
    assert_int_equal(total, P * U);
    ns_engine_opts o = {.seed = 12345, .n = n};

    /* three shares of 5, 5 and 6 units: each cuts through a point */
    ns_strategy_tally *units = calloc(total * (uint64_t)S, sizeof *units);
    assert_non_null(units);
    memset(units, 0xa5, sizeof *units * total * (uint64_t)S); /* every byte must be written */
    ns_errors e;
    uint64_t next = 0;
    for (int k = 0; k < 3; k++) {
        uint64_t w0, nw;
        ns_work_share(total, k, 3, &w0, &nw);
        assert_int_equal(w0, next);
        assert_true(w0 % U != 0 || (w0 + nw) % U != 0);
        if (ns_work_run(base, &o, w0, nw, units + w0 * (uint64_t)S, &e)) {
            dump_errors(&e);
            fail_msg("ns_work_run of share %d failed", k);
        }
        next = w0 + nw;
    }
    assert_int_equal(next, total);

    ns_strategy_tally *folded = malloc(sizeof *folded * (size_t)S);
    ns_strategy_tally *direct = malloc(sizeof *direct * (size_t)S);
    ns_strategy_tally *first = malloc(sizeof *first * (size_t)S);
    assert_true(folded && direct && first);
    for (uint64_t p = 0; p < P; p++) {
        memset(folded, 0, sizeof *folded * (size_t)S);
        ns_engine_fold(S, units + p * U * (uint64_t)S, U, folded);
        ns_scenario *ps = load_point_ok(base, p);
        assert_int_equal(ns_engine_run(ps, &o, direct), 0);
        assert_int_equal(direct[0].n_patients, n);
        if (memcmp(folded, direct, sizeof *direct * (size_t)S) != 0)
            fail_msg("point %llu: folded work units differ from ns_engine_run",
                     (unsigned long long)p);
        /* the points differ where the swept values matter: not the same run 4 times */
        if (p == 0)
            memcpy(first, direct, sizeof *first * (size_t)S);
        else
            assert_true(memcmp(first, direct, sizeof *first * (size_t)S) != 0);
        assert_memory_equal(&first[0], &direct[0], sizeof *first); /* no_follow_up: no MRI */
        ns_scenario_free(ps);
    }

    /* one share of everything and the share of one point alone agree too */
    ns_strategy_tally *one = calloc(U * (uint64_t)S, sizeof *one);
    assert_non_null(one);
    assert_int_equal(ns_work_run(base, &o, 2 * U, U, one, &e), 0);
    assert_memory_equal(one, units + 2 * U * (uint64_t)S, sizeof *one * U * (uint64_t)S);
    free(one);
    free(first);
    free(folded);
    free(direct);
    free(units);
    ns_scenario_free(base);
}

/* ---------- 5. fingerprints ---------- */

static void test_fingerprint(void **state)
{
    (void)state;
    const char *set1[] = {"cohort.male_share=0.6"}, *set2[] = {"cohort.male_share=0.61"};
    ns_scenario *a = load_ok_with_sweep(DEFAULT_PATH, MRI_SWEEP_PATH, NULL, 0);
    ns_scenario *b = load_ok_with_sweep(DEFAULT_PATH, MRI_SWEEP_PATH, NULL, 0);
    ns_scenario *c = load_ok_with_sweep(DEFAULT_PATH, MRI_SWEEP_PATH, set1, 1);
    ns_scenario *c2 = load_ok_with_sweep(DEFAULT_PATH, MRI_SWEEP_PATH, set1, 1);
    ns_scenario *d = load_ok_with_sweep(DEFAULT_PATH, MRI_SWEEP_PATH, set2, 1);
    ns_scenario *none = load_ok_with_sweep(DEFAULT_PATH, NULL, NULL, 0);
    char file[64];
    char *w = read_all(MRI_SWEEP_PATH, NULL);
    char *w2 = cat(w, "# a comment changes the text\n");
    write_temp(file, w2);
    ns_scenario *f = load_ok_with_sweep(DEFAULT_PATH, file, NULL, 0);
    unlink(file);
    char *v = strstr(w, "[400, 600, 900]");
    assert_non_null(v);
    memcpy(v, "[400, 600, 901]", 15);
    write_temp(file, w);
    ns_scenario *g = load_ok_with_sweep(DEFAULT_PATH, file, NULL, 0);
    unlink(file);

    uint64_t fa = ns_run_fingerprint(a, 1, 70000);
    assert_true(fa == ns_run_fingerprint(a, 1, 70000));
    assert_true(fa == ns_run_fingerprint(b, 1, 70000)); /* identical inputs */
    assert_true(fa != ns_run_fingerprint(a, 2, 70000)); /* seed */
    assert_true(fa != ns_run_fingerprint(a, 1, 70001)); /* patients */
    assert_true(fa != ns_run_fingerprint(c, 1, 70000)); /* an override */
    assert_true(ns_run_fingerprint(c, 1, 70000) == ns_run_fingerprint(c2, 1, 70000));
    assert_true(ns_run_fingerprint(c, 1, 70000) != ns_run_fingerprint(d, 1, 70000));
    assert_true(fa != ns_run_fingerprint(none, 1, 70000)); /* no sweep */
    assert_true(fa != ns_run_fingerprint(f, 1, 70000));    /* the sweep text */
    assert_true(fa != ns_run_fingerprint(g, 1, 70000));
    assert_true(ns_run_fingerprint(f, 1, 70000) != ns_run_fingerprint(g, 1, 70000));

    /* the scenario as merge rebuilds it from a shard's texts: the same */
    ns_scenario *t = NULL;
    ns_errors e;
    assert_int_equal(ns_scenario_load_texts(c->path, c->text, c->sweep_path, c->sweep_text,
                                            set1, 1, &t, &e),
                     0);
    assert_true(ns_run_fingerprint(t, 1, 70000) == ns_run_fingerprint(c, 1, 70000));
    ns_scenario_free(t);

    ns_scenario *all[] = {a, b, c, c2, d, none, f, g};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        ns_scenario_free(all[i]);
    free(w);
    free(w2);
}

/* ---------- 6. checkpoints ---------- */

static void fill_tallies(ns_strategy_tally *t, int S, unsigned seed)
{
    unsigned char *b = (unsigned char *)t;
    for (size_t i = 0; i < sizeof *t * (size_t)S; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (unsigned char)(seed >> 16);
    }
    for (int k = 0; k < S; k++)
        t[k].n_patients = 1000; /* the run's patients per point (NP below) */
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_checkpoint(void **state)
{
    (void)state;
    enum { S = 3, P = 6, NP = 1000 };
    const uint64_t fp = 0x1234567890abcdefULL;
    char path[64], err[600];
    write_temp(path, "");
    unlink(path);
    ns_strategy_tally put1[S], put3[S], put5[S], got[S];
    fill_tallies(put1, S, 1);
    fill_tallies(put3, S, 3);
    fill_tallies(put5, S, 5);

    /* fresh: nothing done, the header on disk */
    ns_checkpoint *c = ns_checkpoint_open(path, fp, P, S, S, NP, 0, NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(ns_checkpoint_done(c), 0);
    long header = file_size(path);
    assert_true(header > 0);
    assert_int_equal(ns_checkpoint_get(c, 1, got), 0);
    assert_int_equal(ns_checkpoint_put(c, 1, put1), 0);
    long one_record = file_size(path) - header; /* on disk when put returns */
    assert_true(one_record >= (long)sizeof put1);
    assert_int_equal(ns_checkpoint_put(c, 3, put3), 0);
    assert_int_equal(ns_checkpoint_done(c), 2);
    assert_int_equal(ns_checkpoint_get(c, 3, got), 1);
    assert_memory_equal(got, put3, sizeof got);
    ns_checkpoint_close(c, 0);
    assert_int_equal(file_size(path), header + 2 * one_record);

    /* resume: what was put is read back */
    c = ns_checkpoint_open(path, fp, P, S, S, NP, 1, NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(ns_checkpoint_done(c), 2);
    memset(got, 0, sizeof got);
    assert_int_equal(ns_checkpoint_get(c, 1, got), 1);
    assert_memory_equal(got, put1, sizeof got);
    assert_int_equal(ns_checkpoint_get(c, 3, got), 1);
    assert_memory_equal(got, put3, sizeof got);
    assert_int_equal(ns_checkpoint_get(c, 0, got), 0);
    assert_int_equal(ns_checkpoint_get(c, 5, got), 0);
    assert_int_equal(ns_checkpoint_get(c, P, got), 0);
    assert_int_equal(ns_checkpoint_put(c, 5, put5), 0);
    assert_int_equal(ns_checkpoint_done(c), 3);
    ns_checkpoint_close(c, 0);

    /* another run's checkpoint is refused with a message, and left as it was */
    long before = file_size(path);
    struct {
        uint64_t fp, P;
        int S;
        uint64_t np;
    } other[] = {{fp ^ 1, P, S, NP}, {fp, P + 1, S, NP}, {fp, P, S + 1, NP}, {fp, P, S, NP + 1}};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        err[0] = '\0';
        int refused = 0;
        c = ns_checkpoint_open(path, other[i].fp, other[i].P, other[i].S, other[i].S,
                               other[i].np, 1, &refused, err, sizeof err);
        assert_null(c);
        assert_int_equal(refused, 1); /* input to refuse (exit 2), not a failed run */
        assert_non_null(strstr(err, path));
        assert_non_null(strstr(err, "another run"));
        assert_int_equal(file_size(path), before);
    }

    /* a torn last record (killed mid-write) is ignored, and dropped from the file */
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    uint64_t p4 = 4;
    assert_int_equal(fwrite(&p4, sizeof p4, 1, f), 1);
    assert_int_equal(fwrite(put5, sizeof put5[0], 1, f), 1); /* 1 of S tallies */
    fclose(f);
    c = ns_checkpoint_open(path, fp, P, S, S, NP, 1, NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(ns_checkpoint_done(c), 3);
    assert_int_equal(ns_checkpoint_get(c, 4, got), 0);
    assert_int_equal(ns_checkpoint_get(c, 5, got), 1);
    assert_memory_equal(got, put5, sizeof got);
    assert_int_equal(file_size(path), header + 3 * one_record);
    ns_checkpoint_close(c, 0);
    /* torn inside the point number */
    f = fopen(path, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite(&p4, 3, 1, f), 1);
    fclose(f);
    c = ns_checkpoint_open(path, fp, P, S, S, NP, 1, NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(ns_checkpoint_done(c), 3);
    ns_checkpoint_close(c, 0);

    /* one flipped bit anywhere in a whole record or the header: refused as
     * damaged, never resumed with other numbers */
    long whole = file_size(path);
    for (long at = 0; at < whole; at += 37) {
        FILE *g = fopen(path, "r+b");
        assert_non_null(g);
        fseek(g, at, SEEK_SET);
        int ch = fgetc(g);
        fseek(g, at, SEEK_SET);
        fputc(ch ^ 0x10, g);
        fclose(g);
        err[0] = '\0';
        c = ns_checkpoint_open(path, fp, P, S, S, NP, 1, NULL, err, sizeof err);
        if (c)
            fail_msg("a checkpoint with byte %ld flipped was resumed", at);
        assert_non_null(strstr(err, path));
        assert_true(strstr(err, "damaged") || strstr(err, "another run"));
        g = fopen(path, "r+b");
        fseek(g, at, SEEK_SET);
        fputc(ch, g);
        fclose(g);
    }
    /* a record of no patients (with a valid checksum) is damage too */
    c = ns_checkpoint_open(path, fp, P, S, S, NP, 1, NULL, err, sizeof err);
    assert_non_null(c);
    ns_strategy_tally zero[S];
    fill_tallies(zero, S, 7);
    zero[1].n_patients = 0;
    assert_int_equal(ns_checkpoint_put(c, 2, zero), 0);
    ns_checkpoint_close(c, 0);
    c = ns_checkpoint_open(path, fp, P, S, S, NP, 1, NULL, err, sizeof err);
    assert_null(c);
    assert_non_null(strstr(err, "point 2"));

    /* without resume: started afresh */
    c = ns_checkpoint_open(path, fp, P, S, S, NP, 0, NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(ns_checkpoint_done(c), 0);
    assert_int_equal(ns_checkpoint_get(c, 1, got), 0);
    assert_int_equal(file_size(path), header);
    ns_checkpoint_close(c, 0);
    c = ns_checkpoint_open(path, fp, P, S, S, NP, 1, NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(ns_checkpoint_done(c), 0);

    /* close with remove: gone */
    ns_checkpoint_close(c, 1);
    assert_int_equal(access(path, F_OK), -1);
    /* resume without a file: a fresh start */
    c = ns_checkpoint_open(path, fp, P, S, S, NP, 1, NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(ns_checkpoint_done(c), 0);
    ns_checkpoint_close(c, 1);
    assert_int_equal(access(path, F_OK), -1);

    /* a directory that does not exist: an error, not a crash */
    err[0] = '\0';
    c = ns_checkpoint_open("/nonexistent/dir/ck", fp, P, S, S, NP, 0, NULL, err, sizeof err);
    assert_null(c);
    assert_non_null(strstr(err, "/nonexistent/dir/ck"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_work_share),
        cmocka_unit_test(test_work_run),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_checkpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
