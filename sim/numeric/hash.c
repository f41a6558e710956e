/* The checksum of include/netsurv/numeric/hash.h: 8 bytes at a time, each
 * word mixed with a multiply and xor-shifts (a splitmix64-style finaliser),
 * the length folded in so that trailing zero bytes count. */
#include "netsurv/numeric/hash.h"

#include <string.h>

static uint64_t mix(uint64_t h, uint64_t w)
{
    h ^= w + 0x9e3779b97f4a7c15ULL;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 29);
}

uint64_t ns_hash64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = mix(h, w);
    }
    uint64_t tail = 0;
    if (len > i)
        memcpy(&tail, p + i, len - i);
    return mix(mix(h, tail), (uint64_t)len);
}
