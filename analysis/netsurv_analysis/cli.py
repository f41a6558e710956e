"""The command lines: `python3 -m netsurv_analysis report|summary|export ...` (main), and the
first two as analysis/report.py (report_main) and analysis/summary.py (summary_main).

report FILE.h5 [FILE.h5...] OUTDIR [--strict] [--comparator NAME] [--population N
--horizon-years T] writes the ICER table, the figures and report.html of a run, a sweep or a
calibration file, or a comparison of several files; a disagreement between a file's /economics
or /psa and the numbers re-derived from its means and draws is a warning on stderr, and with
--strict exit status 1. summary FILE.h5 [--csv] prints the per-strategy summary table (every
point of a sweep; the posterior of a calibration file). export FILE.h5 OUTDIR writes the CSV
exports. Exit status 2: bad arguments, or an unreadable file.
"""
import argparse
import sys

from . import reader, tables

REPORT_HELP = "Write the cost-effectiveness report of a netsurv HDF5 file."
SUMMARY_HELP = "Print the per-strategy summary of a netsurv HDF5 file."
EXPORT_HELP = ("Write a netsurv HDF5 file's ICER table in dampack's layout, its PSA draws in "
               "the shape of dampack::make_psa_obj and BCEA::bcea, and a long CSV of every "
               "summary outcome.")


def report_arguments(ap):
    """FILE..., OUTDIR and the report's options on ap (argparse exits 2 on errors); returns ap."""
    ap.add_argument("files", nargs="+", metavar="FILE",
                    help="netsurv HDF5 output: a run, a sweep, merged shards, a PSA/OWSA run or a "
                         "calibration file; several FILEs: a side-by-side comparison")
    ap.add_argument("outdir", help="directory for the tables, figures and report.html")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when /economics or /psa disagree with the numbers re-derived "
                         "from the file")
    ap.add_argument("--comparator", metavar="NAME",
                    help="the strategy the incremental plane and the ICER table's last column "
                         "compare with (default: the cheapest)")
    ap.add_argument("--population", type=float, metavar="N",
                    help="patients a year who face the decision, for the population EVPI "
                         "(when the file does not say)")
    ap.add_argument("--horizon-years", type=float, metavar="T",
                    help="years over which they do (with --population)")
    ap.set_defaults(command=run_report)
    return ap


def export_arguments(ap):
    """FILE and OUTDIR of export on ap; returns ap."""
    ap.add_argument("file", help="netsurv HDF5 output")
    ap.add_argument("outdir", help="directory for the CSV files")
    ap.set_defaults(command=run_export)
    return ap


def summary_arguments(ap):
    """FILE and --csv on ap (argparse exits 2 on errors); returns ap."""
    ap.add_argument("file", help="netsurv HDF5 output")
    ap.add_argument("--csv", action="store_true",
                    help="comma-separated values instead of aligned columns")
    ap.set_defaults(command=run_summary)
    return ap


def run_report(args, prog):
    """Read the file(s), check them, write the tables, figures and page; returns the exit
    status. Messages start with prog."""
    from . import report, multi  # here, so that summary and the reader never load matplotlib
    if (args.population is None) != (args.horizon_years is None):
        print("%s: --population and --horizon-years go together" % prog, file=sys.stderr)
        return 2
    options = {"comparator": args.comparator,
               "population_args": (args.population, args.horizon_years)}
    kinds = []
    for f in args.files:
        try:
            kinds.append(reader.file_kind(f))
        except OSError as err:
            print("%s: cannot read %s: %s" % (prog, f, err), file=sys.stderr)
            return 2
    for f, k in zip(args.files, kinds):
        if k == "unknown":
            print("%s: cannot read %s: not a netsurv file (no /summary, no /posterior)"
                  % (prog, f), file=sys.stderr)
            return 2
    problems = []
    try:
        if len(args.files) > 1:
            if "calibration" in kinds:
                print("%s: a calibration file cannot be compared with runs" % prog,
                      file=sys.stderr)
                return 2
            for f in args.files:
                for run in reader.read_points(f):
                    problems += report.check_file(run, reader.economics_view(run))
            n = multi.write_compare_report(args.files, args.outdir, options)
        elif kinds[0] == "calibration":
            n = multi.write_calibration_report(args.files[0], args.outdir, options)
        elif kinds[0] == "sweep":
            for run in reader.read_points(args.files[0]):
                problems += ["point %d: %s" % (run.point, m)
                             for m in report.check_file(run, reader.economics_view(run))]
            n = multi.write_sweep_report(args.files[0], args.outdir, options)
        else:
            run = reader.read_run(args.files[0])
            view = reader.economics_view(run)
            problems = report.check_file(run, view)
            n = report.write_report(run, view, args.outdir, options)
    except (OSError, KeyError) as err:
        print("%s: cannot read %s: %s" % (prog, " ".join(args.files), err), file=sys.stderr)
        return 2
    except ValueError as err:
        print("%s: %s" % (prog, err), file=sys.stderr)
        return 2
    for msg in problems:
        print("%s: warning: %s" % (prog, msg), file=sys.stderr)
    print("%s: wrote %d figures (SVG and 300 dpi PNG) and report.html to %s"
          % (prog, n, args.outdir))
    return 1 if problems and args.strict else 0


def run_export(args, prog):
    """Write the CSV exports of a file (tidy.export); returns the exit status."""
    from . import tidy
    try:
        written = tidy.export(args.file, args.outdir)
    except (OSError, KeyError) as err:
        print("%s: cannot read %s: %s" % (prog, args.file, err), file=sys.stderr)
        return 2
    for p in written:
        print(p)
    return 0


def run_summary(args, prog):
    """Print the summary table of the file (CSV with --csv): one block per point of a sweep
    (CSV: one table with the point and the swept values in front), the posterior of a
    calibration file; returns the exit status."""
    try:
        kind = reader.file_kind(args.file)
        if kind == "calibration":
            lines = tables.calibration_text(reader.read_calibration(args.file), args.csv)
        else:
            runs = reader.read_points(args.file)
    except (OSError, KeyError) as err:
        print("%s: cannot read %s: %s" % (prog, args.file, err), file=sys.stderr)
        return 2
    if kind == "calibration":
        print("\n".join(lines))
        return 0
    from .scenario_text import currency_of, load_scenario
    cur, _ = currency_of(runs[0], load_scenario(runs[0].scenario_text))
    cols = tables.summary_columns(cur)
    lines = []
    for run in runs:
        rows = tables.summary_rows(run.summary)
        if run.point is None:
            lines += (tables.summary_csv(rows, cols) if args.csv
                      else tables.summary_text(rows, run.attrs, cols))
            continue
        front = [run.point] + [run.point_values[k] for k in run.point_values]
        if args.csv:
            head = ["point"] + list(run.point_values) + list(cols)
            lines += tables.summary_csv([front + r for r in rows], head, run.point == 0)
        else:
            where = ", ".join("%s = %g" % kv for kv in run.point_values.items())
            lines += tables.summary_text(rows, run.attrs, cols, "sweep point %d of %d: %s" % (
                run.point, run.n_points, where)) + [""]
    print("\n".join(lines))
    return 0


def parser():
    """The parser of `python3 -m netsurv_analysis`, one subcommand per command."""
    ap = argparse.ArgumentParser(prog="netsurv_analysis",
                                 description="The report and tables of a netsurv HDF5 file, "
                                             "from the file only.")
    sub = ap.add_subparsers(dest="name", metavar="COMMAND", required=True)
    report_arguments(sub.add_parser("report", help=REPORT_HELP, description=REPORT_HELP))
    summary_arguments(sub.add_parser("summary", help=SUMMARY_HELP, description=SUMMARY_HELP))
    export_arguments(sub.add_parser("export", help=EXPORT_HELP, description=EXPORT_HELP))
    return ap


def main(argv=None):
    """`python3 -m netsurv_analysis COMMAND ...`; returns the exit status."""
    args = parser().parse_args(argv)
    return args.command(args, "netsurv_analysis " + args.name)


def report_main(argv=None, prog="report.py"):
    """analysis/report.py FILE.h5 OUTDIR [--strict]; returns the exit status."""
    ap = report_arguments(argparse.ArgumentParser(prog=prog, description=REPORT_HELP))
    return run_report(ap.parse_args(argv), prog)


def summary_main(argv=None, prog="summary.py"):
    """analysis/summary.py FILE.h5 [--csv]; returns the exit status."""
    ap = summary_arguments(argparse.ArgumentParser(prog=prog, description=SUMMARY_HELP))
    return run_summary(ap.parse_args(argv), prog)
