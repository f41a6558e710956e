/* Helpers shared by the cmocka tests (include after <cmocka.h>). */
#ifndef NETSURV_TEST_UTIL_H
#define NETSURV_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsurv/scenario/scenario.h"

#define DEFAULT_PATH NETSURV_SOURCE_DIR "/scenarios/default.yaml"

/* The whole file at path, NUL-terminated (malloc'ed); its length in *len_out
 * when given. Fails the test when the file cannot be read. */
static inline char *read_all(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t cap = 4096, len = 0, k;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while ((k = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += k;
        if (len + 1 == cap) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[len] = '\0';
    if (len_out)
        *len_out = len;
    return buf;
}

/* The default scenario's text (malloc'ed). */
static inline char *default_text(void)
{
    return read_all(DEFAULT_PATH, NULL);
}

/* 1-based line and column of byte p of text. */
static inline void line_col(const char *text, const char *p, int *line, int *col)
{
    *line = 1;
    const char *bol = text;
    for (const char *q = text; q < p; q++)
        if (*q == '\n') {
            ++*line;
            bol = q + 1;
        }
    *col = (int)(p - bol) + 1;
}

/* Copy of text with the only occurrence of `from` replaced by `to`
 * (malloc'ed); fails the test when `from` is absent or repeated. */
static inline char *replace(const char *text, const char *from, const char *to)
{
    const char *p = strstr(text, from);
    if (!p)
        fail_msg("'%s' not found in the scenario text", from);
    if (strstr(p + 1, from))
        fail_msg("'%s' occurs more than once in the scenario text", from);
    size_t a = (size_t)(p - text), fl = strlen(from), tl = strlen(to), rest = strlen(p + fl);
    char *out = malloc(a + tl + rest + 1);
    assert_non_null(out);
    memcpy(out, text, a);
    memcpy(out + a, to, tl);
    memcpy(out + a + tl, p + fl, rest + 1);
    return out;
}

static inline void dump_errors(const ns_errors *e)
{
    for (int i = 0; i < e->n; i++)
        print_message("    error %d: %s\n", i, e->msg[i]);
}

/* scenarios/default.yaml loaded from its file (fails the test, listing the
 * errors, when it does not load). */
static inline ns_scenario *load_default_file(void)
{
    ns_scenario *s = NULL;
    ns_errors *e = malloc(sizeof *e);
    if (!e)
        fail_msg("out of memory");
    if (ns_scenario_load(DEFAULT_PATH, NULL, 0, &s, e)) {
        dump_errors(e);
        fail_msg("cannot load %s", DEFAULT_PATH);
    }
    free(e);
    return s;
}

/* Index of the message that starts "FILE:LINE:COL: PATH: " (col 0: any
 * column) and contains `what`; fails the test, listing every message, if
 * there is none. */
static inline int expect_error(const ns_errors *e, const char *file, int line, int col,
                        const char *path, const char *what)
{
    char head[400], mid[300];
    if (col > 0)
        snprintf(head, sizeof head, "%s:%d:%d: %s: ", file, line, col, path);
    else
        snprintf(head, sizeof head, "%s:%d:", file, line);
    snprintf(mid, sizeof mid, ": %s: ", path);
    for (int i = 0; i < e->n; i++)
        if (strncmp(e->msg[i], head, strlen(head)) == 0 && strstr(e->msg[i], mid) &&
            strstr(e->msg[i], what))
            return i;
    dump_errors(e);
    fail_msg("no message starting '%s' with path '%s' and containing '%s'", head, path, what);
    return -1;
}

#endif
