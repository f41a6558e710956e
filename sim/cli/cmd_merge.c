/* `netsurv merge OUT.h5 SHARD.h5... [--force]`: the file a single run
 * would have written, from all the shards of a run. */
#include "commands.h"
#include "common.h"
#include "netsurv/job/job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The merge's notes (the time the value of information took) on stderr. */
static void note(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "netsurv merge: %s\n", message);
}

/* Splits argv into the output, the shards, --force and --quiet (no notes);
 * 2 on bad usage. */
static int merge_args(int argc, char **argv, ns_job *j, char **files, int *nfiles)
{
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--force"))
            j->force = 1;
        else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
            j->quiet = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "netsurv merge: unknown option '%s'\n", argv[i]);
            return 2;
        } else if (!j->output)
            j->output = argv[i];
        else
            files[(*nfiles)++] = argv[i];
    }
    if (!j->output || *nfiles == 0) {
        fprintf(stderr, "usage: netsurv merge OUT.h5 SHARD.h5... [--force]\n");
        return 2;
    }
    return 0;
}

int ns_cmd_merge(int argc, char **argv)
{
    ns_job j = {.note = note};
    int nfiles = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    ns_errors *e = calloc(1, sizeof *e);
    char *cmdline = ns_cli_join_args(argc, argv);
    int rc = !files || !e ? 1 : merge_args(argc, argv, &j, files, &nfiles);
    if (!rc) {
        ns_job_merged m;
        j.command_line = cmdline ? cmdline : "";
        ns_cli_guard_output();
        rc = ns_job_merge(&j, files, nfiles, &m, e);
        ns_cli_print_errors("netsurv merge: ", e);
        if (!rc)
            printf("merged %d shards (%llu points x %llu patients) -> %s\n", nfiles,
                   (unsigned long long)m.n_points, (unsigned long long)m.n_patients, j.output);
    }
    free(cmdline);
    free(files);
    free(e);
    return rc;
}
