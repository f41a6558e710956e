/* HDF5 helpers shared by the output stage (see h5util.h). */
#include "h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char os_reason[160];

void ns__h5_init(void)
{
    static int done;
    if (!done) {
        H5dont_atexit();
        done = 1;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* HDF5's file drivers put "..., errno = 28, error message = 'No space left
 * on device', ..." in the description of the error they push. */
static herr_t find_reason(unsigned n, const H5E_error2_t *e, void *ctx)
{
    (void)n, (void)ctx;
    const char *p = e->desc ? strstr(e->desc, "error message = '") : NULL;
    if (p && !os_reason[0]) {
        p += strlen("error message = '");
        snprintf(os_reason, sizeof os_reason, "%.*s", (int)strcspn(p, "'"), p);
    }
    return 0;
}

int ns__h5_fail(void)
{
    if (!os_reason[0])
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_reason, NULL);
    return -1;
}

const char *ns_h5_reason(void)
{
    return os_reason;
}

void ns_h5_reason_clear(void)
{
    os_reason[0] = '\0';
}

/* Group `name`, created by the first point and opened by the others. */
hid_t ns__h5_group(const ns_h5 *h, const char *name)
{
    if (H5Lexists(h->file, name, H5P_DEFAULT) > 0)
        return H5Gopen2(h->file, name, H5P_DEFAULT);
    return H5Gcreate2(h->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

hid_t ns__h5_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

/* A UTF-8 string attribute on obj. */
int ns__h5_attr_str(hid_t obj, const char *name, const char *value)
{
    hid_t t = ns__h5_str_type(), sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, t, &value) < 0 ? ns__h5_fail() : 0;
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

int ns__h5_attr_u64(hid_t obj, const char *name, uint64_t value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, H5T_NATIVE_UINT64, &value) < 0 ? ns__h5_fail() : 0;
    H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

static char currency[4] = "USD";

void ns__h5_set_currency(const char *iso4217)
{
    snprintf(currency, sizeof currency, "%s", iso4217 && *iso4217 ? iso4217 : "USD");
}

int ns__h5_describe(hid_t d, const char *description, const char *units, const char *labels)
{
    char money[64];
    size_t np = sizeof NS_H5_CURRENCY - 1;
    if (units && !strncmp(units, NS_H5_CURRENCY, np)) {
        snprintf(money, sizeof money, "%s%s", currency, units + np);
        units = money;
    }
    int rc = ns__h5_attr_str(d, "description", description) | ns__h5_attr_str(d, "units", units);
    if (labels)
        rc |= ns__h5_attr_str(d, "labels", labels);
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
            rc |= ns__h5_describe(d, description, units, NULL) | ns__h5_attr_str(d, "dimensions",
                                                                  "sweep point first");
    }
    hid_t fs = d >= 0 ? H5Dget_space(d) : -1, ms = H5Screate_simple(rank + 1, count, NULL);
    if (d < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        H5Dwrite(d, mt, ms, fs, H5P_DEFAULT, data) < 0)
        rc = ns__h5_fail();
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    return rc ? -1 : 0;
}

/* A dataset of `rank` dims written at once from `data` of memory type mt;
 * with h in a sweep, row h->point of a dataset with a leading point axis. */
int ns__h5_write_array(const ns_h5 *h, hid_t loc, const char *name, hid_t ft, hid_t mt, int rank,
                       const hsize_t *dims, const void *data, const char *description,
                       const char *units)
{
    if (h && h->sweep)
        return write_point_row(h, loc, name, ft, mt, rank, dims, data, description, units);
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(loc, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d < 0 || H5Dwrite(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ? ns__h5_fail() : 0;
    if (d >= 0)
        rc |= ns__h5_describe(d, description, units, NULL);
    H5Dclose(d);
    H5Sclose(sp);
    return rc;
}

int ns__h5_write_strings(hid_t loc, const char *name, const char *const *v, hsize_t n,
                         const char *description)
{
    hid_t t = ns__h5_str_type();
    int rc = ns__h5_write_array(NULL, loc, name, t, t, 1, &n, v, description, "text");
    H5Tclose(t);
    return rc;
}

/* A double attribute on obj. */
int ns__h5_attr_f64(hid_t obj, const char *name, double value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, &value) < 0 ? ns__h5_fail() : 0;
    H5Aclose(a);
    H5Sclose(sp);
    return rc;
}

int ns__h5_write_f64(const ns_h5 *h, hid_t g, const char *name, int rank, const hsize_t *dims,
                     const double *v, const char *desc, const char *units)
{
    return ns__h5_write_array(h, g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, v, desc, units);
}

int ns__h5_write_i32(const ns_h5 *h, hid_t g, const char *name, hsize_t n, const int *v,
                     const char *desc, const char *labels)
{
    int rc = ns__h5_write_array(h, g, name, H5T_STD_I32LE, H5T_NATIVE_INT, 1, &n, v, desc,
                         labels ? "code" : "index");
    if (!rc && labels && (!h || h->point == 0)) {
        hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
        rc = d < 0 || ns__h5_attr_str(d, "labels", labels);
        H5Dclose(d);
    }
    return rc;
}

/* ---- shards ---- */

int ns__h5_write_text(hid_t loc, const char *name, const char *text, const char *desc)
{
    hid_t t = ns__h5_str_type(), sp = H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = d < 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0 ? ns__h5_fail() : 0;
    if (d >= 0)
        rc |= ns__h5_describe(d, desc, "text", NULL);
    H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(t);
    return rc ? -1 : 0;
}

int ns__h5_read_u64(hid_t f, const char *name, uint64_t *v)
{
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    int rc = a < 0 || H5Aread(a, H5T_NATIVE_UINT64, v) < 0;
    H5Aclose(a);
    return rc ? -1 : 0;
}

/* A string attribute or scalar string dataset, malloc'ed; NULL if absent. */
char *ns__h5_read_string(hid_t f, const char *name, int dataset)
{
    hid_t t = ns__h5_str_type(), o;
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

void ns__h5_utc_now(char out[32])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
