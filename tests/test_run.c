/* End-to-end tests of `netsurv run` (the binary NETSURV_BINARY):
 *
 *  - the HDF5 output: provenance, the scenario text, the summary (one row per
 *    strategy, counts that add up) and the per-patient columns (n rows, the
 *    documented names, row i = patient i as the library plays it); read with
 *    the HDF5 C API, with h5dump -H, and with h5py when /usr/bin/python3 has it
 *    (tests/fixtures/run_check_h5.py);
 *  - the same file, bit for bit, with 1 and 2 threads.
 * Every run happens in a fresh directory from mkdtemp, removed at the end. */
#include "run_fixtures.h"

#define CHECK_PY NETSURV_SOURCE_DIR "/tests/fixtures/run_check_h5.py"
#define PYTHON "/usr/bin/python3"

/* A shell command's exit status (127 when it could not run). */
static int sh(const char *cmd)
{
    fflush(NULL);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 127;
}

/* A string attribute (variable or fixed length) of obj; NULL if absent. */
static char *attr_string(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = H5Aget_type(a);
    char *out = NULL;
    assert_int_equal(H5Tget_class(t), H5T_STRING);
    if (H5Tis_variable_str(t) > 0) {
        char *v = NULL;
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(t));
        assert_true(H5Aread(a, mt, &v) >= 0);
        out = strdup(v ? v : "");
        H5free_memory(v);
        H5Tclose(mt);
    } else {
        size_t n = H5Tget_size(t);
        out = calloc(n + 1, 1);
        assert_true(H5Aread(a, t, out) >= 0);
    }
    H5Tclose(t);
    H5Aclose(a);
    return out;
}

/* A 1-D dataset read as memory type mt; *n its length (fails if absent). */
static void *read_column(hid_t f, const char *name, hid_t mt, hsize_t *n)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
        fail_msg("dataset %s missing", name);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_ndims(sp), 1);
    H5Sget_simple_extent_dims(sp, n, NULL);
    void *buf = malloc((size_t)*n * H5Tget_size(mt) + 1);
    assert_non_null(buf);
    assert_true(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    return buf;
}

static double *read_doubles(hid_t f, const char *name, hsize_t want)
{
    hsize_t n;
    double *v = read_column(f, name, H5T_NATIVE_DOUBLE, &n);
    if (n != want)
        fail_msg("%s has %llu rows, expected %llu", name, (unsigned long long)n,
                 (unsigned long long)want);
    return v;
}

/* The strings of a 1-D string dataset. */
static char **read_strings(hid_t f, const char *name, hsize_t *n)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0)
        fail_msg("dataset %s missing", name);
    hid_t sp = H5Dget_space(d), t = H5Dget_type(d);
    assert_int_equal(H5Tget_class(t), H5T_STRING);
    assert_true(H5Tis_variable_str(t) > 0);
    H5Sget_simple_extent_dims(sp, n, NULL);
    char **v = calloc((size_t)*n + 1, sizeof *v);
    assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    for (hsize_t i = 0; i < *n; i++) {
        char *c = strdup(v[i]);
        H5free_memory(v[i]);
        v[i] = c;
    }
    H5Tclose(t);
    H5Sclose(sp);
    H5Dclose(d);
    return v;
}

/* Every dataset of a file, by name. */
typedef struct {
    int n;
    char name[2048][160];
} object_list;

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *ctx)
{
    (void)info;
    object_list *l = ctx;
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o >= 0 && H5Iget_type(o) == H5I_DATASET && l->n < 2048)
        snprintf(l->name[l->n++], sizeof l->name[0], "%s", name);
    if (o >= 0)
        H5Oclose(o);
    return 0;
}

static object_list *datasets(hid_t f)
{
    object_list *l = calloc(1, sizeof *l);
    assert_non_null(l);
    assert_true(H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, collect, l) >= 0);
    return l;
}

/* The stored values of dataset `name` of f as bytes (strings as their
 * text, NUL-separated); *len their length, *type_out its file type. */
static unsigned char *dataset_bytes(hid_t f, const char *name, size_t *len, hid_t *type_out)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), sp = H5Dget_space(d), t = H5Dget_type(d);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    unsigned char *out;
    if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
        char **v = calloc((size_t)n + 1, sizeof *v);
        assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
        size_t total = 1;
        for (hssize_t i = 0; i < n; i++)
            total += strlen(v[i]) + 1;
        out = malloc(total);
        size_t pos = 0;
        for (hssize_t i = 0; i < n; i++) {
            memcpy(out + pos, v[i], strlen(v[i]) + 1);
            pos += strlen(v[i]) + 1;
        }
        *len = pos;
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, v);
        free(v);
    } else {
        *len = (size_t)n * H5Tget_size(t);
        out = malloc(*len + 1);
        assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0);
    }
    *type_out = t;
    H5Sclose(sp);
    H5Dclose(d);
    return out;
}

/* The scenario (default), for strategy names and replaying patients. */
static int have_h5py(void)
{
    return access(PYTHON, X_OK) == 0 && sh(PYTHON " -c 'import h5py' >/dev/null 2>&1") == 0;
}

/* ---------- 1. the output file ---------- */

#define N_LAYOUT 70123u /* two waves, the second one partial */
#define SEED_LAYOUT 97u

static const char *const patient_columns[] = {"size_mm", "grade", "lvi_true", "lvi_reported",
                                              "margin", "has_metastasis", "onset_time",
                                              "death_time"};
static const char *const outcome_columns[] = {"detection_time", "detection_route", "cost",
                                              "n_tests", "missed", "missed_reason"};
static const char *const miss_datasets[] = {"missed_not_followed", "missed_between_visits",
                                            "missed_false_negative", "missed_after_schedule",
                                            "missed_missed_visit"};
static const char *const mean_datasets[] = {"mean_detection_time", "mean_detection_delay",
                                            "mean_cost", "mean_tests", "mean_false_positives",
                                            "mean_radiation_msv"};

static void test_output_layout(void **state)
{
    (void)state;
    char *dir = make_dir();
    char out[4200], log[4200], cmd[8800], nbuf[32], seedbuf[32];
    snprintf(out, sizeof out, "%s/out.h5", dir);
    snprintf(log, sizeof log, "%s/../%s.log", dir, strrchr(dir, '/') + 1);
    snprintf(nbuf, sizeof nbuf, "%u", N_LAYOUT);
    snprintf(seedbuf, sizeof seedbuf, "%u", SEED_LAYOUT);
    int rc = netsurv_run(log, "-n", nbuf, "--seed", seedbuf, "--per-patient", "-q", "-o", out,
                         (char *)NULL);
    if (rc != 0) {
        char *l = read_all(log, NULL);
        fail_msg("netsurv run exited %d: %s", rc, l);
    }
    unlink(log);
    /* only the output is left in the directory */
    assert_true(exists(out));
    assert_int_equal(count_entries(dir, NULL), 1);

    /* readable by the HDF5 tools */
    if (sh("command -v h5dump >/dev/null 2>&1") == 0) {
        snprintf(cmd, sizeof cmd, "h5dump -H '%s' >/dev/null 2>&1", out);
        assert_int_equal(sh(cmd), 0);
    } else
        print_message("    h5dump not found: skipping h5dump -H\n");

    ns_scenario *s = load_default_file();
    int S = s->n_strategies;
    hid_t f = open_h5(out);

    /* provenance */
    const char *root_text[] = {"netsurv_version", "git_revision", "command_line", "created"};
    for (size_t i = 0; i < sizeof root_text / sizeof *root_text; i++) {
        char *v = attr_string(f, root_text[i]);
        if (!v || !*v)
            fail_msg("root attribute %s missing or empty", root_text[i]);
        free(v);
    }
    char *version = attr_string(f, "netsurv_version");
    assert_string_equal(version, NETSURV_VERSION);
    free(version);
    char *cl = attr_string(f, "command_line");
    assert_non_null(strstr(cl, "--per-patient"));
    free(cl);
    assert_true(attr_u64(f, "seed") == SEED_LAYOUT);
    assert_true(attr_u64(f, "n_patients") == N_LAYOUT);

    /* the scenario text, as read */
    hsize_t one;
    char **scen = read_strings(f, "scenario", &one);
    char *want = read_all(DEFAULT_PATH, NULL);
    assert_string_equal(scen[0], want);
    free(want);
    free(scen[0]);
    free(scen);

    /* every dataset has a description and units */
    object_list *l = datasets(f);
    assert_true(l->n > 100);
    for (int i = 0; i < l->n; i++) {
        hid_t d = H5Dopen2(f, l->name[i], H5P_DEFAULT);
        char *desc = attr_string(d, "description"), *units = attr_string(d, "units");
        if (!desc || !*desc || !units || !*units)
            fail_msg("%s: description or units missing", l->name[i]);
        free(desc);
        free(units);
        H5Dclose(d);
    }
    free(l);

    /* summary: one row per strategy, in scenario order */
    hsize_t ns;
    char **names = read_strings(f, "summary/strategy", &ns);
    assert_int_equal((int)ns, S);
    for (int k = 0; k < S; k++)
        assert_string_equal(names[k], s->strategy[k].name);
    char p[256];
    /* counts are stored as unsigned 64-bit integers, and every index dataset says its base */
    const char *counts[] = {"summary/n_patients", "summary/n_metastases", "summary/n_missed",
                            "summary/missed_not_followed", "summary/n_metastasis_deaths"};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        hid_t d = H5Dopen2(f, counts[c], H5P_DEFAULT), ty = H5Dget_type(d);
        if (H5Tget_class(ty) != H5T_INTEGER || H5Tget_size(ty) != 8 || H5Tget_sign(ty) != H5T_SGN_NONE)
            fail_msg("%s is not stored as uint64", counts[c]);
        H5Tclose(ty);
        H5Dclose(d);
    }
    const char *indices[] = {"economics/order", "economics/reference"};
    for (size_t c = 0; c < sizeof indices / sizeof *indices; c++) {
        hid_t d = H5Dopen2(f, indices[c], H5P_DEFAULT);
        char *desc = attr_string(d, "description");
        if (!desc || !strstr(desc, "0-based"))
            fail_msg("%s: the description does not say 0-based: %s", indices[c], desc ? desc : "");
        free(desc);
        H5Dclose(d);
    }
    double *n_met = read_doubles(f, "summary/n_metastases", (hsize_t)S);
    double *n_surv = read_doubles(f, "summary/n_detected_surveillance", (hsize_t)S);
    double *n_missed = read_doubles(f, "summary/n_missed", (hsize_t)S);
    double *miss[5];
    for (int r = 0; r < 5; r++) {
        snprintf(p, sizeof p, "summary/%s", miss_datasets[r]);
        miss[r] = read_doubles(f, p, (hsize_t)S);
    }
    for (size_t m = 0; m < sizeof mean_datasets / sizeof *mean_datasets; m++) {
        const char *suffix[] = {"", "_ci_low", "_ci_high"};
        double *v[3];
        for (int j = 0; j < 3; j++) {
            snprintf(p, sizeof p, "summary/%s%s", mean_datasets[m], suffix[j]);
            v[j] = read_doubles(f, p, (hsize_t)S);
        }
        for (int k = 0; k < S; k++)
            if (!isnan(v[0][k]) && !(v[1][k] <= v[0][k] && v[0][k] <= v[2][k]))
                fail_msg("%s of %s: %g outside its interval [%g, %g]", mean_datasets[m],
                         names[k], v[0][k], v[1][k], v[2][k]);
        for (int j = 0; j < 3; j++)
            free(v[j]);
    }

    /* the same numbers as the library's engine */
    ns_strategy_tally *t = calloc((size_t)ns_tally_count(s), sizeof *t);
    assert_non_null(t);
    ns_engine_opts eo = {.seed = SEED_LAYOUT, .n = N_LAYOUT, .threads = 1};
    assert_int_equal(ns_engine_run(s, &eo, t), 0);
    double *mean_delay = read_doubles(f, "summary/mean_detection_delay", (hsize_t)S);
    double *mean_cost = read_doubles(f, "summary/mean_cost", (hsize_t)S);
    for (int k = 0; k < S; k++) {
        double sum = 0, m, lo, hi;
        for (int r = 0; r < 5; r++)
            sum += miss[r][k];
        assert_true(n_missed[k] == sum);
        assert_true(n_met[k] == (double)t[k].n_metastases);
        assert_true(n_surv[k] == (double)t[k].n_route[NS_ROUTE_SURVEILLANCE]);
        assert_true(n_missed[k] == (double)t[k].n_missed);
        assert_true(n_surv[k] + n_missed[k] == n_met[k]);
        ns_acc_mean(&t[k].detection_delay, &m, &lo, &hi);
        assert_true(mean_delay[k] == m || (isnan(m) && isnan(mean_delay[k])));
        ns_acc_mean(&t[k].cost, &m, &lo, &hi);
        assert_true(mean_cost[k] == m);
    }
    free(mean_delay);
    free(mean_cost);

    /* per-patient columns: n rows each; row i is patient i */
    float *pcol[8];
    for (int c = 0; c < 8; c++) {
        hsize_t n;
        snprintf(p, sizeof p, "patients/%s", patient_columns[c]);
        pcol[c] = read_column(f, p, H5T_NATIVE_FLOAT, &n);
        assert_true(n == N_LAYOUT);
    }
    ns_patient *pats = malloc(sizeof *pats * N_LAYOUT);
    assert_non_null(pats);
    for (uint64_t i = 0; i < N_LAYOUT; i++) {
        ns_history_draw(s, SEED_LAYOUT, i, &pats[i]);
        const ns_patient *q = &pats[i];
        if (pcol[0][i] != (float)q->size_mm || pcol[1][i] != q->grade ||
            pcol[2][i] != q->lvi_true || pcol[3][i] != q->lvi_reported ||
            pcol[4][i] != q->margin || pcol[5][i] != q->has_metastasis ||
            pcol[6][i] != (float)q->onset || pcol[7][i] != (float)q->death_time)
            fail_msg("/patients row %llu is not patient %llu", (unsigned long long)i,
                     (unsigned long long)i);
    }
    for (int c = 0; c < 8; c++)
        free(pcol[c]);
    for (int k = 0; k < S; k++) {
        float *ocol[6];
        for (int c = 0; c < 6; c++) {
            hsize_t n;
            snprintf(p, sizeof p, "patients/%s/%s", s->strategy[k].name, outcome_columns[c]);
            ocol[c] = read_column(f, p, H5T_NATIVE_FLOAT, &n);
            assert_true(n == N_LAYOUT);
        }
        uint64_t missed = 0, surv = 0, reason[NS_NMISS] = {0};
        for (uint64_t i = 0; i < N_LAYOUT; i++) {
            ns_outcome o;
            ns_strategy_play(s, k, &pats[i], &o);
            float cost = (float)(o.cost_surveillance + o.cost_workup + o.cost_treatment);
            if (ocol[0][i] != (float)o.detection_time || ocol[1][i] != o.route ||
                ocol[2][i] != cost || ocol[3][i] != o.n_tests || ocol[4][i] != o.missed ||
                ocol[5][i] != o.missed_reason)
                fail_msg("/patients/%s row %llu differs from the library's outcome",
                         s->strategy[k].name, (unsigned long long)i);
            missed += ocol[4][i] != 0;
            surv += ocol[1][i] == NS_ROUTE_SURVEILLANCE;
            reason[(int)ocol[5][i]]++;
        }
        assert_true((double)missed == n_missed[k]);
        assert_true((double)surv == n_surv[k]);
        for (int r = 0; r < 5; r++)
            assert_true((double)reason[r + 1] == miss[r][k]);
        for (int c = 0; c < 6; c++)
            free(ocol[c]);
    }
    free(pats);
    free(t);
    free(n_met);
    free(n_surv);
    free(n_missed);
    for (int r = 0; r < 5; r++)
        free(miss[r]);
    for (int k = 0; k < S; k++)
        free(names[k]);
    free(names);
    H5Fclose(f);

    /* as a user of h5py reads it */
    if (have_h5py()) {
        snprintf(cmd, sizeof cmd, PYTHON " '%s' '%s' %u '%s'", CHECK_PY, out, N_LAYOUT,
                 DEFAULT_PATH);
        assert_int_equal(sh(cmd), 0);
    } else
        print_message("    " PYTHON " with h5py not found: skipping the h5py check\n");
    ns_scenario_free(s);
    remove_dir(dir);
}

/* ---------- 2. 1 and 2 threads write the same file ---------- */

#define N_THREADS_RUN "150000"

static void test_threads_same_file(void **state)
{
    (void)state;
    char *dir = make_dir();
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/A.h5", dir);
    snprintf(b, sizeof b, "%s/B.h5", dir);
    double t0 = now();
    assert_int_equal(netsurv_run(NULL, "-n", N_THREADS_RUN, "--per-patient", "--threads", "1",
                                 "-q", "-o", a, (char *)NULL),
                     0);
    double t1 = now();
    assert_int_equal(netsurv_run(NULL, "-n", N_THREADS_RUN, "--per-patient", "--threads", "2",
                                 "-q", "-o", b, (char *)NULL),
                     0);
    print_message("    %s patients per patient: %.2f s on 1 thread, %.2f s on 2\n",
                  N_THREADS_RUN, t1 - t0, now() - t1);
    hid_t fa = open_h5(a), fb = open_h5(b);
    object_list *la = datasets(fa), *lb = datasets(fb);
    assert_int_equal(la->n, lb->n);
    int compared = 0;
    for (int i = 0; i < la->n; i++) {
        assert_string_equal(la->name[i], lb->name[i]);
        size_t na, nb;
        hid_t ta, tb;
        unsigned char *da = dataset_bytes(fa, la->name[i], &na, &ta);
        unsigned char *db = dataset_bytes(fb, lb->name[i], &nb, &tb);
        if (H5Tequal(ta, tb) <= 0 || na != nb || memcmp(da, db, na) != 0)
            fail_msg("%s differs between 1 and 2 threads", la->name[i]);
        H5Tclose(ta);
        H5Tclose(tb);
        free(da);
        free(db);
        compared++;
        /* and the dataset attributes */
        hid_t xa = H5Dopen2(fa, la->name[i], H5P_DEFAULT), xb = H5Dopen2(fb, la->name[i], H5P_DEFAULT);
        const char *attrs[] = {"description", "units", "labels"};
        for (int j = 0; j < 3; j++) {
            char *va = attr_string(xa, attrs[j]), *vb = attr_string(xb, attrs[j]);
            assert_true((va == NULL) == (vb == NULL));
            if (va)
                assert_string_equal(va, vb);
            free(va);
            free(vb);
        }
        H5Dclose(xa);
        H5Dclose(xb);
    }
    /* the root attributes, except when and how the run was started */
    const char *same[] = {"netsurv_version", "git_revision", "scenario_name", "scenario_path",
                          "hdf5_version"};
    for (size_t j = 0; j < sizeof same / sizeof *same; j++) {
        char *va = attr_string(fa, same[j]), *vb = attr_string(fb, same[j]);
        assert_non_null(va);
        assert_non_null(vb);
        assert_string_equal(va, vb);
        free(va);
        free(vb);
    }
    assert_true(attr_u64(fa, "seed") == attr_u64(fb, "seed"));
    assert_true(attr_u64(fa, "n_patients") == 150000 && attr_u64(fb, "n_patients") == 150000);
    print_message("    %d datasets identical\n", compared);
    assert_true(compared > 100);
    free(la);
    free(lb);
    H5Fclose(fa);
    H5Fclose(fb);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_output_layout),
        cmocka_unit_test(test_threads_same_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
