/* The calibration checkpoint (engine/evalcache.h). File: a header (magic,
 * fingerprint, d, n_extra, its checksum), then records of the call index,
 * d + 1 + n_extra doubles and a checksum over both. */
#include "netsurv/engine/evalcache.h"
#include "netsurv/numeric/hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char magic[8] = "NSCALCK1";

typedef struct {
    char magic[8];
    uint64_t fingerprint;
    uint32_t d, n_extra;
    uint64_t checksum;
} header;

struct ns_evalcache {
    FILE *f;
    char *path;
    int d, n_extra;
    uint64_t n, cap, fingerprint, unsynced;
    double *rec;                /* n records of d + 1 + n_extra doubles */
};

static size_t width(const ns_evalcache *c)
{
    return (size_t)c->d + 1 + (size_t)c->n_extra;
}

static uint64_t record_sum(uint64_t fp, uint64_t call, const double *v, size_t w)
{
    uint64_t head[2] = {fp, call};
    return ns_hash64(ns_hash64(NS_HASH_SEED, head, sizeof head), v, sizeof *v * w);
}

static uint64_t header_sum(const header *h)
{
    return ns_hash64(NS_HASH_SEED, h, offsetof(header, checksum));
}

static int grow(ns_evalcache *c)
{
    if (c->n < c->cap)
        return 0;
    uint64_t cap = c->cap ? 2 * c->cap : 1024;
    double *r = realloc(c->rec, sizeof *r * width(c) * cap);
    if (!r)
        return -1;
    c->rec = r, c->cap = cap;
    return 0;
}

/* 0: read (or nothing to read); 1: another run's file; -1: damaged. */
static int load(ns_evalcache *c, FILE *f)
{
    header h;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, magic, 8))
        return 1;
    if (h.checksum != header_sum(&h))
        return -1;
    if (h.fingerprint != c->fingerprint || h.d != (uint32_t)c->d ||
        h.n_extra != (uint32_t)c->n_extra)
        return 1;
    size_t w = width(c);
    double *v = malloc(sizeof *v * w);
    uint64_t call, sum;
    int rc = v ? 0 : -1;
    while (!rc && fread(&call, sizeof call, 1, f) == 1 && fread(v, sizeof *v, w, f) == w &&
           fread(&sum, sizeof sum, 1, f) == 1) {
        if (call != c->n || sum != record_sum(c->fingerprint, call, v, w) || grow(c))
            rc = -1;
        else
            memcpy(c->rec + c->n++ * w, v, sizeof *v * w);
    }
    free(v);
    return rc;
}

ns_evalcache *ns_evalcache_open(const char *path, uint64_t fingerprint, int d, int n_extra,
                                int resume, char *err, size_t errlen)
{
    ns_evalcache *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        snprintf(err, errlen, "%s: out of memory", path);
        ns_evalcache_close(c, 0);
        return NULL;
    }
    c->d = d, c->n_extra = n_extra, c->fingerprint = fingerprint;
    FILE *old = resume ? fopen(path, "rb") : NULL;
    int got = old ? load(c, old) : 0;
    if (old)
        fclose(old);
    if (got) {
        snprintf(err, errlen, got > 0 ? "%s: the checkpoint belongs to another calibration "
                                        "(other scenario, series, seed, patients or netsurv "
                                        "build); remove it or run without --resume"
                                      : "%s: the checkpoint is damaged; remove it or run "
                                        "without --resume", path);
        ns_evalcache_close(c, 0);
        return NULL;
    }
    /* rewrite what was read, then append: a torn tail is gone for good */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    FILE *f = fopen(tmp, "wb");
    header h = {{0}, fingerprint, (uint32_t)d, (uint32_t)n_extra, 0};
    memcpy(h.magic, magic, 8);
    h.checksum = header_sum(&h);
    int ok = f && fwrite(&h, sizeof h, 1, f) == 1;
    size_t w = width(c);
    for (uint64_t i = 0; ok && i < c->n; i++) {
        uint64_t sum = record_sum(fingerprint, i, c->rec + i * w, w);
        ok = fwrite(&i, sizeof i, 1, f) == 1 && fwrite(c->rec + i * w, sizeof(double), w, f) == w &&
             fwrite(&sum, sizeof sum, 1, f) == 1;
    }
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0 && rename(tmp, path) == 0;
    if (!ok) {
        snprintf(err, errlen, "%s: cannot write the checkpoint: %s", path, strerror(errno));
        if (f)
            fclose(f);
        remove(tmp);
        ns_evalcache_close(c, 0);
        return NULL;
    }
    c->f = f;
    return c;
}

int ns_evalcache_get(const ns_evalcache *c, uint64_t call, const double *theta, double *loglik,
                     double *extra)
{
    if (call >= c->n)
        return 0;
    const double *r = c->rec + call * width(c);
    if (memcmp(r, theta, sizeof *theta * (size_t)c->d))
        return -1;
    *loglik = r[c->d];
    memcpy(extra, r + c->d + 1, sizeof *extra * (size_t)c->n_extra);
    return 1;
}

int ns_evalcache_put(ns_evalcache *c, uint64_t call, const double *theta, double loglik,
                     const double *extra)
{
    size_t w = width(c);
    double *v = malloc(sizeof *v * w);
    if (!v)
        return -1;
    memcpy(v, theta, sizeof *v * (size_t)c->d);
    v[c->d] = loglik;
    memcpy(v + c->d + 1, extra, sizeof *v * (size_t)c->n_extra);
    uint64_t sum = record_sum(c->fingerprint, call, v, w);
    int ok = fwrite(&call, sizeof call, 1, c->f) == 1 && fwrite(v, sizeof *v, w, c->f) == w &&
             fwrite(&sum, sizeof sum, 1, c->f) == 1 && fflush(c->f) == 0;
    free(v);
    if (ok && ++c->unsynced >= 16) { /* a kill loses at most the last few evaluations */
        ok = fsync(fileno(c->f)) == 0;
        c->unsynced = 0;
    }
    return ok ? 0 : -1;
}

uint64_t ns_evalcache_recorded(const ns_evalcache *c)
{
    return c->n;
}

void ns_evalcache_close(ns_evalcache *c, int remove_file)
{
    if (!c)
        return;
    if (c->f)
        fclose(c->f);
    if (remove_file && c->path)
        remove(c->path);
    free(c->path);
    free(c->rec);
    free(c);
}
