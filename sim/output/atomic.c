/* Whole files or none (see include/netsurv/output/atomic.h). */
#include "netsurv/output/atomic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The output being written, its temporary file and its lock file; the
 * latter two are read by ns_atomic_abandon from a signal handler. */
static char out_path[4096];
static char tmp_path[4096];
static char lock_path[4096];
static int lock_fd = -1;
static int replace_ok; /* --force: the rename may replace an existing file */

/* Gives the lock up: the lock file is removed while still held, so a run
 * waiting on it finds it gone (and takes a new one). */
static void release_lock(void)
{
    if (lock_fd < 0)
        return;
    unlink(lock_path);
    close(lock_fd);
    lock_fd = -1;
    lock_path[0] = '\0';
}

/* At exit (an error after the claim, before any file was written): no
 * temporary or lock file is left behind. */
static void at_exit(void)
{
    if (tmp_path[0])
        unlink(tmp_path);
    release_lock();
}

/* "DIR/.NAME.netsurv.lock", held with an exclusive fcntl lock for as long
 * as this process writes NAME: two runs to one output (or two --resume of
 * one sweep, whose checkpoint is named after the output) cannot both go
 * on. The kernel drops the lock when the process dies, even by SIGKILL. */
static int take_lock(const char *out, char *err, size_t errlen)
{
    const char *slash = strrchr(out, '/');
    int dirlen = slash ? (int)(slash - out + 1) : 0;
    int k = snprintf(lock_path, sizeof lock_path, "%.*s.%s.netsurv.lock", dirlen, out,
                     slash ? slash + 1 : out);
    if (k <= 0 || (size_t)k >= sizeof lock_path) {
        snprintf(err, errlen, "output path too long");
        return -1;
    }
    for (int attempt = 0; attempt < 8; attempt++) {
        int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            int why = errno;
            snprintf(err, errlen, "cannot write beside %s: %s: %s", out, lock_path,
                     strerror(why));
            return -2;
        }
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        if (fcntl(fd, F_SETLK, &fl) != 0) {
            int why = errno;
            close(fd);
            if (why == EACCES || why == EAGAIN)
                snprintf(err, errlen, "%s is being written by another netsurv run (lock %s "
                         "held); wait for it to finish", out, lock_path);
            else
                snprintf(err, errlen, "cannot lock %s: %s", lock_path, strerror(why));
            return why == EACCES || why == EAGAIN ? -1 : -2;
        }
        /* the holder before us may have removed the file it held: then the
         * lock is on a dead inode, and the path needs a fresh one */
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(lock_path, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev) {
            lock_fd = fd;
            return 0;
        }
        close(fd);
    }
    snprintf(err, errlen, "cannot lock %s: it keeps changing", lock_path);
    return -1;
}

/* fsync of path (a file or, with dir, a directory); 0 or -1 with errno. */
static int sync_path(const char *path, int dir)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    if (fd < 0)
        return -1;
    int rc = fsync(fd), why = errno;
    close(fd);
    errno = why;
    return rc;
}

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
    static int registered;
    if (!registered && atexit(at_exit) == 0)
        registered = 1;
    if (tmp_path[0])
        unlink(tmp_path);
    tmp_path[0] = '\0';
    release_lock();
    replace_ok = force;
    /* the lock first, then the check: a run that finished before we took
     * the lock has renamed its file into place, so we see it */
    int locked = take_lock(out, err, errlen);
    if (locked)
        return locked;
    if (!force && access(out, F_OK) == 0) {
        snprintf(err, errlen, "%s exists; use --force to replace it", out);
        release_lock();
        return -1;
    }
    if (snprintf(out_path, sizeof out_path, "%s", out) >= (int)sizeof out_path ||
        make_tmp_path(out)) {
        tmp_path[0] = '\0';
        snprintf(err, errlen, "output path too long");
        release_lock();
        return -1;
    }
    remove_stale_tmp(out);
    return 0;
}

const char *ns_atomic_tmp(void)
{
    return tmp_path;
}

/* Puts the complete temporary file at the output path: without --force by
 * a hard link, which fails rather than replace a file that appeared in the
 * meantime (file systems without hard links fall back to rename). */
static int put_in_place(void)
{
    if (!replace_ok) {
        if (link(tmp_path, out_path) == 0)
            return unlink(tmp_path), 0;
        if (errno == EEXIST || (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP &&
                                errno != EXDEV && errno != EMLINK))
            return -1;
    }
    return rename(tmp_path, out_path);
}

int ns_atomic_finish(int ok, char *err, size_t errlen)
{
    int rc = 0;
    char dir[4096];
    const char *slash = strrchr(out_path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out_path) + 1 : 1,
             slash ? out_path : ".");
    /* the data on disk before the name points to it, and the name on disk
     * before we say it is done: a power cut leaves the old state or the new
     * file, never a truncated one */
    if (ok && sync_path(tmp_path, 0) != 0) {
        snprintf(err, errlen, "writing %s failed (%s); no output written", out_path,
                 strerror(errno));
        rc = -1;
    } else if (ok && put_in_place() != 0) {
        int why = errno;
        if (why == EEXIST)
            snprintf(err, errlen, "%s appeared while this run was writing it; not replaced "
                     "(use --force)", out_path);
        else
            snprintf(err, errlen, "cannot rename %s into place: %s", out_path, strerror(why));
        rc = -1;
    } else if (ok) {
        /* some file systems cannot sync a directory (EINVAL): the file is
         * complete and in place either way */
        (void)sync_path(dir, 1);
    } else if (!ok) {
        snprintf(err, errlen, "writing %s failed; no output written", out_path);
        rc = -1;
    }
    if (rc && tmp_path[0])
        unlink(tmp_path);
    tmp_path[0] = '\0';
    release_lock();
    return rc;
}

void ns_atomic_abandon(void)
{
    if (tmp_path[0])
        unlink(tmp_path);
    if (lock_fd >= 0)
        unlink(lock_path);
}

void ns_path_beside(const char *out, const char *suffix, char *buf, size_t len)
{
    const char *slash = strrchr(out, '/');
    int dirlen = slash ? (int)(slash - out + 1) : 0;
    snprintf(buf, len, "%.*s.%s.%s", dirlen, out, slash ? slash + 1 : out, suffix);
}
