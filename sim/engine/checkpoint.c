/* Checkpoints of finished work (see include/netsurv/engine/checkpoint.h). */
#include "netsurv/engine/checkpoint.h"
#include "netsurv/numeric/hash.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The file: this header, then one record per finished item: its index, its
 * bytes (the size of its kind) and a checksum over the fingerprint, the
 * index and the bytes. */
typedef struct {
    char magic[8];
    uint64_t fingerprint, n_items;
    uint64_t count[NS_CKPT_MAX_KINDS], size[NS_CKPT_MAX_KINDS];
    uint64_t checksum; /* over the fields before it */
} ck_header;

struct ns_checkpoint {
    FILE *f;
    char *path;
    uint64_t fingerprint, n_items, done;
    ns_ckpt_kinds k;
    uint64_t first[NS_CKPT_MAX_KINDS];   /* index of each kind's first item */
    unsigned char *have;                 /* per item */
    unsigned char *data[NS_CKPT_MAX_KINDS]; /* count x size bytes, filled where have */
    ns_ckpt_check check;
    void *check_ctx;
    void *own;                           /* freed at close (the check's context) */
    int S;                               /* the sweep's: tallies per point */
};

/* What the sweep's check needs: tallies per point, of them whole-cohort,
 * and the patients each counts. */
typedef struct {
    int S, n_whole;
    uint64_t n_patients;
} tally_layout;

static const char ck_magic[8] = "NSCKPT3";

static uint64_t header_sum(const ck_header *h)
{
    return ns_hash64(NS_HASH_SEED, h, offsetof(ck_header, checksum));
}

static uint64_t record_sum(uint64_t fingerprint, uint64_t i, const void *rec, size_t len)
{
    uint64_t head[2] = {fingerprint, i};
    return ns_hash64(ns_hash64(NS_HASH_SEED, head, sizeof head), rec, len);
}

/* The kind of item i, and where its bytes are kept. */
static int kind_of(const ns_checkpoint *c, uint64_t i)
{
    int q = 0;
    while (q + 1 < c->k.n && i >= c->first[q + 1])
        q++;
    return q;
}

static unsigned char *slot(const ns_checkpoint *c, uint64_t i, size_t *len)
{
    int q = kind_of(c, i);
    *len = c->k.size[q];
    return c->data[q] + (i - c->first[q]) * c->k.size[q];
}

/* Reads the records of an existing checkpoint: 0 when it is this run's and
 * whole, 1 when it belongs to another run, -1 when it is damaged (a record
 * whose checksum or check fails). A torn last record (killed mid-write) is
 * dropped. */
static int ck_read(ns_checkpoint *c, FILE *f, uint64_t *bad_item)
{
    ck_header h;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, ck_magic, 8))
        return 1;
    if (h.checksum != header_sum(&h))
        return *bad_item = UINT64_MAX, -1;
    if (h.fingerprint != c->fingerprint || h.n_items != c->n_items)
        return 1;
    for (int q = 0; q < NS_CKPT_MAX_KINDS; q++)
        if (h.count[q] != (q < c->k.n ? c->k.count[q] : 0) ||
            h.size[q] != (q < c->k.n ? c->k.size[q] : 0))
            return 1;
    size_t most = 0;
    for (int q = 0; q < c->k.n; q++)
        most = c->k.size[q] > most ? c->k.size[q] : most;
    unsigned char *rec = malloc(most + 1);
    if (!rec)
        return -1;
    uint64_t i, sum;
    int rc = 0;
    while (fread(&i, sizeof i, 1, f) == 1) {
        if (i >= c->n_items) {
            *bad_item = i;
            rc = -1;
            break;
        }
        size_t len;
        unsigned char *to = slot(c, i, &len);
        if (fread(rec, 1, len, f) != len || fread(&sum, sizeof sum, 1, f) != 1)
            break; /* torn */
        if (sum != record_sum(c->fingerprint, i, rec, len) ||
            (c->check && c->check(c->check_ctx, i, rec))) {
            *bad_item = i;
            rc = -1;
            break;
        }
        memcpy(to, rec, len);
        c->done += !c->have[i];
        c->have[i] = 1;
    }
    free(rec);
    return rc;
}

static int put_record(ns_checkpoint *c, uint64_t i, const void *rec, size_t len)
{
    uint64_t sum = record_sum(c->fingerprint, i, rec, len);
    return fwrite(&i, sizeof i, 1, c->f) != 1 || fwrite(rec, 1, len, c->f) != len ||
                   fwrite(&sum, sizeof sum, 1, c->f) != 1
               ? -1 : 0;
}

ns_checkpoint *ns_checkpoint_open_kinds(const char *path, uint64_t fingerprint,
                                        const ns_ckpt_kinds *kinds, ns_ckpt_check check,
                                        void *check_ctx, int resume, int *refused, char *err,
                                        size_t errlen)
{
    if (refused)
        *refused = 0;
    ns_checkpoint *c = calloc(1, sizeof *c);
    int bad = !c || !(c->path = strdup(path)) || kinds->n < 1 || kinds->n > NS_CKPT_MAX_KINDS;
    if (c && !bad) {
        c->k = *kinds;
        for (int q = 0; q < kinds->n && !bad; q++) {
            c->first[q] = c->n_items;
            c->n_items += kinds->count[q];
            bad = kinds->size[q] < 1 ||
                  (kinds->count[q] && kinds->size[q] > SIZE_MAX / 2 / kinds->count[q]) ||
                  !(c->data[q] = malloc(kinds->count[q] * kinds->size[q] + 1));
        }
        bad = bad || !(c->have = calloc(c->n_items + 1, 1));
    }
    if (bad) {
        snprintf(err, errlen, "%s: out of memory", path);
        ns_checkpoint_close(c, 0);
        return NULL;
    }
    c->fingerprint = fingerprint;
    c->check = check;
    c->check_ctx = check_ctx;
    FILE *old = resume ? fopen(path, "rb") : NULL;
    uint64_t bad_item = 0;
    int got = old ? ck_read(c, old, &bad_item) : 0;
    if (old)
        fclose(old);
    if (got != 0 && refused)
        *refused = 1;
    if (got > 0) {
        snprintf(err, errlen, "%s: this checkpoint belongs to another run (scenario, overrides, "
                 "seed, patients, options or netsurv version differ); remove it or run without "
                 "--resume", path);
        ns_checkpoint_close(c, 0);
        return NULL;
    }
    if (got < 0) {
        if (bad_item == UINT64_MAX)
            snprintf(err, errlen, "%s: the checkpoint's header is damaged (checksum mismatch); "
                     "remove it or run without --resume", path);
        else {
            int q = bad_item < c->n_items ? kind_of(c, bad_item) : 0;
            snprintf(err, errlen, "%s: the checkpoint is damaged (the record of %s %llu fails "
                     "its checksum or count); remove it or run without --resume", path,
                     c->k.noun[q] ? c->k.noun[q] : "item",
                     (unsigned long long)(bad_item < c->n_items ? bad_item - c->first[q]
                                                                : bad_item));
        }
        ns_checkpoint_close(c, 0);
        return NULL;
    }
    /* rewrite: header plus the items kept, so a torn tail is dropped */
    ck_header h;
    memset(&h, 0, sizeof h); /* padding too: the checksum covers the bytes */
    memcpy(h.magic, ck_magic, 8);
    h.fingerprint = fingerprint, h.n_items = c->n_items;
    for (int q = 0; q < c->k.n; q++)
        h.count[q] = c->k.count[q], h.size[q] = c->k.size[q];
    h.checksum = header_sum(&h);
    /* written beside and renamed over, so a kill never leaves a torn header */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    c->f = fopen(tmp, "wb");
    bad = !c->f || fwrite(&h, sizeof h, 1, c->f) != 1;
    for (uint64_t i = 0; i < c->n_items && !bad; i++)
        if (c->have[i]) {
            size_t len;
            const unsigned char *rec = slot(c, i, &len);
            bad = put_record(c, i, rec, len);
        }
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

const void *ns_checkpoint_get_item(const ns_checkpoint *c, uint64_t i)
{
    size_t len;
    return i < c->n_items && c->have[i] ? slot(c, i, &len) : NULL;
}

int ns_checkpoint_put_item(ns_checkpoint *c, uint64_t i, const void *rec)
{
    size_t len;
    if (i >= c->n_items)
        return errno = EINVAL, -1;
    unsigned char *to = slot(c, i, &len);
    if (put_record(c, i, rec, len) || fflush(c->f) || fsync(fileno(c->f)))
        return -1;
    memcpy(to, rec, len);
    c->done += !c->have[i];
    c->have[i] = 1;
    return 0;
}

/* ---- the sweep's checkpoint: one record of tallies per point ---- */

/* Each strategy's whole-cohort tally counts every patient, and its risk
 * groups' tallies add up to them: 0, else damage. */
static int tallies_fit(void *ctx, uint64_t p, const void *rec)
{
    (void)p;
    const tally_layout *c = ctx;
    const ns_strategy_tally *t = rec;
    int W = c->n_whole, G = W ? c->S / W - 1 : 0;
    for (int k = 0; k < W; k++) {
        uint64_t in_groups = 0;
        for (int g = 0; g < G; g++)
            in_groups += t[W + k * G + g].n_patients;
        if (t[k].n_patients != c->n_patients || (G && in_groups != c->n_patients))
            return -1;
    }
    return 0;
}

ns_checkpoint *ns_checkpoint_open(const char *path, uint64_t fingerprint, uint64_t n_points,
                                  int n_tallies, int n_strategies, uint64_t n_patients,
                                  int resume, int *refused, char *err, size_t errlen)
{
    if (refused)
        *refused = 0;
    if (n_strategies < 1 || n_tallies < n_strategies || n_tallies % n_strategies) {
        snprintf(err, errlen, "%s: %d tallies of %d strategies do not make a point", path,
                 n_tallies, n_strategies);
        return NULL;
    }
    tally_layout *l = malloc(sizeof *l);
    if (!l) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    *l = (tally_layout){n_tallies, n_strategies, n_patients};
    ns_ckpt_kinds k = {1, {n_points}, {sizeof(ns_strategy_tally) * (size_t)n_tallies}, {"point"}};
    /* patients and strategies are part of what the records mean */
    uint64_t also[3] = {fingerprint, n_patients, (uint64_t)n_strategies};
    ns_checkpoint *c = ns_checkpoint_open_kinds(path, ns_hash64(NS_HASH_SEED, also, sizeof also),
                                                &k, tallies_fit, l, resume, refused,
                                                err, errlen);
    if (!c)
        free(l);
    else
        c->own = l, c->S = n_tallies;
    return c;
}

int ns_checkpoint_get(const ns_checkpoint *c, uint64_t p, ns_strategy_tally *t)
{
    const void *rec = ns_checkpoint_get_item(c, p);
    if (rec)
        memcpy(t, rec, sizeof *t * (size_t)c->S);
    return rec != NULL;
}

int ns_checkpoint_put(ns_checkpoint *c, uint64_t p, const ns_strategy_tally *t)
{
    return ns_checkpoint_put_item(c, p, t);
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
    free(c->own);
    for (int q = 0; q < NS_CKPT_MAX_KINDS; q++)
        free(c->data[q]);
    free(c);
}
