/* A 64-bit checksum over bytes, for the payload of shard files and sweep
 * checkpoints: any changed, lost or added byte changes it (with
 * probability 1 - 2^-64 for random damage). Not cryptographic. */
#ifndef NETSURV_NUMERIC_HASH_H
#define NETSURV_NUMERIC_HASH_H

#include <stddef.h>
#include <stdint.h>

#define NS_HASH_SEED 0x6e65747375727631ULL /* "netsurv1" */

/* Continues the hash h over data[0 .. len); start with NS_HASH_SEED. */
uint64_t ns_hash64(uint64_t h, const void *data, size_t len);

#endif
