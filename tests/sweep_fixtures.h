/* Helpers of tests/test_sweep.c and tests/test_work.c: scenarios with sweeps from text and temporary files. */
#ifndef SWEEP_FIXTURES_H
#define SWEEP_FIXTURES_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netsurv/engine/engine.h"
#include "netsurv/scenario/scenario.h"
#include "netsurv/engine/work.h"
#include "netsurv/engine/checkpoint.h"


#define MRI_SWEEP_PATH NETSURV_SOURCE_DIR "/scenarios/sweeps/mri_interval.yaml"
#define MEM "mem.yaml" /* file name of scenarios loaded from strings */
#define EVERY_PATH "strategies.risk_stratified.rules.intermediate.schedule.1.every"

/* ---------- helpers ---------- */

static char *cat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *out = malloc(la + lb + 1);
    assert_non_null(out);
    memcpy(out, a, la);
    memcpy(out + la, b, lb + 1);
    return out;
}

/* The default scenario with `sweep` (a top-level sweep: section) appended. */
static char *default_with(const char *sweep)
{
    char *d = read_all(DEFAULT_PATH, NULL), *out = cat(d, sweep);
    free(d);
    return out;
}

/* A new file /tmp/netsurv-sweep-test-XXXXXX holding text; its name in path. */
static void write_temp(char path[64], const char *text)
{
    snprintf(path, 64, "/tmp/netsurv-sweep-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static ns_scenario *load_ok_string(const char *text, const char *const *sets, int n_sets)
{
    ns_scenario *s = NULL;
    ns_errors e;
    if (ns_scenario_load_string(MEM, text, sets, n_sets, &s, &e)) {
        dump_errors(&e);
        fail_msg("the scenario did not load");
    }
    assert_int_equal(e.n, 0);
    assert_non_null(s);
    return s;
}

static ns_scenario *load_ok_with_sweep(const char *scenario, const char *sweep,
                                       const char *const *sets, int n_sets)
{
    ns_scenario *s = NULL;
    ns_errors e;
    if (ns_scenario_load_with_sweep(scenario, sweep, sets, n_sets, &s, &e)) {
        dump_errors(&e);
        fail_msg("%s with --sweep %s did not load", scenario, sweep);
    }
    assert_int_equal(e.n, 0);
    assert_non_null(s);
    return s;
}

static ns_scenario *load_point_ok(const ns_scenario *base, uint64_t p)
{
    ns_scenario *s = NULL;
    ns_errors e;
    if (ns_scenario_load_point(base, p, &s, &e)) {
        dump_errors(&e);
        fail_msg("point %llu did not load", (unsigned long long)p);
    }
    assert_non_null(s);
    return s;
}

#endif
