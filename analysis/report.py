#!/usr/bin/python3
"""Write the cost-effectiveness report of a netsurv HDF5 file.

Usage: /usr/bin/python3 analysis/report.py FILE.h5 OUTDIR [--strict]
  (the same as: PYTHONPATH=analysis /usr/bin/python3 -m netsurv_analysis report ...)

Reads only the file (never re-runs the model) and writes into OUTDIR:
icer_table.csv, icer_table.html, ce_plane.png, cumulative_detection.png,
missed_by_reason.png, costs_by_component.png, with /psa also ceac.png and
evpi.png, with /owsa also tornado.png, and report.html: one self-contained
page (figures embedded as data: URIs, no external requests) for a guideline
committee.

The ICER table is re-derived from the file's mean costs and QALYs and
compared with /economics (and the CEAC, CEAF and EVPI with the PSA draws);
a disagreement is a warning on stderr, and with --strict an exit status 1.
Exit status 2: bad arguments or unreadable file.
The code is the package analysis/netsurv_analysis.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netsurv_analysis.cli import report_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(report_main(sys.argv[1:]))
