/* Output files appear whole or not at all: a run writes a temporary file
 * beside its output (DIR/.NAME.netsurv-PID.tmp, so that rename() is atomic)
 * and renames it when everything is written. One output at a time per
 * process. */
#ifndef NETSURV_OUTPUT_ATOMIC_H
#define NETSURV_OUTPUT_ATOMIC_H

#include <stddef.h>

/* Takes the lock on `out` (DIR/.NAME.netsurv.lock, held until
 * ns_atomic_finish or the process ends: a second run to the same output
 * is refused), checks that `out` may be written (absent, or force), makes
 * the temporary path, and removes temporary files that earlier runs for the
 * same output left when they were killed (their process is gone). 0; -1
 * with a message in err when refused (exists, another run holds the lock);
 * -2 with the operating system's reason when the directory cannot be
 * written. */
int ns_atomic_begin(const char *out, int force, char *err, size_t errlen);

/* The temporary path to write ("" when no output is in progress). */
const char *ns_atomic_tmp(void);

/* With ok, syncs the temporary file to disk, puts it at the output path
 * (without force never over a file that appeared meanwhile) and syncs the
 * directory; otherwise, or when that fails, removes it. Either way nothing
 * partial is left, and the lock is given up. 0, or -1 with a message in
 * err. */
int ns_atomic_finish(int ok, char *err, size_t errlen);

/* Removes the temporary and the lock file; async-signal-safe (for a signal
 * handler). */
void ns_atomic_abandon(void);

/* "DIR/.NAME.SUFFIX" for the output DIR/NAME into buf: where a run keeps
 * what belongs beside its output (checkpoints, the shards' exchange). */
void ns_path_beside(const char *out, const char *suffix, char *buf, size_t len);

#endif
