#!/usr/bin/env bash
# The HDF5 file of `netsurv run --per-patient --psa` is read by h5dump, by Python's h5py and
# the package's tidy reader (netsurv_analysis.tidy), and by R's hdf5r and analysis/R/netsurv.R,
# and each reader sees the same numbers: the same datasets compared against h5dump's text,
# 2-D datasets in the order their descriptions state ([draw, strategy] has one row per
# draw), counts as integers. The exports load in R: the ICER table in dampack's layout
# (read.csv, dampack's columns, statuses as /economics/status), the PSA draws in the shape of
# dampack::make_psa_obj and BCEA::bcea. `pip install ./analysis` works offline into a venv.
# usage: test_readers.sh NETSURV_BINARY
set -euo pipefail
bin=$1
src=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "test_readers: FAIL: $*" >&2; exit 1; }
f=$dir/readers.h5
"$bin" run -n 20000 --per-patient --psa 12 --quiet -o "$f" >/dev/null

# ---- h5dump: the whole file parses; counts are uint64; index datasets say their base
h5dump -H "$f" >"$dir/header.txt"
grep -q 'DATASET "strategy"' "$dir/header.txt" || fail "no /summary/strategy"
h5dump -H -d /summary/n_metastases "$f" | grep -q H5T_STD_U64LE || fail "counts are not uint64"
for d in economics/order economics/reference psa/ceaf; do
  h5dump -a "/$d/description" "$f" | grep -q "0-based" || fail "/$d does not say 0-based"
done

# h5dump's numbers of a dataset, one per line, in the file's (row-major) order
dump() { h5dump -A 0 -m %.17g -d "$1" -y -w 0 "$f" | sed -n '/DATA {/,/}/p' | sed '1d;$d' |
           tr ',' '\n' | sed 's/^ *//; /^$/d'; }
dump /summary/n_metastases >"$dir/dump_nmet.txt"
dump /psa/cost >"$dir/dump_psacost.txt"
dump /summary/mean_tests_by_modality >"$dir/dump_bymod.txt"
[ "$(wc -l <"$dir/dump_psacost.txt")" -eq $((12 * 9)) ] || fail "h5dump /psa/cost: $(wc -l <"$dir/dump_psacost.txt") numbers"

# ---- Python: h5py and the tidy reader give h5dump's numbers
PYTHONPATH=$src/analysis "$py" - "$f" "$dir" <<'PY' || fail "Python readers"
import sys, h5py, numpy as np
from netsurv_analysis import tidy
path, d = sys.argv[1:3]
f = h5py.File(path, "r")
names = f["summary/strategy"].asstr()[:]
assert f["summary/n_metastases"].dtype == np.uint64
for k, name in enumerate(names):   # summary agrees with the per-patient rows
    missed = int(f["patients/%s/missed" % name][:].sum())
    assert missed == int(f["summary/n_missed"][k]), (name, missed)
dumped = lambda n: [float(x) for x in open("%s/dump_%s.txt" % (d, n))]
assert [int(x) for x in dumped("nmet")] == [int(x) for x in f["summary/n_metastases"][:]]
cost, effect, params = tidy.psa_frames(path)
assert cost.shape == (12, 9) and list(cost.columns) == list(names), cost.shape
assert np.array_equal(cost.to_numpy().ravel(), np.array(dumped("psacost"))), "psa/cost"
wide = tidy.summary_frame(path, wide=True)
assert list(wide["strategy"]) == list(names)
assert wide["n_metastases"].tolist() == [int(x) for x in dumped("nmet")]
assert str(wide["n_metastases"].dtype).startswith(("int", "uint")), wide["n_metastases"].dtype
for col in ("mean_qaly_discounted", "mean_qaly_discounted_ci_low", "mean_qaly_discounted_ci_high"):
    assert np.array_equal(wide[col].to_numpy(), f["summary/" + col.replace("mean_qaly_discounted", "mean_qaly_discounted")][:])
long = tidy.summary_frame(path)
bymod = long[long["outcome"] == "mean_tests_by_modality"]
mods = f["summary/modality"].asstr()[:]
assert len(bymod) == 9 * len(mods)
got = [float(bymod[(bymod.strategy == s) & (bymod.part == m)]["value"].iloc[0])
       for s in names for m in mods]   # strategy-major: the file's row-major order
assert np.array_equal(np.array(got), np.array(dumped("bymod"))), "mean_tests_by_modality"
hist = tidy.histogram_frame(path)
dt = hist[hist.histogram == "detection_time"]
assert dt.groupby("strategy", sort=False)["count"].sum().tolist() == \
    f["summary/detection_time_histogram"][:].sum(axis=1).astype(int).tolist()
written = tidy.export(path, d + "/export")
print("python: h5py and tidy agree with h5dump; exported %d files" % len(written))
PY

# the exports are what `netsurv icer --csv` writes from the same table
"$py" - "$f" "$dir/table.csv" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
with open(sys.argv[2], "w") as out:
    out.write("strategy,cost,effect\n")
    for n, c, e in zip(f["economics/strategy"].asstr()[:], f["economics/cost"][:], f["economics/effect"][:]):
        out.write("%s,%r,%r\n" % (n, float(c), float(e)))
PY
"$bin" icer "$dir/table.csv" --csv >"$dir/icer_cli.csv"
diff "$dir/icer_cli.csv" "$dir/export/icer_dampack.csv" >/dev/null ||
  fail "icer_dampack.csv differs from netsurv icer --csv: $(diff "$dir/icer_cli.csv" "$dir/export/icer_dampack.csv" | head -5)"
echo "icer_dampack.csv is what netsurv icer --csv writes for the file's costs and QALYs"

# ---- pip install ./analysis, offline, into a venv over Debian's packages
"$py" -m venv --system-site-packages "$dir/venv"
(cd "$dir" && "$dir/venv/bin/pip" install --no-index --no-deps --quiet "$src/analysis" \
   >"$dir/pip.log" 2>&1) || { cat "$dir/pip.log" >&2; fail "pip install ./analysis"; }
rm -rf "$src/analysis/build" "$src"/analysis/*.egg-info
(cd "$dir" && "$dir/venv/bin/python" -c "
import netsurv_analysis, sys
from netsurv_analysis import tidy, references
assert 'venv' in netsurv_analysis.__file__, netsurv_analysis.__file__
assert references.read_bib(), 'no bibliography in the installed package'
print(tidy.icer_frame(sys.argv[1]).shape)" "$f") >"$dir/venv.txt" || fail "the installed package"
"$dir/venv/bin/netsurv-analysis" summary "$f" --csv >"$dir/venv_summary.csv" || fail "netsurv-analysis summary"
echo "pip install ./analysis: installed offline, imports, reads $(cat "$dir/venv.txt")"

# ---- R: hdf5r and analysis/R/netsurv.R give h5dump's numbers; the exports load with read.csv
if ! command -v Rscript >/dev/null || ! Rscript -e 'library(hdf5r)' >/dev/null 2>&1; then
  fail "R with hdf5r is not installed (scripts/setup-debian.sh installs r-base-core r-cran-hdf5r)"
fi
Rscript - "$f" "$dir" "$src/analysis/R/netsurv.R" <<'R' || fail "R readers"
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; d <- args[2]
source(args[3])
dumped <- function(n) as.numeric(readLines(file.path(d, paste0("dump_", n, ".txt"))))
# the reader's arrays keep the descriptions' order: /psa/cost [draw, strategy] is 12 x 9
pc <- ns_read(path, "psa/cost")
stopifnot(identical(dim(pc), c(12L, 9L)))
stopifnot(identical(as.vector(t(pc)), dumped("psacost")))          # row-major = h5dump
bm <- ns_read(path, "summary/mean_tests_by_modality")
stopifnot(identical(as.vector(t(bm)), dumped("bymod")))
s <- ns_summary(path)
stopifnot(identical(as.numeric(s$n_metastases), dumped("nmet")))
stopifnot(is.integer(s$n_metastases) || inherits(s$n_metastases, "integer64"))
psa <- ns_psa(path)
stopifnot(identical(dim(psa$cost), c(12L, 9L)), identical(names(psa$cost), s$strategy))
stopifnot(identical(unname(as.matrix(psa$cost)), unname(pc)))
# the Python exports read back in R: PSA draws as make_psa_obj / bcea take them
pcsv <- read.csv(file.path(d, "export", "psa_cost.csv"), check.names = FALSE)
stopifnot(identical(dim(pcsv), c(12L, 9L)), identical(names(pcsv), s$strategy))
stopifnot(isTRUE(all.equal(unname(as.matrix(pcsv)), unname(pc), tolerance = 0)))
ecsv <- read.csv(file.path(d, "export", "psa_effectiveness.csv"), check.names = FALSE)
stopifnot(identical(dim(ecsv), c(12L, 9L)))
prm <- read.csv(file.path(d, "export", "psa_parameters.csv"), check.names = FALSE)
stopifnot(nrow(prm) == 12L, ncol(prm) > 0)
# the dampack layout: its columns, and statuses as /economics/status
ice <- read.csv(file.path(d, "export", "icer_dampack.csv"), stringsAsFactors = FALSE)
stopifnot(identical(names(ice), c("Strategy", "Cost", "Effect", "Inc_Cost", "Inc_Effect",
                                  "ICER", "Status")))
stopifnot(is.numeric(ice$Cost), is.numeric(ice$ICER), nrow(ice) == 9L)
code <- ns_read(path, "economics/status")
want <- c("ND", "D", "ED", "duplicate")[code + 1L]
names(want) <- ns_read(path, "economics/strategy")
stopifnot(identical(unname(want[ice$Strategy]), ice$Status))
stopifnot(all(ice$Status %in% c("ND", "D", "ED", "duplicate")))
# the R reader's own ICER table is the same
ri <- ns_icer(path)
stopifnot(identical(ri$Strategy, ice$Strategy), identical(ri$Status, ice$Status))
stopifnot(isTRUE(all.equal(ri$ICER, ice$ICER)))
lng <- read.csv(file.path(d, "export", "summary_long.csv"), stringsAsFactors = FALSE)
stopifnot(all(c("strategy", "outcome", "value", "ci_low", "ci_high", "units") %in% names(lng)))
cat("R: hdf5r and netsurv.R agree with h5dump; the exports load with read.csv\n")
R
# per-risk-group datasets ([strategy, group], a synthetic file): R and Python pair each value
# with the same strategy and group
"$py" - "$dir/groups.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    s = h5py.string_dtype("utf-8")
    f.create_group("summary").create_dataset("strategy", data=["A", "B", "C"], dtype=s)
    f.create_group("groups").create_dataset("name", data=["low", "high"], dtype=s)
    d = f.create_group("summary_by_group").create_dataset(
        "n_metastasis_deaths", data=np.array([[1, 2], [3, 4], [5, 6]], dtype=np.uint64))
    d.attrs["description"] = "metastasis deaths [strategy, group]"
PY
Rscript - "$dir/groups.h5" "$src/analysis/R/netsurv.R" <<'R' || fail "R per-group reader"
args <- commandArgs(trailingOnly = TRUE)
source(args[2])
g <- ns_by_group(args[1])
stopifnot(nrow(g) == 6L)
v <- function(s, k) g$value[g$strategy == s & g$group == k]
stopifnot(v("A", "low") == 1, v("A", "high") == 2, v("B", "low") == 3, v("C", "high") == 6)
stopifnot(identical(dim(ns_read(args[1], "summary_by_group/n_metastasis_deaths")), c(3L, 2L)))
R
echo "per-group [strategy, group] datasets: R pairs strategies and groups as the file does"

# summary --csv: interval ends as numeric columns, QALYs present
"$py" "$src/analysis/summary.py" "$f" --csv >"$dir/summary.csv"
Rscript -e 'x <- read.csv(commandArgs(TRUE)[1]); stopifnot(is.numeric(x$mean_cost_usd_ci_low),
  is.numeric(x$mean_cost_usd_ci_high), is.numeric(x$mean_qaly_discounted),
  all(x$mean_cost_usd_ci_low <= x$mean_cost_usd & x$mean_cost_usd <= x$mean_cost_usd_ci_high))' \
  "$dir/summary.csv" || fail "summary.py --csv"
echo "test_readers: ok"
