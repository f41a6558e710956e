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
    ns_ynode *ow = ns_ymap_get(m, "otherwise");
    g->otherwise = ow && ow->kind == NS_Y_SCALAR && strcmp(ow->text, "true") == 0;
    if (ow && (!g->otherwise || ns_ymap_get(m, "when"))) {
        ns__err_at(L, ow, path, "otherwise: true holds the patients no other group holds; "
                                "it takes no when:");
        return -1;
    }
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
    ns_ynode *n = ns__child(L, root, "", "groups", NS_Y_SEQ, 0);
    s->n_groups = 0;
    if (!n)
        return 0;
    if (n->n == 0 || n->n > NS_MAX_GROUPS) {
        ns__err_at(L, n, "groups", "expected 1 to %d groups, found %zu", NS_MAX_GROUPS, n->n);
        return -1;
    }
    int rc = 0;
    s->n_groups = (int)n->n;
    for (size_t i = 0; i < n->n; i++)
        rc |= load_group(L, n->items[i], i);
    if (rc)
        return rc;
    ns__owner ow[NS_MAX_GROUPS];
    for (int i = 0; i < s->n_groups; i++)
        ow[i] = (ns__owner){s->group[i].name, &s->group[i].when, s->group[i].otherwise};
    return ns__check_partition(L, ow, s->n_groups, n, "groups", "group");
}
