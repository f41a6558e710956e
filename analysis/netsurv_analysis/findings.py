"""The report's findings in plain words: the key findings, each strategy's results, the
incremental analysis strategy by strategy, and the PSA and one-way analysis in sentences."""
import numpy as np

from . import reader
from .content import REASONS, STATUS_TEXT
from .formatting import DASH, esc, finite, fmt_count, fmt_money, fmt_num, fmt_pct, join_words


def key_findings(run, view, psa, tornado, readable=str):
    """The report's opening findings, as a list of HTML paragraphs; readable names a
    parameter path in words (its label:)."""
    names, s = view["strategy"], run.summary
    out = []
    surv = np.asarray(s["n_detected_surveillance"], dtype=np.float64)
    mets = np.asarray(s["n_metastases"], dtype=np.float64)
    top = int(np.argmax(surv))
    out.append("Most metastases found by surveillance: %s (%s of %s)."
               % (esc(names[top]), fmt_count(surv[top]), fmt_count(mets[top])))
    if view["has_effects"]:
        best = reader.best_by_nmb(view["nmb"])
        out.append("<strong>At a willingness to pay of %s per QALY, %s is cost-effective</strong>: "
                   "it has the highest net monetary benefit (%s per patient)."
                   % (fmt_money(view["wtp"]), esc(names[best]), fmt_money(view["nmb"][best])))
        out.append("In order of cost:<ul>%s</ul>" % "".join(
            "<li>%s</li>" % esc(t) for t in comparison_sentences(view)))
    else:
        cheapest = int(view["order"][0])
        out.append("This file holds no QALYs (it was written by a netsurv without /economics), so "
                   "the strategies can be compared on detection and cost only; the cheapest is "
                   "%s (%s per patient, discounted)."
                   % (esc(names[cheapest]), fmt_money(view["cost"][cheapest])))
    out.append(psa_sentence(psa, names, view["wtp"]))
    if tornado is not None:
        out.append(tornado_sentence(run.owsa, tornado, names, readable))
    return out


def strategy_results(summary, s, view):
    """What strategy s finds, misses and costs, in sentences."""
    g = lambda key: summary[key][s] if key in summary else float("nan")  # noqa: E731
    mets, surv = g("n_metastases"), g("n_detected_surveillance")
    text = ("Finds %s of %s metastases by surveillance (%s); %s present with symptoms and %s are "
            "found incidentally first; %s are never found in the patient's lifetime."
            % (fmt_count(surv), fmt_count(mets), fmt_pct(surv / mets if mets else np.nan),
               fmt_count(g("n_detected_symptoms")), fmt_count(g("n_detected_incidental")),
               fmt_count(g("n_never_detected"))))
    reasons = ["%s %s" % (fmt_count(g("missed_" + k)), label) for k, label, _ in REASONS
               if finite(g("missed_" + k)) and g("missed_" + k) > 0]
    text += " Surveillance misses %s%s." % (fmt_count(g("n_missed")),
                                            " (" + ", ".join(reasons) + ")" if reasons else "")
    if finite(g("mean_detection_delay")):
        text += (" Mean delay from detectable to found: %s years."
                 % fmt_num(g("mean_detection_delay"), 1))
    text += (" Per patient: %s undiscounted (95 %% interval %s to %s), %s discounted; %s tests, "
             "%s false positives, %s mSv of radiation."
             % (fmt_money(g("mean_cost")), fmt_money(g("mean_cost_ci_low")),
                fmt_money(g("mean_cost_ci_high")), fmt_money(view["cost"][s]),
                fmt_num(g("mean_tests"), 1), fmt_num(g("mean_false_positives"), 2),
                fmt_num(g("mean_radiation_msv"), 1)))
    if view["has_effects"]:
        text += " Mean discounted QALYs: %s; status: %s." % (
            fmt_num(view["effect"][s], 4), STATUS_TEXT.get(int(view["status"][s]), DASH))
    return text


def comparison_sentences(view):
    """One sentence per strategy on the incremental analysis, in cost order."""
    names, out = view["strategy"], []
    wtp = view["wtp"]
    for i in view["order"]:
        status, ref = int(view["status"][i]), int(view["reference"][i])
        n = names[i]
        if status == reader.FRONTIER and ref < 0:
            alone = int(np.sum(np.asarray(view["status"]) == reader.FRONTIER)) == 1
            out.append("%s is the %s strategy on the frontier (%s per patient)%s."
                       % (n, "only" if alone else "cheapest", fmt_money(view["cost"][i]),
                          ": no other strategy is worth its extra cost" if alone else ""))
        elif status == reader.FRONTIER:
            icer = view["icer"][i]
            verdict = "below" if finite(icer) and icer <= wtp else "above"
            out.append("%s costs %s more per patient than %s for %s more QALYs (about %s "
                       "quality-adjusted days): an ICER of %s per QALY, %s the WTP of %s."
                       % (n, fmt_money(view["incremental_cost"][i]), names[ref],
                          fmt_num(view["incremental_effect"][i], 4),
                          fmt_num(365.25 * view["incremental_effect"][i], 1),
                          fmt_money(icer), verdict, fmt_money(wtp)))
        elif status == reader.DOMINATED:
            j = dominator(view, i)
            out.append("%s is dominated%s." % (n, "" if j is None else ": %s %s" % (
                names[j], dominance_phrase(view["cost"][i] - view["cost"][j],
                                           view["effect"][j] - view["effect"][i]))))
        elif status == reader.EXT_DOMINATED:
            a, b = bracket(view, i)
            mix = " a mix of %s and %s" % (names[a], names[b]) if a is not None and b is not None \
                else " a mix of two frontier strategies"
            out.append("%s is extendedly dominated:%s would give more QALYs for the same cost."
                       % (n, mix))
        elif status == reader.DUPLICATE:
            twins = [names[j] for j in view["order"] if j != i and view["cost"][j] ==
                     view["cost"][i] and view["effect"][j] == view["effect"][i]]
            out.append("%s gives exactly the same costs and QALYs as %s." % (n, join_words(twins)))
    return out


def dominator(view, i):
    """The strategy that dominates i with the highest NMB (None when none)."""
    c, e = view["cost"], view["effect"]
    who = [j for j in range(len(c)) if j != i and c[j] <= c[i] and e[j] >= e[i]
           and (c[j] < c[i] or e[j] > e[i])]
    return max(who, key=lambda j: view["nmb"][j]) if who else None


def dominance_phrase(saving, gain):
    """'costs $X less and gives Y more QALYs', saying 'the same' where a difference is 0."""
    cost = "costs %s less" % fmt_money(saving) if saving > 0 else "costs the same"
    effect = "gives %s more QALYs" % fmt_num(gain, 4) if gain > 0 else "gives the same QALYs"
    return "%s and %s" % (cost, effect)


def bracket(view, i):
    """The frontier strategies just cheaper and just dearer than i (either may be None)."""
    front = [j for j in view["order"] if view["status"][j] == reader.FRONTIER]
    below = [j for j in front if view["cost"][j] <= view["cost"][i]]
    above = [j for j in front if view["cost"][j] > view["cost"][i]]
    return (below[-1] if below else None), (above[0] if above else None)


def psa_sentence(psa, names, wtp):
    """The PSA in words (HTML), or a note that the file has none."""
    if psa is None:
        return ("No probabilistic sensitivity analysis in this file (netsurv run --psa K writes "
                "one), so the uncertainty of the results is not shown.")
    ranked = sorted(range(len(names)), key=lambda i: -psa["share"][i])
    probs = join_words("%s %s" % (esc(names[i]), fmt_pct(psa["share"][i])) for i in ranked
                       if psa["share"][i] > 0)
    per = " of %s patients each" % fmt_count(psa["patients"]) if finite(psa["patients"]) else ""
    return ("Across %d PSA draws%s, the probability of being cost-effective at %s per QALY is: "
            "%s (other strategies 0 %%). Choosing %s (highest expected NMB), the expected value "
            "of perfect information is %s per patient."
            % (psa["draws"], per, fmt_money(wtp), probs or DASH, esc(names[psa["best"]]),
               fmt_money(psa["evpi"])))


def tornado_sentence(owsa, t, names, readable=str):
    """The one-way sensitivity analysis in words (HTML)."""
    top = [esc(readable(owsa["parameter"][q])) for q in t["order"][:3]]
    subject = ("the NMB advantage of %s over %s" % (esc(names[t["best"]]), esc(names[t["runner"]]))
               if t["runner"] is not None else "the NMB of %s" % esc(names[t["best"]]))
    text = "In the one-way sensitivity analysis, %s is most sensitive to %s." % (
        subject, join_words(top))
    if t["changes"]:
        flips = ["%s at its %s value (%g: %s best)" % (esc(readable(p)), side, v, esc(names[w]))
                 for p, side, v, w in t["changes"][:5]]
        text += " The best strategy changes with %s%s." % (
            join_words(flips), " and %d more" % (len(t["changes"]) - 5)
            if len(t["changes"]) > 5 else "")
    else:
        text += " No single parameter at its low or high value changes the best strategy."
    return text
