/* Follow-up settings, modalities, treatments, economics and strategies
 * (strategies.c). Internal to the scenario stage. */
#ifndef NETSURV_SCENARIO_STRATEGIES_H
#define NETSURV_SCENARIO_STRATEGIES_H

#include "params.h"

/* follow_up, modalities, treatments and economics. */
int ns__load_modalities(ld *L, ns_ynode *root);
/* strategies: rules, risk groups, schedules; checks that rules partition. */
int ns__load_strategies(ld *L, ns_ynode *root);
/* The `when:` risk group of mapping m (absent: everyone), as a rule's. */
int ns__riskgroup(ld *L, ns_ynode *m, const char *path, ns_riskgroup *g);
/* m's optional `treatment:` (a name under treatments:, or none) into *out
 * (-1 for none). 0, or -1 with the error reported. */
int ns__treatment_ref(ld *L, ns_ynode *m, const char *path, int *out);
/* One schedule item (at: or every:/from:/to:/lifelong:, tests:) added to r's
 * visits, as in a rule's schedule. */
int ns__schedule_item(ld *L, ns_rule *r, ns_ynode *item, const char *path);
/* m's required `tests:` (names of the scenario's modalities, at least one)
 * as a bit mask, as in a schedule item (a series' staging tests). */
int ns__tests_mask(ld *L, ns_ynode *m, const char *path, uint32_t *mask);

/* The `name:` of list entry i of `list` copied to out, unique among the
 * first i names of `names` (structs of size stride, name first); path is
 * set to list.name. */
int ns__entry_name(ld *L, ns_ynode *m, const char *list, size_t i, char *out, const void *names,
                   size_t stride, char *path);

/* The list of named entries under root[key] (required or not; when given,
 * min to max of them), each loaded by fn(L, entry, index); *count set. */
int ns__named_list(ld *L, ns_ynode *root, const char *key, int min, int max, int *count,
                   int required, int (*fn)(ld *, ns_ynode *, size_t));
/* The `otherwise: true` of a rule or group m into *flag; -1 with a message
 * when it is not true or comes with when: (what: "rule"; verb: "matches"). */
int ns__otherwise(ld *L, ns_ynode *m, const char *path, const char *what, const char *verb,
                  int *flag);

/* Owners of cells of the reported attributes: a strategy's rules or the
 * risk groups. */
#define NS_MAX_OWNERS 64
typedef struct {
    const char *name;
    const ns_riskgroup *when;
    int otherwise;
} ns__owner;
/* Checks the owners partition every reported patient; messages at list's
 * items name them as `what`. */
int ns__check_partition(ld *L, const ns__owner *ow, int n, ns_ynode *list, const char *path,
                        const char *what);
/* groups: the risk groups results are reported by (groups.c). */
int ns__load_groups(ld *L, ns_ynode *root);
/* "size 10-20 mm, G1 or G2, ..." for a risk group (out[cap]). */
void ns__describe_group(const ns_riskgroup *g, char *out, size_t cap);

#endif
