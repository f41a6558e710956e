/* The checkpoint of finished sweep points (see include/netsurv/engine/checkpoint.h). */
#include "netsurv/engine/checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


typedef struct {
    char magic[8];
    uint64_t fingerprint, n_points;
    uint32_t n_strategies, tally_size;
} ck_header;

struct ns_checkpoint {
    FILE *f;
    char *path;
    uint64_t n_points, done;
    int S;
    unsigned char *have;            /* per point */
    ns_strategy_tally *tallies;     /* n_points x S, filled where have */
};

static const char ck_magic[8] = "NSCKPT1";

/* Reads the records of an existing checkpoint; 0 when it matches. */
static int ck_read(ns_checkpoint *c, FILE *f, uint64_t fingerprint)
{
    ck_header h;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, ck_magic, 8) ||
        h.fingerprint != fingerprint || h.n_points != c->n_points ||
        h.n_strategies != (uint32_t)c->S || h.tally_size != sizeof(ns_strategy_tally))
        return -1;
    uint64_t p;
    size_t rec = sizeof(ns_strategy_tally) * (size_t)c->S;
    while (fread(&p, sizeof p, 1, f) == 1 && p < c->n_points &&
           fread(c->tallies + p * (uint64_t)c->S, rec, 1, f) == 1) {
        c->done += !c->have[p];
        c->have[p] = 1;
    }
    return 0; /* a torn last record (killed mid-write) is ignored */
}

ns_checkpoint *ns_checkpoint_open(const char *path, uint64_t fingerprint, uint64_t n_points,
                                  int n_strategies, int resume, char *err, size_t errlen)
{
    ns_checkpoint *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path)) || !(c->have = calloc(n_points, 1)) ||
        !(c->tallies = calloc(n_points * (uint64_t)n_strategies, sizeof *c->tallies))) {
        snprintf(err, errlen, "%s: out of memory", path);
        ns_checkpoint_close(c, 0);
        return NULL;
    }
    c->n_points = n_points;
    c->S = n_strategies;
    FILE *old = resume ? fopen(path, "rb") : NULL;
    if (old && ck_read(c, old, fingerprint)) {
        fclose(old);
        snprintf(err, errlen, "%s: this checkpoint belongs to another run (scenario, overrides, "
                 "seed, patients or netsurv version differ); remove it or run without --resume",
                 path);
        ns_checkpoint_close(c, 0);
        return NULL;
    }
    if (old)
        fclose(old);
    /* rewrite: header plus the points kept, so a torn tail is dropped */
    ck_header h = {{0}, fingerprint, n_points, (uint32_t)n_strategies,
                   (uint32_t)sizeof(ns_strategy_tally)};
    memcpy(h.magic, ck_magic, 8);
    /* written beside and renamed over, so a kill never leaves a torn header */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    c->f = fopen(tmp, "wb");
    int bad = !c->f || fwrite(&h, sizeof h, 1, c->f) != 1;
    for (uint64_t p = 0; p < n_points && !bad; p++)
        if (c->have[p])
            bad = fwrite(&p, sizeof p, 1, c->f) != 1 ||
                  fwrite(c->tallies + p * (uint64_t)c->S, sizeof *c->tallies, (size_t)c->S,
                         c->f) != (size_t)c->S;
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
    if (fwrite(&p, sizeof p, 1, c->f) != 1 ||
        fwrite(t, sizeof *t, (size_t)c->S, c->f) != (size_t)c->S || fflush(c->f) ||
        fsync(fileno(c->f)))
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
