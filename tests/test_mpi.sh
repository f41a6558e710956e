#!/usr/bin/env bash
# `mpirun -np 2` (and more ranks than work) gives the same datasets as one
# process, for a single run, a sweep, PSA, OWSA and EVPPI, calibrate and
# optimize. usage: test_mpi.sh NETSURV_MPI_BINARY
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

# calibration candidates over ranks: each rank evaluates its share of every
# batch (the prior sample, each iteration's points); the posterior of one process
sed 's/^  imis: .*/  imis: {initial: 200, per_iteration: 40, iterations: 3, target_ess: 1000000}/' \
  "$src/scenarios/calibration/series.yaml" >"$dir/series.yaml"
cal=("$src/scenarios/default.yaml" --series "$dir/series.yaml" -n 1000 --quiet)
"$bin" calibrate "${cal[@]}" -o "$dir/c1.h5" >/dev/null
"${mpi[@]}" -np 2 "$bin" calibrate "${cal[@]}" -o "$dir/c2.h5" >/dev/null
/usr/bin/python3 "$src/tests/fixtures/h5_same.py" "$dir/c1.h5" "$dir/c2.h5"
if compgen -G "$dir/.c2.h5.rank-*" >/dev/null; then
  echo "FAIL: the ranks' calibration checkpoints are left" >&2; exit 1
fi
# optimisation candidates over ranks (each its share of every pass's
# patient slices), with PSA of the frontier: the file and policy of one process
opt=(-n 5000 --psa 3 --space "$src/tests/fixtures/opt_space.yaml" --quiet)
"$bin" optimize "${opt[@]}" -o "$dir/o1.h5" --policy "$dir/p1.yaml"
"${mpi[@]}" -np 3 "$bin" optimize "${opt[@]}" -o "$dir/o3.h5" --policy "$dir/p3.yaml"
/usr/bin/python3 "$src/tests/fixtures/h5_same.py" "$dir/o1.h5" "$dir/o3.h5"
cmp "$dir/p1.yaml" "$dir/p3.yaml"

# optimize --resume over ranks: each rank records every pass; its ranks killed
# (SIGKILL) and resumed, the file equals one process's
big=(-n 150000 --psa 3 --space "$src/tests/fixtures/opt_space.yaml" --quiet)
"$bin" optimize "${big[@]}" -o "$dir/r1.h5"
"${mpi[@]}" -np 2 "$bin" optimize "${big[@]}" -o "$dir/r2.h5" --resume >/dev/null 2>&1 &
pid=$!
rec=$dir/.r2.h5.rank-1-of-2.netsurv-exchange
for _ in $(seq 1 60000); do
  [[ -e $rec/x-000002.1-of-1 ]] && break
  kill -0 $pid 2>/dev/null || { echo "FAIL: optimize ended before it could be killed" >&2; exit 1; }
  sleep 0.01
done
pkill -KILL -f -- "-o $dir/r2.h5 --resume" || true # the ranks, at once
wait $pid 2>/dev/null || true
[[ ! -e $dir/r2.h5 ]] || { echo "FAIL: a killed optimize wrote its file" >&2; exit 1; }
"${mpi[@]}" -np 2 "$bin" optimize "${big[@]}" -o "$dir/r2.h5" --resume >/dev/null 2>"$dir/err.txt"
grep -Eq "resumed: [1-9][0-9]* passes" "$dir/err.txt" || { cat "$dir/err.txt"; exit 1; }
/usr/bin/python3 "$src/tests/fixtures/h5_same.py" "$dir/r1.h5" "$dir/r2.h5"
[[ ! -e $rec ]] || { echo "FAIL: the ranks' records were left" >&2; exit 1; }

# shards that exchange through files are not MPI ranks: refused on every rank
for cmd in calibrate optimize; do
  if "${mpi[@]}" -np 2 "$bin" $cmd -n 1000 --shard 1/2 -o "$dir/x.h5" --quiet 2>"$dir/err.txt"; then
    echo "FAIL: $cmd --shard ran on MPI ranks" >&2; exit 1
  fi
  grep -q "MPI ranks" "$dir/err.txt" || { cat "$dir/err.txt"; exit 1; }
done

# an existing output is refused on every rank, and left alone
cp "$dir/one.h5" "$dir/keep.h5"
if "${mpi[@]}" -np 2 "$bin" run -n 1000 -o "$dir/keep.h5" --quiet 2>"$dir/err.txt"; then
  echo "FAIL: overwrote without --force" >&2; exit 1
fi
cmp "$dir/one.h5" "$dir/keep.h5"
grep -q -- "--force" "$dir/err.txt"
echo "mpirun -np 2 and -np 5 give the datasets of one process, PSA, OWSA, EVPPI, calibration and optimisation included"
