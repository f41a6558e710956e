"""The per-strategy tables: the ICER table (rows, icer_table.csv, icer_table.html and the
report's copy), the report's detection table, and the summary table of summary.py."""
import csv

import numpy as np

from . import reader
from .content import CSS, STATUS_TEXT
from .formatting import DASH, esc, finite, fmt_count, fmt_money, fmt_num

CSV_COLUMNS = ("rank", "strategy", "cost", "effect", "incremental_cost", "incremental_effect",
               "icer", "status_label", "reference", "nmb")
SUMMARY_COLUMNS = (("strategy", "metastases", "found_by_surveillance", "missed")
                   + tuple("missed_" + r for r in reader.MISSED_REASONS)
                   + ("mean_delay_y", "mean_cost_usd", "mean_cost_ci", "mean_tests",
                      "mean_radiation_msv"))


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
                     "status_label": reader.STATUS_LABELS[status] if 0 <= status < 4 else "",
                     "reference": names[ref] if 0 <= ref < len(names) else "",
                     "nmb": float(view["nmb"][i])})
    return rows


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
        cls = " ".join(c for c in ("frontier" if r["status_code"] == reader.FRONTIER else "",
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


# ---------------------------------------------------------------- the detection table

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
    mean, 2.5 %, median, 97.5 %; then the diagnostics' last ESS."""
    p = cal["posterior"]
    cols = ("parameter", "scenario_value", "mean", "q025", "median", "q975")
    rows = [[name] + ["%.6g" % p[c][i] for c in cols[1:]] for i, name in enumerate(p["parameter"])]
    if as_csv:
        return summary_csv(rows, cols)
    d = cal.get("diagnostics") or {}
    ess = d.get("ess")
    title = ("netsurv calibrate (%s), %s points, seed %s%s"
             % (cal["attrs"].get("method", "IMIS"), len(p["weight"]), cal["attrs"].get("seed", "?"),
                ", final ESS %.0f" % ess[-1] if ess is not None and len(ess) else ""))
    return summary_text(rows, cal["attrs"], cols, title)
