"""The scenario text (/scenario, YAML) in words: each strategy's rules (who, treatment at
time 0, the visits and their source) and the discount rates."""
from .formatting import finite, fmt_money, fmt_years, join_words, pretty

try:
    import yaml
except ImportError:  # the report then shows only the strategies' source strings
    yaml = None

MODALITY_NAMES = {"endoscopy": "endoscopy", "eus": "endoscopic ultrasound (EUS)", "ct": "CT",
                  "mri": "MRI", "sstr_pet": "SSTR PET/CT", "cga": "chromogranin A blood test"}


def load_scenario(text):
    """The scenario YAML as a dict, or {} without PyYAML or when it does not parse."""
    if yaml is None or not text:
        return {}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def scalar(x):
    """A scenario parameter's value ({value: v, source: ...} or v itself)."""
    return x.get("value") if isinstance(x, dict) and "value" in x else x


def describe_when(rule):
    """The risk group a rule matches, in words."""
    if rule.get("otherwise"):
        return "everyone not in the groups above"
    when = rule.get("when") or {}
    if not when:
        return "everyone"
    words = []
    size = when.get("size_mm") or {}
    lo, hi = size.get("min"), size.get("max")
    if lo is not None and hi is not None:
        words.append("%g to under %g mm" % (lo, hi))
    elif hi is not None:
        words.append("under %g mm" % hi)
    elif lo is not None:
        words.append("%g mm or more" % lo)
    if when.get("grade"):
        words.append("grade " + join_words(when["grade"], "or"))
    if when.get("margin"):
        words.append("margin " + join_words(when["margin"], "or"))
    lvi = [str(v).lower() for v in when.get("lvi") or []]
    if lvi == ["no"]:
        words.append("no lymphovascular invasion reported")
    elif lvi == ["yes"]:
        words.append("lymphovascular invasion reported")
    depth = when.get("depth") or []
    if depth:
        words.append("depth " + join_words(depth, "or"))
    return ", ".join(words) or "everyone"


def describe_visit(item):
    """One schedule entry in words, e.g. 'MRI every 2 years from year 3 to year 9'."""
    tests = join_words([MODALITY_NAMES.get(t, pretty(t)) for t in item.get("tests") or []])
    if "at" in item:
        at = [fmt_years(t) for t in item["at"]]
        when = "at %s year%s" % (join_words(at), "" if at == ["1"] else "s")
    else:
        every = float(item.get("every", 0))
        period = ("every year" if every == 1 else "every 6 months" if every == 0.5
                  else "every %s years" % fmt_years(every))
        end = "for life" if item.get("lifelong") else "to year %s" % fmt_years(item.get("to", "?"))
        when = "%s from year %s %s" % (period, fmt_years(item.get("from", every)), end)
    note = item.get("assumption") or item.get("source")
    return "%s %s%s" % (tests, when, " (%s)" % note if note else "")


def describe_rule(rule, treatments):
    """A rule in words: who, treatment at time 0, visits, and its source or assumption."""
    schedule = rule.get("schedule") or []
    visits = "; ".join(describe_visit(v) for v in schedule) if schedule else \
        "no scheduled follow-up"
    treat = rule.get("treatment")
    if treat:
        cost = scalar((treatments.get(treat) or {}).get("cost"))
        visits = "%s at time 0%s; then %s" % (pretty(treat), " (%s)" % fmt_money(cost)
                                              if finite(cost) else "", visits)
    basis = ("source: " + str(rule["source"]) if rule.get("source")
             else "assumption: " + str(rule["assumption"]) if rule.get("assumption") else "")
    return describe_when(rule), visits, basis


def scenario_strategies(scenario):
    """name -> list of (who, what, basis) for each strategy in the parsed scenario."""
    treatments = {t.get("name"): t for t in scenario.get("treatments") or [] if isinstance(t, dict)}
    out = {}
    for s in scenario.get("strategies") or []:
        if isinstance(s, dict) and s.get("name"):
            try:
                out[s["name"]] = [describe_rule(r, treatments) for r in s.get("rules") or []]
            except (TypeError, ValueError, AttributeError):
                out[s["name"]] = []
    return out


def discount_rates(run, scenario):
    """(costs, effects) discount rates a year from /economics, else the scenario, else None."""
    e = run.economics["_attrs"] if run.economics is not None else {}
    d = ((scenario.get("follow_up") or {}).get("discount") or {}) if scenario else {}
    costs = e.get("discount_costs", scalar(d.get("costs")))
    effects = e.get("discount_effects", scalar(d.get("effects")))
    return costs, effects


DEFAULT_CURRENCY = "USD"


def currency_of(run, scenario):
    """(currency, price year or None): from /economics attributes `currency` and
    `price_year` when the file has them, else the scenario's `economics.currency` and
    `economics.price_year` (a value or {value: ...}), else ('USD', None)."""
    attrs = (run.economics or {}).get("_attrs", {}) if run is not None else {}
    econ = (scenario or {}).get("economics") or {}
    cur = attrs.get("currency", scalar(econ.get("currency")))
    year = attrs.get("price_year", scalar(econ.get("price_year")))
    cur = str(cur).strip() if cur not in (None, "") else DEFAULT_CURRENCY
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        year = None
    return cur, year


def money_note(run, scenario, wtp):
    """The sentence on currency, price year and willingness to pay that goes wherever the
    report shows a cost (plain text)."""
    cur, year = currency_of(run, scenario)
    explicit = bool(((run.economics or {}).get("_attrs", {}) if run is not None else {})
                    .get("currency")) or bool(((scenario or {}).get("economics") or {})
                                              .get("currency"))
    text = "Costs in %s%s; willingness to pay %s %s per QALY." % (
        cur, ", %d prices" % year if year else " (price year not stated in the scenario)",
        format(round(float(wtp)), ",d"), cur)
    if not explicit:
        text += (" The scenario names no currency (economics.currency): %s is assumed, as its "
                 "sources are US prices." % cur)
    return text


def parameter_labels(scenario):
    """{dotted parameter path: label} for every parameter of the parsed scenario that carries
    `label:` (named list entries such as modalities are addressed by name, as --set does)."""
    out = {}

    def walk(node, path):
        if isinstance(node, dict):
            if "value" in node and isinstance(node.get("label"), str) and node["label"].strip():
                out[path] = node["label"].strip()
            for k, v in node.items():
                walk(v, "%s.%s" % (path, k) if path else str(k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                key = v.get("name") if isinstance(v, dict) and isinstance(v.get("name"), str) \
                    else str(i)
                walk(v, "%s.%s" % (path, key) if path else key)
    walk(scenario or {}, "")
    return out


def readable_path(path):
    """A dotted parameter path as words when it carries no label:
    'modalities.mri.specificity' -> 'MRI: specificity'."""
    parts = [p for p in str(path).split(".") if p]
    if not parts:
        return str(path)
    words = []
    for p in parts:
        if p.isdigit():
            words.append("[%s]" % p)
        else:
            words.append(MODALITY_NAMES.get(p, pretty(p)))
    head = [w for w in words[:-1] if w not in ("modalities", "follow up", "strategies")]
    last = words[-1]
    if last.startswith("[") and head:
        last = head.pop() + " " + last
    return (" / ".join(head) + ": " + last) if head else last
