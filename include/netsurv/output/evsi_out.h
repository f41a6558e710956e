/* /voi/evsi/STUDY: the expected value of sample information of a proposed
 * follow-up study (engine/evsi.h), written after /voi. */
#ifndef NETSURV_OUTPUT_EVSI_OUT_H
#define NETSURV_OUTPUT_EVSI_OUT_H

#include "netsurv/output/h5out.h"

typedef struct {
    const ns_study *study;
    int K, W;
    int min_draws;                          /* draws the regression needs (NaN cells below) */
    const double *wtp;                      /* [W] */
    const double *evsi, *evsi_se;           /* [T, N, W]: whole-cohort decision */
    const double *comp, *comp_se;           /* [T, N, W]: decision per risk group (NULL: none) */
    const double *cost;                     /* [T, N] */
    double factor;                          /* population factor (NaN: no population) */
    const char *groups, *protocol, *observes; /* the design in words */
    double seconds;                         /* time the study's EVSI took */
} ns_evsi_result;

/* 0 or -1 (h marked failed). */
int ns_h5_write_evsi(ns_h5 *h, const ns_evsi_result *r);

#endif
