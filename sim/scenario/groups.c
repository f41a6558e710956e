/* The scenario's risk groups (`groups:`): a partition of the reported
 * attributes by which every result is also reported, and within which the
 * best schedule is chosen. Checked as a strategy's rules are: every
 * reported patient in exactly one group. */
#include <stdio.h>
#include <string.h>

#include "strategies.h"

static int load_group(ld *L, ns_ynode *m, size_t i)
{
    ns_scenario *s = L->s;
    ns_risk_group *g = &s->group[i];
    char path[PATHLEN];
    if (ns__entry_name(L, m, "groups", i, g->name, s->group, sizeof *g, path))
        return -1;
    if (ns__otherwise(L, m, path, "group", "holds", &g->otherwise))
        return -1;
    if (!g->otherwise && !ns_ymap_get(m, "when")) {
        ns__err_at(L, m, path, "a group needs when: (its reported attributes) or otherwise: true");
        return -1;
    }
    int rc = ns__riskgroup(L, m, path, &g->when);
    ns_ynode *d = ns__child(L, m, path, "description", NS_Y_SCALAR, 0);
    /* why cells were merged, or any other note: kept in the file, not used */
    ns__child(L, m, path, "why", NS_Y_SCALAR, 0);
    if (d) {
        char dp[PATHLEN];
        ns__join(dp, path, "description");
        rc |= ns__name(L, d, dp, g->description, sizeof g->description, NULL);
    } else if (g->otherwise)
        snprintf(g->description, sizeof g->description, "every patient no other group holds");
    else
        ns__describe_group(&g->when, g->description, sizeof g->description);
    return rc | ns__unknown_here(L, m, path);
}

int ns__load_groups(ld *L, ns_ynode *root)
{
    ns_scenario *s = L->s;
    s->n_groups = 0;
    int rc = ns__named_list(L, root, "groups", 1, NS_MAX_GROUPS, &s->n_groups, 0, load_group);
    if (rc || !s->n_groups)
        return rc;
    ns__owner ow[NS_MAX_GROUPS];
    for (int i = 0; i < s->n_groups; i++)
        ow[i] = (ns__owner){s->group[i].name, &s->group[i].when, s->group[i].otherwise};
    return ns__check_partition(L, ow, s->n_groups, ns_ymap_get(root, "groups"), "groups",
                               "group");
}
