/* The optional sweep: section (sweep_section.c). Internal to the scenario stage. */
#ifndef NETSURV_SCENARIO_SWEEP_SECTION_H
#define NETSURV_SCENARIO_SWEEP_SECTION_H

#include "params.h"

/* Reads sweep: (grid and zip axes over registered parameters) into L->s->sweep. */
int ns__load_sweep(ld *L, ns_ynode *root);

#endif
