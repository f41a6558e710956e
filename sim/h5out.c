/* HDF5 output (see include/netsurv/h5out.h for the layout). */
#include "netsurv/h5out.h"
#include "netsurv/econ.h"
#include "netsurv/psa.h"

#include <hdf5.h>
#include <math.h>
#include <libdeflate.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One chunk per column per wave: each wave's chunks are compressed in
 * parallel by the project (shuffle + deflate, exactly the filters the
 * datasets declare) and written with H5Dwrite_chunk. */
#define CHUNK 65536
_Static_assert(CHUNK == NS_BLOCK * NS_WAVE_BLOCKS, "a wave must be one chunk");
#define DEFLATE_LEVEL 1

/* A per-patient field: where it goes, how it is stored, what it means. */
typedef enum { F_F32, F_U8, F_U16 } ftype;
enum { SRC_F64, SRC_U8, SRC_U16 }; /* the member's type in ns_patient / ns_outcome */
typedef struct {
    const char *name;
    ftype type;
    const char *description, *units, *labels;
    size_t off;
    int src;
} field;
#define PF(m, t) offsetof(ns_patient, m), t
#define OF(m, t) offsetof(ns_outcome, m), t

enum { P_AGE, P_SEX, P_SIZE, P_GRADE, P_DEPTH, P_LVI_TRUE, P_LVI_REP, P_METHOD, P_MARGIN,
       P_HAS_MET, P_SITE, P_P_MET, P_ONSET, P_SYMPTOM, P_INCIDENTAL, P_HAS_RES, P_RES_TIME,
       P_DEATH, P_NFIELDS };
static const field patient_fields[P_NFIELDS] = {
    {"age", F_F32, "age at resection", "years", NULL, PF(age, SRC_F64)},
    {"sex", F_U8, "sex", "code", "female,male", PF(sex, SRC_U8)},
    {"size_mm", F_F32, "tumour diameter", "mm", NULL, PF(size_mm, SRC_F64)},
    {"grade", F_U8, "WHO grade (Ki-67)", "code", "G1,G2,G3", PF(grade, SRC_U8)},
    {"depth", F_U8, "depth of invasion", "code", "submucosa,muscularis", PF(muscularis, SRC_U8)},
    {"lvi_true", F_U8, "lymphovascular invasion, true", "boolean", "no,yes", PF(lvi_true, SRC_U8)},
    {"lvi_reported", F_U8, "lymphovascular invasion, as reported", "boolean", "no,yes", PF(lvi_reported, SRC_U8)},
    {"method", F_U8, "resection method (index into /patients/method attribute labels)", "code",
     NULL, PF(method, SRC_U8)},
    {"margin", F_U8, "resection margin", "code", "R0,R1,Rx", PF(margin, SRC_U8)},
    {"has_metastasis", F_U8, "occult metastasis present at resection (hidden truth)", "boolean",
     "no,yes", PF(has_metastasis, SRC_U8)},
    {"site", F_U8, "site of the first detectable deposit", "code", "nodal,liver", PF(site, SRC_U8)},
    {"p_metastasis", F_F32, "probability of metastasis from the logistic model", "probability",
     NULL, PF(p_metastasis, SRC_F64)},
    {"onset_time", F_F32, "time the metastasis became detectable (inf: none)",
     "years after resection", NULL, PF(onset, SRC_F64)},
    {"symptom_time", F_F32, "time the metastasis would cause symptoms (inf: none)",
     "years after resection", NULL, PF(symptom_time, SRC_F64)},
    {"incidental_time", F_F32, "time imaging for other reasons would find it (inf: none)",
     "years after resection", NULL, PF(incidental_time, SRC_F64)},
    {"has_residual", F_U8, "local residual tumour at the scar (hidden truth)", "boolean",
     "no,yes", PF(has_residual, SRC_U8)},
    {"residual_time", F_F32, "time the local regrowth becomes visible (inf: none)",
     "years after resection", NULL, PF(residual_time, SRC_F64)},
    {"death_time", F_F32, "death from other causes (before any strategy)", "years after resection",
     NULL, PF(death_time, SRC_F64)},
};

/* Per strategy; the delay (detection_time - onset_time) and the death time
 * (the patient's unless operative_death) follow from other columns. */
enum { O_RULE, O_DET, O_ROUTE, O_BURDEN, O_RESECT, O_COST, O_COST_D, O_TESTS, O_FP, O_RAD,
       O_MISSED, O_REASON, O_LOCAL, O_DEATH, O_CAUSE, O_QALY_D, O_NFIELDS };
static const field outcome_fields[O_NFIELDS] = {
    {"rule", F_U8, "rule of the strategy that the report matched", "code", NULL, OF(rule, SRC_U8)},
    {"detection_time", F_F32, "metastasis found, any route (inf: never); the delay from "
     "detectable is detection_time - /patients/onset_time", "years after resection", NULL, OF(detection_time, SRC_F64)},
    {"detection_route", F_U8, "how the metastasis was found", "code",
     "never,surveillance,symptoms,incidental", OF(route, SRC_U8)},
    {"burden_mm", F_F32, "largest deposit at detection (0: none)", "mm", NULL, OF(burden_mm, SRC_F64)},
    {"resectable", F_U8, "metastasis resectable when found", "boolean", "no,yes", OF(resectable, SRC_U8)},
    {"cost", F_F32, "all costs, undiscounted", "USD", NULL, OF(cost, SRC_F64)},
    {"cost_discounted", F_F32, "all costs, discounted to resection", "USD", NULL, OF(cost_discounted, SRC_F64)},
    {"n_tests", F_U16, "surveillance tests done", "count", NULL, OF(n_tests, SRC_U16)},
    {"false_positives", F_U16, "positive tests with no disease found", "count", NULL, OF(n_false_positives, SRC_U16)},
    {"radiation_msv", F_F32, "effective dose from surveillance tests", "mSv", NULL, OF(radiation_msv, SRC_F64)},
    {"missed", F_U8, "metastasis detectable while alive and not found by a surveillance visit",
     "boolean", "no,yes", OF(missed, SRC_U8)},
    {"missed_reason", F_U8, "why it was missed", "code",
     "none,not_followed,between_visits,false_negative,after_schedule,missed_visit", OF(missed_reason, SRC_U8)},
    {"local_detection_time", F_F32, "local regrowth found by surveillance (inf: never)",
     "years after resection", NULL, OF(local_detection_time, SRC_F64)},
    {"metastasis_death_time", F_F32, "death from the metastasis (inf: died of something "
     "else); death under the strategy is this, 30 days for death_cause operative, else "
     "/patients/death_time", "years after resection", NULL, OF(metastasis_death, SRC_F64)},
    {"death_cause", F_U8, "cause of death", "code", "other,operative,metastasis", OF(death_cause, SRC_U8)},
    {"qaly_discounted", F_F32, "quality-adjusted life-years over the lifetime, discounted",
     "QALY", NULL, OF(qaly_discounted, SRC_F64)},
};

struct ns_h5 {
    hid_t file;
    int sweep;          /* summary and economics rows gain a leading point axis */
    uint64_t n_points, point; /* the point being written */
    const ns_scenario *ps;    /* its scenario (economic parameters may be swept) */
    int threads;              /* for compressing chunks; 0: OpenMP's default */
    int per_patient, n_strategies;
    const ns_scenario *s;
    uint64_t n;
    hid_t pd[P_NFIELDS];
    hid_t *od;          /* n_strategies x O_NFIELDS */
    void **col;         /* one wave of each column: P_NFIELDS, then strategy x O_NFIELDS */
    unsigned char **zbuf; /* each column's compressed chunk */
    size_t *zlen, zcap;
    hsize_t chunk;      /* rows per chunk: min(n, CHUNK) */
    int failed;
};

/* Group `name`, created by the first point and opened by the others. */
static hid_t open_group(const ns_h5 *h, const char *name)
{
    if (H5Lexists(h->file, name, H5P_DEFAULT) > 0)
        return H5Gopen2(h->file, name, H5P_DEFAULT);
    return H5Gcreate2(h->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

static hid_t str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

/* A UTF-8 string attribute on obj. */
static int attr_str(hid_t obj, const char *name, const char *value)
{
    hid_t t = str_type(), sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, t, &value) < 0 ? -1 : 0;
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

static int attr_u64(hid_t obj, const char *name, uint64_t value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, H5T_NATIVE_UINT64, &value) < 0 ? -1 : 0;
    H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

static int describe(hid_t d, const char *description, const char *units, const char *labels)
{
    int rc = attr_str(d, "description", description) | attr_str(d, "units", units);
    if (labels)
        rc |= attr_str(d, "labels", labels);
    return rc;
}

/* Row h->point of a dataset with a leading sweep-point dimension: created
 * (dims [n_points, dims...]) by the first point that writes it. */
static int write_point_row(const ns_h5 *h, hid_t loc, const char *name, hid_t ft, hid_t mt,
                           int rank, const hsize_t *dims, const void *data,
                           const char *description, const char *units)
{
    hsize_t full[4] = {h->n_points}, start[4] = {h->point}, count[4] = {1};
    for (int i = 0; i < rank; i++)
        full[i + 1] = count[i + 1] = dims[i], start[i + 1] = 0;
    hid_t d;
    int rc = 0;
    if (H5Lexists(loc, name, H5P_DEFAULT) > 0)
        d = H5Dopen2(loc, name, H5P_DEFAULT);
    else {
        hid_t sp = H5Screate_simple(rank + 1, full, NULL);
        d = H5Dcreate2(loc, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Sclose(sp);
        if (d >= 0)
            rc |= describe(d, description, units, NULL) | attr_str(d, "dimensions",
                                                                  "sweep point first");
    }
    hid_t fs = d >= 0 ? H5Dget_space(d) : -1, ms = H5Screate_simple(rank + 1, count, NULL);
    rc |= d < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
          H5Dwrite(d, mt, ms, fs, H5P_DEFAULT, data) < 0;
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    return rc ? -1 : 0;
}

/* A dataset of `rank` dims written at once from `data` of memory type mt;
 * with h in a sweep, row h->point of a dataset with a leading point axis. */
static int write_array(const ns_h5 *h, hid_t loc, const char *name, hid_t ft, hid_t mt, int rank,
                       const hsize_t *dims, const void *data, const char *description,
                       const char *units)
{
    if (h && h->sweep)
        return write_point_row(h, loc, name, ft, mt, rank, dims, data, description, units);
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(loc, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d < 0 || H5Dwrite(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ? -1 : 0;
    if (d >= 0)
        rc |= describe(d, description, units, NULL);
    H5Dclose(d);
    H5Sclose(sp);
    return rc;
}

static int write_strings(hid_t loc, const char *name, const char *const *v, hsize_t n,
                         const char *description)
{
    hid_t t = str_type();
    int rc = write_array(NULL, loc, name, t, t, 1, &n, v, description, "text");
    H5Tclose(t);
    return rc;
}

/* "a,b,c" from the names of strategy k's rules. */
static void rule_labels(const ns_strategy *st, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int r = 0; r < st->n_rules; r++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", r ? "," : "", st->rule[r].name);
}

static hid_t file_type(ftype t)
{
    return t == F_F32 ? H5T_IEEE_F32LE : t == F_U8 ? H5T_STD_U8LE : H5T_STD_U16LE;
}


/* A chunked, compressed 1-D dataset of n rows. */
static hid_t create_column(hid_t loc, const field *f, uint64_t n, const char *labels)
{
    hsize_t dims = n, chunk = n < CHUNK ? n : CHUNK;
    hid_t sp = H5Screate_simple(1, &dims, NULL), pl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(pl, 1, &chunk);
    H5Pset_shuffle(pl);
    H5Pset_deflate(pl, DEFLATE_LEVEL);
    hid_t d = H5Dcreate2(loc, f->name, file_type(f->type), sp, H5P_DEFAULT, pl, H5P_DEFAULT);
    if (d >= 0 && describe(d, f->description, f->units, labels ? labels : f->labels)) {
        H5Dclose(d);
        d = -1;
    }
    H5Pclose(pl);
    H5Sclose(sp);
    return d;
}

static int create_patient_datasets(ns_h5 *h)
{
    const ns_scenario *s = h->s;
    hid_t g = H5Gcreate2(h->file, "patients", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    char methods[NS_MAX_METHODS * NS_NAME_LEN] = "";
    for (int m = 0; m < s->cohort.n_methods; m++)
        snprintf(methods + strlen(methods), sizeof methods - strlen(methods), "%s%s",
                 m ? "," : "", s->cohort.method[m].name);
    int rc = 0;
    for (int i = 0; i < P_NFIELDS; i++)
        rc |= (h->pd[i] = create_column(g, &patient_fields[i], h->n,
                                        i == P_METHOD ? methods : NULL)) < 0;
    h->od = calloc((size_t)h->n_strategies * O_NFIELDS, sizeof *h->od);
    if (!h->od)
        rc = -1;
    for (int k = 0; k < h->n_strategies && !rc; k++) {
        hid_t sg = H5Gcreate2(g, s->strategy[k].name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        char rules[NS_MAX_RULES * NS_NAME_LEN];
        rule_labels(&s->strategy[k], rules, sizeof rules);
        rc |= sg < 0 || attr_str(sg, "source", s->strategy[k].source);
        for (int i = 0; i < O_NFIELDS && !rc; i++)
            rc |= (h->od[k * O_NFIELDS + i] = create_column(sg, &outcome_fields[i], h->n,
                                                            i == O_RULE ? rules : NULL)) < 0;
        H5Gclose(sg);
    }
    H5Gclose(g);
    return rc;
}

/* Provenance: who made this file, from what, when. */
static int write_provenance(ns_h5 *h, const ns_run_info *info)
{
    char created[32], hdf5v[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    snprintf(hdf5v, sizeof hdf5v, "%u.%u.%u", maj, min, rel);
    int rc = attr_str(h->file, "netsurv_version", NETSURV_VERSION) |
             attr_str(h->file, "git_revision", NETSURV_GIT_REVISION) |
             attr_u64(h->file, "seed", info->seed) |
             attr_u64(h->file, "n_patients", info->n_patients) |
             attr_str(h->file, "command_line", info->command_line) |
             attr_str(h->file, "created", created) |
             attr_str(h->file, "scenario_name", h->s->name) |
             attr_str(h->file, "scenario_path", h->s->path) |
             attr_str(h->file, "hdf5_version", hdf5v);
#ifdef __VERSION__
    rc |= attr_str(h->file, "compiler", __VERSION__);
#endif
    hid_t t = str_type(), sp = H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(h->file, "scenario", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char *text = h->s->text;
    rc |= d < 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0;
    if (d >= 0)
        rc |= describe(d, "the scenario file as read (before --set overrides)", "YAML", NULL);
    H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(t);
    return rc ? -1 : 0;
}

static size_t type_size(ftype t)
{
    return t == F_F32 ? 4 : t == F_U8 ? 1 : 2;
}

/* One wave of buffer for every per-patient column. */
static int alloc_columns(ns_h5 *h)
{
    size_t wave = (size_t)NS_BLOCK * NS_WAVE_BLOCKS, ncol = P_NFIELDS + (size_t)h->n_strategies * O_NFIELDS;
    h->chunk = h->n < CHUNK ? h->n : CHUNK;
    struct libdeflate_compressor *z = libdeflate_alloc_compressor(DEFLATE_LEVEL);
    if (!z)
        return -1;
    h->zcap = libdeflate_zlib_compress_bound(z, (size_t)h->chunk * 4);
    libdeflate_free_compressor(z);
    h->col = calloc(ncol, sizeof *h->col);
    h->zbuf = calloc(ncol, sizeof *h->zbuf);
    h->zlen = calloc(ncol, sizeof *h->zlen);
    if (!h->col || !h->zbuf || !h->zlen)
        return -1;
    for (size_t c = 0; c < ncol; c++)
        if (!(h->zbuf[c] = malloc(h->zcap)))
            return -1;
    for (size_t c = 0; c < ncol; c++) {
        ftype t = c < P_NFIELDS ? patient_fields[c].type
                                : outcome_fields[(c - P_NFIELDS) % O_NFIELDS].type;
        if (!(h->col[c] = calloc(wave, type_size(t))))
            return -1;
    }
    return 0;
}

ns_h5 *ns_h5_create(const char *path, const ns_scenario *s, const ns_run_info *info,
                    int per_patient, char *err, size_t errlen)
{
    ns_h5 *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    h->s = s;
    h->n = info->n_patients;
    h->sweep = s->sweep.n_axes > 0;
    h->n_points = s->sweep.n_points;
    h->per_patient = per_patient;
    h->n_strategies = s->n_strategies;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    h->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (h->file < 0) {
        snprintf(err, errlen, "%s: cannot create the HDF5 file", path);
        free(h);
        return NULL;
    }
    int rc = write_provenance(h, info);
    if (!rc && per_patient)
        rc = alloc_columns(h) || create_patient_datasets(h);
    if (rc) {
        snprintf(err, errlen, "%s: cannot write to the HDF5 file", path);
        h->failed = 1;
        ns_h5_close(h);
        return NULL;
    }
    return h;
}

/* Rows [row, row + count) of column col: member f->off of the count structs
 * at base, stride bytes apart, converted to the column's type. The type
 * tests sit outside the row loops. */
static void fill_column(void *col, const field *f, int row, int count, const char *base,
                        size_t stride)
{
    const char *p = base + f->off;
#define FILL(dst_t, src_t)                                                                     \
    for (int i = 0; i < count; i++)                                                            \
        ((dst_t *)col)[row + i] = (dst_t) * (const src_t *)(p + (size_t)i * stride)
    if (f->type == F_F32)
        FILL(float, double);
    else if (f->type == F_U8)
        FILL(uint8_t, uint8_t);
    else if (f->src == SRC_U16)
        FILL(uint16_t, uint16_t);
    else
        FILL(uint16_t, uint8_t);
#undef FILL
}

void ns_h5_fill_rows(void *ctx, int row, int count, const ns_patient *patients,
                     const ns_outcome *outcomes)
{
    ns_h5 *h = ctx;
    int S = h->n_strategies;
    for (int f = 0; f < P_NFIELDS; f++)
        fill_column(h->col[f], &patient_fields[f], row, count, (const char *)patients,
                    sizeof *patients);
    for (int k = 0; k < S; k++)
        for (int f = 0; f < O_NFIELDS; f++)
            fill_column(h->col[P_NFIELDS + k * O_NFIELDS + f], &outcome_fields[f], row, count,
                        (const char *)&outcomes[k], sizeof *outcomes * (size_t)S);
}

/* HDF5's shuffle filter: byte j of element i goes to j * n + i. */
static void shuffle(unsigned char *out, const unsigned char *in, size_t n, size_t size)
{
    if (size == 4) { /* one pass, four planes: the common case, floats */
        unsigned char *o0 = out, *o1 = out + n, *o2 = out + 2 * n, *o3 = out + 3 * n;
        for (size_t i = 0; i < n; i++, in += 4) {
            o0[i] = in[0];
            o1[i] = in[1];
            o2[i] = in[2];
            o3[i] = in[3];
        }
        return;
    }
    for (size_t j = 0; j < size; j++)
        for (size_t i = 0; i < n; i++)
            out[j * n + i] = in[i * size + j];
}

/* Column c's chunk through shuffle and deflate into h->zbuf[c]. */
static int compress_column(ns_h5 *h, size_t c, ftype t, unsigned char *tmp,
                           struct libdeflate_compressor *z)
{
    size_t size = type_size(t), bytes = (size_t)h->chunk * size;
    const unsigned char *src = h->col[c];
    if (size > 1) {
        shuffle(tmp, src, (size_t)h->chunk, size);
        src = tmp;
    }
    h->zlen[c] = libdeflate_zlib_compress(z, src, bytes, h->zbuf[c], h->zcap);
    return h->zlen[c] ? 0 : -1;
}

static ftype column_type(size_t c)
{
    return c < P_NFIELDS ? patient_fields[c].type
                         : outcome_fields[(c - P_NFIELDS) % O_NFIELDS].type;
}

int ns_h5_flush_rows(void *ctx, uint64_t first, int count)
{
    ns_h5 *h = ctx;
    int ncol = P_NFIELDS + h->n_strategies * O_NFIELDS, bad = 0;
    for (int c = 0; c < ncol; c++) /* rows past the end of the last chunk */
        memset((char *)h->col[c] + (size_t)count * type_size(column_type((size_t)c)), 0,
               (size_t)(h->chunk - (hsize_t)count) * type_size(column_type((size_t)c)));
    int threads = h->threads;
#ifdef _OPENMP
    if (threads <= 0)
        threads = omp_get_max_threads();
#pragma omp parallel reduction(| : bad) num_threads(threads)
#endif
    {
        unsigned char *tmp = malloc((size_t)h->chunk * 4);
        struct libdeflate_compressor *z = libdeflate_alloc_compressor(DEFLATE_LEVEL);
        bad |= !tmp || !z;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (int c = 0; c < ncol; c++)
            if (tmp && z)
                bad |= compress_column(h, (size_t)c, column_type((size_t)c), tmp, z) != 0;
        free(tmp);
        libdeflate_free_compressor(z);
    }
    hsize_t offset = first;
    for (int c = 0; c < ncol && !bad; c++) {
        hid_t d = c < P_NFIELDS ? h->pd[c] : h->od[c - P_NFIELDS];
        bad |= H5Dwrite_chunk(d, H5P_DEFAULT, 0, &offset, h->zlen[c], h->zbuf[c]) < 0;
    }
    h->failed |= bad != 0;
    return bad ? -1 : 0;
}

/* One summary dataset: a count per strategy. */
#define COUNT(name, expr, desc)                                                                \
    do {                                                                                       \
        for (int k = 0; k < S; k++)                                                            \
            v[k] = (double)(t[k].expr);                                                        \
        rc |= write_array(h, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, v, desc, "patients"); \
    } while (0)

/* A mean with its 95 % interval as three datasets. */
static int write_mean(const ns_h5 *h, hid_t g, const char *name, const ns_strategy_tally *t, int S,
                      size_t offset, const char *desc, const char *units)
{
    double m[NS_MAX_STRATEGIES], lo[NS_MAX_STRATEGIES], hi[NS_MAX_STRATEGIES];
    for (int k = 0; k < S; k++)
        ns_acc_mean((const ns_acc *)((const char *)&t[k] + offset), &m[k], &lo[k], &hi[k]);
    hsize_t n = (hsize_t)S;
    char nm[96], d[256];
    int rc = write_array(h, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, m, desc, units);
    snprintf(nm, sizeof nm, "%s_ci_low", name);
    snprintf(d, sizeof d, "%s: lower end of the 95 %% interval", desc);
    rc |= write_array(h, g, nm, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, lo, d, units);
    snprintf(nm, sizeof nm, "%s_ci_high", name);
    snprintf(d, sizeof d, "%s: upper end of the 95 %% interval", desc);
    rc |= write_array(h, g, nm, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, hi, d, units);
    return rc;
}

/* Histograms and their bin edges. */
static int write_histograms(const ns_h5 *h, hid_t g, const ns_strategy_tally *t, int S)
{
    uint64_t *buf = malloc(sizeof *buf * (size_t)S * (NS_DELAY_BINS + NS_TIME_BINS + 2));
    double edges[NS_DELAY_BINS + NS_TIME_BINS + 2];
    if (!buf)
        return -1;
    hsize_t d2[2] = {(hsize_t)S, NS_TIME_BINS + 1}, ne = NS_TIME_BINS + 1;
    for (int k = 0; k < S; k++)
        memcpy(buf + (size_t)k * (NS_TIME_BINS + 1), t[k].hist_detection, sizeof t[k].hist_detection);
    for (int i = 0; i <= NS_TIME_BINS; i++)
        edges[i] = i * NS_TIME_BIN_WIDTH;
    int rc = write_array(h, g, "detection_time_histogram", H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, d2,
                         buf, "metastases detected, by detection time; the last bin holds all "
                         "later", "patients") |
             (h->point ? 0
                       : write_array(NULL, g, "detection_time_bin_start", H5T_IEEE_F64LE,
                                     H5T_NATIVE_DOUBLE, 1, &ne, edges,
                                     "start of each detection time bin", "years after resection"));
    d2[1] = ne = NS_DELAY_BINS + 1;
    for (int k = 0; k < S; k++)
        memcpy(buf + (size_t)k * (NS_DELAY_BINS + 1), t[k].hist_delay, sizeof t[k].hist_delay);
    for (int i = 0; i <= NS_DELAY_BINS; i++)
        edges[i] = i * NS_DELAY_BIN_WIDTH;
    rc |= write_array(h, g, "detection_delay_histogram", H5T_STD_U64LE, H5T_NATIVE_UINT64, 2, d2,
                      buf, "metastases detected, by delay from detectable to detected; the last "
                      "bin holds all longer", "patients") |
          (h->point ? 0
                    : write_array(NULL, g, "detection_delay_bin_start", H5T_IEEE_F64LE,
                                  H5T_NATIVE_DOUBLE, 1, &ne, edges, "start of each delay bin",
                                  "years"));
    free(buf);
    return rc;
}

/* Tests per patient by modality: [strategy, modality]. */
static int write_tests_by_modality(const ns_h5 *h, hid_t g, const ns_scenario *s,
                                   const ns_strategy_tally *t, int S)
{
    int M = s->n_modalities;
    double v[NS_MAX_STRATEGIES * NS_MAX_MODALITIES];
    const char *names[NS_MAX_MODALITIES];
    for (int k = 0; k < S; k++)
        for (int m = 0; m < M; m++)
            v[k * M + m] = (double)t[k].tests_by_modality[m] / (double)t[k].n_patients;
    for (int m = 0; m < M; m++)
        names[m] = s->modality[m].name;
    hsize_t d2[2] = {(hsize_t)S, (hsize_t)M};
    return (h->point ? 0
                     : write_strings(g, "modality", names, (hsize_t)M,
                                     "modality names (columns of mean_tests_by_modality)")) |
           write_array(h, g, "mean_tests_by_modality", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d2, v,
                       "tests per patient by modality [strategy, modality]", "tests per patient");
}

int ns_h5_write_summary(ns_h5 *h, const ns_strategy_tally *t)
{
    const ns_scenario *s = h->s;
    int S = s->n_strategies, rc = 0;
    hid_t g = open_group(h, "summary");
    if (g < 0)
        return -1;
    const char *names[NS_MAX_STRATEGIES], *sources[NS_MAX_STRATEGIES];
    for (int k = 0; k < S; k++)
        names[k] = s->strategy[k].name, sources[k] = s->strategy[k].source;
    hsize_t n = (hsize_t)S;
    double v[NS_MAX_STRATEGIES];
    if (h->point == 0)
        rc |= write_strings(g, "strategy", names, n, "strategy names (columns of every summary "
                                                     "dataset)") |
              write_strings(g, "strategy_source", sources, n, "where each strategy comes from");
    COUNT("n_patients", n_patients, "patients simulated");
    COUNT("n_metastases", n_metastases, "metastases that became detectable while the patient lived");
    COUNT("n_detected_surveillance", n_route[NS_ROUTE_SURVEILLANCE], "metastases found by a surveillance visit");
    COUNT("n_detected_symptoms", n_route[NS_ROUTE_SYMPTOMS], "metastases found after symptoms");
    COUNT("n_detected_incidental", n_route[NS_ROUTE_INCIDENTAL], "metastases found by imaging done for other reasons");
    COUNT("n_never_detected", n_route[NS_ROUTE_NEVER], "metastases detectable while alive but never found");
    COUNT("n_missed", n_missed, "metastases detectable while alive and not found by surveillance");
    COUNT("missed_not_followed", n_miss[NS_MISS_NOT_FOLLOWED], "missed: the risk group is not followed");
    COUNT("missed_between_visits", n_miss[NS_MISS_BETWEEN_VISITS], "missed: presented between scheduled visits");
    COUNT("missed_false_negative", n_miss[NS_MISS_FALSE_NEGATIVE], "missed: an attended visit's tests were negative");
    COUNT("missed_after_schedule", n_miss[NS_MISS_AFTER_SCHEDULE], "missed: became detectable after the last scheduled visit");
    COUNT("missed_missed_visit", n_miss[NS_MISS_MISSED_VISIT], "missed: the patient did not attend the visits that could have found it");
    COUNT("n_resectable_at_detection", n_resectable, "metastases resectable when found");
    COUNT("n_operative_deaths", n_operative_deaths, "deaths from additional treatment at time 0");
    COUNT("n_local_found", n_local_found, "local regrowths found by surveillance");
    COUNT("n_residual", n_residual, "patients with local residual tumour (before any treatment)");
    COUNT("n_metastasis_deaths", n_metastasis_deaths, "deaths from the metastasis");
#define MEAN(name, fld, desc, units) \
    rc |= write_mean(h, g, name, t, S, offsetof(ns_strategy_tally, fld), desc, units)
    MEAN("mean_detection_time", detection_time, "time to detection, detected metastases", "years after resection");
    MEAN("mean_detection_delay", detection_delay, "delay from detectable to detected, detected metastases", "years");
    MEAN("mean_burden_mm", burden_mm, "largest deposit at detection", "mm");
    MEAN("mean_cost", cost, "all costs per patient, undiscounted", "USD");
    MEAN("mean_cost_discounted", cost_discounted, "all costs per patient, discounted", "USD");
    MEAN("mean_cost_surveillance", cost_surveillance, "surveillance test costs per patient, undiscounted", "USD");
    MEAN("mean_cost_workup", cost_workup, "work-up of false positives per patient, undiscounted", "USD");
    MEAN("mean_cost_treatment", cost_treatment, "treatment costs per patient (time-0 treatment, metastasis, local), undiscounted", "USD");
    MEAN("mean_tests", tests, "surveillance tests per patient", "tests");
    MEAN("mean_false_positives", false_positives, "false-positive tests per patient", "tests");
    MEAN("mean_radiation_msv", radiation_msv, "effective dose from surveillance per patient", "mSv");
    MEAN("mean_ly", ly, "life-years from resection to death (lifetime)", "years");
    MEAN("mean_ly_discounted", ly_discounted, "life-years, discounted", "years");
    MEAN("mean_qaly", qaly, "quality-adjusted life-years (lifetime)", "QALY");
    MEAN("mean_qaly_discounted", qaly_discounted, "quality-adjusted life-years, discounted", "QALY");
#undef MEAN
    rc |= write_histograms(h, g, t, S) | write_tests_by_modality(h, g, s, t, S);
    H5Gclose(g);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}

/* A double attribute on obj. */
static int attr_f64(hid_t obj, const char *name, double value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, &value) < 0 ? -1 : 0;
    H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

static int write_f64(const ns_h5 *h, hid_t g, const char *name, int rank, const hsize_t *dims,
                     const double *v, const char *desc, const char *units)
{
    return write_array(h, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, v, desc, units);
}

static int write_i32(const ns_h5 *h, hid_t g, const char *name, hsize_t n, const int *v,
                     const char *desc, const char *labels)
{
    int rc = write_array(h, g, name, H5T_STD_I32LE, H5T_NATIVE_INT, 1, &n, v, desc,
                         labels ? "code" : "index");
    if (!rc && labels && (!h || h->point == 0)) {
        hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
        rc = d < 0 || attr_str(d, "labels", labels);
        H5Dclose(d);
    }
    return rc;
}

/* The WTP grid 0, step, ..., max of the scenario; returns its length. */
static int wtp_grid(const ns_scenario *s, double *grid, int cap)
{
    int w = 0;
    for (double x = 0; x <= s->econ.wtp_max + 1e-9 && w < cap; x += s->econ.wtp_step)
        grid[w++] = x;
    return w;
}

#define NS_MAX_WTP 1001

static hid_t group_with_wtp(ns_h5 *h, const char *name)
{
    hid_t g = H5Gcreate2(h->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g >= 0 && attr_f64(g, "wtp", (h->ps ? h->ps : h->s)->econ.wtp)) {
        H5Gclose(g);
        g = -1;
    }
    return g;
}

int ns_h5_write_economics(ns_h5 *h, const double *cost, const double *effect)
{
    const ns_scenario *s = h->ps ? h->ps : h->s;
    int S = s->n_strategies, rc = 0;
    ns_icer_table t;
    if (ns_econ_icers(cost, effect, S, &t))
        return -1;
    double nmb[NS_MAX_STRATEGIES], grid[NS_MAX_WTP];
    int W = wtp_grid(s, grid, NS_MAX_WTP);
    double *nmb_grid = malloc(sizeof *nmb_grid * (size_t)W * S);
    hid_t g = h->point ? open_group(h, "economics") : group_with_wtp(h, "economics");
    if (!nmb_grid || g < 0) {
        free(nmb_grid);
        return -1;
    }
    ns_econ_nmb(cost, effect, S, s->econ.wtp, nmb);
    for (int w = 0; w < W; w++)
        ns_econ_nmb(cost, effect, S, grid[w], nmb_grid + (size_t)w * S);
    const char *names[NS_MAX_STRATEGIES];
    for (int k = 0; k < S; k++)
        names[k] = s->strategy[k].name;
    hsize_t n = (hsize_t)S, d2[2] = {(hsize_t)W, (hsize_t)S}, nw = (hsize_t)W;
    if (h->point == 0)
        rc |= attr_f64(g, "discount_costs", s->follow.discount_costs) |
          attr_f64(g, "discount_effects", s->follow.discount_effects) |
          attr_str(g, "effect", "discounted QALYs per patient (continuous discounting)") |
          attr_str(g, "convention", "costs at event times discounted by (1 + r)^-t; utilities "
                                    "and ongoing costs integrated with exp(-ln(1 + r) t)");
    if (h->point == 0)
        rc |= write_strings(g, "strategy", names, n, "strategy names (columns)");
    rc |= write_f64(h, g, "cost", 1, &n, cost, "mean discounted cost per patient", "USD");
    rc |= write_f64(h, g, "effect", 1, &n, effect, "mean discounted QALYs per patient", "QALY");
    rc |= write_i32(h, g, "order", n, t.order, "strategy indices sorted by cost", NULL);
    rc |= write_i32(h, g, "status", n, t.status, "position relative to the efficiency frontier",
                    "frontier,dominated,extended_dominated,duplicate");
    rc |= write_i32(h, g, "reference", n, t.reference,
                    "frontier strategy each frontier strategy is compared to (-1: none)", NULL);
    rc |= write_f64(h, g, "incremental_cost", 1, &n, t.inc_cost, "cost minus the reference's "
                    "(NaN: not on the frontier, or the first)", "USD");
    rc |= write_f64(h, g, "incremental_effect", 1, &n, t.inc_effect,
                    "QALYs minus the reference's (NaN: none)", "QALY");
    rc |= write_f64(h, g, "icer", 1, &n, t.icer, "incremental cost-effectiveness ratio along the "
                    "frontier (NaN: none)", "USD per QALY");
    rc |= write_f64(h, g, "nmb", 1, &n, nmb, "net monetary benefit at the group's wtp", "USD");
    if (h->point == 0)
        rc |= write_f64(NULL, g, "wtp_grid", 1, &nw, grid, "willingness to pay", "USD per QALY");
    rc |= write_f64(h, g, "nmb_grid", 2, d2, nmb_grid, "net monetary benefit [wtp, strategy]", "USD");
    H5Gclose(g);
    free(nmb_grid);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}

/* Paths of the parameters with a distribution (or a range) for /psa, /owsa. */
static int param_names(const ns_scenario *s, int want_range, const char **names, int *idx)
{
    int n = 0;
    for (int i = 0; i < s->n_params; i++)
        if (want_range ? s->param[i].has_range : s->param[i].psa > NS_PSA_FIXED) {
            idx[n] = i;
            names[n++] = s->param[i].path;
        }
    return n;
}

/* The incremental analysis of every PSA draw: status and ICER [draw, strategy]. */
static int write_draw_icers(hid_t g, const double *cost, const double *effect, int K, int S)
{
    int *status = malloc(sizeof *status * (size_t)K * S);
    double *icer = malloc(sizeof *icer * (size_t)K * S);
    int rc = !status || !icer;
    for (int k = 0; k < K && !rc; k++) {
        ns_icer_table t;
        rc = ns_econ_icers(cost + (size_t)k * S, effect + (size_t)k * S, S, &t);
        memcpy(status + (size_t)k * S, t.status, sizeof *status * (size_t)S);
        memcpy(icer + (size_t)k * S, t.icer, sizeof *icer * (size_t)S);
    }
    hsize_t d[2] = {(hsize_t)K, (hsize_t)S};
    if (!rc) {
        rc = write_array(NULL, g, "status", H5T_STD_I32LE, H5T_NATIVE_INT, 2, d, status,
                         "position relative to each draw's efficiency frontier", "code") ||
             write_f64(NULL, g, "icer", 2, d, icer, "ICER along each draw's frontier (NaN: none)",
                       "USD per QALY");
        hid_t ds = rc ? -1 : H5Dopen2(g, "status", H5P_DEFAULT);
        rc |= ds < 0 || attr_str(ds, "labels", "frontier,dominated,extended_dominated,duplicate");
        H5Dclose(ds);
    }
    free(status);
    free(icer);
    return rc ? -1 : 0;
}

int ns_h5_write_psa(ns_h5 *h, int K, uint64_t n_patients, const double *values,
                    const double *cost, const double *effect)
{
    const ns_scenario *s = h->s;
    int S = s->n_strategies, rc = 0;
    const char **names = malloc(sizeof *names * (size_t)s->n_params);
    int *idx = malloc(sizeof *idx * (size_t)s->n_params);
    double grid[NS_MAX_WTP];
    int W = wtp_grid(s, grid, NS_MAX_WTP);
    double *ceac = malloc(sizeof *ceac * (size_t)W * S), *evpi = malloc(sizeof *evpi * W);
    int *ceaf = malloc(sizeof *ceaf * W);
    hid_t g = group_with_wtp(h, "psa");
    if (names && idx && ceac && evpi && ceaf && g >= 0) {
        int P = param_names(s, 0, names, idx);
        ns_econ_psa(cost, effect, K, S, grid, W, ceac, ceaf, evpi);
        hsize_t np = (hsize_t)P, dv[2] = {(hsize_t)K, (hsize_t)P}, dc[2] = {(hsize_t)K, (hsize_t)S};
        hsize_t nw = (hsize_t)W, dw[2] = {(hsize_t)W, (hsize_t)S};
        rc |= attr_u64(g, "n_draws", (uint64_t)K) | attr_u64(g, "n_patients", n_patients);
        rc |= write_strings(g, "parameter", names, np, "drawn parameters (columns of values)");
        if (P > 0)
            rc |= write_f64(NULL, g, "values", 2, dv, values, "parameter values [draw, parameter]",
                            "as the parameter");
        rc |= write_f64(NULL, g, "cost", 2, dc, cost, "mean discounted cost [draw, strategy]", "USD");
        rc |= write_f64(NULL, g, "effect", 2, dc, effect, "mean discounted QALYs [draw, strategy]",
                        "QALY");
        rc |= write_draw_icers(g, cost, effect, K, S);
        rc |= write_f64(NULL, g, "wtp_grid", 1, &nw, grid, "willingness to pay", "USD per QALY");
        rc |= write_f64(NULL, g, "ceac", 2, dw, ceac, "probability each strategy has the highest net "
                        "monetary benefit [wtp, strategy]", "probability");
        rc |= write_i32(NULL, g, "ceaf", nw, ceaf, "strategy with the highest expected net monetary "
                        "benefit at each wtp (the acceptability frontier)", NULL);
        rc |= write_f64(NULL, g, "evpi", 1, &nw, evpi, "expected value of perfect information per "
                        "patient", "USD");
    } else
        rc = -1;
    if (g >= 0)
        H5Gclose(g);
    free(names);
    free(idx);
    free(ceac);
    free(evpi);
    free(ceaf);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}

int ns_h5_write_owsa(ns_h5 *h, int Q, const double *cost_lo, const double *cost_hi,
                     const double *effect_lo, const double *effect_hi)
{
    const ns_scenario *s = h->s;
    int S = s->n_strategies, rc = 0;
    const char **names = malloc(sizeof *names * (size_t)s->n_params);
    int *idx = malloc(sizeof *idx * (size_t)s->n_params);
    double *v = malloc(sizeof *v * (size_t)(3 * Q + 2 * Q * S + 1));
    hid_t g = group_with_wtp(h, "owsa");
    if (names && idx && v && g >= 0) {
        param_names(s, 1, names, idx);
        double *base = v, *lo = v + Q, *hi = v + 2 * Q, *nlo = v + 3 * Q, *nhi = nlo + Q * S;
        for (int j = 0; j < Q; j++) {
            base[j] = *(const double *)((const char *)s + s->param[idx[j]].offset);
            lo[j] = s->param[idx[j]].range_lo;
            hi[j] = s->param[idx[j]].range_hi;
        }
        ns_econ_nmb(cost_lo, effect_lo, Q * S, s->econ.wtp, nlo);
        ns_econ_nmb(cost_hi, effect_hi, Q * S, s->econ.wtp, nhi);
        hsize_t nq = (hsize_t)Q, d2[2] = {(hsize_t)Q, (hsize_t)S};
        rc |= write_strings(g, "parameter", names, nq, "parameters varied one at a time");
        rc |= write_f64(NULL, g, "base", 1, &nq, base, "base-case value", "as the parameter");
        rc |= write_f64(NULL, g, "low", 1, &nq, lo, "low value", "as the parameter");
        rc |= write_f64(NULL, g, "high", 1, &nq, hi, "high value", "as the parameter");
        rc |= write_f64(NULL, g, "cost_low", 2, d2, cost_lo, "mean discounted cost at the low value "
                        "[parameter, strategy]", "USD");
        rc |= write_f64(NULL, g, "cost_high", 2, d2, cost_hi, "mean discounted cost at the high value",
                        "USD");
        rc |= write_f64(NULL, g, "effect_low", 2, d2, effect_lo, "mean discounted QALYs at the low "
                        "value", "QALY");
        rc |= write_f64(NULL, g, "effect_high", 2, d2, effect_hi, "mean discounted QALYs at the high "
                        "value", "QALY");
        rc |= write_f64(NULL, g, "nmb_low", 2, d2, nlo, "net monetary benefit at the low value and "
                        "the group's wtp", "USD");
        rc |= write_f64(NULL, g, "nmb_high", 2, d2, nhi, "net monetary benefit at the high value",
                        "USD");
    } else
        rc = -1;
    if (g >= 0)
        H5Gclose(g);
    free(names);
    free(idx);
    free(v);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}

void ns_h5_set_threads(ns_h5 *h, int threads)
{
    h->threads = threads;
}

void ns_h5_set_point(ns_h5 *h, uint64_t p, const ns_scenario *ps)
{
    h->point = p;
    h->ps = ps;
}

int ns_h5_write_sweep(ns_h5 *h)
{
    const ns_sweep *w = &h->s->sweep;
    hid_t g = H5Gcreate2(h->file, "sweep", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t pg = g >= 0 ? H5Gcreate2(g, "points", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    double *v = malloc(sizeof *v * w->n_points);
    const char *paths[NS_MAX_AXES];
    int rc = pg < 0 || !v;
    for (int a = 0; a < w->n_axes && !rc; a++) {
        int idx[NS_MAX_AXES];
        for (uint64_t p = 0; p < w->n_points; p++) {
            ns_sweep_indices(w, p, idx);
            v[p] = w->axis[a].values[idx[a]];
        }
        char desc[256];
        snprintf(desc, sizeof desc, "value of %s at each sweep point%s", w->axis[a].path,
                 w->axis[a].zip ? " (a zip axis)" : "");
        hsize_t n = w->n_points;
        rc |= write_array(NULL, pg, w->axis[a].path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, &n, v,
                          desc, "as the parameter");
        paths[a] = w->axis[a].path;
    }
    if (!rc)
        rc |= write_strings(g, "axis", paths, (hsize_t)w->n_axes, "swept paths (the datasets "
                                                                 "under /sweep/points)") |
              attr_u64(g, "n_points", w->n_points) |
              attr_str(g, "definition", h->s->sweep_text ? h->s->sweep_text
                                                         : "the sweep: section of /scenario");
    if (pg >= 0)
        H5Gclose(pg);
    if (g >= 0)
        H5Gclose(g);
    free(v);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}

int ns_h5_close(ns_h5 *h)
{
    int rc = h->failed ? -1 : 0;
    for (int i = 0; i < P_NFIELDS; i++)
        if (h->pd[i] > 0)
            H5Dclose(h->pd[i]);
    if (h->od)
        for (int i = 0; i < h->n_strategies * O_NFIELDS; i++)
            if (h->od[i] > 0)
                H5Dclose(h->od[i]);
    if (H5Fclose(h->file) < 0)
        rc = -1;
    free(h->od);
    if (h->col)
        for (int c = 0; c < P_NFIELDS + h->n_strategies * O_NFIELDS; c++)
            free(h->col[c]);
    free(h->col);
    if (h->zbuf)
        for (int c = 0; c < P_NFIELDS + h->n_strategies * O_NFIELDS; c++)
            free(h->zbuf[c]);
    free(h->zbuf);
    free(h->zlen);
    free(h);
    return rc;
}

/* ---- shards ---- */

static int write_text(hid_t loc, const char *name, const char *text, const char *desc)
{
    hid_t t = str_type(), sp = H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d < 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0;
    if (d >= 0)
        rc |= describe(d, desc, "text", NULL);
    H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(t);
    return rc ? -1 : 0;
}

int ns_h5_write_shard(const char *path, const ns_scenario *s, const ns_shard_info *in,
                      const char *command_line, const ns_strategy_tally *units, char *err,
                      size_t errlen)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, errlen, "%s: cannot create the shard file", path);
        return -1;
    }
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int rc = attr_str(f, "netsurv_version", NETSURV_VERSION) |
             attr_str(f, "git_revision", NETSURV_GIT_REVISION) |
             attr_str(f, "kind", "netsurv shard: unit tallies for `netsurv merge`") |
             attr_u64(f, "fingerprint", in->fingerprint) | attr_u64(f, "seed", in->seed) |
             attr_u64(f, "n_patients", in->n_patients) | attr_u64(f, "shard", (uint64_t)in->shard) |
             attr_u64(f, "n_shards", (uint64_t)in->n_shards) |
             attr_u64(f, "unit_first", in->unit_first) | attr_u64(f, "unit_count", in->unit_count) |
             attr_u64(f, "total_units", in->total_units) |
             attr_u64(f, "n_strategies", (uint64_t)s->n_strategies) |
             attr_u64(f, "tally_size", sizeof(ns_strategy_tally)) |
             attr_str(f, "scenario_path", s->path) |
             attr_str(f, "command_line", command_line) | attr_str(f, "created", created);
    rc |= write_text(f, "scenario", s->text, "the scenario file as read");
    if (s->sweep_text)
        rc |= attr_str(f, "sweep_path", s->sweep_path) |
              write_text(f, "sweep", s->sweep_text, "the --sweep file as read");
    if (s->n_sets)
        rc |= write_strings(f, "overrides", (const char *const *)s->sets, (hsize_t)s->n_sets,
                            "--set overrides, in order");
    hsize_t dims[2] = {in->unit_count, sizeof(ns_strategy_tally) * (hsize_t)s->n_strategies};
    rc |= write_array(NULL, f, "units", H5T_STD_U8LE, H5T_NATIVE_UINT8, 2, dims, units,
                      "unit tallies (opaque: read by `netsurv merge` of the same version)",
                      "bytes");
    if (H5Fclose(f) < 0)
        rc = -1;
    if (rc)
        snprintf(err, errlen, "%s: cannot write the shard file", path);
    return rc ? -1 : 0;
}

static int read_attr_u64(hid_t f, const char *name, uint64_t *v)
{
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    int rc = a < 0 || H5Aread(a, H5T_NATIVE_UINT64, v) < 0;
    H5Aclose(a);
    return rc ? -1 : 0;
}

/* A string attribute or scalar string dataset, malloc'ed; NULL if absent. */
static char *read_string(hid_t f, const char *name, int dataset)
{
    hid_t t = str_type(), o;
    char *v = NULL, *copy = NULL;
    if (dataset) {
        if (H5Lexists(f, name, H5P_DEFAULT) <= 0 || (o = H5Dopen2(f, name, H5P_DEFAULT)) < 0) {
            H5Tclose(t);
            return NULL;
        }
        if (H5Dread(o, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0 && v)
            copy = strdup(v);
        H5Dclose(o);
    } else {
        if (H5Aexists(f, name) <= 0 || (o = H5Aopen(f, name, H5P_DEFAULT)) < 0) {
            H5Tclose(t);
            return NULL;
        }
        if (H5Aread(o, t, &v) >= 0 && v)
            copy = strdup(v);
        H5Aclose(o);
    }
    H5free_memory(v);
    H5Tclose(t);
    return copy;
}

/* The --set overrides stored in a shard. */
static int read_overrides(hid_t f, ns_shard_info *in)
{
    if (H5Lexists(f, "overrides", H5P_DEFAULT) <= 0)
        return 0;
    hid_t d = H5Dopen2(f, "overrides", H5P_DEFAULT), sp = H5Dget_space(d), t = str_type();
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    char **v = calloc((size_t)n + 1, sizeof *v);
    in->sets = calloc((size_t)n + 1, sizeof *in->sets);
    int rc = !v || !in->sets || H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0;
    for (hssize_t i = 0; !rc && i < n; i++)
        rc = !(in->sets[in->n_sets++] = strdup(v[i]));
    if (v)
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, v);
    free(v);
    H5Tclose(t);
    H5Sclose(sp);
    H5Dclose(d);
    return rc ? -1 : 0;
}

int ns_h5_read_shard(const char *path, ns_shard_info *in, ns_strategy_tally **units, char *err,
                     size_t errlen)
{
    memset(in, 0, sizeof *in);
    *units = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, errlen, "%s: not an HDF5 file", path);
        return -1;
    }
    uint64_t shard = 0, n_shards = 0, S = 0, tally = 0;
    char *version = read_string(f, "netsurv_version", 0), *kind = read_string(f, "kind", 0);
    int not_shard = !kind || strncmp(kind, "netsurv shard", 13) != 0;
    int rc = not_shard || read_attr_u64(f, "fingerprint", &in->fingerprint) ||
         read_attr_u64(f, "seed", &in->seed) || read_attr_u64(f, "n_patients", &in->n_patients) ||
         read_attr_u64(f, "shard", &shard) || read_attr_u64(f, "n_shards", &n_shards) ||
         read_attr_u64(f, "unit_first", &in->unit_first) ||
         read_attr_u64(f, "unit_count", &in->unit_count) ||
         read_attr_u64(f, "total_units", &in->total_units) ||
         read_attr_u64(f, "n_strategies", &S) || read_attr_u64(f, "tally_size", &tally);
    snprintf(in->version, sizeof in->version, "%s", version ? version : "?");
    in->shard = (int)shard, in->n_shards = (int)n_shards, in->n_strategies = (int)S;
    if (!rc && tally != sizeof(ns_strategy_tally)) {
        snprintf(err, errlen, "%s: written by netsurv %s with another tally layout", path,
                 in->version);
        rc = -1;
    }
    if (!rc) {
        in->scenario_path = read_string(f, "scenario_path", 0);
        in->scenario_text = read_string(f, "scenario", 1);
        in->sweep_path = read_string(f, "sweep_path", 0);
        in->sweep_text = read_string(f, "sweep", 1);
        rc = !in->scenario_path || !in->scenario_text || read_overrides(f, in);
        hid_t d = H5Dopen2(f, "units", H5P_DEFAULT);
        hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
        hsize_t dims[2] = {0, 0};
        /* a shard's claims are checked before they size anything */
        int sane = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 2 &&
                   H5Sget_simple_extent_dims(sp, dims, NULL) == 2 && dims[0] == in->unit_count &&
                   dims[1] == sizeof(ns_strategy_tally) * S && S >= 1 && S <= NS_MAX_STRATEGIES &&
                   in->n_shards >= 1 && in->shard >= 1 && in->shard <= in->n_shards &&
                   in->unit_first <= in->total_units &&
                   in->unit_count <= in->total_units - in->unit_first;
        *units = sane ? malloc(sizeof **units * (in->unit_count * S + 1)) : NULL;
        rc = rc || !sane || !*units ||
             H5Dread(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, *units) < 0;
        if (sp >= 0)
            H5Sclose(sp);
        H5Dclose(d);
        if (rc)
            snprintf(err, errlen, "%s: %s", path,
                     sane ? "cannot read the shard's contents"
                          : "the shard's numbers do not add up (damaged or not written by netsurv)");
    } else if (not_shard)
        snprintf(err, errlen, "%s: not a netsurv shard file", path);
    else if (tally == sizeof(ns_strategy_tally))
        snprintf(err, errlen, "%s: incomplete shard attributes", path);
    free(version);
    free(kind);
    H5Fclose(f);
    return rc ? -1 : 0;
}

void ns_shard_info_free(ns_shard_info *in)
{
    for (int i = 0; i < in->n_sets; i++)
        free(in->sets[i]);
    free(in->sets);
    free(in->scenario_path);
    free(in->scenario_text);
    free(in->sweep_path);
    free(in->sweep_text);
    memset(in, 0, sizeof *in);
}
