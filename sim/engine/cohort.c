/* `netsurv cohort`: the drawn cohort by group, against the scenario's targets. */
#include "netsurv/engine/cohort.h"
#include "netsurv/model/history.h"

#include <math.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define BLOCK 65536

/* Adds one patient to every group it belongs to. */
static void tally_patient(const ns_patient *p, ns_cohort_tally *t)
{
    int groups[5] = {NS_GRP_ALL,
                     p->size_mm < 10 ? NS_GRP_SIZE_LT10
                                     : p->size_mm < 20 ? NS_GRP_SIZE_10_20 : NS_GRP_SIZE_GE20,
                     NS_GRP_G1 + p->grade, p->lvi_reported ? NS_GRP_LVI_POS : NS_GRP_LVI_NEG,
                     NS_GRP_R0 + p->margin};
    int met = p->has_metastasis;
    t->n++;
    for (int i = 0; i < 5; i++) {
        ns_group_tally *g = &t->g[groups[i]];
        g->n++;
        g->n_met += met;
        g->n_sync += met && p->synchronous;
        g->n_met_after5 += met && p->onset > 5;
        g->n_met_after10 += met && p->onset > 10;
        g->n_met_dead_before += met && p->death_time < p->onset;
    }
}

static void tally_add(ns_cohort_tally *into, const ns_cohort_tally *t)
{
    into->n += t->n;
    for (int i = 0; i < NS_NGROUPS; i++) {
        into->g[i].n += t->g[i].n;
        into->g[i].n_met += t->g[i].n_met;
        into->g[i].n_sync += t->g[i].n_sync;
        into->g[i].n_met_after5 += t->g[i].n_met_after5;
        into->g[i].n_met_after10 += t->g[i].n_met_after10;
        into->g[i].n_met_dead_before += t->g[i].n_met_dead_before;
    }
}

void ns_cohort_run(const ns_scenario *s, uint64_t seed, uint64_t n, int threads,
                   ns_cohort_tally *out)
{
    memset(out, 0, sizeof *out);
    int64_t nblocks = (int64_t)((n + BLOCK - 1) / BLOCK);
#ifdef _OPENMP
    if (threads <= 0)
        threads = omp_get_max_threads();
#pragma omp parallel num_threads(threads)
#else
    (void)threads;
#endif
    {
        ns_cohort_tally local;
        memset(&local, 0, sizeof local);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (int64_t b = 0; b < nblocks; b++) {
            uint64_t end = (uint64_t)(b + 1) * BLOCK < n ? (uint64_t)(b + 1) * BLOCK : n;
            for (uint64_t i = (uint64_t)b * BLOCK; i < end; i++) {
                ns_patient p;
                ns_history_draw(s, seed, i, &p);
                tally_patient(&p, &local);
            }
        }
        /* integer counts: the sum is the same in any order */
#ifdef _OPENMP
#pragma omp critical
#endif
        tally_add(out, &local);
    }
}

void ns_wilson(uint64_t k, uint64_t n, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    const double z = 1.959963984540054;
    double p = (double)k / (double)n, nn = (double)n;
    double centre = (p + z * z / (2 * nn)) / (1 + z * z / nn);
    double half = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn);
    *lo = centre - half < 0 ? 0 : centre - half;
    *hi = centre + half > 1 ? 1 : centre + half;
}

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : NAN;
}

ns_target_result ns_cohort_target(const ns_scenario *s, const ns_cohort_tally *c, int t)
{
    const ns_target *g = &s->target[t];
    const ns_group_tally *x = &c->g[g->group];
    ns_target_result r;
    switch (g->statistic) {
    case NS_STAT_METASTASIS_RATE: r.value = ratio(x->n_met, x->n); break;
    case NS_STAT_SHARE: r.value = ratio(x->n, c->n); break;
    /* the timing statistics are of metachronous disease: what surfaces after resection */
    case NS_STAT_AFTER5: r.value = ratio(x->n_met_after5, x->n_met - x->n_sync); break;
    case NS_STAT_AFTER10: r.value = ratio(x->n_met_after10, x->n_met - x->n_sync); break;
    case NS_STAT_WITHIN5_RATE:
        r.value = ratio(x->n_met - x->n_sync - x->n_met_after5, x->n);
        break;
    case NS_STAT_SYNCHRONOUS_RATE: r.value = ratio(x->n_sync, x->n); break;
    default:
        r.value = ratio(x->n_met, x->n) / ratio(c->g[g->reference].n_met, c->g[g->reference].n);
        break;
    }
    r.ok = r.value >= g->lo && r.value <= g->hi;
    return r;
}

static const char *const stat_label[] = {"metastasis rate", "share of patients",
                                         "metastases detectable after 5 y",
                                         "metastases detectable after 10 y", "rate ratio",
                                         "detectable within 5 y, per patient",
                                         "synchronous at resection, per patient"};

/* "[lo, hi]", ">= lo" or "<= hi". */
static void format_range(char *buf, size_t len, double lo, double hi)
{
    if (isinf(lo))
        snprintf(buf, len, "<= %.4g", hi);
    else if (isinf(hi))
        snprintf(buf, len, ">= %.4g", lo);
    else
        snprintf(buf, len, "%.4g-%.4g", lo, hi);
}

int ns_cohort_print(FILE *f, const ns_scenario *s, const ns_cohort_tally *c, int csv)
{
    if (csv)
        fprintf(f, "group,n,share,metastasis_rate,metastasis_rate_ci_low,metastasis_rate_ci_high,"
                   "synchronous_rate,detectable_after_5y,detectable_after_10y,"
                   "dead_before_detectable\n");
    else
        fprintf(f, "%-12s %10s %7s %8s %17s %8s %9s %9s %9s\n", "group", "n", "share",
                "met.rate", "95% interval", "synchr.", ">5y", ">10y", "died<det");
    for (int i = 0; i < NS_NGROUPS; i++) {
        const ns_group_tally *g = &c->g[i];
        double lo, hi;
        ns_wilson(g->n_met, g->n, &lo, &hi);
        uint64_t meta = g->n_met - g->n_sync; /* timing: of metachronous disease */
        double v[6] = {ratio(g->n, c->n), ratio(g->n_met, g->n), ratio(g->n_sync, g->n),
                       ratio(g->n_met_after5, meta), ratio(g->n_met_after10, meta),
                       ratio(g->n_met_dead_before, g->n_met)};
        if (csv)
            fprintf(f, "%s,%llu,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", ns_group_label[i],
                    (unsigned long long)g->n, v[0], v[1], lo, hi, v[2], v[3], v[4], v[5]);
        else
            fprintf(f,
                    "%-12s %10llu %6.2f%% %7.2f%% %7.2f%%-%6.2f%% %7.2f%% %8.1f%% %8.1f%% "
                    "%8.1f%%\n",
                    ns_group_label[i], (unsigned long long)g->n, 100 * v[0], 100 * v[1], 100 * lo,
                    100 * hi, 100 * v[2], 100 * v[3], 100 * v[4], 100 * v[5]);
    }
    int missed = 0;
    if (s->n_targets)
        fprintf(f, csv ? "\ntarget,statistic,group,simulated,target_low,target_high,within,source\n"
                       : "\nTargets (* = simulation outside the target)\n");
    for (int t = 0; t < s->n_targets; t++) {
        const ns_target *g = &s->target[t];
        ns_target_result r = ns_cohort_target(s, c, t);
        missed += !r.ok;
        char grp[64], range[64];
        if (g->statistic == NS_STAT_RATE_RATIO)
            snprintf(grp, sizeof grp, "%s/%s", ns_group_label[g->group],
                     ns_group_label[g->reference]);
        else
            snprintf(grp, sizeof grp, "%s", ns_group_label[g->group]);
        format_range(range, sizeof range, g->lo, g->hi);
        if (csv)
            fprintf(f, "%s,%s,%s,%.6f,%.6g,%.6g,%s,\"%s\"\n", g->name, stat_label[g->statistic],
                    grp, r.value, g->lo, g->hi, r.ok ? "yes" : "no", g->source);
        else
            fprintf(f, "%c %-22s %-33s %-12s %9.4f  target %-12s %s\n", r.ok ? ' ' : '*', g->name,
                    stat_label[g->statistic], grp, r.value, range, g->source);
    }
    return missed;
}
