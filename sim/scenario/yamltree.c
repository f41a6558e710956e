/* YAML document -> ns_ynode tree, with marks for messages; --set overrides. */
#include "netsurv/scenario/yamltree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <yaml.h>

static ns_ynode *node_new(ns_ykind kind, const char *file, const yaml_mark_t *m)
{
    ns_ynode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->file = file;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    return n;
}

static void node_free(ns_ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        node_free(n->items[i]);
        if (n->keys)
            node_free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->used);
    free(n->text);
    free(n);
}

/* Append a child (and its key, for maps); returns -1 when out of memory.
 * The arrays grow by half again each time, so a list of a million items
 * costs a million copies, not half a million squared. */
static int node_append(ns_ynode *parent, ns_ynode *key, ns_ynode *value)
{
    size_t n = parent->n + 1;
    if (n > parent->cap) {
        size_t cap = parent->cap < 4 ? 4 : parent->cap + parent->cap / 2;
        ns_ynode **items = realloc(parent->items, cap * sizeof *items);
        if (!items)
            return -1;
        parent->items = items;
        if (parent->kind == NS_Y_MAP) {
            ns_ynode **keys = realloc(parent->keys, cap * sizeof *keys);
            if (keys)
                parent->keys = keys;
            unsigned char *used = keys ? realloc(parent->used, cap) : NULL;
            if (used)
                parent->used = used;
            if (!keys || !used)
                return -1;
        }
        parent->cap = cap;
    }
    if (parent->kind == NS_Y_MAP) {
        parent->keys[n - 1] = key;
        parent->used[n - 1] = 0;
    }
    parent->items[n - 1] = value;
    parent->n = n;
    return 0;
}

typedef struct {
    yaml_parser_t parser;
    const char *file;
    const char *text;   /* the input, for the place of a reader error */
    size_t len;
    int depth;          /* collections open around the node being built */
    char *err;
    size_t errlen;
} builder;

static int fail_at(builder *b, const yaml_mark_t *m, const char *msg, const char *detail)
{
    snprintf(b->err, b->errlen, "%s:%zu:%zu: %s%s%s", b->file, m->line + 1, m->column + 1, msg,
             detail ? ": " : "", detail ? detail : "");
    return -1;
}

/* libyaml's reader (bad UTF-8, a NUL or another control character) gives
 * only a byte offset: its line and column (in characters) are counted here. */
static int fail_parser(builder *b)
{
    yaml_parser_t *p = &b->parser;
    if (p->error != YAML_READER_ERROR)
        return fail_at(b, &p->problem_mark, "YAML syntax error", p->problem);
    size_t off = p->problem_offset < b->len ? p->problem_offset : b->len, line = 0, col = 0;
    /* a bad trailing byte: the character starts at its lead byte */
    if (p->problem && strstr(p->problem, "trailing") && off > 0) {
        off--;
        while (off > 0 && ((unsigned char)b->text[off] & 0xC0) == 0x80)
            off--;
    }
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)b->text[i];
        if (c == '\n')
            line++, col = 0;
        else if ((c & 0xC0) != 0x80)
            col++;
    }
    char what[200];
    if (p->problem_value >= 0 && off < b->len)
        snprintf(what, sizeof what, "%s (byte 0x%02X)", p->problem ? p->problem : "bad input",
                 (unsigned)(unsigned char)b->text[off]);
    else
        snprintf(what, sizeof what, "%s", p->problem ? p->problem : "bad input");
    yaml_mark_t m = {off, line, col};
    return fail_at(b, &m, "not valid UTF-8 YAML text", what);
}

/* Keys of one mapping being built: an open-addressing hash set of indices
 * into parent->keys, so duplicate keys are found in linear time. */
typedef struct {
    size_t *slot;   /* index + 1; 0 = empty */
    size_t cap;     /* a power of two, or 0 */
} keyset;

static uint64_t key_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

/* The index of key among parent's keys, or -1; adds it (as index n) when
 * absent. -2 when out of memory. */
static ptrdiff_t keyset_add(keyset *ks, const ns_ynode *parent, const char *key, size_t n)
{
    if (2 * (n + 1) > ks->cap) {
        size_t cap = ks->cap ? 2 * ks->cap : 16;
        size_t *slot = calloc(cap, sizeof *slot);
        if (!slot)
            return -2;
        for (size_t i = 0; i < ks->cap; i++)
            if (ks->slot[i]) {
                size_t j = key_hash(parent->keys[ks->slot[i] - 1]->text) & (cap - 1);
                while (slot[j])
                    j = (j + 1) & (cap - 1);
                slot[j] = ks->slot[i];
            }
        free(ks->slot);
        ks->slot = slot, ks->cap = cap;
    }
    size_t j = key_hash(key) & (ks->cap - 1);
    for (; ks->slot[j]; j = (j + 1) & (ks->cap - 1))
        if (strcmp(parent->keys[ks->slot[j] - 1]->text, key) == 0)
            return (ptrdiff_t)(ks->slot[j] - 1);
    ks->slot[j] = n + 1;
    return -1;
}

static int parse_node(builder *b, yaml_event_t *ev, ns_ynode **out);

/* Reads the children of a sequence or mapping until its end event. */
static int parse_children(builder *b, ns_ynode *parent)
{
    keyset ks = {NULL, 0};
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&b->parser, &ev)) {
            rc = fail_parser(b);
            break;
        }
        if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        ns_ynode *key = NULL, *val = NULL;
        if (parent->kind == NS_Y_MAP) {
            rc = parse_node(b, &ev, &key);
            if (rc)
                break;
            if (key->kind != NS_Y_SCALAR) {
                snprintf(b->err, b->errlen, "%s:%d:%d: mapping keys must be plain names",
                         b->file, key->line, key->col);
                node_free(key);
                rc = -1;
                break;
            }
            /* the key goes in first (with no value yet) so the set can see it */
            if (node_append(parent, key, NULL)) {
                node_free(key);
                rc = fail_at(b, &b->parser.mark, "out of memory", NULL);
                break;
            }
            ptrdiff_t first = keyset_add(&ks, parent, key->text, parent->n - 1);
            if (first != -1) {
                if (first == -2)
                    rc = fail_at(b, &b->parser.mark, "out of memory", NULL);
                else
                    snprintf(b->err, b->errlen, "%s:%d:%d: %s: duplicate key (first at line %d)",
                             b->file, key->line, key->col, key->text,
                             parent->keys[first]->line);
                rc = -1;
                break;
            }
            if (!yaml_parser_parse(&b->parser, &ev)) {
                rc = fail_parser(b);
                break;
            }
            rc = parse_node(b, &ev, &parent->items[parent->n - 1]);
            if (rc)
                break;
            continue;
        }
        rc = parse_node(b, &ev, &val);
        if (rc)
            break;
        if (node_append(parent, NULL, val)) {
            node_free(val);
            rc = fail_at(b, &b->parser.mark, "out of memory", NULL);
            break;
        }
    }
    free(ks.slot);
    return rc;
}

/* Builds the node that starts with event ev (consumed). */
static int parse_node(builder *b, yaml_event_t *ev, ns_ynode **out)
{
    yaml_mark_t m = ev->start_mark;
    ns_ynode *n = NULL;
    int rc = 0;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = node_new(NS_Y_SCALAR, b->file, &m);
        if (n) {
            n->text = strdup((const char *)ev->data.scalar.value);
            n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        }
        if (!n || !n->text)
            rc = fail_at(b, &m, "out of memory", NULL);
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        /* bounded nesting: the recursion (and libyaml's look-ahead, which
         * grows with the depth) stays small whatever the input */
        if (b->depth >= NS_YAML_MAX_DEPTH) {
            char what[80];
            snprintf(what, sizeof what, "more than %d levels of lists and mappings",
                     NS_YAML_MAX_DEPTH);
            rc = fail_at(b, &m, "nested too deeply", what);
            break;
        }
        n = node_new(ev->type == YAML_SEQUENCE_START_EVENT ? NS_Y_SEQ : NS_Y_MAP, b->file, &m);
        b->depth++;
        rc = n ? parse_children(b, n) : fail_at(b, &m, "out of memory", NULL);
        b->depth--;
        break;
    case YAML_ALIAS_EVENT:
        rc = fail_at(b, &m, "YAML aliases (*name) are not supported in scenarios", NULL);
        break;
    default:
        rc = fail_at(b, &m, "unexpected YAML content", NULL);
        break;
    }
    yaml_event_delete(ev);
    if (rc) {
        node_free(n);
        n = NULL;
    }
    *out = n;
    return rc;
}

/* Parses the stream: exactly one document whose root is a mapping, and
 * nothing after its end (a second `---` document or text after `...`). */
static int parse_stream(builder *b, ns_ytree *t)
{
    yaml_event_t ev;
    int ended = 0;
    for (;;) {
        if (!yaml_parser_parse(&b->parser, &ev)) {
            if (ended)
                return fail_at(b, &b->parser.problem_mark,
                               "content after the end of the YAML document", b->parser.problem);
            return fail_parser(b);
        }
        yaml_event_type_t type = ev.type;
        yaml_mark_t m = ev.start_mark;
        if (type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (type == YAML_STREAM_START_EVENT || (type == YAML_DOCUMENT_START_EVENT && !ended)) {
            yaml_event_delete(&ev);
            continue;
        }
        if (type == YAML_DOCUMENT_END_EVENT && !ended) {
            ended = 1;
            yaml_event_delete(&ev);
            continue;
        }
        if (ended || t->root) {
            yaml_event_delete(&ev);
            return fail_at(b, &m, "content after the end of the YAML document",
                           "a scenario is one document (nothing after '---' or '...')");
        }
        int rc = parse_node(b, &ev, &t->root);
        if (rc)
            return rc;
    }
    if (!t->root || t->root->kind != NS_Y_MAP) {
        snprintf(b->err, b->errlen, "%s:1:1: the scenario must be a YAML mapping of sections",
                 b->file);
        return -1;
    }
    return 0;
}

int ns_ytree_load_string(ns_ytree *t, const char *name, const char *text, size_t len, char *err,
                         size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->file = strdup(name);
    t->text = malloc(len + 1);
    if (!t->file || !t->text) {
        snprintf(err, errlen, "%s: out of memory", name);
        ns_ytree_free(t);
        return -1;
    }
    memcpy(t->text, text, len);
    t->text[len] = '\0';
    t->text_len = len;
    builder b = {.file = t->file, .text = t->text, .len = len, .err = err, .errlen = errlen};
    if (!yaml_parser_initialize(&b.parser)) {
        snprintf(err, errlen, "%s: cannot start the YAML parser", name);
        ns_ytree_free(t);
        return -1;
    }
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)t->text, len);
    int rc = parse_stream(&b, t);
    yaml_parser_delete(&b.parser);
    if (rc)
        ns_ytree_free(t);
    return rc;
}

int ns_ytree_load_file(ns_ytree *t, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        char *nb = realloc(buf, cap *= 2);
        if (!nb)
            free(buf);
        buf = nb;
    }
    int bad = ferror(f), why = errno;
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, errlen, "%s: cannot read the file: %s", path,
                 buf ? strerror(why) : "out of memory");
        return -1;
    }
    int rc = ns_ytree_load_string(t, path, buf, len, err, errlen);
    free(buf);
    return rc;
}

void ns_ytree_free(ns_ytree *t)
{
    node_free(t->root);
    free(t->file);
    free(t->text);
    memset(t, 0, sizeof *t);
}

static ptrdiff_t map_index(const ns_ynode *map, const char *key)
{
    if (!map || map->kind != NS_Y_MAP)
        return -1;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->text, key) == 0)
            return (ptrdiff_t)i;
    return -1;
}

ns_ynode *ns_ymap_get(ns_ynode *map, const char *key)
{
    ptrdiff_t i = map_index(map, key);
    if (i < 0)
        return NULL;
    map->used[i] = 1;
    return map->items[i];
}

ns_ynode *ns_ymap_key(ns_ynode *map, const char *key)
{
    ptrdiff_t i = map_index(map, key);
    return i < 0 ? NULL : map->keys[i];
}

/* Child of n named by one path segment: a key, or an index into a sequence. */
static ns_ynode *path_step(ns_ynode *n, const char *seg)
{
    if (n->kind == NS_Y_MAP) {
        ptrdiff_t i = map_index(n, seg);
        if (i >= 0)
            return n->items[i];
        /* a list parameter {value: [...]}: name.2 means name.value.2 (the
         * registry's path for the item) */
        i = map_index(n, "value");
        return i >= 0 && n->items[i]->kind == NS_Y_SEQ ? path_step(n->items[i], seg) : NULL;
    }
    if (n->kind == NS_Y_SEQ) {
        char *end;
        unsigned long k = strtoul(seg, &end, 10);
        if (*seg && !*end && k < n->n)
            return n->items[k];
        /* a list of named entries: match its `name:` */
        for (size_t j = 0; j < n->n; j++) {
            ptrdiff_t i = map_index(n->items[j], "name");
            if (i >= 0 && n->items[j]->items[i]->kind == NS_Y_SCALAR &&
                strcmp(n->items[j]->items[i]->text, seg) == 0)
                return n->items[j];
        }
    }
    return NULL;
}

ns_ynode *ns_ytree_find(ns_ynode *root, const char *path)
{
    char buf[512];
    if (strlen(path) >= sizeof buf)
        return NULL;
    strcpy(buf, path);
    ns_ynode *n = root;
    for (char *save = NULL, *seg = strtok_r(buf, ".", &save); seg && n;
         seg = strtok_r(NULL, ".", &save))
        n = path_step(n, seg);
    if (n && n->kind == NS_Y_MAP && map_index(n, "value") >= 0)
        n = n->items[map_index(n, "value")];
    return n;
}

int ns_ytree_set(ns_ytree *t, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        snprintf(err, errlen, "--set %s: expected path.to.key=value", assignment);
        return -1;
    }
    char path[512];
    size_t plen = (size_t)(eq - assignment);
    if (plen >= sizeof path) {
        snprintf(err, errlen, "--set %s: path too long", assignment);
        return -1;
    }
    memcpy(path, assignment, plen);
    path[plen] = '\0';
    ns_ynode *n = ns_ytree_find(t->root, path);
    if (!n || n->kind != NS_Y_SCALAR) {
        snprintf(err, errlen, "--set %.*s: %s in %s", (int)plen, assignment,
                 n ? "names a section or list, not a single value" : "no such key", t->file);
        return -1;
    }
    char *text = strdup(eq + 1);
    if (!text) {
        snprintf(err, errlen, "--set: out of memory");
        return -1;
    }
    free(n->text);
    n->text = text;
    n->quoted = 0;
    n->file = "--set";
    n->line = 1;
    n->col = (int)plen + 2;
    return 0;
}
