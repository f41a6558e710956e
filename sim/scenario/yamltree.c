/* YAML document -> ns_ynode tree, with marks for messages; --set overrides. */
#include "netsurv/scenario/yamltree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Append a child (and its key, for maps); returns -1 when out of memory. */
static int node_append(ns_ynode *parent, ns_ynode *key, ns_ynode *value)
{
    size_t n = parent->n + 1;
    ns_ynode **items = realloc(parent->items, n * sizeof *items);
    if (!items)
        return -1;
    parent->items = items;
    if (parent->kind == NS_Y_MAP) {
        ns_ynode **keys = realloc(parent->keys, n * sizeof *keys);
        unsigned char *used = realloc(parent->used, n);
        if (keys)
            parent->keys = keys;
        if (used)
            parent->used = used;
        if (!keys || !used)
            return -1;
        keys[n - 1] = key;
        used[n - 1] = 0;
    }
    items[n - 1] = value;
    parent->n = n;
    return 0;
}

typedef struct {
    yaml_parser_t parser;
    const char *file;
    char *err;
    size_t errlen;
} builder;

static int fail_at(builder *b, const yaml_mark_t *m, const char *msg, const char *detail)
{
    snprintf(b->err, b->errlen, "%s:%zu:%zu: %s%s%s", b->file, m->line + 1, m->column + 1, msg,
             detail ? ": " : "", detail ? detail : "");
    return -1;
}

static int parse_node(builder *b, yaml_event_t *ev, ns_ynode **out);

/* Reads the children of a sequence or mapping until its end event. */
static int parse_children(builder *b, ns_ynode *parent)
{
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&b->parser, &ev))
            return fail_at(b, &b->parser.problem_mark, "YAML syntax error", b->parser.problem);
        if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        ns_ynode *key = NULL, *val = NULL;
        if (parent->kind == NS_Y_MAP) {
            int rc = parse_node(b, &ev, &key);
            if (rc)
                return rc;
            if (key->kind != NS_Y_SCALAR) {
                snprintf(b->err, b->errlen, "%s:%d:%d: mapping keys must be plain names",
                         b->file, key->line, key->col);
                node_free(key);
                return -1;
            }
            for (size_t i = 0; i < parent->n; i++)
                if (strcmp(parent->keys[i]->text, key->text) == 0) {
                    snprintf(b->err, b->errlen, "%s:%d:%d: %s: duplicate key (first at line %d)",
                             b->file, key->line, key->col, key->text, parent->keys[i]->line);
                    node_free(key);
                    return -1;
                }
            if (!yaml_parser_parse(&b->parser, &ev)) {
                node_free(key);
                return fail_at(b, &b->parser.problem_mark, "YAML syntax error", b->parser.problem);
            }
        }
        int rc = parse_node(b, &ev, &val);
        if (rc || node_append(parent, key, val)) {
            node_free(key);
            node_free(val);
            return rc ? rc : fail_at(b, &b->parser.mark, "out of memory", NULL);
        }
    }
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
        n = node_new(ev->type == YAML_SEQUENCE_START_EVENT ? NS_Y_SEQ : NS_Y_MAP, b->file, &m);
        rc = n ? parse_children(b, n) : fail_at(b, &m, "out of memory", NULL);
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

/* Parses the stream: exactly one document whose root is a mapping. */
static int parse_stream(builder *b, ns_ytree *t)
{
    yaml_event_t ev;
    for (;;) {
        if (!yaml_parser_parse(&b->parser, &ev))
            return fail_at(b, &b->parser.problem_mark, "YAML syntax error", b->parser.problem);
        yaml_event_type_t type = ev.type;
        if (type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (type == YAML_STREAM_END_EVENT || type == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t->root) {
            yaml_event_delete(&ev);
            return fail_at(b, &ev.start_mark, "more than one YAML document", NULL);
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
    builder b = {.file = t->file, .err = err, .errlen = errlen};
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
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, errlen, "%s: cannot read the file", path);
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
