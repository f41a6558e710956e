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
from .figures import MAX_TORNADO, comparator_index, make_figures, population_factor
from .findings import key_findings, psa_sentence, strategy_results
from .formatting import DASH, esc, finite, fmt_count, fmt_money, fmt_pct, set_currency
from .groups import groups_html
from .references import cite_html, cited_keys, format_entry, read_bib
from .scenario_text import (currency_of, discount_rates, load_scenario, money_note,
                            parameter_labels, readable_path, scalar, scenario_strategies)
from .tables import (detection_table_html, icer_rows, icer_table_html, qaly_parts_html,
                     write_icer_csv, write_icer_html)
from .tidy import icer_frame_of, write_frame
from .uncertainty import psa_summary, tornado_data
from .voi import voi_html


def check_file(run, view):
    """Warnings: where the file's own decision results differ from the re-derived ones."""
    return (reader.economics_disagreements(view) + reader.psa_disagreements(run)
            + reader.psa_by_group_disagreements(run))


def default_options():
    """The report's options: comparator (a strategy name; None: the cheapest), population
    (None, or incidence, horizon_years, rate and where they come from)."""
    return {"comparator": None, "population": None, "population_args": (None, None)}


def resolve_options(run, view, scenario, options):
    """The options of one report completed from the file: currency, price year, the parameter
    labels and the population for the EVPI (the file's, else --population/--horizon-years)."""
    o = dict(default_options())
    o.update(options or {})
    o["currency"], o["price_year"] = currency_of(run, scenario)
    set_currency(o["currency"])
    o["labels"] = parameter_labels(scenario)
    o["readable"] = lambda p: o["labels"].get(p) or readable_path(p)
    o["money_note"] = money_note(run, scenario, view["wtp"])
    o["population"] = population_of(run, scenario, o.get("population_args", (None, None)))
    if o.get("comparator") is not None:
        comparator_index(view, o["comparator"])  # ValueError for an unknown name
    return o


def population_of(run, scenario, args):
    """The population the EVPI is scaled to: incidence (patients a year) and horizon (years)
    from the file (/economics attributes population_incidence and population_horizon_years,
    or the scenario's economics.population.incidence and .horizon_years), else from the
    report's --population N --horizon-years T; discounted at the file's cost rate. None when
    neither gives both."""
    attrs = (run.economics or {}).get("_attrs", {})
    pop = ((scenario or {}).get("economics") or {}).get("population") or {}
    n = attrs.get("population_incidence", scalar(pop.get("incidence")) if isinstance(pop, dict)
                  else None)
    t = attrs.get("population_horizon_years", scalar(pop.get("horizon_years"))
                  if isinstance(pop, dict) else None)
    where = "the file"
    if not (finite(n) and finite(t)):
        n, t = args
        where = "the report's --population and --horizon-years options"
    if not (finite(n) and finite(t)) or float(n) <= 0 or float(t) <= 0:
        return None
    costs, _ = discount_rates(run, scenario)
    return {"incidence": float(n), "horizon_years": float(t),
            "rate": float(costs) if finite(costs) else 0.03, "source": where}


def write_report(run, view, outdir, options=None):
    """Write icer_table.csv, icer_table.html, every figure the file supports (SVG and 300 dpi
    PNG) and report.html into outdir (made when missing); returns the number of figures."""
    os.makedirs(outdir, exist_ok=True)
    scenario = load_scenario(run.scenario_text)
    o = resolve_options(run, view, scenario, options)
    body, n_figures = run_sections(run, view, scenario, outdir, o)
    title = "Surveillance after endoscopic resection of rectal NETs: cost-effectiveness report"
    with open(os.path.join(outdir, "report.html"), "w", encoding="utf-8") as f:
        f.write(page(title, [
            "<h1>%s</h1><p class=\"sub\">Scenario: %s</p>"
            % (esc(title), esc(run.attrs.get("scenario_name", "?")))] + body
            + [references_html(run.scenario_text), "<h2>Glossary</h2>%s" % glossary_html(),
               technical_html(run, view)]))
    return n_figures


def run_sections(run, view, scenario, outdir, o, prefix="", compact=False):
    """The sections of the report of one run (or one sweep point: prefix names its files,
    compact leaves out the question, the strategy descriptions and the uncertainty figures);
    writes the ICER table files and the figures; returns (list of HTML, number of figures)."""
    c0 = comparator_index(view, o.get("comparator"))
    rows = icer_rows(view, run, c0)
    suffix = "-" + prefix.rstrip("_") if prefix else ""   # unique table ids per sweep point
    cur = o["currency"]
    write_icer_csv(rows, os.path.join(outdir, prefix + "icer_table.csv"), view["wtp"], cur)
    write_icer_html(rows, os.path.join(outdir, prefix + "icer_table.html"), view["wtp"],
                    "ICER table: %s" % run.attrs.get("scenario_name", ""), cur, o["money_note"])
    write_frame(icer_frame_of(view), os.path.join(outdir, prefix + "icer_dampack.csv"))
    psa = psa_summary(run, view) if view["has_effects"] else None
    tornado = (tornado_data(run.owsa, view)
               if run.owsa is not None and view["has_effects"] else None)
    figures = make_figures(run, view, psa, tornado, outdir,
                           dict(o, only={"ce_plane.png"}) if compact else o, prefix)
    caps = captions(view, psa, tornado, view["strategy"], o, c0)
    figs = {name: figure_html(path, alt, caps.get(name, "")) for name, path, alt in figures}
    names, sec = view["strategy"], []
    desc = scenario.get("description") if scenario else None
    if not compact:
        sec.append("<h2>The question and the run</h2><p>%s</p>%s<p>%s</p>"
                   % (esc(QUESTION), "<p>%s</p>" % esc(desc.strip()) if isinstance(desc, str)
                      else "", run_paragraph(run, scenario, view, o)))
        sec.append('<h2>Key findings</h2><div class="key">%s</div>'
                   % "".join("<div class=\"para\">%s</div>" % p
                             for p in key_findings(run, view, psa, tornado, o["readable"])))
        groups = groups_html(run, scenario, o)
        if groups:
            sec.append(groups)
        sec.append("<h2>The strategies</h2>%s" % strategies_html(run, scenario, view))
    sec.append("<h2>Cost-effectiveness</h2><p>Strategies in order of mean discounted cost. Each "
               "frontier strategy is compared with the previous one on the frontier; the others "
               "are ruled out, and the ICER column says why (see the glossary). The strategy in "
               "bold has the highest net monetary benefit at %s per QALY. The last column "
               "compares every strategy with %s%s. %s</p>%s"
               % (esc(fmt_money(view["wtp"], currency=cur)), esc(names[c0]),
                  " (the cheapest)" if o.get("comparator") is None else " (chosen with "
                  "--comparator)", esc(o["money_note"]),
                  icer_table_html(rows, view["wtp"], cur, "icer-table" + suffix)))
    sec.append(figs.get("ce_plane.png", ""))
    parts = qaly_parts_html(run.summary, c0, cur)
    if parts and not compact:
        sec.append("<h2>Where the QALY differences come from</h2><p>The discounted QALYs per "
                   "patient of each strategy minus those of %s, split into their parts: life "
                   "in good health (longer survival shows here), the quality of life in each "
                   "disease state, and the losses from tests and treatment harms; beside them "
                   "the metastases found by surveillance that would never have presented "
                   "(over-diagnosis) and the metastasis deaths, per 1,000 patients.</p>%s"
                   % (esc(names[c0]), parts))
    sec.append("<h2>Detection and missed metastases</h2><p>Per 1,000 patients of the cohort, "
               "so that strategies and runs of any size compare directly; costs in %s.</p>%s%s%s"
               % (esc(cur), detection_table_html(run.summary, cur, suffix),
                  figs.get("cumulative_detection.png", ""), figs.get("missed_by_reason.png", "")))
    sec.append("<h2>Costs</h2><p>%s</p>%s" % (esc(o["money_note"]),
                                             figs.get("costs_by_component.png", "")))
    if not compact or psa is not None or tornado is not None:
        sec.append("<h2>Uncertainty</h2>%s%s" % (
            uncertainty_notes(psa, tornado, names, view["wtp"], o),
            "".join(figs.get(n, "") for n in ("ceac.png", "evpi.png", "tornado.png"))))
    n_voi = 0
    if not compact:
        voi_text, n_voi = voi_html(run, dict(o, wtp=view["wtp"]), outdir, prefix, figure_html)
        if voi_text:
            sec.append(voi_text)
    return sec, len(figures) + n_voi


def page(title, sections):
    """A whole self-contained page (a str) of the given sections."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>%s</title><style>%s</style></head>\n<body>\n%s\n<script>%s</script>\n"
            "</body></html>\n" % (esc(title), CSS, "\n".join(sections), SELF_CHECK_JS))


def references_html(*texts):
    """The full references of every work the texts' sources cite (HTML), numbered in order of
    first citation, each with its key as an anchor (#ref-KEY)."""
    keys = cited_keys(*texts)
    if not keys:
        return ""
    bib = read_bib()
    items = []
    for k in keys:
        e = bib.get(k)
        text = format_entry(e) if e else "(key %s is not in the bibliography)" % k
        items.append('<li id="ref-%s"><span class="key">[%s]</span> %s</li>'
                     % (esc(k), esc(k), esc(text)))
    return ('<h2>References</h2><p>Every work the scenario of this file cites (its '
            '<code>source:</code> strings name them by key), from the project\'s bibliography '
            '(docs/references.bib).</p><ol id="references">%s</ol>' % "".join(items))


def run_paragraph(run, scenario, view, o):
    """The run in words (HTML)."""
    a = run.attrs
    costs, effects = discount_rates(run, scenario)
    disc = (" Costs are discounted at %s and QALYs at %s a year." % (fmt_pct(costs, 1),
                                                                       fmt_pct(effects, 1))
            if finite(costs) and finite(effects) else "")
    wtp_note = "" if view["wtp_from_file"] else (" The willingness to pay is not in the file: "
                                                  "the default is assumed.")
    return ("netsurv %s simulated %s virtual patients (seed %s) with the scenario "
            "\u201c%s\u201d on %s. Every strategy was played on the same patients (common random "
            "numbers), so differences between strategies are differences of strategy, not of "
            "chance.%s %s%s%s"
            % (esc(a.get("netsurv_version", "?")), fmt_count(a.get("n_patients", np.nan)),
               esc(a.get("seed", "?")), esc(a.get("scenario_name", "?")),
               esc(a.get("created", "?")), disc, esc(o["money_note"]), wtp_note,
               " This file joins the shards of one run (netsurv merge): the numbers are those "
               "of one run of all patients." if run.kind == "merged" else ""))


def strategies_html(run, scenario, view):
    """One subsection per strategy: source, rules in words, and its results."""
    rules = scenario_strategies(scenario)
    sources = run.summary.get("strategy_source") or [""] * len(run.strategies)
    parts = []
    for s, name in enumerate(run.strategies):
        block = ['<h3 id="strategy-%d">%s</h3>' % (s, esc(name)),
                 '<p class="src">Source: %s</p>' % (cite_html(sources[s]) if sources[s]
                                                     else DASH)]
        for who, what, basis in rules.get(name, []):
            block.append('<p class="rule"><strong>%s:</strong> %s.%s</p>'
                         % (esc(who[:1].upper() + who[1:]), cite_html(what),
                            ' <span class="src">(%s)</span>' % cite_html(basis) if basis else ""))
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


def uncertainty_notes(psa, tornado, names, wtp, o):
    """Notes on the uncertainty analyses that are absent from the file, and on the population
    the EVPI is scaled to (HTML)."""
    notes = []
    if psa is not None:
        pop = o.get("population")
        if pop:
            notes.append("Population EVPI: the per-patient EVPI times the discounted number of "
                         "patients who will face the decision, %s patients a year for %g years "
                         "discounted at %s a year (%s): %s patients. At %s per QALY that is %s."
                         % (fmt_count(pop["incidence"]), pop["horizon_years"],
                            fmt_pct(pop["rate"], 1), esc(pop["source"]),
                            fmt_count(population_factor(pop)),
                            esc(fmt_money(wtp, currency=o["currency"])),
                            esc(fmt_money(psa["evpi"] * population_factor(pop),
                                          currency=o["currency"]))))
        else:
            notes.append("The file does not say how many patients a year face this decision nor "
                         "for how long, so the EVPI is per patient only; report.py --population N "
                         "--horizon-years T scales it to a population.")
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


def captions(view, psa, tornado, names, o, c0):
    """Figure captions (HTML), keyed by file name."""
    cur = o["currency"]
    wtp = esc(fmt_money(view["wtp"], currency=cur))
    note = esc(o["money_note"])
    cloud = (" The faint clouds are the %d PSA draws of each strategy, each draw's difference "
             "from %s in the same draw: their spread shows how uncertain the increments are."
             % (psa["draws"], esc(names[c0])) if psa else "")
    caps = {
        "ce_plane.png": (
            "The incremental cost-effectiveness plane: each large point is a strategy, placed "
            "by its mean discounted QALYs per patient (across) and mean discounted cost per "
            "patient (up) minus those of %s, the comparator (at the origin). Right is more "
            "health, up is dearer. The dashed line through the origin is the willingness to pay "
            "(%s per QALY): a strategy below it is cost-effective against the comparator, one "
            "above it is not. The black line joins the strategies on the efficiency frontier; "
            "a strategy above or to the left of it is dominated or extendedly dominated, and "
            "the slope of each frontier segment is the ICER between neighbours. Where the "
            "frontier's strategies crowd one corner, an inset shows them enlarged.%s %s"
            % (esc(names[c0]), wtp, cloud, note)
            if view["has_effects"] else
            "This file has no QALYs, so the cost-effectiveness plane cannot be drawn; the bars "
            "show the mean discounted cost per patient of each strategy, cheapest on top. "
            + note),
        "cumulative_detection.png": (
            "For each strategy, the share of its metastases found by each year after resection, "
            "by any route (surveillance, symptoms or incidental imaging). The denominator is the "
            "metastases that became detectable while the patient lived under that strategy; it "
            "is smaller where surgery at time 0 removes nodal disease. Higher and further left "
            "means found earlier; the gap below 100 % at the right are metastases never found in "
            "the patient's lifetime. Markers tell the strategies apart without colour."),
        "missed_by_reason.png": (
            "Metastases per 1,000 patients that became detectable while the patient lived but "
            "were not found by a surveillance visit, split by reason: %s. The numbers after "
            "each bar are the missed and all metastases per 1,000 patients."
            % "; ".join("<em>%s</em>: %s" % (esc(label), esc(why)) for _, label, why in REASONS)),
        "costs_by_component.png": (
            "Mean undiscounted cost per patient, split into surveillance tests, work-up of false "
            "positives, and treatment (surgery at time 0, treatment of metastases and of local "
            "recurrence). Undiscounted: the sum of what is spent, whenever it is spent; the ICER "
            "table uses discounted costs. " + note),
        "ceac.png": (
            "For each willingness to pay (across, %s per QALY), the share of the PSA draws in "
            "which each strategy has the highest net monetary benefit: the probability that it "
            "is the cost-effective choice. The thick grey band with markers (the marker and "
            "colour of the chosen strategy) is the acceptability frontier (CEAF): the strategy "
            "with the highest expected NMB, the one to choose on current evidence, which need "
            "not be the one most often best. Dashed line: the willingness to pay of this report "
            "(%s)." % (esc(cur), wtp)),
        "evpi.png": (
            "Expected value of perfect information per patient at each willingness to pay "
            "(left axis): how much, on average, choosing with all parameter uncertainty removed "
            "would gain over choosing now. It is highest where strategies are close in NMB. %s"
            % ("The right axis scales it to the population that will face the decision (%s "
               "patients a year over %g years, discounted; from %s): an upper bound on what "
               "research to reduce the uncertainty could be worth."
               % (fmt_count(o["population"]["incidence"]), o["population"]["horizon_years"],
                  esc(o["population"]["source"])) if o.get("population") else
               "Without the number of patients affected (report.py --population N "
               "--horizon-years T) only the per-patient value is shown.")),
    }
    if tornado is not None:
        caps["tornado.png"] = tornado_caption(tornado, names) + (
            " Rows are named by each parameter's <code>label:</code> in the scenario, or by its "
            "path in words. " + note)
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
            "one parameter is set to its low (blue) or high (orange, hatched) value and every other stays "
            "at its base case. Parameters are sorted by the width of their bar, widest on top%s; "
            "the black line is the base case.%s"
            % (fmt_money(t["wtp"]), what, " (the %d widest shown)" % MAX_TORNADO
               if len(t["order"]) > MAX_TORNADO else "", why))


def figure_html(path, alt, caption):
    """A <figure> with the PNG embedded, a link to its SVG beside it, and its caption
    (caption is HTML)."""
    svg = os.path.splitext(os.path.basename(path))[0] + ".svg"
    return ('<figure><img src="%s" alt="%s"><figcaption>%s <span class="files">(Also as '
            '<code>%s</code> and a 300 dpi PNG in the report\'s folder.)</span></figcaption>'
            '</figure>' % (data_uri(path), esc(alt), caption, esc(svg)))


def data_uri(path):
    """A PNG file as a base64 data: URI."""
    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")
