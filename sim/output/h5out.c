/* The results file: creation with provenance, the sweep point being
 * written, closing (see include/netsurv/output/h5out.h for the layout). */
#include "columns.h"
#include "h5util.h"

#include <stdio.h>
#include <stdlib.h>

/* Provenance: who made this file, from what, when. */
static int write_provenance(ns_h5 *h, const ns_run_info *info)
{
    char created[32], hdf5v[32];
    ns__h5_utc_now(created);
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    snprintf(hdf5v, sizeof hdf5v, "%u.%u.%u", maj, min, rel);
    int rc = ns__h5_attr_str(h->file, "netsurv_version", NETSURV_VERSION) |
             ns__h5_attr_str(h->file, "git_revision", NETSURV_GIT_REVISION) |
             ns__h5_attr_u64(h->file, "seed", info->seed) |
             ns__h5_attr_u64(h->file, "n_patients", info->n_patients) |
             ns__h5_attr_str(h->file, "command_line", info->command_line) |
             ns__h5_attr_str(h->file, "created", created) |
             ns__h5_attr_str(h->file, "scenario_name", h->s->name) |
             ns__h5_attr_str(h->file, "scenario_path", h->s->path) |
             ns__h5_attr_str(h->file, "hdf5_version", hdf5v);
#ifdef __VERSION__
    rc |= ns__h5_attr_str(h->file, "compiler", __VERSION__);
#endif
    hid_t t = ns__h5_str_type(), sp = H5Screate(H5S_SCALAR);
    hid_t d = H5Dcreate2(h->file, "scenario", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char *text = h->s->text;
    if (d < 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0)
        rc = ns__h5_fail();
    if (d >= 0)
        rc |= ns__h5_describe(d, "the scenario file as read (before --set overrides)", "YAML", NULL);
    H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(t);
    return rc ? -1 : 0;
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
    ns__h5_init();
    ns__h5_set_currency(s->econ.currency);
    ns_h5_reason_clear();
    h->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (h->file < 0) {
        ns__h5_fail();
        snprintf(err, errlen, "%s: cannot create the HDF5 file%s%s", path,
                 ns_h5_reason()[0] ? ": " : "", ns_h5_reason());
        free(h);
        return NULL;
    }
    int rc = write_provenance(h, info);
    if (!rc && per_patient)
        rc = ns__columns_open(h);
    if (rc) {
        snprintf(err, errlen, "%s: cannot write to the HDF5 file%s%s", path,
                 ns_h5_reason()[0] ? ": " : "", ns_h5_reason());
        h->failed = 1;
        ns_h5_close(h);
        return NULL;
    }
    return h;
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

void ns_h5_set_psa_group(ns_h5 *h, const char *name)
{
    h->psa_group = name;
}

int ns_h5_begin_sweep_psa(ns_h5 *h, int K)
{
    hid_t g = H5Gcreate2(h->file, "sweep_psa", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = g < 0 || ns__h5_attr_u64(g, "n_points", h->n_points) ||
             ns__h5_attr_u64(g, "n_draws", (uint64_t)K);
    if (g >= 0)
        H5Gclose(g);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}

int ns_h5_close(ns_h5 *h)
{
    int rc = h->failed ? -1 : 0;
    ns__columns_close(h);
    if (H5Fclose(h->file) < 0)
        rc = ns__h5_fail();
    free(h);
    return rc;
}
