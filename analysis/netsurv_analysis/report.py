"""The cost-effectiveness report of a netsurv file: the tables, the figures and report.html,
one self-contained page (figures embedded as data: URIs, no external requests) for a
guideline committee, whose script records on <body> whether every image loaded and how many
rows the ICER table has, for a headless browser to check.

check_file compares the file's own /economics and /psa with what reader re-derives from its
means and draws; write_report writes everything into one directory.
"""
import base64
import os

import numpy as np

from . import reader
from .content import CSS, GLOSSARY, QUESTION, REASONS, SELF_CHECK_JS
from .figures import MAX_TORNADO, make_figures
from .findings import key_findings, psa_sentence, strategy_results
from .formatting import DASH, esc, finite, fmt_count, fmt_money, fmt_pct
from .scenario_text import discount_rates, load_scenario, scenario_strategies
from .tables import (detection_table_html, icer_rows, icer_table_html, write_icer_csv,
                     write_icer_html)
from .uncertainty import psa_summary, tornado_data


def check_file(run, view):
    """Warnings: where the file's own decision results differ from the re-derived ones."""
    return reader.economics_disagreements(view) + reader.psa_disagreements(run)


def write_report(run, view, outdir):
    """Write icer_table.csv, icer_table.html, every figure the file supports and report.html
    into outdir (made when missing); returns the number of figures."""
    os.makedirs(outdir, exist_ok=True)
    rows = icer_rows(view)
    write_icer_csv(rows, os.path.join(outdir, "icer_table.csv"), view["wtp"])
    write_icer_html(rows, os.path.join(outdir, "icer_table.html"), view["wtp"],
                    "ICER table: %s" % run.attrs.get("scenario_name", ""))
    psa = psa_summary(run, view) if view["has_effects"] else None
    tornado = (tornado_data(run.owsa, view)
               if run.owsa is not None and view["has_effects"] else None)
    figures = make_figures(run, view, psa, tornado, outdir)
    scenario = load_scenario(run.scenario_text)
    with open(os.path.join(outdir, "report.html"), "w", encoding="utf-8") as f:
        f.write(page_html(run, scenario, view, rows, psa, tornado, figures))
    return len(figures)


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


def glossary_html():
    """The glossary as a definition list."""
    return "<dl>%s</dl>" % "".join("<dt>%s</dt><dd>%s</dd>" % (esc(t), esc(d))
                                   for t, d in GLOSSARY)


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


def figure_html(path, alt, caption):
    """A <figure> with the PNG embedded and its caption (caption is HTML)."""
    return ('<figure><img src="%s" alt="%s"><figcaption>%s</figcaption></figure>'
            % (data_uri(path), esc(alt), caption))


def data_uri(path):
    """A PNG file as a base64 data: URI."""
    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")
