/* The optional optimize: section (optimize_section.c). Internal to the scenario stage. */
#ifndef NETSURV_SCENARIO_OPTIMIZE_SECTION_H
#define NETSURV_SCENARIO_OPTIMIZE_SECTION_H

#include "params.h"

/* Reads optimize: (the search space of netsurv optimize) into L->s->opt. */
int ns__load_optimize(ld *L, ns_ynode *root);

#endif
