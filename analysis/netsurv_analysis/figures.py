"""The report's figures, drawn with matplotlib (Agg), each written as SVG and as a 300 dpi
PNG: the incremental cost-effectiveness plane against a comparator with the willingness-to-pay
line and the efficiency frontier (or, without QALYs, the costs alone), cumulative detection,
missed metastases by reason, costs by component, with /psa the CEAC with the CEAF marked and
the EVPI per patient and for the population, with /owsa the tornado, and for sweeps the
threshold plots (NMB against each swept value, per strategy).

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies), and every
strategy also has its own marker, so that no figure relies on colour alone."""
import os
import textwrap

import numpy as np

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["text.parse_math"] = False  # '$' in labels is a dollar, not mathtext
matplotlib.rcParams["svg.fonttype"] = "none"    # SVG text stays text (searchable, small)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from . import reader  # noqa: E402
from .content import REASONS  # noqa: E402
from .formatting import finite, fmt_count, fmt_money  # noqa: E402

DPI = 300          # the PNG files; the page shows them scaled to its width
LAYOUT_DPI = 110   # the screen scale label placement is computed at
MAX_TORNADO = 15
# Okabe & Ito (2008), "Color universal design": black first would hide the frontier line, so
# the order starts at orange; grey is the ninth colour.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000", "#999999")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "*", "p")
LOW_COLOUR, HIGH_COLOUR = "#0072B2", "#E69F00"   # Okabe-Ito blue and orange
COMPONENTS = (("mean_cost_surveillance", "surveillance tests"),
              ("mean_cost_workup", "work-up of false positives"),
              ("mean_cost_treatment", "treatment (time 0, metastasis, local)"))


def strategy_colours(n):
    """One colour per strategy, the same in every figure (Okabe-Ito, cycled)."""
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def strategy_markers(n):
    """One marker per strategy, so that strategies differ by shape as well as colour."""
    return [MARKERS[i % len(MARKERS)] for i in range(n)]


def save_figure(fig, path):
    """Write fig as PNG (300 dpi) at path and as SVG beside it; close it; returns path."""
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    fig.savefig(os.path.splitext(path)[0] + ".svg", bbox_inches="tight")
    plt.close(fig)
    return path


def money_axis(axis, currency="USD", thousands=False, cents=False):
    """Format an axis in money ('$12,000', '$12k', or with cents '$0.25'); other currencies
    than USD are written out ('12,000 EUR')."""
    def fmt(v, _):
        if cents:
            text = "%.2f" % abs(v)
        elif thousands:
            text = "%gk" % (abs(v) / 1000.0) if v else "0"
        else:
            text = format(abs(round(v)), ",d")
        sign = "-" if v < 0 else ""
        return "%s$%s" % (sign, text) if currency == "USD" else "%s%s %s" % (sign, text, currency)
    axis.set_major_formatter(FuncFormatter(fmt))


def place_labels(ax, xs, ys, names, colours, fontsize=8.5):
    """Label each point with its name beside it, moving a label up or down (in screen
    space) when it would cover an earlier label or a point, so that close or identical
    points stay readable."""
    fig = ax.figure
    saved = fig.dpi
    fig.set_dpi(LAYOUT_DPI)
    fig.canvas.draw()
    pts = ax.transData.transform(np.column_stack([xs, ys]))
    scale = LAYOUT_DPI / 72.0
    height = fontsize * scale * 1.3
    placed = []
    for i in np.argsort(-pts[:, 1], kind="stable"):
        box = label_box(pts, i, len(names[i]) * fontsize * scale * 0.6, height, placed)
        placed.append(box)
        dx, dy = (box[0] - pts[i, 0]) / scale, ((box[1] + box[3]) / 2 - pts[i, 1]) / scale
        moved = abs(dy) > 1
        ax.annotate(names[i], xy=(xs[i], ys[i]), xytext=(dx, dy), textcoords="offset points",
                    fontsize=fontsize, va="center", ha="left", annotation_clip=False, zorder=4,
                    bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8),
                    arrowprops=dict(arrowstyle="-", color="#555555", lw=0.6) if moved else None)
    fig.set_dpi(saved)


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


def comparator_index(view, name=None):
    """The comparator of the incremental plane: the strategy called name, or the cheapest
    (the first in cost order). Raises ValueError for an unknown name."""
    if name is None:
        return int(view["order"][0])
    if name not in view["strategy"]:
        raise ValueError("unknown comparator %r (strategies: %s)"
                         % (name, ", ".join(view["strategy"])))
    return list(view["strategy"]).index(name)


def plot_ce_plane(view, psa, path, comparator=None, currency="USD"):
    """The incremental cost-effectiveness plane against the comparator: incremental QALYs
    (x) by incremental cost (y), the willingness-to-pay line through the origin, the
    efficiency frontier, each strategy labelled, and the PSA draws as clouds (each draw's
    difference from the comparator in the same draw)."""
    names, cost, effect = view["strategy"], np.asarray(view["cost"]), np.asarray(view["effect"])
    c0 = comparator_index(view, comparator)
    dc, de = cost - cost[c0], effect - effect[c0]
    colours, markers = strategy_colours(len(names)), strategy_markers(len(names))
    fig, ax = plt.subplots(figsize=(9.5, 6.4))
    if psa is not None:
        pc, pe = np.asarray(psa["cost"]), np.asarray(psa["effect"])
        for s in range(len(names)):
            if s != c0:
                ax.scatter(pe[:, s] - pe[:, c0], pc[:, s] - pc[:, c0], s=6, alpha=0.22,
                           color=colours[s], marker=markers[s], linewidths=0, zorder=1)
    frontier = [i for i in view["order"] if view["status"][i] == reader.FRONTIER]
    ax.plot(de[frontier], dc[frontier], "-", color="black", lw=1.4, zorder=2,
            label="efficiency frontier")
    for s in range(len(names)):
        ax.scatter(de[s], dc[s], s=60, color=colours[s], marker=markers[s],
                   edgecolors="black", linewidths=0.7, zorder=3)
    ax.axhline(0, color="#777777", lw=0.7, zorder=0)
    ax.axvline(0, color="#777777", lw=0.7, zorder=0)
    ax.margins(x=0.3, y=0.15)
    ax.autoscale_view()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    xs = np.linspace(x0, x1, 2)
    wtp = view["wtp"]
    ax.plot(xs, wtp * xs, "--", color="#555555", lw=1.1, zorder=1,
            label="willingness to pay, %s per QALY" % fmt_money(wtp, currency=currency))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)  # the line does not widen the plane
    ax.set_xlabel("incremental discounted QALYs per patient vs %s" % names[c0])
    ax.set_ylabel("incremental discounted cost per patient vs %s (%s)" % (names[c0], currency))
    money_axis(ax.yaxis, currency)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8.5, framealpha=0.9)
    ax.set_title("Incremental cost-effectiveness plane against %s%s" % (
        names[c0], " (%d PSA draws)" % np.asarray(psa["cost"]).shape[0] if psa is not None
        else ""))
    place_labels(ax, de, dc, names, colours)
    extra = ((), ())
    if psa is not None:
        keep = [s for s in range(len(names)) if s != c0]
        extra = ((pe[:, keep] - pe[:, [c0]]).ravel(), (pc[:, keep] - pc[:, [c0]]).ravel())
    zoom_on_frontier(ax, de, dc, frontier, names, colours, markers, wtp, extra)
    return save_figure(fig, path)


def zoom_on_frontier(ax, de, dc, frontier, names, colours, markers, wtp, extra=((), ())):
    """When the frontier's strategies crowd a small corner of the plane (less than a fifth of
    either axis), an inset at the lower right shows them enlarged, with the strategies near
    them, the frontier and the WTP line, and a box on the plane marks where it is."""
    if len(frontier) < 2:
        return None
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    fx, fy = de[frontier], dc[frontier]
    wx, wy = fx.max() - fx.min(), fy.max() - fy.min()
    if (wx > 0.2 * (x1 - x0) and wy > 0.2 * (y1 - y0)) or wx <= 0 or wy <= 0:
        return None
    bx = (fx.min() - 0.35 * wx, fx.max() + 0.35 * wx)
    by = (fy.min() - 0.35 * wy, fy.max() + 0.35 * wy)
    # the corner of the plane that covers the fewest strategies and PSA draws
    pts = np.column_stack([(np.r_[de, extra[0]] - x0) / (x1 - x0),
                           (np.r_[dc, extra[1]] - y0) / (y1 - y0)])
    corners = ([0.6, 0.05], [0.6, 0.55], [0.05, 0.05], [0.05, 0.55])
    busy = [np.sum((pts[:, 0] >= cx) & (pts[:, 0] <= cx + 0.38) & (pts[:, 1] >= cy)
                   & (pts[:, 1] <= cy + 0.4)) for cx, cy in corners]
    cx, cy = corners[int(np.argmin(busy))]
    inset = ax.inset_axes([cx, cy, 0.38, 0.4])
    near = [s for s in range(len(names)) if bx[0] <= de[s] <= bx[1] and by[0] <= dc[s] <= by[1]]
    inset.plot(fx, fy, "-", color="black", lw=1.2)
    xs = np.linspace(bx[0], bx[1], 2)
    inset.plot(xs, wtp * xs, "--", color="#555555", lw=1)
    for s in near:
        inset.scatter(de[s], dc[s], s=40, color=colours[s], marker=markers[s],
                      edgecolors="black", linewidths=0.6, zorder=3)
    inset.set_xlim(*bx)
    inset.set_ylim(*by)
    place_labels(inset, de[near], dc[near], [names[s] for s in near],
                 [colours[s] for s in near], fontsize=6.5)
    inset.tick_params(labelsize=6.5)
    inset.yaxis.set_major_formatter(ax.yaxis.get_major_formatter())
    inset.set_title("the frontier enlarged", fontsize=7)
    inset.grid(alpha=0.3)
    ax.indicate_inset_zoom(inset, edgecolor="#555555")
    return inset


def plot_costs_only(view, path, currency="USD"):
    """Without QALYs, the plane degenerates: mean discounted cost per strategy, in cost order."""
    names, cost = view["strategy"], view["cost"]
    colours = strategy_colours(len(names))
    order = list(view["order"])
    fig, ax = plt.subplots(figsize=(9.5, 5.2))
    ax.barh(range(len(order)), [cost[i] for i in order], color=[colours[i] for i in order],
            edgecolor="black", lw=0.5)
    ax.set_yticks(range(len(order)), [names[i] for i in order])
    ax.invert_yaxis()
    money_axis(ax.xaxis, currency)
    ax.set_xlabel("mean discounted cost per patient (%s)" % currency)
    ax.set_title("Costs only: this file has no QALYs, so no cost-effectiveness plane")
    ax.grid(axis="x", alpha=0.3)
    return save_figure(fig, path)


def plot_ceac(psa, names, wtp, path, currency="USD"):
    """CEAC per strategy over the WTP grid; the CEAF (the strategy with the highest expected
    NMB, at its probability) as a thick band with the chosen strategy's marker; the report's
    WTP dashed."""
    grid = np.asarray(psa["wtp_grid"], dtype=np.float64)
    ceac, ceaf = np.asarray(psa["ceac"]), np.asarray(psa["ceaf"], dtype=int)
    colours, markers = strategy_colours(len(names)), strategy_markers(len(names))
    fig, ax = plt.subplots(figsize=(9.5, 5.6))
    ax.plot(grid, ceac[np.arange(len(grid)), ceaf], color="#BBBBBB", lw=10, alpha=0.7,
            solid_capstyle="round", zorder=1)
    for s, name in enumerate(names):
        ax.plot(grid, ceac[:, s], color=colours[s], lw=1.6, zorder=2)
    step = max(1, len(grid) // 25)
    for w in range(0, len(grid), step):
        ax.plot(grid[w], ceac[w, ceaf[w]], markers[ceaf[w]], ms=6, color=colours[ceaf[w]],
                markeredgecolor="black", zorder=3)
    ax.axvline(wtp, color="black", ls="--", lw=1)
    handles = [Line2D([], [], color="#BBBBBB", lw=8, label="CEAF: highest expected NMB")]
    handles += [Line2D([], [], color=colours[s], marker=markers[s], markeredgecolor="black",
                       lw=1.6, label=name) for s, name in enumerate(names)]
    handles.append(Line2D([], [], color="black", ls="--", lw=1,
                          label="WTP %s" % fmt_money(wtp, currency=currency)))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("willingness to pay (%s per QALY)" % currency)
    ax.set_ylabel("probability cost-effective")
    money_axis(ax.xaxis, currency, thousands=True)
    ax.grid(alpha=0.3)
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8.5)
    ax.set_title("Cost-effectiveness acceptability curves and frontier (%d PSA draws)"
                 % np.asarray(psa["cost"]).shape[0])
    return save_figure(fig, path)


def population_factor(population):
    """The discounted number of patients affected: sum over t < T of N / (1 + r)^t, or None."""
    if not population:
        return None
    n, years, rate = population["incidence"], population["horizon_years"], population["rate"]
    t = np.arange(int(np.ceil(years)))
    weights = np.minimum(1.0, years - t)  # a part year at the end counts in part
    return float(np.sum(n * weights / (1.0 + rate) ** t))


def plot_evpi(psa, wtp, evpi_at_wtp, path, population=None, currency="USD"):
    """EVPI per patient over the WTP grid (left axis) and, with a population, the population
    EVPI (right axis: per patient x the discounted number of patients affected)."""
    grid = np.asarray(psa["wtp_grid"], dtype=np.float64)
    evpi = np.asarray(psa["evpi"], dtype=np.float64)
    fig, ax = plt.subplots(figsize=(9.5, 5.0))
    ax.plot(grid, evpi, color=OKABE_ITO[4], lw=2)
    ax.axvline(wtp, color="black", ls="--", lw=1)
    ax.plot([wtp], [evpi_at_wtp], "o", color="black")
    factor = population_factor(population)
    note = "%s per patient" % fmt_money(evpi_at_wtp, currency=currency, cents=evpi_at_wtp < 10)
    if factor:
        note += ", %s for the population" % fmt_money(evpi_at_wtp * factor, currency=currency)
    ax.annotate(note + " at %s/QALY" % fmt_money(wtp, currency=currency), xy=(wtp, evpi_at_wtp),
                xytext=(8, 10), textcoords="offset points", fontsize=9,
                bbox=dict(boxstyle="square,pad=0.2", fc="white", ec="none", alpha=0.85))
    ax.set_xlabel("willingness to pay (%s per QALY)" % currency)
    ax.set_ylabel("EVPI per patient (%s)" % currency)
    top = float(np.nanmax(evpi)) if np.any(np.isfinite(evpi)) else 0.0
    money_axis(ax.xaxis, currency, thousands=True)
    money_axis(ax.yaxis, currency, cents=top < 10)
    ax.set_ylim(0, max(1.0, 1.15 * top))
    ax.grid(alpha=0.3)
    if factor:
        right = ax.twinx()
        right.set_ylim(0, ax.get_ylim()[1] * factor)
        right.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _: ("$%sM" % format(v / 1e6, ",.1f")) if currency == "USD"
            else "%s M %s" % (format(v / 1e6, ",.1f"), currency)))
        right.set_ylabel("population EVPI (%s; %s patients a year over %g years, discounted)"
                         % (currency, fmt_count(population["incidence"]),
                            population["horizon_years"]), fontsize=8.5)
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
    colours, markers = strategy_colours(len(names)), strategy_markers(len(names))
    fig, ax = plt.subplots(figsize=(9.5, 5.4))
    every = max(1, int(len(ends) * (x_max / ends[-1]) / 8))
    for s, name in enumerate(names):
        ax.plot(np.r_[0.0, ends], np.r_[0.0, share[s]], color=colours[s], lw=1.6, label=name,
                marker=markers[s], markevery=(s % every, every), ms=5,
                markeredgecolor="black", markeredgewidth=0.5)
    ax.set_xlim(0, x_max)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "%d %%" % round(100 * v)))
    ax.set_xlabel("years after resection")
    ax.set_ylabel("share of metastases detected (any route)")
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8.5)
    ax.set_title("Cumulative detection of metastases")
    return save_figure(fig, path)


def plot_stacked(names, parts, labels, path, xlabel, title, money=None, totals_note=None):
    """Horizontal stacked bars: one bar per strategy, one segment per part; totals at the end.
    money: the currency when the parts are money."""
    colours = OKABE_ITO[:len(labels)] if len(labels) <= len(OKABE_ITO) else strategy_colours(
        len(labels))
    hatches = ("", "//", "..", "xx", "\\\\", "++")
    parts = np.nan_to_num(np.asarray(parts, dtype=np.float64))
    fig, ax = plt.subplots(figsize=(9.5, 0.45 * len(names) + 2.4))
    y = np.arange(len(names))
    left = np.zeros(len(names))
    for k, label in enumerate(labels):
        ax.barh(y, parts[k], left=left, color=colours[k], label=label, hatch=hatches[k % 6],
                edgecolor="white", lw=0.5)
        left += parts[k]
    for i in range(len(names)):
        text = fmt_money(left[i], currency=money) if money else fmt_count(left[i])
        if totals_note:
            text += totals_note[i]
        ax.annotate(text, xy=(left[i], y[i]), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, max(left.max(), 1.0) * 1.3)
    if money:
        money_axis(ax.xaxis, money)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8.5, frameon=False)
    ax.set_title(title)
    return save_figure(fig, path)


def plot_missed(summary, path):
    """Missed metastases by reason per 1,000 patients per strategy (stacked), with the
    strategy's metastases per 1,000 noted."""
    names = summary["strategy"]
    n = np.asarray(summary.get("n_patients", np.full(len(names), np.nan)), dtype=np.float64)
    per = 1000.0 / np.where(n > 0, n, np.nan)
    parts = [np.asarray(summary.get("missed_" + key, np.zeros(len(names))), float) * per
             for key, _, _ in REASONS]
    mets = np.asarray(summary["n_metastases"], dtype=np.float64) * per
    note = [" of %.1f" % m for m in mets]
    return plot_stacked(names, parts, [label for _, label, _ in REASONS], path,
                        "metastases missed by surveillance per 1,000 patients",
                        "Missed metastases by reason (per 1,000 patients)", totals_note=note)


def plot_costs(summary, path, currency="USD"):
    """Mean undiscounted cost per patient by component per strategy (stacked)."""
    names = summary["strategy"]
    parts = [summary.get(key, np.zeros(len(names))) for key, _ in COMPONENTS]
    return plot_stacked(names, parts, [label for _, label in COMPONENTS], path,
                        "mean undiscounted cost per patient (%s)" % currency,
                        "Costs by component", money=currency)


def tornado_label(name, labels, readable):
    """A tornado row's name: the parameter's `label:` from the scenario, else its path in words."""
    return labels.get(name) or readable(name)


def plot_tornado(owsa, view, data, path, labels=None, readable=str, currency="USD"):
    """Tornado of the incremental NMB of the best strategy over the runner-up."""
    names = view["strategy"]
    labels = labels or {}
    shown = data["order"][:MAX_TORNADO]
    fig, ax = plt.subplots(figsize=(9.5, 0.5 * len(shown) + 2.4))
    base = data["base"]
    for row, q in enumerate(shown):
        sides = sorted((("low", LOW_COLOUR, ""), ("high", HIGH_COLOUR, "//")),
                       key=lambda sc: -abs(np.nan_to_num(data[sc[0]][q] - base)))
        for side, colour, hatch in sides:  # the longer bar first, so the shorter stays visible
            value = data[side][q]
            if finite(value):
                ax.barh(row, value - base, left=base, color=colour, height=0.6, hatch=hatch,
                        edgecolor="white", lw=0.5)
    rows = ["%s\n(low %s, base %s, high %s)" % (
        tornado_label(owsa["parameter"][q], labels, readable), "%g" % owsa["low"][q],
        "%g" % owsa["base"][q], "%g" % owsa["high"][q]) for q in shown]
    ax.set_yticks(range(len(shown)), rows, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(base, color="black", lw=1)
    ax.axvline(0, color="#D55E00", lw=1, ls=":")
    money_axis(ax.xaxis, currency)
    if data["runner"] is not None:
        ax.set_xlabel("incremental NMB of %s over %s at %s per QALY (%s per patient)"
                      % (names[data["best"]], names[data["runner"]],
                         fmt_money(data["wtp"], currency=currency), currency))
    else:
        ax.set_xlabel("NMB of %s at %s per QALY (%s per patient)"
                      % (names[data["best"]], fmt_money(data["wtp"], currency=currency), currency))
    ax.grid(axis="x", alpha=0.3)
    handles = [Patch(facecolor=c, hatch=h, edgecolor="white", label="parameter at its %s value"
                     % side) for side, c, h in (("low", LOW_COLOUR, ""),
                                                ("high", HIGH_COLOUR, "//"))]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
              fontsize=8.5, frameon=False)
    ax.set_title("One-way sensitivity analysis", pad=24)
    return save_figure(fig, path)


def threshold_panels(values, axis, max_panels=6, readable=str):
    """For a sweep's point values {path: [P]}: the panels of the threshold plot for one swept
    axis, a list of (title, [point indices sorted by the axis's value]), one panel per
    combination of the other axes' values (at most max_panels, the rest left out)."""
    others = [a for a in values if a != axis]
    P = len(values[axis])
    keys = {}
    for p in range(P):
        key = tuple(float(values[a][p]) for a in others)
        keys.setdefault(key, []).append(p)
    panels = []
    for key, pts in list(keys.items())[:max_panels]:
        pts = sorted(pts, key=lambda p: values[axis][p])
        title = ", ".join("%s = %g" % (readable(a), v) for a, v in zip(others, key))
        panels.append((title, pts))
    return panels, len(keys)


def plot_threshold(names, values, axis, nmb, wtp, path, readable=str, currency="USD",
                   relative_to=None):
    """NMB at the willingness to pay (y) against the value of one swept parameter (x), one
    line per strategy, one panel per combination of the other swept values: where two lines
    cross, the best strategy changes (the threshold). nmb: [point, strategy]; relative_to: a
    strategy index whose NMB at each point is subtracted (the incremental NMB, which shows
    the crossings at a readable scale; the best strategy is the same)."""
    nmb = np.asarray(nmb, dtype=np.float64)
    if relative_to is not None:
        nmb = nmb - nmb[:, [relative_to]]
    panels, n_all = threshold_panels(values, axis, readable=readable)
    cols = min(3, len(panels))
    rows = int(np.ceil(len(panels) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(9.5, 3.6 * rows + 1.2), squeeze=False,
                             sharey=True)
    colours, markers = strategy_colours(len(names)), strategy_markers(len(names))
    for k, (title, pts) in enumerate(panels):
        ax = axes[k // cols][k % cols]
        xs = np.asarray(values[axis])[pts]
        for s in range(len(names)):
            ax.plot(xs, nmb[pts, s], color=colours[s], marker=markers[s], ms=5, lw=1.5,
                    markeredgecolor="black", markeredgewidth=0.5)
        best = np.argmax(np.where(np.isfinite(nmb[pts]), nmb[pts], -np.inf), axis=1)
        ax.scatter(xs, nmb[pts, best], s=140, facecolors="none", edgecolors="black", lw=1.2,
                   zorder=4)
        ax.set_title(textwrap.fill(title or "all points", 45), fontsize=8)
        ax.grid(alpha=0.3)
        money_axis(ax.yaxis, currency)
        if k % cols == 0:
            ax.set_ylabel("%sNMB per patient at %s/QALY (%s)%s" % (
                "incremental " if relative_to is not None else "",
                fmt_money(wtp, currency=currency), currency,
                "\nminus that of %s" % names[relative_to] if relative_to is not None else ""),
                fontsize=8.5)
    for k in range(len(panels), rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    handles = [Line2D([], [], color=colours[s], marker=markers[s], markeredgecolor="black",
                      lw=1.5, label=n) for s, n in enumerate(names)]
    handles.append(Line2D([], [], ls="", marker="o", ms=11, markerfacecolor="none",
                          markeredgecolor="black", label="highest NMB at that value"))
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, -0.01))
    fig.supxlabel(textwrap.fill(readable(axis), 90), fontsize=9, y=0.035 * int(
        np.ceil(len(handles) / 4)) + 0.06)
    fig.suptitle(textwrap.fill("Threshold plot: net monetary benefit against %s%s" % (
        readable(axis), "" if n_all <= len(panels) else " (%d of %d panels)" % (
            len(panels), n_all)), 80), fontsize=11)
    fig.tight_layout(rect=(0, 0.06 + 0.05 * int(np.ceil(len(handles) / 4)), 1, 0.95))
    return save_figure(fig, path)


def make_figures(run, view, psa, tornado, outdir, options=None, prefix=""):
    """Write every figure the file supports; returns [(file name, path, alt text)].
    options: comparator (a strategy name or None), currency, population (a dict of
    incidence, horizon_years, rate, or None), labels ({path: label}), readable (a function
    naming a path in words); prefix goes before every file name (sweep points)."""
    o = options or {}
    cur = o.get("currency", "USD")
    figs = []

    def add(name, alt, draw, *args, **kw):
        """Draw one figure into OUTDIR/prefix+name and list it (unless options' `only` names
        the figures to draw and not this one)."""
        if o.get("only") is not None and name not in o["only"]:
            return
        path = os.path.join(outdir, prefix + name)
        draw(*args, path, **kw)
        figs.append((name, path, alt))

    if view["has_effects"]:
        add("ce_plane.png", "incremental cost-effectiveness plane", plot_ce_plane, view, run.psa,
            comparator=o.get("comparator"), currency=cur)
    else:
        add("ce_plane.png", "mean discounted cost per strategy", plot_costs_only, view,
            currency=cur)
    add("cumulative_detection.png", "cumulative detection of metastases",
        plot_cumulative_detection, run.summary)
    add("missed_by_reason.png", "missed metastases by reason", plot_missed, run.summary)
    add("costs_by_component.png", "costs by component", plot_costs, run.summary, currency=cur)
    if psa is not None and all(k in run.psa for k in ("wtp_grid", "ceac", "ceaf", "evpi")):
        add("ceac.png", "cost-effectiveness acceptability curves and frontier", plot_ceac,
            run.psa, view["strategy"], view["wtp"], currency=cur)
        add("evpi.png", "expected value of perfect information", plot_evpi, run.psa,
            view["wtp"], psa["evpi"], population=o.get("population"), currency=cur)
    if tornado is not None:
        add("tornado.png", "tornado diagram", plot_tornado, run.owsa, view, tornado,
            labels=o.get("labels"), readable=o.get("readable", str), currency=cur)
    return figs
