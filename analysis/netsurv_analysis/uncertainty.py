"""The numbers the report draws from /psa and /owsa at its willingness to pay: the
probability that each strategy is cost-effective and the EVPI, and the tornado's data."""
import numpy as np

from . import reader


def psa_summary(run, view):
    """(probability cost-effective per strategy at the WTP, best by expected NMB, EVPI,
    number of draws) from the PSA draws, or None without /psa."""
    p = run.psa
    if p is None or "cost" not in p or "effect" not in p:
        return None
    share, best, evpi = reader.psa_at_wtp(p["cost"], p["effect"], view["wtp"])
    return {"share": share, "best": best, "evpi": evpi, "draws": p["cost"].shape[0],
            "patients": p["_attrs"].get("n_patients")}


def tornado_data(owsa, view):
    """The tornado's numbers: the base-case best strategy by NMB at the OWSA's WTP, the
    runner-up, and per parameter the incremental NMB (best minus runner-up; the best's own
    NMB when there is one strategy) at the low and high values, sorted by swing."""
    wtp = float(owsa["_attrs"].get("wtp", view["wtp"]))
    base_nmb = reader.nmb(view["cost"], view["effect"], wtp)
    ranked = sorted(range(len(base_nmb)), key=lambda i: (-base_nmb[i], i))
    best = ranked[0]
    runner = ranked[1] if len(ranked) > 1 else None

    def inc(values):
        """The best strategy's NMB minus the runner-up's (or the best's alone)."""
        values = np.asarray(values, dtype=np.float64)
        return values[..., best] - (values[..., runner] if runner is not None else 0.0)

    low, high = inc(owsa["nmb_low"]), inc(owsa["nmb_high"])
    swing = np.abs(np.nan_to_num(high - low))
    order = sorted(range(len(swing)), key=lambda q: (-swing[q], q))
    changes = []
    for q in order:
        for side, values in (("low", owsa["nmb_low"]), ("high", owsa["nmb_high"])):
            winner = reader.best_by_nmb(np.asarray(values[q], dtype=np.float64))
            if winner != best:
                changes.append((owsa["parameter"][q], side, float(owsa[side][q]), winner))
    return {"wtp": wtp, "best": best, "runner": runner, "base": float(inc(base_nmb)),
            "low": low, "high": high, "swing": swing, "order": order, "changes": changes}
