#!/usr/bin/env bash
# analysis/report.py turns a netsurv file into the ICER table, the figures and one
# self-contained HTML page, and headless Chromium renders that page at 1,000 px (the
# run with PSA and OWSA, the sweep and the per-group page also at 1,600 px) with every
# image loaded, every table filled, one ICER-table row per strategy and point, unique
# element ids, and nothing wider than the window.
# Reported: a real `netsurv run --psa --owsa`, a sweep (one section per point and a
# threshold plot per swept path), merged shards, a calibration file, a comparison of
# three files, and FAKE files with the full documented layout (with and without
# /psa and /owsa, without QALYs, and with the per-risk-group datasets) whose planted
# costs and QALYs give every status: frontier, dominated, extended dominated,
# duplicate.
# usage: test_report.sh NETSURV_BINARY   (WIDTHS="1000 1600" by default for every page that
# does not say otherwise)
set -euo pipefail
bin=$1
src=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

fail() { echo "test_report: FAIL: $*" >&2; exit 1; }

if ! command -v chromium >/dev/null; then
  fail "chromium is not installed: it renders report.html (scripts/setup-debian.sh installs it;" \
       "or: apt-get install -y --no-install-recommends chromium)"
fi

# ---- the fake files: the layout of README/analysis, written with h5py
cat >"$dir/make_fake.py" <<'PY'
import sys
import h5py
import numpy as np
from netsurv_analysis import incremental_analysis, nmb, psa_at_wtp

NAMES = ["no_follow_up", "enets_2023", "nccn_2025", "planets_2022", "jnets_2019",
         "enets_2012_annual", "lifelong_annual_imaging", "annual_ct_5y", "risk_stratified"]
# A frontier, A' duplicate, B extended dominated, C frontier, D dominated by C,
# E frontier, F dominated (E's QALYs, dearer), G dominated by A, H dominated (C's cost)
COST = np.array([1000, 1000, 3000, 5000, 8000, 20000, 25000, 4000, 5000], float)
EFFECT = np.array([10.00, 10.00, 10.01, 10.05, 10.04, 10.10, 10.10, 9.99, 10.02])
LABELS = ["frontier", "dominated", "extended_dominated", "duplicate"]
EXPECTED = ["frontier", "duplicate", "extended_dominated", "frontier", "dominated", "frontier",
            "dominated", "dominated", "dominated"]
REASONS = ["not_followed", "between_visits", "false_negative", "after_schedule", "missed_visit"]
STR = h5py.string_dtype("utf-8")
WTP = 100000.0
GRID = np.arange(0, 300001, 5000, dtype=float)
S = len(NAMES)
rng = np.random.default_rng(7)


def put(g, name, data, units="", dtype=None):
    ds = g.create_dataset(name, data=data, dtype=dtype)
    ds.attrs["description"] = "fake " + name
    ds.attrs["units"] = units
    return ds


def summary(f):
    g = f.create_group("summary")
    put(g, "strategy", NAMES, dtype=STR)
    put(g, "strategy_source", ["fake source of " + n for n in NAMES], dtype=STR)
    mets = rng.integers(500, 1000, S).astype(float)
    surv = np.floor(mets * rng.uniform(0, 0.9, S))
    surv[0] = 0
    sym = np.floor((mets - surv) * 0.4)
    inc = np.floor((mets - surv - sym) * 0.3)
    missed = mets - surv
    parts = np.floor(rng.dirichlet(np.ones(5), S) * missed[:, None])
    parts[:, 0] += missed - parts.sum(1)
    counts = {"n_patients": np.full(S, 20000.0), "n_metastases": mets,
              "n_detected_surveillance": surv, "n_detected_symptoms": sym,
              "n_detected_incidental": inc, "n_never_detected": mets - surv - sym - inc,
              "n_missed": missed}
    counts.update({"missed_" + r: parts[:, k] for k, r in enumerate(REASONS)})
    for k, v in counts.items():
        put(g, k, v, "patients")
    comp = rng.uniform(100, 8000, (3, S))
    means = {"mean_detection_time": rng.uniform(3, 12, S),
             "mean_detection_delay": rng.uniform(1, 8, S), "mean_cost_surveillance": comp[0],
             "mean_cost_workup": comp[1], "mean_cost_treatment": comp[2],
             "mean_cost": comp.sum(0), "mean_cost_discounted": COST,
             "mean_tests": rng.uniform(0, 20, S), "mean_false_positives": rng.uniform(0, 1, S),
             "mean_radiation_msv": rng.uniform(0, 40, S), "mean_ly": np.full(S, 20.0),
             "mean_ly_discounted": np.full(S, 14.0), "mean_qaly": np.full(S, 17.0),
             "mean_qaly_discounted": EFFECT}
    for k, v in means.items():
        for suffix, scale in (("", 1.0), ("_ci_low", 0.98), ("_ci_high", 1.02)):
            put(g, k + suffix, v * scale, "USD" if "cost" in k else "")
    hist = np.zeros((S, 241), dtype=np.uint64)
    for s in range(S):
        found = int(surv[s] + sym[s] + inc[s])
        np.add.at(hist[s], np.clip(rng.gamma(2.0, 12.0, found) / 0.25, 0, 240).astype(int), 1)
    put(g, "detection_time_histogram", hist, "patients")
    put(g, "detection_time_bin_start", np.arange(241) * 0.25, "years after resection")
    put(g, "detection_delay_histogram", np.zeros((S, 201), dtype=np.uint64), "patients")
    put(g, "detection_delay_bin_start", np.arange(201) * 0.1, "years")
    put(g, "modality", ["endoscopy", "eus", "ct", "mri", "sstr_pet", "cga"], dtype=STR)
    put(g, "mean_tests_by_modality", rng.uniform(0, 5, (S, 6)), "tests")


def economics(f):
    g = f.create_group("economics")
    g.attrs.update({"wtp": WTP, "discount_costs": 0.03, "discount_effects": 0.03,
                    "effect": "discounted QALYs"})
    a = incremental_analysis(COST, EFFECT)
    assert [LABELS[s] for s in a["status"]] == EXPECTED, a["status"]
    put(g, "strategy", NAMES, dtype=STR)
    put(g, "cost", COST, "USD")
    put(g, "effect", EFFECT, "QALY")
    put(g, "order", a["order"].astype(np.int32))
    put(g, "status", a["status"].astype(np.uint8)).attrs["labels"] = ",".join(LABELS)
    put(g, "reference", a["reference"].astype(np.int32))
    for k in ("incremental_cost", "incremental_effect", "icer"):
        put(g, k, a[k])
    put(g, "nmb", nmb(COST, EFFECT, WTP), "USD")
    put(g, "wtp_grid", GRID, "USD/QALY")
    put(g, "nmb_grid", np.array([nmb(COST, EFFECT, w) for w in GRID]), "USD")


def psa(f, K=200):
    g = f.create_group("psa")
    g.attrs.update({"n_draws": K, "n_patients": 20000})
    put(g, "parameter", ["metastasis.intercept", "growth.doubling_time"], dtype=STR)
    put(g, "values", rng.normal(size=(K, 2)))
    shift = rng.normal(0, 1, (K, 1))
    cost = COST * (1 + 0.1 * shift) + rng.normal(0, 300, (K, S))
    effect = EFFECT + 0.05 * shift + rng.normal(0, 0.02, (K, S))
    put(g, "cost", cost, "USD")
    put(g, "effect", effect, "QALY")
    put(g, "wtp_grid", GRID, "USD/QALY")
    res = [psa_at_wtp(cost, effect, w) for w in GRID]
    put(g, "ceac", np.array([r[0] for r in res]))
    put(g, "ceaf", np.array([r[1] for r in res], dtype=np.int32))
    put(g, "evpi", np.array([r[2] for r in res]), "USD")


def owsa(f):
    g = f.create_group("owsa")
    g.attrs["wtp"] = WTP
    params = ["metastasis.intercept", "growth.doubling_time", "modalities.mri.specificity",
              "follow_up.costs.metastasis_resection", "modalities.mri.cost"]
    Q = len(params)
    put(g, "parameter", params, dtype=STR)
    put(g, "base", np.linspace(1, 6, Q))
    put(g, "low", np.linspace(0.5, 3, Q))
    put(g, "high", np.linspace(2, 12, Q))
    for side, sign in (("low", -1), ("high", 1)):
        c = COST + sign * rng.uniform(0, 3000, (Q, S))
        e = EFFECT + sign * rng.uniform(-0.02, 0.02, (Q, S))
        put(g, "cost_" + side, c, "USD")
        put(g, "effect_" + side, e, "QALY")
        put(g, "nmb_" + side, WTP * e - c, "USD")


def groups(f):
    """The per-risk-group datasets of the issue "Answers per risk group" (synthetic)."""
    G = ["low risk", "intermediate", "high risk"]
    g = f.create_group("groups")
    put(g, "name", G, dtype=STR)
    sg = f.create_group("summary_by_group")
    n = np.array([12000, 6000, 2000], dtype=np.uint64)
    put(sg, "n_patients", np.tile(n, (S, 1)), "patients")
    deaths = rng.integers(5, 60, (S, 3)).astype(np.uint64)
    put(sg, "n_metastasis_deaths", deaths, "patients")
    put(sg, "n_metastases", deaths * 3, "patients")
    tests = rng.uniform(0, 12, (S, 3))
    tests[0] = 0
    put(sg, "mean_tests", tests, "tests")
    put(sg, "mean_ly_discounted", rng.uniform(13, 15, (S, 3)), "years")
    put(sg, "mean_qaly_discounted_by_part", rng.normal(0.1, 0.02, (S, 3, 6)), "QALY")
    eg = f.create_group("economics_by_group")
    eg.attrs["wtp"] = WTP
    c = COST[None, :] * np.array([[0.5], [1.0], [2.5]])
    e = EFFECT[None, :] + rng.normal(0, 0.01, (3, S))
    put(eg, "nmb", WTP * e - c, "USD")
    res = [incremental_analysis(c[k], e[k]) for k in range(3)]
    put(eg, "status", np.array([r["status"] for r in res], dtype=np.int32))
    put(eg, "icer", np.array([r["icer"] for r in res]), "USD per QALY")
    put(eg, "inc_cost", np.array([r["incremental_cost"] for r in res]), "USD")
    put(eg, "inc_effect", np.array([r["incremental_effect"] for r in res]), "QALY")
    best = np.argmax(WTP * e - c, axis=1).astype(np.int32)
    put(eg, "best", best)
    cg = f.create_group("composite")
    put(cg, "strategy", best)
    put(cg, "mean_cost_discounted", float(np.mean(c[np.arange(3), best])), "USD")
    put(cg, "mean_qaly_discounted", float(np.mean(e[np.arange(3), best])), "QALY")


out, scenario, kind = sys.argv[1:4]   # full, minimal (no /psa, /owsa), legacy (no QALYs), groups
with h5py.File(out, "w") as f:
    f.attrs.update({"netsurv_version": "0.0.0-fake", "git_revision": "fake", "seed": 7,
                    "n_patients": 20000, "command_line": "test_report.sh make_fake.py",
                    "created": "2026-01-01T00:00:00Z", "scenario_name": "FAKE layout",
                    "scenario_path": scenario})
    text = open(scenario).read()
    if kind == "full":   # a label: names the parameter in the tornado
        text = text.replace('    cost: {value: 600, assumption: "MRI',
                            '    cost: {value: 600, label: "MRI scan, cost each", assumption: "MRI', 1)
        assert "MRI scan, cost each" in text
    f.create_dataset("scenario", data=text, dtype=STR)
    summary(f)
    if kind == "legacy":
        for k in [k for k in f["summary"] if k.startswith(("mean_ly", "mean_qaly"))]:
            del f["summary/" + k]
    else:
        economics(f)
    if kind == "full":
        psa(f)
        owsa(f)
    if kind == "groups":
        groups(f)
print(",".join(EXPECTED) if kind != "legacy" else "")
PY

# ---- checks of one report
# groups FILE: the optional groups FILE holds, one per line
groups() {
  "$py" -c 'import sys, h5py
f = h5py.File(sys.argv[1], "r")
print("\n".join(g for g in ("economics", "psa", "owsa", "posterior", "sweep") if g in f))' "$1"
}
# n_strategies FILE: rows of /summary/strategy
n_strategies() {
  "$py" -c 'import sys, h5py; print(len(h5py.File(sys.argv[1], "r")["summary/strategy"]))' "$1"
}
# n_png DIR: PNG files in DIR
n_png() { find "$1" -maxdepth 1 -name '*.png' | wc -l; }

check_files() {  # FILE OUTDIR: every expected file exists, every PNG has its SVG
  local f=$1 out=$2 g x
  g=$(groups "$f")
  local expect=(report.html)
  if grep -qx posterior <<<"$g"; then
    expect+=(posterior.png imis_diagnostics.png)
  elif grep -qx sweep <<<"$g"; then
    expect+=(threshold_0.png point0_ce_plane.png point0_icer_table.csv point0_icer_dampack.csv)
  else
    expect+=(icer_table.csv icer_table.html icer_dampack.csv ce_plane.png
             cumulative_detection.png missed_by_reason.png costs_by_component.png)
    grep -qx psa <<<"$g" && expect+=(ceac.png evpi.png)
    grep -qx owsa <<<"$g" && expect+=(tornado.png)
    [ "$(wc -l <"$out/icer_table.csv")" -eq $(( $(n_strategies "$f") + 1 )) ] ||
      fail "$out/icer_table.csv: not one row per strategy"
  fi
  for x in "${expect[@]}"; do
    [ -s "$out/$x" ] || fail "$out/$x missing or empty"
  done
  for x in "$out"/*.png; do
    [ "$(head -c 8 "$x" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$x is not a PNG"
    [ -s "${x%.png}.svg" ] || fail "${x%.png}.svg missing"
    head -c 400 "${x%.png}.svg" | grep -q "<svg" || fail "${x%.png}.svg is not SVG"
  done
  # 300 dpi: the PNG's pHYs chunk says 11811 pixels per metre
  "$py" - "$out"/*.png <<'PY' || fail "$out: a PNG is not 300 dpi"
import struct, sys
for p in sys.argv[1:]:
    data = open(p, "rb").read()
    i = data.index(b"pHYs")
    x, y, unit = struct.unpack(">IIB", data[i + 4:i + 13])
    assert unit == 1 and round(x * 0.0254) == 300 == round(y * 0.0254), (p, x, y, unit)
PY
  if grep -Eiq '(src|href)="(https?:)?//|@import|url\(' "$out/report.html"; then
    fail "$out/report.html refers to something outside the page"
  fi
  if grep -Eq 'seed 0[0-9][0-9]|PARAMETERS\.md|\.\./shared' "$out/report.html"; then
    fail "$out/report.html shows the reader a seed number or a design-note path"
  fi
}

render() {  # HTML DOM_OUT WIDTH: headless Chromium's DOM after load (+ its log beside)
  local profile
  profile=$(mktemp -d -p "$dir")
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size="$3,1200" --virtual-time-budget=5000 \
    --dump-dom "file://$1" >"$2" 2>"$2.log" || { cat "$2.log" >&2; fail "chromium could not render $1"; }
}

check_dom() {  # DOM ICER_ROWS N_PNG: every image loaded, every table filled, the ICER
  # tables' rows (ICER_ROWS in all) well formed, no NaN, nothing wider than the window
  "$py" - "$@" <<'PY'
import re, sys
from html.parser import HTMLParser

NUMBER = re.compile(r"^[+-]?\$?\d[\d,]*(\.\d+)?$")
WITH_INTERVAL = re.compile(r"^[+-]?\$?\d[\d,]*(\.\d+)?( \([+-]?\$?\d[\d,]*(\.\d+)? to "
                           r"[+-]?\$?\d[\d,]*(\.\d+)?\))?$")
NUMERIC_COLUMNS = (0, 4, 6, 7, 10)   # #, life-years, incr. cost, incr. QALYs, NMB
INTERVAL_COLUMNS = (2, 3)            # cost and QALYs with their 95 % intervals


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.body, self.rows, self.text = {}, [], []
        self.in_table = self.in_cell = self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.body = attrs
        elif tag == "table" and "icer" in (attrs.get("class") or "").split():
            self.in_table = True
        elif tag == "tr" and self.in_table:
            self.rows.append([])
        elif tag in ("td", "th") and self.in_table:
            self.in_cell = tag == "td"
            if self.in_cell:
                self.rows[-1].append("")
        elif tag == "script":
            self.in_script = True

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False
        elif tag == "td":
            self.in_cell = False
        elif tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_cell:
            self.rows[-1][-1] += data
        if not self.in_script:
            self.text.append(data)


dom_path, n_rows, n_png = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = Dom()
page = open(dom_path, encoding="utf-8").read()
d.feed(page)
ids = re.findall(r'\bid="([^"]+)"', page)
assert len(ids) == len(set(ids)), "repeated ids: %s" % sorted({i for i in ids if ids.count(i) > 1})
b = d.body
assert b.get("data-self-check") == "done", "the page's self-check did not run: %s" % b
total, ok = int(b["data-images-total"]), int(b["data-images-ok"])
assert total > 0 and ok == total, "images loaded: %d of %d" % (ok, total)
assert total == n_png, "%d images on the page, %d PNG files written" % (total, n_png)
assert int(b["data-tables"]) > 0 and b["data-empty-tables"] == "", \
    "empty tables: %r" % b["data-empty-tables"]
assert b["data-too-wide"] == "" and int(b["data-doc-width"]) <= int(b["data-view-width"]), \
    "wider than the %s px window (page %s px): %s" % (b["data-view-width"], b["data-doc-width"],
                                                      b["data-too-wide"])
assert int(b["data-table-rows"]) == n_rows, "ICER rows %s, want %d" % (b["data-table-rows"], n_rows)
rows = [r for r in d.rows if r]
assert len(rows) == n_rows, "ICER table rows parsed: %d" % len(rows)
for r in rows:
    assert len(r) == 12, r
    for k in NUMERIC_COLUMNS:
        cell = r[k].strip()
        assert cell == "\u2014" or NUMBER.match(cell), "ICER table cell %r in %s" % (cell, r)
    for k in INTERVAL_COLUMNS:
        cell = r[k].strip()
        assert cell == "\u2014" or WITH_INTERVAL.match(cell), "ICER table cell %r in %s" % (cell, r)
    icer = r[8].strip()
    assert icer == "\u2014" or NUMBER.match(icer) or icer.startswith((
        "dominated", "extendedly dominated", "cheapest on the frontier", "same as")), r
text = " ".join(d.text)
bad = re.findall(r"(?i:\b(?:nan|inf|infinity)\b)|\$None|\bNone (?:years|per|%)", text)
assert not bad, "the page says %s" % bad
print("%s px: %d of %d images loaded, %d tables filled, %d ICER rows, page %s px wide"
      % (b["data-view-width"], ok, total, int(b["data-tables"]), len(rows), b["data-doc-width"]))
PY
}

report() {  # FILE... OUTDIR ICER_ROWS [-- REPORT OPTIONS]: report.py --strict, then every check
  local args=() out rows t0 t1 t2 w
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
  [ "$#" -gt 0 ] && shift
  rows=${args[-1]}; unset 'args[-1]'
  out=${args[-1]}
  t0=$(date +%s%N)
  "$py" "$src/analysis/report.py" "${args[@]}" --strict "$@" >"$out.log" 2>&1 ||
    { cat "$out.log" >&2; fail "report.py ${args[*]}"; }
  t1=$(date +%s%N)
  [ "${#args[@]}" -eq 2 ] && check_files "${args[0]}" "$out"
  for w in ${WIDTHS:-1000 1600}; do
    render "$out/report.html" "$out.$w.dom" "$w"
    check_dom "$out.$w.dom" "$rows" "$(n_png "$out")" ||
      fail "$out/report.html did not render as expected at $w px"
  done
  t2=$(date +%s%N)
  echo "$(basename "$out"): report.py $(( (t1 - t0) / 1000000 )) ms," \
       "chromium (2 widths) $(( (t2 - t1) / 1000000 )) ms"
}

# status_column CSV: the status column of an icer_table.csv, by its header
status_column() {
  "$py" -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
k = rows[0].index("status")
print("\n".join(r[k] for r in rows[1:]))' "$1"
}

# ---- 1. a real run with PSA and OWSA, a sweep, shards merged, a calibration file
real=$dir/real.h5
"$bin" run -n 10000 --psa 10 --owsa --quiet -o "$real" >/dev/null ||
  fail "netsurv run --psa --owsa"
S=$(n_strategies "$real")
report "$real" "$dir/real" "$S" -- --population 2500 --horizon-years 10
grep -q "Population EVPI" "$dir/real/report.html" || fail "no population EVPI"
grep -q 'id="references"' "$dir/real/report.html" || fail "no references"
grep -q 'href="#ref-rinke2023"' "$dir/real/report.html" || fail "sources do not link their keys"
grep -q "Kojima M, Ikeda K" "$dir/real/report.html" || fail "the references are not printed in full"
grep -q "Costs in USD, 2026 prices" "$dir/real/report.html" ||
  fail "no note on the currency and price year (default.yaml: USD, 2026)"
# how sure, per risk group: the table's probability, EVPI per patient of the group and the
# cohort's total are those netsurv wrote to /psa_by_group at the WTP (ceac summed over the
# strategies that give the group the same care, as ties split the draws between them)
"$py" - "$real" "$dir/real/report.html" <<'PY' || fail "the per-group certainty table disagrees with /psa_by_group"
import re, sys
import h5py
import numpy as np
f = h5py.File(sys.argv[1], "r")
page = open(sys.argv[2], encoding="utf-8").read()
wtp = float(f["economics_by_group"].attrs["wtp"])
p = f["psa_by_group"]
w = int(np.flatnonzero(p["wtp_grid"][()] == wtp)[0])
table = page[page.index('id="groups-certainty"'):]
table = table[:table.index("</table>")]
rows = [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table)[1:]]
G = len(f["groups/name"])
assert len(rows) == G + 1, (len(rows), G)
cost, effect = p["cost"][()], p["effect"][()]
for k in range(G):
    best = int(f["economics_by_group/best"][k])
    nmb = wtp * effect[:, k, :] - cost[:, k, :]
    same = [s for s in range(nmb.shape[1]) if np.allclose(nmb[:, s], nmb[:, best], rtol=1e-12, atol=1e-9)]
    prob = float(np.sum(p["ceac"][k, w, same]))
    assert rows[k][2] == "%.0f %%" % (100 * prob), (k, rows[k], prob)
    evpi = float(p["evpi"][k, w])
    want = "$%s" % (format(evpi, ",.2f") if evpi < 10 else format(round(evpi), ",.0f"))
    assert rows[k][4] == want, (k, rows[k][4], want)
total = float(p["evpi_composite"][w])
assert rows[G][4].startswith("$%s" % (format(total, ",.2f") if total < 10 else format(round(total), ",.0f"))), (rows[G], total)
print("groups-certainty: %d groups, probabilities and EVPI as in /psa_by_group at WTP %g; "
      "composite EVPI %.2f per patient" % (G, wtp, total))
PY
[ "$(grep -c 'How sure: ' "$dir/real/report.html")" -eq "$("$py" -c 'import sys, h5py; print(len(h5py.File(sys.argv[1], "r")["groups/name"]))' "$real")" ] ||
  fail "not one 'How sure' sentence per risk group"
# an unknown comparator is refused (a known one: the merged file below)
if "$py" "$src/analysis/report.py" "$real" "$dir/bad" --comparator no_such >"$dir/bad.log" 2>&1; then
  fail "an unknown --comparator was accepted"
fi
grep -q "unknown comparator 'no_such'" "$dir/bad.log" || fail "no message for an unknown comparator"

cat >"$dir/sweep.yaml" <<'YAML'
sweep:
  grid:
    - path: modalities.mri.cost
      values: [300, 600, 1200]
YAML
"$bin" run -n 10000 --sweep "$dir/sweep.yaml" --quiet -o "$dir/sweep.h5" >/dev/null ||
  fail "netsurv run --sweep"
report "$dir/sweep.h5" "$dir/sweep" $((3 * S))
[ "$(grep -c '<section class="point"' "$dir/sweep/report.html")" -eq 3 ] ||
  fail "the sweep report has not one section per point"
"$py" "$src/analysis/summary.py" "$dir/sweep.h5" --csv >"$dir/sweep.csv" || fail "summary.py sweep"
[ "$(wc -l <"$dir/sweep.csv")" -eq $((3 * S + 1)) ] || fail "summary --csv of a sweep: not a row per point and strategy"

for k in 1 2; do
  "$bin" run -n 10000 --shard $k/2 --quiet -o "$dir/shard$k.h5" >/dev/null || fail "shard $k"
done
"$bin" merge "$dir/merged.h5" "$dir/shard1.h5" "$dir/shard2.h5" >/dev/null || fail "netsurv merge"
WIDTHS=1000 report "$dir/merged.h5" "$dir/merged" "$S" -- --comparator enets_2023
grep -q "joins the shards of one run" "$dir/merged/report.html" || fail "merged file not named as such"
grep -q "compares every strategy with enets_2023 (chosen with --comparator)" \
  "$dir/merged/report.html" || fail "--comparator not used"
grep -q "against enets_2023" "$dir/merged/ce_plane.svg" || fail "the plane is not against the comparator"
"$py" "$src/analysis/summary.py" "$dir/merged.h5" >/dev/null || fail "summary.py merged"

"$bin" calibrate -n 300 --quiet -o "$dir/cal.h5" >/dev/null || fail "netsurv calibrate"
WIDTHS=1000 report "$dir/cal.h5" "$dir/cal" 0
grep -q 'id="posterior-table"' "$dir/cal/report.html" || fail "no posterior table"
grep -q 'id="identifiability-table"' "$dir/cal/report.html" || fail "no identifiability table"
grep -q 'href="#ref-hane2020"' "$dir/cal/report.html" || fail "the series' sources do not cite"
"$py" "$src/analysis/summary.py" "$dir/cal.h5" --csv >"$dir/cal.csv" || fail "summary.py cal"
head -1 "$dir/cal.csv" | grep -q '^parameter,scenario_value,mean,q025,median,q975,width_ratio,median_shift,identified$' ||
  fail "summary.py of a calibration file"

# three files side by side
WIDTHS=1000 report "$real" "$dir/merged.h5" "$dir/sweep.h5" "$dir/compare" 0
grep -q 'id="compare-table"' "$dir/compare/report.html" || fail "no comparison table"

# ---- 2. fake files: the full layout, without /psa and /owsa, without QALYs (legacy), and
#         with the per-risk-group datasets
for kind in full minimal legacy groups; do
  f=$dir/fake_$kind.h5
  expected=$(PYTHONPATH="$src/analysis" "$py" "$dir/make_fake.py" "$f" \
             "$src/scenarios/default.yaml" "$kind")
  # 1,600 px for the real run, the sweep and the per-group page; the rest at 1,000 px, the
  # narrower and so the stricter width (the page is at most 72 rem wide at any width)
  if [ "$kind" != groups ]; then
    WIDTHS=1000 report "$f" "$dir/fake_$kind" 9
  else
    report "$f" "$dir/fake_$kind" 9
  fi
  if [ -z "$expected" ]; then
    grep -q "This file holds no QALYs" "$dir/fake_$kind/report.html" ||
      fail "fake_$kind: no note on QALYs"
    continue
  fi
  got=$(status_column "$dir/fake_$kind/icer_table.csv")
  want=$("$py" -c 'import sys, csv
names = ["no_follow_up", "enets_2023", "nccn_2025", "planets_2022", "jnets_2019",
         "enets_2012_annual", "lifelong_annual_imaging", "annual_ct_5y", "risk_stratified"]
status = dict(zip(names, sys.argv[1].split(",")))
for row in list(csv.reader(open(sys.argv[2])))[1:]:
    print(status[row[1]])' "$expected" "$dir/fake_$kind/icer_table.csv")
  [ "$got" = "$want" ] || fail "fake_$kind statuses: got ${got//$'\n'/ }, planted ${want//$'\n'/ }"
  echo "fake_$kind: statuses frontier/dominated/extended_dominated/duplicate as planted"
done
grep -q "MRI scan, cost each" "$dir/fake_full/tornado.svg" || fail "the tornado does not use label:"
grep -q "costs: metastasis resection" "$dir/fake_full/tornado.svg" ||
  fail "the tornado does not name an unlabelled parameter in words"
g=$dir/fake_groups/report.html
[ "$(grep -c '<h3 class="group"' "$g")" -eq 3 ] || fail "not one section per risk group"
grep -q "the model recommends" "$g" || fail "no recommendation per group"
grep -q "tests per metastasis death averted" "$g" || fail "no tests per death averted"
grep -q "Choosing each group" "$g" || fail "no composite strategy"
grep -q "no probabilistic sensitivity analysis (PSA) was run" "$g" ||
  fail "a per-group page without PSA does not say that none was run"
if grep -q 'id="groups"' "$dir/fake_full/report.html"; then
  fail "a file without groups got a groups section"
fi
echo "per-risk-group answers shown when present, skipped when absent"

# ---- 3. value of information: a real `run --psa --voi` (enough draws for every named group
#         of parameters), and the same file with a planted /voi/evsi (the EVSI of a follow-up
#         study: a later netsurv writes it; here its axes are found by name and its dimensions
#         by the bracketed lists of the descriptions, in an order that differs from storage,
#         and by length for a dataset whose description has none)
grep -q "No value-of-information analysis in this file" "$dir/real/report.html" ||
  fail "a PSA file without /voi does not say how to get one"
"$bin" run -n 2000 --psa 190 --voi --quiet -o "$dir/voi.h5" >/dev/null || fail "netsurv run --voi"
"$py" - "$dir/voi.h5" <<'PY' || fail "could not plant /voi/evsi"
# the layout of the EVSI writer (sim/output/voi_out.c on the evsi branch): one subgroup per
# study, /voi/evsi/STUDY/, some descriptions with their dimensions in brackets, some without
import sys
import h5py
import numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    v = f["voi"]
    g = v.create_group("evsi").create_group("high_risk_registry")
    g.attrs.update({"n_draws": 190, "groups": "ge20, 10to20_G2plus", "protocol": "risk_stratified",
                    "observes": "local, nodal, distant"})
    def put(name, data, description, dtype=None):
        g.create_dataset(name, data=data, dtype=dtype).attrs["description"] = description
    N = np.array([100, 250, 500, 1000, 2000], dtype=np.int32)
    T = np.array([5.0, 15.0])
    grid = v["wtp_grid"][()]
    W = len(grid)
    put("wtp_grid", grid, "willingness to pay (last axis of evsi, as /voi/wtp_grid)")
    put("sample_size", N, "patients in the study (nested: the first N of the same patients)")
    put("follow_up_years", T, "years each patient is followed")
    put("statistic", ["local_first_half", "local_second_half"], "the summary statistics",
        h5py.string_dtype())
    put("statistics", np.zeros((190, 2, 5, 2)), "the study's data simulated in each PSA draw "
        "[draw, follow_up_years, sample_size, statistic]: recurrences found")
    # planted: population EVSI of the decision by risk group = 5e6 (1 - exp(-N/500)) T/15 at
    # every WTP (the whole cohort's half of it), cost 100 per patient-year plus 200,000: the
    # ENBS peaks inside the grid (N = 1,000, T = 15)
    pop = 5e6 * (1 - np.exp(-N[None, :] / 500.0)) * T[:, None] / 15.0      # [T, N]
    cost = 2e5 + 100.0 * N[None, :] * T[:, None]
    factor = float(v.attrs["population_factor"])
    rep = lambda a: np.repeat(a[:, :, None], W, axis=2)
    put("evsi", rep(0.5 * pop / factor), "EVSI per patient of the whole cohort's decision (one "
        "strategy for all) [follow_up_years, sample_size, wtp_grid]")
    put("evsi_se", rep(0.1 * pop / factor), "its standard error")
    put("evsi_composite", rep(pop / factor), "EVSI per patient of the cohort of the decision by "
        "risk group (a strategy per group) [follow_up_years, sample_size, wtp]")
    put("evpi", np.full(W, 1e3), "EVPI per patient of the same draws")
    put("cost", cost, "the study's cost: fixed + per patient year x N x T "
        "[follow_up_years, sample_size]")
    put("cost_low", 0.5 * cost, "the same at the low ends of the costs' ranges")
    put("cost_high", 2 * cost, "the same at the high ends")
    put("population_evsi", rep(0.5 * pop), "EVSI for the population (per patient x "
        "population_factor, as /voi) of the whole cohort's decision")
    put("population_evsi_composite", rep(pop), "EVSI for the population of the decision by "
        "risk group")
    put("enbs", rep(0.5 * pop - cost), "expected net benefit of sampling: population_evsi - "
        "cost [follow_up_years, sample_size, wtp]")
    put("enbs_composite", rep(pop - cost), "expected net benefit of sampling of the decision "
        "by risk group: population_evsi_composite - cost")
    # per risk group, stored [wtp, risk group, T, N] (an order that is not the report's), the
    # planted value growing with the group's index and with the WTP's: (k + 1) 10 (1 -
    # exp(-N/500)) T/15 (1 + w), so a wrong axis or a wrong WTP shows as a wrong number
    G = len(f["groups/name"])
    k = np.arange(G)[None, :, None, None]
    w = np.arange(W)[:, None, None, None]
    by = (k + 1) * 10.0 * (1 - np.exp(-N[None, None, None, :] / 500.0)) \
        * T[None, None, :, None] / 15.0 * (1 + w)
    put("evsi_by_risk_group", by, "EVSI per patient of each risk group, for the group's own "
        "decision [wtp_grid, risk_group, follow_up_years, sample_size]")
    put("evsi_by_risk_group_se", 0.1 * by, "its standard error")
PY
report "$dir/voi.h5" "$dir/voi" "$S"
"$py" - "$dir/voi.h5" "$dir/voi/report.html" <<'PY' || fail "the value-of-information section disagrees with /voi"
import re, sys
import h5py
import numpy as np
f = h5py.File(sys.argv[1], "r")
page = open(sys.argv[2], encoding="utf-8").read()
v = f["voi"]
w = int(np.flatnonzero(v["wtp_grid"][()] == 100000.0)[0])
def table(tid):
    t = page[page.index('id="%s"' % tid):]
    t = t[:t.index("</table>")]
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", t)[1:]]
def money(x):
    return "%s$%s" % ("-" if x < 0 else "", format(abs(x), ",.2f") if abs(x) < 10
                      else format(round(abs(x)), ",.0f"))
groups = [g.decode() if isinstance(g, bytes) else g for g in v["group"][()]]
size = v["group_size"][()]
rows = table("voi-groups")
shown = [i for i, g in enumerate(groups) if size[i] > 0 and np.isfinite(v["evppi_group"][i, w])]
assert len(rows) == len(shown) + 1, (len(rows), shown)
for r, i in zip(rows, shown):
    want = "%s (SE %s)" % (money(v["evppi_group"][i, w]), money(v["evppi_group_se"][i, w]))
    assert r[2] == want, (groups[i], r[2], want)
    want = "%s (SE %s)" % (money(v["evppi_group_composite"][i, w]),
                           money(v["evppi_group_composite_se"][i, w]))
    assert r[4] == want, (groups[i], r[4], want)
    assert r[5] == money(v["evppi_group_composite"][i, w] * v.attrs["population_factor"]), \
        (groups[i], r[5])
assert rows[-1][4] == money(f["psa_by_group/evpi_composite"][w]), rows[-1]
G = len(f["groups/name"])
assert len(table("voi-risk-groups")) == G
assert page.count("<li>", page.index('id="voi-by-group"')) >= G
ev = table("evsi-table")
assert len(ev) == 2 * 5, len(ev)
N = [100, 250, 500, 1000, 2000]
for r in ev:
    T, n = float(r[1]), int(r[2].replace(",", ""))
    pop = 5e6 * (1 - np.exp(-n / 500.0)) * T / 15.0
    assert r[-1] == money(pop - (2e5 + 100.0 * n * T)), (r, pop)    # ENBS by risk group
    assert r[-2] == money(0.5 * pop - (2e5 + 100.0 * n * T)), r      # ENBS, one for all
    assert r[-3] == money(2e5 + 100.0 * n * T), r                    # the cost (not its ends)
    assert r[0] == "high_risk_registry" and len(r) == 3 + 7, r        # the seven quantities
enbs = {(T, n): 5e6 * (1 - np.exp(-n / 500.0)) * T / 15.0 - (2e5 + 100.0 * n * T)
        for T in (5.0, 15.0) for n in N}
T, n = max(enbs, key=enbs.get)
text = re.sub(r"<[^>]+>", "", page)
assert ("high_risk_registry following %s patients for %g years" % (format(n, ","), T)) in text, (T, n)
assert "followed with: risk_stratified" in text, "the study's design is not shown"
# a real run of the default scenario has no /groups/rule: what each strategy does for each
# group comes from the rules its patients fall under, so no cell of that column is empty
gt = page.split('class="group-table wide"')[1:]
assert len(gt) == len(f["groups/name"]), len(gt)
for t in gt:
    t = t[:t.index("</table>")]
    rows = [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", t)[1:]]
    assert len(rows) == len(f["summary/n_patients"]), len(rows)
    assert all("(rule " in r[1] for r in rows), [r[:2] for r in rows if "(rule " not in r[1]]
# per risk group: every group x T x N, the EVSI per patient at the report's WTP (index w)
names = [x.decode() if isinstance(x, bytes) else x for x in f["groups/name"][()]]
eg = table("evsi-groups-table")
assert len(eg) == G * 2 * 5, (len(eg), G)
for r in eg:
    k, T, n = names.index(r[1].replace("\u200b", "")), float(r[2]), int(r[3].replace(",", ""))
    want = (k + 1) * 10.0 * (1 - np.exp(-n / 500.0)) * T / 15.0 * (1 + w)
    assert r[0] == "high_risk_registry" and len(r) == 5 and r[4] == money(want), (r, want)
best = names[G - 1]
assert ("the EVSI per patient is highest for %s (%s)" % (best, money(
    G * 10.0 * (1 - np.exp(-2000 / 500.0)) * (1 + w)))) in text, "no per-group EVSI sentence"
print("voi: %d named groups and %d risk groups as in /voi; planted EVSI: %d rows, best ENBS "
      "%s at N = %d, T = %g; EVSI per risk group: %d rows" % (len(shown), G, len(ev),
      money(enbs[(T, n)]), n, T, len(eg)))
PY
for x in evppi evsi; do
  [ -s "$dir/voi/$x.png" ] && [ -s "$dir/voi/$x.svg" ] || fail "no $x figure"
done

# ---- 3b. a real /voi/evsi: the registry study of scenarios/registry_study.yaml, its table
#          row by row as the file's (10 designs: 2 follow-ups x 5 sample sizes)
"$bin" run "$src/scenarios/registry_study.yaml" -n 1000 --psa 40 --voi --quiet \
  -o "$dir/evsi.h5" >/dev/null 2>&1 || fail "netsurv run --voi with a studies: section"
"$py" "$src/analysis/report.py" "$dir/evsi.h5" "$dir/evsi" --strict >"$dir/evsi.log" 2>&1 ||
  fail "report.py on a real /voi/evsi: $(tail -3 "$dir/evsi.log")"
"$py" - "$dir/evsi.h5" "$dir/evsi/report.html" <<'PY' || fail "the real EVSI is not shown as in the file"
import re, sys, h5py
g = h5py.File(sys.argv[1], "r")["voi/evsi/registry"]
page = open(sys.argv[2]).read()
t = page[page.index('id="evsi-table"'):]
t = t[:t.index("</table>")]
rows = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in re.findall(r"<tr[^>]*>(.*?)</tr>", t)[1:]]
assert len(rows) == 10, len(rows)
cost = g["cost"][()]
for i, r in enumerate(rows):
    assert r[0] == "registry", r
    want = cost[i // 5, i % 5]
    assert r[-3].replace("$", "").replace(",", "") == "%.0f" % want, (r, want)
# a design the 40 draws cannot carry is NaN in the file: a dash in its row, and a note says why
import numpy as np
e = g["evsi"][()]
nan_designs = [i for i in range(10) if np.isnan(e[i // 5, i % 5]).all()]
assert int(g.attrs["min_draws"]) > int(g.attrs["n_draws"]) or not nan_designs, dict(g.attrs)
for i in nan_designs:
    assert rows[i][3] == "\u2014", rows[i]
noted = "not estimated (registry)" in page and "up to %d; this file has %d" % (
    g.attrs["min_draws"], g.attrs["n_draws"]) in page
assert noted == bool(nan_designs), (noted, nan_designs)
print("real EVSI: %d rows as /voi/evsi/registry (%d not estimated, and said why)"
      % (len(rows), len(nan_designs)))
PY

# ---- 4. a file whose /economics disagrees with its own means is refused by --strict
"$py" - "$dir/fake_full.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    s = f["economics/status"]
    s[2] = 0   # the extended-dominated strategy claimed on the frontier
PY
if "$py" "$src/analysis/report.py" "$dir/fake_full.h5" "$dir/tampered" --strict \
     >"$dir/tampered.log" 2>&1; then
  fail "report.py --strict accepted an /economics/status that its means contradict"
fi
grep -q "warning: /economics/status" "$dir/tampered.log" ||
  fail "no warning for the tampered status"
echo "report.py --strict refuses an /economics that contradicts the file's means"
echo "test_report: ok"
