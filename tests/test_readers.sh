#!/usr/bin/env bash
# The HDF5 file of `netsurv run --per-patient` is read by h5dump, by Python's
# h5py and by R's hdf5r, and each reader sees the same numbers.
# usage: test_readers.sh NETSURV_BINARY
set -euo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
f=$dir/readers.h5
"$bin" run -n 20000 --per-patient --quiet -o "$f" >/dev/null

# h5dump: the whole file parses, and the header names the strategy dataset
h5dump -H "$f" >"$dir/header.txt"
grep -q 'DATASET "strategy"' "$dir/header.txt"
h5dump -d /summary/n_metastases "$f" >/dev/null

# h5py: strings come back as str; summary agrees with the per-patient rows
/usr/bin/python3 - "$f" >"$dir/py.txt" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
names = [s.decode() if isinstance(s, bytes) else s for s in f["summary/strategy"][:]]
assert all(isinstance(s, str) for s in names), names
assert f.attrs["n_patients"] == 20000
for k, name in enumerate(names):
    missed = int(f["patients/%s/missed" % name][:].sum())
    assert missed == int(f["summary/n_missed"][k]), (name, missed)
    cost = f["patients/%s/cost" % name][:].astype(np.float64).mean()
    assert abs(cost - f["summary/mean_cost"][k]) <= 1e-3 * max(1.0, cost), (name, cost)
print(names[1], int(f["summary/n_missed"][1]), "%.2f" % f["patients/size_mm"][:].astype(np.float64).sum())
PY

# R hdf5r (where installed): the same strategy, count and sum as h5py
if command -v Rscript >/dev/null && Rscript -e 'library(hdf5r)' >/dev/null 2>&1; then
  Rscript -e '
    args <- commandArgs(trailingOnly = TRUE)
    library(hdf5r)
    f <- H5File$new(args[1], mode = "r")
    s <- f[["summary/strategy"]][]
    m <- f[["summary/n_missed"]][]
    z <- f[["patients/size_mm"]][]
    stopifnot(h5attr(f[["summary/mean_cost"]], "units") == "USD")
    cat(s[2], m[2], sprintf("%.2f", sum(as.numeric(z))), "\n")
    f$close_all()' "$f" >"$dir/r.txt"
  diff <(tr -s ' \n' ' ' <"$dir/py.txt") <(tr -s ' \n' ' ' <"$dir/r.txt")
  echo "h5dump, h5py and R hdf5r agree: $(cat "$dir/py.txt")"
else
  echo "R hdf5r not installed: checked h5dump and h5py only"
fi
