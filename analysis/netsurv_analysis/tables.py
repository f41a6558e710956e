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

def summary_rows(summary):
    """The summary table, one row (a list of int and str cells) per strategy, in file order."""
    d = summary
    return [[name, int(d["n_metastases"][k]), int(d["n_detected_surveillance"][k]),
             int(d["n_missed"][k])]
            + [int(d["missed_" + r][k]) for r in reader.MISSED_REASONS]
            + ["%.2f" % d["mean_detection_delay"][k], "%.0f" % d["mean_cost"][k],
               "%.0f-%.0f" % (d["mean_cost_ci_low"][k], d["mean_cost_ci_high"][k]),
               "%.2f" % d["mean_tests"][k], "%.2f" % d["mean_radiation_msv"][k]]
            for k, name in enumerate(d["strategy"])]


def summary_csv(rows):
    """The summary table as CSV lines, the column names first."""
    return [",".join(SUMMARY_COLUMNS)] + [",".join(str(x) for x in r) for r in rows]


def summary_text(rows, attrs):
    """The summary table as right-aligned text lines under a line naming the run."""
    lines = ["netsurv %s, %d patients, seed %d" % (attrs["netsurv_version"], attrs["n_patients"],
                                                   attrs["seed"])]
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows))
              for i, c in enumerate(SUMMARY_COLUMNS)]
    for r in (SUMMARY_COLUMNS,) + tuple(rows):
        lines.append("  ".join(str(x).rjust(w) for x, w in zip(r, widths)))
    return lines
