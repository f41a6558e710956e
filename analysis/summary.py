#!/usr/bin/python3
"""Print the per-strategy summary of a netsurv HDF5 file.

Usage: /usr/bin/python3 analysis/summary.py FILE.h5 [--csv]
  (the same as: PYTHONPATH=analysis /usr/bin/python3 -m netsurv_analysis summary ...)

Reads only the file (never re-runs the model). Shows, per strategy, the
metastases that became detectable while the patient lived, how they were
found, the missed ones by reason, and mean costs, tests and radiation with
95 % intervals. The code is the package analysis/netsurv_analysis.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netsurv_analysis.cli import summary_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(summary_main(sys.argv[1:]))
