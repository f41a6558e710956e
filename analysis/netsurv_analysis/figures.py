"""The report's figures, drawn with matplotlib (Agg) into PNG files: the cost-effectiveness
plane (or, without QALYs, the costs alone), cumulative detection, missed metastases by
reason, costs by component, and with /psa the CEAC and EVPI, with /owsa the tornado."""
import os

import numpy as np

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["text.parse_math"] = False  # '$' in labels is a dollar, not mathtext
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, ScalarFormatter  # noqa: E402

from . import reader  # noqa: E402
from .content import REASONS  # noqa: E402
from .formatting import finite, fmt_count, fmt_money  # noqa: E402

DPI = 110
MAX_TORNADO = 15
COMPONENTS = (("mean_cost_surveillance", "surveillance tests"),
              ("mean_cost_workup", "work-up of false positives"),
              ("mean_cost_treatment", "treatment (time 0, metastasis, local)"))


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
    frontier = [i for i in view["order"] if view["status"][i] == reader.FRONTIER]
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
