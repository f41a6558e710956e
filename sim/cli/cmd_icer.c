/* `netsurv icer TABLE.csv [--csv] [-o FILE] [--force]`: the incremental
 * analysis of netsurv (engine/econ.c, the rules `netsurv run` applies) on any
 * table of strategies, printed in the layout of dampack's calculate_icers
 * (cli/tables.c). TABLE is CSV with a header naming the columns strategy,
 * cost and effect (any case, any order; other columns are ignored, so a
 * table this command wrote reads back); "-" reads standard input. Every
 * problem is reported as FILE:LINE:COLUMN: column 'NAME': message. */
#include "commands.h"
#include "common.h"
#include "tables.h"
#include "netsurv/engine/econ.h"
#include "netsurv/output/atomic.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define USAGE "usage: netsurv icer TABLE.csv [--csv] [-o FILE] [--force]\n"
#define MAX_BYTES (16L << 20) /* larger tables are refused */
#define MAX_FIELDS 256        /* columns per line */
#define MAX_NAME 255          /* bytes per strategy name */
#define MAX_REPORTED 20       /* problems printed before stopping */

enum { COL_STRATEGY, COL_COST, COL_EFFECT, NREQ };
static const char *const required[NREQ] = {"strategy", "cost", "effect"};

/* The strategies read from a table. */
typedef struct {
    char *name[NS_ECON_MAX];
    int line[NS_ECON_MAX];
    double cost[NS_ECON_MAX], effect[NS_ECON_MAX];
    int n;
} strategies;

/* One field of a line: its text (quotes removed, NUL-terminated, in the
 * line's scratch buffer) and its 1-based column. */
typedef struct {
    const char *text;
    int col;
} field;

/* Where the reader is, for messages. */
typedef struct {
    const char *file;
    int line, problems;
} reader;

static void problem(reader *r, int col, const char *column, const char *fmt, ...)
{
    va_list ap;
    if (++r->problems > MAX_REPORTED)
        return;
    fprintf(stderr, "netsurv icer: %s:%d:%d: ", r->file, r->line, col);
    if (column)
        fprintf(stderr, "column '%s': ", column);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* The whole of path ("-": standard input), NUL-terminated, length in *len;
 * NULL with the problem printed. */
static char *read_table(const char *path, const char *shown, long *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "netsurv icer: cannot open %s: %s\n", shown, strerror(errno));
        return NULL;
    }
    char *buf = malloc((size_t)MAX_BYTES + 2);
    size_t got = buf ? fread(buf, 1, (size_t)MAX_BYTES + 1, f) : 0;
    int bad = !buf || ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad || got > (size_t)MAX_BYTES) {
        fprintf(stderr, "netsurv icer: %s: %s\n", shown,
                !buf ? "out of memory" : bad ? "read error" : "larger than 16 MiB");
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    *len = (long)got;
    return buf;
}

/* Splits line[0 .. n-1] (no line break) into fields at commas, writing
 * their text to scratch; a field may be "quoted" with "" for a quote; white
 * space around a field is dropped. Returns the number of fields, or -1 with
 * the problem reported. */
static int split(reader *r, const char *line, int n, char *scratch, field *out)
{
    int nf = 0, i = 0;
    char *w = scratch;
    for (;;) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (nf == MAX_FIELDS) {
            problem(r, i + 1, NULL, "more than %d columns", MAX_FIELDS);
            return -1;
        }
        out[nf].col = i + 1;
        out[nf].text = w;
        if (i < n && line[i] == '"') {
            for (i++;; i++) {
                if (i >= n) {
                    problem(r, out[nf].col, NULL, "unterminated quote (a field cannot span lines)");
                    return -1;
                }
                if (line[i] == '"' && !(i + 1 < n && line[i + 1] == '"'))
                    break;
                if (line[i] == '"')
                    i++;
                *w++ = line[i];
            }
            for (i++; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
                ;
            if (i < n && line[i] != ',') {
                problem(r, i + 1, NULL, "text after a closing quote");
                return -1;
            }
        } else {
            char *start = w;
            for (; i < n && line[i] != ','; i++)
                *w++ = line[i];
            while (w > start && (w[-1] == ' ' || w[-1] == '\t'))
                w--;
        }
        *w++ = '\0';
        nf++;
        if (i >= n)
            return nf;
        i++; /* the comma */
    }
}

/* True when line[0 .. n-1] holds only white space. */
static int blank(const char *line, int n)
{
    for (int i = 0; i < n; i++)
        if (!isspace((unsigned char)line[i]))
            return 0;
    return 1;
}

/* Finds the required columns in the header fields: 0 with idx[], or -1. */
static int header(reader *r, const field *f, int nf, int idx[NREQ])
{
    int bad = 0;
    for (int q = 0; q < NREQ; q++) {
        idx[q] = -1;
        for (int k = 0; k < nf; k++) {
            if (strcasecmp(f[k].text, required[q]))
                continue;
            if (idx[q] >= 0) {
                problem(r, f[k].col, required[q], "named twice in the header (also column %d)",
                        f[idx[q]].col);
                bad = 1;
            }
            idx[q] = k;
        }
        if (idx[q] < 0) {
            char seen[512] = "";
            for (int k = 0; k < nf && strlen(seen) < 400; k++)
                snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s'%.40s'",
                         k ? ", " : "", f[k].text);
            problem(r, 1, required[q], "not in the header (a header line naming strategy,cost,"
                    "effect must come first; this one has %s)", seen);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

/* True when s (trimmed) is a NaN or an infinity as strtod spells them. */
static int nonfinite_word(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    return !strcasecmp(s, "nan") || !strcasecmp(s, "inf") || !strcasecmp(s, "infinity");
}

/* Parses a decimal number (no hexadecimal, no NaN or infinity): 0 with *v,
 * or -1 with the problem reported. */
static int number(reader *r, const field *f, const char *column, double *v)
{
    const char *s = f->text;
    char *end;
    if (!*s) {
        problem(r, f->col, column, "empty; a number is needed");
        return -1;
    }
    if (nonfinite_word(s)) {
        problem(r, f->col, column, "'%s' is not a finite number", s);
        return -1;
    }
    int ok = strspn(s, "0123456789+-.eE") == strlen(s) && strpbrk(s, "0123456789");
    errno = 0;
    *v = ok ? strtod(s, &end) : 0.0;
    if (!ok || *end) {
        problem(r, f->col, column, "'%.60s' is not a number", s);
        return -1;
    }
    if (!isfinite(*v)) {
        problem(r, f->col, column, "'%.60s' is out of range (not a finite double)", s);
        return -1;
    }
    return 0;
}

/* Checks and stores one data row; its problems are reported. */
static void row(reader *r, const field *f, int nf, int nh, const int idx[NREQ], strategies *t)
{
    if (nf != nh) {
        problem(r, f[nf - 1].col, NULL, "%d fields where the header has %d", nf, nh);
        return;
    }
    const field *name = &f[idx[COL_STRATEGY]];
    int bad = 0;
    if (!*name->text) {
        problem(r, name->col, required[COL_STRATEGY], "empty; every strategy needs a name");
        bad = 1;
    } else if (strlen(name->text) > MAX_NAME) {
        problem(r, name->col, required[COL_STRATEGY], "longer than %d bytes", MAX_NAME);
        bad = 1;
    }
    for (int k = 0; k < t->n && !bad; k++)
        if (!strcmp(t->name[k], name->text)) {
            problem(r, name->col, required[COL_STRATEGY], "'%s' is already the name on line %d",
                    name->text, t->line[k]);
            bad = 1;
        }
    double c = 0, e = 0;
    bad |= number(r, &f[idx[COL_COST]], required[COL_COST], &c);
    bad |= number(r, &f[idx[COL_EFFECT]], required[COL_EFFECT], &e);
    if (bad)
        return;
    if (!(t->name[t->n] = strdup(name->text))) {
        problem(r, 1, NULL, "out of memory");
        return;
    }
    t->line[t->n] = r->line;
    t->cost[t->n] = c;
    t->effect[t->n] = e;
    t->n++;
}

/* Reads the strategies of buf (len bytes): 0, or -1 with the problems
 * reported. */
static int parse(reader *r, const char *buf, long len, strategies *t)
{
    field f[MAX_FIELDS];
    int idx[NREQ], nh = 0, have_header = 0, header_line = 0;
    char *scratch = malloc((size_t)len + 1);
    if (!scratch) {
        problem(r, 1, NULL, "out of memory");
        return -1;
    }
    long p = !strncmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0; /* a UTF-8 byte-order mark */
    for (r->line = 1; p < len && r->problems <= MAX_REPORTED; r->line++) {
        const char *nl = memchr(buf + p, '\n', (size_t)(len - p));
        long end = nl ? nl - buf : len, next = end + 1;
        if (end > p && buf[end - 1] == '\r')
            end--;
        const char *line = buf + p;
        int n = (int)(end - p), nf;
        p = next;
        if (memchr(line, '\0', (size_t)n)) {
            problem(r, 1, NULL, "a NUL byte: this is not a text file");
            break;
        }
        if (blank(line, n) || (nf = split(r, line, n, scratch, f)) < 0)
            continue;
        if (!have_header) {
            have_header = 1;
            header_line = r->line;
            nh = nf;
            if (header(r, f, nf, idx))
                break;
            continue;
        }
        if (t->n == NS_ECON_MAX) {
            problem(r, 1, NULL, "more than %d strategies (the most one analysis takes)",
                    NS_ECON_MAX);
            break;
        }
        row(r, f, nf, nh, idx, t);
    }
    free(scratch);
    if (!r->problems && !have_header) {
        r->line = 1;
        problem(r, 1, NULL, "empty: a header line naming strategy,cost,effect must come first");
    } else if (!r->problems && t->n == 0) {
        r->line = header_line;
        problem(r, 1, NULL, "no strategies: the header is followed by no row");
    }
    if (r->problems > MAX_REPORTED)
        fprintf(stderr, "netsurv icer: %s: stopped after %d problems\n", r->file, MAX_REPORTED);
    return r->problems ? -1 : 0;
}

/* The command's arguments. */
typedef struct {
    const char *table, *output;
    int csv, force;
} icer_args;

static int parse_args(int argc, char **argv, icer_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--csv"))
            a->csv = 1;
        else if (!strcmp(s, "--force"))
            a->force = 1;
        else if (!strcmp(s, "-o") || !strcmp(s, "--output")) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                fprintf(stderr, "netsurv icer: %s needs a file name\n", s);
                return 2;
            }
            a->output = argv[++i];
        } else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            fputs(USAGE, stdout);
            return -1;
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "netsurv icer: unknown option '%s'\n" USAGE, s);
            return 2;
        } else if (a->table) {
            fprintf(stderr, "netsurv icer: one table at a time ('%s' and '%s')\n", a->table, s);
            return 2;
        } else
            a->table = s;
    }
    if (!a->table) {
        fputs(USAGE, stderr);
        return 2;
    }
    return 0;
}

/* Writes the CSV to a->output, whole or not at all: 0, or the exit status
 * with the problem printed. */
static int write_output(const icer_args *a, const strategies *t, const ns_icer_table *tab)
{
    char err[512];
    if (ns_atomic_begin(a->output, a->force, err, sizeof err)) {
        fprintf(stderr, "netsurv icer: %s\n", err);
        return 2;
    }
    ns_cli_guard_output();
    FILE *f = fopen(ns_atomic_tmp(), "w");
    int ok = f && !ns_cli_print_dampack_table(f, (const char *const *)t->name, t->cost, t->effect,
                                              t->n, tab, 1);
    if (f && fclose(f))
        ok = 0;
    if (!f)
        fprintf(stderr, "netsurv icer: cannot write %s: %s\n", ns_atomic_tmp(), strerror(errno));
    if (ns_atomic_finish(ok, err, sizeof err)) {
        fprintf(stderr, "netsurv icer: %s\n", err);
        return 1;
    }
    return 0;
}

int ns_cmd_icer(int argc, char **argv)
{
    icer_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *shown = strcmp(a.table, "-") ? a.table : "<stdin>";
    strategies t = {.n = 0};
    reader r = {.file = shown};
    ns_icer_table tab;
    long len = 0;
    char *buf = read_table(a.table, shown, &len);
    rc = !buf || parse(&r, buf, len, &t) ? 2 : 0;
    free(buf);
    if (!rc && ns_econ_icers(t.cost, t.effect, t.n, &tab)) {
        fprintf(stderr, "netsurv icer: %s: the incremental analysis failed\n", shown);
        rc = 1;
    }
    if (!rc && a.output)
        rc = write_output(&a, &t, &tab);
    if (!rc && ns_cli_print_dampack_table(stdout, (const char *const *)t.name, t.cost, t.effect,
                                          t.n, &tab, a.csv)) {
        fprintf(stderr, "netsurv icer: writing the table failed\n");
        rc = 1;
    }
    if (!rc && !a.csv)
        printf("ND: on the frontier (increments and ICER against the ND row above); ED: extended "
               "dominated;\nD: dominated; duplicate: the same cost and effect as an ND strategy "
               "above\n");
    for (int k = 0; k < t.n; k++)
        free(t.name[k]);
    return rc;
}
