/* The checkpoint of finished sweep points (see include/netsurv/engine/checkpoint.h). */
#include "netsurv/engine/checkpoint.h"
#include "netsurv/numeric/hash.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* The file: this header, then one record per finished point: the point's
 * index, its S tallies and a checksum over the fingerprint, the index and
 * the tallies. */
typedef struct {
    char magic[8];
    uint64_t fingerprint, n_points;
    uint32_t n_strategies, tally_size;
    uint64_t n_patients, checksum; /* checksum: over the fields before it */
} ck_header;

struct ns_checkpoint {
    FILE *f;
    char *path;
    uint64_t fingerprint, n_points, n_patients, done;
    int S, n_whole;                 /* tallies per point; of them, whole-cohort ones */
    unsigned char *have;            /* per point */
    ns_strategy_tally *tallies;     /* n_points x S, filled where have */
};

static const char ck_magic[8] = "NSCKPT2";

static uint64_t header_sum(const ck_header *h)
{
    return ns_hash64(NS_HASH_SEED, h, offsetof(ck_header, checksum));
}

static uint64_t record_sum(uint64_t fingerprint, uint64_t p, const ns_strategy_tally *t, int S)
{
    uint64_t head[2] = {fingerprint, p};
    return ns_hash64(ns_hash64(NS_HASH_SEED, head, sizeof head), t, sizeof *t * (size_t)S);
}

/* Reads the records of an existing checkpoint: 0 when it is this run's and
 * whole, 1 when it belongs to another run, -1 when it is damaged (a record
 * whose checksum or patient counts do not match). A torn last record
 * (killed mid-write) is dropped. */
static int ck_read(ns_checkpoint *c, FILE *f, uint64_t fingerprint, uint64_t *bad_point)
{
    ck_header h;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, ck_magic, 8))
        return 1;
    if (h.checksum != header_sum(&h))
        return *bad_point = UINT64_MAX, -1;
    if (h.fingerprint != fingerprint || h.n_points != c->n_points ||
        h.n_strategies != (uint32_t)c->S || h.tally_size != sizeof(ns_strategy_tally) ||
        h.n_patients != c->n_patients)
        return 1;
    uint64_t p, sum;
    ns_strategy_tally *t = malloc(sizeof *t * (size_t)c->S);
    if (!t)
        return -1;
    int rc = 0;
    while (fread(&p, sizeof p, 1, f) == 1 && fread(t, sizeof *t, (size_t)c->S, f) == (size_t)c->S &&
           fread(&sum, sizeof sum, 1, f) == 1) {
        int fits = p < c->n_points && sum == record_sum(fingerprint, p, t, c->S);
        /* each strategy's whole-cohort tally counts every patient, and its
         * risk groups' tallies add up to them */
        int W = c->n_whole, G = W ? c->S / W - 1 : 0;
        for (int k = 0; fits && k < W; k++) {
            uint64_t in_groups = 0;
            for (int g = 0; g < G; g++)
                in_groups += t[W + k * G + g].n_patients;
            fits = t[k].n_patients == c->n_patients && (!G || in_groups == c->n_patients);
        }
        if (!fits) {
            *bad_point = p;
            rc = -1;
            break;
        }
        memcpy(c->tallies + p * (uint64_t)c->S, t, sizeof *t * (size_t)c->S);
        c->done += !c->have[p];
        c->have[p] = 1;
    }
    free(t);
    return rc;
}

static int put_record(ns_checkpoint *c, uint64_t p, const ns_strategy_tally *t)
{
    uint64_t sum = record_sum(c->fingerprint, p, t, c->S);
    return fwrite(&p, sizeof p, 1, c->f) != 1 ||
                   fwrite(t, sizeof *t, (size_t)c->S, c->f) != (size_t)c->S ||
                   fwrite(&sum, sizeof sum, 1, c->f) != 1
               ? -1 : 0;
}

ns_checkpoint *ns_checkpoint_open(const char *path, uint64_t fingerprint, uint64_t n_points,
                                  int n_tallies, int n_strategies, uint64_t n_patients,
                                  int resume, char *err, size_t errlen)
{
    ns_checkpoint *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path)) || !(c->have = calloc(n_points, 1)) ||
        n_strategies < 1 || n_tallies % n_strategies ||
        !(c->tallies = calloc(n_points * (uint64_t)n_tallies, sizeof *c->tallies))) {
        snprintf(err, errlen, "%s: out of memory", path);
        ns_checkpoint_close(c, 0);
        return NULL;
    }
    c->n_points = n_points;
    c->S = n_tallies;
    c->n_whole = n_strategies;
    c->fingerprint = fingerprint;
    c->n_patients = n_patients;
    FILE *old = resume ? fopen(path, "rb") : NULL;
    uint64_t bad_point = 0;
    int got = old ? ck_read(c, old, fingerprint, &bad_point) : 0;
    if (old)
        fclose(old);
    if (got > 0) {
        snprintf(err, errlen, "%s: this checkpoint belongs to another run (scenario, overrides, "
                 "seed, patients or netsurv version differ); remove it or run without --resume",
                 path);
        ns_checkpoint_close(c, 0);
        return NULL;
    }
    if (got < 0) {
        if (bad_point == UINT64_MAX)
            snprintf(err, errlen, "%s: the checkpoint's header is damaged (checksum mismatch); "
                     "remove it or run without --resume", path);
        else
            snprintf(err, errlen, "%s: the checkpoint is damaged (the record of point %llu fails "
                     "its checksum or patient count); remove it or run without --resume", path,
                     (unsigned long long)bad_point);
        ns_checkpoint_close(c, 0);
        return NULL;
    }
    /* rewrite: header plus the points kept, so a torn tail is dropped */
    ck_header h;
    memset(&h, 0, sizeof h); /* padding too: the checksum covers the bytes */
    memcpy(h.magic, ck_magic, 8);
    h.fingerprint = fingerprint, h.n_points = n_points, h.n_strategies = (uint32_t)n_tallies;
    h.tally_size = (uint32_t)sizeof(ns_strategy_tally), h.n_patients = n_patients;
    h.checksum = header_sum(&h);
    /* written beside and renamed over, so a kill never leaves a torn header */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    c->f = fopen(tmp, "wb");
    int bad = !c->f || fwrite(&h, sizeof h, 1, c->f) != 1;
    for (uint64_t p = 0; p < n_points && !bad; p++)
        if (c->have[p])
            bad = put_record(c, p, c->tallies + p * (uint64_t)c->S);
    if (!bad)
        bad = fflush(c->f) || fsync(fileno(c->f)) || rename(tmp, path);
    if (bad) {
        unlink(tmp);
        snprintf(err, errlen, "%s: cannot write the checkpoint: %s", path, strerror(errno));
        ns_checkpoint_close(c, 0);
        return NULL;
    }
    return c;
}

int ns_checkpoint_get(const ns_checkpoint *c, uint64_t p, ns_strategy_tally *t)
{
    if (p >= c->n_points || !c->have[p])
        return 0;
    memcpy(t, c->tallies + p * (uint64_t)c->S, sizeof *t * (size_t)c->S);
    return 1;
}

int ns_checkpoint_put(ns_checkpoint *c, uint64_t p, const ns_strategy_tally *t)
{
    if (put_record(c, p, t) || fflush(c->f) || fsync(fileno(c->f)))
        return -1;
    memcpy(c->tallies + p * (uint64_t)c->S, t, sizeof *t * (size_t)c->S);
    c->done += !c->have[p];
    c->have[p] = 1;
    return 0;
}

uint64_t ns_checkpoint_done(const ns_checkpoint *c)
{
    return c->done;
}

void ns_checkpoint_close(ns_checkpoint *c, int remove_file)
{
    if (!c)
        return;
    if (c->f)
        fclose(c->f);
    if (remove_file && c->path)
        unlink(c->path);
    free(c->path);
    free(c->have);
    free(c->tallies);
    free(c);
}
