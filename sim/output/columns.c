/* The per-patient columns of /patients: one wave of rows buffered per
 * column, compressed in parallel (shuffle + deflate, exactly the filters the
 * datasets declare) and written chunk by chunk. */
#include "columns.h"
#include "h5util.h"

#include <libdeflate.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One chunk per column per wave: each wave's chunks are compressed in
 * parallel by the project (shuffle + deflate, exactly the filters the
 * datasets declare) and written with H5Dwrite_chunk. */
#define CHUNK 65536
_Static_assert(CHUNK == NS_BLOCK * NS_WAVE_BLOCKS, "a wave must be one chunk");
/* The deflate level of the per-patient chunks (--compression; 0: stored
 * without filters, neither shuffle nor deflate). */
static int deflate_level = 1;

void ns_h5_set_patient_compression(int level)
{
    deflate_level = level < 0 ? 1 : level > 12 ? 12 : level;
}

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
       P_HAS_MET, P_SYNC, P_SITE, P_NDEP, P_P_MET, P_ONSET, P_SYMPTOM, P_INCIDENTAL, P_PRESENT, P_LETHAL,
       P_HAS_RES, P_RES_TIME, P_DEATH, P_NFIELDS };
_Static_assert(P_NFIELDS == NS_H5_PATIENT_FIELDS, "h5util.h counts the patient columns");
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
    {"synchronous", F_U8, "metastasis already past the detectable diameter at resection "
     "(onset_time < 0)", "boolean", "no,yes", PF(synchronous, SRC_U8)},
    {"site", F_U8, "site of the first detectable deposit", "code", "nodal,liver", PF(site, SRC_U8)},
    {"n_deposits", F_U8, "deposits at the site, the largest included (0: no metastasis)", "count",
     NULL, PF(n_deposits, SRC_U8)},
    {"p_metastasis", F_F32, "probability of metastasis from the logistic model", "probability",
     NULL, PF(p_metastasis, SRC_F64)},
    {"onset_time", F_F32, "time the metastasis became detectable (< 0: synchronous; inf: none)",
     "years after resection", NULL, PF(onset, SRC_F64)},
    {"symptom_time", F_F32, "time the metastasis would cause symptoms (inf: none)",
     "years after resection", NULL, PF(symptom_time, SRC_F64)},
    {"incidental_time", F_F32, "time imaging for other reasons would find it (inf: none)",
     "years after resection", NULL, PF(incidental_time, SRC_F64)},
    {"presentation_time", F_F32, "time the metastasis would present without surveillance: "
     "symptoms or incidental imaging, the earlier (inf: not in life)", "years after resection",
     NULL, PF(presentation_time, SRC_F64)},
    {"untreated_metastasis_death_time", F_F32, "time the untreated metastasis would reach its "
     "lethal burden (inf: none); the same under every strategy", "years after resection", NULL,
     PF(lethal_time, SRC_F64)},
    {"has_residual", F_U8, "local residual tumour at the scar (hidden truth)", "boolean",
     "no,yes", PF(has_residual, SRC_U8)},
    {"residual_time", F_F32, "time the local regrowth becomes visible (inf: none)",
     "years after resection", NULL, PF(residual_time, SRC_F64)},
    {"death_time", F_F32, "death from other causes (before any strategy)", "years after resection",
     NULL, PF(death_time, SRC_F64)},
};

/* Per strategy; the delay (detection_time - onset_time) and the death time
 * (the patient's unless operative_death) follow from other columns. */
enum { O_RULE, O_DET, O_ROUTE, O_BURDEN, O_RESECT, O_CURED, O_OVERDIAG, O_COST, O_COST_D,
       O_TESTS, O_FP, O_RAD, O_MISSED, O_REASON, O_LOCAL, O_DEATH, O_CAUSE, O_QALY_D, O_NFIELDS };
static const field outcome_fields[O_NFIELDS] = {
    {"rule", F_U8, "rule of the strategy that the report matched", "code", NULL, OF(rule, SRC_U8)},
    {"detection_time", F_F32, "metastasis found, any route (inf: never); the delay from "
     "detectable is detection_time - /patients/onset_time", "years after resection", NULL, OF(detection_time, SRC_F64)},
    {"detection_route", F_U8, "how the metastasis was found", "code",
     "never,surveillance,symptoms,incidental", OF(route, SRC_U8)},
    {"burden_mm", F_F32, "largest deposit at detection (0: none)", "mm", NULL, OF(burden_mm, SRC_F64)},
    {"resectable", F_U8, "metastasis resectable when found", "boolean", "no,yes", OF(resectable, SRC_U8)},
    {"cured", F_U8, "metastasis cured by its resection", "boolean", "no,yes", OF(cured, SRC_U8)},
    {"overdiagnosed", F_U8, "found by surveillance, would not have presented in life", "boolean",
     "no,yes", OF(overdiagnosed, SRC_U8)},
    {"cost", F_F32, "all costs, undiscounted", NS_H5_CURRENCY, NULL, OF(cost, SRC_F64)},
    {"cost_discounted", F_F32, "all costs, discounted to resection", NS_H5_CURRENCY, NULL, OF(cost_discounted, SRC_F64)},
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
     "else); death under the strategy is this; for death_cause operative 30 days after "
     "detection_time (metastasis surgery) or, when nothing was detected, after time 0; else "
     "/patients/death_time", "years after resection", NULL, OF(metastasis_death, SRC_F64)},
    {"death_cause", F_U8, "cause of death", "code", "other,operative,metastasis", OF(death_cause, SRC_U8)},
    {"qaly_discounted", F_F32, "quality-adjusted life-years over the lifetime, discounted",
     "QALY", NULL, OF(qaly_discounted, SRC_F64)},
};

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
    if (deflate_level > 0) {
        H5Pset_shuffle(pl);
        H5Pset_deflate(pl, (unsigned)deflate_level > 9 ? 9 : (unsigned)deflate_level);
    }
    hid_t d = H5Dcreate2(loc, f->name, file_type(f->type), sp, H5P_DEFAULT, pl, H5P_DEFAULT);
    if (d >= 0 && ns__h5_describe(d, f->description, f->units, labels ? labels : f->labels)) {
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
        rc |= sg < 0 || ns__h5_attr_str(sg, "source", s->strategy[k].source);
        for (int i = 0; i < O_NFIELDS && !rc; i++)
            rc |= (h->od[k * O_NFIELDS + i] = create_column(sg, &outcome_fields[i], h->n,
                                                            i == O_RULE ? rules : NULL)) < 0;
        H5Gclose(sg);
    }
    H5Gclose(g);
    return rc;
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
    struct libdeflate_compressor *z = libdeflate_alloc_compressor(deflate_level > 0 ? deflate_level : 1);
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
#ifdef _OPENMP
    int threads = h->threads;
    if (threads <= 0)
        threads = omp_get_max_threads();
#pragma omp parallel reduction(| : bad) num_threads(threads) if (deflate_level > 0)
#endif
    if (deflate_level > 0) {
        unsigned char *tmp = malloc((size_t)h->chunk * 4);
        struct libdeflate_compressor *z = libdeflate_alloc_compressor(deflate_level);
        bad |= !tmp || !z;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (int c = 0; c < ncol; c++)
            if (tmp && z)
                bad |= compress_column(h, (size_t)c, column_type((size_t)c), tmp, z) != 0;
        free(tmp);
        if (z)
            libdeflate_free_compressor(z);
    }
    hsize_t offset = first;
    for (int c = 0; c < ncol && !bad; c++) {
        hid_t d = c < P_NFIELDS ? h->pd[c] : h->od[c - P_NFIELDS];
        /* level 0: the rows as they are (the datasets declare no filter) */
        size_t len = deflate_level > 0 ? h->zlen[c]
                                       : (size_t)h->chunk * type_size(column_type((size_t)c));
        if (H5Dwrite_chunk(d, H5P_DEFAULT, 0, &offset, len,
                           deflate_level > 0 ? h->zbuf[c] : h->col[c]) < 0)
            bad |= ns__h5_fail() != 0;
    }
    h->failed |= bad != 0;
    return bad ? -1 : 0;
}

int ns__columns_open(ns_h5 *h)
{
    return alloc_columns(h) || create_patient_datasets(h) ? -1 : 0;
}

void ns__columns_close(ns_h5 *h)
{
    for (int i = 0; i < P_NFIELDS; i++)
        if (h->pd[i] > 0)
            H5Dclose(h->pd[i]);
    if (h->od)
        for (int i = 0; i < h->n_strategies * O_NFIELDS; i++)
            if (h->od[i] > 0)
                H5Dclose(h->od[i]);
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
}
