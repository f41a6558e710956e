/* Shard files (`run --shard K/N`, `merge`): one contiguous slice of a
 * run's work-unit tallies, with the run's inputs so that `merge` can check
 * the shards belong together and rebuild the scenario. */
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
} ns_shard_info;

/* At most this many shards of one run (`--shard K/N`, N <= it). */
#define NS_MAX_SHARDS 1000000

/* The checksum stored in a shard: over its numbers (info, with
 * n_strategies and n_tallies set) and units[0 .. unit_count * n_tallies). */
uint64_t ns_shard_checksum(const ns_shard_info *info, const ns_strategy_tally *units);

/* Writes a shard file at path (which must not exist): provenance, the run's
 * inputs, units[0 .. unit_count * T) (T = ns_tally_count(s)) and their checksum. */
int ns_h5_write_shard(const char *path, const ns_scenario *s, const ns_shard_info *info,
                      const char *command_line, const ns_strategy_tally *units, char *err,
                      size_t errlen);
/* Reads a shard file, checking that its numbers fit together (its slice is
 * the one `run --shard` cuts, the payload has their size) and its checksum;
 * *units (malloc'ed, unit_count * n_tallies) and the strings in info are
 * the caller's to free (ns_shard_info_free), also after a failure. */
int ns_h5_read_shard(const char *path, ns_shard_info *info, ns_strategy_tally **units, char *err,
                     size_t errlen);
void ns_shard_info_free(ns_shard_info *info);

#endif
