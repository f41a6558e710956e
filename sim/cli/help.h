/* Help, usage and the manual page of the command line (help.c). */
#ifndef NETSURV_CLI_HELP_H
#define NETSURV_CLI_HELP_H

#include <stdio.h>

typedef struct {
    const char *name, *alias; /* "-o", "--output" */
    const char *arg;          /* its argument's name; NULL: a flag */
    const char *def;          /* the default, in words; NULL: none */
    const char *help;
    unsigned commands;        /* bit i: command i of commands.h takes it */
} ns_opt_help;

/* Every option, ended by a NULL name. */
extern const ns_opt_help ns_opt_table[];

/* The default scenario: the one installed beside the program (found from
 * /proc/self/exe, so a moved tree still finds it), else this build's source
 * tree's, else the configured prefix's. */
const char *ns_cli_default_scenario(void);
/* The same for the calibration series file (scenarios/calibration/series.yaml). */
const char *ns_cli_default_series(void);
/* Index of a command in commands.h, or -1. */
int ns_cli_command_index(const char *name);
/* The option `arg` (its name or alias) if command `cmd` takes it (cmd < 0:
 * any command), else NULL. */
const ns_opt_help *ns_cli_option(int cmd, const char *arg);
/* The usage text of every command. */
void ns_cli_usage(FILE *f);
/* `netsurv NAME --help`: usage, what it does, every option, an example.
 * -1 for an unknown command. */
int ns_cli_help(FILE *f, const char *name);
/* The manual page, roff. */
void ns_cli_man(FILE *f);

#endif
