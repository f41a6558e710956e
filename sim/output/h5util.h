/* What the files of the output stage share: the open file's state and the
 * HDF5 helpers (h5util.c) that every writer uses. Internal to the output
 * stage: the only code that knows HDF5. */
#ifndef NETSURV_OUTPUT_H5UTIL_H
#define NETSURV_OUTPUT_H5UTIL_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "netsurv/output/h5out.h"

/* Per-patient columns of /patients (columns.c checks it against its table). */
#define NS_H5_PATIENT_FIELDS 22

struct ns_h5 {
    hid_t file;
    int sweep;          /* summary and economics rows gain a leading point axis */
    uint64_t n_points, point; /* the point being written */
    const ns_scenario *ps;    /* its scenario (economic parameters may be swept) */
    const char *psa_group;    /* where ns_h5_write_psa writes (NULL: "psa") */
    int threads;              /* for compressing chunks; 0: OpenMP's default */
    int per_patient, n_strategies;
    const ns_scenario *s;
    uint64_t n;
    hid_t pd[NS_H5_PATIENT_FIELDS];
    hid_t *od;          /* n_strategies x O_NFIELDS */
    void **col;         /* one wave of each column: P_NFIELDS, then strategy x O_NFIELDS */
    unsigned char **zbuf; /* each column's compressed chunk */
    size_t *zlen, zcap;
    hsize_t chunk;      /* rows per chunk: min(n, CHUNK) */
    int failed;
};

/* Before any other HDF5 call: no exit handler of HDF5's (after a failed
 * H5Fclose, e.g. on a full disk, it would touch the half-closed file and
 * crash), and no printed error stack. */
void ns__h5_init(void);
/* Records the operating system's reason (e.g. "No space left on device")
 * from HDF5's error stack of the call that just failed, if it names one and
 * none is recorded yet; returns -1 (for `return ns__h5_fail();`). */
int ns__h5_fail(void);

/* Group `name` of h's file, created by the first sweep point, opened by the others. */
hid_t ns__h5_group(const ns_h5 *h, const char *name);
/* A variable-length UTF-8 string type (the caller closes it). */
hid_t ns__h5_str_type(void);
/* Attributes on obj; each returns 0 or -1. */
int ns__h5_attr_str(hid_t obj, const char *name, const char *value);
int ns__h5_attr_u64(hid_t obj, const char *name, uint64_t value);
int ns__h5_attr_f64(hid_t obj, const char *name, double value);
/* Units that begin with NS_H5_CURRENCY are money: the prefix is written as
 * the currency of the file being written (economics.currency of the
 * scenario given to ns_h5_create; USD before any): NS_H5_CURRENCY " per
 * QALY" is written "EUR per QALY" for a scenario in euros. One process
 * writes one output file at a time, so the currency is the process's. */
#define NS_H5_CURRENCY "{currency}"
void ns__h5_set_currency(const char *iso4217);
/* The description, units and (if not NULL) labels attributes of dataset d. */
int ns__h5_describe(hid_t d, const char *description, const char *units, const char *labels);
/* A dataset of `rank` dims written at once from `data` of memory type mt;
 * with h in a sweep, row h->point of a dataset with a leading point axis
 * (h NULL: never a sweep row). */
int ns__h5_write_array(const ns_h5 *h, hid_t loc, const char *name, hid_t ft, hid_t mt, int rank,
                       const hsize_t *dims, const void *data, const char *description,
                       const char *units);
int ns__h5_write_strings(hid_t loc, const char *name, const char *const *v, hsize_t n,
                         const char *description);
int ns__h5_write_f64(const ns_h5 *h, hid_t g, const char *name, int rank, const hsize_t *dims,
                     const double *v, const char *desc, const char *units);
/* Integer codes or indices; labels (if not NULL) name the codes. */
int ns__h5_write_i32(const ns_h5 *h, hid_t g, const char *name, hsize_t n, const int *v,
                     const char *desc, const char *labels);
/* A scalar string dataset. */
int ns__h5_write_text(hid_t loc, const char *name, const char *text, const char *desc);
int ns__h5_read_u64(hid_t f, const char *name, uint64_t *v);
/* A string attribute (dataset 0) or scalar string dataset of f, malloc'ed;
 * NULL if absent. */
char *ns__h5_read_string(hid_t f, const char *name, int dataset);
/* The current UTC time as 2026-01-31T12:00:00Z. */
void ns__h5_utc_now(char out[32]);

/* The summary datasets (counts, means with intervals, histograms, tests by
 * modality, QALY parts) of tallies t laid out by `lead` dims of `rank` 1
 * ([strategy]) or 2 ([strategy, group]), into group g. */
int ns__h5_write_tallies(const ns_h5 *h, hid_t g, const ns_strategy_tally *t, int rank,
                         const hsize_t *lead);
/* /groups, /summary_by_group, /economics_by_group and /composite from the
 * tallies of a run with risk groups (groups_out.c). */
int ns__h5_write_groups(ns_h5 *h, const ns_strategy_tally *t);

#endif
