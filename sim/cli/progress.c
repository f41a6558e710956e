/* Progress of long commands on stderr: a redrawn line on a terminal, a
 * line every few seconds off one (progress.h). */
#include "progress.h"
#include "common.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_INTERVAL 20.0 /* seconds between lines in a log */

/* NETSURV_PROGRESS_INTERVAL in seconds (0.05 to 3600), else the default. */
static double interval_from_env(void)
{
    const char *v = getenv("NETSURV_PROGRESS_INTERVAL");
    char *end;
    double x = v ? strtod(v, &end) : 0;
    if (!v || !*v || *end || !(x >= 0.05 && x <= 3600)) {
        if (v && *v)
            fprintf(stderr, "netsurv: NETSURV_PROGRESS_INTERVAL=%s is not 0.05 to 3600 seconds; "
                            "using %g\n", v, DEFAULT_INTERVAL);
        return DEFAULT_INTERVAL;
    }
    return x;
}

static void clock_text(char *buf, size_t len, double s)
{
    long t = s > 0 && s < 1e9 ? lround(s) : 0;
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%02ld:%02ld", t / 60, t % 60);
}

/* The state as one line, without newline (under the lock). */
static void format(ns_cli_progress_state *p, double now, int bar)
{
    double el = now - p->phase_start, rate = el > 0 ? (double)p->done / el : 0;
    double left = rate > 0 ? (double)(p->total - p->done) / rate : 0;
    char eltxt[32], lefttxt[32], bartxt[40] = "", speed[64] = "";
    clock_text(eltxt, sizeof eltxt, now - p->start);
    clock_text(lefttxt, sizeof lefttxt, left);
    if (!p->total) { /* a phase that reports no steps (a shard): alive */
        snprintf(p->line, sizeof p->line, "%s: %s, %s elapsed", p->label, p->what, eltxt);
        return;
    }
    if (bar) {
        int width = 24, fill = (int)((double)width * (double)p->done / (double)p->total);
        for (int i = 0; i < width; i++)
            bartxt[i] = i < fill ? '#' : '.';
        bartxt[width] = ' ';
        bartxt[width + 1] = '\0';
    }
    int patients = !strcmp(p->what, "patients"), sweep = !strcmp(p->what, "sweep");
    const char *unit = patients ? "patients" : sweep ? "points" : !strcmp(p->what, "PSA") ? "draws"
                       : !strcmp(p->what, "OWSA") ? "parameters" : "steps";
    if (patients)
        snprintf(speed, sizeof speed, "%.2fM patients/s", rate / 1e6);
    else if (sweep && p->patients_per_step)
        snprintf(speed, sizeof speed, "%.2fM patients/s", rate * (double)p->patients_per_step / 1e6);
    else
        snprintf(speed, sizeof speed, "%.2f %s/s", rate, unit);
    if (!p->done)
        snprintf(lefttxt, sizeof lefttxt, "--:--");
    snprintf(p->line, sizeof p->line, "%s: %s %s%llu/%llu %s (%.1f %%), %s, %s elapsed, %s left",
             p->label, p->what, bartxt, (unsigned long long)p->done, (unsigned long long)p->total,
             unit, 100.0 * (double)p->done / (double)p->total, speed, eltxt,
             p->done == p->total ? "00:00" : lefttxt);
}

/* The line, cut to the terminal's width: a longer one would wrap, and \r
 * would go back to its last row only. */
static void put_line(const ns_cli_progress_state *p)
{
    struct winsize ws;
    int cols = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col : 80;
    fprintf(stderr, "%.*s", cols - 1, p->line);
}

static void draw(ns_cli_progress_state *p, double now)
{
    format(p, now, 1);
    fputs("\r\033[K", stderr);
    put_line(p);
    fflush(stderr);
    p->drawn = 1;
    p->last_draw = now;
}

static void clear_line(ns_cli_progress_state *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = 0;
    }
}

static void log_line(ns_cli_progress_state *p, double now)
{
    format(p, now, 0);
    fprintf(stderr, "%s\n", p->line);
    fflush(stderr);
    p->last_draw = now;
}

/* Off a terminal: a line whenever `interval` passed without one. */
static void *heartbeat(void *arg)
{
    ns_cli_progress_state *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        double due = p->last_draw + p->interval, now = ns_cli_now();
        if (now >= due) {
            log_line(p, now);
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double wait = due - now, s = floor(wait);
        ts.tv_sec += (time_t)s;
        ts.tv_nsec += (long)((wait - s) * 1e9);
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->wake, &p->lock, &ts);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void ns_cli_progress_init(ns_cli_progress_state *p, const char *label, int quiet,
                          uint64_t patients_per_point)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->start = p->phase_start = p->last_draw = ns_cli_now();
    p->label = label;
    p->what = "starting";
    p->tty = !quiet && isatty(2);
    p->log = !quiet && !p->tty;
    p->interval = p->log ? interval_from_env() : DEFAULT_INTERVAL;
    p->patients_per_step = patients_per_point;
    if (p->log && pthread_create(&p->thread, NULL, heartbeat, p) == 0)
        p->thread_on = 1;
}

void ns_cli_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    ns_cli_progress_state *p = ctx;
    if (!p->tty && !p->log)
        return;
    pthread_mutex_lock(&p->lock);
    double now = ns_cli_now();
    if (done == 0) { /* a phase begins */
        p->phase_start = now;
        p->what = phase;
    }
    p->done = done;
    p->total = total;
    int end = total && done == total;
    if (p->tty && (end || done == 0 || strcmp(phase, "patients") || now - p->last_draw >= 0.1))
        draw(p, now);
    else if (p->log && end)
        log_line(p, now); /* a phase ended: said at once */
    pthread_mutex_unlock(&p->lock);
}

void ns_cli_progress_print(ns_cli_progress_state *p, FILE *f, const char *fmt, ...)
{
    pthread_mutex_lock(&p->lock);
    int redraw = p->drawn;
    clear_line(p);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fflush(f);
    if (redraw) {
        put_line(p);
        fflush(stderr);
        p->drawn = 1;
    }
    pthread_mutex_unlock(&p->lock);
}

void ns_cli_progress_end(ns_cli_progress_state *p)
{
    if (p->ended)
        return;
    p->ended = 1;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_signal(&p->wake);
    clear_line(p);
    pthread_mutex_unlock(&p->lock);
    if (p->thread_on)
        pthread_join(p->thread, NULL);
    p->thread_on = 0;
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
}
