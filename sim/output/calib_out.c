/* The calibration file (output/calib_out.h). */
#include "netsurv/output/calib_out.h"
#include "h5util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int provenance(hid_t f, const ns_calib_report *rep)
{
    char created[32], hv[32];
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    snprintf(hv, sizeof hv, "%u.%u.%u", maj, min, rel);
    ns__h5_utc_now(created);
    int rc = ns__h5_attr_str(f, "netsurv_version", NETSURV_VERSION) |
             ns__h5_attr_str(f, "git_revision", NETSURV_GIT_REVISION) |
             ns__h5_attr_u64(f, "seed", rep->seed) |
             ns__h5_attr_str(f, "command_line", rep->command_line ? rep->command_line : "") |
             ns__h5_attr_str(f, "created", created) | ns__h5_attr_str(f, "hdf5_version", hv) |
             ns__h5_attr_str(f, "compiler", __VERSION__) |
             ns__h5_attr_str(f, "method", "IMIS (incremental mixture importance sampling)") |
             ns__h5_attr_u64(f, "virtual_patients_per_series", rep->c->virtual_patients) |
             ns__h5_attr_f64(f, "wall_seconds", rep->wall_seconds) |
             ns__h5_attr_str(f, "scenario_path", rep->s->path ? rep->s->path : "") |
             ns__h5_attr_str(f, "series_path", rep->c->path);
    rc |= ns__h5_write_text(f, "scenario", rep->s->text ? rep->s->text : "",
                            "the scenario file's text");
    rc |= ns__h5_write_text(f, "series_file", rep->c->text, "the calibration series file's text");
    return rc;
}

/* /posterior: the weighted points and each parameter's summary. */
static int posterior(hid_t f, const ns_calib_report *rep)
{
    const ns_imis_result *r = rep->r;
    const ns_calibration *c = rep->c;
    int d = r->d, rc = 0;
    hid_t g = H5Gcreate2(f, "posterior", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    const char *names[NS_MAX_CALIB_PARAMS];
    double base[NS_MAX_CALIB_PARAMS], mean[NS_MAX_CALIB_PARAMS], q[3][NS_MAX_CALIB_PARAMS];
    for (int j = 0; j < d; j++) {
        names[j] = c->param_path[j];
        base[j] = *(const double *)((const char *)rep->s + rep->s->param[c->param[j]].offset);
        mean[j] = 0;
        for (int i = 0; i < r->n; i++)
            mean[j] += r->weight[i] * r->theta[(size_t)i * d + j];
        static const double p[3] = {0.025, 0.5, 0.975};
        for (int k = 0; k < 3; k++)
            q[k][j] = ns_weighted_quantile(r->theta + j, d, r->weight, r->n, p[k]);
    }
    hsize_t nd[2] = {(hsize_t)r->n, (hsize_t)d}, dd = (hsize_t)d, nn = (hsize_t)r->n;
    rc |= ns__h5_write_strings(g, "parameter", names, dd, "calibrated parameters (scenario paths)");
    rc |= ns__h5_write_f64(NULL, g, "theta", 2, nd, r->theta,
                           "every point the sampler ran [point, parameter]", "parameter units");
    rc |= ns__h5_write_f64(NULL, g, "weight", 1, &nn, r->weight,
                           "importance weight of each point: the posterior sample (adds up to 1)",
                           "1");
    rc |= ns__h5_write_f64(NULL, g, "loglik", 1, &nn, r->loglik,
                           "log-likelihood of every series at the point", "log probability");
    rc |= ns__h5_write_f64(NULL, g, "log_prior", 1, &nn, r->log_prior,
                           "log prior density on the sampler's scale (log for gamma and "
                           "lognormal, logit for beta and uniform)", "log density");
    rc |= ns__h5_write_i32(NULL, g, "iteration", nn, r->iteration,
                           "0: drawn from the prior; k: added by IMIS iteration k", NULL);
    rc |= ns__h5_write_f64(NULL, g, "scenario_value", 1, &dd, base,
                           "the parameter's value in the scenario", "parameter units");
    rc |= ns__h5_write_f64(NULL, g, "mean", 1, &dd, mean, "posterior mean", "parameter units");
    rc |= ns__h5_write_f64(NULL, g, "q025", 1, &dd, q[0], "posterior 2.5 % quantile",
                           "parameter units");
    rc |= ns__h5_write_f64(NULL, g, "median", 1, &dd, q[1], "posterior median", "parameter units");
    rc |= ns__h5_write_f64(NULL, g, "q975", 1, &dd, q[2], "posterior 97.5 % quantile",
                           "parameter units");
    H5Gclose(g);
    return rc;
}

/* What target t counts (its name after "series/", and its measure). */
static void describe(const ns_series *x, int type, char *name, size_t len, const char **what)
{
    if (type >= NS_TARGET_SURVIVAL) {
        int g = type - NS_TARGET_SURVIVAL;
        snprintf(name, len, "%s/survival_%s", x->name, ns_surv_group_name[g]);
        *what = g == NS_SURV_FOUND ? "cancer-specific survival, metastasis found by staging at "
                                     "time 0 (effective cancer deaths)"
                                   : "cancer-specific survival, no metastasis found by staging "
                                     "at time 0 (effective cancer deaths)";
        return;
    }
    snprintf(name, len, "%s/%s", x->name, ns_event_name[type]);
    *what = x->measure == NS_MEASURE_AT_RESECTION ? "present at resection"
            : x->measure == NS_MEASURE_AT_STAGING ? "found by staging at time 0"
            : x->n_times[type] ? "found in follow-up, at the reported times"
                               : "found in follow-up";
}

/* /targets: each series' reported event type, published and simulated;
 * survival targets as effective cancer deaths, and as survival shares in
 * the survival_* datasets (NaN for event targets). */
static int targets(hid_t f, const ns_calib_report *rep)
{
    const ns_imis_result *r = rep->r;
    int T = rep->n_targets, rc = 0;
    hid_t g = H5Gcreate2(f, "targets", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    char **names = calloc((size_t)T + 1, sizeof *names);
    const char **src = calloc((size_t)T + 1, sizeof *src);
    const char **what = calloc((size_t)T + 1, sizeof *what);
    double *buf = calloc((size_t)T * 10 + 1, sizeof *buf);
    if (g < 0 || !names || !src || !what || !buf)
        rc = -1;
    for (int t = 0; t < T && !rc; t++) {
        const ns_series *x = &rep->c->series[rep->target[t].series];
        int type = rep->target[t].type, sg = type - NS_TARGET_SURVIVAL;
        names[t] = malloc(NS_NAME_LEN + 24);
        if (!names[t]) {
            rc = -1;
            break;
        }
        describe(x, type, names[t], NS_NAME_LEN + 24, &what[t]);
        src[t] = sg >= 0 ? x->surv_source[sg] : x->source;
        double n = sg >= 0 ? x->surv_patients[sg] : x->n_patients;
        buf[t] = n;
        buf[T + t] = sg >= 0 ? n * (1 - x->surv_value[sg]) : x->events[type];
        double m = 0;
        for (int i = 0; i < r->n; i++)
            m += r->weight[i] * r->extra[(size_t)i * T + t];
        buf[2 * T + t] = m;
        buf[3 * T + t] = ns_weighted_quantile(r->extra + t, T, r->weight, r->n, 0.025);
        buf[4 * T + t] = ns_weighted_quantile(r->extra + t, T, r->weight, r->n, 0.975);
        buf[5 * T + t] = sg >= 0 ? x->surv_months : NAN;
        buf[6 * T + t] = sg >= 0 ? x->surv_value[sg] : NAN;
        buf[7 * T + t] = sg >= 0 ? 1 - m / n : NAN;
        buf[8 * T + t] = sg >= 0 ? 1 - buf[4 * T + t] / n : NAN; /* the deaths' 97.5 % */
        buf[9 * T + t] = sg >= 0 ? 1 - buf[3 * T + t] / n : NAN;
    }
    hsize_t n = (hsize_t)T;
    if (!rc) {
        rc |= ns__h5_write_strings(g, "name", (const char *const *)names, n, "series/event type");
        rc |= ns__h5_write_strings(g, "source", src, n, "the series' source");
        rc |= ns__h5_write_strings(g, "measure", what, n, "what the target counts");
        rc |= ns__h5_write_f64(NULL, g, "patients", 1, &n, buf, "patients in the series "
                               "(survival: the group's effective sample size)", "patients");
        rc |= ns__h5_write_f64(NULL, g, "observed", 1, &n, buf + T, "published events "
                               "(survival: effective cancer deaths patients x (1 - survival))",
                               "patients with the event");
        rc |= ns__h5_write_f64(NULL, g, "expected_mean", 1, &n, buf + 2 * T,
                               "simulated expected events (patients x found share), posterior "
                               "mean", "patients with the event");
        rc |= ns__h5_write_f64(NULL, g, "expected_q025", 1, &n, buf + 3 * T,
                               "simulated expected events, posterior 2.5 % quantile",
                               "patients with the event");
        rc |= ns__h5_write_f64(NULL, g, "expected_q975", 1, &n, buf + 4 * T,
                               "simulated expected events, posterior 97.5 % quantile",
                               "patients with the event");
        hsize_t nt[2] = {(hsize_t)r->n, n};
        rc |= ns__h5_write_f64(NULL, g, "expected_by_point", 2, nt, r->extra,
                               "simulated expected events at every point [point, target]",
                               "patients with the event");
        rc |= ns__h5_write_f64(NULL, g, "survival_months", 1, &n, buf + 5 * T,
                               "survival targets: the time of the survival (NaN: an event "
                               "target)", "months");
        rc |= ns__h5_write_f64(NULL, g, "survival_published", 1, &n, buf + 6 * T,
                               "survival targets: the published cancer-specific survival (NaN: "
                               "an event target)", "1");
        rc |= ns__h5_write_f64(NULL, g, "survival_mean", 1, &n, buf + 7 * T,
                               "survival targets: simulated cancer-specific survival, posterior "
                               "mean (NaN: an event target)", "1");
        rc |= ns__h5_write_f64(NULL, g, "survival_q025", 1, &n, buf + 8 * T,
                               "survival targets: simulated survival, posterior 2.5 % quantile",
                               "1");
        rc |= ns__h5_write_f64(NULL, g, "survival_q975", 1, &n, buf + 9 * T,
                               "survival targets: simulated survival, posterior 97.5 % quantile",
                               "1");
    }
    for (int t = 0; names && t < T; t++)
        free(names[t]);
    free(names);
    free(src);
    free(what);
    free(buf);
    if (g >= 0)
        H5Gclose(g);
    return rc;
}

static int diagnostics(hid_t f, const ns_calib_report *rep)
{
    const ns_imis_result *r = rep->r;
    hid_t g = H5Gcreate2(f, "diagnostics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    hsize_t k = (hsize_t)r->n_iter;
    int rc = ns__h5_write_f64(NULL, g, "ess", 1, &k, r->ess,
                              "effective sample size 1 / sum(w^2) after each iteration (0: the "
                              "prior sample)", "points");
    rc |= ns__h5_write_f64(NULL, g, "max_weight", 1, &k, r->max_weight,
                           "largest importance weight after each iteration", "1");
    rc |= ns__h5_write_f64(NULL, g, "log_evidence", 1, &k, r->log_evidence,
                           "log of the mean unnormalised weight: the marginal likelihood "
                           "estimate", "log probability");
    rc |= ns__h5_write_i32(NULL, g, "n_points", k, r->n_points,
                           "points after each iteration", NULL);
    rc |= ns__h5_attr_f64(g, "final_ess", r->n_iter ? r->ess[r->n_iter - 1] : 0);
    H5Gclose(g);
    return rc;
}

int ns_calib_write(const char *path, const ns_calib_report *rep, char *err, size_t errlen)
{
    hid_t f = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, errlen, "%s: cannot create the file", path);
        return -1;
    }
    int rc = provenance(f, rep) | posterior(f, rep) | targets(f, rep) | diagnostics(f, rep);
    if (H5Fclose(f) < 0)
        rc = -1;
    if (rc)
        snprintf(err, errlen, "%s: writing the calibration failed", path);
    return rc ? -1 : 0;
}

/* A 1- or 2-dimensional float64 dataset: its values (malloc'd) and dims. */
static double *read_f64(hid_t f, const char *name, int rank, hsize_t *dims)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
        return NULL;
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), sp = d >= 0 ? H5Dget_space(d) : -1;
    double *v = NULL;
    if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == rank &&
        H5Sget_simple_extent_dims(sp, dims, NULL) == rank) {
        hsize_t n = rank == 2 ? dims[0] * dims[1] : dims[0];
        if (n > 0 && n < ((hsize_t)1 << 32) && (v = malloc(sizeof *v * n)) &&
            H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
            free(v);
            v = NULL;
        }
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return v;
}

int ns_calib_read_posterior(const char *path, const ns_scenario *s, ns_posterior *out, char *err,
                            size_t errlen)
{
    memset(out, 0, sizeof *out);
    ns__h5_init();
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, errlen, "%s: not an HDF5 file netsurv can read", path);
        return -1;
    }
    hsize_t td[2] = {0, 0}, wd[1] = {0};
    int rc = 0;
    const char *why = NULL;
    if (H5Lexists(f, "posterior", H5P_DEFAULT) <= 0) {
        why = "holds no /posterior (not a file of netsurv calibrate)";
    } else {
        out->theta = read_f64(f, "posterior/theta", 2, td);
        out->weight = read_f64(f, "posterior/weight", 1, wd);
        if (!out->theta || !out->weight || td[0] != wd[0] || td[1] < 1 ||
            td[1] > NS_MAX_POSTERIOR_PARAMS)
            why = "/posterior/theta and /posterior/weight are missing or do not fit together";
    }
    if (!why) {
        out->n = (int)td[0], out->d = (int)td[1];
        hid_t d = H5Dopen2(f, "posterior/parameter", H5P_DEFAULT);
        hid_t sp = d >= 0 ? H5Dget_space(d) : -1, t = ns__h5_str_type();
        char **v = calloc((size_t)out->d, sizeof *v);
        if (!v || sp < 0 || H5Sget_simple_extent_npoints(sp) != (hssize_t)out->d ||
            H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
            why = "/posterior/parameter is missing or has the wrong length";
        for (int j = 0; !why && j < out->d; j++) {
            out->param[j] = -1;
            for (int i = 0; i < s->n_params && v[j]; i++)
                if (!strcmp(s->param[i].path, v[j]))
                    out->param[j] = i;
            if (out->param[j] < 0) {
                snprintf(err, errlen, "%s: calibrated parameter '%s' is not a parameter of %s",
                         path, v[j] ? v[j] : "?", s->path);
                rc = -1;
                break;
            }
        }
        if (v && sp >= 0 && !why)
            H5Dvlen_reclaim(t, sp, H5P_DEFAULT, v);
        free(v);
        H5Tclose(t);
        if (sp >= 0)
            H5Sclose(sp);
        if (d >= 0)
            H5Dclose(d);
    }
    for (size_t i = 0; !why && !rc && i < (size_t)out->n * out->d; i++)
        if (!isfinite(out->theta[i]))
            why = "a posterior point is not finite";
    if (!why && !rc && ns_posterior_prepare(out))
        why = "the posterior weights are negative, not finite or do not add up to 1";
    H5Fclose(f);
    if (why) {
        snprintf(err, errlen, "%s: %s", path, why);
        rc = -1;
    }
    if (rc)
        ns_posterior_free(out);
    else if (!(out->path = strdup(path))) {
        snprintf(err, errlen, "out of memory");
        ns_posterior_free(out);
        rc = -1;
    }
    return rc;
}

int ns_h5_note_posterior(ns_h5 *h, const ns_posterior *post)
{
    hid_t g = H5Gopen2(h->file, "psa", H5P_DEFAULT);
    if (g < 0)
        return -1;
    char names[4096] = "";
    for (int j = 0; j < post->d; j++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", j ? "," : "",
                 h->s->param[post->param[j]].path);
    int rc = ns__h5_attr_str(g, "posterior", post->path ? post->path : "") |
             ns__h5_attr_str(g, "posterior_parameters", names) |
             ns__h5_attr_u64(g, "posterior_points", (uint64_t)post->n) |
             ns__h5_attr_str(g, "draws", "calibrated parameters jointly from the posterior "
                                         "(a point drawn by its weight), the others from their "
                                         "psa: priors");
    H5Gclose(g);
    h->failed |= rc != 0;
    return rc ? -1 : 0;
}
