/* Shared by the files of the netsurv command line (sim/main.c,
 * sim/cli_bench.c); not part of the library. */
#ifndef NETSURV_CLI_H
#define NETSURV_CLI_H

#include <stdint.h>

#include "netsurv/scenario.h"

#define MAX_SETS 256

/* Everything the command line can say. */
typedef struct {
    const char *scenario;
    const char *sets[MAX_SETS];
    int n_sets;
    uint64_t n;
    int n_given;
    uint64_t seed;
    int seed_given;
    int threads;
    int csv;
    int strict;
    int memory;
    int psa;                /* PSA draws (0: none) */
    int owsa;
    int resume;
    int peak_memory;        /* print the peak resident memory at the end */
    const char *sweep;      /* --sweep FILE */
    int shard_k, shard_n;   /* --shard K/N (shard_n 0: none) */
    const char *output;
    int force, per_patient, quiet;
    int argc;
    char **argv;
} options;

/* Loads o->scenario with o's overrides, printing every problem; NULL on error. */
ns_scenario *ns_cli_load(const options *o);
/* Monotonic seconds. */
double ns_cli_now(void);
/* `netsurv bench`: prints its figures; returns the exit status. */
int ns_cli_bench(const options *o);

#endif
