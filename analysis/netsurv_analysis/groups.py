"""The report's answers per risk group, from the per-group datasets when the file has them
(skipped without a word when it has not):

    /groups/name                      [G] group names
    /groups/rule (optional)           [strategy, group] the rule of each strategy for the group
    /groups/definition (optional)     [G] who is in each group, in words
    /summary_by_group/*               the datasets of /summary, [strategy, group] (histograms
                                      [strategy, group, bin], QALY parts [strategy, group, part])
    /economics_by_group/              nmb, status, icer, inc_cost, inc_effect [group, strategy]
                                      at the scenario's WTP; best [group] (0-based strategy)
    /composite/                       strategy [group] (0-based: the choice for each group),
                                      mean_cost_discounted, mean_qaly_discounted (scalars)
    /psa_by_group/ (optional)         cost, effect [draw, group, strategy], share [draw, group],
                                      wtp_grid, ceac [group, wtp, strategy], ceaf [group, wtp],
                                      evpi [group, wtp], evpi_composite [wtp]

For each group: what each strategy does for it (its rule, from /groups/rule or, where a rule is
named after the group, the scenario's strategies), what the model recommends at the
willingness to pay and how clear the choice is, how sure it is (from /psa_by_group: the
share of the PSA draws in which the recommended strategy has the highest net benefit, and the
EVPI per patient and for the population), and why: metastasis deaths and life-years per
1,000 patients, the QALY difference split into its parts, and the tests per metastasis death
averted against the strategy with the fewest tests."""
import numpy as np

from . import reader
from .content import STATUS_TEXT
from .figures import population_factor
from .formatting import (DASH, breakable, esc, finite, fmt_count, fmt_money, fmt_num, fmt_pct,
                         join_words, pretty)
from .references import cite_html
from .scenario_text import describe_rule, scalar

PARTS = {"well": "survival in good health", "undiagnosed_metastatic": "quality of life with an "
         "undiagnosed metastasis", "after_resection": "quality of life after resection",
         "metastatic": "quality of life with known metastatic disease",
         "tests": "the burden of tests", "treatment_harms": "treatment harms"}


def group_values(g, key, s, k):
    """summary_by_group[key][s, k] as a float (NaN when missing)."""
    v = g.get(key)
    if v is None:
        return float("nan")
    v = np.asarray(v, dtype=np.float64)
    return float(v[s, k]) if v.ndim >= 2 and s < v.shape[0] and k < v.shape[1] else float("nan")


def per_thousand(g, key, s, k):
    """A per-group count (or a per-patient mean, for mean_* keys) per 1,000 patients."""
    x = group_values(g, key, s, k)
    if key.startswith("mean_"):
        return 1000.0 * x
    n = group_values(g, "n_patients", s, k)
    return 1000.0 * x / n if finite(n) and n > 0 else float("nan")


# the reported attributes a rule's or a group's `when:` tests, and their values (the words of
# sim/scenario/strategies.c); size_mm is {min (inclusive), max (exclusive)}
ATTRIBUTES = (("grade", ("G1", "G2", "G3")), ("margin", ("R0", "R1", "Rx")),
              ("lvi", ("no", "yes")), ("depth", ("submucosa", "muscularis")))


def _box(when):
    """A `when:` as (size low, size high, {attribute: set of values}); None for otherwise."""
    if not isinstance(when, dict):
        return None
    size = when.get("size_mm") if isinstance(when.get("size_mm"), dict) else {}
    lo = float(size.get("min", 0.0))
    hi = float(size.get("max", float("inf")))
    sets = {}
    for attr, values in ATTRIBUTES:
        v = when.get(attr)
        if v is None:
            sets[attr] = set(values)
        else:   # YAML reads an unquoted no/yes as a boolean
            v = v if isinstance(v, list) else [v]
            sets[attr] = {("yes" if x else "no") if isinstance(x, bool) else str(x) for x in v}
    return lo, hi, sets


def _owner(boxes, size, cell):
    """The index of the first box holding the cell (size, {attribute: value}); the index of
    the otherwise box (None) when no other does; -1 when none."""
    other = -1
    for i, b in enumerate(boxes):
        if b is None:
            other = i
        elif b[0] <= size < b[1] and all(cell[a] in b[2][a] for a, _ in ATTRIBUTES):
            return i
    return other


def partition_rules(scenario, group_name, rules):
    """The indices of the rules (a strategy's `rules:`, which partition the reported patients)
    that patients of the named risk group (`groups:`) can fall under, in the rules' order,
    found cell by cell of the attribute space as the loader checks partitions; [] when the
    group is not in the scenario."""
    groups = [g for g in (scenario or {}).get("groups") or [] if isinstance(g, dict)]
    gboxes = [None if g.get("otherwise") else _box(g.get("when")) for g in groups]
    names = [g.get("name") for g in groups]
    if group_name not in names:
        return []
    k = names.index(group_name)
    rboxes = [None if r.get("otherwise") else _box(r.get("when")) for r in rules
              if isinstance(r, dict)]
    cuts = sorted({0.0, float("inf")} | {x for b in gboxes + rboxes if b for x in b[:2]})
    hit = set()
    for lo, hi in zip(cuts, cuts[1:]):
        if not hi > lo or lo == float("inf"):
            continue
        size = lo + 1 if hi == float("inf") else (lo + hi) / 2
        for grade in ATTRIBUTES[0][1]:
            for margin in ATTRIBUTES[1][1]:
                for lvi in ATTRIBUTES[2][1]:
                    for depth in ATTRIBUTES[3][1]:
                        cell = {"grade": grade, "margin": margin, "lvi": lvi, "depth": depth}
                        if _owner(gboxes, size, cell) == k:
                            r = _owner(rboxes, size, cell)
                            if r >= 0:
                                hit.add(r)
    return sorted(hit)


def rules_for_group(run, scenario, k, name):
    """{strategy index: rule in words} for group k: /groups/rule when the file has it, else
    the rule of each strategy whose name is the group's, else the rules of each strategy that
    the group's patients fall under (by the groups' and the rules' `when:`)."""
    out = {}
    table = (run.groups or {}).get("rule")
    strategies = {s.get("name"): s for s in (scenario or {}).get("strategies") or []
                  if isinstance(s, dict)}
    treatments = {t.get("name"): t for t in (scenario or {}).get("treatments") or []
                  if isinstance(t, dict)}
    for s, sname in enumerate(run.strategies):
        rule_name = None
        if table is not None:
            try:
                rule_name = table[s][k]
            except (IndexError, TypeError):
                rule_name = None
        rules = (strategies.get(sname) or {}).get("rules") or []
        for r in rules:
            if isinstance(r, dict) and (r.get("name") == rule_name or
                                        (rule_name is None and r.get("name") == name)):
                try:
                    who, what, _ = describe_rule(r, treatments)
                    out[s] = "%s (rule %s: %s)" % (what, r.get("name"), who)
                except (TypeError, ValueError, AttributeError):
                    pass
        if s not in out and rule_name:
            out[s] = "rule %s" % rule_name
        if s not in out and rule_name is None and rules:
            try:
                hit = partition_rules(scenario, name, rules)
                words = [describe_rule(rules[i], treatments) for i in hit]
            except (TypeError, ValueError, AttributeError):
                hit, words = [], []
            if len(hit) == 1:
                out[s] = "%s (rule %s)" % (words[0][1], rules[hit[0]].get("name"))
            elif hit:
                out[s] = "by its patients' attributes: %s" % "; ".join(
                    "%s (rule %s: %s)" % (w[1], rules[i].get("name"), w[0])
                    for i, w in zip(hit, words))
    return out


def tests_per_death_averted(g, s, ref, k):
    """Tests per metastasis death averted by strategy s against ref in group k, or NaN
    (no deaths averted)."""
    n = group_values(g, "n_patients", s, k)
    tests = group_values(g, "mean_tests", s, k) - group_values(g, "mean_tests", ref, k)
    d_s = group_values(g, "n_metastasis_deaths", s, k)
    d_r = group_values(g, "n_metastasis_deaths", ref, k)
    if not (finite(n) and n > 0 and finite(d_s) and finite(d_r)) or d_r - d_s <= 0:
        return float("nan")
    return tests * n / (d_r - d_s)


def group_table(run, k, econ, rules, ref, cur):
    """The per-group table (HTML): one row per strategy."""
    g, names = run.groups["summary_by_group"], run.strategies
    best = int(econ["best"][k]) if econ is not None and "best" in econ else None
    head = ("<tr><th>strategy</th><th>what it does for this group</th><th>tests per patient"
            "</th><th>metastasis deaths per 1,000</th><th>life-years per 1,000 (discounted)"
            "</th><th>tests per metastasis death averted (vs %s)</th><th>NMB per patient (%s)"
            "</th><th>status</th></tr>" % (esc(names[ref]), esc(cur)))
    body = []
    for s, name in enumerate(names):
        nmb = econ["nmb"][k][s] if econ is not None and "nmb" in econ else np.nan
        status = int(econ["status"][k][s]) if econ is not None and "status" in econ else -1
        tpd = tests_per_death_averted(g, s, ref, k) if s != ref else np.nan
        cells = [breakable(name), cite_html(rules.get(s, DASH)),
                 fmt_num(group_values(g, "mean_tests", s, k), 1),
                 fmt_num(per_thousand(g, "n_metastasis_deaths", s, k), 2),
                 fmt_num(per_thousand(g, "mean_ly_discounted", s, k), 0),
                 fmt_num(tpd, 0) if finite(tpd) else (DASH if s == ref else "none averted"),
                 fmt_money(nmb, currency=cur), STATUS_TEXT.get(status, DASH)]
        cls = ' class="best"' if s == best else ""
        body.append("<tr%s>%s</tr>" % (cls, "".join(
            '<td class="%s">%s</td>' % ("num" if 2 <= i <= 6 else "name" if i == 0 else "", c)
            for i, c in enumerate(cells))))
    return ('<div class="scroll"><table class="group-table wide"><thead>%s</thead><tbody>%s'
            '</tbody></table></div>' % (head, "".join(body)))


def qaly_parts_sentence(run, k, best, ref):
    """The QALY difference of best over ref in group k split into its parts (plain text)."""
    g = run.groups["summary_by_group"]
    parts = g.get("mean_qaly_discounted_by_part")
    labels = run.summary.get("qaly_part")
    if parts is None or labels is None or best == ref:
        return ""
    parts = np.asarray(parts, dtype=np.float64)
    if parts.ndim != 3:
        return ""
    diff = parts[best, k] - parts[ref, k]
    words = ["%s %s" % (fmt_num(d, 4, signed=True), PARTS.get(lab, pretty(lab)))
             for d, lab in zip(diff, labels) if finite(d) and abs(d) >= 5e-5]
    if not words:
        return ""
    return (" Against %s its QALY difference per patient is %s: %s."
            % (run.strategies[ref], fmt_num(float(np.nansum(diff)), 4, signed=True),
               join_words(words)))


def recommendation(run, k, econ, wtp, cur):
    """What the model recommends for group k, and how clear the choice is (plain text)."""
    names = run.strategies
    if econ is None or "nmb" not in econ:
        return ""
    nmb = np.asarray(econ["nmb"][k], dtype=np.float64)
    best = int(econ["best"][k]) if "best" in econ else reader.best_by_nmb(nmb)
    order = np.argsort(-np.where(np.isfinite(nmb), nmb, -np.inf), kind="stable")
    # the runner-up is the best strategy that does something else for the group (a strategy
    # with the same NMB to the last cent gives this group the same care)
    same = [int(s) for s in order if s != best and abs(nmb[s] - nmb[best]) < 0.005]
    others = [int(s) for s in order if s != best and int(s) not in same]
    runner = others[0] if others else best
    gap = nmb[best] - nmb[runner] if runner != best else np.nan
    text = ("At %s per QALY the model recommends %s for this group: it has the highest net "
            "monetary benefit" % (fmt_money(wtp, currency=cur), names[best]))
    if same:
        text += " (as has %s, which give%s this group the same care)" % (
            join_words([names[s] for s in same]), "s" if len(same) == 1 else "")
        text = text.replace("(as has %s, which give " % join_words([names[s] for s in same]),
                            "(as have %s, which give " % join_words([names[s] for s in same]))
    if finite(gap):
        text += (", %s per patient more than the next best, %s" % (
            fmt_money(gap, currency=cur), names[runner]))
        base = max(abs(nmb[best]), 1.0)
        text += (" (a narrow margin: the choice could turn on the uncertain parameters)"
                 if gap < 1e-3 * base else "")
    icer = econ.get("icer")
    if icer is not None and finite(icer[k][best]):
        text += "; its ICER along the group's frontier is %s per QALY" % fmt_money(
            icer[k][best], currency=cur)
    return text + "."


def group_certainty(run, k, rec, wtp, factor=None):
    """How sure the recommendation rec (a strategy index) for group k is, from the group's PSA
    draws (/psa_by_group) at the willingness to pay wtp; None without them. A dict: draws,
    share (probability each strategy has the highest NMB), ceaf (highest expected NMB), evpi
    (per patient of the group), loss (the expected loss of choosing rec: E[max NMB] - E[NMB of
    rec], the EVPI when rec is the CEAF choice), cohort (the group's EVPI per patient of the
    cohort: the draws weighted by the group's share in each draw), population (cohort times
    the population factor, or None)."""
    p = (run.groups or {}).get("psa_by_group")
    if not p or "cost" not in p or "effect" not in p:
        return None
    cost, effect = np.asarray(p["cost"], dtype=np.float64), np.asarray(p["effect"],
                                                                        dtype=np.float64)
    if cost.ndim != 3 or k >= cost.shape[1]:
        return None
    c, e = cost[:, k, :], effect[:, k, :]
    share, ceaf, evpi = reader.psa_at_wtp(c, e, wtp)
    values = reader.nmb(c, e, wtp)
    loss = float(values.max(axis=1).mean() - values[:, rec].mean())
    # strategies that do the same for this group (the same NMB in every draw) tie with rec:
    # psa_at_wtp splits a tie evenly, so rec's probability is the sum over its twins
    twins = [s for s in range(values.shape[1]) if s != rec and np.allclose(
        values[:, s], values[:, rec], rtol=1e-12, atol=1e-9)]
    out = {"draws": cost.shape[0], "share": share, "ceaf": ceaf, "evpi": evpi,
           "loss": max(loss, 0.0), "cohort": None, "population": None, "twins": twins,
           "p_best": float(share[rec] + sum(share[s] for s in twins)),
           "ceaf_same": ceaf == rec or ceaf in twins}
    w = p.get("share")
    if w is not None and np.ndim(w) == 2 and k < np.shape(w)[1]:
        w = np.asarray(w, dtype=np.float64)[:, [k]]
        out["cohort"] = reader.psa_at_wtp(c * w, e * w, wtp)[2]
        if factor:
            out["population"] = out["cohort"] * factor
    return out


def certainty_sentence(run, k, cert, rec, wtp, cur, o):
    """How sure the recommendation for group k is, in plain words (plain text)."""
    names = run.strategies
    if cert is None:
        if run.psa is not None:
            return (" How sure: this file's PSA has no per-group draws (/psa_by_group; a netsurv "
                    "older than the risk groups wrote it), so how sure the choice is for this "
                    "group cannot be said.")
        return (" How sure: no probabilistic sensitivity analysis (PSA) was run, so how sure "
                "this recommendation is cannot be said; netsurv run --psa 1000 -o FILE.h5 draws "
                "the uncertain parameters and writes the per-group draws (/psa_by_group) this "
                "report turns into the probability and the EVPI of each group's choice.")
    twins = ("" if not cert["twins"] else " (with %s, which do%s the same for this group)"
             % (join_words([names[s] for s in cert["twins"]]),
                "es" if len(cert["twins"]) == 1 else ""))
    text = (" How sure: %s%s has the highest net monetary benefit in %s of the %d PSA draws at %s "
            "per QALY" % (names[rec], twins, fmt_pct(cert["p_best"]), cert["draws"],
                          fmt_money(wtp, currency=cur)))
    if not cert["ceaf_same"]:
        text += ("; averaged over the draws, %s has the higher expected net benefit (%s of the "
                 "draws), so on the PSA the choice would change" % (
                     names[cert["ceaf"]], fmt_pct(cert["share"][cert["ceaf"]])))
    cents = cert["evpi"] < 10
    text += (". The expected loss from choosing under uncertainty (EVPI) is %s per patient of "
             "the group" % fmt_money(cert["evpi"], currency=cur, cents=cents))
    if cert["population"] is not None:
        pop = o.get("population") or {}
        text += (", %s for the population (the group's patients among the %s a year over %g "
                 "years who face the decision, discounted)"
                 % (fmt_money(cert["population"], currency=cur),
                    fmt_count(pop.get("incidence")), pop.get("horizon_years", float("nan"))))
    elif cert["cohort"] is not None:
        text += (" (no population in the file: report.py --population N --horizon-years T "
                 "scales it)")
    if not cert["ceaf_same"]:
        text += ("; choosing %s instead of %s loses %s per patient in expectation"
                 % (names[rec], names[cert["ceaf"]],
                    fmt_money(cert["loss"], currency=cur, cents=cert["loss"] < 10)))
    return text + "."


def certainty_table(run, certs, recs, wtp, cur, o):
    """One row per group: the recommendation, its probability of being best, the EVPI per
    patient of the group and for the population; the composite decision last (HTML)."""
    names, groups = run.strategies, run.groups["name"]
    head = ("<tr><th>risk group</th><th>recommended at %s/QALY</th><th>probability it has the "
            "highest NMB</th><th>highest expected NMB over the draws</th><th>EVPI per patient "
            "of the group (%s)</th><th>EVPI for the population (%s)</th></tr>"
            % (esc(fmt_money(wtp, currency=cur)), esc(cur), esc(cur)))
    kinds = ("name", "name", "num", "name", "num", "num")

    def row(cells, cls=""):
        """A table row of the cells, names left and numbers right."""
        return "<tr%s>%s</tr>" % (cls, "".join('<td class="%s">%s</td>' % (kind, c)
                                              for kind, c in zip(kinds, cells)))

    body = [row([breakable(groups[k]), breakable(names[rec]) + (
                     " (and %d doing the same)" % len(cert["twins"]) if cert["twins"] else ""),
                 fmt_pct(cert["p_best"]),
                 "the same" if cert["ceaf_same"] else breakable(names[cert["ceaf"]]),
                 fmt_money(cert["evpi"], currency=cur, cents=cert["evpi"] < 10),
                 fmt_money(cert["population"], currency=cur)])
            for k, (cert, rec) in enumerate(zip(certs, recs))]
    total = sum(c["cohort"] for c in certs if c["cohort"] is not None)
    factor = population_factor(o.get("population"))
    body.append(row(["all groups, each its own choice", DASH, DASH, DASH,
                     "%s per patient of the cohort" % fmt_money(total, currency=cur,
                                                                cents=total < 10),
                     fmt_money(total * factor if factor else float("nan"), currency=cur)],
                    ' class="total"'))
    return ('<div class="scroll"><table id="groups-certainty" class="group-table"><thead>%s'
            '</thead><tbody>%s</tbody></table></div><p class="note">From the %d PSA draws of '
            'each group (/psa_by_group). The EVPI of a group is the expected loss from choosing '
            'its strategy on current evidence rather than knowing the parameters; the '
            'population column counts the group\'s patients among the discounted patients who '
            'face the decision. The groups\' decisions are separate, so their population '
            'EVPIs add up to the last row.</p>' % (head, "".join(body), certs[0]["draws"]))


def composite_sentence(run, cur):
    """The composite strategy (each group its own choice) in words (plain text)."""
    c = run.groups.get("composite")
    if not c or "strategy" not in c:
        return ""
    names, groups = run.strategies, run.groups["name"]
    picks = ["%s: %s" % (g, names[int(s)]) for g, s in zip(groups, np.asarray(c["strategy"]))
             if 0 <= int(s) < len(names)]
    cost, qaly = scalar(c.get("mean_cost_discounted")), scalar(c.get("mean_qaly_discounted"))
    text = "Choosing each group's best strategy (%s)" % "; ".join(picks)
    if finite(cost) and finite(qaly):
        text += (" costs %s per patient (discounted) for %s discounted QALYs"
                 % (fmt_money(float(np.asarray(cost)), currency=cur),
                    fmt_num(float(np.asarray(qaly)), 4)))
    return text + "."


def groups_html(run, scenario, o):
    """The section 'Answers per risk group' (HTML), or '' when the file has no groups."""
    if run.groups is None or not run.groups.get("name"):
        return ""
    cur = o["currency"]
    econ = run.groups.get("economics_by_group")
    wtp = float((econ or {}).get("_attrs", {}).get("wtp", o.get("wtp", reader.DEFAULT_WTP))) \
        if econ else o.get("wtp", reader.DEFAULT_WTP)
    g = run.groups["summary_by_group"]
    tests = np.asarray(g.get("mean_tests", np.zeros((len(run.strategies), 1))), dtype=np.float64)
    out = ['<h2 id="groups">Answers per risk group</h2><p>The same patients split by risk group: '
           'for each group what each strategy does, what the model recommends at the '
           'willingness to pay and why, per 1,000 patients of the group. %s</p>'
           % esc(o["money_note"])]
    comp = composite_sentence(run, cur)
    if comp:
        out.append('<p class="key">%s</p>' % esc(comp))
    factor = population_factor(o.get("population"))
    recs, certs = [], []
    for k in range(len(run.groups["name"])):
        rec = (int(econ["best"][k]) if econ is not None and "best" in econ else
               reader.best_by_nmb(np.asarray(econ["nmb"][k], dtype=np.float64))
               if econ is not None and "nmb" in econ else None)
        recs.append(rec)
        certs.append(group_certainty(run, k, rec, wtp, factor) if rec is not None else None)
    if certs and all(c is not None for c in certs):
        out.append("<h3 id=\"groups-how-sure\">How sure, group by group</h3>%s"
                   % certainty_table(run, certs, recs, wtp, cur, o))
    for k, name in enumerate(run.groups["name"]):
        ref = int(np.nanargmin(tests[:, k])) if tests.ndim == 2 and tests.shape[1] > k else 0
        rules = rules_for_group(run, scenario, k, name)
        rec = recommendation(run, k, econ, wtp, cur)
        best = int(econ["best"][k]) if econ is not None and "best" in econ else ref
        why = qaly_parts_sentence(run, k, best, ref)
        n = group_values(g, "n_patients", 0, k)
        define = next((run.groups[key][k] for key in ("definition", "when", "description")
                       if isinstance(run.groups.get(key), list)
                       and len(run.groups[key]) > k), "")
        sure = (certainty_sentence(run, k, certs[k], recs[k], wtp, cur, o)
                if recs[k] is not None else "")
        out.append('<h3 class="group" id="group-%d">%s</h3><p>%s%s%s%s%s</p>%s'
                   % (k, esc(name), "Who: %s. " % esc(define) if define else "",
                      "%s patients of the cohort. " % fmt_num(n, 0)
                      if finite(n) else "", esc(rec), esc(sure), esc(why),
                      group_table(run, k, econ, rules, ref, cur)))
    return "\n".join(out)
