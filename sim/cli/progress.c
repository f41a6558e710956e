/* The progress bar of long commands, on stderr when it is a terminal. */
#include "progress.h"
#include "common.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void ns_cli_progress_init(ns_cli_progress_state *p, int quiet, uint64_t patients_per_point)
{
    memset(p, 0, sizeof *p);
    p->start = ns_cli_now();
    p->tty = !quiet && isatty(2);
    p->what = "patients";
    p->patients_per_step = patients_per_point;
}


void ns_cli_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    ns_cli_progress_state *p = ctx;
    if (done == 0) { /* a phase begins */
        p->start = ns_cli_now();
        p->what = phase;
        return;
    }
    if (!p->tty || total == 0)
        return;
    double el = ns_cli_now() - p->start, rate = el > 0 ? (double)done / el : 0;
    double left = rate > 0 ? (double)(total - done) / rate : 0;
    int width = 30, fill = (int)((double)width * (double)done / (double)total);
    char bar[40];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    if (p->what[0] == 'p')
        fprintf(stderr, "\r[%s] %5.1f%%  %.2fM %s/s  %02d:%02d left ", bar,
                100.0 * (double)done / (double)total, rate / 1e6, p->what, (int)left / 60,
                (int)left % 60);
    else if (p->patients_per_step && !strcmp(p->what, "sweep"))
        fprintf(stderr, "\r%s [%s] %llu/%llu points  %.2fM patients/s  %02d:%02d left ", p->what,
                bar, (unsigned long long)done, (unsigned long long)total,
                rate * (double)p->patients_per_step / 1e6, (int)left / 60, (int)left % 60);
    else
        fprintf(stderr, "\r%-5s [%s] %llu/%llu  %.1f/s  %02d:%02d left ", p->what, bar,
                (unsigned long long)done, (unsigned long long)total, rate, (int)left / 60,
                (int)left % 60);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}
