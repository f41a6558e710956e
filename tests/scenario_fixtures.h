/* Helpers of tests/test_scenario.c and tests/test_scenario_input.c: edited copies of the default scenario and the place a message must name. */
#ifndef SCENARIO_FIXTURES_H
#define SCENARIO_FIXTURES_H
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
#include <sys/wait.h>
#include <unistd.h>

#include "netsurv/scenario/scenario.h"


#define MEM "mem.yaml" /* file name of scenarios loaded from strings */

/* The default scenario with one replacement. */
static char *edit(const char *from, const char *to)
{
    char *d = default_text(), *out = replace(d, from, to);
    free(d);
    return out;
}

/* Line and column of `needle` (which must occur exactly once) in text, plus
 * `skip` bytes. */
static void where(const char *text, const char *needle, size_t skip, int *line, int *col)
{
    const char *p = strstr(text, needle);
    if (!p)
        fail_msg("'%s' not found in the edited text", needle);
    if (strstr(p + 1, needle))
        fail_msg("'%s' occurs more than once in the edited text", needle);
    line_col(text, p + skip, line, col);
}

/* Loads text with the overrides, which must fail; its messages into *e. */
static void expect_load_fails(const char *text, const char *const *sets, int n_sets,
                              const char *path, const char *what, ns_errors *e)
{
    ns_scenario *s = (ns_scenario *)1;
    int rc = ns_scenario_load_string(MEM, text, sets, n_sets, &s, e);
    if (rc != -1) {
        ns_scenario_free(rc == 0 ? s : NULL);
        fail_msg("loaded although '%s' should fail with '%s'", path, what);
    }
    assert_null(s);
    assert_true(e->n >= 1);
}

static int expect_bad_at(const char *text, const char *const *sets, int n_sets,
                         const char *needle, size_t skip, int check_col, const char *path,
                         const char *what)
{
    ns_errors e;
    expect_load_fails(text, sets, n_sets, path, what, &e);
    int line, col;
    where(text, needle, skip, &line, &col);
    expect_error(&e, MEM, line, check_col ? col : 0, path, what);
    return e.n;
}

static ns_scenario *load_default_with(const char *const *sets, int n_sets)
{
    ns_scenario *s = NULL;
    ns_errors e;
    int rc = ns_scenario_load(DEFAULT_PATH, sets, n_sets, &s, &e);
    if (rc != 0) {
        dump_errors(&e);
        fail_msg("default scenario with %d override(s) did not load", n_sets);
    }
    assert_int_equal(e.n, 0);
    assert_non_null(s);
    return s;
}

static int find_param(const ns_scenario *s, const char *path)
{
    for (int i = 0; i < s->n_params; i++)
        if (strcmp(s->param[i].path, path) == 0)
            return i;
    return -1;
}

#endif
