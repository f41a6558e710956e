/* End-to-end tests of what `netsurv run` leaves on disk (the binary
 * NETSURV_BINARY):
 *
 *  - an existing output is refused (exit 2, untouched) without --force and
 *    replaced with it;
 *  - a run stopped by SIGTERM or SIGINT leaves neither the output nor its
 *    temporary file; one killed by SIGKILL leaves no output;
 *  - bad usage and bad scenarios exit 2 and write nothing.
 * Every run happens in a fresh directory from mkdtemp, removed at the end. */
#include "run_fixtures.h"

/* ---------- helpers: files and processes ---------- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

/* ---------- 3. an existing output ---------- */

static void test_existing_output(void **state)
{
    (void)state;
    char *dir = make_dir();
    char out[4200], log[4200];
    snprintf(out, sizeof out, "%s/exists.h5", dir);
    snprintf(log, sizeof log, "%s/../%s.log", dir, strrchr(dir, '/') + 1);
    const char *precious = "precious results: not to be overwritten\n";
    write_file(out, precious);
    struct stat st0, st1;
    assert_int_equal(stat(out, &st0), 0);
    int rc = netsurv_run(log, "-n", "1000", "-q", "-o", out, (char *)NULL);
    char *l = read_all(log, NULL);
    if (rc != 2 || !strstr(l, "--force"))
        fail_msg("exit %d (expected 2), output: %s", rc, l);
    free(l);
    size_t len;
    char *now_text = read_all(out, &len);
    assert_true(len == strlen(precious));
    assert_memory_equal(now_text, precious, len);
    free(now_text);
    assert_int_equal(stat(out, &st1), 0);
    assert_true(st0.st_ino == st1.st_ino && st0.st_mtime == st1.st_mtime);
    assert_int_equal(count_entries(dir, NULL), 1);
    /* also with --per-patient */
    rc = netsurv_run(log, "-n", "1000", "--per-patient", "-o", out, (char *)NULL);
    assert_int_equal(rc, 2);
    now_text = read_all(out, &len);
    assert_memory_equal(now_text, precious, strlen(precious));
    free(now_text);

    /* --force replaces it */
    rc = netsurv_run(log, "-n", "1000", "-q", "--force", "-o", out, (char *)NULL);
    assert_int_equal(rc, 0);
    hid_t f = open_h5(out);
    assert_true(attr_u64(f, "n_patients") == 1000);
    H5Fclose(f);
    assert_int_equal(count_entries(dir, NULL), 1);
    /* and a second time, over an HDF5 file */
    rc = netsurv_run(log, "-n", "2000", "-q", "--force", "--per-patient", "-o", out, (char *)NULL);
    assert_int_equal(rc, 0);
    f = open_h5(out);
    assert_true(attr_u64(f, "n_patients") == 2000);
    H5Fclose(f);
    assert_int_equal(count_entries(dir, NULL), 1);
    unlink(log);
    remove_dir(dir);
}

/* ---------- 4. stopped runs ---------- */

/* Starts a long run into dir/X.h5, waits until it writes its temporary file
 * and then `wait_s` more, sends `sig`, and checks what is left. */
static void interrupted_run(int sig, int per_patient, double wait_s)
{
    char *dir = make_dir();
    char out[4200];
    snprintf(out, sizeof out, "%s/X.h5", dir);
    char *argv[] = {(char *)NETSURV_BINARY, (char *)"run", (char *)"-n", (char *)"50000000",
                    (char *)"-q", (char *)"-o", out,
                    per_patient ? (char *)"--per-patient" : NULL, NULL};
    pid_t pid = spawn(argv, NULL);
    double t0 = now();
    while (count_entries(dir, ".X.h5.netsurv-") == 0 && now() - t0 < 30)
        sleep_s(0.01);
    assert_int_equal(count_entries(dir, ".X.h5.netsurv-"), 1);
    sleep_s(wait_s);
    int st;
    if (waitpid(pid, &st, WNOHANG) != 0)
        fail_msg("the run ended before signal %d was sent", sig);
    assert_int_equal(kill(pid, sig), 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (sig == SIGKILL) {
        assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        /* the temporary file stays, the output is never there */
        assert_false(exists(out));
    } else {
        /* the handler removes the temporary file and exits 128 + signal */
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == 128 + sig) &&
            !(WIFSIGNALED(st) && WTERMSIG(st) == sig))
            fail_msg("status %#x after signal %d", st, sig);
        assert_false(exists(out));
        if (count_entries(dir, NULL) != 0)
            fail_msg("%d file(s) left in %s after signal %d", count_entries(dir, NULL), dir, sig);
    }
    remove_dir(dir);
}

static void test_sigterm(void **state)
{
    (void)state;
    interrupted_run(SIGTERM, 1, 1.5);
}

static void test_sigint(void **state)
{
    (void)state;
    interrupted_run(SIGINT, 1, 1.5);
    interrupted_run(SIGINT, 0, 0.5);
}

static void test_sigkill(void **state)
{
    (void)state;
    interrupted_run(SIGKILL, 1, 1.5);
}

/* ---------- 5. bad usage writes nothing ---------- */

static void test_bad_usage(void **state)
{
    (void)state;
    char *dir = make_dir();
    char out[4200], bad[4200], log[4200];
    snprintf(out, sizeof out, "%s/out.h5", dir);
    snprintf(bad, sizeof bad, "%s/bad.yaml", dir);
    snprintf(log, sizeof log, "%s/../%s.log", dir, strrchr(dir, '/') + 1);
    /* no -o */
    assert_int_equal(netsurv_run(log, "-n", "10", (char *)NULL), 2);
    /* bad numbers */
    assert_int_equal(netsurv_run(log, "-n", "0", "-o", out, (char *)NULL), 2);
    assert_int_equal(netsurv_run(log, "-n", "10", "--threads", "0", "-o", out, (char *)NULL), 2);
    /* a bad scenario: exit 2 with FILE:LINE:COLUMN, no output, no temporary */
    char *d = read_all(DEFAULT_PATH, NULL);
    const char *from = "{every: 1, from: 1, to: 5, tests: [ct]}";
    char *at = strstr(d, from);
    assert_non_null(at);
    size_t off = (size_t)(at - d);
    char *t = malloc(strlen(d) + 16);
    assert_non_null(t);
    memcpy(t, d, off);
    strcpy(t + off, "{every: 1, from: 1, to: 5, tests: [petct]}");
    strcat(t, at + strlen(from));
    write_file(bad, t);
    assert_int_equal(netsurv_run(log, bad, "-n", "10", "-o", out, (char *)NULL), 2);
    char *l = read_all(log, NULL);
    char want[4400];
    int line = 1;
    for (const char *q = t; q < t + off; q++)
        line += *q == '\n';
    snprintf(want, sizeof want, "%s:%d:", bad, line);
    if (!strstr(l, want) || !strstr(l, "unknown modality 'petct'"))
        fail_msg("expected '%s... unknown modality' in: %s", want, l);
    free(l);
    free(t);
    free(d);
    unlink(bad);
    unlink(log);
    assert_int_equal(count_entries(dir, NULL), 0);
    /* an output directory that does not exist: exit 1, nothing written */
    char nodir[4300];
    snprintf(nodir, sizeof nodir, "%s/no/such/dir/out.h5", dir);
    assert_int_equal(netsurv_run(NULL, "-n", "10", "-q", "-o", nodir, (char *)NULL), 1);
    assert_int_equal(count_entries(dir, NULL), 0);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_existing_output),
        cmocka_unit_test(test_sigterm),
        cmocka_unit_test(test_sigint),
        cmocka_unit_test(test_sigkill),
        cmocka_unit_test(test_bad_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
