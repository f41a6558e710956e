/* The options of the command line (options.c); not part of the library. */
#ifndef NETSURV_CLI_OPTIONS_H
#define NETSURV_CLI_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "help.h"
#include "netsurv/scenario/scenario.h"

#define MAX_SETS 4096 /* --set options on one command line */

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
    const char *space;      /* optimize --space FILE */
    const char *policy;     /* optimize --policy FILE */
    int no_screen;          /* optimize --no-screen */
    int optimize;           /* bench --optimize */
    const char *series;     /* calibrate --series FILE */
    const char *posterior;  /* run --posterior FILE */
    int voi;                /* run --voi: EVPPI after the PSA */
    int check;              /* calibrate --check */
    int shard_k, shard_n;   /* --shard K/N (shard_n 0: none) */
    double shard_wait;      /* --shard-wait S: seconds a shard waits for another's share */
    const char *output;
    int force, per_patient, quiet;
    int compression;        /* --compression L: deflate level of per-patient rows (default 1) */
    int argc;
    char **argv;
} options;

/* Fills o from argv[2..] (defaults first); prints the problem and returns 2
 * on bad usage, else 0. */
int ns_cli_parse(int argc, char **argv, options *o);

#endif
