/* The utilities: and economics: sections (economics_section.c). Internal to
 * the scenario stage. */
#ifndef NETSURV_SCENARIO_ECONOMICS_SECTION_H
#define NETSURV_SCENARIO_ECONOMICS_SECTION_H

#include "params.h"

/* Reads utilities: and economics: (wtp, its grid, currency, price_year,
 * population) into L->s->econ. 0 or -1 with messages in L. */
int ns__load_economics(ld *L, ns_ynode *root);

#endif
