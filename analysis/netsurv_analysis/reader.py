"""Reading helpers for netsurv HDF5 files, and the decision rules derived from them.

Used by the report and the summary table. Reads only the file (never re-runs the model).

    from netsurv_analysis import read_run
    run = read_run("results/default.h5")
    run.summary["mean_cost"], run.economics, run.psa, run.owsa  # the last three may be None

The economics functions (incremental_analysis, nmb, psa_at_wtp) re-derive from
the file's own means and PSA draws what netsurv writes to /economics and /psa,
so a reader can check the two agree, and so a file without /economics still
gets a cost-effectiveness table when it carries QALYs.
"""
from dataclasses import dataclass, field

import h5py
import numpy as np

ROOT_ATTRS = ("netsurv_version", "git_revision", "seed", "n_patients", "command_line", "created",
              "scenario_name", "scenario_path", "hdf5_version", "compiler")
STATUS_LABELS = ("frontier", "dominated", "extended_dominated", "duplicate")
FRONTIER, DOMINATED, EXT_DOMINATED, DUPLICATE = range(4)
DEFAULT_WTP = 100000.0
MISSED_REASONS = ("not_followed", "between_visits", "false_negative", "after_schedule",
                  "missed_visit")  # /summary/missed_<reason>, in the order netsurv writes them


# datasets that a sweep does not give a leading point dimension
SHARED = {"strategy", "strategy_source", "modality", "qaly_part", "detection_time_bin_start",
          "detection_delay_bin_start", "wtp_grid", "name", "group"}
GROUP_PARTS = ("summary_by_group", "economics_by_group", "composite", "psa_by_group")


@dataclass
class Run:
    """Everything the report needs from one netsurv file (or one point of a sweep); optional
    groups are None when absent. kind: 'run', 'sweep' (this Run is one point) or 'merged'.
    groups: None, or {'name': [G names], 'summary_by_group': {...}, 'economics_by_group':
    {...} or None, 'composite': {...} or None, 'psa_by_group': {...} or None} when the file
    has per-risk-group answers. voi: /voi (netsurv run --psa K --voi) as read_voi gives it,
    or None."""
    path: str
    attrs: dict
    scenario_text: str
    summary: dict
    economics: dict = None
    psa: dict = None
    owsa: dict = None
    units: dict = field(default_factory=dict)
    kind: str = "run"
    point: int = None
    n_points: int = 0
    point_values: dict = None
    groups: dict = None
    voi: dict = None

    @property
    def strategies(self):
        """Strategy names, the rows of every per-strategy dataset."""
        return self.summary["strategy"]


def to_str(value):
    """A str from an HDF5 string value (bytes, numpy bytes/str or str)."""
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return to_str(value[()])
    return str(value)


def read_dataset(ds):
    """A dataset's value: a list of str for string datasets, a str for a scalar string,
    otherwise a numpy array (float64 for floating data)."""
    if h5py.check_string_dtype(ds.dtype) is not None or ds.dtype.kind in "OSU":
        value = ds[()]
        if np.ndim(value) == 0:
            return to_str(value)
        return [to_str(v) for v in value]
    value = ds[()]
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    return value


def read_group(group):
    """A group's datasets as a dict of name -> value, with the group's attributes under
    '_attrs' and each dataset's units under '_units'."""
    data = {name: read_dataset(obj) for name, obj in group.items() if isinstance(obj, h5py.Dataset)}
    data["_attrs"] = {k: attr_value(v) for k, v in group.attrs.items()}
    data["_units"] = {name: to_str(obj.attrs.get("units", ""))
                      for name, obj in group.items() if isinstance(obj, h5py.Dataset)}
    data["_labels"] = {name: to_str(obj.attrs["labels"])
                       for name, obj in group.items()
                       if isinstance(obj, h5py.Dataset) and "labels" in obj.attrs}
    return data


def attr_value(value):
    """An attribute as a plain Python value (str, int, float or list)."""
    if isinstance(value, (bytes, np.bytes_, str)):
        return to_str(value)
    if isinstance(value, np.ndarray):
        if value.shape == ():
            return attr_value(value[()])
        return [attr_value(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def file_kind(path):
    """'calibration' (netsurv calibrate -o), 'sweep' (/sweep), 'merged' (netsurv merge),
    'run', or 'unknown' (no /summary and no /posterior)."""
    with h5py.File(path, "r") as f:
        if "posterior" in f:
            return "calibration"
        if "summary" not in f:
            return "unknown"
        if "sweep" in f:
            return "sweep"
        cmd = attr_value(f.attrs.get("command_line", ""))
        return "merged" if " merge " in " %s " % cmd else "run"


def n_sweep_points(f):
    """Points of the sweep in open file f (0 without /sweep)."""
    if "sweep" not in f:
        return 0
    g = f["sweep"]
    if "n_points" in g.attrs:
        return int(attr_value(g.attrs["n_points"]))
    pts = g.get("points")
    return len(next(iter(pts.values()))) if pts is not None and len(pts) else 0


def at_point(data, point):
    """A read_group dict with every per-point dataset cut to one point (the leading
    dimension of a sweep file's datasets); names in SHARED and the metadata keep theirs."""
    if point is None:
        return data
    out = {}
    for k, v in data.items():
        if k.startswith("_") or k in SHARED or not isinstance(v, np.ndarray) or v.ndim == 0:
            out[k] = v
        else:
            out[k] = v[point]
    return out


def read_groups(f, point=None):
    """The per-risk-group answers of open file f, or None when it has none (/groups/name
    with /summary_by_group, and optionally /economics_by_group and /composite)."""
    if "groups" not in f or "name" not in f["groups"] or "summary_by_group" not in f:
        return None
    out = {k: read_dataset(d) for k, d in f["groups"].items() if isinstance(d, h5py.Dataset)}
    out["name"] = read_dataset(f["groups/name"])
    for part in GROUP_PARTS:
        out[part] = at_point(read_group(f[part]), point) if part in f else None
    return out


def read_voi(f):
    """/voi of open file f as a dict (read_group: datasets, '_attrs', '_units'), with each
    dataset's `description` attribute under '_descriptions', and /voi/evsi (when another
    netsurv writes it) the same way under 'evsi'; None without /voi."""
    if "voi" not in f:
        return None
    g = f["voi"]
    out = read_group(g)
    out["_descriptions"] = {name: to_str(obj.attrs.get("description", ""))
                            for name, obj in g.items() if isinstance(obj, h5py.Dataset)}
    def described(group):
        """read_group of group with its datasets' descriptions under '_descriptions'."""
        d = read_group(group)
        d["_descriptions"] = {name: to_str(obj.attrs.get("description", ""))
                              for name, obj in group.items() if isinstance(obj, h5py.Dataset)}
        return d

    if "evsi" in g and isinstance(g["evsi"], h5py.Group):
        e = described(g["evsi"])
        # one subgroup per study (/voi/evsi/STUDY/...), when the writer makes them
        e["_studies"] = {name: described(obj) for name, obj in g["evsi"].items()
                         if isinstance(obj, h5py.Group)}
        out["evsi"] = e
    return out


def psa_by_group_disagreements(run, rtol=1e-9):
    """Where /psa_by_group/ceac, ceaf and evpi differ from what psa_at_wtp derives from the
    group's draws at each grid point: a list of messages (empty when they agree or absent)."""
    p = (run.groups or {}).get("psa_by_group")
    if not p or not all(k in p for k in ("cost", "effect", "wtp_grid")):
        return []
    cost, effect = np.asarray(p["cost"]), np.asarray(p["effect"])
    msgs = []
    for k in range(cost.shape[1]):
        for w, wtp in enumerate(np.asarray(p["wtp_grid"], dtype=np.float64)):
            share, best, evpi = psa_at_wtp(cost[:, k, :], effect[:, k, :], wtp)
            if "ceac" in p and not np.allclose(p["ceac"][k][w], share, rtol=rtol, atol=1e-12):
                msgs.append("/psa_by_group/ceac of group %d at WTP %g is %s, derived %s"
                            % (k, wtp, list(p["ceac"][k][w]), list(share)))
            if "ceaf" in p and int(p["ceaf"][k][w]) != best:
                msgs.append("/psa_by_group/ceaf of group %d at WTP %g is %d, derived %d"
                            % (k, wtp, int(p["ceaf"][k][w]), best))
            if "evpi" in p and not np.isclose(p["evpi"][k][w], evpi, rtol=1e-6, atol=1e-6):
                msgs.append("/psa_by_group/evpi of group %d at WTP %g is %g, derived %g"
                            % (k, wtp, p["evpi"][k][w], evpi))
    return msgs


def read_sweep_points(f):
    """{swept path: numpy array of its value at each point} of open file f."""
    if "sweep" not in f or "points" not in f["sweep"]:
        return {}
    pts = f["sweep/points"]
    axes = read_dataset(f["sweep/axis"]) if "axis" in f["sweep"] else sorted(pts)
    return {a: np.asarray(pts[a][()], dtype=np.float64) for a in axes if a in pts}


def read_run(path, point=None):
    """Read a netsurv file into a Run. For a sweep, the Run of one point (default 0), with
    that point's PSA (/sweep_psa/point_NNNNNN) as its psa; see read_points for all. Raises KeyError if /summary is missing (a calibration file: see
    read_calibration)."""
    with h5py.File(path, "r") as f:
        if "summary" not in f:
            raise KeyError("no /summary in %s (%s)" % (
                path, "a calibration file: netsurv calibrate -o" if "posterior" in f
                else "not a netsurv run"))
        P = n_sweep_points(f)
        if P and point is None:
            point = 0
        if point is not None and not 0 <= point < max(P, 1):
            raise IndexError("point %d: the file has %d" % (point, P))
        if not P:
            point = None
        attrs = {k: attr_value(f.attrs[k]) for k in ROOT_ATTRS if k in f.attrs}
        scenario = read_dataset(f["scenario"]) if "scenario" in f else ""
        summary = at_point(read_group(f["summary"]), point)
        optional = {name: at_point(read_group(f[name]), point) if name in f else None
                    for name in ("economics", "psa", "owsa")}
        # a sweep with --psa K: each point's PSA, laid out as /psa of a plain run
        at = "sweep_psa/point_%06d" % point if point is not None else None
        if at is not None and at in f:
            optional["psa"] = read_group(f[at])
        cmd = attrs.get("command_line", "")
        kind = "sweep" if P else ("merged" if " merge " in " %s " % cmd else "run")
        values = read_sweep_points(f)
        groups = read_groups(f, point)
        voi = read_voi(f) if point is None else None
    return Run(path=path, attrs=attrs, scenario_text=scenario if isinstance(scenario, str) else "",
               summary=summary, units=summary["_units"], kind=kind, point=point, n_points=P,
               point_values={k: float(v[point]) for k, v in values.items()} if P else None,
               groups=groups, voi=voi, **optional)


def read_points(path):
    """Every point of a file as a list of Runs (one Run for a file without a sweep)."""
    with h5py.File(path, "r") as f:
        P = n_sweep_points(f)
    return [read_run(path, p) for p in range(P)] if P else [read_run(path)]


def read_calibration(path):
    """The file of `netsurv calibrate -o`: a dict of its root attributes ('attrs'), the
    scenario and series texts, and the groups posterior, targets and diagnostics (dicts of
    read_group)."""
    with h5py.File(path, "r") as f:
        if "posterior" not in f:
            raise KeyError("no /posterior in %s: not a calibration file" % path)
        out = {"path": path, "attrs": {k: attr_value(v) for k, v in f.attrs.items()},
               "scenario_text": read_dataset(f["scenario"]) if "scenario" in f else "",
               "series_text": read_dataset(f["series_file"]) if "series_file" in f else ""}
        for name in ("posterior", "targets", "diagnostics"):
            out[name] = read_group(f[name]) if name in f else None
    return out


IDENTIFIED_BELOW = 0.5   # posterior 95 % interval narrower than half the prior's
UNIDENTIFIED_FROM = 0.8  # at least 0.8 of the prior's width: the series barely move it


def _weighted_quantiles(x, w, qs):
    """Quantiles qs of x under weights w (the smallest x whose cumulative weight reaches q)."""
    o = np.argsort(x, kind="stable")
    c = np.cumsum(w[o])
    return [x[o][min(np.searchsorted(c, q * c[-1]), len(x) - 1)] for q in qs]


def identifiability(cal):
    """Per calibrated parameter of a calibration file: the 95 % interval of the prior (the
    unweighted points of IMIS iteration 0, which are prior draws), of the posterior, the
    ratio of their widths, the shift of the median in prior widths, and a verdict on the
    width: 'narrowed' (ratio < 0.5), 'partly narrowed' (< 0.8) or 'as wide as the prior'
    (the series do not pin it; a shift can still say they moved it). A list of dicts; empty
    when the file has no iteration-0 points."""
    p = cal["posterior"]
    theta = np.asarray(p["theta"], dtype=np.float64)
    w = np.asarray(p["weight"], dtype=np.float64)
    it = np.asarray(p.get("iteration", []))
    prior = it == 0 if it.size == len(w) else np.zeros(len(w), dtype=bool)
    out = []
    if prior.sum() < 2:
        return out
    for j, name in enumerate(p["parameter"]):
        lo, hi = np.quantile(theta[prior, j], [0.025, 0.975])
        plo, pmed, phi = _weighted_quantiles(theta[:, j], w, (0.025, 0.5, 0.975))
        ratio = (phi - plo) / (hi - lo) if hi > lo else np.nan
        shift = (pmed - np.median(theta[prior, j])) / (hi - lo) if hi > lo else np.nan
        verdict = ("narrowed" if ratio < IDENTIFIED_BELOW else
                   "partly narrowed" if ratio < UNIDENTIFIED_FROM else "as wide as the prior")
        out.append({"parameter": name, "prior_q025": lo, "prior_q975": hi,
                    "posterior_q025": plo, "posterior_q975": phi, "width_ratio": ratio,
                    "median_shift": shift, "verdict": verdict})
    return out


def has_effects(values):
    """True when values is a non-empty array with every entry finite."""
    values = np.asarray(values, dtype=np.float64)
    return values.size > 0 and bool(np.all(np.isfinite(values)))


def nmb(cost, effect, wtp):
    """Net monetary benefit wtp * effect - cost, elementwise."""
    return wtp * np.asarray(effect, dtype=np.float64) - np.asarray(cost, dtype=np.float64)


def cost_order(cost, effect):
    """Strategy indices sorted by cost, then by effect descending, then by index."""
    n = len(cost)
    return np.array(sorted(range(n), key=lambda i: (cost[i], -effect[i], i)), dtype=np.int32)


def _dominates(cost, effect, j, i):
    """True when j costs no more and gains no less than i, one of them strictly."""
    return (cost[j] <= cost[i] and effect[j] >= effect[i]
            and (cost[j] < cost[i] or effect[j] > effect[i]))


def _extended_dominance(cost, effect, candidates):
    """From candidates (sorted by cost, none strongly dominated) remove, until none is left,
    every strategy whose ICER exceeds the next one's; returns (frontier, removed)."""
    frontier, removed = list(candidates), []
    changed = True
    while changed and len(frontier) > 2:
        changed = False
        icers = [(cost[b] - cost[a]) / (effect[b] - effect[a])
                 for a, b in zip(frontier[:-1], frontier[1:])]
        for k in range(len(icers) - 1):
            if icers[k] > icers[k + 1]:
                removed.append(frontier.pop(k + 1))
                changed = True
                break
    return frontier, removed


def incremental_analysis(cost, effect):
    """Incremental cost-effectiveness analysis, the rules of include/netsurv/econ.h.

    Returns a dict of numpy arrays indexed by strategy: order (by cost), status
    (FRONTIER, DOMINATED, EXT_DOMINATED, DUPLICATE), reference (the previous frontier
    strategy, -1 for the first and off the frontier), incremental_cost,
    incremental_effect and icer (NaN where none). A strategy with the same cost and
    effect as an earlier one takes that one's status, or DUPLICATE when it is on the
    frontier."""
    cost = np.asarray(cost, dtype=np.float64)
    effect = np.asarray(effect, dtype=np.float64)
    n = len(cost)
    order = cost_order(cost, effect)
    status = np.full(n, FRONTIER, dtype=np.int32)
    leader = {}
    for i in order:
        leader.setdefault((cost[i], effect[i]), int(i))
    leaders = [int(i) for i in order if leader[(cost[i], effect[i])] == i]
    for i in leaders:
        if any(_dominates(cost, effect, j, i) for j in leaders):
            status[i] = DOMINATED
    candidates = [i for i in leaders if status[i] == FRONTIER]
    frontier, removed = _extended_dominance(cost, effect, candidates)
    status[removed] = EXT_DOMINATED
    for i in order:
        first = leader[(cost[i], effect[i])]
        if first != i:
            status[i] = DUPLICATE if status[first] == FRONTIER else status[first]
    out = {"order": order, "status": status, "reference": np.full(n, -1, dtype=np.int32)}
    for key in ("incremental_cost", "incremental_effect", "icer"):
        out[key] = np.full(n, np.nan)
    for a, b in zip(frontier[:-1], frontier[1:]):
        out["reference"][b] = a
        out["incremental_cost"][b] = cost[b] - cost[a]
        out["incremental_effect"][b] = effect[b] - effect[a]
        out["icer"][b] = out["incremental_cost"][b] / out["incremental_effect"][b]
    return out


def best_by_nmb(values):
    """Index of the highest value, ties to the lowest index (NaN never wins)."""
    values = np.where(np.isfinite(values), values, -np.inf)
    return int(np.argmax(values))


def psa_at_wtp(cost, effect, wtp):
    """From PSA draws cost[K, S], effect[K, S] at one willingness-to-pay: the share of
    draws in which each strategy has the highest NMB (ties split evenly), the strategy
    with the highest expected NMB, and the EVPI per patient."""
    values = nmb(cost, effect, wtp)
    top = values.max(axis=1, keepdims=True)
    winners = (values == top).astype(np.float64)
    share = (winners / winners.sum(axis=1, keepdims=True)).mean(axis=0)
    expected = values.mean(axis=0)
    evpi = float(top.mean() - expected.max())
    return share, best_by_nmb(expected), max(evpi, 0.0)


def economics_view(run):
    """The cost-effectiveness inputs of a run, from /economics when present, otherwise
    derived from /summary (mean_cost_discounted, mean_qaly_discounted when present).

    Returns a dict: strategy, cost, effect (NaN when the file has no QALYs), wtp,
    wtp_from_file, source ('economics' or 'summary'), and the incremental analysis
    keys (order, status, reference, incremental_cost, incremental_effect, icer) and
    nmb, taken from /economics or computed here."""
    names = run.strategies
    n = len(names)
    e = run.economics
    if e is not None:
        view = {"cost": e["cost"], "effect": e["effect"], "source": "economics",
                "wtp": float(e["_attrs"].get("wtp", DEFAULT_WTP)),
                "wtp_from_file": "wtp" in e["_attrs"]}
        for key in ("order", "status", "reference", "incremental_cost", "incremental_effect",
                    "icer", "nmb"):
            if key in e:
                view[key] = np.asarray(e[key])
    else:
        effect = run.summary.get("mean_qaly_discounted", np.full(n, np.nan))
        view = {"cost": run.summary["mean_cost_discounted"], "effect": effect,
                "source": "summary", "wtp": DEFAULT_WTP, "wtp_from_file": False}
    view["strategy"] = names
    view["has_effects"] = has_effects(view["effect"])
    derived = derived_economics(view["cost"], view["effect"], view["wtp"])
    view["derived"] = derived
    for key, value in derived.items():
        view.setdefault(key, value)
    return view


def derived_economics(cost, effect, wtp):
    """incremental_analysis plus nmb, or, without finite effects, only the cost order
    with every other entry missing (status -1)."""
    cost = np.asarray(cost, dtype=np.float64)
    effect = np.asarray(effect, dtype=np.float64)
    n = len(cost)
    if has_effects(effect):
        out = incremental_analysis(cost, effect)
        out["nmb"] = nmb(cost, effect, wtp)
        return out
    out = {"order": np.argsort(cost, kind="stable").astype(np.int32),
           "status": np.full(n, -1, dtype=np.int32), "reference": np.full(n, -1, dtype=np.int32)}
    for key in ("incremental_cost", "incremental_effect", "icer", "nmb"):
        out[key] = np.full(n, np.nan)
    return out


def economics_disagreements(view, rtol=1e-9):
    """Where /economics differs from what this module derives from its cost and effect:
    a list of messages (empty when they agree or when there is no /economics). Order,
    status and NMB are compared for every strategy; reference, increments and ICER
    only on the frontier (what a writer puts off the frontier is its choice)."""
    if view["source"] != "economics" or not view["has_effects"]:
        return []
    d, msgs = view["derived"], []
    on_frontier = d["status"] == FRONTIER
    for key in ("order", "status", "reference"):
        if key not in view:
            continue
        a = np.asarray(view[key])
        mask = on_frontier if key == "reference" else np.ones(len(a), dtype=bool)
        if a.shape != d[key].shape or not np.array_equal(a[mask], d[key][mask]):
            msgs.append("/economics/%s is %s, derived %s" % (key, a.tolist(), d[key].tolist()))
    for key in ("incremental_cost", "incremental_effect", "icer", "nmb"):
        if key not in view:
            continue
        a, b = np.asarray(view[key], dtype=np.float64), d[key]
        mask = np.ones(len(a), dtype=bool) if key == "nmb" else on_frontier
        same = np.isclose(a, b, rtol=rtol, atol=1e-9, equal_nan=True)
        if a.shape != b.shape or not np.all(same[mask]):
            msgs.append("/economics/%s is %s, derived %s" % (key, a.tolist(), b.tolist()))
    return msgs


def psa_disagreements(run, rtol=1e-9):
    """Where /psa/ceac, ceaf and evpi differ from what psa_at_wtp derives from the
    draws at each grid point: a list of messages (empty when they agree or no /psa)."""
    p = run.psa
    if p is None or not all(k in p for k in ("cost", "effect", "wtp_grid")):
        return []
    msgs = []
    for w, wtp in enumerate(np.asarray(p["wtp_grid"], dtype=np.float64)):
        share, best, evpi = psa_at_wtp(p["cost"], p["effect"], wtp)
        if "ceac" in p and not np.allclose(p["ceac"][w], share, rtol=rtol, atol=1e-12):
            msgs.append("/psa/ceac at WTP %g is %s, derived %s"
                        % (wtp, list(p["ceac"][w]), list(share)))
        if "ceaf" in p and int(p["ceaf"][w]) != best:
            msgs.append("/psa/ceaf at WTP %g is %d, derived %d" % (wtp, int(p["ceaf"][w]), best))
        if "evpi" in p and not np.isclose(p["evpi"][w], evpi, rtol=1e-6, atol=1e-6):
            msgs.append("/psa/evpi at WTP %g is %g, derived %g" % (wtp, p["evpi"][w], evpi))
    return msgs
