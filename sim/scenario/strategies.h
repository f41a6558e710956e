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
/* One schedule item (at: or every:/from:/to:/lifelong:, tests:) added to r's
 * visits, as in a rule's schedule. */
int ns__schedule_item(ld *L, ns_rule *r, ns_ynode *item, const char *path);

#endif
