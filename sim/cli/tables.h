/* The tables `netsurv run` and `netsurv icer` print (tables.c). */
#ifndef NETSURV_CLI_TABLES_H
#define NETSURV_CLI_TABLES_H

#include <stdio.h>

#include "netsurv/engine/econ.h"
#include "netsurv/engine/engine.h"
#include "netsurv/scenario/scenario.h"

/* The per-strategy table at the end of a run. */
void ns_cli_print_run_table(const ns_scenario *s, const ns_strategy_tally *t);
/* What became of the metastases: found, resectable, cured, overdiagnosed,
 * deaths, and discounted life-years. */
void ns_cli_print_outcome_table(const ns_scenario *s, const ns_strategy_tally *t);
/* The discounted QALY difference of each strategy against the first, split
 * into its parts. */
void ns_cli_print_qaly_parts(const ns_scenario *s, const ns_strategy_tally *t);
/* With risk groups: each group's share, its best strategy at the WTP, the
 * NMB gain and metastasis deaths per 1,000 against a strategy that follows
 * no one, and the composite policy's totals. */
void ns_cli_print_group_table(const ns_scenario *s, const ns_strategy_tally *t);
/* The incremental analysis of mean discounted cost and effect. */
void ns_cli_print_icer_table(const ns_scenario *s, const double *cost, const double *effect);
/* The incremental analysis t of n named strategies in the layout of
 * dampack's calculate_icers: columns Strategy, Cost, Effect, Inc_Cost,
 * Inc_Effect, ICER, Status (ND, ED, D, duplicate), rows in dampack's order
 * (ns_econ_dampack_rows), NA where there is no value. With csv, CSV whose
 * numbers read back to the same doubles; else an aligned table with 7
 * significant digits (what R prints). 0, or -1 when writing to f fails. */
int ns_cli_print_dampack_table(FILE *f, const char *const *names, const double *cost,
                               const double *effect, int n, const ns_icer_table *t, int csv);

#endif
