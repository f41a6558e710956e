/* The loader's vocabulary (params.c), used by every section's loader;
 * internal to the scenario stage. */
#ifndef NETSURV_SCENARIO_PARAMS_H
#define NETSURV_SCENARIO_PARAMS_H

#include "netsurv/scenario/scenario.h"
#include "netsurv/scenario/yamltree.h"

#include <stdint.h>

/* Loader state: the scenario being filled and the messages so far. */
typedef struct {
    ns_scenario *s;
    ns_errors *e;
} ld;

#define PATHLEN 160

/* Records "FILE:LINE:COLUMN: path: message" at node n. */
void ns__err_at(ld *L, const ns_ynode *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Records the warning "FILE:LINE:COLUMN: path: message" at node n. */
void ns__warn_at(ld *L, const ns_ynode *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* out = parent.key (truncated to PATHLEN). */
void ns__join(char *out, const char *parent, const char *key);
const char *ns__kind_name(ns_ykind k);
/* Child `key` of map, of kind `kind`; NULL (with a message when required)
 * if missing or of another kind. */
ns_ynode *ns__child(ld *L, ns_ynode *map, const char *parent, const char *key, ns_ykind kind,
                    int required);
/* A scalar as a whole number in [0, 2^64 - 1]: digits only, no sign, no
 * quotes; a larger value is a range error, never clamped. */
int ns__to_u64(ld *L, const ns_ynode *n, const char *path, uint64_t *out);
/* A name (scalar) copied to out[cap]: 1 to cap - 1 bytes, no control
 * characters (a newline would break the printed tables and CSV); `extra`
 * lists more characters that are not allowed (may be NULL). */
int ns__name(ld *L, const ns_ynode *n, const char *path, char *out, size_t cap,
             const char *extra);
/* Whether s holds a control character (below 0x20, or 0x7F). */
int ns__has_control(const char *s);
/* Reports every key of map not looked up so far as unknown (and marks it
 * used so it is reported once); returns -1 if there was one. For mappings
 * whose typos would otherwise surface only as a consequence ("missing
 * required key", "this rule is empty"). */
int ns__unknown_here(ld *L, ns_ynode *map, const char *path);
/* The source: or assumption: of mapping m (required), a non-empty text:
 * copied into out (len > 0) as "TEXT" or "assumption: TEXT". 0, or -1 with a
 * message at m or the text. */
int ns__why(ld *L, ns_ynode *m, const char *path, char *out, size_t len);
/* A scalar as a finite number. */
int ns__to_number(ld *L, const ns_ynode *n, const char *path, double *out);
int ns__check_range(ld *L, const ns_ynode *n, const char *path, double v, double lo, double hi);
/* A parameter {value, source|assumption} in [lo, hi], registered for --set/PSA. */
int ns__param(ld *L, ns_ynode *map, const char *parent, const char *key, double *out, double lo,
              double hi);
/* A list parameter of exactly n values (or 2..max when n == 0; count in *got). */
int ns__param_list(ld *L, ns_ynode *map, const char *parent, const char *key, double *out, int n,
                   int max, int *got, double lo, double hi);
/* Shares adding up to 1. */
int ns__check_sum1(ld *L, const ns_ynode *n, const char *path, const double *p, int k);
/* A setting that is one of `words`. */
int ns__choice(ld *L, ns_ynode *map, const char *parent, const char *key,
               const char *const *words, int nwords, int *out);
/* A piecewise-linear curve with strictly increasing knots. */
int ns__curve(ld *L, ns_ynode *map, const char *parent, const char *xkey, const char *ykey,
              ns_curve *c, double xlo, double ylo, double yhi);
/* A lognormal or Weibull distribution. */
int ns__dist(ld *L, ns_ynode *map, const char *parent, const char *key, ns_dist *d);

#endif
