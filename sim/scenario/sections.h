/* The model's sections (sections.c): each loader reads its part of the
 * tree into L->s and records every problem in L->e; returns 0 or -1. Internal to the scenario stage. */
#ifndef NETSURV_SCENARIO_SECTIONS_H
#define NETSURV_SCENARIO_SECTIONS_H

#include "params.h"

int ns__load_header(ld *L, ns_ynode *root);
int ns__load_cohort(ld *L, ns_ynode *root);
int ns__load_metastasis(ld *L, ns_ynode *root);
/* metastasis.dormant_nodal_ratio (optional, 0 when absent); loaded last. */
int ns__load_specimen(ld *L, ns_ynode *root);
int ns__load_residual(ld *L, ns_ynode *root);
int ns__load_course(ld *L, ns_ynode *root);
int ns__load_death(ld *L, ns_ynode *root);
int ns__load_targets(ld *L, ns_ynode *root);

#endif
