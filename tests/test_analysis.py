#!/usr/bin/python3
"""Unit checks of the analysis package on synthetic files written here with h5py (no netsurv
run needed): the per-risk-group datasets read into tidy frames when present and are skipped
when absent, sweep files cut into points, the currency and price year read from the file or
the scenario (USD with a note otherwise), the population EVPI factor, the dampack layout's
order and statuses, readable parameter labels, and summary --csv's numeric interval columns.
usage: test_analysis.py SOURCE_DIR"""
import io
import os
import sys
import tempfile
from contextlib import redirect_stdout

import h5py
import numpy as np

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, os.path.join(src, "analysis"))
from netsurv_analysis import cli, reader, tidy  # noqa: E402
from netsurv_analysis.figures import population_factor  # noqa: E402
from netsurv_analysis.scenario_text import (currency_of, load_scenario, money_note,  # noqa: E402
                                            parameter_labels, readable_path)

STR = h5py.string_dtype("utf-8")
NAMES = ["A", "B", "C", "D"]
COST = np.array([0.0, 10.0, 45.0, 50.0])     # C is extendedly dominated (netsurv icer's example)
EFFECT = np.array([0.0, 1.0, 2.0, 3.0])
SCENARIO = """name: test
economics:
  wtp: {value: 20, assumption: "test"}
  currency: {value: EUR, assumption: "test"}
  price_year: {value: 2024, assumption: "test"}
modalities:
  - name: mri
    cost: {value: 600, label: "MRI, cost per scan", assumption: "test"}
"""


def put(g, name, data, dtype=None, units=""):
    ds = g.create_dataset(name, data=data, dtype=dtype)
    ds.attrs["description"] = "test " + name
    ds.attrs["units"] = units
    return ds


def write(path, points=0, groups=False, scenario=SCENARIO):
    """A small file with /summary, /economics, optionally a sweep of `points` points and the
    per-group datasets."""
    lead = (points,) if points else ()
    with h5py.File(path, "w") as f:
        f.attrs.update({"netsurv_version": "test", "n_patients": 1000, "seed": 1})
        f.create_dataset("scenario", data=scenario, dtype=STR)
        s = f.create_group("summary")
        put(s, "strategy", NAMES, STR)
        base = np.arange(4, dtype=np.uint64) * 10 + 5
        put(s, "n_patients", np.broadcast_to(np.uint64(1000), lead + (4,)).copy(), units="patients")
        put(s, "n_metastases", np.broadcast_to(base, lead + (4,)).copy(), units="patients")
        put(s, "n_missed", np.broadcast_to(base // 5, lead + (4,)).copy(), units="patients")
        for r in reader.MISSED_REASONS:
            put(s, "missed_" + r, np.zeros(lead + (4,), dtype=np.uint64), units="patients")
        put(s, "n_detected_surveillance", np.broadcast_to(base - base // 5, lead + (4,)).copy())
        for key, v in (("mean_cost", COST), ("mean_cost_discounted", COST),
                       ("mean_qaly_discounted", EFFECT), ("mean_ly_discounted", EFFECT + 1),
                       ("mean_detection_delay", EFFECT), ("mean_tests", EFFECT),
                       ("mean_radiation_msv", EFFECT)):
            v = np.broadcast_to(v, lead + (4,)) + (np.arange(points)[:, None] if points else 0)
            put(s, key, v)
            put(s, key + "_ci_low", v - 0.5)
            put(s, key + "_ci_high", v + 0.5)
        e = f.create_group("economics")
        e.attrs["wtp"] = 20.0
        put(e, "strategy", NAMES, STR)
        a = reader.incremental_analysis(COST, EFFECT)
        for key, v in (("cost", COST), ("effect", EFFECT), ("order", a["order"]),
                       ("status", a["status"]), ("reference", a["reference"]),
                       ("incremental_cost", a["incremental_cost"]),
                       ("incremental_effect", a["incremental_effect"]), ("icer", a["icer"]),
                       ("nmb", reader.nmb(COST, EFFECT, 20.0))):
            put(e, key, np.broadcast_to(v, lead + v.shape).copy())
        if points:
            w = f.create_group("sweep")
            w.attrs["n_points"] = points
            put(w, "axis", ["modalities.mri.cost"], STR)
            put(f.create_group("sweep/points"), "modalities.mri.cost",
                np.linspace(400, 800, points))
        if groups:
            put(f.create_group("groups"), "name", ["low", "high"], STR)
            sg = f.create_group("summary_by_group")
            put(sg, "n_patients", np.array([[600, 400]] * 4, dtype=np.uint64), units="patients")
            put(sg, "n_metastasis_deaths", np.array([[1, 9], [1, 6], [0, 4], [0, 3]],
                                                     dtype=np.uint64), units="patients")
            put(sg, "mean_tests", np.array([[0, 0], [1, 2], [2, 4], [3, 6]], float))
            eg = f.create_group("economics_by_group")
            put(eg, "nmb", np.array([[5.0, 4.0, 3.0, 1.0], [1.0, 2.0, 7.0, 3.0]]))
            put(eg, "status", np.zeros((2, 4), dtype=np.int32))
            put(eg, "best", np.array([0, 2], dtype=np.int32))
            cg = f.create_group("composite")
            put(cg, "strategy", np.array([0, 2], dtype=np.int32))
            put(cg, "mean_cost_discounted", 20.0)
            put(cg, "mean_qaly_discounted", 1.2)


d = tempfile.mkdtemp()
plain, sweep, grouped = (os.path.join(d, n) for n in ("plain.h5", "sweep.h5", "groups.h5"))
write(plain)
write(sweep, points=3)
write(grouped, groups=True)

# per-group answers: read when present, None when absent
run = reader.read_run(grouped)
assert run.groups["name"] == ["low", "high"] and run.groups["composite"]["strategy"].tolist() == [0, 2]
assert reader.read_run(plain).groups is None and tidy.summary_by_group_frame(plain) is None
bg = tidy.summary_by_group_frame(grouped)
row = bg[(bg.strategy == "B") & (bg.group == "high") & (bg.outcome == "n_metastasis_deaths")]
assert int(row["value"].iloc[0]) == 6, row
wide = tidy.summary_by_group_frame(grouped, wide=True)
assert len(wide) == 8 and wide["n_metastasis_deaths"].dtype.kind == "i", wide.dtypes
from netsurv_analysis.groups import tests_per_death_averted  # noqa: E402
# B against A in the high group: 2 tests x 400 patients for 3 deaths averted
assert abs(tests_per_death_averted(run.groups["summary_by_group"], 1, 0, 1) - 800 / 3) < 1e-9

# sweeps: one Run per point, point values attached, frames with the point in front
runs = reader.read_points(sweep)
assert [r.point for r in runs] == [0, 1, 2] and runs[2].point_values == {"modalities.mri.cost": 800.0}
assert runs[1].summary["mean_cost"].tolist() == (COST + 1).tolist()
sw = tidy.summary_frame(sweep, wide=True)
assert list(sw.columns[:3]) == ["point", "modalities.mri.cost", "strategy"] and len(sw) == 12
assert sw["n_metastases"].dtype.kind == "i"

# histograms as a long table, when the file has them (this one has none)
assert len(tidy.histogram_frame(plain)) == 0

# the dampack layout: frontier first, then ED, then D, each by cost; NaN off the frontier
ice = tidy.icer_frame(plain)
assert ice["Strategy"].tolist() == ["A", "B", "D", "C"], ice
assert ice["Status"].tolist() == ["ND", "ND", "ND", "ED"], ice
assert np.isnan(ice["ICER"].iloc[0]) and ice["ICER"].iloc[2] == 20.0 and np.isnan(ice["ICER"].iloc[3])
out = tidy.export(plain, os.path.join(d, "exp"))
assert open(out[0]).read().splitlines()[1:3] == ["A,0,0,NA,NA,NA,ND", "B,10,1,10,1,10,ND"]

# currency and price year: from the scenario here; USD with a note when nothing says
sc = load_scenario(SCENARIO)
assert currency_of(run, sc) == ("EUR", 2024)
assert "Costs in EUR, 2024 prices" in money_note(run, sc, 20) and "assumed" not in money_note(run, sc, 20)
bare = load_scenario("name: x\n")
assert currency_of(None, bare) == ("USD", None)
note = money_note(None, bare, 100000)
assert "USD is assumed" in note and "price year not stated" in note and "100,000 USD per QALY" in note

# labels: a parameter's label: names it; otherwise its path in words
assert parameter_labels(sc) == {"modalities.mri.cost": "MRI, cost per scan"}
assert readable_path("modalities.mri.specificity") == "MRI: specificity"

# the population EVPI factor: N a year over T years discounted at r
assert abs(population_factor({"incidence": 100, "horizon_years": 3, "rate": 0.0}) - 300) < 1e-9
f3 = population_factor({"incidence": 100, "horizon_years": 2.5, "rate": 0.03})
assert abs(f3 - (100 + 100 / 1.03 + 50 / 1.03 ** 2)) < 1e-9

# the population: from the file's /economics attributes, else the report's options
from netsurv_analysis.report import population_of  # noqa: E402
with h5py.File(plain, "r+") as f:
    f["economics"].attrs.update({"population_incidence": 500.0, "population_horizon_years": 4.0})
pop = population_of(reader.read_run(plain), sc, (None, None))
assert pop["incidence"] == 500 and pop["horizon_years"] == 4 and pop["source"] == "the file", pop
pop = population_of(reader.read_run(sweep), bare, (200, 5))
assert pop["incidence"] == 200 and "--population" in pop["source"], pop
assert population_of(reader.read_run(sweep), bare, (None, None)) is None

# summary --csv: interval ends as numeric columns, QALYs and life-years; one row per point
buf = io.StringIO()
with redirect_stdout(buf):
    assert cli.summary_main([sweep, "--csv"]) == 0
lines = buf.getvalue().splitlines()
head = lines[0].split(",")
assert head[:3] == ["point", "modalities.mri.cost", "strategy"] and len(lines) == 13
for col in ("mean_cost_eur_ci_low", "mean_cost_eur_ci_high", "mean_qaly_discounted",
            "mean_qaly_discounted_ci_low", "mean_ly_discounted"):
    assert col in head, (col, head)
k = head.index("mean_cost_eur_ci_low")
assert all(float(x.split(",")[k]) == float(x.split(",")[k]) for x in lines[1:])
# how sure, per group (/psa_by_group): planted draws where A and D do the same for the low
# group (a tie split in the draws), and where the base-case choice (B) is not the one with the
# highest expected NMB in the draws (C) for the high group
from netsurv_analysis.groups import group_certainty  # noqa: E402
K = 4
pc = np.zeros((K, 2, 4))
pe = np.zeros((K, 2, 4))
pe[:, 0, :] = [[1.0, 0.5, 0.2, 1.0]] * K                   # low: A = D best in every draw
pe[:, 1, :] = [[0, 1.0, 0.0, 0], [0, 1.0, 0.0, 0], [0, 0.0, 3.0, 0], [0, 0.0, 3.0, 0]]
with h5py.File(grouped, "r+") as f:
    g = f.create_group("psa_by_group")
    put(g, "cost", pc)
    put(g, "effect", pe)
    put(g, "share", np.tile([0.6, 0.4], (K, 1)))
    put(g, "wtp_grid", np.array([20.0]))
run = reader.read_run(grouped)
c = group_certainty(run, 0, 0, 20.0, factor=1000.0)
assert c["twins"] == [3] and abs(c["p_best"] - 1.0) < 1e-12 and c["evpi"] == 0 and c["ceaf_same"], c
c = group_certainty(run, 1, 1, 20.0, factor=1000.0)
# NMB at WTP 20: B 20, 20, 0, 0 and C 0, 0, 60, 60: B best in half the draws, C has the higher
# mean (30 against 10); EVPI = mean max (40) - 30 = 10; choosing B loses 40 - 10 = 30; the
# group's contribution per cohort patient 0.4 x 10 = 4, for 1,000 patients 4,000
assert c["p_best"] == 0.5 and c["ceaf"] == 2 and not c["ceaf_same"], c
assert abs(c["evpi"] - 10) < 1e-9 and abs(c["loss"] - 30) < 1e-9, c
assert abs(c["cohort"] - 4) < 1e-9 and abs(c["population"] - 4000) < 1e-9, c
assert reader.psa_by_group_disagreements(run) == []   # no ceac/ceaf/evpi stored: nothing to differ
with h5py.File(grouped, "r+") as f:
    put(f["psa_by_group"], "evpi", np.array([[0.0], [11.0]]))     # planted wrong for "high"
msgs = reader.psa_by_group_disagreements(reader.read_run(grouped))
assert len(msgs) == 1 and "group 1" in msgs[0], msgs

# /voi/evsi read by names and descriptions: the dimensions from the bracketed list in any order,
# else by unique lengths; a dataset whose dimensions cannot be told is left out
from netsurv_analysis.voi import dims_of, evsi_data  # noqa: E402
axes = {"N": [1, 2, 3], "T": [5.0, 10.0], "wtp": [0.0, 20.0, 40.0, 60.0]}
assert dims_of("EVSI [wtp, follow-up years, sample size]", (4, 2, 3), axes) == ["wtp", "T", "N"]
assert dims_of("no list", (2, 3), axes) == ["T", "N"]
assert dims_of("no list", (3, 3), {"N": [1, 2, 3], "T": [1, 2, 3]}) is None
with h5py.File(grouped, "r+") as f:
    v = f.create_group("voi")
    put(v, "wtp_grid", np.array([0.0, 20.0, 40.0, 60.0]))
    e = v.create_group("evsi")
    put(e, "sample_size", np.array([1, 2, 3]))
    put(e, "follow_up_years", np.array([5.0, 10.0]))
    put(e, "wtp_grid", np.array([0.0, 20.0, 40.0, 60.0]))
    enbs = np.arange(24, dtype=float).reshape(4, 2, 3)             # [wtp, T, N]
    put(e, "enbs", enbs).attrs["description"] = "ENBS [wtp, follow-up years, sample size]"
    put(e, "cost", np.ones((3, 3))).attrs["description"] = "cost"  # 3 x 3: not told apart
ev = evsi_data(reader.read_run(grouped), 20.0)
assert len(ev) == 1 and ev[0]["series"]["enbs"].tolist() == enbs[1].tolist(), ev
assert "cost" not in ev[0]["series"] and ev[0]["wtp"] == 20.0, ev[0]["series"].keys()
# the writer's layout: one subgroup per study; a dataset without a bracketed list takes the
# dimensions of one of the same shape that has one (here N and T have the same length, so
# lengths alone could not tell them apart); standard errors and cost ends are not quantities
with h5py.File(grouped, "r+") as f:
    del f["voi/evsi"]
    st = f["voi"].create_group("evsi").create_group("registry")
    st.attrs.update({"groups": "high", "protocol": "B", "observes": "local, distant"})
    put(st, "sample_size", np.array([10, 20]))
    put(st, "follow_up_years", np.array([5.0, 10.0]))
    put(st, "wtp_grid", np.array([0.0, 20.0, 40.0, 60.0]))
    x = np.arange(16, dtype=float).reshape(2, 2, 4)               # [T, N, wtp]
    put(st, "evsi", x).attrs["description"] = "EVSI [follow_up_years, sample_size, wtp_grid]"
    put(st, "population_evsi", 10 * x).attrs["description"] = "EVSI for the population"
    put(st, "evsi_se", x).attrs["description"] = "its standard error"
    put(st, "cost", np.ones((2, 2))).attrs["description"] = "cost [follow_up_years, sample_size]"
    put(st, "cost_low", np.zeros((2, 2))).attrs["description"] = "the low ends"
ev = evsi_data(reader.read_run(grouped), 20.0)
assert len(ev) == 1 and ev[0]["name"] == "registry" and ev[0]["attrs"]["protocol"] == "B", ev
assert sorted(ev[0]["series"]) == ["cost", "evsi", "population_evsi"], ev[0]["series"].keys()
assert ev[0]["series"]["population_evsi"].tolist() == (10 * x[:, :, 1]).tolist()
assert ev[0]["series"]["cost"].tolist() == [[1, 1], [1, 1]]
# what each strategy does for a risk group when the file has no /groups/rule: the rules its
# patients fall under, found cell by cell from the groups' and the rules' when: (size max
# exclusive, an unquoted no read by YAML as False, otherwise: true takes the rest)
from netsurv_analysis.groups import partition_rules, rules_for_group  # noqa: E402
import yaml  # noqa: E402
sc = yaml.safe_load("""
groups:
  - {name: rest, otherwise: true}
  - {name: small_clean, when: {size_mm: {max: 10}, lvi: [no], margin: [R0]}}
  - {name: small_other, when: {size_mm: {max: 10}, margin: [R1, Rx]}}
  - {name: small_lvi, when: {size_mm: {max: 10}, lvi: ["yes"], margin: [R0]}}
strategies:
  - name: s
    rules:
      - {name: big, otherwise: true, schedule: [{every: 1, from: 1, to: 5, tests: [mri]}]}
      - {name: tiny, when: {size_mm: {max: 5}}, schedule: []}
      - {name: r0, when: {size_mm: {min: 5, max: 10}, margin: [R0]}, schedule: []}
""")
rules = sc["strategies"][0]["rules"]
want = {"small_clean": [1, 2], "small_other": [0, 1], "small_lvi": [1, 2], "rest": [0]}
for g, w in want.items():
    assert partition_rules(sc, g, rules) == w, (g, partition_rules(sc, g, rules), w)
assert partition_rules(sc, "nosuchgroup", rules) == []


class FakeRun:
    strategies = ["s"]
    groups = {"name": [g["name"] for g in sc["groups"]]}


words = rules_for_group(FakeRun(), sc, 0, "rest")
assert list(words) == [0] and words[0].endswith("(rule big)") and "MRI" in words[0], words
words = rules_for_group(FakeRun(), sc, 2, "small_other")[0]
assert "rule tiny" in words and "rule big" in words and "rule r0" not in words, words
print("test_analysis: ok")
