#!/usr/bin/python3
"""Print the per-strategy summary of a netsurv HDF5 file.

Usage: /usr/bin/python3 analysis/summary.py FILE.h5 [--csv]

Reads only the file (never re-runs the model). Shows, per strategy, the
metastases that became detectable while the patient lived, how they were
found, the missed ones by reason, and mean costs, tests and radiation with
95 % intervals.
"""
import sys

import h5py
import numpy as np

REASONS = ["not_followed", "between_visits", "false_negative", "after_schedule", "missed_visit"]


def load(path):
    """The /summary group as a dict of numpy arrays, plus provenance."""
    with h5py.File(path, "r") as f:
        s = f["summary"]
        data = {k: s[k][()] for k in s.keys()}
        data["strategy"] = [x.decode() if isinstance(x, bytes) else x for x in data["strategy"]]
        info = {k: f.attrs[k] for k in ("netsurv_version", "seed", "n_patients")}
    return data, info


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    d, info = load(argv[1])
    csv = "--csv" in argv
    cols = ["strategy", "metastases", "found_by_surveillance", "missed"] + \
        ["missed_" + r for r in REASONS] + \
        ["mean_delay_y", "mean_cost_usd", "mean_cost_ci", "mean_tests", "mean_radiation_msv"]
    rows = []
    for k, name in enumerate(d["strategy"]):
        rows.append([name, int(d["n_metastases"][k]), int(d["n_detected_surveillance"][k]),
                     int(d["n_missed"][k])] +
                    [int(d["missed_" + r][k]) for r in REASONS] +
                    ["%.2f" % d["mean_detection_delay"][k], "%.0f" % d["mean_cost"][k],
                     "%.0f-%.0f" % (d["mean_cost_ci_low"][k], d["mean_cost_ci_high"][k]),
                     "%.2f" % d["mean_tests"][k], "%.2f" % d["mean_radiation_msv"][k]])
    if csv:
        print(",".join(cols))
        for r in rows:
            print(",".join(str(x) for x in r))
        return 0
    print("netsurv %s, %d patients, seed %d" % (info["netsurv_version"], info["n_patients"],
                                                info["seed"]))
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) for i, c in enumerate(cols)]
    print("  ".join(str(c).rjust(w) for c, w in zip(cols, widths)))
    for r in rows:
        print("  ".join(str(x).rjust(w) for x, w in zip(r, widths)))
    return 0


if __name__ == "__main__":
    np.set_printoptions(linewidth=120)
    sys.exit(main(sys.argv))
