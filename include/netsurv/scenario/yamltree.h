/* A YAML document as a tree of nodes that remember where they came from.
 *
 * The scenario loader works on this tree: it looks keys up, marks them used
 * (so unknown keys can be reported), and names FILE:LINE:COLUMN in every
 * message. `--set path=value` overrides replace scalars in the tree before
 * the loader reads it, so they are checked exactly like the file. */
#ifndef NETSURV_YAMLTREE_H
#define NETSURV_YAMLTREE_H

#include <stddef.h>

/* Lists and mappings nest at most this deep (a scenario needs about 8);
 * deeper input is an error at the first node too deep. */
#define NS_YAML_MAX_DEPTH 64

typedef enum { NS_Y_SCALAR, NS_Y_SEQ, NS_Y_MAP } ns_ykind;

typedef struct ns_ynode ns_ynode;
struct ns_ynode {
    ns_ykind kind;
    const char *file;   /* file name or "--set" (owned by the tree) */
    int line, col;      /* 1-based */
    int quoted;         /* scalar written in quotes: always a string */
    char *text;         /* scalar text */
    size_t n;           /* items (SEQ) or pairs (MAP) */
    size_t cap;         /* room for this many in items (and keys, used) */
    ns_ynode **items;   /* SEQ: values; MAP: values */
    ns_ynode **keys;    /* MAP: key scalars */
    unsigned char *used;/* MAP: key looked up by the loader */
};

typedef struct ns_ytree {
    ns_ynode *root;
    char *file;
    char *text;         /* the whole document as read */
    size_t text_len;
} ns_ytree;

/* Parse a YAML file into *t. On failure returns -1 and writes
 * "FILE:LINE:COLUMN: message" into err. The caller frees with ns_ytree_free. */
int ns_ytree_load_file(ns_ytree *t, const char *path, char *err, size_t errlen);
/* Same, from a string in memory (name used in messages). */
int ns_ytree_load_string(ns_ytree *t, const char *name, const char *text,
                         size_t len, char *err, size_t errlen);
void ns_ytree_free(ns_ytree *t);

/* Value of key in a mapping, marking the key used; NULL if absent. */
ns_ynode *ns_ymap_get(ns_ynode *map, const char *key);
/* Key node of the value found by ns_ymap_get (for messages); NULL if absent. */
ns_ynode *ns_ymap_key(ns_ynode *map, const char *key);

/* The node a dotted path names (through a parameter mapping to its value),
 * or NULL. */
ns_ynode *ns_ytree_find(ns_ynode *root, const char *path);

/* Apply `path=value` (dots separate mapping keys and sequence indices). When
 * the path ends at a parameter mapping {value: ..., source: ...} the value is
 * replaced. Returns -1 with a message when the path does not name a scalar. */
int ns_ytree_set(ns_ytree *t, const char *assignment, char *err, size_t errlen);

#endif
