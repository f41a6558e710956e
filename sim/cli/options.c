/* The options of every command but merge and icer (help.c lists them). */
#include "options.h"
#include "help.h"
#include "netsurv/output/h5out.h"
#include "netsurv/output/shard.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parses a whole number in [0, max]: digits, or a whole number in
 * scientific notation (1e6). 0; -1 if it is not one; -2 if it is above max
 * (never clamped). */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !*s)
        return -1;
    size_t digits = strspn(s, "0123456789");
    if (digits && !s[digits]) {
        uint64_t v = 0;
        for (const char *c = s; *c; c++) {
            unsigned d = (unsigned)(*c - '0');
            if (v > (UINT64_MAX - d) / 10)
                return -2;
            v = 10 * v + d;
        }
        if (v > max)
            return -2;
        *out = v;
        return 0;
    }
    if (!digits || strspn(s, "0123456789.eE+") != strlen(s))
        return -1;
    char *end;
    double d = strtod(s, &end);
    if (*end || !(d >= 0) || d != floor(d))
        return -1;
    if (d >= 18446744073709551616.0 || (uint64_t)d > max)
        return -2;
    *out = (uint64_t)d;
    return 0;
}

/* One whole-number option: its message when bad; 0 or 2. */
static int number_option(const char *opt, const char *v, uint64_t lo, uint64_t max,
                         uint64_t *out)
{
    int rc = parse_u64(v, max, out);
    if (!rc && *out >= lo)
        return 0;
    if (rc == -2)
        fprintf(stderr, "netsurv: %s %s is out of range (at most %llu)\n", opt, v,
                (unsigned long long)max);
    else
        fprintf(stderr, "netsurv: %s needs a whole number from %llu to %llu%s%s%s\n", opt,
                (unsigned long long)lo, (unsigned long long)max, v ? ", not '" : "",
                v ? v : "", v ? "'" : "");
    return 2;
}

/* Fills o from argv[2..]; prints the problem and returns 2 on bad usage. */
int ns_cli_parse(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->n = 1000000;
    o->shard_wait = 3600;
    o->compression = 1;
    o->argc = argc;
    o->argv = argv;
    int cmd = ns_cli_command_index(argv[1]);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t x;
        if (a[0] == '-' && a[1] && !ns_cli_option(cmd, a)) {
            if (ns_cli_option(-1, a))
                fprintf(stderr, "netsurv %s: '%s' is not an option of %s (netsurv %s --help)\n",
                        argv[1], a, argv[1], argv[1]);
            else
                fprintf(stderr, "netsurv %s: unknown option '%s' (netsurv %s --help)\n", argv[1],
                        a, argv[1]);
            return 2;
        }
        if (!strcmp(a, "-n") || !strcmp(a, "--patients")) {
            if (number_option(a, v, 1, NS_MAX_PATIENTS, &o->n))
                return 2;
            o->n_given = 1;
            i++;
        } else if (!strcmp(a, "--seed")) {
            if (number_option(a, v, 0, UINT64_MAX, &o->seed))
                return 2;
            o->seed_given = 1;
            i++;
        } else if (!strcmp(a, "--threads")) {
            if (number_option(a, v, 1, 4096, &x))
                return 2;
            o->threads = (int)x;
            i++;
        } else if (!strcmp(a, "--set")) {
            if (!v) {
                fprintf(stderr, "netsurv: --set needs path.to.key=value\n");
                return 2;
            }
            if (o->n_sets >= MAX_SETS) {
                fprintf(stderr, "netsurv: at most %d --set options on one command line\n",
                        MAX_SETS);
                return 2;
            }
            o->sets[o->n_sets++] = v;
            i++;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!v || !*v) {
                fprintf(stderr, "netsurv: %s needs a file name\n", a);
                return 2;
            }
            o->output = v;
            i++;
        } else if (!strcmp(a, "--force")) {
            o->force = 1;
        } else if (!strcmp(a, "--per-patient")) {
            o->per_patient = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--psa")) {
            if (number_option(a, v, 1, 1000000, &x))
                return 2;
            o->psa = (int)x;
            i++;
        } else if (!strcmp(a, "--voi")) {
            o->voi = 1;
        } else if (!strcmp(a, "--owsa")) {
            o->owsa = 1;
        } else if (!strcmp(a, "--peak-memory")) {
            o->peak_memory = 1;
        } else if (!strcmp(a, "--resume")) {
            o->resume = 1;
        } else if (!strcmp(a, "--sweep")) {
            if (!v) {
                fprintf(stderr, "netsurv: --sweep needs a file\n");
                return 2;
            }
            o->sweep = v;
            i++;
        } else if (!strcmp(a, "--space") || !strcmp(a, "--policy")) {
            if (!v || !*v) {
                fprintf(stderr, "netsurv: %s needs a file\n", a);
                return 2;
            }
            *(a[2] == 's' ? &o->space : &o->policy) = v;
            i++;
        } else if (!strcmp(a, "--no-screen")) {
            o->no_screen = 1;
        } else if (!strcmp(a, "--optimize")) {
            o->optimize = 1;
        } else if (!strcmp(a, "--series")) {
            if (!v) {
                fprintf(stderr, "netsurv: --series needs a file\n");
                return 2;
            }
            o->series = v;
            i++;
        } else if (!strcmp(a, "--posterior")) {
            if (!v) {
                fprintf(stderr, "netsurv: --posterior needs a calibration file\n");
                return 2;
            }
            o->posterior = v;
            i++;
        } else if (!strcmp(a, "--check")) {
            o->check = 1;
        } else if (!strcmp(a, "--shard")) {
            const char *slash = v ? strchr(v, '/') : NULL;
            char kbuf[32];
            uint64_t k = 0, n = 0;
            int rk = -1, rn = -1;
            if (slash && (size_t)(slash - v) < sizeof kbuf) {
                snprintf(kbuf, sizeof kbuf, "%.*s", (int)(slash - v), v);
                rk = strspn(kbuf, "0123456789") == strlen(kbuf) ? parse_u64(kbuf, UINT64_MAX, &k)
                                                                : -1;
                rn = strspn(slash + 1, "0123456789") == strlen(slash + 1)
                         ? parse_u64(slash + 1, UINT64_MAX, &n) : -1;
            }
            if (rk == -2 || rn == -2 || (!rk && !rn && n > NS_MAX_SHARDS)) {
                fprintf(stderr, "netsurv: --shard %s: N is out of range (at most %d shards)\n",
                        v, NS_MAX_SHARDS);
                return 2;
            }
            if (rk || rn || n < 1 || k < 1 || k > n) {
                fprintf(stderr, "netsurv: --shard needs K/N with 1 <= K <= N, not '%s'\n",
                        v ? v : "");
                return 2;
            }
            o->shard_k = (int)k - 1;
            o->shard_n = (int)n;
            i++;
        } else if (!strcmp(a, "--compression")) {
            if (number_option(a, v, 0, 12, &x))
                return 2;
            o->compression = (int)x;
            i++;
        } else if (!strcmp(a, "--shard-wait")) {
            if (number_option(a, v, 1, 31536000, &x))
                return 2;
            o->shard_wait = (double)x;
            i++;
        } else if (!strcmp(a, "--memory")) {
            o->memory = 1;
        } else if (!strcmp(a, "--csv")) {
            o->csv = 1;
        } else if (!strcmp(a, "--strict")) {
            o->strict = 1;
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            fprintf(stderr, "netsurv: unexpected argument '%s'\n", a);
            return 2;
        }
    }
    if (!o->scenario)
        o->scenario = ns_cli_default_scenario();
    ns_h5_set_patient_compression(o->compression);
    return 0;
}
