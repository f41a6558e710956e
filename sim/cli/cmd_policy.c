/* `netsurv policy RESULT.h5 -o SCENARIO.yaml`: the composite policy of a
 * run with risk groups (each group's best strategy at the willingness to
 * pay, /composite/yaml) written as a scenario: the run's scenario with the
 * policy added as its first strategy, `composite`. `netsurv run` on it
 * replays the policy patient by patient, beside the other strategies. */
#include "commands.h"
#include "common.h"
#include "netsurv/output/atomic.h"
#include "netsurv/output/h5out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ns_cmd_policy(int argc, char **argv)
{
    options o;
    int rc = ns_cli_parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (o.scenario == ns_cli_default_scenario() || !o.output) {
        fprintf(stderr, "netsurv policy: give the result file and -o SCENARIO.yaml\n"
                        "usage: netsurv policy RESULT.h5 -o SCENARIO.yaml [--force]\n");
        return 2;
    }
    char err[9000], *scenario, *policy, *cmd;
    if (ns_h5_read_policy(o.scenario, &scenario, &policy, &cmd, err, sizeof err)) {
        fprintf(stderr, "netsurv policy: %s\n", err);
        return 2;
    }
    char *text = ns_scenario_add_strategy(o.scenario, scenario, policy, err, sizeof err);
    rc = text ? 0 : 2;
    if (!text)
        fprintf(stderr, "netsurv policy: %s\n", err);
    if (!rc && ns_atomic_begin(o.output, o.force, err, sizeof err)) {
        fprintf(stderr, "netsurv policy: %s\n", err);
        rc = 2;
    }
    if (!rc) {
        FILE *f = fopen(ns_atomic_tmp(), "w");
        int ok = f && fprintf(f, "# The scenario of %s with its composite policy added as the "
                                 "first strategy\n# (netsurv policy). That run: %s\n# Replay "
                                 "it with the same seed, patients and --set overrides.\n",
                              o.scenario, cmd ? cmd : "(command line not recorded)") > 0 &&
                 fputs(text, f) >= 0;
        if (f && fclose(f))
            ok = 0;
        if (!ok)
            fprintf(stderr, "netsurv policy: cannot write %s: %s\n", ns_atomic_tmp(),
                    strerror(errno));
        if (ns_atomic_finish(ok, err, sizeof err)) {
            fprintf(stderr, "netsurv policy: %s\n", err);
            ok = 0;
        }
        rc = ok ? 0 : 1;
        if (ok && !o.quiet)
            printf("the composite policy of %s -> %s (strategy 'composite')\n", o.scenario,
                   o.output);
    }
    free(text);
    free(scenario);
    free(policy);
    free(cmd);
    return rc;
}
