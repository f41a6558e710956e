/* Whole files or none (see include/netsurv/output/atomic.h). */
#include "netsurv/output/atomic.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The output being written and its temporary file; the latter is read by
 * ns_atomic_abandon from a signal handler. */
static char out_path[4096];
static char tmp_path[4096];

/* "DIR/.NAME.netsurv-PID.tmp" next to the output. */
static int make_tmp_path(const char *out)
{
    const char *slash = strrchr(out, '/');
    int dirlen = slash ? (int)(slash - out + 1) : 0;
    int k = snprintf(tmp_path, sizeof tmp_path, "%.*s.%s.netsurv-%ld.tmp", dirlen, out,
                     slash ? slash + 1 : out, (long)getpid());
    return k > 0 && (size_t)k < sizeof tmp_path ? 0 : -1;
}

/* Removes temporary files of earlier runs for the same output whose process
 * is gone (a SIGKILL leaves them: no handler can run). */
static void remove_stale_tmp(const char *out)
{
    const char *slash = strrchr(out, '/');
    char dir[4096], prefix[512];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out) : 1, slash ? out : ".");
    snprintf(prefix, sizeof prefix, ".%s.netsurv-", slash ? slash + 1 : out);
    DIR *d = opendir(dir[0] ? dir : "/");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        long pid;
        char tail[8];
        size_t n = strlen(prefix);
        if (strncmp(e->d_name, prefix, n) || sscanf(e->d_name + n, "%ld.%4s", &pid, tail) != 2 ||
            strcmp(tail, "tmp") || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir[0] ? dir : "", e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
}

int ns_atomic_begin(const char *out, int force, char *err, size_t errlen)
{
    tmp_path[0] = '\0';
    if (!force && access(out, F_OK) == 0) {
        snprintf(err, errlen, "%s exists; use --force to replace it", out);
        return -1;
    }
    if (snprintf(out_path, sizeof out_path, "%s", out) >= (int)sizeof out_path ||
        make_tmp_path(out)) {
        tmp_path[0] = '\0';
        snprintf(err, errlen, "output path too long");
        return -1;
    }
    remove_stale_tmp(out);
    return 0;
}

const char *ns_atomic_tmp(void)
{
    return tmp_path;
}

int ns_atomic_finish(int ok, char *err, size_t errlen)
{
    int rc = 0;
    if (ok && rename(tmp_path, out_path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp_path, out_path, strerror(errno));
        rc = -1;
    } else if (!ok) {
        snprintf(err, errlen, "writing %s failed; no output written", out_path);
        rc = -1;
    }
    if (rc)
        unlink(tmp_path);
    tmp_path[0] = '\0';
    return rc;
}

void ns_atomic_abandon(void)
{
    if (tmp_path[0])
        unlink(tmp_path);
}
