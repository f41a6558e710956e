/* The tables `netsurv run` prints (tables.c). */
#ifndef NETSURV_CLI_TABLES_H
#define NETSURV_CLI_TABLES_H

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
/* The incremental analysis of mean discounted cost and effect. */
void ns_cli_print_icer_table(const ns_scenario *s, const double *cost, const double *effect);

#endif
