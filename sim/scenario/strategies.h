/* Follow-up settings, modalities, treatments, economics and strategies
 * (strategies.c). Internal to the scenario stage. */
#ifndef NETSURV_SCENARIO_STRATEGIES_H
#define NETSURV_SCENARIO_STRATEGIES_H

#include "params.h"

/* follow_up, modalities, treatments and economics. */
int ns__load_modalities(ld *L, ns_ynode *root);
/* strategies: rules, risk groups, schedules; checks that rules partition. */
int ns__load_strategies(ld *L, ns_ynode *root);

#endif
