"""The report's fixed words and style: the question, the glossary, the reasons a metastasis
is missed, the names of the frontier statuses, the page's CSS and its self-check script."""
from . import reader

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
             "(money per QALY gained, in the currency of the costs)."),
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
             "would be (per patient, in money) if all parameter uncertainty were removed. It bounds "
             "what further research could be worth."),
    ("One-way sensitivity analysis", "Each parameter in turn is set to its low and then its high "
                                     "value, the others staying at their base case."),
)
REASONS = (
    ("not_followed", "not followed", "the patient's risk group has no scheduled visits"),
    ("after_schedule", "after the schedule", "it became detectable after the last scheduled visit"),
    ("between_visits", "between visits",
     "symptoms or incidental imaging found it, or the patient died, before the next visit"),
    ("false_negative", "false-negative test", "an attended visit's tests were negative"),
    ("missed_visit", "missed visit", "the visits in that window were not attended"),
)
STATUS_TEXT = {reader.FRONTIER: "frontier", reader.DOMINATED: "dominated",
               reader.EXT_DOMINATED: "extended dominated", reader.DUPLICATE: "duplicate"}
CSS = """
body{font-family:Georgia,'DejaVu Serif',serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.5;overflow-wrap:break-word}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:1px solid #bbb;margin-top:2.2rem}
h3{margin-bottom:.3rem}.sub{color:#555;margin-top:0}
table{border-collapse:collapse;margin:1rem 0;font-family:'DejaVu Sans',Arial,sans-serif;
font-size:.8rem;width:100%}.scroll{max-width:100%}
table.wide,table.icer{font-size:.7rem}
th,td{border:1px solid #ccc;padding:.2rem .35rem;vertical-align:top}
th{background:#f0f0f0;font-weight:600;overflow-wrap:break-word}
td.name{overflow-wrap:break-word}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.why{font-style:italic;color:#444;overflow-wrap:break-word}
tr.frontier td{background:#eef6ee}tr.best td{font-weight:bold}
figure{margin:1.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #ddd;
box-sizing:border-box;display:block}
figcaption{font-size:.9rem;color:#333;margin-top:.4rem}.files{color:#666;font-size:.8rem}
.note{background:#fff8e1;border-left:4px solid #E69F00;padding:.5rem 1rem}
.key{background:#eef3fb;border-left:4px solid #0072B2;padding:.5rem 1rem}
dt{font-weight:bold;margin-top:.6rem}dd{margin-left:1.5rem}
code{font-size:.85rem;background:#f4f4f4;padding:0 .2rem;overflow-wrap:anywhere}
.rule{margin:.3rem 0 .3rem 1rem}.para{margin:.8rem 0}li{margin:.2rem 0}
.src{color:#555;font-size:.9rem}a.cite{text-decoration:none;font-size:.85em}
#references li{margin:.35rem 0;font-size:.9rem}#references .key{background:none;border:0;
padding:0;font-family:monospace;font-size:.8rem;color:#555}
section.point{border-top:3px solid #0072B2;margin-top:2.5rem}
"""
SELF_CHECK_JS = """
window.addEventListener('load', function () {
  var imgs = document.images, ok = 0;
  for (var i = 0; i < imgs.length; i++) {
    if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;
  }
  var b = document.body, view = document.documentElement.clientWidth, wide = [], empty = [];
  var all = document.querySelectorAll('table, figure, img, pre, p, h1, h2, h3, ol, dl');
  for (var j = 0; j < all.length; j++) {
    var r = all[j].getBoundingClientRect();
    if (r.right > view + 0.5 || r.left < -0.5 || all[j].scrollWidth > all[j].clientWidth + 1)
      wide.push((all[j].id || all[j].tagName.toLowerCase()) + ':' + Math.round(r.right));
  }
  var tables = document.querySelectorAll('table');
  for (var t = 0; t < tables.length; t++) {
    var cells = tables[t].querySelectorAll('tbody td'), filled = 0;
    for (var c = 0; c < cells.length; c++) if (cells[c].textContent.trim() !== '') filled++;
    if (cells.length === 0 || filled === 0) empty.push(tables[t].id || ('table' + t));
  }
  b.setAttribute('data-images-total', String(imgs.length));
  b.setAttribute('data-images-ok', String(ok));
  b.setAttribute('data-table-rows',
                 String(document.querySelectorAll('table.icer tbody tr').length));
  b.setAttribute('data-tables', String(tables.length));
  b.setAttribute('data-empty-tables', empty.join(' '));
  b.setAttribute('data-view-width', String(view));
  b.setAttribute('data-doc-width', String(document.documentElement.scrollWidth));
  b.setAttribute('data-too-wide', wide.join(' '));
  b.setAttribute('data-self-check', 'done');
});
"""
