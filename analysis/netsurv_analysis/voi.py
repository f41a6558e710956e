"""The report's value-of-information section, for a committee that reads no code: which
uncertainties matter, for which risk groups, per patient and for the population, and (when
the file has /voi/evsi) what a follow-up study would be worth.

Reads /voi (netsurv run --psa K --voi; sim/output/voi_out.c):

    wtp_grid [W]; parameter [P], evppi, evppi_se [P, W]; group [NG] (named groups of
    parameters), group_size [NG], evppi_group, evppi_group_se [NG, W]; with risk groups
    evppi_group_by_risk_group(_se) [risk group, NG, W] (per patient of the risk group) and
    evppi_group_composite(_se) [NG, W] (per patient of the cohort, the decision by group);
    with economics.population, population_evppi(_group) and the attribute population_factor.

and, with /psa and /psa_by_group, the EVPI they bound. /voi/evsi (the expected value of
sample information of a follow-up study, written by a later netsurv) is read defensively: its
axes (sample size N, follow-up years T, WTP, study, risk group) are found by name and by the
bracketed dimension list of each dataset's `description` ("[years, size, wtp]"), and every
quantity it has of EVSI, population EVSI, study cost and ENBS (population EVSI minus the
study's cost) is shown against N, one line per T, at the report's WTP."""
import os
import re
import textwrap

import numpy as np

from matplotlib.ticker import FuncFormatter, MaxNLocator

from .figures import OKABE_ITO, money_axis, plt, save_figure
from .formatting import DASH, breakable, esc, finite, fmt_count, fmt_money, join_words, pretty

GROUP_WORDS = {
    "natural_history": ("natural history", "how often metastases arise, when, how fast they "
                        "grow and when they cause symptoms"),
    "cohort": ("the cohort", "who is resected: the shares by size, grade, invasion and LVI"),
    "test_accuracy": ("test accuracy", "the sensitivity and specificity of the tests"),
    "treatment_effect": ("treatment effect", "how often treating a metastasis found cures it "
                         "or slows it"),
    "costs": ("costs", "the prices of tests and treatments"),
    "utilities": ("utilities", "the quality of life in each state and the burden of tests"),
    "follow_up_other": ("other follow-up settings", "adherence and the other settings of "
                        "follow-up"),
}
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")


def group_words(name):
    """(short name, what it covers) of a named group of parameters."""
    return GROUP_WORDS.get(name, (pretty(name), ""))


def wtp_index(grid, wtp):
    """The index of wtp in the grid (the nearest point when it is not on it)."""
    grid = np.asarray(grid, dtype=np.float64)
    return int(np.argmin(np.abs(grid - wtp)))


def money(x, cur):
    """Money per patient, with cents below 10."""
    return fmt_money(x, currency=cur, cents=finite(x) and abs(float(x)) < 10)


def with_se(x, se, cur):
    """'$1,234 (SE $56)', or the DASH when missing."""
    if not finite(x):
        return DASH
    return "%s (SE %s)" % (money(x, cur), money(se, cur)) if finite(se) else money(x, cur)


def matters(x, se):
    """True when an EVPPI estimate is above zero by more than two standard errors."""
    return finite(x) and x > 0 and (not finite(se) or x > 2 * se)


def voi_data(run, wtp):
    """The section's numbers at the WTP: a dict, or None without /voi."""
    v = run.voi
    if v is None or "wtp_grid" not in v:
        return None
    w = wtp_index(v["wtp_grid"], wtp)
    d = {"w": w, "wtp": float(np.asarray(v["wtp_grid"])[w]), "draws": v["_attrs"].get("n_draws"),
         "method": v["_attrs"].get("method", ""),
         "factor": v["_attrs"].get("population_factor"),
         "groups": list(v.get("group") or []), "size": np.asarray(v.get("group_size", [])),
         "parameters": list(v.get("parameter") or [])}

    def at(key):
        """v[key] at the WTP (None when absent)."""
        return np.asarray(v[key], dtype=np.float64)[..., w] if key in v else None

    for key in ("evppi", "evppi_se", "evppi_group", "evppi_group_se", "evppi_group_composite",
                "evppi_group_composite_se", "evppi_group_by_risk_group",
                "evppi_group_by_risk_group_se"):
        d[key] = at(key)
    psa = run.psa or {}
    d["evpi"] = (float(np.asarray(psa["evpi"])[wtp_index(psa["wtp_grid"], wtp)])
                 if "evpi" in psa and "wtp_grid" in psa else float("nan"))
    pg = (run.groups or {}).get("psa_by_group") or {}
    if "evpi" in pg and "wtp_grid" in pg:
        wg = wtp_index(pg["wtp_grid"], wtp)
        d["evpi_by_group"] = np.asarray(pg["evpi"], dtype=np.float64)[:, wg]
        d["evpi_composite"] = (float(np.asarray(pg["evpi_composite"])[wg])
                               if "evpi_composite" in pg else float("nan"))
    else:
        d["evpi_by_group"], d["evpi_composite"] = None, float("nan")
    share = (run.groups or {}).get("share")
    d["risk_groups"] = list((run.groups or {}).get("name") or [])
    d["share"] = (np.asarray(share, dtype=np.float64) if share is not None and
                  np.ndim(share) == 1 else None)
    # the named groups that have a drawn parameter and an estimate
    d["rows"] = [i for i, _ in enumerate(d["groups"])
                 if (i >= len(d["size"]) or d["size"][i] > 0)
                 and d["evppi_group"] is not None and finite(d["evppi_group"][i])]
    return d


def pop(x, factor):
    """Per patient times the population factor (NaN without one)."""
    return float(x) * float(factor) if finite(x) and finite(factor) else float("nan")


def group_table(d, cur):
    """One row per named group of parameters: its size, EVPPI per patient with SE and for the
    population, for the one decision for the cohort and for the decision by risk group."""
    f = d["factor"]
    comp = d["evppi_group_composite"] is not None
    head = ("<tr><th>uncertainty about</th><th>parameters</th><th>EVPPI per patient, one "
            "decision for all (%s)</th><th>for the population</th>%s</tr>"
            % (esc(cur), "<th>EVPPI per patient, a decision per risk group</th><th>for the "
                         "population</th>" if comp else ""))
    body = []
    for i in d["rows"]:
        name, what = group_words(d["groups"][i])
        cells = ["<strong>%s</strong>%s" % (esc(name), " (%s)" % esc(what) if what else ""),
                 fmt_count(d["size"][i]) if i < len(d["size"]) else DASH,
                 with_se(d["evppi_group"][i], d["evppi_group_se"][i], cur),
                 fmt_money(pop(d["evppi_group"][i], f), currency=cur)]
        if comp:
            cells += [with_se(d["evppi_group_composite"][i], d["evppi_group_composite_se"][i],
                              cur),
                      fmt_money(pop(d["evppi_group_composite"][i], f), currency=cur)]
        body.append("<tr>%s</tr>" % "".join(
            '<td class="%s">%s</td>' % ("name" if j == 0 else "num", c)
            for j, c in enumerate(cells)))
    cells = ["<strong>all uncertainty (EVPI)</strong>", DASH, money(d["evpi"], cur),
             fmt_money(pop(d["evpi"], f), currency=cur)]
    if comp:
        cells += [money(d["evpi_composite"], cur),
                  fmt_money(pop(d["evpi_composite"], f), currency=cur)]
    body.append('<tr class="total">%s</tr>' % "".join(
        '<td class="%s">%s</td>' % ("name" if j == 0 else "num", c) for j, c in enumerate(cells)))
    noisy = [i for i in d["rows"] if finite(d["evppi_group_se"][i]) and finite(d["evpi"])
             and d["evpi"] > 0 and d["evppi_group_se"][i] > d["evpi"]]
    if comp and finite(d["evpi_composite"]) and d["evpi_composite"] > 0:
        noisy += [i for i in d["rows"] if finite(d["evppi_group_composite_se"][i])
                  and d["evppi_group_composite_se"][i] > d["evpi_composite"] and i not in noisy]
    note = ('<p class="note">Where a standard error is larger than the EVPI it belongs to (the '
            'most an EVPPI can be), as for %s here, the estimate cannot be told from zero with '
            '%s draws; a run with more draws (netsurv run --psa 1000 --voi) narrows it.</p>'
            % (esc(join_words([group_words(d["groups"][i])[0] for i in noisy])),
               fmt_count(d["draws"])) if noisy else "")
    return ('<div class="scroll"><table id="voi-groups" class="voi-table"><thead>%s</thead>'
            '<tbody>%s</tbody></table></div>%s' % (head, "".join(body), note))


def parameter_table(d, cur, readable, top=12):
    """The parameters with the largest EVPPI alone (one decision for all), at most top."""
    if d["evppi"] is None or not d["parameters"]:
        return ""
    x, se, f = d["evppi"], d["evppi_se"], d["factor"]
    if not np.any(np.nan_to_num(x) > 0):
        return ('<p class="note" id="voi-parameters">Every parameter alone has an EVPPI of 0 '
                'for one decision for the whole cohort%s.</p>'
                % (" (its EVPI is 0: the same strategy is best in every draw)"
                   if finite(d["evpi"]) and d["evpi"] <= 0 else ""))
    order = sorted(range(len(x)), key=lambda q: (-np.nan_to_num(x[q], nan=-1.0), q))[:top]
    body = "".join(
        '<tr><td class="name">%s</td><td class="num">%s</td><td class="num">%s</td><td>%s</td>'
        '</tr>' % (esc(readable(d["parameters"][q])), with_se(x[q], se[q] if se is not None
                                                              else np.nan, cur),
                   fmt_money(pop(x[q], f), currency=cur),
                   "matters" if matters(x[q], se[q] if se is not None else np.nan)
                   else "not distinguishable from zero")
        for q in order)
    return ('<div class="scroll"><table id="voi-parameters" class="voi-table"><thead><tr><th>'
            'parameter</th><th>EVPPI per patient, one decision for all (%s)</th><th>for the '
            'population</th><th>within two standard errors of zero?</th></tr></thead><tbody>%s'
            '</tbody></table></div>' % (esc(cur), body))


def risk_group_table(d, cur):
    """Rows: risk groups; columns: the group's EVPI and each named group's EVPPI with SE, per
    patient of the risk group."""
    rg, rse = d["evppi_group_by_risk_group"], d["evppi_group_by_risk_group_se"]
    if rg is None or not d["risk_groups"]:
        return ""
    head = "<tr><th>risk group</th><th>EVPI</th>%s</tr>" % "".join(
        "<th>%s</th>" % esc(group_words(d["groups"][i])[0]) for i in d["rows"])
    body = []
    for k, name in enumerate(d["risk_groups"]):
        evpi = d["evpi_by_group"][k] if d["evpi_by_group"] is not None else np.nan
        cells = [breakable(name), money(evpi, cur)]
        if finite(evpi) and evpi <= 0:   # every EVPPI is cut to 0: its SE says nothing
            cells += [money(rg[k, i], cur) for i in d["rows"]]
        else:
            cells += [("<strong>%s</strong>" if matters(rg[k, i], rse[k, i] if rse is not None
                                                         else np.nan) else "%s")
                      % with_se(rg[k, i], rse[k, i] if rse is not None else np.nan, cur)
                      for i in d["rows"]]
        body.append("<tr>%s</tr>" % "".join(
            '<td class="%s">%s</td>' % ("name" if j == 0 else "num", c)
            for j, c in enumerate(cells)))
    return ('<div class="scroll"><table id="voi-risk-groups" class="voi-table wide"><thead>%s'
            '</thead><tbody>%s</tbody></table></div><p class="note">Rows whose EVPI is 0 show no '
            'standard errors: their EVPPIs are 0 by definition (never above the EVPI).</p>'
            % (head, "".join(body)))


def risk_group_sentences(d, cur):
    """One sentence per risk group: which uncertainties matter for its decision (plain text
    items of a list)."""
    rg, rse = d["evppi_group_by_risk_group"], d["evppi_group_by_risk_group_se"]
    if rg is None:
        return []
    out = []
    for k, name in enumerate(d["risk_groups"]):
        evpi = d["evpi_by_group"][k] if d["evpi_by_group"] is not None else np.nan
        share = d["share"][k] if d["share"] is not None and k < len(d["share"]) else np.nan
        f = pop(share, d["factor"])
        if finite(evpi) and evpi <= 0:
            out.append("%s: no uncertainty changes this group's choice (the same strategy is "
                       "best in every PSA draw, EVPI 0), so research would not change what to "
                       "do for it." % name)
            continue
        ranked = sorted(d["rows"], key=lambda i: -np.nan_to_num(rg[k, i]))
        hits = [i for i in ranked if matters(rg[k, i], rse[k, i] if rse is not None else np.nan)]
        if not hits:
            i = ranked[0] if ranked else None
            out.append("%s: EVPI %s per patient of the group, but no single kind of uncertainty "
                       "stands out (every EVPPI is within two standard errors of zero)%s; more "
                       "PSA draws would tell them apart." % (
                           name, money(evpi, cur),
                           "; the largest estimate is %s, %s per patient of the group" % (
                               group_words(d["groups"][i])[0],
                               with_se(rg[k, i], rse[k, i] if rse is not None else np.nan, cur))
                           if i is not None and finite(rg[k, i]) and rg[k, i] > 0 else ""))
            continue
        words = ["%s (%s per patient of the group%s)" % (
            group_words(d["groups"][i])[0], with_se(rg[k, i], rse[k, i], cur),
            ", %s for the population" % fmt_money(rg[k, i] * f, currency=cur) if finite(f)
            else "") for i in hits]
        rest = [group_words(d["groups"][i])[0] for i in d["rows"] if i not in hits]
        out.append("%s: of its EVPI of %s per patient, what matters is %s%s." % (
            name, money(evpi, cur), join_words(words),
            "; %s do%s not (within two standard errors of zero)" % (
                join_words(rest), "es" if len(rest) == 1 else "") if rest else ""))
    return out


def plot_evppi(d, path, currency="USD"):
    """Left: EVPPI per patient of each named group of parameters, for one decision for the
    whole cohort and for a decision per risk group, with +/- 1 SE and the EVPIs dashed; the
    population value on the top axis. Right: EVPPI per patient of each named group within each
    risk group whose EVPI is above zero (a dot per named group, the group's EVPI a bar)."""
    rows = d["rows"]
    labels = [group_words(d["groups"][i])[0] for i in rows]
    rg = d["evppi_group_by_risk_group"]
    shown = ([k for k in range(len(d["risk_groups"])) if d["evpi_by_group"] is not None
              and d["evpi_by_group"][k] > 0] if rg is not None else [])
    fig, axes = plt.subplots(1, 2 if shown else 1, figsize=(9.5, max(3.6, 0.42 * max(
        len(rows) * 2, len(shown)) + 2.2)), squeeze=False,
        gridspec_kw={"width_ratios": [1, 1.25]} if shown else None)
    ax = axes[0][0]
    y = np.arange(len(rows))
    series = [("one decision for the whole cohort", d["evppi_group"], d["evppi_group_se"],
               d["evpi"], OKABE_ITO[4], "")]
    if d["evppi_group_composite"] is not None:
        series.append(("a decision per risk group", d["evppi_group_composite"],
                       d["evppi_group_composite_se"], d["evpi_composite"], OKABE_ITO[0], "//"))
    h = 0.8 / len(series)
    top_value = 0.0
    for j, (label, x, se, evpi, colour, hatch) in enumerate(series):
        vals = np.nan_to_num(np.asarray(x)[rows])
        top_value = max(top_value, float(vals.max(initial=0.0)), float(np.nan_to_num(evpi)))
        # an EVPI of 0 cuts every EVPPI to 0: their standard errors say nothing, none drawn
        err = (np.nan_to_num(np.asarray(se)[rows]) if se is not None and not
               (finite(evpi) and evpi <= 0) else None)
        ax.barh(y + (j - (len(series) - 1) / 2) * h, vals, height=h, color=colour, hatch=hatch,
                edgecolor="white", lw=0.5, label=label,
                xerr=None if err is None else [np.minimum(err, vals), err],
                error_kw=dict(ecolor="black", lw=0.8, capsize=2))
        if finite(evpi):
            ax.axvline(evpi, color=colour, ls="--", lw=1.2,
                       label="EVPI, %s: %s" % (label, money(evpi, currency)))
    ax.set_yticks(y, labels, fontsize=8.5)
    ax.invert_yaxis()
    money_axis(ax.xaxis, currency, cents=top_value < 10)
    # the axis fits the estimates and the EVPIs; longer error bars are cut at its edge
    ax.set_xlim(0, max(1.0, 1.25 * top_value))
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel("EVPPI per patient (%s), bars +/- 1 SE" % currency, fontsize=8.5)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7.5, frameon=False)
    ax.set_title("Which uncertainties matter", fontsize=10)
    factor = d["factor"]
    if finite(factor) and factor > 0:
        top = ax.secondary_xaxis("top", functions=(lambda v: v * factor, lambda v: v / factor))
        top.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _: ("$%gM" % round(v / 1e6, 1)) if currency == "USD"
            else "%g M %s" % (round(v / 1e6, 1), currency)))
        top.xaxis.set_major_locator(MaxNLocator(5))
        top.set_xlabel("for the population (%s)" % currency, fontsize=8)
        top.tick_params(labelsize=7.5)
    if shown:
        ax2 = axes[0][1]
        yy = np.arange(len(shown))
        ax2.barh(yy, [d["evpi_by_group"][k] for k in shown], color="#DDDDDD", height=0.7,
                 label="EVPI of the group")
        for j, i in enumerate(rows):
            ax2.scatter([np.nan_to_num(rg[k, i]) for k in shown], yy, s=34,
                        color=OKABE_ITO[j % len(OKABE_ITO)], marker=MARKERS[j % len(MARKERS)],
                        edgecolors="black", linewidths=0.5, zorder=3, label=labels[j])
        ax2.set_yticks(yy, [d["risk_groups"][k] for k in shown], fontsize=7.5)
        ax2.invert_yaxis()
        money_axis(ax2.xaxis, currency, thousands=True)
        ax2.set_xlim(left=0)
        ax2.set_xlabel("per patient of the risk group (%s)" % currency, fontsize=8.5)
        ax2.grid(axis="x", alpha=0.3)
        ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=7.5,
                   frameon=False)
        ax2.set_title("By risk group (those with EVPI above 0)", fontsize=10)
    fig.suptitle("Expected value of partial perfect information at %s per QALY (%s PSA draws)"
                 % (fmt_money(d["wtp"], currency=currency), fmt_count(d["draws"])), fontsize=11)
    fig.tight_layout()
    return save_figure(fig, path)


# ---- EVSI (/voi/evsi): read by names and descriptions, whatever its exact layout
AXES = (("N", ("sample_size", "sample_sizes", "size", "n_patients", "n")),
        ("T", ("follow_up_years", "years", "follow_up", "duration", "t")),
        ("wtp", ("wtp_grid", "wtp")), ("study", ("study", "study_name", "name")),
        ("group", ("risk_group", "group")))
DIM_WORDS = (("wtp", ("wtp", "willingness")), ("N", ("size", "sample", "patients", "n")),
             ("T", ("year", "follow", "duration", "t")), ("study", ("study",)),
             ("group", ("group",)))


def dims_of(description, shape, axes):
    """The axis of each dimension of a dataset: from the bracketed list of its description
    ("[years, size, wtp]"), else by matching its lengths to the axes' (unique lengths only);
    None when they cannot be told."""
    m = re.findall(r"\[([^\[\]]+)\]", description or "")
    for text in reversed(m):
        terms = [t.strip().lower() for t in text.split(",")]
        if len(terms) != len(shape):
            continue
        out = []
        for t in terms:
            words = re.findall(r"[a-z]+", t)
            hit = next((ax for ax, keys in DIM_WORDS if any(w in keys or any(
                w.startswith(k) for k in keys if len(k) > 2) for w in words)), None)
            out.append(hit)
        if all(out) and all(out[i] not in axes or shape[i] == len(axes[out[i]])
                            for i in range(len(out))):
            return out
    lengths = {ax: len(v) for ax, v in axes.items()}
    out = []
    for n in shape:
        hits = [ax for ax, length in lengths.items() if length == n and ax not in out]
        if len(hits) != 1:
            return None
        out.append(hits[0])
    return out


QUANTITIES = ("evsi", "evsi_composite", "population_evsi", "population_evsi_composite",
              "cost", "enbs", "enbs_composite")


def quantity_of(name):
    """The quantity a /voi/evsi dataset holds, by its name (None for standard errors, the ends
    of ranges, the study's data and anything else)."""
    low = name.lower()
    if low in QUANTITIES:
        return low
    if low.endswith(("_se", "_low", "_high")) or not any(k in low for k in ("evsi", "enbs")):
        return None
    q = ("enbs" if "enbs" in low else "population_evsi" if "pop" in low else "evsi")
    return q + ("_composite" if "composite" in low else "")


def parse_evsi(e, wtp, default_name):
    """The studies of one /voi/evsi group (its own datasets; a 'study' axis may hold several)
    at the WTP: a list of {'name', 'attrs', 'N', 'T', 'wtp', 'series': {quantity: [T, N]},
    'by_group': {quantity: [group, T, N]}}, empty when its axes cannot be found."""
    desc = e.get("_descriptions", {})
    axes = {}
    for ax, names in AXES:
        for n in names:
            if n in e and not isinstance(e[n], dict) and np.ndim(e[n]) == 1:
                axes[ax] = e[n] if isinstance(e[n], list) else np.asarray(e[n])
                break
    if "N" not in axes:
        return []
    N = np.asarray(axes["N"], dtype=np.float64)
    T = np.asarray(axes.get("T", [np.nan]), dtype=np.float64)
    names = list(axes.get("study", [default_name]))
    if "study" in axes and not all(isinstance(x, str) for x in names):
        names = ["%s %d" % (default_name, i + 1) for i in range(len(names))]
    w = wtp_index(axes["wtp"], wtp) if "wtp" in axes else None
    skip = {n for _, ns in AXES for n in ns}
    told = {}      # shape -> dims of a dataset whose description said them
    found = []
    for name, value in e.items():
        if name.startswith("_") or name in skip or not isinstance(value, np.ndarray) \
                or value.dtype.kind not in "fiu" or value.ndim < 1:
            continue
        quantity = quantity_of(name)
        if quantity is None:
            continue
        dims = dims_of(desc.get(name, ""), value.shape, axes)
        if dims is not None and re.search(r"\[[^\]]+\]", desc.get(name, "")):
            told[value.shape] = dims
        found.append((name, quantity, value, dims))
    series, by_group = {}, {}
    for name, quantity, value, dims in found:
        dims = told.get(value.shape, dims) if dims is None else dims
        if dims is None or "N" not in dims:
            continue
        a = np.asarray(value, dtype=np.float64)
        if "wtp" in dims:   # at the report's WTP
            a = np.take(a, w, axis=dims.index("wtp"))
            dims = [x for x in dims if x != "wtp"]
        for ax in ("study", "T"):   # order as [group?, study, T, N], adding missing axes
            if ax not in dims:
                a = a[np.newaxis, ...]
                dims = [ax] + dims
        want = (["group"] if "group" in dims else []) + ["study", "T", "N"]
        if sorted(dims) != sorted(want):
            continue
        a = np.transpose(a, [dims.index(x) for x in want])
        (by_group if "group" in dims else series)[quantity] = a
    out = []
    for j, name in enumerate(names):
        s = {k: v[j] for k, v in series.items() if v.shape[0] == len(names)}
        g = {k: v[:, j] for k, v in by_group.items() if v.shape[1] == len(names)}
        if s or g:
            out.append({"name": name, "attrs": e.get("_attrs", {}), "N": N, "T": T,
                        "wtp": float(np.asarray(axes["wtp"])[w]) if w is not None else wtp,
                        "series": s, "by_group": g,
                        "groups": [str(x) for x in axes["group"]] if "group" in axes
                        else None})
    return out


def evsi_data(run, wtp):
    """Every study of /voi/evsi at the WTP (see parse_evsi): the group's own datasets and one
    subgroup per study (/voi/evsi/STUDY/); None when there is none that can be read."""
    e = (run.voi or {}).get("evsi")
    if not e:
        return None
    studies = parse_evsi(e, wtp, "the study")
    for name, sub in sorted((e.get("_studies") or {}).items()):
        studies += parse_evsi(sub, wtp, name)
    return studies or None


QUANTITY_WORDS = {"evsi": "EVSI per patient", "evsi_composite": "EVSI per patient, decision "
                  "per risk group", "population_evsi": "population EVSI",
                  "population_evsi_composite": "population EVSI, decision per risk group",
                  "cost": "study cost", "enbs": "ENBS (population EVSI minus study cost)",
                  "enbs_composite": "ENBS, decision per risk group"}


def plot_evsi(studies, path, currency="USD"):
    """Population EVSI (solid), the study's cost (dotted) and ENBS (dashed) against the
    sample size N, one colour per follow-up T, one panel per study."""
    fig, axes = plt.subplots(1, len(studies), figsize=(9.5, 4.8), squeeze=False, sharey=True)
    styles = (("population_evsi", "-", "o"), ("population_evsi_composite", "-", "s"),
              ("enbs", "--", "^"), ("enbs_composite", "--", "D"), ("cost", ":", "x"))
    for j, st in enumerate(studies):
        ax, s = axes[0][j], st["series"]
        # the decision per risk group where the file has it (the table shows both)
        shown = [x for x in styles if x[0] in s and not (
            x[0] in ("population_evsi", "enbs") and x[0] + "_composite" in s)]
        shown = shown or [(k, "-", "o") for k in s][:2]
        for t, T in enumerate(st["T"]):
            colour = OKABE_ITO[t % len(OKABE_ITO)]
            for key, ls, marker in shown:
                ax.plot(st["N"], s[key][t], ls=ls, marker=marker, color=colour, ms=5,
                        markeredgecolor="black", markeredgewidth=0.4,
                        label="%s%s" % (QUANTITY_WORDS.get(key, key),
                                        ", T = %g years" % T if finite(T) else ""))
        ax.axhline(0, color="#777777", lw=0.7)
        ax.set_xlabel("patients in the study (N)")
        money_axis(ax.yaxis, currency)
        ax.grid(alpha=0.3)
        ax.set_title(textwrap.fill(str(st["name"]), 40), fontsize=9)
    axes[0][0].set_ylabel("%s" % currency)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=7.5, frameon=False,
               bbox_to_anchor=(0.5, -0.02))
    fig.suptitle("Value of a follow-up study at %s per QALY" % fmt_money(
        studies[0]["wtp"], currency=currency), fontsize=11)
    rows = int(np.ceil(len(labels) / 2))
    fig.tight_layout(rect=(0, 0.05 * rows + 0.02, 1, 0.95))
    return save_figure(fig, path)


def design_words(st):
    """A study's design from its attributes (groups, protocol, observes), in words."""
    a = st.get("attrs") or {}
    parts = ["%s: %s" % (label, a[k]) for k, label in (("groups", "who"), ("protocol",
             "followed with"), ("observes", "observes")) if a.get(k)]
    return "; ".join(parts)


def evsi_table(studies, cur):
    """One row per study, follow-up and sample size: every quantity the file has."""
    keys = [k for k in QUANTITIES if any(k in st["series"] for st in studies)]
    head = "<tr><th>study</th><th>follow-up (years)</th><th>patients (N)</th>%s</tr>" % "".join(
        "<th>%s (%s)</th>" % (esc(QUANTITY_WORDS[k]), esc(cur)) for k in keys)
    body = []
    for st in studies:
        for t, T in enumerate(st["T"]):
            for n, N in enumerate(st["N"]):
                cells = [esc(st["name"]), "%g" % T if finite(T) else DASH, fmt_count(N)]
                cells += [money(st["series"][k][t, n], cur) if k in st["series"] else DASH
                          for k in keys]
                body.append("<tr>%s</tr>" % "".join(
                    '<td class="%s">%s</td>' % ("name" if i == 0 else "num", c)
                    for i, c in enumerate(cells)))
    designs = ["%s (%s)" % (st["name"], design_words(st)) for st in studies if design_words(st)]
    notes = ["; ".join(designs)] if designs else []
    short = [st for st in studies if any(not np.isfinite(np.asarray(st["series"][k])).all()
                                         for k in keys if k in st["series"])]
    if short:
        notes.append(not_estimated_words(short))
    return ('<div class="scroll"><table id="evsi-table" class="voi-table"><thead>%s</thead>'
            '<tbody>%s</tbody></table></div>%s'
            % (head, "".join(body), "".join('<p class="note">%s</p>' % esc(n) for n in notes)))


def not_estimated_words(studies):
    """Why a study's cell is a dash: too few PSA draws for the regression on its data."""
    a = [st.get("attrs") or {} for st in studies]
    have = next((int(x["n_draws"]) for x in a if "n_draws" in x), None)
    need = max((int(x["min_draws"]) for x in a if "min_draws" in x), default=None)
    return ("%s: not estimated (%s). The regression on a study's data needs more PSA draws "
            "the more kinds of event it observes%s; a run with more draws (netsurv run --psa "
            "1000 --voi) fills these cells." % (
                DASH, join_words([st["name"] for st in studies]),
                " (up to %d; this file has %d)" % (need, have)
                if need is not None and have is not None else ""))


def evsi_group_table(studies, cur, risk_groups):
    """The EVSI of each study per risk group (the datasets with a risk-group axis, e.g.
    evsi_by_risk_group [risk_group, follow_up_years, sample_size, wtp]): one row per study,
    risk group, follow-up and sample size; '' when no study has one. The groups are named by
    the study's own risk_group axis, else by /groups/name."""
    keys = [k for k in QUANTITIES if any(k in st["by_group"] for st in studies)]
    if not keys:
        return ""
    head = ("<tr><th>study</th><th>risk group</th><th>follow-up (years)</th><th>patients (N)"
            "</th>%s</tr>" % "".join("<th>%s (%s)</th>" % (esc(QUANTITY_WORDS[k]), esc(cur))
                                     for k in keys))
    body = []
    for st in studies:
        if not st["by_group"]:
            continue
        G = next(iter(st["by_group"].values())).shape[0]
        names = st.get("groups") or risk_groups or []
        names = [names[k] if k < len(names) else "group %d" % (k + 1) for k in range(G)]
        for k in range(G):
            for t, T in enumerate(st["T"]):
                for n, N in enumerate(st["N"]):
                    cells = [esc(st["name"]), breakable(names[k]),
                             "%g" % T if finite(T) else DASH, fmt_count(N)]
                    cells += [money(st["by_group"][q][k, t, n], cur)
                              if q in st["by_group"] and st["by_group"][q].shape[0] == G
                              else DASH for q in keys]
                    body.append("<tr>%s</tr>" % "".join(
                        '<td class="%s">%s</td>' % ("name" if i < 2 else "num", c)
                        for i, c in enumerate(cells)))
    return ('<div class="scroll"><table id="evsi-groups-table" class="voi-table"><thead>%s'
            '</thead><tbody>%s</tbody></table></div>' % (head, "".join(body)))


def evsi_group_sentence(studies, cur, risk_groups):
    """For each study with values per risk group: the group where its largest design (most
    patients, longest follow-up) is worth most, in words."""
    out = []
    for st in studies:
        key = next((k for k in QUANTITIES if k in st["by_group"]), None)
        if key is None:
            continue
        a = st["by_group"][key][:, -1, -1]
        if not np.isfinite(a).any():
            continue
        k = int(np.nanargmax(a))
        names = st.get("groups") or risk_groups or []
        name = names[k] if k < len(names) else "group %d" % (k + 1)
        out.append("%s with %s patients%s: the %s is highest for %s (%s)." % (
            st["name"], fmt_count(st["N"][-1]), " followed for %g years" % st["T"][-1]
            if finite(st["T"][-1]) else "", QUANTITY_WORDS[key], name, money(a[k], cur)))
    return " ".join(out)


def evsi_sentence(studies, cur):
    """The best study design by ENBS (or by population EVSI), in words."""
    for keys in (("enbs_composite", "enbs"), ("population_evsi_composite", "population_evsi",
                                               "evsi_composite", "evsi")):
        key = next((k for k in keys if any(k in st["series"] for st in studies)), None)
        if key is not None:
            break
    if key is None:
        return ""
    best = max(((st, np.unravel_index(int(np.nanargmax(st["series"][key])),
                                      st["series"][key].shape))
                for st in studies if key in st["series"]),
               key=lambda x: x[0]["series"][key][x[1]])
    st, (t, n) = best
    value = st["series"][key][t, n]
    text = ("The highest %s is %s: %s following %s patients%s." % (
        QUANTITY_WORDS[key], money(value, cur), st["name"], fmt_count(st["N"][n]),
        " for %g years" % st["T"][t] if finite(st["T"][t]) else ""))
    if key.startswith("enbs"):
        text += (" A study is worth doing when its ENBS is above zero: the value of what it "
                 "would teach the decision, for the population, exceeds what it costs."
                 if value > 0 else " No design has an ENBS above zero: on these numbers no "
                 "such study is worth its cost.")
    return text


def voi_html(run, o, outdir, prefix="", figure=None):
    """The section 'What research would be worth' (HTML, with its figures in place: figure(path,
    alt, caption) gives a figure's HTML) and the number of figures it drew."""
    figure = figure or (lambda path, alt, caption: "")
    cur, wtp = o["currency"], o.get("wtp")
    d = voi_data(run, wtp)
    if d is None:
        if run.psa is None:
            return "", 0
        return ('<h2 id="voi">What research would be worth</h2><p class="note">No '
                'value-of-information analysis in this file: netsurv run --psa 1000 --voi '
                'estimates, for every uncertain parameter and for the named groups of them '
                '(natural history, test accuracy, treatment effect, costs, utilities), how much '
                'removing that uncertainty would be worth, per risk group and for the '
                'population.</p>'), 0
    figs = []
    readable = o.get("readable", str)
    pop_words = ("for the population: %s discounted patients face the decision"
                 % fmt_count(d["factor"]) if finite(d["factor"]) else
                 "(the file names no population, so values are per patient)")
    parts = ['<h2 id="voi">What research would be worth</h2>'
             "<p>The EVPI says what removing <em>all</em> uncertainty would be worth; the "
             "expected value of partial perfect information (EVPPI) says what removing the "
             "uncertainty about one parameter, or one kind of parameter, would be worth: how "
             "much better the decision would be, on average, per patient, if that were known "
             "before choosing. A large EVPPI marks the research worth doing; an EVPPI near zero "
             "means that knowing the parameter would not change the choice. Values at %s per "
             "QALY from the %s PSA draws; per patient, and %s. Each estimate carries its "
             "standard error (SE); one within two SE of zero is not told apart from no value. "
             "Method: %s.</p>" % (esc(fmt_money(d["wtp"], currency=cur)),
                                  esc(fmt_count(d["draws"])), esc(pop_words),
                                  esc(d["method"] or "regression"))]
    if d["rows"]:
        parts.append("<h3>Which uncertainties matter</h3>%s" % group_table(d, cur))
        missing = [group_words(g)[0] for i, g in enumerate(d["groups"]) if i not in d["rows"]]
        if missing:
            parts.append('<p class="note">Not estimated: %s (no drawn parameter, or too few '
                         'draws for the regression).</p>' % esc(join_words(missing)))
        ranked = [i for i in sorted(d["rows"], key=lambda i: -np.nan_to_num(
            d["evppi_group_composite"][i] if d["evppi_group_composite"] is not None
            else d["evppi_group"][i]))]
        comp = d["evppi_group_composite"] is not None
        x = d["evppi_group_composite"] if comp else d["evppi_group"]
        xse = d["evppi_group_composite_se"] if comp else d["evppi_group_se"]
        hits = [i for i in ranked if matters(x[i], xse[i])]
        parts.append("<p>%s</p>" % esc(
            ("For the decision %s, the uncertainty worth resolving first is %s (%s per patient, "
             "%s for the population)%s." % (
                 "made per risk group" if comp else "for the whole cohort",
                 group_words(d["groups"][hits[0]])[0], with_se(x[hits[0]], xse[hits[0]], cur),
                 fmt_money(pop(x[hits[0]], d["factor"]), currency=cur),
                 "; then %s" % join_words([group_words(d["groups"][i])[0] for i in hits[1:]])
                 if len(hits) > 1 else "")) if hits else
            ("For the decision %s, no kind of uncertainty has an EVPPI above zero by more than "
             "two standard errors%s%s." % (
                 "made per risk group" if comp else "for the whole cohort",
                 ": the choice is the same in every draw (EVPI 0)" if finite(d["evpi"])
                 and d["evpi"] <= 0 and not comp else "",
                 "; the largest estimate is %s, %s per patient (%s for the population), but "
                 "with %s draws its standard error is too wide to be sure: a run with more "
                 "draws (netsurv run --psa 1000 --voi) would narrow it" % (
                     group_words(d["groups"][ranked[0]])[0],
                     with_se(x[ranked[0]], xse[ranked[0]], cur),
                     fmt_money(pop(x[ranked[0]], d["factor"]), currency=cur),
                     fmt_count(d["draws"]))
                 if ranked and finite(x[ranked[0]]) and x[ranked[0]] > 0 else ""))))
        if finite(d["evpi"]) and d["evpi"] <= 0 and comp:
            parts.append('<p class="note">%s</p>' % esc(
                "With one strategy for every patient the EVPI is 0 (the same strategy is best "
                "in every draw), so nothing would be worth learning for that decision; choosing "
                "per risk group is where the uncertainty bites. Where an EVPI is 0 its EVPPIs "
                "are cut to 0 and their standard errors carry no meaning."))
    sentences = risk_group_sentences(d, cur)
    if sentences:
        parts.append("<h3>For which risk groups</h3><p>Per patient of each risk group, the "
                     "group's EVPI and the EVPPI of each kind of uncertainty (in bold where it "
                     "is above zero by more than two standard errors).</p>%s<ul id=\"voi-by-"
                     "group\">%s</ul>" % (risk_group_table(d, cur), "".join(
                         "<li>%s</li>" % esc(t) for t in sentences)))
    if d["rows"]:
        path = os.path.join(outdir, prefix + "evppi.png")
        plot_evppi(d, path, cur)
        figs.append(path)
        parts.append(figure(path, "expected value of partial perfect information",
                            "Left: the EVPPI per patient of each kind of uncertainty (bars, with one "
                            "standard error; a bar longer than the axis is cut at its edge; none where "
                            "the EVPI is 0), for one strategy for the whole cohort and for a strategy "
                            "per risk group; dashed lines are the EVPIs, the most any research could "
                            "be worth; the top axis is the same for the population. Right: within each "
                            "risk group whose EVPI is above zero (grey bar), the EVPPI of each kind of "
                            "uncertainty (one marker each), per patient of that group. Colours are the "
                            "Okabe-Ito palette and every series also has its own marker or hatching."))
    table = parameter_table(d, cur, readable)
    if table:
        parts.append("<h3>Single parameters</h3><p>The parameters with the largest EVPPI alone "
                     "(for one decision for the whole cohort).</p>%s" % table)
    ev = evsi_data(run, wtp)
    if ev is not None:
        path = os.path.join(outdir, prefix + "evsi.png")
        plot_evsi(ev, path, cur)
        figs.append(path)
        evsi_fig = figure(path, "expected value of sample information of a study",
                          "For each proposed follow-up study, against the number of patients it "
                          "follows (N): the population EVSI (solid; the value of what the study "
                          "would teach the decision), the study's cost (dotted) and the expected net "
                          "benefit of sampling, ENBS = population EVSI minus cost (dashed), one "
                          "colour per length of follow-up (T); for the decision per risk group when "
                          "the file has it (the table has both). A design is worth funding where "
                          "its ENBS is above zero; the best is where ENBS peaks.")
        parts.append("<h3 id=\"evsi\">What a follow-up study would be worth</h3><p>The expected "
                     "value of sample information (EVSI) of a study: how much better the "
                     "decision would be, on average, after seeing its data; it rises with the "
                     "number of patients towards the EVPPI of what the study measures. %s</p>%s"
                     % (esc(evsi_sentence(ev, cur)), evsi_table(ev, cur)) + evsi_fig)
        by_group = evsi_group_table(ev, cur, d["risk_groups"])
        if by_group:
            parts.append("<h3 id=\"evsi-groups\">A follow-up study, per risk group</h3><p>"
                         "The value of each study's data for the decision within each risk "
                         "group (per patient of the group where the file says EVSI per "
                         "patient). %s</p>%s" % (esc(evsi_group_sentence(
                             ev, cur, d["risk_groups"])), by_group))
    elif (run.voi or {}).get("evsi") is not None:
        parts.append('<p class="note">The file has /voi/evsi, but this report could not find '
                     'its sample sizes and the quantities against them (the datasets\' names '
                     'and descriptions did not say).</p>')
    return "\n".join(parts), len(figs)
