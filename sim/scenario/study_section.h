/* The optional studies: section (study_section.c). Internal to the scenario stage. */
#ifndef NETSURV_SCENARIO_STUDY_SECTION_H
#define NETSURV_SCENARIO_STUDY_SECTION_H

#include "params.h"

/* Reads studies: (proposed follow-up studies, for EVSI) into L->s->study. */
int ns__load_studies(ld *L, ns_ynode *root);

#endif
