/* LD_PRELOAD shim for tests/test_full_disk.sh where no tmpfs can be
 * mounted: writes to files under $NETSURV_FAULT_DIR fail with ENOSPC once
 * $NETSURV_FAULT_BYTES bytes have gone there, as on a full disk. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long budget = -1;

/* Whether fd is a file under the fault directory. */
static int faulty(int fd)
{
    const char *dir = getenv("NETSURV_FAULT_DIR");
    if (!dir || fd < 0)
        return 0;
    if (budget < 0)
        budget = atoll(getenv("NETSURV_FAULT_BYTES") ? getenv("NETSURV_FAULT_BYTES") : "0");
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    return strncmp(target, dir, strlen(dir)) == 0;
}

/* 1 when a write of len bytes must fail. */
static int full(int fd, size_t len)
{
    if (!faulty(fd))
        return 0;
    if ((long long)len > budget) {
        errno = ENOSPC;
        return 1;
    }
    budget -= (long long)len;
    return 0;
}

ssize_t write(int fd, const void *buf, size_t len)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    return full(fd, len) ? -1 : real(fd, buf, len);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real)
        real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    return full(fd, len) ? -1 : real(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real)
        real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
    return full(fd, len) ? -1 : real(fd, buf, len, off);
}

ssize_t writev(int fd, const struct iovec *v, int n)
{
    static ssize_t (*real)(int, const struct iovec *, int);
    if (!real)
        real = (ssize_t (*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "writev");
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += v[i].iov_len;
    return full(fd, len) ? -1 : real(fd, v, n);
}
