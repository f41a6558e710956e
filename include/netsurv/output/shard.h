/* Shard files (`run --shard K/N`, `merge`): one contiguous slice of a
 * run's work-unit tallies, of its PSA draws and of its OWSA parameters
 * (as rows of numbers, engine/psa.h), with the run's inputs so that
 * `merge` can check the shards belong together and rebuild the scenario. */
#ifndef NETSURV_OUTPUT_SHARD_H
#define NETSURV_OUTPUT_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "netsurv/engine/engine.h"
#include "netsurv/scenario/scenario.h"

/* What a shard file holds besides its unit tallies: enough to check that
 * shards belong together and to rebuild the run's scenario. */
typedef struct {
    uint64_t fingerprint, seed, n_patients, unit_first, unit_count, total_units;
    int shard, n_shards, n_strategies; /* shard is 1-based */
    int n_tallies;              /* tallies per work unit: ns_tally_count of the run */
    char version[64];
    char *scenario_path, *scenario_text, *sweep_path, *sweep_text; /* sweep: NULL if none */
    int n_sets;
    char **sets;
    /* PSA draws and OWSA parameters (counts 0: none): rows of psa_row and
     * owsa_row doubles */
    uint64_t draw_first, draw_count, total_draws, setting_first, setting_count, total_settings;
    uint64_t psa_row, owsa_row;
    int voi;                    /* the run asked for /voi */
    /* drawn from a calibration's posterior (posterior_hash 0: not) */
    uint64_t posterior_hash, posterior_points;
    int posterior_d, posterior_param[64];
    char *posterior_path;
} ns_shard_info;

/* At most this many shards of one run (`--shard K/N`, N <= it). */
#define NS_MAX_SHARDS 1000000

/* What a shard holds: units[unit_count * n_tallies], psa[draw_count *
 * psa_row], owsa[setting_count * owsa_row]. */
typedef struct {
    ns_strategy_tally *units;
    double *psa, *owsa;
} ns_shard_data;

/* The checksum stored in a shard: over its numbers (info, with
 * n_strategies and n_tallies set) and its data. */
uint64_t ns_shard_checksum(const ns_shard_info *info, const ns_shard_data *d);

/* Writes a shard file at path (which must not exist): provenance, the run's
 * inputs, its data (units of T = ns_tally_count(s) tallies) and their
 * checksum. */
int ns_h5_write_shard(const char *path, const ns_scenario *s, const ns_shard_info *info,
                      const char *command_line, const ns_shard_data *d, char *err,
                      size_t errlen);
/* Reads a shard file, checking that its numbers fit together (its slices
 * are the ones `run --shard` cuts, the payload has their size) and its
 * checksum; d's arrays (malloc'ed) and the strings in info are the
 * caller's to free (ns_shard_info_free, ns_shard_data_free), also after a
 * failure. */
int ns_h5_read_shard(const char *path, ns_shard_info *info, ns_shard_data *d, char *err,
                     size_t errlen);
void ns_shard_data_free(ns_shard_data *d);
void ns_shard_info_free(ns_shard_info *info);

#endif
