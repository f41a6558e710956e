/* libFuzzer target: merge's shard reader and checks (ns_job_merge on one
 * shard file). The input is decoded into the numbers a shard claims (each
 * either taken from a valid shard of the default scenario or from the
 * input), its units payload and whether its checksum is made to fit, and
 * written as an HDF5 shard: the target is netsurv's checks of what a file
 * says, not HDF5's parser of damaged files. Build and run: scripts/fuzz.sh
 * (corpus: tests/fuzz/corpus/shard). */
#include "netsurv/engine/work.h"
#include "netsurv/job/job.h"
#include "netsurv/output/shard.h"

#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NETSURV_SOURCE_DIR
#define NETSURV_SOURCE_DIR "."
#endif

static char *scenario_text;
static ns_shard_info valid;     /* shard 1/1 of 70,000 patients of the default scenario */

static void init(void)
{
    FILE *f = fopen(NETSURV_SOURCE_DIR "/scenarios/default.yaml", "rb");
    if (!f)
        abort();
    scenario_text = calloc(1, 1 << 20);
    size_t n = fread(scenario_text, 1, (1 << 20) - 1, f);
    fclose(f);
    scenario_text[n] = '\0';
    ns_scenario *s;
    ns_errors *e = malloc(sizeof *e);
    if (ns_scenario_load_string("default.yaml", scenario_text, NULL, 0, &s, e))
        abort();
    valid.n_patients = 70000;
    valid.seed = s->seed;
    valid.fingerprint = ns_run_fingerprint(s, valid.seed, valid.n_patients);
    valid.total_units = ns_work_total(s, valid.n_patients);
    valid.unit_first = 0;
    valid.unit_count = valid.total_units;
    valid.shard = valid.n_shards = 1;
    valid.n_strategies = s->n_strategies;
    ns_scenario_free(s);
    free(e);
}

/* The next 8 bytes of the input (zeros past its end). */
static uint64_t take(const uint8_t **p, const uint8_t *end)
{
    uint64_t v = 0;
    for (int i = 0; i < 8 && *p < end; i++)
        v |= (uint64_t)*(*p)++ << (8 * i);
    return v;
}

static void attr(hid_t f, const char *name, uint64_t v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, name, H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_UINT64, &v);
    H5Aclose(a);
    H5Sclose(sp);
}

static void text(hid_t f, const char *name, const char *v, int dataset)
{
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR);
    H5Tset_size(t, H5T_VARIABLE);
    hid_t o = dataset ? H5Dcreate2(f, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                      : H5Acreate2(f, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (dataset)
        H5Dwrite(o, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v);
    else
        H5Awrite(o, t, &v);
    dataset ? H5Dclose(o) : H5Aclose(o);
    H5Sclose(sp);
    H5Tclose(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scenario_text)
        init();
    const uint8_t *p = data, *end = data + size;
    uint64_t which = take(&p, end); /* bit i: field i from the input */
    ns_shard_info in = valid;
    uint64_t *field[] = {&in.fingerprint, &in.seed, &in.n_patients, &in.unit_first,
                         &in.unit_count, &in.total_units};
    for (int i = 0; i < 6; i++)
        if (which >> i & 1)
            *field[i] = take(&p, end);
    uint64_t shard = (uint64_t)in.shard, n_shards = (uint64_t)in.n_shards,
             S = (uint64_t)in.n_strategies, rows = in.unit_count;
    if (which >> 6 & 1)
        shard = take(&p, end);
    if (which >> 7 & 1)
        n_shards = take(&p, end);
    if (which >> 8 & 1)
        S = take(&p, end) % 64;
    if (which >> 9 & 1)
        rows = take(&p, end) % 64;
    hsize_t dims[2] = {rows % 64, (hsize_t)(S % 64) * sizeof(ns_strategy_tally)};
    size_t bytes = (size_t)(dims[0] * dims[1]);
    unsigned char *units = calloc(bytes + 1, 1);
    /* the payload: valid-looking tallies (every unit counting its
     * patients), then the rest of the input laid over it */
    for (size_t r = 0; r < dims[0] * (S % 64); r++)
        ((ns_strategy_tally *)units)[r].n_patients = r / (S ? S : 1) + 1 < dims[0]
                                                         ? NS_UNIT_PATIENTS
                                                         : 70000 - NS_UNIT_PATIENTS;
    size_t over = (size_t)(end - p) < bytes ? (size_t)(end - p) : bytes;
    if (which >> 10 & 1)
        memcpy(units, p, over);
    in.shard = (int)shard, in.n_shards = (int)n_shards, in.n_strategies = (int)(S % 64);
    in.n_tallies = in.n_strategies; /* a scenario without risk groups' tallies */
    /* a fitting checksum where the payload is as long as the counts say
     * (the reader checks that before it computes one) */
    ns_shard_data payload = {0};
    payload.units = (void *)units;
    uint64_t checksum = !(which >> 11 & 1) && in.unit_count == dims[0]
                            ? ns_shard_checksum(&in, &payload) : which;

    char dir[] = "/tmp/netsurv-fuzz-shard-XXXXXX", path[64], out[64];
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/s.h5", dir);
    snprintf(out, sizeof out, "%s/out.h5", dir);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    text(f, "kind", "netsurv shard: unit tallies for `netsurv merge`", 0);
    text(f, "netsurv_version", NETSURV_VERSION, 0);
    text(f, "scenario_path", "default.yaml", 0);
    text(f, "scenario", scenario_text, 1);
    attr(f, "fingerprint", in.fingerprint), attr(f, "seed", in.seed);
    attr(f, "n_patients", in.n_patients), attr(f, "shard", shard), attr(f, "n_shards", n_shards);
    attr(f, "unit_first", in.unit_first), attr(f, "unit_count", in.unit_count);
    attr(f, "total_units", in.total_units), attr(f, "n_strategies", S % 64);
    attr(f, "n_tallies", S % 64);
    attr(f, "tally_size", sizeof(ns_strategy_tally)), attr(f, "checksum", checksum);
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t d = H5Dcreate2(f, "units", H5T_STD_U8LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, units);
    H5Dclose(d);
    H5Sclose(sp);
    H5Fclose(f);
    free(units);

    ns_job j = {.output = out, .force = 1, .command_line = "fuzz"};
    ns_job_merged m;
    ns_errors *e = calloc(1, sizeof *e);
    char *paths[1] = {path};
    if (e)
        ns_job_merge(&j, paths, 1, &m, e);
    free(e);
    unlink(out);
    unlink(path);
    rmdir(dir);
    return 0;
}
