/* The scenario reference: every key the loaders accept, with its type,
 * unit, allowed range, default and whether it takes a psa: distribution,
 * as one table (reference.c). `netsurv reference` prints it (and
 * docs/scenario-reference.md is that output); tests/test_reference.c walks
 * every key of every shipped scenario, sweep and series file and every
 * parameter the loader registers (s->param[i].path), and fails when one is
 * not found here or when a parameter's range differs from the loader's.
 *
 * A section is one entry of ns_ref_sections with its list of keys. Keys are
 * dotted paths from the file's root ("*" is one list entry, by index or by
 * name); a key whose `grammar` names a shared grammar (when, schedule item,
 * distribution, parameter...) has that grammar's keys below it, so a new
 * section that reuses a rule's `when:` says grammar "when" and nothing
 * more. */
#ifndef NETSURV_SCENARIO_REFERENCE_H
#define NETSURV_SCENARIO_REFERENCE_H

/* What a key holds. */
typedef enum {
    NS_REF_VALUE,  /* a single value (number, word, text, name) */
    NS_REF_MAP,    /* a mapping of the keys below it */
    NS_REF_LIST,   /* a list (of mappings: the keys below it, after "*") */
    NS_REF_PARAM,  /* a parameter {value: number, source|assumption, psa?, range?} */
    NS_REF_PARAMS  /* a list parameter {value: [numbers], source|assumption, psa?} */
} ns_ref_kind;

/* Which files a section belongs to. */
enum { NS_REF_SCENARIO = 1, NS_REF_SWEEP = 2, NS_REF_SERIES = 4, NS_REF_GRAMMAR = 8 };

typedef struct {
    const char *key;     /* dotted path; NULL ends a list */
    ns_ref_kind kind;
    const char *type;    /* in words */
    const char *unit;    /* "" when none */
    double lo, hi;       /* allowed range of the number(s); lo > hi: none */
    const char *def;     /* NULL: required; else what holds when it is absent */
    const char *grammar; /* the grammar of the keys below this one, or NULL */
    const char *meaning;
} ns_ref_key;

typedef struct {
    const char *name;    /* the top-level key, or the grammar's name; NULL ends */
    unsigned files;      /* NS_REF_* bits */
    const char *title;
    const char *intro;
    const ns_ref_key *keys;
} ns_ref_section;

extern const ns_ref_section ns_ref_sections[];

/* The key documenting `path` (dotted; list entries by index, by name or as
 * "*") in a file of kind `file` (NS_REF_SCENARIO, NS_REF_SWEEP or
 * NS_REF_SERIES), following grammars; a list parameter also documents its
 * items (path.0). NULL when the reference does not have it. */
const ns_ref_key *ns_reference_find(unsigned file, const char *path);

/* Whether a registered parameter's range [lo, hi] is the one documented
 * for it (k from ns_reference_find). */
int ns_reference_same_range(const ns_ref_key *k, double lo, double hi);

#endif
