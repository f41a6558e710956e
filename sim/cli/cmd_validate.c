/* `netsurv validate SCENARIO`: loads and checks a scenario (and a sweep),
 * printing every problem with its file, line and key. */
#include "commands.h"
#include "common.h"

#include <stdio.h>

int ns_cmd_validate(int argc, char **argv)
{
    options o;
    ns_scenario *s;
    int rc = ns_cli_start(argc, argv, &o, &s);
    if (rc)
        return rc;
    printf("ok\n");
    ns_scenario_free(s);
    return 0;
}
