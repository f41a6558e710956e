/* `netsurv cohort`: the simulated cohort against the scenario's targets. */
#include "commands.h"
#include "common.h"
#include "netsurv/engine/cohort.h"

#include <stdio.h>

int ns_cmd_cohort(int argc, char **argv)
{
    options o;
    ns_scenario *s;
    int rc = ns_cli_start(argc, argv, &o, &s);
    if (rc)
        return rc;
    uint64_t seed = o.seed_given ? o.seed : s->seed;
    ns_cohort_tally t;
    ns_cohort_run(s, seed, o.n, o.threads, &t);
    if (!o.csv)
        printf("netsurv %s cohort: %s\n%llu patients, seed %llu\n\n", NETSURV_VERSION, s->name,
               (unsigned long long)o.n, (unsigned long long)seed);
    int missed = ns_cohort_print(stdout, s, &t, o.csv);
    ns_scenario_free(s);
    return o.strict && missed ? 1 : 0;
}
