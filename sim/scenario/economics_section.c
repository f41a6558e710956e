/* The utilities: and economics: sections: utilities by state, the
 * willingness to pay and its grid, the currency and price year of every
 * cost, and the population that faces the decision. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "economics_section.h"

/* The defaults of economics.currency and economics.price_year: what the
 * costs of scenarios/default.yaml are (US Medicare fees of 2026). */
#define NS_DEFAULT_CURRENCY "USD"
#define NS_DEFAULT_PRICE_YEAR 2026

/* The `value` node of the documented setting economics.KEY {value, source|
 * assumption} (optional: NULL, no message, when absent). */
static ns_ynode *documented(ld *L, ns_ynode *econ, const char *key, char *path, int *rc)
{
    ns__join(path, "economics", key);
    ns_ynode *m = ns_ymap_get(econ, key);
    if (!m)
        return NULL;
    if (m->kind != NS_Y_MAP) {
        ns__err_at(L, m, path, "expected {value: ..., source: \"...\"} (or assumption:), found %s",
                   ns__kind_name(m->kind));
        *rc = -1;
        return NULL;
    }
    ns_ymap_get(m, "note");
    int bad = ns__why(L, m, path, NULL, 0);
    ns_ynode *v = ns__child(L, m, path, "value", NS_Y_SCALAR, 1);
    if (bad || !v || ns__unknown_here(L, m, path)) {
        *rc = -1;
        return NULL;
    }
    return v;
}

/* economics.currency (ISO 4217: three upper-case letters) and
 * economics.price_year (a whole year, 1900-2100). */
static int load_money(ld *L, ns_ynode *econ, ns_econ_params *e)
{
    char path[PATHLEN], vpath[PATHLEN];
    int rc = 0;
    snprintf(e->currency, sizeof e->currency, "%s", NS_DEFAULT_CURRENCY);
    e->price_year = NS_DEFAULT_PRICE_YEAR;
    ns_ynode *v = documented(L, econ, "currency", path, &rc);
    if (v) {
        const char *t = v->text;
        ns__join(vpath, path, "value");
        if (strlen(t) != 3 || t[0] < 'A' || t[0] > 'Z' || t[1] < 'A' || t[1] > 'Z' || t[2] < 'A' ||
            t[2] > 'Z') {
            ns__err_at(L, v, vpath, "'%.60s' is not an ISO 4217 currency code (three upper-case "
                       "letters, e.g. USD, EUR, GBP)", t);
            rc = -1;
        } else
            memcpy(e->currency, t, 4);
    }
    v = documented(L, econ, "price_year", path, &rc);
    if (v) {
        double y;
        ns__join(vpath, path, "value");
        if (ns__to_number(L, v, vpath, &y))
            rc = -1;
        else if (y != floor(y) || y < 1900 || y > 2100) {
            ns__err_at(L, v, vpath, "%g is not a price year (a whole year in [1900, 2100])", y);
            rc = -1;
        } else
            e->price_year = (int)y;
    }
    return rc;
}

/* Utilities by state, the willingness to pay and the money costs are in. */
int ns__load_economics(ld *L, ns_ynode *root)
{
    ns_econ_params *e = &L->s->econ;
    ns_ynode *n;
    int rc = 0;
    if ((n = ns__child(L, root, "", "utilities", NS_Y_MAP, 1))) {
        rc |= ns__param(L, n, "utilities", "well", &e->u_well, -1, 1);
        rc |= ns__param(L, n, "utilities", "undiagnosed_metastatic", &e->u_occult, -1, 1);
        rc |= ns__param(L, n, "utilities", "metastasis_surgery_qaly_loss", &e->surgery_qaly_loss,
                        0, 1);
        rc |= ns__param(L, n, "utilities", "recovery_years_after_cure", &e->recovery_years, 0, 100);
        rc |= ns__param(L, n, "utilities", "false_positive_qaly_loss", &e->fp_qaly_loss, 0, 1);
        rc |= ns__param(L, n, "utilities", "after_metastasis_resection", &e->u_after_resection,
                        -1, 1);
        rc |= ns__param(L, n, "utilities", "metastatic", &e->u_metastatic, -1, 1);
        rc |= ns__param(L, n, "utilities", "test_disutility_qaly", &e->test_disutility, 0, 1);
    } else
        rc = -1;
    if ((n = ns__child(L, root, "", "economics", NS_Y_MAP, 1))) {
        rc |= ns__param(L, n, "economics", "wtp", &e->wtp, 0, 1e9);
        rc |= ns__param(L, n, "economics", "wtp_grid_max", &e->wtp_max, 1, 1e9);
        rc |= ns__param(L, n, "economics", "wtp_grid_step", &e->wtp_step, 1, 1e9);
        rc |= load_money(L, n, e);
        ns_ynode *pop = ns__child(L, n, "economics", "population", NS_Y_MAP, 0);
        e->has_population = pop != NULL;
        if (pop)
            rc |= ns__param(L, pop, "economics.population", "incidence", &e->pop_incidence, 0,
                            1e9) |
                  ns__param(L, pop, "economics.population", "horizon_years", &e->pop_horizon,
                            0, 200);
        if (!rc && e->wtp_max / e->wtp_step > 1000) {
            ns__err_at(L, n, "economics", "the WTP grid has more than 1000 points");
            rc = -1;
        }
    } else
        rc = -1;
    return rc;
}
