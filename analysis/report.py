#!/usr/bin/python3
"""Write the cost-effectiveness report of a netsurv HDF5 file.

Usage: /usr/bin/python3 analysis/report.py FILE.h5 OUTDIR [--strict]

Reads only the file (never re-runs the model) and writes into OUTDIR:
icer_table.csv, icer_table.html, ce_plane.png, cumulative_detection.png,
missed_by_reason.png, costs_by_component.png, with /psa also ceac.png and
evpi.png, with /owsa also tornado.png, and report.html: one self-contained
page (figures embedded as data: URIs, no external requests) for a guideline
committee.

The ICER table is re-derived from the file's mean costs and QALYs and
compared with /economics (and the CEAC, CEAF and EVPI with the PSA draws);
a disagreement is a warning on stderr, and with --strict an exit status 1.
Exit status 2: bad arguments or unreadable file.
"""
import argparse
import base64
import csv
import html
import os
import sys

import numpy as np

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["text.parse_math"] = False  # '$' in labels is a dollar, not mathtext
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, ScalarFormatter  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netsurv_read as nr  # noqa: E402

try:
    import yaml
except ImportError:  # the report then shows only the strategies' source strings
    yaml = None

DASH = "\u2014"
DPI = 110
MAX_TORNADO = 15
REASONS = (
    ("not_followed", "not followed", "the patient's risk group has no scheduled visits"),
    ("after_schedule", "after the schedule", "it became detectable after the last scheduled visit"),
    ("between_visits", "between visits",
     "symptoms or incidental imaging found it, or the patient died, before the next visit"),
    ("false_negative", "false-negative test", "an attended visit's tests were negative"),
    ("missed_visit", "missed visit", "the visits in that window were not attended"),
)
COMPONENTS = (("mean_cost_surveillance", "surveillance tests"),
              ("mean_cost_workup", "work-up of false positives"),
              ("mean_cost_treatment", "treatment (time 0, metastasis, local)"))
MODALITY_NAMES = {"endoscopy": "endoscopy", "eus": "endoscopic ultrasound (EUS)", "ct": "CT",
                  "mri": "MRI", "sstr_pet": "SSTR PET/CT", "cga": "chromogranin A blood test"}
STATUS_TEXT = {nr.FRONTIER: "frontier", nr.DOMINATED: "dominated",
               nr.EXT_DOMINATED: "extended dominated", nr.DUPLICATE: "duplicate"}
QUESTION = ("After a rectal neuroendocrine tumour (NET) is removed endoscopically, who should be "
            "followed up, with which tests, how often, and for how long? Metastases are rare, but "
            "some appear 9-13 years after a \u201ccurative\u201d resection, and the guidelines "
            "disagree.")
GLOSSARY = (
    ("QALY", "Quality-adjusted life-year: a year of life weighted by its quality, 1 for a year in "
             "full health, less for a year with illness or the burden of treatment."),
    ("Discounting", "Costs and QALYs that come later count for less, by a fixed rate a year "
                    "(this run's rates are given at the top), so that a cost in 20 years weighs "
                    "less than one today. ICERs and NMB use discounted values; the cost breakdown "
                    "uses undiscounted ones."),
    ("ICER", "Incremental cost-effectiveness ratio: the extra cost of a strategy divided by the "
             "extra QALYs it gives, compared with the next cheaper strategy on the frontier "
             "(USD per QALY gained)."),
    ("Dominance", "A strategy is dominated when another costs no more and gives no fewer QALYs "
                  "(and is better in at least one). It is never the right choice."),
    ("Extended dominance", "A strategy is extendedly dominated when a mix of two other strategies "
                           "(giving one to some patients and the other to the rest) would give "
                           "more QALYs for the same cost: its ICER is higher than that of the next "
                           "more effective strategy."),
    ("Efficiency frontier", "The strategies left after removing dominated, extendedly dominated "
                            "and duplicate ones, ordered by cost; each is compared with the one "
                            "before it."),
    ("Willingness to pay (WTP)", "The most a decision maker will pay for one QALY. A strategy is "
                                 "cost-effective when its ICER is below it."),
    ("NMB", "Net monetary benefit: WTP \u00d7 QALYs \u2212 cost, per patient. The strategy with "
            "the highest NMB is the cost-effective one at that WTP."),
    ("PSA", "Probabilistic sensitivity analysis: the model is re-run many times, each time with "
            "every uncertain parameter drawn from its plausible range."),
    ("CEAC", "Cost-effectiveness acceptability curve: for each WTP, the share of PSA draws in "
             "which a strategy has the highest NMB, i.e. the probability that it is the "
             "cost-effective choice."),
    ("CEAF", "Cost-effectiveness acceptability frontier: at each WTP, the strategy with the "
             "highest expected (mean) NMB across draws, the one to choose on current evidence, and "
             "its probability of being cost-effective."),
    ("EVPI", "Expected value of perfect information: how much better, on average, the decision "
             "would be (in USD per patient) if all parameter uncertainty were removed. It bounds "
             "what further research could be worth."),
    ("One-way sensitivity analysis", "Each parameter in turn is set to its low and then its high "
                                     "value, the others staying at their base case."),
)
CSS = """
body{font-family:Georgia,'DejaVu Serif',serif;max-width:66rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.5}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:1px solid #bbb;margin-top:2.2rem}
h3{margin-bottom:.3rem}.sub{color:#555;margin-top:0}
table{border-collapse:collapse;margin:1rem 0;font-family:'DejaVu Sans',Arial,sans-serif;
font-size:.8rem}.scroll{overflow-x:auto}
th,td{border:1px solid #ccc;padding:.25rem .5rem}th{background:#f0f0f0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.frontier td{background:#eef6ee}tr.best td{font-weight:bold}
figure{margin:1.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:.9rem;color:#333;margin-top:.4rem}
.note{background:#fff8e1;border-left:4px solid #f0c040;padding:.5rem 1rem}
.key{background:#eef3fb;border-left:4px solid #4a78c2;padding:.5rem 1rem}
dt{font-weight:bold;margin-top:.6rem}dd{margin-left:1.5rem}
code{font-size:.85rem;background:#f4f4f4;padding:0 .2rem}
.rule{margin:.3rem 0 .3rem 1rem}.para{margin:.8rem 0}li{margin:.2rem 0}
.src{color:#555;font-size:.9rem}
"""
SELF_CHECK_JS = """
window.addEventListener('load', function () {
  var imgs = document.images, ok = 0;
  for (var i = 0; i < imgs.length; i++) {
    if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;
  }
  var b = document.body;
  b.setAttribute('data-images-total', String(imgs.length));
  b.setAttribute('data-images-ok', String(ok));
  b.setAttribute('data-table-rows',
                 String(document.querySelectorAll('#icer-table tbody tr').length));
  b.setAttribute('data-self-check', 'done');
});
"""


# ---------------------------------------------------------------- formatting

def finite(x):
    """True when x is a finite number."""
    try:
        return bool(np.isfinite(float(x)))
    except (TypeError, ValueError):
        return False


def fmt_money(x, signed=False):
    """'$1,234' (or '+$1,234' when signed), DASH when missing."""
    if not finite(x):
        return DASH
    sign = "-" if x < 0 else ("+" if signed and x > 0 else "")
    return "%s$%s" % (sign, format(abs(round(float(x))), ",.0f"))


def fmt_num(x, digits=2, signed=False):
    """A number with fixed decimals, DASH when missing."""
    if not finite(x):
        return DASH
    return format(float(x), ("+" if signed else "") + ",.%df" % digits)


def fmt_count(x):
    """A whole number with thousands separators, DASH when missing."""
    return format(int(round(float(x))), ",d") if finite(x) else DASH


def fmt_pct(x, digits=0):
    """A share 0..1 as a percentage, DASH when missing."""
    return (format(100.0 * float(x), ".%df" % digits) + " %") if finite(x) else DASH


def fmt_years(x):
    """Years as a short number ('1', '0.75', '2.5')."""
    return ("%g" % float(x)) if finite(x) else str(x)


def pretty(name):
    """A snake_case name for reading: underscores as spaces."""
    return str(name).replace("_", " ")


def esc(text):
    """HTML-escaped text."""
    return html.escape(str(text), quote=True)


def join_words(items, last="and"):
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " %s " % last + items[-1]


# ---------------------------------------------------------------- the ICER table

def icer_rows(view):
    """The ICER table as a list of dicts in cost order (raw numbers; NaN where none)."""
    names = view["strategy"]
    rows = []
    for rank, i in enumerate(view["order"], start=1):
        ref = int(view["reference"][i])
        status = int(view["status"][i])
        rows.append({"rank": rank, "index": int(i), "strategy": names[i],
                     "cost": float(view["cost"][i]), "effect": float(view["effect"][i]),
                     "incremental_cost": float(view["incremental_cost"][i]),
                     "incremental_effect": float(view["incremental_effect"][i]),
                     "icer": float(view["icer"][i]),
                     "status": STATUS_TEXT.get(status, DASH), "status_code": status,
                     "status_label": nr.STATUS_LABELS[status] if 0 <= status < 4 else "",
                     "reference": names[ref] if 0 <= ref < len(names) else "",
                     "nmb": float(view["nmb"][i])})
    return rows


CSV_COLUMNS = ("rank", "strategy", "cost", "effect", "incremental_cost", "incremental_effect",
               "icer", "status_label", "reference", "nmb")


def write_icer_csv(rows, path, wtp):
    """icer_table.csv: one row per strategy in cost order; missing numbers are empty."""
    header = {"cost": "mean_discounted_cost_usd", "effect": "mean_discounted_qalys",
              "incremental_cost": "incremental_cost_usd", "incremental_effect": "incremental_qalys",
              "icer": "icer_usd_per_qaly", "status_label": "status", "reference": "compared_with",
              "nmb": "nmb_usd_at_wtp_%d" % round(wtp)}
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([header.get(c, c) for c in CSV_COLUMNS])
        for r in rows:
            w.writerow([csv_value(r[c]) for c in CSV_COLUMNS])


def csv_value(x):
    """A CSV cell: repr of floats (empty when NaN), str otherwise, empty for the DASH."""
    if isinstance(x, float):
        return repr(x) if np.isfinite(x) else ""
    return "" if x == DASH else str(x)


def icer_table_html(rows, wtp):
    """The ICER table as an HTML <table id="icer-table">."""
    best = best_row(rows)
    head = ("<tr><th>#</th><th>strategy</th><th>mean discounted cost per patient</th>"
            "<th>mean discounted QALYs per patient</th><th>compared with</th>"
            "<th>incremental cost</th><th>incremental QALYs</th><th>ICER (USD per QALY)</th>"
            "<th>status</th><th>NMB at %s per QALY</th></tr>" % esc(fmt_money(wtp)))
    body = []
    for r in rows:
        cls = " ".join(c for c in ("frontier" if r["status_code"] == nr.FRONTIER else "",
                                   "best" if r is best else "") if c)
        cells = [(str(r["rank"]), "num"), (r["strategy"], ""), (fmt_money(r["cost"]), "num"),
                 (fmt_num(r["effect"], 4), "num"), (r["reference"] or DASH, ""),
                 (fmt_money(r["incremental_cost"], signed=True), "num"),
                 (fmt_num(r["incremental_effect"], 4, signed=True), "num"),
                 (fmt_money(r["icer"]), "num"), (r["status"], ""), (fmt_money(r["nmb"]), "num")]
        tds = "".join('<td class="%s">%s</td>' % (c, esc(t)) if c else "<td>%s</td>" % esc(t)
                      for t, c in cells)
        body.append('<tr class="%s">%s</tr>' % (cls, tds) if cls else "<tr>%s</tr>" % tds)
    return ('<div class="scroll"><table id="icer-table"><thead>%s</thead><tbody>\n%s\n'
            '</tbody></table></div>' % (head, "\n".join(body)))


def best_row(rows):
    """The row with the highest NMB, or None when no row has one."""
    scored = [r for r in rows if finite(r["nmb"])]
    return max(scored, key=lambda r: (r["nmb"], -r["rank"])) if scored else None


def write_icer_html(rows, path, wtp, title):
    """icer_table.html: the ICER table alone, a small self-contained page."""
    page = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>"
            "<style>%s</style></head><body><h1>%s</h1><p>Strategies ordered by mean discounted "
            "cost. ICERs compare each frontier strategy with the previous one; NMB at %s per "
            "QALY.</p>%s</body></html>\n"
            % (esc(title), CSS, esc(title), esc(fmt_money(wtp)), icer_table_html(rows, wtp)))
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)


# ---------------------------------------------------------------- figures

def strategy_colours(n):
    """One colour per strategy, the same in every figure."""
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def save_figure(fig, path):
    """Write fig as PNG and close it; returns the path."""
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def money_axis(axis, thousands=False, cents=False):
    """Format an axis in USD ('$12,000', '$12k', or with cents '$0.25')."""
    if cents:
        axis.set_major_formatter(FuncFormatter(lambda v, _: "$%.2f" % v))
    elif thousands:
        axis.set_major_formatter(FuncFormatter(lambda v, _: "$%gk" % (v / 1000.0) if v else "$0"))
    else:
        axis.set_major_formatter(FuncFormatter(lambda v, _: fmt_money(v)))


def place_labels(ax, xs, ys, names, colours):
    """Label each point with its name beside it, moving a label up or down (in screen
    space) when it would cover an earlier label or a point, so that close or identical
    points stay readable."""
    ax.figure.canvas.draw()
    pts = ax.transData.transform(np.column_stack([xs, ys]))
    height = 8.5 * DPI / 72.0 * 1.3
    placed = []
    for i in np.argsort(-pts[:, 1], kind="stable"):
        box = label_box(pts, i, len(names[i]) * 8.5 * DPI / 72.0 * 0.6, height, placed)
        placed.append(box)
        dx, dy = (box[0] - pts[i, 0]) * 72.0 / DPI, ((box[1] + box[3]) / 2 - pts[i, 1]) * 72.0 / DPI
        moved = abs(dy) > 1
        ax.annotate(names[i], xy=(xs[i], ys[i]), xytext=(dx, dy), textcoords="offset points",
                    fontsize=8.5, va="center", ha="left", annotation_clip=False, zorder=4,
                    bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.75),
                    arrowprops=dict(arrowstyle="-", color=colours[i], lw=0.8) if moved else None)


def label_box(pts, i, width, height, placed):
    """The first free box (x0, y0, x1, y1) in pixels for point i's label: right of the
    point at its height, then alternately higher and lower, clear of placed boxes and
    of the other points."""
    x0 = pts[i, 0] + 9
    for step in range(0, 60):
        shift = (step + 1) // 2 * (1 if step % 2 else -1) * height * 0.55
        y0 = pts[i, 1] + shift - height / 2
        box = (x0, y0, x0 + width, y0 + height)
        clear_labels = all(not boxes_overlap(box, b) for b in placed)
        clear_points = all(not (box[0] - 5 <= px <= box[2] + 5 and box[1] - 5 <= py <= box[3] + 5)
                           for k, (px, py) in enumerate(pts) if k != i)
        if clear_labels and clear_points:
            return box
    return (x0, pts[i, 1] - height / 2, x0 + width, pts[i, 1] + height / 2)


def boxes_overlap(a, b):
    """True when boxes (x0, y0, x1, y1) a and b intersect."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def plot_ce_plane(view, psa, path):
    """Cost-effectiveness plane: QALYs (x) by cost (y), frontier line, labels, PSA cloud."""
    names, cost, effect = view["strategy"], view["cost"], view["effect"]
    colours = strategy_colours(len(names))
    fig, ax = plt.subplots(figsize=(9.5, 6.2))
    if psa is not None:
        for s in range(len(names)):
            ax.scatter(psa["effect"][:, s], psa["cost"][:, s], s=7, alpha=0.25, color=colours[s],
                       linewidths=0, zorder=1)
    frontier = [i for i in view["order"] if view["status"][i] == nr.FRONTIER]
    ax.plot(effect[frontier], cost[frontier], "-", color="black", lw=1.4, zorder=2,
            label="efficiency frontier")
    for s in range(len(names)):
        ax.scatter(effect[s], cost[s], s=55, color=colours[s], edgecolors="black", zorder=3)
    ax.set_xlabel("mean discounted QALYs per patient")
    ax.set_ylabel("mean discounted cost per patient (USD)")
    ax.xaxis.set_major_formatter(ScalarFormatter(useOffset=False))
    money_axis(ax.yaxis)
    ax.margins(x=0.25, y=0.12)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8.5)
    ax.set_title("Cost-effectiveness plane" + (" with %d PSA draws" % psa["cost"].shape[0]
                                               if psa is not None else ""))
    place_labels(ax, effect, cost, names, colours)
    return save_figure(fig, path)


def plot_costs_only(view, path):
    """Without QALYs, the plane degenerates: mean discounted cost per strategy, in cost order."""
    names, cost = view["strategy"], view["cost"]
    colours = strategy_colours(len(names))
    order = list(view["order"])
    fig, ax = plt.subplots(figsize=(9.5, 5.2))
    ax.barh(range(len(order)), [cost[i] for i in order], color=[colours[i] for i in order])
    ax.set_yticks(range(len(order)), [names[i] for i in order])
    ax.invert_yaxis()
    money_axis(ax.xaxis)
    ax.set_xlabel("mean discounted cost per patient (USD)")
    ax.set_title("Costs only: this file has no QALYs, so no cost-effectiveness plane")
    ax.grid(axis="x", alpha=0.3)
    return save_figure(fig, path)


def plot_ceac(psa, names, wtp, path):
    """CEAC per strategy over the WTP grid, CEAF as a thick band, the file's WTP dashed."""
    grid = np.asarray(psa["wtp_grid"], dtype=np.float64)
    ceac, ceaf = np.asarray(psa["ceac"]), np.asarray(psa["ceaf"], dtype=int)
    colours = strategy_colours(len(names))
    fig, ax = plt.subplots(figsize=(9.5, 5.4))
    ax.plot(grid, ceac[np.arange(len(grid)), ceaf], color="grey", lw=9, alpha=0.35,
            solid_capstyle="round", label="CEAF (highest expected NMB)", zorder=1)
    for s, name in enumerate(names):
        ax.plot(grid, ceac[:, s], color=colours[s], lw=1.6, label=name, zorder=2)
    step = max(1, len(grid) // 25)
    for w in range(0, len(grid), step):
        ax.plot(grid[w], ceac[w, ceaf[w]], "o", ms=5, color=colours[ceaf[w]],
                markeredgecolor="black", zorder=3)
    ax.axvline(wtp, color="black", ls="--", lw=1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("willingness to pay (USD per QALY)")
    ax.set_ylabel("probability cost-effective")
    money_axis(ax.xaxis, thousands=True)
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8.5)
    ax.set_title("Cost-effectiveness acceptability curves (%d PSA draws)" % psa["cost"].shape[0])
    return save_figure(fig, path)


def plot_evpi(psa, wtp, evpi_at_wtp, path):
    """EVPI per patient over the WTP grid, the file's WTP marked."""
    grid = np.asarray(psa["wtp_grid"], dtype=np.float64)
    fig, ax = plt.subplots(figsize=(9.5, 4.8))
    ax.plot(grid, psa["evpi"], color="#4a78c2", lw=2)
    ax.axvline(wtp, color="black", ls="--", lw=1)
    ax.plot([wtp], [evpi_at_wtp], "o", color="black")
    ax.annotate("%s per patient at %s/QALY" % (fmt_money(evpi_at_wtp), fmt_money(wtp)),
                xy=(wtp, evpi_at_wtp), xytext=(8, 10), textcoords="offset points", fontsize=9)
    ax.set_xlabel("willingness to pay (USD per QALY)")
    ax.set_ylabel("EVPI per patient (USD)")
    top = float(np.nanmax(psa["evpi"])) if np.any(np.isfinite(psa["evpi"])) else 0.0
    money_axis(ax.xaxis, thousands=True)
    money_axis(ax.yaxis, cents=top < 10)
    ax.set_ylim(0, max(1.0, 1.1 * top))
    ax.grid(alpha=0.3)
    ax.set_title("Expected value of perfect information")
    return save_figure(fig, path)


def cumulative_detection(summary):
    """(bin ends in years, share detected by each bin end [S, B-1]) from the histogram;
    the last bin ('later') is left out of the curve."""
    hist = np.asarray(summary["detection_time_histogram"], dtype=np.float64)
    starts = np.asarray(summary["detection_time_bin_start"], dtype=np.float64)
    width = starts[1] - starts[0] if len(starts) > 1 else 1.0
    mets = np.asarray(summary["n_metastases"], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.cumsum(hist, axis=1) / mets[:, None]
    return starts[:-1] + width, share[:, :-1]


def plot_cumulative_detection(summary, path):
    """Cumulative share of metastases detected (any route) by years after resection."""
    names = summary["strategy"]
    ends, share = cumulative_detection(summary)
    hist = np.asarray(summary["detection_time_histogram"])[:, :-1]
    used = np.nonzero(hist.sum(axis=0))[0]
    x_max = min(ends[-1], ends[used[-1]] + 1.0) if len(used) else ends[-1]
    colours = strategy_colours(len(names))
    fig, ax = plt.subplots(figsize=(9.5, 5.4))
    for s, name in enumerate(names):
        ax.plot(np.r_[0.0, ends], np.r_[0.0, share[s]], color=colours[s], lw=1.6, label=name)
    ax.set_xlim(0, x_max)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "%d %%" % round(100 * v)))
    ax.set_xlabel("years after resection")
    ax.set_ylabel("share of metastases detected (any route)")
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8.5)
    ax.set_title("Cumulative detection of metastases")
    return save_figure(fig, path)


def plot_stacked(names, parts, labels, path, xlabel, title, money=False, totals_note=None):
    """Horizontal stacked bars: one bar per strategy, one segment per part; totals at the end."""
    colours = plt.get_cmap("Set2").colors
    parts = np.nan_to_num(np.asarray(parts, dtype=np.float64))
    fig, ax = plt.subplots(figsize=(9.5, 0.45 * len(names) + 2.2))
    y = np.arange(len(names))
    left = np.zeros(len(names))
    for k, label in enumerate(labels):
        ax.barh(y, parts[k], left=left, color=colours[k % len(colours)], label=label,
                edgecolor="white", lw=0.5)
        left += parts[k]
    for i in range(len(names)):
        text = fmt_money(left[i]) if money else fmt_count(left[i])
        if totals_note:
            text += totals_note[i]
        ax.annotate(text, xy=(left[i], y[i]), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, max(left.max(), 1.0) * 1.25)
    if money:
        money_axis(ax.xaxis)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8.5, frameon=False)
    ax.set_title(title)
    return save_figure(fig, path)


def plot_missed(summary, path):
    """Missed metastases by reason per strategy (stacked), total of all metastases noted."""
    names = summary["strategy"]
    parts = [summary.get("missed_" + key, np.zeros(len(names))) for key, _, _ in REASONS]
    note = [" of %s" % fmt_count(m) for m in summary["n_metastases"]]
    return plot_stacked(names, parts, [label for _, label, _ in REASONS], path,
                        "metastases missed by surveillance (patients)",
                        "Missed metastases by reason", totals_note=note)


def plot_costs(summary, path):
    """Mean undiscounted cost per patient by component per strategy (stacked)."""
    names = summary["strategy"]
    parts = [summary.get(key, np.zeros(len(names))) for key, _ in COMPONENTS]
    return plot_stacked(names, parts, [label for _, label in COMPONENTS], path,
                        "mean undiscounted cost per patient (USD)",
                        "Costs by component", money=True)


def tornado_data(owsa, view):
    """The tornado's numbers: the base-case best strategy by NMB at the OWSA's WTP, the
    runner-up, and per parameter the incremental NMB (best minus runner-up; the best's own
    NMB when there is one strategy) at the low and high values, sorted by swing."""
    wtp = float(owsa["_attrs"].get("wtp", view["wtp"]))
    base_nmb = nr.nmb(view["cost"], view["effect"], wtp)
    ranked = sorted(range(len(base_nmb)), key=lambda i: (-base_nmb[i], i))
    best = ranked[0]
    runner = ranked[1] if len(ranked) > 1 else None

    def inc(values):
        """The best strategy's NMB minus the runner-up's (or the best's alone)."""
        values = np.asarray(values, dtype=np.float64)
        return values[..., best] - (values[..., runner] if runner is not None else 0.0)

    low, high = inc(owsa["nmb_low"]), inc(owsa["nmb_high"])
    swing = np.abs(np.nan_to_num(high - low))
    order = sorted(range(len(swing)), key=lambda q: (-swing[q], q))
    changes = []
    for q in order:
        for side, values in (("low", owsa["nmb_low"]), ("high", owsa["nmb_high"])):
            winner = nr.best_by_nmb(np.asarray(values[q], dtype=np.float64))
            if winner != best:
                changes.append((owsa["parameter"][q], side, float(owsa[side][q]), winner))
    return {"wtp": wtp, "best": best, "runner": runner, "base": float(inc(base_nmb)),
            "low": low, "high": high, "swing": swing, "order": order, "changes": changes}


def plot_tornado(owsa, view, data, path):
    """Tornado of the incremental NMB of the best strategy over the runner-up."""
    names = view["strategy"]
    shown = data["order"][:MAX_TORNADO]
    fig, ax = plt.subplots(figsize=(9.5, 0.42 * len(shown) + 2.2))
    base = data["base"]
    for row, q in enumerate(shown):
        sides = sorted((("low", "#4a78c2"), ("high", "#e08a3c")),
                       key=lambda sc: -abs(np.nan_to_num(data[sc[0]][q] - base)))
        for side, colour in sides:  # the longer bar first, so that the shorter stays visible
            value = data[side][q]
            if finite(value):
                ax.barh(row, value - base, left=base, color=colour, height=0.6)
    labels = ["%s\n(low %s, base %s, high %s)" % (owsa["parameter"][q], "%g" % owsa["low"][q],
                                                   "%g" % owsa["base"][q], "%g" % owsa["high"][q])
              for q in shown]
    ax.set_yticks(range(len(shown)), labels, fontsize=7.5)
    ax.invert_yaxis()
    ax.axvline(base, color="black", lw=1)
    ax.axvline(0, color="red", lw=1, ls=":")
    money_axis(ax.xaxis)
    if data["runner"] is not None:
        ax.set_xlabel("incremental NMB of %s over %s at %s per QALY (USD per patient)"
                      % (names[data["best"]], names[data["runner"]], fmt_money(data["wtp"])))
    else:
        ax.set_xlabel("NMB of %s at %s per QALY (USD per patient)"
                      % (names[data["best"]], fmt_money(data["wtp"])))
    ax.grid(axis="x", alpha=0.3)
    handles = [Patch(color=c, label="parameter at its %s value" % side)
               for side, c in (("low", "#4a78c2"), ("high", "#e08a3c"))]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
              fontsize=8.5, frameon=False)
    ax.set_title("One-way sensitivity analysis", pad=24)
    return save_figure(fig, path)


# ---------------------------------------------------------------- scenario text

def load_scenario(text):
    """The scenario YAML as a dict, or {} without PyYAML or when it does not parse."""
    if yaml is None or not text:
        return {}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def scalar(x):
    """A scenario parameter's value ({value: v, source: ...} or v itself)."""
    return x.get("value") if isinstance(x, dict) and "value" in x else x


def describe_when(rule):
    """The risk group a rule matches, in words."""
    if rule.get("otherwise"):
        return "everyone not in the groups above"
    when = rule.get("when") or {}
    if not when:
        return "everyone"
    words = []
    size = when.get("size_mm") or {}
    lo, hi = size.get("min"), size.get("max")
    if lo is not None and hi is not None:
        words.append("%g to under %g mm" % (lo, hi))
    elif hi is not None:
        words.append("under %g mm" % hi)
    elif lo is not None:
        words.append("%g mm or more" % lo)
    if when.get("grade"):
        words.append("grade " + join_words(when["grade"], "or"))
    if when.get("margin"):
        words.append("margin " + join_words(when["margin"], "or"))
    lvi = [str(v).lower() for v in when.get("lvi") or []]
    if lvi == ["no"]:
        words.append("no lymphovascular invasion reported")
    elif lvi == ["yes"]:
        words.append("lymphovascular invasion reported")
    depth = when.get("depth") or []
    if depth:
        words.append("depth " + join_words(depth, "or"))
    return ", ".join(words) or "everyone"


def describe_visit(item):
    """One schedule entry in words, e.g. 'MRI every 2 years from year 3 to year 9'."""
    tests = join_words([MODALITY_NAMES.get(t, pretty(t)) for t in item.get("tests") or []])
    if "at" in item:
        at = [fmt_years(t) for t in item["at"]]
        when = "at %s year%s" % (join_words(at), "" if at == ["1"] else "s")
    else:
        every = float(item.get("every", 0))
        period = ("every year" if every == 1 else "every 6 months" if every == 0.5
                  else "every %s years" % fmt_years(every))
        end = "for life" if item.get("lifelong") else "to year %s" % fmt_years(item.get("to", "?"))
        when = "%s from year %s %s" % (period, fmt_years(item.get("from", every)), end)
    note = item.get("assumption") or item.get("source")
    return "%s %s%s" % (tests, when, " (%s)" % note if note else "")


def describe_rule(rule, treatments):
    """A rule in words: who, treatment at time 0, visits, and its source or assumption."""
    schedule = rule.get("schedule") or []
    visits = "; ".join(describe_visit(v) for v in schedule) if schedule else \
        "no scheduled follow-up"
    treat = rule.get("treatment")
    if treat:
        cost = scalar((treatments.get(treat) or {}).get("cost"))
        visits = "%s at time 0%s; then %s" % (pretty(treat), " (%s)" % fmt_money(cost)
                                              if finite(cost) else "", visits)
    basis = ("source: " + str(rule["source"]) if rule.get("source")
             else "assumption: " + str(rule["assumption"]) if rule.get("assumption") else "")
    return describe_when(rule), visits, basis


def scenario_strategies(scenario):
    """name -> list of (who, what, basis) for each strategy in the parsed scenario."""
    treatments = {t.get("name"): t for t in scenario.get("treatments") or [] if isinstance(t, dict)}
    out = {}
    for s in scenario.get("strategies") or []:
        if isinstance(s, dict) and s.get("name"):
            try:
                out[s["name"]] = [describe_rule(r, treatments) for r in s.get("rules") or []]
            except (TypeError, ValueError, AttributeError):
                out[s["name"]] = []
    return out


def discount_rates(run, scenario):
    """(costs, effects) discount rates a year from /economics, else the scenario, else None."""
    e = run.economics["_attrs"] if run.economics is not None else {}
    d = ((scenario.get("follow_up") or {}).get("discount") or {}) if scenario else {}
    costs = e.get("discount_costs", scalar(d.get("costs")))
    effects = e.get("discount_effects", scalar(d.get("effects")))
    return costs, effects


# ---------------------------------------------------------------- plain words

def strategy_results(summary, s, view):
    """What strategy s finds, misses and costs, in sentences."""
    g = lambda key: summary[key][s] if key in summary else float("nan")  # noqa: E731
    mets, surv = g("n_metastases"), g("n_detected_surveillance")
    text = ("Finds %s of %s metastases by surveillance (%s); %s present with symptoms and %s are "
            "found incidentally first; %s are never found in the patient's lifetime."
            % (fmt_count(surv), fmt_count(mets), fmt_pct(surv / mets if mets else np.nan),
               fmt_count(g("n_detected_symptoms")), fmt_count(g("n_detected_incidental")),
               fmt_count(g("n_never_detected"))))
    reasons = ["%s %s" % (fmt_count(g("missed_" + k)), label) for k, label, _ in REASONS
               if finite(g("missed_" + k)) and g("missed_" + k) > 0]
    text += " Surveillance misses %s%s." % (fmt_count(g("n_missed")),
                                            " (" + ", ".join(reasons) + ")" if reasons else "")
    if finite(g("mean_detection_delay")):
        text += (" Mean delay from detectable to found: %s years."
                 % fmt_num(g("mean_detection_delay"), 1))
    text += (" Per patient: %s undiscounted (95 %% interval %s to %s), %s discounted; %s tests, "
             "%s false positives, %s mSv of radiation."
             % (fmt_money(g("mean_cost")), fmt_money(g("mean_cost_ci_low")),
                fmt_money(g("mean_cost_ci_high")), fmt_money(view["cost"][s]),
                fmt_num(g("mean_tests"), 1), fmt_num(g("mean_false_positives"), 2),
                fmt_num(g("mean_radiation_msv"), 1)))
    if view["has_effects"]:
        text += " Mean discounted QALYs: %s; status: %s." % (
            fmt_num(view["effect"][s], 4), STATUS_TEXT.get(int(view["status"][s]), DASH))
    return text


def dominator(view, i):
    """The strategy that dominates i with the highest NMB (None when none)."""
    c, e = view["cost"], view["effect"]
    who = [j for j in range(len(c)) if j != i and c[j] <= c[i] and e[j] >= e[i]
           and (c[j] < c[i] or e[j] > e[i])]
    return max(who, key=lambda j: view["nmb"][j]) if who else None


def dominance_phrase(saving, gain):
    """'costs $X less and gives Y more QALYs', saying 'the same' where a difference is 0."""
    cost = "costs %s less" % fmt_money(saving) if saving > 0 else "costs the same"
    effect = "gives %s more QALYs" % fmt_num(gain, 4) if gain > 0 else "gives the same QALYs"
    return "%s and %s" % (cost, effect)


def bracket(view, i):
    """The frontier strategies just cheaper and just dearer than i (either may be None)."""
    front = [j for j in view["order"] if view["status"][j] == nr.FRONTIER]
    below = [j for j in front if view["cost"][j] <= view["cost"][i]]
    above = [j for j in front if view["cost"][j] > view["cost"][i]]
    return (below[-1] if below else None), (above[0] if above else None)


def comparison_sentences(view):
    """One sentence per strategy on the incremental analysis, in cost order."""
    names, out = view["strategy"], []
    wtp = view["wtp"]
    for i in view["order"]:
        status, ref = int(view["status"][i]), int(view["reference"][i])
        n = names[i]
        if status == nr.FRONTIER and ref < 0:
            alone = int(np.sum(np.asarray(view["status"]) == nr.FRONTIER)) == 1
            out.append("%s is the %s strategy on the frontier (%s per patient)%s."
                       % (n, "only" if alone else "cheapest", fmt_money(view["cost"][i]),
                          ": no other strategy is worth its extra cost" if alone else ""))
        elif status == nr.FRONTIER:
            icer = view["icer"][i]
            verdict = "below" if finite(icer) and icer <= wtp else "above"
            out.append("%s costs %s more per patient than %s for %s more QALYs (about %s "
                       "quality-adjusted days): an ICER of %s per QALY, %s the WTP of %s."
                       % (n, fmt_money(view["incremental_cost"][i]), names[ref],
                          fmt_num(view["incremental_effect"][i], 4),
                          fmt_num(365.25 * view["incremental_effect"][i], 1),
                          fmt_money(icer), verdict, fmt_money(wtp)))
        elif status == nr.DOMINATED:
            j = dominator(view, i)
            out.append("%s is dominated%s." % (n, "" if j is None else ": %s %s" % (
                names[j], dominance_phrase(view["cost"][i] - view["cost"][j],
                                           view["effect"][j] - view["effect"][i]))))
        elif status == nr.EXT_DOMINATED:
            a, b = bracket(view, i)
            mix = " a mix of %s and %s" % (names[a], names[b]) if a is not None and b is not None \
                else " a mix of two frontier strategies"
            out.append("%s is extendedly dominated:%s would give more QALYs for the same cost."
                       % (n, mix))
        elif status == nr.DUPLICATE:
            twins = [names[j] for j in view["order"] if j != i and view["cost"][j] ==
                     view["cost"][i] and view["effect"][j] == view["effect"][i]]
            out.append("%s gives exactly the same costs and QALYs as %s." % (n, join_words(twins)))
    return out


def psa_summary(run, view):
    """(probability cost-effective per strategy at the WTP, best by expected NMB, EVPI,
    number of draws) from the PSA draws, or None without /psa."""
    p = run.psa
    if p is None or "cost" not in p or "effect" not in p:
        return None
    share, best, evpi = nr.psa_at_wtp(p["cost"], p["effect"], view["wtp"])
    return {"share": share, "best": best, "evpi": evpi, "draws": p["cost"].shape[0],
            "patients": p["_attrs"].get("n_patients")}


def key_findings(run, view, psa, tornado):
    """The report's opening findings, as a list of HTML paragraphs."""
    names, s = view["strategy"], run.summary
    out = []
    surv = np.asarray(s["n_detected_surveillance"], dtype=np.float64)
    mets = np.asarray(s["n_metastases"], dtype=np.float64)
    top = int(np.argmax(surv))
    out.append("Most metastases found by surveillance: %s (%s of %s)."
               % (esc(names[top]), fmt_count(surv[top]), fmt_count(mets[top])))
    if view["has_effects"]:
        best = nr.best_by_nmb(view["nmb"])
        out.append("<strong>At a willingness to pay of %s per QALY, %s is cost-effective</strong>: "
                   "it has the highest net monetary benefit (%s per patient)."
                   % (fmt_money(view["wtp"]), esc(names[best]), fmt_money(view["nmb"][best])))
        out.append("In order of cost:<ul>%s</ul>" % "".join(
            "<li>%s</li>" % esc(t) for t in comparison_sentences(view)))
    else:
        cheapest = int(view["order"][0])
        out.append("This file holds no QALYs (it was written by a netsurv without /economics), so "
                   "the strategies can be compared on detection and cost only; the cheapest is "
                   "%s (%s per patient, discounted)."
                   % (esc(names[cheapest]), fmt_money(view["cost"][cheapest])))
    out.append(psa_sentence(psa, names, view["wtp"]))
    if tornado is not None:
        out.append(tornado_sentence(run.owsa, tornado, names))
    return out


def psa_sentence(psa, names, wtp):
    """The PSA in words (HTML), or a note that the file has none."""
    if psa is None:
        return ("No probabilistic sensitivity analysis in this file (netsurv run --psa K writes "
                "one), so the uncertainty of the results is not shown.")
    ranked = sorted(range(len(names)), key=lambda i: -psa["share"][i])
    probs = join_words("%s %s" % (esc(names[i]), fmt_pct(psa["share"][i])) for i in ranked
                       if psa["share"][i] > 0)
    per = " of %s patients each" % fmt_count(psa["patients"]) if finite(psa["patients"]) else ""
    return ("Across %d PSA draws%s, the probability of being cost-effective at %s per QALY is: "
            "%s (other strategies 0 %%). Choosing %s (highest expected NMB), the expected value "
            "of perfect information is %s per patient."
            % (psa["draws"], per, fmt_money(wtp), probs or DASH, esc(names[psa["best"]]),
               fmt_money(psa["evpi"])))


def tornado_sentence(owsa, t, names):
    """The one-way sensitivity analysis in words (HTML)."""
    top = [esc(owsa["parameter"][q]) for q in t["order"][:3]]
    subject = ("the NMB advantage of %s over %s" % (esc(names[t["best"]]), esc(names[t["runner"]]))
               if t["runner"] is not None else "the NMB of %s" % esc(names[t["best"]]))
    text = "In the one-way sensitivity analysis, %s is most sensitive to %s." % (
        subject, join_words(top))
    if t["changes"]:
        flips = ["%s at its %s value (%g: %s best)" % (esc(p), side, v, esc(names[w]))
                 for p, side, v, w in t["changes"][:5]]
        text += " The best strategy changes with %s%s." % (
            join_words(flips), " and %d more" % (len(t["changes"]) - 5)
            if len(t["changes"]) > 5 else "")
    else:
        text += " No single parameter at its low or high value changes the best strategy."
    return text


# ---------------------------------------------------------------- the HTML page

def data_uri(path):
    """A PNG file as a base64 data: URI."""
    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def figure_html(path, alt, caption):
    """A <figure> with the PNG embedded and its caption (caption is HTML)."""
    return ('<figure><img src="%s" alt="%s"><figcaption>%s</figcaption></figure>'
            % (data_uri(path), esc(alt), caption))


def run_paragraph(run, scenario, view):
    """The run in words (HTML)."""
    a = run.attrs
    costs, effects = discount_rates(run, scenario)
    disc = (" Costs are discounted at %s and QALYs at %s a year." % (fmt_pct(costs, 1),
                                                                       fmt_pct(effects, 1))
            if finite(costs) and finite(effects) else "")
    wtp_note = "" if view["wtp_from_file"] else " (not in the file: the default assumed)"
    return ("netsurv %s simulated %s virtual patients (seed %s) with the scenario "
            "\u201c%s\u201d on %s. Every strategy was played on the same patients (common random "
            "numbers), so differences between strategies are differences of strategy, not of "
            "chance.%s Costs are in US dollars; the willingness to pay is %s per QALY%s."
            % (esc(a.get("netsurv_version", "?")), fmt_count(a.get("n_patients", np.nan)),
               esc(a.get("seed", "?")), esc(a.get("scenario_name", "?")),
               esc(a.get("created", "?")), disc, fmt_money(view["wtp"]), wtp_note))


def strategies_html(run, scenario, view):
    """One subsection per strategy: source, rules in words, and its results."""
    rules = scenario_strategies(scenario)
    sources = run.summary.get("strategy_source") or [""] * len(run.strategies)
    parts = []
    for s, name in enumerate(run.strategies):
        block = ['<h3 id="strategy-%d">%s</h3>' % (s, esc(name)),
                 '<p class="src">Source: %s</p>' % esc(sources[s] or DASH)]
        for who, what, basis in rules.get(name, []):
            block.append('<p class="rule"><strong>%s:</strong> %s.%s</p>'
                         % (esc(who[:1].upper() + who[1:]), esc(what),
                            ' <span class="src">(%s)</span>' % esc(basis) if basis else ""))
        block.append("<p>%s</p>" % esc(strategy_results(run.summary, s, view)))
        parts.append("\n".join(block))
    if not rules:
        parts.insert(0, '<p class="note">The rules of each strategy are in the scenario text '
                        '(/scenario); this report could not read them (PyYAML is not installed or '
                        'the text did not parse), so only their sources are shown.</p>')
    return "\n".join(parts)


def detection_table_html(summary):
    """Detection, misses and costs per strategy, one row each."""
    cols = (("n_metastases", "metastases", fmt_count),
            ("n_detected_surveillance", "found by surveillance", fmt_count),
            ("n_detected_symptoms", "by symptoms", fmt_count),
            ("n_detected_incidental", "incidentally", fmt_count),
            ("n_never_detected", "never found", fmt_count),
            ("n_missed", "missed by surveillance", fmt_count),
            ("mean_detection_delay", "mean delay (years)", lambda x: fmt_num(x, 1)),
            ("mean_cost", "mean cost (undiscounted)", fmt_money),
            ("mean_tests", "tests", lambda x: fmt_num(x, 1)),
            ("mean_false_positives", "false positives", lambda x: fmt_num(x, 2)),
            ("mean_radiation_msv", "radiation (mSv)", lambda x: fmt_num(x, 1)))
    cols = [c for c in cols if c[0] in summary]
    head = "<tr><th>strategy</th>%s</tr>" % "".join("<th>%s</th>" % esc(c[1]) for c in cols)
    rows = ["<tr><td>%s</td>%s</tr>" % (esc(name), "".join(
        '<td class="num">%s</td>' % esc(f(summary[k][s])) for k, _, f in cols))
        for s, name in enumerate(summary["strategy"])]
    return ('<div class="scroll"><table id="detection-table"><thead>%s</thead><tbody>%s'
            '</tbody></table></div>' % (head, "".join(rows)))


def glossary_html():
    """The glossary as a definition list."""
    return "<dl>%s</dl>" % "".join("<dt>%s</dt><dd>%s</dd>" % (esc(t), esc(d))
                                   for t, d in GLOSSARY)


def captions(view, psa, tornado, names):
    """Figure captions (HTML), keyed by file name."""
    wtp = fmt_money(view["wtp"])
    cloud = (" The faint clouds are the %d PSA draws of each strategy, in the strategy's colour: "
             "their spread shows how uncertain the means are; all strategies share each draw, so "
             "the clouds move together." % psa["draws"] if psa else "")
    caps = {
        "ce_plane.png": (
            "Each large point is a strategy: its mean discounted QALYs per patient (across) and "
            "mean discounted cost per patient (up). Further right is more health, lower is "
            "cheaper. The black line joins the strategies on the efficiency frontier; a strategy "
            "above or to the left of it is dominated or extendedly dominated. The slope of each "
            "segment is the ICER between neighbours: a segment steeper than %s per QALY buys "
            "health at more than the willingness to pay.%s" % (wtp, cloud)
            if view["has_effects"] else
            "This file has no QALYs, so the cost-effectiveness plane cannot be drawn; the bars "
            "show the mean discounted cost per patient of each strategy, cheapest on top."),
        "cumulative_detection.png": (
            "For each strategy, the share of its metastases found by each year after resection, "
            "by any route (surveillance, symptoms or incidental imaging). The denominator is the "
            "metastases that became detectable while the patient lived under that strategy; it "
            "is smaller where surgery at time 0 removes nodal disease. Higher and further left "
            "means found earlier; the gap below 100 % at the right are metastases never found in "
            "the patient's lifetime."),
        "missed_by_reason.png": (
            "Metastases that became detectable while the patient lived but were not found by a "
            "surveillance visit, split by reason: %s. The number after each bar is the total "
            "missed out of the strategy's metastases."
            % "; ".join("<em>%s</em>: %s" % (esc(label), esc(why)) for _, label, why in REASONS)),
        "costs_by_component.png": (
            "Mean undiscounted cost per patient, split into surveillance tests, work-up of false "
            "positives, and treatment (surgery at time 0, treatment of metastases and of local "
            "recurrence). Undiscounted: the sum of what is spent, whenever it is spent; the ICER "
            "table uses discounted costs."),
        "ceac.png": (
            "For each willingness to pay (across, USD per QALY), the share of the PSA draws in "
            "which each strategy has the highest net monetary benefit: the probability that it "
            "is the cost-effective choice. The thick grey band with dots (in the colour of the "
            "strategy) is the acceptability frontier (CEAF): the strategy with the highest "
            "expected NMB, the one to choose on current evidence, which need not be the one most "
            "often best. Dashed line: the willingness to pay of this report (%s)." % wtp),
        "evpi.png": (
            "Expected value of perfect information per patient at each willingness to pay: how "
            "much, on average, choosing with all parameter uncertainty removed would gain over "
            "choosing now. It is highest where strategies are close in NMB; multiplied by the "
            "number of patients who will face the decision it bounds what research to reduce "
            "the uncertainty could be worth."),
    }
    if tornado is not None:
        caps["tornado.png"] = tornado_caption(tornado, names)
    return caps


def tornado_caption(t, names):
    """The tornado's caption (HTML), saying which quantity it shows and why."""
    if t["runner"] is None:
        what = "the net monetary benefit of %s" % esc(names[t["best"]])
        why = ""
    else:
        what = ("the incremental net monetary benefit of %s (the best strategy in the base case) "
                "over %s (the runner-up)" % (esc(names[t["best"]]), esc(names[t["runner"]])))
        why = (" We show the incremental NMB rather than %s's own NMB because the latter is "
               "dominated by effects that move every strategy alike (such as life expectancy) "
               "and do not change the decision; a bar that crosses the dotted red zero line "
               "means %s would be preferred to %s at that value."
               % (esc(names[t["best"]]), esc(names[t["runner"]]), esc(names[t["best"]])))
    return ("One-way sensitivity analysis at %s per QALY: each bar shows %s, per patient, when "
            "one parameter is set to its low (blue) or high (orange) value and every other stays "
            "at its base case. Parameters are sorted by the width of their bar, widest on top%s; "
            "the black line is the base case.%s"
            % (fmt_money(t["wtp"]), what, " (the %d widest shown)" % MAX_TORNADO
               if len(t["order"]) > MAX_TORNADO else "", why))


def page_html(run, scenario, view, rows, psa, tornado, figures):
    """The whole report page (a str); figures is a list of (file name, path, title)."""
    names = view["strategy"]
    title = "Surveillance after endoscopic resection of rectal NETs: cost-effectiveness report"
    caps = captions(view, psa, tornado, names)
    desc = scenario.get("description") if scenario else None
    sec = []
    sec.append("<h1>%s</h1><p class=\"sub\">Scenario: %s</p>"
               % (esc(title), esc(run.attrs.get("scenario_name", "?"))))
    sec.append("<h2>The question and the run</h2><p>%s</p>%s<p>%s</p>"
               % (esc(QUESTION), "<p>%s</p>" % esc(desc.strip()) if isinstance(desc, str) else "",
                  run_paragraph(run, scenario, view)))
    sec.append('<h2>Key findings</h2><div class="key">%s</div>'
               % "".join("<div class=\"para\">%s</div>" % p
                         for p in key_findings(run, view, psa, tornado)))
    sec.append("<h2>The strategies</h2>%s" % strategies_html(run, scenario, view))
    sec.append("<h2>Cost-effectiveness</h2><p>Strategies in order of mean discounted cost. Each "
               "frontier strategy is compared with the previous one on the frontier; the others "
               "are ruled out (see the glossary). The strategy in bold has the highest net "
               "monetary benefit at %s per QALY.</p>%s"
               % (fmt_money(view["wtp"]), icer_table_html(rows, view["wtp"])))
    figs = {name: figure_html(path, alt, caps.get(name, "")) for name, path, alt in figures}
    sec.append(figs.get("ce_plane.png", ""))
    sec.append("<h2>Detection and missed metastases</h2>%s%s%s"
               % (detection_table_html(run.summary), figs.get("cumulative_detection.png", ""),
                  figs.get("missed_by_reason.png", "")))
    sec.append("<h2>Costs</h2>%s" % figs.get("costs_by_component.png", ""))
    sec.append("<h2>Uncertainty</h2>%s%s" % (uncertainty_notes(psa, tornado, names, view["wtp"]),
                                             "".join(figs.get(n, "") for n in
                                                     ("ceac.png", "evpi.png", "tornado.png"))))
    sec.append("<h2>Glossary</h2>%s" % glossary_html())
    sec.append(technical_html(run, view))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>%s</title><style>%s</style></head>\n<body>\n%s\n<script>%s</script>\n"
            "</body></html>\n" % (esc(title), CSS, "\n".join(sec), SELF_CHECK_JS))


def uncertainty_notes(psa, tornado, names, wtp):
    """Notes on the uncertainty analyses that are absent from the file (HTML)."""
    notes = []
    if psa is None:
        notes.append(psa_sentence(None, names, wtp))
    if tornado is None:
        notes.append("No one-way sensitivity analysis in this file (netsurv run --owsa writes "
                     "one), so no tornado diagram.")
    return "".join('<p class="note">%s</p>' % n for n in notes)


def technical_html(run, view):
    """Provenance of the run and of this report's numbers."""
    a = run.attrs
    items = [("file", run.path), ("netsurv version", a.get("netsurv_version")),
             ("git revision", a.get("git_revision")), ("command line", a.get("command_line")),
             ("scenario file", a.get("scenario_path")), ("created", a.get("created")),
             ("HDF5", a.get("hdf5_version")), ("compiler", a.get("compiler")),
             ("ICER table from", "/economics" if view["source"] == "economics" else
              "/summary (mean_cost_discounted, mean_qaly_discounted), derived by this report")]
    return ("<h2>Technical details</h2><table id=\"provenance\"><tbody>%s</tbody></table>"
            % "".join("<tr><th>%s</th><td><code>%s</code></td></tr>" % (esc(k), esc(v))
                      for k, v in items if v is not None))


# ---------------------------------------------------------------- main

def make_figures(run, view, psa, tornado, outdir):
    """Write every figure the file supports; returns [(file name, path, alt text)]."""
    figs = []

    def add(name, alt, draw, *args):
        """Draw one figure into OUTDIR/name and list it."""
        path = os.path.join(outdir, name)
        draw(*args, path)
        figs.append((name, path, alt))

    if view["has_effects"]:
        add("ce_plane.png", "cost-effectiveness plane", plot_ce_plane, view, run.psa)
    else:
        add("ce_plane.png", "mean discounted cost per strategy", plot_costs_only, view)
    add("cumulative_detection.png", "cumulative detection of metastases",
        plot_cumulative_detection, run.summary)
    add("missed_by_reason.png", "missed metastases by reason", plot_missed, run.summary)
    add("costs_by_component.png", "costs by component", plot_costs, run.summary)
    if psa is not None and all(k in run.psa for k in ("wtp_grid", "ceac", "ceaf", "evpi")):
        add("ceac.png", "cost-effectiveness acceptability curves", plot_ceac, run.psa,
            view["strategy"], view["wtp"])
        add("evpi.png", "expected value of perfect information", plot_evpi, run.psa,
            view["wtp"], psa["evpi"])
    if tornado is not None:
        add("tornado.png", "tornado diagram", plot_tornado, run.owsa, view, tornado)
    return figs


def parse_args(argv):
    """FILE, OUTDIR and --strict from the command line (argparse exits 2 on errors)."""
    ap = argparse.ArgumentParser(prog="report.py", description=__doc__.strip().splitlines()[0])
    ap.add_argument("file", help="netsurv HDF5 output")
    ap.add_argument("outdir", help="directory for the tables, figures and report.html")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when /economics or /psa disagree with the numbers re-derived "
                         "from the file")
    return ap.parse_args(argv)


def check_file(run, view):
    """Warnings: where the file's own decision results differ from the re-derived ones."""
    return nr.economics_disagreements(view) + nr.psa_disagreements(run)


def main(argv):
    """Read the file, check it, write the tables, figures and page; returns the exit status."""
    args = parse_args(argv)
    try:
        run = nr.read_run(args.file)
    except (OSError, KeyError) as err:
        print("report.py: cannot read %s: %s" % (args.file, err), file=sys.stderr)
        return 2
    view = nr.economics_view(run)
    problems = check_file(run, view)
    for msg in problems:
        print("report.py: warning: %s" % msg, file=sys.stderr)
    os.makedirs(args.outdir, exist_ok=True)
    rows = icer_rows(view)
    write_icer_csv(rows, os.path.join(args.outdir, "icer_table.csv"), view["wtp"])
    write_icer_html(rows, os.path.join(args.outdir, "icer_table.html"), view["wtp"],
                    "ICER table: %s" % run.attrs.get("scenario_name", ""))
    psa = psa_summary(run, view) if view["has_effects"] else None
    tornado = (tornado_data(run.owsa, view)
               if run.owsa is not None and view["has_effects"] else None)
    figures = make_figures(run, view, psa, tornado, args.outdir)
    scenario = load_scenario(run.scenario_text)
    with open(os.path.join(args.outdir, "report.html"), "w", encoding="utf-8") as f:
        f.write(page_html(run, scenario, view, rows, psa, tornado, figures))
    print("report.py: wrote %d figures, icer_table.csv, icer_table.html and report.html to %s"
          % (len(figures), args.outdir))
    return 1 if problems and args.strict else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
