"""netsurv_analysis: the tables, figures and report of a netsurv HDF5 file, from the file only
(it never re-runs the model).

    from netsurv_analysis import read_run, economics_view
    run = read_run("results/default.h5")
    view = economics_view(run)   # the ICER table's inputs, from /economics or /summary

    from netsurv_analysis import tidy      # pandas data frames and the CSV exports
    tidy.summary_frame("results/default.h5")   # strategy x outcome, value, ci_low, ci_high
    tidy.icer_frame("results/default.h5")      # dampack's calculate_icers layout

Command lines (installed: netsurv-analysis ...; else with analysis/ on PYTHONPATH):

    /usr/bin/python3 -m netsurv_analysis report FILE.h5 [FILE.h5...] OUTDIR [--strict]
        [--comparator NAME] [--population N --horizon-years T]
    /usr/bin/python3 -m netsurv_analysis summary FILE.h5 [--csv]
    /usr/bin/python3 -m netsurv_analysis export FILE.h5 OUTDIR

The package exports the reader (netsurv_analysis.reader); tidy needs pandas; the report's
modules (report, multi, figures, tables, ...) load matplotlib and are imported on their own.
"""
from .reader import (DEFAULT_WTP, DOMINATED, DUPLICATE, EXT_DOMINATED, FRONTIER, MISSED_REASONS,
                     STATUS_LABELS, Run, best_by_nmb, derived_economics, economics_disagreements,
                     economics_view, incremental_analysis, nmb, psa_at_wtp, psa_disagreements,
                     read_run)

__all__ = ["DEFAULT_WTP", "DOMINATED", "DUPLICATE", "EXT_DOMINATED", "FRONTIER", "MISSED_REASONS",
           "STATUS_LABELS", "Run", "best_by_nmb", "derived_economics", "economics_disagreements",
           "economics_view", "incremental_analysis", "nmb", "psa_at_wtp", "psa_disagreements",
           "read_run"]
