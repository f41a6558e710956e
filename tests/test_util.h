/* Helpers shared by the cmocka tests (include after <cmocka.h>). */
#ifndef NETSURV_TEST_UTIL_H
#define NETSURV_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

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

#endif
