/* Shard files: one slice of a run's work-unit tallies with the run's
 * inputs (see include/netsurv/output/shard.h). */
#include "netsurv/output/shard.h"
#include "netsurv/engine/work.h"
#include "netsurv/numeric/hash.h"
#include "h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t ns_shard_checksum(const ns_shard_info *in, const ns_strategy_tally *units)
{
    uint64_t head[11] = {in->fingerprint, in->seed, in->n_patients, (uint64_t)in->shard,
                         (uint64_t)in->n_shards, in->unit_first, in->unit_count,
                         in->total_units, (uint64_t)in->n_strategies, sizeof(ns_strategy_tally),
                         (uint64_t)in->n_tallies};
    uint64_t h = ns_hash64(NS_HASH_SEED, head, sizeof head);
    return ns_hash64(h, units, sizeof *units * in->unit_count * (uint64_t)in->n_tallies);
}

int ns_h5_write_shard(const char *path, const ns_scenario *s, const ns_shard_info *in,
                      const char *command_line, const ns_strategy_tally *units, char *err,
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
             ns__h5_attr_u64(f, "checksum", ns_shard_checksum(&sum, units)) |
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
    rc |= ns__h5_write_array(NULL, f, "units", H5T_STD_U8LE, H5T_NATIVE_UINT8, 2, dims, units,
                      "unit tallies (opaque: read by `netsurv merge` of the same version)",
                      "bytes");
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

int ns_h5_read_shard(const char *path, ns_shard_info *in, ns_strategy_tally **units, char *err,
                     size_t errlen)
{
    memset(in, 0, sizeof *in);
    *units = NULL;
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
        in->scenario_path = ns__h5_read_string(f, "scenario_path", 0);
        in->scenario_text = ns__h5_read_string(f, "scenario", 1);
        in->sweep_path = ns__h5_read_string(f, "sweep_path", 0);
        in->sweep_text = ns__h5_read_string(f, "sweep", 1);
        rc = !in->scenario_path || !in->scenario_text || read_overrides(f, in);
        hid_t d = H5Dopen2(f, "units", H5P_DEFAULT);
        hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
        hsize_t dims[2] = {0, 0};
        int sane = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 2 &&
                   H5Sget_simple_extent_dims(sp, dims, NULL) == 2 && claims_fit(in, (uint64_t)in->n_tallies, dims);
        *units = sane ? malloc(sizeof **units * (in->unit_count * (uint64_t)in->n_tallies + 1)) : NULL;
        rc = rc || !sane || !*units ||
             H5Dread(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, *units) < 0;
        if (sp >= 0)
            H5Sclose(sp);
        H5Dclose(d);
        why = !sane ? "the shard's numbers do not add up (damaged or not written by netsurv)"
              : rc  ? "cannot read the shard's contents"
              : checksum != ns_shard_checksum(in, *units)
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
    if (rc) {
        free(*units);
        *units = NULL;
    }
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
