/* Shards that run together and share their work through files: the ranks
 * (ns_ranks) of `netsurv calibrate --shard K/N` and `netsurv optimize
 * --shard K/N`, where an MPI library is not at hand (a Slurm array, hosts
 * sharing a file system). Exchange c of shard k is the file
 * DIR/.NAME.netsurv-exchange/x-C.K-of-N beside the output NAME: a header
 * (the run's fingerprint, c, the item count and length, the share), the
 * share's items and a checksum, written to a temporary file and renamed
 * into place, so a reader sees a whole file or none. A shard writes its
 * share and reads every other's, waiting for them; the files stay until
 * every shard is done, so a shard killed (a walltime) and started again
 * with --resume replays each exchange its shards recorded and computes
 * only from the first one that is missing. With one shard the files are a
 * checkpoint (`optimize --resume`; over MPI ranks each keeps its own record). */
#include "netsurv/job/job.h"
#include "netsurv/engine/work.h"
#include "netsurv/numeric/hash.h"
#include "netsurv/output/atomic.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "NSXCHG1"

typedef struct {
    char magic[8];
    uint64_t fingerprint, call, n, len, first, count;
    uint32_t shard, shards;
} header;

struct ns_job_exchange {
    ns_ranks ranks;             /* what the engine is given */
    int fk, fn;                 /* the files' shard k of n (the ranks' own, or 0 of 1) */
    const ns_ranks *inner;      /* a recorder over these ranks (MPI), or NULL */
    char dir[4200];
    uint64_t fingerprint;
    uint64_t call;              /* the next exchange */
    uint64_t replayed;          /* exchanges replayed from the files */
    int resume, live;           /* live: an exchange was computed, replay no more */
    double wait_s;
    char err[9300];
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void nap(double s)
{
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&t, NULL);
}

static void file_of(const ns_job_exchange *x, uint64_t call, int k, char *buf, size_t len)
{
    if (call == UINT64_MAX)
        snprintf(buf, len, "%s/done.%d-of-%d", x->dir, k + 1, x->fn);
    else
        snprintf(buf, len, "%s/x-%06llu.%d-of-%d", x->dir, (unsigned long long)call, k + 1,
                 x->fn);
}

static header header_of(const ns_job_exchange *x, uint64_t call, int k, uint64_t n, size_t len)
{
    header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, sizeof MAGIC);
    h.fingerprint = x->fingerprint;
    h.call = call;
    h.n = n;
    h.len = len;
    ns_work_share(n, k, x->fn, &h.first, &h.count);
    h.shard = (uint32_t)k;
    h.shards = (uint32_t)x->fn;
    return h;
}

/* Writes shard k's share of exchange `call` (UINT64_MAX: its done mark). */
static int put(ns_job_exchange *x, uint64_t call, const double *items, uint64_t n, size_t len)
{
    int k = x->fk;
    header h = header_of(x, call, k, n, len);
    char path[4300], tmp[4400];
    file_of(x, call, k, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    const double *share = items ? items + h.first * len : NULL;
    size_t bytes = sizeof(double) * (size_t)(h.count * len);
    uint64_t sum = ns_hash64(ns_hash64(h.fingerprint, &h, sizeof h), share, share ? bytes : 0);
    FILE *f = fopen(tmp, "wb");
    int bad = !f || fwrite(&h, sizeof h, 1, f) != 1 ||
              (share && bytes && fwrite(share, 1, bytes, f) != bytes) ||
              fwrite(&sum, sizeof sum, 1, f) != 1;
    int e = errno;
    if (f && fclose(f))
        bad = 1, e = errno;
    if (!bad && rename(tmp, path))
        bad = 1, e = errno;
    if (bad) {
        unlink(tmp);
        snprintf(x->err, sizeof x->err, "cannot write %s: %s", path, strerror(e));
        return -1;
    }
    return 0;
}

/* Reads shard k's share of exchange `call` into items: 1, or 0 when the file
 * is not there or not this run's (yet), with the reason in why. */
static int get(const ns_job_exchange *x, uint64_t call, int k, double *items, uint64_t n,
               size_t len, char *why, size_t whylen)
{
    header want = header_of(x, call, k, n, len), h;
    char path[4300];
    file_of(x, call, k, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "%s is not there", path);
        return 0;
    }
    size_t bytes = sizeof(double) * (size_t)(want.count * len);
    double *share = items ? items + want.first * len : NULL;
    uint64_t sum = 0;
    int ok = fread(&h, sizeof h, 1, f) == 1 && !memcmp(&h, &want, sizeof h) &&
             (!share || !bytes || fread(share, 1, bytes, f) == bytes) &&
             fread(&sum, sizeof sum, 1, f) == 1 && fgetc(f) == EOF;
    fclose(f);
    if (ok && sum != ns_hash64(ns_hash64(h.fingerprint, &h, sizeof h), share, share ? bytes : 0))
        ok = 0;
    if (!ok)
        snprintf(why, whylen, "%s is not of this run (another scenario, series, seed, patients, "
                 "option or build) or is damaged", path);
    return ok;
}

static int exchange(void *state, double *items, uint64_t n, size_t len)
{
    ns_job_exchange *x = state;
    x->live = 1;
    uint64_t call = x->call++;
    if (put(x, call, items, n, len))
        return -1;
    char why[4600];
    for (int k = 0; k < x->fn; k++) {
        if (k == x->fk)
            continue;
        double t0 = now(), pause = 0.002;
        while (!get(x, call, k, items, n, len, why, sizeof why)) {
            if (now() - t0 > x->wait_s) {
                snprintf(x->err, sizeof x->err,
                         "shard %d of %d did not give exchange %llu within %.0f s (--shard-wait; "
                         "every shard must run at the same time): %s",
                         k + 1, x->fn, (unsigned long long)call, x->wait_s, why);
                return -1;
            }
            nap(pause);
            pause = pause * 2 < 0.5 ? pause * 2 : 0.5;
        }
    }
    return 0;
}

static int replay(void *state, double *items, uint64_t n, size_t len)
{
    ns_job_exchange *x = state;
    if (!x->resume || x->live)
        return 0;
    char why[4600];
    int have = 1;
    for (int k = 0; k < x->fn && have; k++)
        have = get(x, x->call, k, items, n, len, why, sizeof why);
    if (x->inner) { /* replayed only when every rank holds the record */
        double *flag = calloc((size_t)x->inner->size, sizeof *flag);
        if (!flag)
            return -1;
        flag[x->inner->rank] = have;
        int bad = x->inner->exchange(x->inner->state, flag, (uint64_t)x->inner->size, 1);
        for (int r = 0; r < x->inner->size; r++)
            have &= flag[r] == 1;
        free(flag);
        if (bad)
            return -1;
    }
    if (!have) {
        x->live = 1;
        return 0;
    }
    x->call++;
    x->replayed++;
    return 1;
}

/* A recorder over MPI ranks: their exchange, then the whole result kept in
 * this rank's own file (shard 1 of 1). */
static int record(void *state, double *items, uint64_t n, size_t len)
{
    ns_job_exchange *x = state;
    x->live = 1;
    if (x->inner->exchange(x->inner->state, items, n, len))
        return -1;
    return put(x, x->call++, items, n, len);
}

ns_job_exchange *ns_job_exchange_open(const char *output, int k, int n, uint64_t fingerprint,
                                      int resume, double wait_s, char *err, size_t errlen)
{
    ns_job_exchange *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ns_path_beside(output, "netsurv-exchange", x->dir, sizeof x->dir);
    x->ranks = (ns_ranks){k, n, exchange, replay, x};
    x->fk = k;
    x->fn = n;
    x->fingerprint = fingerprint;
    x->resume = resume;
    x->wait_s = wait_s;
    if (mkdir(x->dir, 0777) && errno != EEXIST) {
        snprintf(err, errlen, "cannot make %s: %s", x->dir, strerror(errno));
        free(x);
        return NULL;
    }
    char done[4300];
    file_of(x, UINT64_MAX, k, done, sizeof done);
    unlink(done); /* an earlier run's mark: this shard is not done */
    return x;
}

ns_job_exchange *ns_job_exchange_recorder(const char *output, const ns_ranks *inner,
                                          uint64_t fingerprint, int resume, char *err,
                                          size_t errlen)
{
    ns_job_exchange *x = ns_job_exchange_open(output, 0, 1, fingerprint, resume, 0, err, errlen);
    if (x && inner) {
        x->inner = inner;
        x->ranks = (ns_ranks){inner->rank, inner->size, record, replay, x};
    }
    return x;
}

const ns_ranks *ns_job_exchange_ranks(ns_job_exchange *x)
{
    return &x->ranks;
}

const char *ns_job_exchange_error(const ns_job_exchange *x)
{
    return x->err[0] ? x->err : "the shards' exchange failed";
}

uint64_t ns_job_exchange_replayed(const ns_job_exchange *x)
{
    return x->replayed;
}

const char *ns_job_exchange_dir(const ns_job_exchange *x)
{
    return x->dir;
}

int ns_job_exchange_finish(ns_job_exchange *x, char *err, size_t errlen)
{
    /* the done mark holds the number of exchanges: every shard went through all */
    if (put(x, UINT64_MAX, NULL, x->call, 0)) {
        snprintf(err, errlen, "%s", x->err);
        return -1;
    }
    if (x->fk != 0)
        return 0;
    char why[4600];
    for (int k = 1; k < x->fn; k++) {
        double t0 = now();
        while (!get(x, UINT64_MAX, k, NULL, x->call, 0, why, sizeof why)) {
            if (now() - t0 > x->wait_s) {
                snprintf(err, errlen, "shard %d of %d did not finish within %.0f s; %s is left "
                         "(remove it once every shard has ended)", k + 1, x->fn,
                         x->wait_s, x->dir);
                return -1;
            }
            nap(0.05);
        }
    }
    /* every shard has read every exchange: the files can go */
    DIR *d = opendir(x->dir);
    struct dirent *de;
    char path[4500];
    while (d && (de = readdir(d)))
        if (strncmp(de->d_name, "x-", 2) == 0 || strncmp(de->d_name, "done.", 5) == 0) {
            snprintf(path, sizeof path, "%s/%s", x->dir, de->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(x->dir);
    return 0;
}

void ns_job_exchange_close(ns_job_exchange *x)
{
    if (x)
        rmdir(x->dir); /* when nothing was exchanged (a run that stopped first) */
    free(x);
}
