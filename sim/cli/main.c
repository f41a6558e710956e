/* The netsurv command line: dispatches to the command named by argv[1]
 * (cli/commands.h); every command is a file cli/cmd_NAME.c. */
#include "commands.h"
#include "options.h"
#include "netsurv/job/job.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

#define NS_COMMAND_ENTRY(name, ...) {#name, ns_cmd_##name},
static const command commands[] = {NS_COMMANDS(NS_COMMAND_ENTRY)};
#undef NS_COMMAND_ENTRY

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        ns_cli_usage(stdout);
        return 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--man")) {
        ns_cli_man(stdout);
        return 0;
    }
    /* COMMAND --help (or -h) anywhere among its arguments */
    for (int i = 2; i < argc && ns_cli_command_index(cmd) >= 0; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            ns_cli_help(stdout, cmd);
            return 0;
        }
    if (!strcmp(cmd, "--version")) {
        printf("netsurv %s (git %s)\n", NETSURV_VERSION, NETSURV_GIT_REVISION);
        return 0;
    }
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        ns_cli_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc, argv);
    fprintf(stderr, "netsurv: unknown command '%s'\n", cmd);
    ns_cli_usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    ns_job_mpi_begin(&argc, &argv);
    if (ns_job_mpi_rank() != 0) { /* one voice: rank 0's */
        (void)!freopen("/dev/null", "w", stderr);
        (void)!freopen("/dev/null", "w", stdout);
    }
    int rc = dispatch(argc, argv);
    ns_job_mpi_end();
    return rc;
}
