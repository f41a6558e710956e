"""Tidy tables of a netsurv file for Python users (pandas data frames), and the exports
R and Python tools read: the ICER table in dampack's layout, the PSA draws in the shape
dampack::make_psa_obj and BCEA::bcea take, and a long CSV of every summary outcome.

    from netsurv_analysis import tidy
    tidy.summary_frame("results/default.h5")          # one row per strategy x outcome
    tidy.summary_frame("results/default.h5", wide=True)  # one row per strategy
    tidy.icer_frame("results/default.h5")             # dampack's calculate_icers layout
    cost, effect, params = tidy.psa_frames("results/default.h5")

Sweep files get a leading `point` column (0-based, as the file's points) and one column per
swept path; files with per-risk-group answers a `group` column (summary_by_group_frame).
Counts are integers, means floats; `ci_low` and `ci_high` are the 95 % interval ends (NaN for
counts, which have none).
"""
import os

import h5py
import numpy as np
import pandas as pd

from . import reader

STATUS_DAMPACK = {reader.FRONTIER: "ND", reader.DOMINATED: "D", reader.EXT_DOMINATED: "ED",
                  reader.DUPLICATE: "duplicate"}
DAMPACK_COLUMNS = ["Strategy", "Cost", "Effect", "Inc_Cost", "Inc_Effect", "ICER", "Status"]
LONG_COLUMNS = ["strategy", "outcome", "part", "value", "ci_low", "ci_high", "units",
                "description"]


def _descriptions(path, group):
    """{dataset: description} of one group of the file."""
    with h5py.File(path, "r") as f:
        if group not in f:
            return {}
        return {k: reader.to_str(d.attrs.get("description", "")) for k, d in f[group].items()
                if isinstance(d, h5py.Dataset)}


def _columns_of(summary, key):
    """The names of the columns of a 2-D summary dataset (modalities, QALY parts), or None."""
    if key == "mean_tests_by_modality":
        return summary.get("modality")
    if key.endswith("_by_part"):
        return summary.get("qaly_part")
    return None


def _long_rows(summary, names, desc, extra_dims=()):
    """Rows (dicts) of the long table for one point: every per-strategy dataset of summary,
    its interval beside it. extra_dims: names of the dimensions after strategy (('group',)
    for /summary_by_group) with their labels, as (name, labels) pairs."""
    rows = []
    keys = [k for k in summary if not k.startswith("_") and k not in reader.SHARED
            and not k.endswith(("_ci_low", "_ci_high", "_histogram"))]
    for key in sorted(keys):
        v = summary[key]
        if not isinstance(v, np.ndarray) or v.ndim == 0 or v.shape[0] != len(names):
            continue
        lo, hi = summary.get(key + "_ci_low"), summary.get(key + "_ci_high")
        parts = _columns_of(summary, key)
        units = summary["_units"].get(key, "")
        index = [("strategy", names)] + list(extra_dims)
        if parts is not None:
            index.append(("part", parts))
        if v.ndim != len(index):
            continue
        for idx in np.ndindex(*v.shape):
            row = {"outcome": key, "part": "", "units": units, "description": desc.get(key, "")}
            for (dim, labels), i in zip(index, idx):
                row[dim] = labels[i] if labels is not None and i < len(labels) else i
            x = v[idx]
            row["value"] = int(x) if v.dtype.kind in "iu" else float(x)
            row["ci_low"] = float(lo[idx]) if lo is not None else np.nan
            row["ci_high"] = float(hi[idx]) if hi is not None else np.nan
            rows.append(row)
    return rows


def _with_points(run, frame):
    """frame with the point index and the swept values in front, for a sweep's Run."""
    if run.point is None:
        return frame
    front = {"point": run.point}
    front.update(run.point_values or {})
    for i, (k, v) in enumerate(front.items()):
        frame.insert(i, k, v)
    return frame


def summary_frame(path, wide=False):
    """Every /summary outcome per strategy: long (strategy, outcome, part, value, ci_low,
    ci_high, units, description; one row per number) or, with wide=True, one row per
    strategy (and point) with columns OUTCOME, OUTCOME_ci_low, OUTCOME_ci_high."""
    desc = _descriptions(path, "summary")
    frames, ints = [], set()
    for run in reader.read_points(path):
        rows = _long_rows(run.summary, run.strategies, desc)
        ints |= _integers(run.summary)
        frames.append(_with_points(run, pd.DataFrame(rows, columns=LONG_COLUMNS)))
    long = pd.concat(frames, ignore_index=True)
    return _widen(long, integer_outcomes=ints) if wide else long


def histogram_frame(path):
    """The histograms of /summary (detection time and delay) as a long table: strategy,
    histogram, bin_start, count (and point for a sweep); the last bin holds everything later."""
    frames = []
    for run in reader.read_points(path):
        rows = []
        for key in sorted(k for k in run.summary if k.endswith("_histogram")):
            starts = run.summary.get(key.replace("_histogram", "_bin_start"))
            hist = np.asarray(run.summary[key])
            if starts is None or hist.ndim != 2:
                continue
            for s, name in enumerate(run.strategies):
                for b, start in enumerate(np.asarray(starts)):
                    rows.append({"strategy": name, "histogram": key.replace("_histogram", ""),
                                 "bin_start": float(start), "count": int(hist[s, b])})
        frames.append(_with_points(run, pd.DataFrame(
            rows, columns=["strategy", "histogram", "bin_start", "count"])))
    return pd.concat(frames, ignore_index=True)


def summary_by_group_frame(path, wide=False):
    """The per-risk-group outcomes (/summary_by_group, [strategy, group]) as summary_frame
    with a `group` column; None when the file has no per-group answers."""
    desc = _descriptions(path, "summary_by_group")
    frames, ints = [], set()
    for run in reader.read_points(path):
        if run.groups is None:
            return None
        g = run.groups["summary_by_group"]
        ints |= _integers(g)
        g.setdefault("_units", {})
        for k in ("modality", "qaly_part"):
            g.setdefault(k, run.summary.get(k))
        rows = _long_rows(g, run.strategies, desc, (("group", run.groups["name"]),))
        cols = ["strategy", "group"] + LONG_COLUMNS[1:]
        frames.append(_with_points(run, pd.DataFrame(rows, columns=cols)))
    long = pd.concat(frames, ignore_index=True)
    return _widen(long, ("group",), ints) if wide else long


def _integers(group):
    """Names of the integer datasets of a read_group dict (the counts)."""
    return {k for k, v in group.items() if isinstance(v, np.ndarray) and v.dtype.kind in "iu"}


def _widen(long, extra=(), integer_outcomes=None):
    """The long table pivoted to one row per strategy (x extra, x point)."""
    ids = [c for c in long.columns if c not in LONG_COLUMNS] + ["strategy"] + list(extra)
    ids = list(dict.fromkeys(i for i in ids if i not in extra)) + list(extra)
    name = np.where(long["part"] == "", long["outcome"], long["outcome"] + ":" + long["part"])
    long = long.assign(name=name)
    out = None
    for col, suffix in (("value", ""), ("ci_low", "_ci_low"), ("ci_high", "_ci_high")):
        sub = long[ids + ["name", col]].copy()
        if suffix:
            sub = sub[np.isfinite(sub[col].astype(float))]
        sub["name"] = sub["name"] + suffix
        p = sub.pivot_table(index=ids, columns="name", values=col, aggfunc="first", sort=False)
        out = p if out is None else out.join(p)
    out = out.reset_index()
    out.columns.name = None
    for col in integer_outcomes or ():   # counts stay integers
        if col in out and not out[col].isna().any():
            out[col] = out[col].astype("int64")
    order = list(dict.fromkeys(long["strategy"]))
    out["_o"] = out["strategy"].map({s: i for i, s in enumerate(order)})
    out = out.sort_values([c for c in ids if c != "strategy"] + ["_o"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def economics_frame(path):
    """/economics per strategy (and point): cost, effect, order position, status (label),
    reference (a strategy name, '' for none), incremental cost and effect, ICER, NMB."""
    frames = []
    for run in reader.read_points(path):
        view = reader.economics_view(run)
        names = view["strategy"]
        rank = np.empty(len(names), dtype=int)
        rank[np.asarray(view["order"], dtype=int)] = np.arange(len(names))
        status = [reader.STATUS_LABELS[int(c)] if 0 <= int(c) < 4 else ""
                  for c in view["status"]]
        ref = [names[int(r)] if 0 <= int(r) < len(names) else "" for r in view["reference"]]
        df = pd.DataFrame({"strategy": names, "cost": view["cost"], "effect": view["effect"],
                           "cost_rank": rank, "status": status, "reference": ref,
                           "incremental_cost": view["incremental_cost"],
                           "incremental_effect": view["incremental_effect"],
                           "icer": view["icer"], "nmb": view["nmb"], "wtp": view["wtp"]})
        frames.append(_with_points(run, df))
    return pd.concat(frames, ignore_index=True)


def icer_frame_of(view):
    """The ICER table of an economics_view in dampack's calculate_icers layout, the order
    and conventions of `netsurv icer --csv`: frontier (ND) rows by cost, then ED, then D and
    duplicate, each by cost; increments and ICER only on the frontier (NaN elsewhere)."""
    names = view["strategy"]
    rows = []
    for i in view["order"]:
        i = int(i)
        code = int(view["status"][i])
        front = code == reader.FRONTIER
        rows.append({"Strategy": names[i], "Cost": float(view["cost"][i]),
                     "Effect": float(view["effect"][i]),
                     "Inc_Cost": float(view["incremental_cost"][i]) if front else np.nan,
                     "Inc_Effect": float(view["incremental_effect"][i]) if front else np.nan,
                     "ICER": float(view["icer"][i]) if front else np.nan,
                     "Status": STATUS_DAMPACK.get(code, "NA"),
                     "_block": {reader.FRONTIER: 0, reader.EXT_DOMINATED: 1}.get(code, 2),
                     "_cost": float(view["cost"][i])})
    df = pd.DataFrame(rows)
    df = df.sort_values(["_block", "_cost"], kind="stable").drop(columns=["_block", "_cost"])
    return df.reset_index(drop=True)[DAMPACK_COLUMNS]


def icer_frame(path, point=None):
    """The ICER table of a file (one point of a sweep) in dampack's layout."""
    return icer_frame_of(reader.economics_view(reader.read_run(path, point)))


def psa_frames(path):
    """The PSA draws: (cost, effect, parameters) data frames, draws x strategies (columns
    named after the strategies) and draws x parameters; None without /psa. These are the
    cost, effectiveness and parameters of dampack::make_psa_obj, and (as matrices) c and e
    of BCEA::bcea."""
    run = reader.read_run(path)
    p = run.psa
    if p is None or "cost" not in p:
        return None
    names = run.strategies
    cost = pd.DataFrame(np.asarray(p["cost"]), columns=names)
    effect = pd.DataFrame(np.asarray(p["effect"]), columns=names)
    values = np.asarray(p.get("values", np.empty((len(cost), 0))))
    params = pd.DataFrame(values.reshape(len(cost), -1), columns=p.get("parameter") or [])
    return cost, effect, params


def csv_number(x):
    """A number as `netsurv icer --csv` writes it: the shortest text that reads back exactly,
    NA when missing."""
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if x is None or not np.isfinite(float(x)):
        return "NA"
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def write_frame(df, path, na="NA"):
    """df as CSV (no index), numbers in csv_number form, whole or not at all."""
    tmp = path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        f.write(",".join(_cell(c) for c in df.columns) + "\n")
        for row in df.itertuples(index=False):
            f.write(",".join(_cell(v, na) for v in row) + "\n")
    os.replace(tmp, path)
    return path


def _cell(v, na="NA"):
    """One CSV cell: numbers via csv_number, text quoted when it holds a comma or quote."""
    if isinstance(v, (float, np.floating)):
        return na if not np.isfinite(v) else csv_number(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    text = "" if v is None else str(v)
    if any(c in text for c in ',"\n'):
        text = '"%s"' % text.replace('"', '""')
    return text


def export(path, outdir):
    """Write the exports of a netsurv file into outdir: icer_dampack.csv (one per point for a
    sweep: icer_dampack_point<K>.csv), psa_cost.csv, psa_effectiveness.csv and
    psa_parameters.csv (with /psa), summary_long.csv, histograms_long.csv (and
    summary_by_group_long.csv with per-group answers); returns the paths written."""
    os.makedirs(outdir, exist_ok=True)
    written = []
    runs = reader.read_points(path)
    for run in runs:
        name = ("icer_dampack.csv" if run.point is None
                else "icer_dampack_point%d.csv" % run.point)
        written.append(write_frame(icer_frame_of(reader.economics_view(run)),
                                   os.path.join(outdir, name)))
    psa = psa_frames(path) if runs[0].point is None else None
    if psa is not None:
        for df, name in zip(psa, ("psa_cost.csv", "psa_effectiveness.csv",
                                  "psa_parameters.csv")):
            written.append(write_frame(df, os.path.join(outdir, name)))
    written.append(write_frame(summary_frame(path), os.path.join(outdir, "summary_long.csv")))
    written.append(write_frame(histogram_frame(path), os.path.join(outdir, "histograms_long.csv")))
    by_group = summary_by_group_frame(path)
    if by_group is not None:
        written.append(write_frame(by_group, os.path.join(outdir, "summary_by_group_long.csv")))
    return written
