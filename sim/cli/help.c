/* The help of the command line: one table of every option, which commands
 * take it, its argument, default and meaning. The parser (options.c) accepts
 * for a command exactly the options this table gives it, `netsurv COMMAND
 * --help` prints them, and `netsurv --man` writes the manual page (roff)
 * from the same table, so none of them can drift from another. */
#include "help.h"
#include "commands.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NS_COMMAND_BIT(name, ...) NS_CMDI_##name,
enum { NS_COMMANDS(NS_COMMAND_BIT) NS_NCMDS };
#undef NS_COMMAND_BIT
#define B(name) (1u << NS_CMDI_##name)

/* The options: name, alias, argument, default, meaning, commands. */
const ns_opt_help ns_opt_table[] = {
    {"-n", "--patients", "N", "1000000 (calibrate: 20000 per series)",
     "virtual patients (1e6 notation allowed)",
     B(bench) | B(cohort) | B(run) | B(calibrate) | B(optimize)},
    {"--seed", NULL, "S", "the scenario's seed:", "random seed (0 to 2^64-1)",
     B(cohort) | B(run) | B(calibrate) | B(optimize)},
    {"--threads", NULL, "T", "all cores", "OpenMP threads; results do not depend on it",
     B(cohort) | B(run) | B(calibrate) | B(optimize)},
    {"--set", NULL, "path.to.key=value", NULL,
     "overrides one scenario value (repeatable; list items by index: a.b.0=1)",
     B(cohort) | B(run) | B(validate) | B(calibrate) | B(optimize)},
    {"-o", "--output", "FILE", NULL,
     "the output file (run, calibrate: HDF5; icer: CSV), written to a temporary file and "
     "renamed into place", B(run) | B(icer) | B(calibrate) | B(policy) | B(optimize)},
    {"--force", NULL, NULL, NULL, "replace an existing output file",
     B(run) | B(merge) | B(icer) | B(calibrate) | B(policy) | B(optimize)},
    {"--quiet", "-q", NULL, NULL,
     "no progress on stderr (without it: on a terminal one redrawn line; off one a line every "
     "NETSURV_PROGRESS_INTERVAL seconds, default 20)",
     B(run) | B(merge) | B(calibrate) | B(policy) | B(optimize)},
    {"--space", NULL, "FILE", "the scenario's optimize: section",
     "the search space (a file holding an optimize: section)", B(optimize)},
    {"--policy", NULL, "FILE", NULL,
     "write the scenario with the composite policy added as its first strategy, for netsurv run",
     B(optimize)},
    {"--no-screen", NULL, NULL, NULL,
     "evaluate every candidate on every patient (no successive-halving screening)",
     B(optimize)},
    {"--optimize", NULL, NULL, NULL,
     "time netsurv optimize's default search instead (candidates evaluated per second)",
     B(bench)},
    {"--series", NULL, "FILE", "scenarios/calibration/series.yaml",
     "the follow-up series and the parameters to calibrate", B(calibrate)},
    {"--check", NULL, NULL, NULL,
     "score the scenario's values against every series and print them; no calibration",
     B(calibrate)},
    {"--per-patient", NULL, NULL, NULL, "also write one row per patient and strategy (/patients)",
     B(run)},
    {"--psa", NULL, "K", NULL,
     "run K probabilistic-sensitivity draws (bench: time K draws) and write /psa; optimize: "
     "re-evaluate each group's frontier schedules under K draws",
     B(bench) | B(run) | B(optimize)},
    {"--posterior", NULL, "FILE", NULL,
     "with --psa: draw the calibrated parameters jointly from the posterior of a netsurv "
     "calibrate file (the others from their priors)", B(run) | B(optimize)},
    {"--voi", NULL, NULL, NULL,
     "with --psa: the value of information, EVPPI of every drawn parameter and named group of "
     "parameters, per risk group and for the decision by group (/voi)", B(run)},
    {"--owsa", NULL, NULL, NULL, "one-way sensitivity over every parameter with a range: (/owsa)",
     B(run)},
    {"--sweep", NULL, "FILE", NULL,
     "a sweep definition (grid or zip axes over scenario values); with --psa K the PSA runs "
     "at every point on the same draws (/sweep_psa)",
     B(run) | B(validate)},
    {"--resume", NULL, NULL, NULL,
     "continue after a kill from the checkpoint beside the output (run: the sweep points, a "
     "shard's or a single run's work units, the PSA draws and OWSA parameters done; calibrate: the evaluations "
     "done, or with --shard the batches the shards exchanged; optimize: the passes done); with "
     "no checkpoint, start from the beginning", B(run) | B(calibrate) | B(optimize)},
    {"--shard", NULL, "K/N", NULL,
     "run: write only the K-th of N contiguous shares of the work units, PSA draws and OWSA "
     "parameters into a shard file, for `netsurv merge`; calibrate, optimize: evaluate the K-th "
     "share of every batch of candidates (or patient slices) and exchange the shares with the "
     "other shards through files beside the output (every shard gets the same -o FILE and runs "
     "at the same time; shard 1 writes FILE)", B(run) | B(calibrate) | B(optimize)},
    {"--shard-wait", NULL, "S", "3600",
     "with --shard (calibrate, optimize): seconds to wait for another shard's share before "
     "failing", B(calibrate) | B(optimize)},
    {"--compression", NULL, "L", "1",
     "deflate level of the per-patient rows, 0 (stored without filters: fastest, largest) to "
     "12; the values are the same at every level (bench: the per-patient rows of section 3)",
     B(run) | B(bench)},
    {"--peak-memory", NULL, NULL, NULL, "print the peak resident memory at the end", B(run)},
    {"--memory", NULL, NULL, NULL, "also measure peak memory per configuration", B(bench)},
    {"--csv", NULL, NULL, NULL, "print CSV instead of a table", B(cohort) | B(icer)},
    {"--strict", NULL, NULL, NULL, "exit 1 when a target is missed", B(cohort)},
    {"--format", NULL, "md", "md", "output format: md (Markdown)", B(reference)},
    {"--help", "-h", NULL, NULL, "this help", 0xffffffffu},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

/* Per command: name, usage, what it does, an example (commands.h). */
#define NS_USAGE_ENTRY(name, usage, what, example) {#name, usage, what, example},
static const char *const usages[][4] = {NS_COMMANDS(NS_USAGE_ENTRY)};
#undef NS_USAGE_ENTRY

/* <prefix>/share/netsurv/scenarios/REL beside the running program (found
 * from /proc/self/exe, so a moved tree still finds it) in buf, or NULL. */
static const char *installed(const char *rel, char *buf, size_t len)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = 0;
    int k = snprintf(buf, len, "%s/../share/netsurv/scenarios/%s", exe, rel);
    return k > 0 && (size_t)k < len && access(buf, R_OK) == 0 ? buf : NULL;
}

const char *ns_cli_default_scenario(void)
{
    static char path[4096];
    if (installed("default.yaml", path, sizeof path))
        return path;
    if (access(NETSURV_DEFAULT_SCENARIO, R_OK) == 0) /* the source tree of this build */
        return NETSURV_DEFAULT_SCENARIO;
    return NETSURV_INSTALLED_SCENARIO;
}

const char *ns_cli_default_series(void)
{
    static char path[4096];
    if (installed("calibration/series.yaml", path, sizeof path))
        return path;
    return NETSURV_DEFAULT_SERIES; /* the source tree of this build */
}

int ns_cli_command_index(const char *name)
{
    for (int i = 0; i < NS_NCMDS; i++)
        if (!strcmp(usages[i][0], name))
            return i;
    return -1;
}

const ns_opt_help *ns_cli_option(int cmd, const char *arg)
{
    for (const ns_opt_help *o = ns_opt_table; o->name; o++)
        if ((!strcmp(arg, o->name) || (o->alias && !strcmp(arg, o->alias))) &&
            (cmd < 0 || (o->commands >> cmd & 1)))
            return o;
    return NULL;
}

void ns_cli_usage(FILE *f)
{
    fputs("usage:\n", f);
    for (int i = 0; i < NS_NCMDS; i++)
        fprintf(f, "  %s\n", usages[i][1]);
    fputs("  netsurv --version | --help | --man\n"
          "netsurv COMMAND --help describes a command and its options.\n"
          "SCENARIO defaults to the scenarios/default.yaml installed beside the program\n"
          "  (<prefix>/share/netsurv/scenarios), else the source tree's; here:\n  ",
          f);
    fprintf(f, "%s\n", ns_cli_default_scenario());
}

/* Prints text from column `indent` (where the cursor is), broken at spaces
 * before column `width`, continuation lines indented. */
static void wrap(FILE *f, const char *text, int indent, int width)
{
    int col = indent;
    const char *p = text;
    while (*p) {
        size_t word = strcspn(p, " ");
        if (col > indent && col + 1 + (int)word > width) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, word, f);
        col += (int)word;
        p += word;
        while (*p == ' ')
            p++;
    }
    fputc('\n', f);
}

int ns_cli_help(FILE *f, const char *name)
{
    int c = ns_cli_command_index(name);
    if (c < 0)
        return -1;
    fprintf(f, "usage: %s\n\n", usages[c][1]);
    wrap(f, usages[c][2], 0, 100);
    fputs("\noptions:\n", f);
    for (const ns_opt_help *o = ns_opt_table; o->name; o++) {
        if (!(o->commands >> c & 1))
            continue;
        char head[64];
        snprintf(head, sizeof head, "%s%s%s%s%s", o->name, o->alias ? ", " : "",
                 o->alias ? o->alias : "", o->arg ? " " : "", o->arg ? o->arg : "");
        char text[512];
        snprintf(text, sizeof text, "%s%s%s%s", o->help, o->def ? " (default: " : "",
                 o->def ? o->def : "", o->def ? ")" : "");
        fprintf(f, "  %-24s ", head);
        wrap(f, text, 27, 100);
    }
    fprintf(f, "\nexample:\n  %s\n", usages[c][3]);
    fputs("\nexit status: 0 success, 1 a run failed (or a missed target with --strict), "
          "2 bad input\n",
          f);
    return 0;
}

/* roff text with its backslashes and leading dots made harmless. */
static void roff(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else if (*s == '\n') { /* a continued usage line: one line in roff */
            fputc(' ', f);
            while (s[1] == ' ')
                s++;
        }
        else
            fputc(*s, f);
    }
}

void ns_cli_man(FILE *f)
{
    fprintf(f, ".TH NETSURV 1 \"\" \"netsurv %s\" \"User Commands\"\n.SH NAME\n"
               "netsurv \\- surveillance after endoscopic resection of rectal neuroendocrine "
               "tumours, by Monte Carlo\n.SH SYNOPSIS\n",
            NETSURV_VERSION);
    for (int i = 0; i < NS_NCMDS; i++) {
        fputs(".PP\n", f);
        roff(f, usages[i][1]);
        fputc('\n', f);
    }
    fputs(".SH DESCRIPTION\nnetsurv draws virtual patients from published rates by tumour size "
          "and risk factor, plays every surveillance strategy of a scenario on the same patients, "
          "and writes detection times, costs, QALYs and missed metastases to HDF5.\n"
          ".SH COMMANDS\n",
          f);
    for (int i = 0; i < NS_NCMDS; i++) {
        fprintf(f, ".TP\n.B %s\n", usages[i][0]);
        roff(f, usages[i][2]);
        fputs("\n.RS\n.PP\nOptions:", f);
        for (const ns_opt_help *o = ns_opt_table; o->name; o++)
            if (o->commands >> i & 1 && strcmp(o->name, "--help")) {
                fputc(' ', f);
                roff(f, o->name);
            }
        fputs(".\n.PP\nExample: ", f);
        roff(f, usages[i][3]);
        fputs("\n.RE\n", f);
    }
    fputs(".SH OPTIONS\n", f);
    for (const ns_opt_help *o = ns_opt_table; o->name; o++) {
        fputs(".TP\n.B ", f);
        roff(f, o->name);
        if (o->alias) {
            fputs(", ", f);
            roff(f, o->alias);
        }
        if (o->arg) {
            fputs(" \\fI", f);
            roff(f, o->arg);
            fputs("\\fR", f);
        }
        fputc('\n', f);
        roff(f, o->help);
        if (o->def) {
            fputs(" (default: ", f);
            roff(f, o->def);
            fputc(')', f);
        }
        fputc('\n', f);
    }
    fputs(".SH FILES\n.TP\n", f);
    fputs("<prefix>/share/netsurv/scenarios/default.yaml", f);
    fputs("\nthe default scenario, found beside the installed program (share/netsurv/analysis "
          "holds the analysis package): every parameter with its source or `assumption'\n"
          ".SH ENVIRONMENT\n.TP\n.B NETSURV_PROGRESS_INTERVAL\nseconds between progress lines "
          "when stderr is not a terminal (0.05 to 3600; default 20)\n.TP\n.B OMP_NUM_THREADS\n"
          "threads when \\-\\-threads is not given\n.TP\n.B HDF5_USE_FILE_LOCKING\nFALSE on "
          "network file systems that do not support HDF5's file locks\n"
          ".SH EXIT STATUS\n0 success; 1 a run failed (or, with cohort \\-\\-strict, a target was "
          "missed); 2 bad input (a scenario or table error, a bad option, an output that exists "
          "without \\-\\-force, or another run writing the same output).\n"
          ".SH SEE ALSO\nThe README, docs/MODEL.md (the model as simulated) and the comments of "
          "scenarios/default.yaml, installed under share/netsurv.\n",
          f);
}
