"""The reports of files that hold more than one run, and of several files: a sweep (the points
table, a threshold plot per swept path, then one section per point), a calibration file
(`netsurv calibrate -o`: posterior, fit to every series, IMIS diagnostics), and a side-by-side
comparison of several files (scenarios)."""
import os

import numpy as np

import matplotlib.pyplot as plt

from . import reader
from .figures import OKABE_ITO, comparator_index, money_axis, plot_threshold, save_figure
from .formatting import DASH, breakable, esc, fmt_count, fmt_money, fmt_num, fmt_pct
from .report import (cite_html, figure_html, glossary_html, page, references_html,
                     resolve_options, run_paragraph, run_sections, technical_html)
from .scenario_text import load_scenario, readable_path
from .tables import best_row, icer_rows

TITLE = "Surveillance after endoscopic resection of rectal NETs"


def point_label(run, readable=readable_path):
    """'MRI: cost = 400, ...' for a sweep point."""
    return ", ".join("%s = %g" % (readable(k), v) for k, v in (run.point_values or {}).items())


def write_sweep_report(path, outdir, options=None):
    """report.html of a sweep: the table of points with the best strategy at each, the
    threshold plots, then one section per point; returns the number of figures."""
    os.makedirs(outdir, exist_ok=True)
    runs = reader.read_points(path)
    views = [reader.economics_view(r) for r in runs]
    scenario = load_scenario(runs[0].scenario_text)
    o = resolve_options(runs[0], views[0], scenario, options)
    names, cur = runs[0].strategies, o["currency"]
    values = {k: np.array([r.point_values[k] for r in runs]) for k in runs[0].point_values}
    nmb = np.array([v["nmb"] for v in views], dtype=np.float64)
    wtp = views[0]["wtp"]
    c0 = comparator_index(views[0], o.get("comparator"))
    figs = []
    for a, axis in enumerate(values):
        if len(np.unique(values[axis])) < 2:
            continue
        p = os.path.join(outdir, "threshold_%d.png" % a)
        plot_threshold(names, values, axis, nmb, wtp, p, readable=o["readable"], currency=cur,
                       relative_to=c0)
        figs.append(figure_html(p, "threshold plot for %s" % axis, (
            "Net monetary benefit per patient at %s per QALY of each strategy minus that of %s "
            "at the same point (up), against the value of %s (across), every other swept value "
            "held as the panel says. Where two lines cross, the best strategy changes: that "
            "value is the threshold. The ringed point at each value is the strategy with the "
            "highest NMB. %s"
            % (esc(fmt_money(wtp, currency=cur)), esc(names[c0]), esc(o["readable"](axis)),
               esc(o["money_note"])))))
    head = "".join("<th>%s</th>" % esc(o["readable"](k)) for k in values)
    rows = []
    for r, v in zip(runs, views):
        best = best_row(icer_rows(v, r))
        rows.append('<tr><td class="num"><a href="#point-%d">%d</a></td>%s<td>%s</td>'
                    '<td class="num">%s</td></tr>' % (
                        r.point, r.point, "".join('<td class="num">%g</td>' % r.point_values[k]
                                                  for k in values),
                        esc(best["strategy"]) if best else DASH,
                        esc(fmt_money(best["nmb"], currency=cur)) if best else DASH))
    sec = ["<h1>%s: sweep report</h1><p class=\"sub\">Scenario: %s; %d points</p>"
           % (esc(TITLE), esc(runs[0].attrs.get("scenario_name", "?")), len(runs)),
           "<h2>The run</h2><p>%s</p><p>Each point of the sweep is a full run of the scenario "
           "with the swept values below, on the same patients (common random numbers), so a "
           "difference between points is the effect of the swept values.</p>"
           % run_paragraph(runs[0], scenario, views[0], o),
           '<h2>The points</h2><div class="scroll"><table id="sweep-points"><thead><tr><th>point'
           '</th>%s<th>highest NMB at %s per QALY</th><th>its NMB per patient</th></tr></thead>'
           '<tbody>%s</tbody></table></div>' % (head, esc(fmt_money(wtp, currency=cur)),
                                                "".join(rows)),
           "<h2>Threshold plots</h2>%s" % ("".join(figs) or
                                           '<p class="note">No swept path takes two values.</p>')]
    n = len(figs)
    for r, v in zip(runs, views):
        body, k = run_sections(r, v, scenario, outdir, o, prefix="point%d_" % r.point,
                               compact=True)
        n += k
        sec.append('<section class="point" id="point-%d"><h2 class="point">Point %d: %s</h2>%s'
                   '</section>' % (r.point, r.point, esc(point_label(r, o["readable"])),
                                   "\n".join(b.replace("<h2>", "<h3>").replace("</h2>", "</h3>")
                                             for b in body)))
    sec += [references_html(runs[0].scenario_text), "<h2>Glossary</h2>%s" % glossary_html(),
            technical_html(runs[0], views[0])]
    with open(os.path.join(outdir, "report.html"), "w", encoding="utf-8") as f:
        f.write(page(TITLE + ": sweep report", sec))
    return n


def plot_posterior(cal, path, readable=readable_path):
    """Weighted histograms of the posterior of every calibrated parameter, with the scenario's
    value (dashed) and the 95 % interval (grey band)."""
    p = cal["posterior"]
    theta, w = np.asarray(p["theta"], float), np.asarray(p["weight"], float)
    P = theta.shape[1]
    cols = min(4, P)
    rows = int(np.ceil(P / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(9.5, 2.5 * rows + 0.6), squeeze=False)
    for j in range(P):
        ax = axes[j // cols][j % cols]
        ax.hist(theta[:, j], bins=30, weights=w, color=OKABE_ITO[4], alpha=0.85)
        ax.axvspan(p["q025"][j], p["q975"][j], color="#BBBBBB", alpha=0.4, zorder=0)
        ax.axvline(p["scenario_value"][j], color="black", ls="--", lw=1)
        ax.set_title(readable(p["parameter"][j]), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for j in range(P, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    fig.suptitle("Posterior of the calibrated parameters (IMIS weights); dashed: the "
                 "scenario's value; grey: 95 % interval", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return save_figure(fig, path)


def plot_diagnostics(cal, path):
    """ESS and the largest weight after each IMIS iteration."""
    d = cal["diagnostics"]
    it = np.arange(len(d["ess"]))
    fig, ax = plt.subplots(figsize=(9.5, 4.2))
    ax.plot(it, d["ess"], color=OKABE_ITO[4], marker="o", ms=4, label="effective sample size")
    ax.set_xlabel("IMIS iteration (0: the prior sample)")
    ax.set_ylabel("effective sample size")
    ax.grid(alpha=0.3)
    right = ax.twinx()
    right.plot(it, d["max_weight"], color=OKABE_ITO[5], marker="s", ms=4, ls="--",
               label="largest weight")
    right.set_ylabel("largest importance weight")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="center right", fontsize=8.5)
    ax.set_title("IMIS diagnostics")
    return save_figure(fig, path)


def write_calibration_report(path, outdir, options=None):
    """report.html of a calibration file; returns the number of figures."""
    os.makedirs(outdir, exist_ok=True)
    cal = reader.read_calibration(path)
    p, t, a = cal["posterior"], cal["targets"], cal["attrs"]
    readable = readable_path
    figs = []
    f1 = plot_posterior(cal, os.path.join(outdir, "posterior.png"), readable)
    figs.append(figure_html(f1, "posterior of the calibrated parameters", (
        "The posterior sample of each calibrated parameter: the IMIS points weighted by their "
        "importance weights. The dashed line is the scenario's value; the grey band the 95 % "
        "posterior interval. A posterior as wide as the prior means the series cannot pin the "
        "parameter.")))
    if cal.get("diagnostics") and "ess" in cal["diagnostics"]:
        f2 = plot_diagnostics(cal, os.path.join(outdir, "imis_diagnostics.png"))
        figs.append(figure_html(f2, "IMIS diagnostics", (
            "The effective sample size 1 / sum(w^2) of the weighted sample and its largest "
            "weight after each IMIS iteration; the sampler stops when the ESS reaches its "
            "target or after the set number of iterations.")))
    prow = "".join('<tr><td class="name">%s</td><td><code>%s</code></td><td class="num">%s</td>'
                   '<td class="num">%s</td><td class="num">%s to %s</td><td class="num">%s</td>'
                   '</tr>' % (esc(readable(name)), esc(name), fmt_num(p["scenario_value"][i], 4),
                              fmt_num(p["mean"][i], 4), fmt_num(p["q025"][i], 4),
                              fmt_num(p["q975"][i], 4), fmt_num(p["median"][i], 4))
                   for i, name in enumerate(p["parameter"]))
    trow = ""

    def survival_row(i):
        """Whether target i is a survival target (shown as survival shares, not its effective
        counts); files without survival_* datasets have none."""
        return ("survival_published" in t and np.isfinite(t["survival_published"][i]))

    def observed(i):
        if survival_row(i):
            return "%s survival at %s months" % (fmt_pct(t["survival_published"][i], 1),
                                                 fmt_num(t["survival_months"][i], 0))
        return fmt_count(t["observed"][i])

    def expected(i):
        if survival_row(i):
            return "%s (%s to %s)" % (fmt_pct(t["survival_mean"][i], 1),
                                      fmt_pct(t["survival_q025"][i], 1),
                                      fmt_pct(t["survival_q975"][i], 1))
        return "%s (%s to %s)" % (fmt_num(t["expected_mean"][i], 2),
                                  fmt_num(t["expected_q025"][i], 2),
                                  fmt_num(t["expected_q975"][i], 2))
    if t is not None:
        trow = "".join('<tr><td class="name">%s</td><td>%s</td><td class="num">%s</td>'
                       '<td class="num">%s</td><td class="num">%s</td></tr>' % (
                           esc(name), cite_html(t["source"][i]) if "source" in t else DASH,
                           fmt_count(t["patients"][i]), observed(i), expected(i))
                       for i, name in enumerate(t["name"]))
    ess = cal.get("diagnostics", {}).get("ess")
    ident = reader.identifiability(cal)
    irow = "".join('<tr><td class="name">%s</td><td class="num">%s to %s</td><td class="num">%s '
                   'to %s</td><td class="num">%s</td><td class="num">%s</td><td>%s</td></tr>' % (
                       esc(readable(d["parameter"])), fmt_num(d["prior_q025"], 4),
                       fmt_num(d["prior_q975"], 4), fmt_num(d["posterior_q025"], 4),
                       fmt_num(d["posterior_q975"], 4), fmt_num(d["width_ratio"], 2),
                       "%+.2f" % d["median_shift"], esc(d["verdict"])) for d in ident)
    wide = [readable(d["parameter"]) for d in ident if d["verdict"] == "as wide as the prior"]
    ident_html = "" if not ident else (
        '<h2>What the series pin, and what they do not</h2><p>Each calibrated parameter\'s '
        '95 %% interval before the series (the prior: the unweighted IMIS points of iteration '
        '0) and after (the posterior), the ratio of their widths, and how far the median moved, '
        'in prior widths. A ratio near 1 means the series cannot pin the parameter: its '
        'uncertainty stays what the literature gave, and it is carried into the decision '
        'unchanged when the PSA draws from this posterior (<code>netsurv run --psa K '
        '--posterior FILE --voi</code>); the EVPPI of that run says how much the choice of '
        'follow-up depends on it, and so what a study that measured it would be worth.%s</p>'
        '<div class="scroll"><table id="identifiability-table"><thead><tr><th>parameter</th>'
        '<th>prior 95 %%</th><th>posterior 95 %%</th><th>width ratio</th><th>median shift</th>'
        '<th>verdict</th></tr></thead><tbody>%s</tbody></table></div>' % (
            (" Here %d of %d parameters stay as wide as their prior: %s."
             % (len(wide), len(ident), esc(", ".join(wide)))) if wide else "", irow))
    sec = ["<h1>%s: calibration report</h1><p class=\"sub\">%s, %s points, seed %s</p>"
           % (esc(TITLE), esc(a.get("method", "IMIS")), fmt_count(len(p["weight"])),
              esc(a.get("seed", "?"))),
           "<h2>The calibration</h2><p>netsurv %s calibrated %d parameters of the scenario "
           "<code>%s</code> to the follow-up series of <code>%s</code>, %s virtual patients per "
           "series, in %s s. The final effective sample size is %s. Each series is simulated "
           "as its own cohort under its own follow-up (or, measured at resection, by what its "
           "specimens showed at time 0), and scored by a binomial likelihood of its events "
           "(a multinomial over the reported times where a series gives them).</p>" % (esc(a.get("netsurv_version", "?")), len(p["parameter"]),
                                esc(a.get("scenario_path", "?")), esc(a.get("series_path", "?")),
                                fmt_count(a.get("virtual_patients_per_series", np.nan)),
                                fmt_num(a.get("wall_seconds", np.nan), 0),
                                fmt_num(ess[-1], 0) if ess is not None and len(ess) else DASH),
           '<h2>Posterior</h2><div class="scroll"><table id="posterior-table"><thead><tr><th>'
           'parameter</th><th>path</th><th>scenario value</th><th>posterior mean</th><th>95 %% '
           'interval</th><th>median</th></tr></thead><tbody>%s</tbody></table></div>%s'
           % (prow, figs[0]),
           '<h2>Fit to the series</h2><p>Published events beside the events the model expects '
           'for the same number of patients, over the posterior (mean and 95 %% interval); '
           'for a survival target, the published cancer-specific survival beside the simulated '
           'one (its patients the effective sample size).</p>'
           '<div class="scroll"><table id="targets-table"><thead><tr><th>series / event</th>'
           '<th>source</th><th>patients</th><th>observed</th><th>expected</th></tr></thead>'
           '<tbody>%s</tbody></table></div>%s' % (trow, "".join(figs[1:])),
           ident_html,
           references_html(cal["scenario_text"], cal["series_text"]),
           "<h2>Technical details</h2><table id=\"provenance\"><tbody>%s</tbody></table>"
           % "".join("<tr><th>%s</th><td><code>%s</code></td></tr>" % (esc(k), esc(v))
                     for k, v in sorted(a.items()))]
    with open(os.path.join(outdir, "report.html"), "w", encoding="utf-8") as f:
        f.write(page(TITLE + ": calibration report", sec))
    return len(figs)


def plot_compare_nmb(labels, names, nmbs, wtp, path, currency="USD"):
    """NMB per patient at the WTP of every strategy (rows) in every file (bars)."""
    S, F = len(names), len(labels)
    fig, ax = plt.subplots(figsize=(9.5, 0.5 * S * max(1, F / 2) + 2.2))
    h = 0.8 / F
    hatches = ("", "//", "..", "xx", "\\\\", "++")
    for f in range(F):
        ax.barh(np.arange(S) + (f - (F - 1) / 2) * h, nmbs[f], height=h,
                color=OKABE_ITO[f % len(OKABE_ITO)], hatch=hatches[f % 6], edgecolor="white",
                label=labels[f])
    ax.set_yticks(np.arange(S), names)
    ax.invert_yaxis()
    lo, hi = np.nanmin(nmbs), np.nanmax(nmbs)
    ax.set_xlim(lo - 0.05 * (hi - lo + 1), hi + 0.05 * (hi - lo + 1))
    money_axis(ax.xaxis, currency)
    ax.set_xlabel("NMB per patient at %s per QALY (%s)" % (fmt_money(wtp, currency=currency),
                                                            currency))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(F, 3), fontsize=8.5,
              frameon=False)
    ax.set_title("Net monetary benefit by file")
    return save_figure(fig, path)


def write_compare_report(paths, outdir, options=None):
    """report.html comparing several files side by side: provenance, the best strategy in
    each, and per strategy its cost, QALYs, status and NMB in every file; returns the number
    of figures."""
    os.makedirs(outdir, exist_ok=True)
    runs = [reader.read_run(p) for p in paths]
    views = [reader.economics_view(r) for r in runs]
    scen = [load_scenario(r.scenario_text) for r in runs]
    opts = [resolve_options(r, v, s, options) for r, v, s in zip(runs, views, scen)]
    labels = ["%d: %s" % (i + 1, os.path.basename(p)) for i, p in enumerate(paths)]
    names = list(dict.fromkeys(n for r in runs for n in r.strategies))
    cur = opts[0]["currency"]
    mixed = len({o["currency"] for o in opts}) > 1
    nmbs = np.full((len(runs), len(names)), np.nan)
    for f, v in enumerate(views):
        for s, n in enumerate(v["strategy"]):
            nmbs[f, names.index(n)] = v["nmb"][s]
    figs = []
    if not mixed and np.any(np.isfinite(nmbs)):
        fp = plot_compare_nmb(labels, names, nmbs, views[0]["wtp"],
                              os.path.join(outdir, "compare_nmb.png"), cur)
        figs.append(figure_html(fp, "net monetary benefit by file", (
            "The NMB per patient of each strategy (rows) in each file (bars, in the file's "
            "colour and hatching), at the willingness to pay of the first file. %s"
            % esc(opts[0]["money_note"]))))
    prov = "".join('<tr><td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td>'
                   '<td>%s</td><td class="num">%s</td><td>%s</td></tr>' % (
                       esc(lab), esc(r.attrs.get("scenario_name", "?")),
                       fmt_count(r.attrs.get("n_patients", np.nan)), esc(r.attrs.get("seed", "?")),
                       esc(r.kind), esc(fmt_money(v["wtp"], currency=o["currency"])),
                       esc(best_row(icer_rows(v, r))["strategy"]) if best_row(icer_rows(v, r))
                       else DASH) for lab, r, v, o in zip(labels, runs, views, opts))
    head = "".join("<th>%s: cost</th><th>QALYs</th><th>status</th><th>NMB</th>" % esc(lab)
                   for lab in labels)
    body = []
    for n in names:
        cells = []
        for f, (r, v, o) in enumerate(zip(runs, views, opts)):
            if n not in v["strategy"]:
                cells.append('<td colspan="4">not in this file</td>')
                continue
            s = list(v["strategy"]).index(n)
            code = int(v["status"][s])
            cells.append('<td class="num">%s</td><td class="num">%s</td><td>%s</td>'
                         '<td class="num">%s</td>' % (
                             esc(fmt_money(v["cost"][s], currency=o["currency"])),
                             fmt_num(v["effect"][s], 4),
                             reader.STATUS_LABELS[code].replace("_", " ") if 0 <= code < 4
                             else DASH, esc(fmt_money(v["nmb"][s], currency=o["currency"]))))
        body.append('<tr><td class="name">%s</td>%s</tr>' % (breakable(n), "".join(cells)))
    sec = ["<h1>%s: comparison of %d files</h1>" % (esc(TITLE), len(paths)),
           '<h2>The files</h2><div class="scroll"><table id="compare-files"><thead><tr><th>file'
           '</th><th>scenario</th><th>patients</th><th>seed</th><th>kind</th><th>WTP per QALY'
           '</th><th>highest NMB</th></tr></thead><tbody>%s</tbody></table></div>%s' % (
               prov, '<p class="note">The files use different currencies; compare their '
               'numbers only within a file.</p>' if mixed else ""),
           '<h2>Side by side</h2><p>Mean discounted cost and QALYs per patient, the position on '
           'each file\'s efficiency frontier and the NMB at each file\'s willingness to pay. %s'
           '</p><div class="scroll"><table id="compare-table" class="wide"><thead><tr><th>'
           'strategy</th>%s</tr></thead><tbody>%s</tbody></table></div>%s'
           % (esc(opts[0]["money_note"]), head, "".join(body), "".join(figs)),
           references_html(*[r.scenario_text for r in runs]),
           "<h2>Glossary</h2>%s" % glossary_html()]
    with open(os.path.join(outdir, "report.html"), "w", encoding="utf-8") as f:
        f.write(page(TITLE + ": comparison", sec))
    return len(figs)

