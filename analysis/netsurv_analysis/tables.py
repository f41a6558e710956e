"""The per-strategy tables: the ICER table (rows, icer_table.csv, icer_table.html and the
report's copy), the report's detection table, and the summary table of summary.py."""
import csv

import numpy as np

from . import reader
from .content import CSS, STATUS_TEXT
from .formatting import DASH, breakable, esc, finite, fmt_money, fmt_num

# ---------------------------------------------------------------- the ICER table

def interval(run, view, key_summary, psa_key):
    """(low, high) arrays of the 95 % interval of each strategy's mean discounted cost or
    QALYs, and where they come from: the 2.5 and 97.5 percentiles of the PSA draws when the
    file has them ('PSA'), else the Monte Carlo interval of the mean ('Monte Carlo'), else
    NaN."""
    n = len(view["strategy"])
    p = run.psa if run is not None else None
    if p is not None and psa_key in p and np.asarray(p[psa_key]).shape[0] >= 2:
        draws = np.asarray(p[psa_key], dtype=np.float64)
        return np.percentile(draws, 2.5, axis=0), np.percentile(draws, 97.5, axis=0), "PSA"
    s = run.summary if run is not None else {}
    if key_summary + "_ci_low" in s:
        return (np.asarray(s[key_summary + "_ci_low"], float),
                np.asarray(s[key_summary + "_ci_high"], float), "Monte Carlo")
    return np.full(n, np.nan), np.full(n, np.nan), ""


def icer_rows(view, run=None, comparator=None):
    """The ICER table as a list of dicts in cost order (raw numbers; NaN where none), with
    life-years, 95 % intervals of cost and QALYs, and the increments against the comparator
    (a strategy index; the cheapest when None)."""
    names = view["strategy"]
    n = len(names)
    c0 = int(view["order"][0]) if comparator is None else int(comparator)
    s = run.summary if run is not None else {}
    ly = np.asarray(s.get("mean_ly_discounted", np.full(n, np.nan)), float)
    c_lo, c_hi, c_src = interval(run, view, "mean_cost_discounted", "cost")
    e_lo, e_hi, e_src = interval(run, view, "mean_qaly_discounted", "effect")
    cost, effect = np.asarray(view["cost"], float), np.asarray(view["effect"], float)
    rows = []
    for rank, i in enumerate(view["order"], start=1):
        ref = int(view["reference"][i])
        status = int(view["status"][i])
        dc, de = cost[i] - cost[c0], effect[i] - effect[c0]
        rows.append({"rank": rank, "index": int(i), "strategy": names[i],
                     "cost": float(cost[i]), "effect": float(effect[i]),
                     "cost_low": float(c_lo[i]), "cost_high": float(c_hi[i]),
                     "effect_low": float(e_lo[i]), "effect_high": float(e_hi[i]),
                     "interval_source": c_src or e_src, "life_years": float(ly[i]),
                     "incremental_cost": float(view["incremental_cost"][i]),
                     "incremental_effect": float(view["incremental_effect"][i]),
                     "icer": float(view["icer"][i]),
                     "status": STATUS_TEXT.get(status, DASH), "status_code": status,
                     "status_label": reader.STATUS_LABELS[status] if 0 <= status < 4 else "",
                     "reference": names[ref] if 0 <= ref < len(names) else "",
                     "nmb": float(view["nmb"][i]), "comparator": names[c0],
                     "vs_cost": float(dc), "vs_effect": float(de),
                     "vs_icer": float(dc / de) if i != c0 and de != 0 else float("nan")})
    return rows


CSV_COLUMNS = ("rank", "strategy", "cost", "cost_low", "cost_high", "effect", "effect_low",
               "effect_high", "life_years", "incremental_cost", "incremental_effect", "icer",
               "status_label", "reference", "nmb", "comparator", "vs_cost", "vs_effect",
               "vs_icer")


def write_icer_csv(rows, path, wtp, currency="USD"):
    """icer_table.csv: one row per strategy in cost order; missing numbers are empty."""
    cur = currency.lower()
    header = {"cost": "mean_discounted_cost_%s" % cur, "cost_low": "cost_95_low",
              "cost_high": "cost_95_high", "effect": "mean_discounted_qalys",
              "effect_low": "qalys_95_low", "effect_high": "qalys_95_high",
              "life_years": "mean_discounted_life_years",
              "incremental_cost": "incremental_cost_%s" % cur,
              "incremental_effect": "incremental_qalys", "icer": "icer_%s_per_qaly" % cur,
              "status_label": "status", "reference": "compared_with",
              "nmb": "nmb_%s_at_wtp_%d" % (cur, round(wtp)),
              "vs_cost": "cost_vs_comparator_%s" % cur, "vs_effect": "qalys_vs_comparator",
              "vs_icer": "icer_vs_comparator_%s_per_qaly" % cur}
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


def status_cell(r, rows):
    """The ICER cell of a strategy off the frontier: why it has no ICER, in words."""
    code = r["status_code"]
    if code == reader.DOMINATED:
        better = [q["strategy"] for q in rows if q is not r and q["cost"] <= r["cost"]
                  and q["effect"] >= r["effect"] and (q["cost"] < r["cost"]
                                                      or q["effect"] > r["effect"])]
        return "dominated" + (" by %s" % better[0] if better else "")
    if code == reader.EXT_DOMINATED:
        return "extendedly dominated"
    if code == reader.DUPLICATE:
        return "same as a frontier strategy"
    if code == reader.FRONTIER:
        return "cheapest on the frontier (reference)"
    return DASH


def icer_table_html(rows, wtp, currency="USD", table_id="icer-table"):
    """The ICER table as an HTML <table id="icer-table" class="icer"> (another id for the
    points of a sweep): 12 columns (#, strategy, cost and
    QALYs with their intervals, life-years, compared with, increments, ICER or why none,
    status, NMB, and the increments against the comparator)."""
    best = best_row(rows)
    m = lambda x, signed=False: fmt_money(x, signed, currency=currency)  # noqa: E731
    src = next((r["interval_source"] for r in rows if r["interval_source"]), "")
    head = ("<tr><th>#</th><th>strategy</th><th>discounted cost per patient%s</th>"
            "<th>discounted QALYs per patient%s</th><th>discounted life-years</th>"
            "<th>compared with</th><th>incremental cost</th><th>incremental QALYs</th>"
            "<th>ICER (%s per QALY)</th><th>status</th><th>NMB at %s per QALY</th>"
            "<th>vs %s: cost, QALYs</th></tr>"
            % (" (95 %% %s interval)" % src if src else "",
               " (95 %% %s interval)" % src if src else "", esc(currency), esc(m(wtp)),
               esc(rows[0]["comparator"] if rows else "")))
    body = []
    for r in rows:
        cls = " ".join(c for c in ("frontier" if r["status_code"] == reader.FRONTIER else "",
                                   "best" if r is best else "") if c)
        icer = m(r["icer"]) if finite(r["icer"]) else status_cell(r, rows)
        cost = m(r["cost"]) + (" (%s to %s)" % (m(r["cost_low"]), m(r["cost_high"]))
                               if finite(r["cost_low"]) else "")
        qaly = fmt_num(r["effect"], 4) + (" (%s to %s)" % (fmt_num(r["effect_low"], 3),
                                                           fmt_num(r["effect_high"], 3))
                                          if finite(r["effect_low"]) else "")
        vs = (DASH if r["strategy"] == r["comparator"] else
              "%s, %s" % (m(r["vs_cost"], True), fmt_num(r["vs_effect"], 4, signed=True)))
        cells = [(str(r["rank"]), "num"), (r["strategy"], "name"), (cost, "num"),
                 (qaly, "num"), (fmt_num(r["life_years"], 3), "num"),
                 (r["reference"] or DASH, "name"),
                 (m(r["incremental_cost"], True), "num"),
                 (fmt_num(r["incremental_effect"], 4, signed=True), "num"),
                 (icer, "num" if finite(r["icer"]) else "why"), (r["status"], ""),
                 (m(r["nmb"]), "num"), (vs, "num")]
        tds = "".join('<td class="%s">%s</td>' % (c, breakable(t) if c == "name" else esc(t))
                      if c else "<td>%s</td>" % esc(t) for t, c in cells)
        body.append('<tr class="%s">%s</tr>' % (cls, tds) if cls else "<tr>%s</tr>" % tds)
    return ('<div class="scroll"><table id="%s" class="icer"><thead>%s</thead><tbody>\n'
            '%s\n</tbody></table></div>' % (table_id, head, "\n".join(body)))


def best_row(rows):
    """The row with the highest NMB, or None when no row has one."""
    scored = [r for r in rows if finite(r["nmb"])]
    return max(scored, key=lambda r: (r["nmb"], -r["rank"])) if scored else None


def write_icer_html(rows, path, wtp, title, currency="USD", note=""):
    """icer_table.html: the ICER table alone, a small self-contained page."""
    page = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>"
            "<style>%s</style></head><body><h1>%s</h1><p>Strategies ordered by mean discounted "
            "cost. ICERs compare each frontier strategy with the previous one; NMB at %s per "
            "QALY. %s</p>%s</body></html>\n"
            % (esc(title), CSS, esc(title), esc(fmt_money(wtp, currency=currency)), esc(note),
               icer_table_html(rows, wtp, currency)))
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)


# ---------------------------------------------------------------- the detection table

def per_thousand(summary, key):
    """summary[key] per 1,000 patients of each strategy (NaN when missing)."""
    n = np.asarray(summary.get("n_patients", np.nan), dtype=np.float64)
    v = np.asarray(summary.get(key, np.full(len(summary["strategy"]), np.nan)), np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1000.0 * v / n


def detection_table_html(summary, currency="USD", suffix=""):
    """Two tables, one row per strategy each: what happens to the metastases (per 1,000
    patients: found by each route, never found, missed, over-diagnosed, metastasis deaths),
    and the burden per patient (delay, cost, tests, false positives, radiation)."""
    rate = lambda k: ("rate", k)  # noqa: E731
    first = ((rate("n_metastases"), "metastases", 1),
             (rate("n_detected_surveillance"), "found by surveillance", 1),
             (rate("n_detected_symptoms"), "found after symptoms", 1),
             (rate("n_detected_incidental"), "found incidentally", 1),
             (rate("n_never_detected"), "never found", 1),
             (rate("n_missed"), "missed by surveillance", 1),
             (rate("n_overdiagnosed"), "over-diagnosed", 2),
             (rate("n_metastasis_deaths"), "metastasis deaths", 2))
    second = (("mean_detection_delay", "mean delay from detectable to found (years)", 1),
              ("mean_cost", "mean cost per patient (%s, undiscounted)" % currency, None),
              ("mean_tests", "tests per patient", 1),
              ("mean_false_positives", "false positives per patient", 2),
              ("mean_radiation_msv", "radiation per patient (mSv)", 1))
    return (one_table(summary, first, "detection-table" + suffix, currency)
            + '<p class="src">Per 1,000 patients of the cohort.</p>'
            + one_table(summary, second, "burden-table" + suffix, currency))


def one_table(summary, cols, table_id, currency):
    """A per-strategy table of the given (key, header, digits) columns (HTML)."""
    cols = [c for c in cols if (c[0][1] if isinstance(c[0], tuple) else c[0]) in summary]
    head = "<tr><th>strategy</th>%s</tr>" % "".join("<th>%s</th>" % esc(c[1]) for c in cols)
    body = []
    for s, name in enumerate(summary["strategy"]):
        cells = []
        for key, _, digits in cols:
            if isinstance(key, tuple):
                text = fmt_num(per_thousand(summary, key[1])[s], digits)
            elif digits is None:
                text = fmt_money(summary[key][s], currency=currency)
            else:
                text = fmt_num(summary[key][s], digits)
            cells.append('<td class="num">%s</td>' % esc(text))
        body.append('<tr><td class="name">%s</td>%s</tr>' % (breakable(name), "".join(cells)))
    return ('<div class="scroll"><table id="%s" class="wide"><thead>%s</thead><tbody>%s'
            '</tbody></table></div>' % (table_id, head, "".join(body)))


# ---------------------------------------------------------------- the summary table

def summary_columns(currency="USD"):
    """The column names of the summary table (summary.py): counts, then means, each mean with
    its 95 % interval ends as two numeric columns."""
    cur = currency.lower()
    return (("strategy", "metastases", "found_by_surveillance", "missed")
            + tuple("missed_" + r for r in reader.MISSED_REASONS)
            + ("mean_delay_y", "mean_cost_%s" % cur, "mean_cost_%s_ci_low" % cur,
               "mean_cost_%s_ci_high" % cur, "mean_cost_discounted_%s" % cur,
               "mean_cost_discounted_%s_ci_low" % cur, "mean_cost_discounted_%s_ci_high" % cur,
               "mean_ly_discounted", "mean_ly_discounted_ci_low", "mean_ly_discounted_ci_high",
               "mean_qaly_discounted", "mean_qaly_discounted_ci_low",
               "mean_qaly_discounted_ci_high", "mean_tests", "mean_radiation_msv"))


SUMMARY_COLUMNS = summary_columns()
_MEANS = (("mean_detection_delay", "%.2f", False), ("mean_cost", "%.0f", True),
          ("mean_cost_discounted", "%.0f", True), ("mean_ly_discounted", "%.4f", True),
          ("mean_qaly_discounted", "%.4f", True), ("mean_tests", "%.2f", False),
          ("mean_radiation_msv", "%.2f", False))


def summary_rows(summary):
    """The summary table, one row (a list of int and str cells) per strategy, in file order;
    a missing dataset or value is an empty cell."""
    d = summary

    def count(key, k):
        return int(d[key][k]) if key in d and np.isfinite(float(d[key][k])) else ""

    def mean(key, k, fmt):
        return fmt % d[key][k] if key in d and finite(d[key][k]) else ""

    rows = []
    for k, name in enumerate(d["strategy"]):
        row = [name, count("n_metastases", k), count("n_detected_surveillance", k),
               count("n_missed", k)] + [count("missed_" + r, k) for r in reader.MISSED_REASONS]
        for key, fmt, interval in _MEANS:
            row.append(mean(key, k, fmt))
            if interval:
                row += [mean(key + "_ci_low", k, fmt), mean(key + "_ci_high", k, fmt)]
        rows.append(row)
    return rows


def summary_csv(rows, columns=SUMMARY_COLUMNS, header=True):
    """The summary table as CSV lines, the column names first (unless header is False)."""
    return ([",".join(columns)] if header else []) + [
        ",".join(csv_text(x) for x in r) for r in rows]


def csv_text(x):
    """A CSV cell of text or a number, quoted when it holds a comma or a quote."""
    t = str(x)
    return '"%s"' % t.replace('"', '""') if any(c in t for c in ',"\n') else t


def summary_text(rows, attrs, columns=SUMMARY_COLUMNS, title=None):
    """The summary table as right-aligned text lines under a line naming the run."""
    lines = [title or "netsurv %s, %s patients, seed %s" % (
        attrs.get("netsurv_version", "?"), attrs.get("n_patients", "?"), attrs.get("seed", "?"))]
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) for i, c in enumerate(columns)]
    for r in (columns,) + tuple(rows):
        lines.append("  ".join(str(x).rjust(w) for x, w in zip(r, widths)))
    return lines


def calibration_text(cal, as_csv=False):
    """The posterior of a calibration file, one row per parameter: scenario value, posterior
    mean, 2.5 %, median, 97.5 %, the posterior's 95 % width over the prior's, the shift of the
    median in prior widths and whether the series narrow it (reader.identifiability); then the diagnostics' last ESS."""
    p = cal["posterior"]
    ident = {d["parameter"]: d for d in reader.identifiability(cal)}
    cols = ("parameter", "scenario_value", "mean", "q025", "median", "q975", "width_ratio",
            "median_shift", "identified")
    rows = [[name] + ["%.6g" % p[c][i] for c in cols[1:6]]
            + (["%.3f" % ident[name]["width_ratio"], "%+.3f" % ident[name]["median_shift"],
                ident[name]["verdict"]] if name in ident else ["", "", ""])
            for i, name in enumerate(p["parameter"])]
    if as_csv:
        return summary_csv(rows, cols)
    d = cal.get("diagnostics") or {}
    ess = d.get("ess")
    title = ("netsurv calibrate (%s), %s points, seed %s%s"
             % (cal["attrs"].get("method", "IMIS"), len(p["weight"]), cal["attrs"].get("seed", "?"),
                ", final ESS %.0f" % ess[-1] if ess is not None and len(ess) else ""))
    return summary_text(rows, cal["attrs"], cols, title)


# ---------------------------------------------------------------- where QALYs come from

QALY_PARTS = {"well": "life in good health (survival)",
              "undiagnosed_metastatic": "life with an undiagnosed metastasis",
              "after_resection": "life after resection of a metastasis",
              "metastatic": "life with known metastatic disease",
              "tests": "burden of tests", "treatment_harms": "treatment harms"}


def qaly_parts_html(summary, c0, currency="USD"):
    """The discounted QALY difference of every strategy against strategy c0, split into the
    parts of /summary/mean_qaly_discounted_by_part (HTML), with the over-diagnosed and
    metastasis deaths per 1,000 patients beside it; '' when the file has no parts."""
    parts = summary.get("mean_qaly_discounted_by_part")
    labels = summary.get("qaly_part")
    if parts is None or labels is None:
        return ""
    parts = np.asarray(parts, dtype=np.float64)
    if parts.ndim != 2 or parts.shape[1] != len(labels):
        return ""
    names = summary["strategy"]
    diff = parts - parts[c0]
    over = per_thousand(summary, "n_overdiagnosed") if "n_overdiagnosed" in summary else None
    deaths = (per_thousand(summary, "n_metastasis_deaths")
              if "n_metastasis_deaths" in summary else None)
    head = ("<tr><th>strategy</th><th>QALYs vs %s</th>%s%s%s</tr>"
            % (breakable(names[c0]), "".join("<th>%s</th>" % esc(QALY_PARTS.get(l, l))
                                              for l in labels),
               "<th>over-diagnosed per 1,000</th>" if over is not None else "",
               "<th>metastasis deaths per 1,000 (vs %s)</th>" % breakable(names[c0])
               if deaths is not None else ""))
    body = []
    for s, name in enumerate(names):
        cells = ['<td class="num">%s</td>' % fmt_num(diff[s].sum(), 4, signed=True)]
        cells += ['<td class="num">%s</td>' % fmt_num(x, 4, signed=True) for x in diff[s]]
        if over is not None:
            cells.append('<td class="num">%s</td>' % fmt_num(over[s], 2))
        if deaths is not None:
            cells.append('<td class="num">%s (%s)</td>' % (
                fmt_num(deaths[s], 2), fmt_num(deaths[s] - deaths[c0], 2, signed=True)))
        body.append('<tr><td class="name">%s</td>%s</tr>' % (breakable(name), "".join(cells)))
    return ('<div class="scroll"><table id="qaly-parts-table" class="wide"><thead>%s</thead>'
            '<tbody>%s</tbody></table></div>' % (head, "".join(body)))
