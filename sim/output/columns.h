/* The per-patient columns (columns.c); internal to the output stage. The
 * public ns_h5_fill_rows and ns_h5_flush_rows live there too. */
#ifndef NETSURV_OUTPUT_COLUMNS_H
#define NETSURV_OUTPUT_COLUMNS_H

#include "h5util.h"

/* Buffers and datasets of /patients for h's scenario and n; 0 or -1. */
int ns__columns_open(ns_h5 *h);
/* Closes the datasets and frees the buffers (safe on a partly opened h). */
void ns__columns_close(ns_h5 *h);

#endif
