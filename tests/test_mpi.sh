#!/usr/bin/env bash
# `mpirun -np 2` (and more ranks than work) gives the same datasets as one
# process, for a single run, a sweep, and PSA, OWSA and EVPPI. usage: test_mpi.sh NETSURV_MPI_BINARY
set -euo pipefail
bin=$1
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mpi=(mpirun --oversubscribe)
[ "$(id -u)" -eq 0 ] && mpi+=(--allow-run-as-root)
export OMP_NUM_THREADS=1

"$bin" run -n 150000 -o "$dir/one.h5" --quiet >/dev/null
"${mpi[@]}" -np 2 "$bin" run -n 150000 -o "$dir/two.h5" --quiet >/dev/null
/usr/bin/python3 "$src/tests/fixtures/h5_same.py" "$dir/one.h5" "$dir/two.h5"

sweep=$src/scenarios/sweeps/mri_interval.yaml
"$bin" run --sweep "$sweep" -n 140000 -o "$dir/sweep1.h5" --quiet >/dev/null
"${mpi[@]}" -np 2 "$bin" run --sweep "$sweep" -n 140000 -o "$dir/sweep2.h5" --quiet >/dev/null
/usr/bin/python3 "$src/tests/fixtures/h5_same.py" "$dir/sweep1.h5" "$dir/sweep2.h5"
# 5 ranks for 3 work units: ranks without work still take part
"$bin" run -n 140000 -o "$dir/small1.h5" --quiet >/dev/null
"${mpi[@]}" -np 5 "$bin" run -n 140000 -o "$dir/small5.h5" --quiet >/dev/null
/usr/bin/python3 "$src/tests/fixtures/h5_same.py" "$dir/small1.h5" "$dir/small5.h5"

# PSA draws, OWSA parameters and EVPPI over ranks: the file of one process
# (every group, dataset and attribute); 5 ranks for 3 draws
cmp=$src/tests/fixtures/sweep_compare.py
"$bin" run -n 70000 --psa 8 --owsa --voi -o "$dir/u1.h5" --quiet >/dev/null
"${mpi[@]}" -np 2 "$bin" run -n 70000 --psa 8 --owsa --voi -o "$dir/u2.h5" --quiet >/dev/null
/usr/bin/python3 "$cmp" "$dir/u1.h5" "$dir/u2.h5"
"$bin" run -n 70000 --psa 3 -o "$dir/d1.h5" --quiet >/dev/null
"${mpi[@]}" -np 5 "$bin" run -n 70000 --psa 3 --resume -o "$dir/d5.h5" --quiet >/dev/null
/usr/bin/python3 "$cmp" "$dir/d1.h5" "$dir/d5.h5"
if compgen -G "$dir/.d5.h5.rank-*" >/dev/null; then
  echo "FAIL: the ranks' checkpoints are left after the file was written" >&2; exit 1
fi

# an existing output is refused on every rank, and left alone
cp "$dir/one.h5" "$dir/keep.h5"
if "${mpi[@]}" -np 2 "$bin" run -n 1000 -o "$dir/keep.h5" --quiet 2>"$dir/err.txt"; then
  echo "FAIL: overwrote without --force" >&2; exit 1
fi
cmp "$dir/one.h5" "$dir/keep.h5"
grep -q -- "--force" "$dir/err.txt"
echo "mpirun -np 2 and -np 5 give the datasets of one process, PSA, OWSA and EVPPI included"
