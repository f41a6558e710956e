/* The checkpoint of a calibration: every likelihood evaluation recorded in
 * order (call index, the point, its log-likelihood and extra numbers), so
 * that a killed calibration resumed with the same inputs replays the
 * recorded evaluations instead of simulating them again. The sampler is
 * deterministic given its evaluations, so a resumed run equals an
 * uninterrupted one bit for bit. */
#ifndef NETSURV_ENGINE_EVALCACHE_H
#define NETSURV_ENGINE_EVALCACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ns_evalcache ns_evalcache;

/* Opens the checkpoint at path for points of d numbers with n_extra extra
 * numbers each: with resume, reads the evaluations recorded there (they
 * must carry the same fingerprint and pass their checksums; a torn last
 * record, from a kill during its write, is dropped); otherwise starts
 * afresh. NULL with a message on error. */
ns_evalcache *ns_evalcache_open(const char *path, uint64_t fingerprint, int d, int n_extra,
                                int resume, char *err, size_t errlen);
/* Evaluation `call`: 1 with *loglik and extra filled when it is recorded
 * for exactly this theta; 0 when it is not recorded; -1 when the record
 * holds another point (the inputs changed: the caller stops). */
int ns_evalcache_get(const ns_evalcache *c, uint64_t call, const double *theta, double *loglik,
                     double *extra);
/* Records evaluation `call` (flushed; synced to disk every few records and
 * at close). 0, or -1 with errno on a write failure. */
int ns_evalcache_put(ns_evalcache *c, uint64_t call, const double *theta, double loglik,
                     const double *extra);
/* Evaluations read from the file when it was opened. */
uint64_t ns_evalcache_recorded(const ns_evalcache *c);
/* Closes; removes the file when remove_file. */
void ns_evalcache_close(ns_evalcache *c, int remove_file);

#endif
