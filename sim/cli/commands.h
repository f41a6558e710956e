/* The commands of `netsurv`: the one table that main.c dispatches on and
 * that the usage text lists, in this order. A new command is one line here
 * and one file cli/cmd_NAME.c that defines
 *     int ns_cmd_NAME(int argc, char **argv)
 * (argv[1] is the command's name; it returns the exit status: 0 success,
 * 1 a run failed or a target was missed where asked, 2 bad input). */
#ifndef NETSURV_CLI_COMMANDS_H
#define NETSURV_CLI_COMMANDS_H

#define NS_COMMANDS(X)                                                                         \
    X(bench, "netsurv bench [SCENARIO] [-n N] [--memory] [--psa K]")                         \
    X(calibrate, "netsurv calibrate [SCENARIO] [--series FILE] [--check] [-o FILE] [-n M] "    \
                 "[--seed S]\n"                                                               \
                 "              [--threads T] [--set k=v]... [--force] [--quiet]")            \
    X(cohort, "netsurv cohort [SCENARIO] [-n N] [--seed S] [--threads T] [--set k=v]... "     \
              "[--csv] [--strict]")                                                          \
    X(run, "netsurv run [SCENARIO] -o FILE [-n N] [--seed S] [--threads T] [--set k=v]...\n"  \
           "              [--per-patient] [--psa K] [--owsa] [--force] [--quiet]\n"          \
           "              [--sweep FILE] [--resume] [--shard K/N] [--peak-memory]")          \
    X(merge, "netsurv merge OUT.h5 SHARD.h5... [--force]")                                    \
    X(validate, "netsurv validate SCENARIO [--sweep FILE] [--set k=v]...")                    \
    X(icer, "netsurv icer TABLE.csv [--csv] [-o FILE] [--force]")

#define NS_DECLARE_COMMAND(name, usage) int ns_cmd_##name(int argc, char **argv);
NS_COMMANDS(NS_DECLARE_COMMAND)
#undef NS_DECLARE_COMMAND

#endif
