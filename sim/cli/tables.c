/* The tables `netsurv run` prints at the end of a run, and the ICER table
 * in dampack's layout that `netsurv icer` prints. */
#include "tables.h"
#include "netsurv/engine/econ.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The per-strategy table at the end of a run. */
void ns_cli_print_run_table(const ns_scenario *s, const ns_strategy_tally *t)
{
    printf("%-24s %8s %8s %8s %7s %10s %10s %7s %6s %7s\n", "strategy", "mets", "surveil.",
           "missed", "delay", "cost", "cost(disc)", "tests", "FP", "mSv");
    for (int k = 0; k < s->n_strategies; k++) {
        double delay, cost, costd, tests, fp, rad, lo, hi;
        ns_acc_mean(&t[k].detection_delay, &delay, &lo, &hi);
        ns_acc_mean(&t[k].cost, &cost, &lo, &hi);
        ns_acc_mean(&t[k].cost_discounted, &costd, &lo, &hi);
        ns_acc_mean(&t[k].tests, &tests, &lo, &hi);
        ns_acc_mean(&t[k].false_positives, &fp, &lo, &hi);
        ns_acc_mean(&t[k].radiation_msv, &rad, &lo, &hi);
        printf("%-24s %8llu %8llu %8llu %7.2f %10.0f %10.0f %7.2f %6.3f %7.2f\n",
               s->strategy[k].name, (unsigned long long)t[k].n_metastases,
               (unsigned long long)t[k].n_route[NS_ROUTE_SURVEILLANCE],
               (unsigned long long)t[k].n_missed, delay, cost, costd, tests, fp, rad);
    }
    printf("mets: metastases detectable while alive; surveil.: found by surveillance; delay: "
           "mean years from detectable to found; cost in %s per patient (%d prices)\n",
           s->econ.currency, s->econ.price_year);
}

void ns_cli_print_outcome_table(const ns_scenario *s, const ns_strategy_tally *t)
{
    printf("\n%-24s %8s %8s %8s %8s %8s %8s %9s\n", "strategy", "found", "resect.", "cured",
           "overdx", "met.dead", "op.dead", "LY(disc)");
    for (int k = 0; k < s->n_strategies; k++) {
        double ly, lo, hi;
        uint64_t found = t[k].n_metastases - t[k].n_route[NS_ROUTE_NEVER];
        ns_acc_mean(&t[k].ly_discounted, &ly, &lo, &hi);
        printf("%-24s %8llu %8llu %8llu %8llu %8llu %8llu %9.4f\n", s->strategy[k].name,
               (unsigned long long)found, (unsigned long long)t[k].n_resectable,
               (unsigned long long)t[k].n_cured, (unsigned long long)t[k].n_overdiagnosed,
               (unsigned long long)t[k].n_metastasis_deaths,
               (unsigned long long)(t[k].n_surgery_deaths + t[k].n_operative_deaths), ly);
    }
    printf("found: metastases found in life, any route; overdx: found by surveillance, would not "
           "have presented in life; met.dead: deaths from the metastasis; op.dead: deaths from "
           "surgery (time 0 or metastasis)\n");
}

void ns_cli_print_qaly_parts(const ns_scenario *s, const ns_strategy_tally *t)
{
    double base[NS_NQPARTS], lo, hi;
    for (int q = 0; q < NS_NQPARTS; q++)
        ns_acc_mean(&t[0].qaly_part[q], &base[q], &lo, &hi);
    printf("\nDiscounted QALYs per patient against %s, by part (milli-QALYs)\n%-24s %9s",
           s->strategy[0].name, "strategy", "total");
    for (int q = 0; q < NS_NQPARTS; q++)
        printf(" %11.11s", ns_qaly_part_name[q]);
    printf("\n");
    for (int k = 1; k < s->n_strategies; k++) {
        double sum = 0, v[NS_NQPARTS];
        for (int q = 0; q < NS_NQPARTS; q++) {
            ns_acc_mean(&t[k].qaly_part[q], &v[q], &lo, &hi);
            sum += v[q] - base[q];
        }
        printf("%-24s %9.2f", s->strategy[k].name, 1000 * sum);
        for (int q = 0; q < NS_NQPARTS; q++)
            printf(" %11.2f", 1000 * (v[q] - base[q]));
        printf("\n");
    }
    printf("well, undiagnosed_metastatic, after_resection, metastatic: life in each state; "
           "tests, treatment_harms: losses\n");
}

/* The incremental analysis at the end of a run. */
void ns_cli_print_icer_table(const ns_scenario *s, const double *cost, const double *effect)
{
    ns_icer_table t;
    if (ns_econ_icers(cost, effect, s->n_strategies, &t))
        return;
    printf("\nIncremental analysis (discounted; frontier strategies compared with the previous "
           "one; cost (%s %d), ICER %s per QALY)\n%-24s %10s %9s %10s %9s %12s %11s  %s\n",
           s->econ.currency, s->econ.price_year, s->econ.currency, "strategy", "cost", "QALYs",
           "inc.cost", "inc.QALY", "ICER", "NMB", "status");
    for (int j = 0; j < s->n_strategies; j++) {
        int k = t.order[j];
        double nmb = s->econ.wtp * effect[k] - cost[k];
        printf("%-24s %10.0f %9.4f ", s->strategy[k].name, cost[k], effect[k]);
        if (isnan(t.inc_cost[k]))
            printf("%10s %9s %12s", "", "", "");
        else
            printf("%10.0f %9.4f %12.0f", t.inc_cost[k], t.inc_effect[k], t.icer[k]);
        printf(" %11.0f  %s\n", nmb, ns_econ_status_name[t.status[k]]);
    }
    printf("NMB at %.0f %s per QALY; costs in %s, %d prices\n", s->econ.wtp, s->econ.currency,
           s->econ.currency, s->econ.price_year);
}

/* v as text: NA for NaN, Inf / -Inf, else the shortest %.Ng (N from 15 to
 * 17) that reads back to v when exact, or %.7g. */
static void format_number(char *buf, size_t len, double v, int exact)
{
    if (isnan(v))
        snprintf(buf, len, "NA");
    else if (isinf(v))
        snprintf(buf, len, v > 0 ? "Inf" : "-Inf");
    else if (!exact)
        snprintf(buf, len, "%.7g", v);
    else
        for (int digits = 15; digits <= 17; digits++) {
            snprintf(buf, len, "%.*g", digits, v);
            if (strtod(buf, NULL) == v)
                break;
        }
}

/* name as one CSV field: quoted (quotes doubled) when it holds a comma, a
 * quote, a line break or leading or trailing white space. */
static void put_csv_name(FILE *f, const char *name)
{
    size_t len = strlen(name);
    int quote = strpbrk(name, ",\"\r\n") != NULL ||
                (len && (isspace((unsigned char)name[0]) || isspace((unsigned char)name[len - 1])));
    if (!quote) {
        fputs(name, f);
        return;
    }
    fputc('"', f);
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

enum { DAMPACK_COLS = 7, CELL = 32 };
static const char *const dampack_header[DAMPACK_COLS] = {
    "Strategy", "Cost", "Effect", "Inc_Cost", "Inc_Effect", "ICER", "Status"};

/* The numeric cells (columns 1 .. 5) of strategy s, as text. */
static void dampack_cells(char cell[DAMPACK_COLS][CELL], const double *cost, const double *effect,
                          const ns_icer_table *t, int s, int exact)
{
    format_number(cell[1], CELL, cost[s], exact);
    format_number(cell[2], CELL, effect[s], exact);
    format_number(cell[3], CELL, t->inc_cost[s], exact);
    format_number(cell[4], CELL, t->inc_effect[s], exact);
    format_number(cell[5], CELL, t->icer[s], exact);
}

int ns_cli_print_dampack_table(FILE *f, const char *const *names, const double *cost,
                               const double *effect, int n, const ns_icer_table *t, int csv)
{
    int rows[NS_ECON_MAX], width[DAMPACK_COLS];
    char cell[DAMPACK_COLS][CELL];
    if (n < 1 || n > NS_ECON_MAX)
        return -1;
    ns_econ_dampack_rows(t, n, rows);
    for (int c = 0; c < DAMPACK_COLS; c++)
        width[c] = (int)strlen(dampack_header[c]);
    for (int r = 0; r < n && !csv; r++) {
        int s = rows[r], w = (int)strlen(names[s]);
        dampack_cells(cell, cost, effect, t, s, 0);
        width[0] = w > width[0] ? w : width[0];
        for (int c = 1; c < 6; c++)
            if ((int)strlen(cell[c]) > width[c])
                width[c] = (int)strlen(cell[c]);
        w = (int)strlen(ns_econ_status_code[t->status[s]]);
        width[6] = w > width[6] ? w : width[6];
    }
    for (int c = 0; c < DAMPACK_COLS; c++) {
        if (csv)
            fprintf(f, c ? ",%s" : "%s", dampack_header[c]);
        else
            fprintf(f, c ? " %*s" : "%-*s", width[c], dampack_header[c]);
    }
    fputc('\n', f);
    for (int r = 0; r < n; r++) {
        int s = rows[r];
        const char *status = ns_econ_status_code[t->status[s]];
        dampack_cells(cell, cost, effect, t, s, csv);
        if (csv) {
            put_csv_name(f, names[s]);
            fprintf(f, ",%s,%s,%s,%s,%s,%s\n", cell[1], cell[2], cell[3], cell[4], cell[5],
                    status);
            continue;
        }
        fprintf(f, "%-*s", width[0], names[s]);
        for (int c = 1; c < 6; c++)
            fprintf(f, " %*s", width[c], cell[c]);
        fprintf(f, " %*s\n", width[6], status);
    }
    fflush(f);
    return ferror(f) ? -1 : 0;
}

void ns_cli_print_group_table(const ns_scenario *s, const ns_strategy_tally *t)
{
    int best[NS_MAX_GROUPS], none = -1;
    for (int k = 0; k < s->n_strategies; k++)
        if (none < 0 && s->strategy[k].rule[0].n_visits == 0 && s->strategy[k].n_rules == 1 &&
            s->strategy[k].rule[0].treatment < 0)
            none = k; /* the comparator: a strategy that follows no one */
    if (none < 0)
        none = 0;
    ns_group_best(s, t, s->econ.wtp, best);
    printf("\nBy risk group: the strategy with the highest NMB at %.0f %s per QALY (%d prices), "
           "against %s\n%-31s %6s  %-24s %10s %9s %9s %8s\n", s->econ.wtp, s->econ.currency,
           s->econ.price_year, s->strategy[none].name,
           "group", "share", "best", "NMB gain", "met.dead", "(vs)", "tests");
    for (int g = 0; g < s->n_groups; g++) {
        const ns_strategy_tally *b = best[g] >= 0 ? &t[ns_tally_index(s, best[g], g)] : NULL;
        const ns_strategy_tally *c = &t[ns_tally_index(s, none, g)];
        double cb, eb, cc, ec, tests = NAN, lo, hi;
        if (!b || !c->n_patients) {
            printf("%-31s %6s  (no patients)\n", s->group[g].name, "0");
            continue;
        }
        ns_tally_means(b, &cb, &eb);
        ns_tally_means(c, &cc, &ec);
        ns_acc_mean(&b->tests, &tests, &lo, &hi);
        double per = 1000.0 / (double)c->n_patients, g0 = s->econ.wtp * (eb - ec) - (cb - cc);
        printf("%-31s %5.1f%%  %-24s %10.0f %9.1f %9.1f %8.2f\n", s->group[g].name,
               100.0 * (double)c->n_patients / (double)t[0].n_patients, s->strategy[best[g]].name,
               fabs(g0) < 0.5 ? 0.0 : g0, (double)b->n_metastasis_deaths * per,
               (double)c->n_metastasis_deaths * per, tests);
    }
    ns_strategy_tally comp;
    ns_group_composite(s, t, best, &comp);
    double cp, ep, c0, e0;
    ns_tally_means(&comp, &cp, &ep);
    ns_tally_means(&t[none], &c0, &e0);
    double gain = s->econ.wtp * (ep - e0) - (cp - c0);
    printf("NMB gain: %s per patient of the group over %s; met.dead: metastasis deaths per "
           "1,000 patients under the best strategy and under %s; tests per patient.\n"
           "The composite policy (each group its best): cost %.0f, QALYs %.4f, NMB gain %.0f "
           "per patient over %s (netsurv policy FILE.h5 -o policy.yaml writes it as a "
           "scenario).\n", s->econ.currency, s->strategy[none].name, s->strategy[none].name, cp, ep,
           fabs(gain) < 0.5 ? 0.0 : gain, s->strategy[none].name);
}
