/* The commands of `netsurv`: the one table that main.c dispatches on and
 * that the usage, the help and the manual page list, in this order. Each is
 * X(name, usage, what it does, an example). A new command is one entry here
 * and one file cli/cmd_NAME.c that defines
 *     int ns_cmd_NAME(int argc, char **argv)
 * (argv[1] is the command's name; it returns the exit status: 0 success,
 * 1 a run failed or a target was missed where asked, 2 bad input). */
#ifndef NETSURV_CLI_COMMANDS_H
#define NETSURV_CLI_COMMANDS_H

#define NS_COMMANDS(X)                                                                       \
    X(bench,                                                                                 \
      "netsurv bench [SCENARIO] [-n N] [--memory] [--psa K] [--optimize] [--compression L]",   \
      "Measures netsurv's speed: patient generation, every strategy with summary and "       \
      "with per-patient output, on 1 and 2 threads (best of 3).",                            \
      "netsurv bench -n 2000000")                                                            \
    X(calibrate,                                                                             \
      "netsurv calibrate [SCENARIO] [--series FILE] [--check] [-o FILE] [-n M] [--seed S]\n" \
      "              [--threads T] [--set k=v]... [--force] [--resume] [--quiet]\n"         \
      "              [--shard K/N [--shard-wait S]]",                                        \
      "Bayesian calibration (IMIS) of chosen parameters to published follow-up "             \
      "series after endoscopic resection, each simulated as its own cohort under its "       \
      "own follow-up; --check scores the scenario's values against every series.",           \
      "netsurv calibrate --check")                                                           \
    X(cohort,                                                                                \
      "netsurv cohort [SCENARIO] [-n N] [--seed S] [--threads T] [--set k=v]... "            \
      "[--csv] [--strict]",                                                                  \
      "Draws the virtual cohort and prints it by reported group (metastasis rates "          \
      "with 95 % intervals, synchronous share, timing) beside the scenario's targets.",      \
      "netsurv cohort -n 1000000 --csv")                                                     \
    X(run,                                                                                   \
      "netsurv run [SCENARIO] -o FILE [-n N] [--seed S] [--threads T] [--set k=v]...\n"      \
      "              [--per-patient [--compression L]] [--psa K [--voi] [--posterior FILE]]\n" \
      "              [--owsa]"                                                               \
      " [--force] [--quiet] [--sweep FILE] [--resume] [--shard K/N]\n"                        \
      "              [--peak-memory]",                                                       \
      "Plays every strategy on the same virtual patients and writes costs, QALYs, "          \
      "detections, missed metastases and the incremental analysis to an HDF5 file; "         \
      "optionally PSA, OWSA, a sweep, one shard of the work.",                               \
      "netsurv run -n 1000000 -o results/default.h5 --psa 500")                              \
    X(optimize,                                                                              \
      "netsurv optimize [SCENARIO] [-o FILE] [-n N] [--seed S] [--threads T] [--set k=v]...\n" \
      "              [--space FILE] [--policy FILE] [--no-screen] [--psa K] [--force]\n"  \
      "              [--quiet] [--resume] [--shard K/N [--shard-wait S]]",                  \
      "Searches the scenario's space of schedules (optimize: or --space) for the best "     \
      "schedule of each risk group, every candidate on the group's same patients: "        \
      "frontiers, the best at each WTP, the scenario's strategies against them, and the "   \
      "composite policy as a scenario that netsurv run replays.",                           \
      "netsurv optimize -n 1000000 -o results/optimize.h5 --policy results/policy.yaml")    \
    X(merge,                                                                                 \
      "netsurv merge OUT.h5 SHARD.h5... [--force] [--quiet]",                                \
      "Folds the shards of one run (run --shard K/N) into the file a single run "            \
      "writes.",                                                                             \
      "netsurv merge all.h5 shard-*.h5")                                                     \
    X(validate,                                                                              \
      "netsurv validate SCENARIO [--sweep FILE] [--set k=v]...",                             \
      "Loads a scenario (and a sweep) and reports every problem with its "                   \
      "FILE:LINE:COLUMN and key, or ok.",                                                    \
      "netsurv validate scenarios/default.yaml --sweep scenarios/sweeps/structural.yaml")    \
    X(policy,                                                                                \
      "netsurv policy RESULT.h5 -o SCENARIO.yaml [--force] [--quiet]",                       \
      "Writes the composite policy of a run with risk groups (each group's best "            \
      "strategy at the willingness to pay) as a scenario whose first strategy replays it "    \
      "with netsurv run.",                                                                   \
      "netsurv policy results/default.h5 -o policy.yaml")                                    \
    X(reference,                                                                             \
      "netsurv reference [--format md]",                                                     \
      "Prints the scenario reference: every key of a scenario, sweep and series file "       \
      "with its type, unit, allowed range, default and whether it takes a psa: "             \
      "distribution, from the loader's table (docs/scenario-reference.md is this output).",   \
      "netsurv reference > docs/scenario-reference.md")                                      \
    X(icer,                                                                                  \
      "netsurv icer TABLE.csv [--csv] [-o FILE] [--force]",                                  \
      "The incremental analysis of any table of strategies (CSV: "                           \
      "strategy,cost,effect), in dampack's layout, without running the model.",              \
      "netsurv icer strategies.csv --csv")

#define NS_DECLARE_COMMAND(name, ...) int ns_cmd_##name(int argc, char **argv);
NS_COMMANDS(NS_DECLARE_COMMAND)
#undef NS_DECLARE_COMMAND

#endif
