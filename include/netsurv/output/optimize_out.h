/* The HDF5 output of `netsurv optimize` (optimize_out.c). */
#ifndef NETSURV_OUTPUT_OPTIMIZE_OUT_H
#define NETSURV_OUTPUT_OPTIMIZE_OUT_H

#include "netsurv/engine/optimize.h"
#include "netsurv/output/h5out.h"

/* /optimize: the search (candidates, stages, the WTP grid), one group per
 * risk group (/optimize/group_NN, its `name` attribute) with every candidate
 * evaluated on all its patients, the cost-QALY frontier with ICERs, the
 * tests-metastasis deaths Pareto frontier, the best at each WTP and the
 * scenario's strategies placed against the frontier; /optimize/policy, the
 * composite policy as scenario YAML, with its whole-cohort cost and QALYs.
 * Returns 0 or -1. */
int ns_h5_write_optimize(ns_h5 *h, const ns_scenario *s, const ns_opt_space *sp,
                         const ns_opt_result *r, const char *policy_yaml, double policy_cost,
                         double policy_qaly);

#endif
