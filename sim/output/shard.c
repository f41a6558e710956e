/* Shard files: one slice of a run's work-unit tallies with the run's
 * inputs (see include/netsurv/output/shard.h). */
#include "netsurv/output/shard.h"
#include "netsurv/engine/work.h"
#include "netsurv/numeric/hash.h"
#include "h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t ns_shard_checksum(const ns_shard_info *in, const ns_shard_data *d)
{
    uint64_t head[22] = {in->fingerprint, in->seed, in->n_patients, (uint64_t)in->shard,
                         (uint64_t)in->n_shards, in->unit_first, in->unit_count,
                         in->total_units, (uint64_t)in->n_strategies, sizeof(ns_strategy_tally),
                         (uint64_t)in->n_tallies, in->draw_first, in->draw_count,
                         in->total_draws, in->setting_first, in->setting_count,
                         in->total_settings, in->psa_row, in->owsa_row, (uint64_t)in->voi,
                         in->posterior_hash, in->posterior_points};
    uint64_t h = ns_hash64(NS_HASH_SEED, head, sizeof head);
    h = ns_hash64(h, d->units, sizeof *d->units * in->unit_count * (uint64_t)in->n_tallies);
    if (in->draw_count)
        h = ns_hash64(h, d->psa, sizeof *d->psa * in->draw_count * in->psa_row);
    if (in->setting_count)
        h = ns_hash64(h, d->owsa, sizeof *d->owsa * in->setting_count * in->owsa_row);
    return h;
}

void ns_shard_data_free(ns_shard_data *d)
{
    free(d->units);
    free(d->psa);
    free(d->owsa);
    memset(d, 0, sizeof *d);
}

/* The posterior's parameters as "3,5,7". */
static void param_list(const ns_shard_info *in, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int j = 0; j < in->posterior_d && j < 64; j++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%d", j ? "," : "",
                 in->posterior_param[j]);
}

int ns_h5_write_shard(const char *path, const ns_scenario *s, const ns_shard_info *in,
                      const char *command_line, const ns_shard_data *data, char *err,
                      size_t errlen)
{
    ns__h5_init();
    ns_h5_reason_clear();
    hid_t f = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        ns__h5_fail();
        snprintf(err, errlen, "%s: cannot create the shard file%s%s", path,
                 ns_h5_reason()[0] ? ": " : "", ns_h5_reason());
        return -1;
    }
    ns_shard_info sum = *in;
    sum.n_strategies = s->n_strategies;
    sum.n_tallies = ns_tally_count(s);
    char created[32];
    ns__h5_utc_now(created);
    int rc = ns__h5_attr_str(f, "netsurv_version", NETSURV_VERSION) |
             ns__h5_attr_str(f, "git_revision", NETSURV_GIT_REVISION) |
             ns__h5_attr_str(f, "kind", "netsurv shard: unit tallies for `netsurv merge`") |
             ns__h5_attr_u64(f, "fingerprint", in->fingerprint) | ns__h5_attr_u64(f, "seed", in->seed) |
             ns__h5_attr_u64(f, "n_patients", in->n_patients) | ns__h5_attr_u64(f, "shard", (uint64_t)in->shard) |
             ns__h5_attr_u64(f, "n_shards", (uint64_t)in->n_shards) |
             ns__h5_attr_u64(f, "unit_first", in->unit_first) | ns__h5_attr_u64(f, "unit_count", in->unit_count) |
             ns__h5_attr_u64(f, "total_units", in->total_units) |
             ns__h5_attr_u64(f, "n_strategies", (uint64_t)s->n_strategies) |
             ns__h5_attr_u64(f, "n_tallies", (uint64_t)sum.n_tallies) |
             ns__h5_attr_u64(f, "tally_size", sizeof(ns_strategy_tally)) |
             ns__h5_attr_u64(f, "checksum", ns_shard_checksum(&sum, data)) |
             ns__h5_attr_str(f, "scenario_path", s->path) |
             ns__h5_attr_str(f, "command_line", command_line) | ns__h5_attr_str(f, "created", created);
    rc |= ns__h5_write_text(f, "scenario", s->text, "the scenario file as read");
    if (s->sweep_text)
        rc |= ns__h5_attr_str(f, "sweep_path", s->sweep_path) |
              ns__h5_write_text(f, "sweep", s->sweep_text, "the --sweep file as read");
    if (s->n_sets)
        rc |= ns__h5_write_strings(f, "overrides", (const char *const *)s->sets, (hsize_t)s->n_sets,
                            "--set overrides, in order");
    hsize_t dims[2] = {in->unit_count, sizeof(ns_strategy_tally) * (hsize_t)sum.n_tallies};
    rc |= ns__h5_write_array(NULL, f, "units", H5T_STD_U8LE, H5T_NATIVE_UINT8, 2, dims, data->units,
                      "unit tallies (opaque: read by `netsurv merge` of the same version)",
                      "bytes");
    const char *names[] = {"draw_first", "draw_count", "total_draws", "setting_first",
                           "setting_count", "total_settings", "psa_row", "owsa_row",
                           "posterior_hash", "posterior_points"};
    const uint64_t values[] = {in->draw_first, in->draw_count, in->total_draws,
                               in->setting_first, in->setting_count, in->total_settings,
                               in->psa_row, in->owsa_row, in->posterior_hash,
                               in->posterior_points};
    for (int i = 0; i < 10; i++)
        rc |= ns__h5_attr_u64(f, names[i], values[i]);
    rc |= ns__h5_attr_u64(f, "voi", (uint64_t)in->voi);
    if (in->posterior_hash) {
        char list[1024];
        param_list(in, list, sizeof list);
        rc |= ns__h5_attr_str(f, "posterior", in->posterior_path ? in->posterior_path : "") |
              ns__h5_attr_str(f, "posterior_parameters", list);
    }
    hsize_t pd[2] = {in->draw_count, in->psa_row}, od[2] = {in->setting_count, in->owsa_row};
    if (in->draw_count)
        rc |= ns__h5_write_array(NULL, f, "psa_rows", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, pd,
                                 data->psa, "this shard's PSA draws [draw, number] (opaque: read "
                                 "by `netsurv merge` of the same version)", "mixed");
    if (in->setting_count)
        rc |= ns__h5_write_array(NULL, f, "owsa_rows", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2,
                                 od, data->owsa, "this shard's OWSA parameters [parameter, "
                                 "number] (opaque: read by `netsurv merge` of the same version)",
                                 "mixed");
    if (H5Fclose(f) < 0)
        rc = ns__h5_fail();
    if (rc)
        snprintf(err, errlen, "%s: cannot write the shard file%s%s", path,
                 ns_h5_reason()[0] ? ": " : "", ns_h5_reason());
    return rc ? -1 : 0;
}

/* The --set overrides stored in a shard. */
static int read_overrides(hid_t f, ns_shard_info *in)
{
    if (H5Lexists(f, "overrides", H5P_DEFAULT) <= 0)
        return 0;
    hid_t d = H5Dopen2(f, "overrides", H5P_DEFAULT), sp = H5Dget_space(d), t = ns__h5_str_type();
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

/* Whether the numbers a shard claims fit together, before they size
 * anything: its slice is exactly share `shard` of `n_shards` of its units
 * (as `run --shard` cuts them), the units are whole points of n_patients,
 * and the payload's size is what they say. */
static int claims_fit(const ns_shard_info *in, uint64_t T, const hsize_t dims[2])
{
    uint64_t U = in->n_patients ? ns_engine_units(in->n_patients) : 0, w0, nw;
    int S = in->n_strategies;
    if (!U || S < 1 || T < (uint64_t)S || T % (uint64_t)S ||
        T > (uint64_t)NS_MAX_STRATEGIES * (1 + NS_MAX_GROUPS) || in->n_shards < 1 ||
        in->n_shards > NS_MAX_SHARDS || in->shard < 1 || in->shard > in->n_shards ||
        in->total_units % U || in->total_units / U < 1 || in->total_units / U > NS_MAX_POINTS)
        return 0;
    ns_work_share(in->total_units, in->shard - 1, in->n_shards, &w0, &nw);
    return w0 == in->unit_first && nw == in->unit_count && dims[0] == in->unit_count &&
           dims[1] == sizeof(ns_strategy_tally) * T &&
           in->unit_count <= SIZE_MAX / 2 / dims[1];
}

/* An optional u64 attribute (0 when absent). */
static uint64_t opt_u64(hid_t f, const char *name)
{
    uint64_t v = 0;
    if (H5Aexists(f, name) > 0 && ns__h5_read_u64(f, name, &v))
        v = UINT64_MAX;
    return v;
}

/* Whether the PSA and OWSA slices a shard claims are the ones `run --shard`
 * cuts, with rows of the run's length. */
static int rows_fit(const ns_shard_info *in)
{
    uint64_t a, n, S = (uint64_t)in->n_strategies;
    if (in->total_draws > 100000000 || in->total_settings > NS_MAX_PARAMS ||
        in->psa_row > NS_MAX_PARAMS + 2 * S + (2 * S + 1) * NS_MAX_GROUPS)
        return 0;
    ns_work_share(in->total_draws, in->shard - 1, in->n_shards, &a, &n);
    int ok = a == in->draw_first && n == in->draw_count &&
             (!in->total_draws || in->psa_row >= 2 * S);
    ns_work_share(in->total_settings, in->shard - 1, in->n_shards, &a, &n);
    return ok && a == in->setting_first && n == in->setting_count &&
           (!in->total_settings || in->owsa_row == 4 * S);
}

/* Reads rows x cols doubles of dataset name into *to (malloc'ed; absent
 * when rows is 0). 0 or -1. */
static int read_rows(hid_t f, const char *name, uint64_t rows, uint64_t cols, double **to)
{
    *to = NULL;
    if (!rows)
        return (*to = malloc(sizeof **to)) ? 0 : -1;
    if (cols > 1000000 || rows > (SIZE_MAX / 16) / (cols ? cols : 1))
        return -1;
    hid_t d = H5Lexists(f, name, H5P_DEFAULT) > 0 ? H5Dopen2(f, name, H5P_DEFAULT) : -1;
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t dims[2] = {0, 0};
    int rc = sp < 0 || H5Sget_simple_extent_ndims(sp) != 2 ||
             H5Sget_simple_extent_dims(sp, dims, NULL) != 2 || dims[0] != rows || dims[1] != cols ||
             !(*to = malloc(sizeof **to * rows * cols)) ||
             H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *to) < 0;
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return rc ? -1 : 0;
}

/* The posterior's note: path and parameter indices. */
static void read_posterior_note(hid_t f, ns_shard_info *in)
{
    if (!in->posterior_hash)
        return;
    in->posterior_path = ns__h5_read_string(f, "posterior", 0);
    char *list = ns__h5_read_string(f, "posterior_parameters", 0);
    for (char *p = list; p && *p && in->posterior_d < 64;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || v >= NS_MAX_PARAMS)
            break;
        in->posterior_param[in->posterior_d++] = (int)v;
        p = *end == ',' ? end + 1 : end;
    }
    free(list);
}

int ns_h5_read_shard(const char *path, ns_shard_info *in, ns_shard_data *data, char *err,
                     size_t errlen)
{
    memset(in, 0, sizeof *in);
    memset(data, 0, sizeof *data);
    ns_strategy_tally **units = &data->units;
    ns__h5_init();
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        ns_h5_reason_clear();
        ns__h5_fail();
        snprintf(err, errlen, "%s: %s", path,
                 ns_h5_reason()[0] ? ns_h5_reason() : "not an HDF5 file");
        return -1;
    }
    uint64_t shard = 0, n_shards = 0, S = 0, T = 0, tally = 0, checksum = 0;
    char *version = ns__h5_read_string(f, "netsurv_version", 0), *kind = ns__h5_read_string(f, "kind", 0);
    int not_shard = !kind || strncmp(kind, "netsurv shard", 13) != 0;
    int rc = not_shard || ns__h5_read_u64(f, "fingerprint", &in->fingerprint) ||
         ns__h5_read_u64(f, "seed", &in->seed) || ns__h5_read_u64(f, "n_patients", &in->n_patients) ||
         ns__h5_read_u64(f, "shard", &shard) || ns__h5_read_u64(f, "n_shards", &n_shards) ||
         ns__h5_read_u64(f, "unit_first", &in->unit_first) ||
         ns__h5_read_u64(f, "unit_count", &in->unit_count) ||
         ns__h5_read_u64(f, "total_units", &in->total_units) ||
         ns__h5_read_u64(f, "n_strategies", &S) || ns__h5_read_u64(f, "n_tallies", &T) ||
         ns__h5_read_u64(f, "tally_size", &tally) ||
         ns__h5_read_u64(f, "checksum", &checksum);
    snprintf(in->version, sizeof in->version, "%s", version ? version : "?");
    /* counts that do not fit an int are out of range, not wrapped */
    in->shard = shard <= NS_MAX_SHARDS ? (int)shard : 0;
    in->n_shards = n_shards <= NS_MAX_SHARDS ? (int)n_shards : 0;
    in->n_strategies = S <= NS_MAX_STRATEGIES ? (int)S : 0;
    in->n_tallies = T <= (uint64_t)NS_MAX_STRATEGIES * (1 + NS_MAX_GROUPS) ? (int)T : 0;
    const char *why = NULL;
    if (!rc && tally != sizeof(ns_strategy_tally)) {
        snprintf(err, errlen, "%s: written by netsurv %s with another tally layout", path,
                 in->version);
        rc = -1;
    }
    if (!rc) {
        in->draw_first = opt_u64(f, "draw_first"), in->draw_count = opt_u64(f, "draw_count");
        in->total_draws = opt_u64(f, "total_draws"), in->psa_row = opt_u64(f, "psa_row");
        in->setting_first = opt_u64(f, "setting_first");
        in->setting_count = opt_u64(f, "setting_count");
        in->total_settings = opt_u64(f, "total_settings"), in->owsa_row = opt_u64(f, "owsa_row");
        in->posterior_hash = opt_u64(f, "posterior_hash");
        in->posterior_points = opt_u64(f, "posterior_points");
        in->voi = opt_u64(f, "voi") == 1;
        read_posterior_note(f, in);
        in->scenario_path = ns__h5_read_string(f, "scenario_path", 0);
        in->scenario_text = ns__h5_read_string(f, "scenario", 1);
        in->sweep_path = ns__h5_read_string(f, "sweep_path", 0);
        in->sweep_text = ns__h5_read_string(f, "sweep", 1);
        rc = !in->scenario_path || !in->scenario_text || read_overrides(f, in);
        hid_t d = H5Dopen2(f, "units", H5P_DEFAULT);
        hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
        hsize_t dims[2] = {0, 0};
        int sane = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 2 &&
                   H5Sget_simple_extent_dims(sp, dims, NULL) == 2 &&
                   claims_fit(in, (uint64_t)in->n_tallies, dims) && rows_fit(in);
        *units = sane ? malloc(sizeof **units * (in->unit_count * (uint64_t)in->n_tallies + 1)) : NULL;
        rc = rc || !sane || !*units ||
             H5Dread(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, *units) < 0;
        if (sp >= 0)
            H5Sclose(sp);
        H5Dclose(d);
        rc = rc || read_rows(f, "psa_rows", sane ? in->draw_count : 0, in->psa_row, &data->psa) ||
             read_rows(f, "owsa_rows", sane ? in->setting_count : 0, in->owsa_row, &data->owsa);
        why = !sane ? "the shard's numbers do not add up (damaged or not written by netsurv)"
              : rc  ? "cannot read the shard's contents"
              : checksum != ns_shard_checksum(in, data)
                  ? "checksum mismatch: the shard was damaged after it was written"
                  : NULL;
        if (why) {
            snprintf(err, errlen, "%s: %s", path, why);
            rc = -1;
        }
    } else if (not_shard)
        snprintf(err, errlen, "%s: not a netsurv shard file", path);
    else if (tally == sizeof(ns_strategy_tally))
        snprintf(err, errlen, "%s: incomplete shard attributes", path);
    free(version);
    free(kind);
    H5Fclose(f);
    if (rc)
        ns_shard_data_free(data);
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
    free(in->posterior_path);
    memset(in, 0, sizeof *in);
}
