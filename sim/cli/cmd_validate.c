/* `netsurv validate SCENARIO`: loads and checks a scenario (and a sweep),
 * printing every problem with its file, line and key. */
#include "commands.h"
#include "common.h"

#include <stdio.h>

int ns_cmd_validate(int argc, char **argv)
{
    options o;
    int rc = ns_cli_parse(argc, argv, &o);
    if (rc)
        return rc;
    ns_scenario *s = ns_cli_load(&o);
    if (!s)
        return 2;
    printf("ok\n");
    ns_scenario_free(s);
    return 0;
}
