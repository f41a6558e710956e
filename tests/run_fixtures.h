/* Helpers of tests/test_run.c and tests/test_run_files.c: running the binary in a fresh directory and reading its HDF5 file. */
#ifndef RUN_FIXTURES_H
#define RUN_FIXTURES_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netsurv/engine/engine.h"
#include "netsurv/model/history.h"
#include "netsurv/scenario/scenario.h"
#include "netsurv/model/strategy.h"


static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static char *make_dir(void)
{
    char *d = strdup("/tmp/netsurv-run-test-XXXXXX");
    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

/* Names in dir other than . and .. that contain `part` (all when NULL). */
static int count_entries(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && (!part || strstr(e->d_name, part)))
            n++;
    closedir(d);
    return n;
}

static void remove_dir(char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[4096];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
    free(dir);
}

/* Starts argv[0] with argv, stdout and stderr to `log` (or /dev/null). */
static pid_t spawn(char *const argv[], const char *log)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Runs argv to the end; returns the exit status (fails on a signal). */
static int run_argv(char *const argv[], const char *log)
{
    pid_t pid = spawn(argv, log);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (!WIFEXITED(st))
        fail_msg("%s was killed by signal %d", argv[0], WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return WEXITSTATUS(st);
}

/* netsurv run with up to 12 more arguments (NULL-terminated). */
static int netsurv_run(const char *log, ...)
{
    char *argv[16] = {(char *)NETSURV_BINARY, (char *)"run"};
    int n = 2;
    va_list ap;
    va_start(ap, log);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 15)
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    return run_argv(argv, log);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---------- helpers: HDF5 ---------- */

static hid_t open_h5(const char *path)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        fail_msg("%s: not a readable HDF5 file", path);
    return f;
}

static uint64_t attr_u64(hid_t obj, const char *name)
{
    assert_true(H5Aexists(obj, name) > 0);
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    uint64_t v = 0;
    assert_true(H5Aread(a, H5T_NATIVE_UINT64, &v) >= 0);
    H5Aclose(a);
    return v;
}

#endif
