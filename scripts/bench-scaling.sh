#!/usr/bin/env bash
# Strong scaling of a 100-point sweep (scenarios/sweeps/bench_100.yaml) of
# PATIENTS patients each (default 1,000,000): 1 rank x 1 thread, 1 rank x 2
# threads, 2 ranks x 1 thread (mpirun), and, where the machine has more cores,
# ranks x threads filling them. Needs the MPI build (build-mpi); prints the
# speed-up over 1 x 1 and the MPI overhead against threads alone on the same
# cores. usage: scripts/bench-scaling.sh [PATIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
patients=${1:-1000000}
bin=build-mpi/netsurv
if [ ! -x "$bin" ]; then
  cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=Release -DNETSURV_MPI=ON >/dev/null
  cmake --build build-mpi -j"$(nproc)" --target netsurv >/dev/null
fi
mpi=(mpirun --oversubscribe --bind-to none)
[ "$(id -u)" -eq 0 ] && mpi+=(--allow-run-as-root)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sweep=scenarios/sweeps/bench_100.yaml

# seconds for one configuration: ranks threads
timed() {
  local ranks=$1 threads=$2 t0 t1
  t0=$(date +%s.%N)
  if [ "$ranks" -eq 1 ]; then
    OMP_NUM_THREADS=$threads "$bin" run --sweep "$sweep" -n "$patients" --threads "$threads" \
      -o "$out/r${ranks}t${threads}.h5" --quiet >/dev/null
  else
    OMP_NUM_THREADS=$threads "${mpi[@]}" -np "$ranks" -x OMP_NUM_THREADS "$bin" run --sweep "$sweep" \
      -n "$patients" --threads "$threads" -o "$out/r${ranks}t${threads}.h5" --quiet >/dev/null
  fi
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

cores=$(nproc)
echo "netsurv strong scaling: 100 points x $patients patients x 9 strategies, $cores cores"
printf "%6s %8s %10s %9s\n" ranks threads seconds speed-up
base=$(timed 1 1)
printf "%6d %8d %10.1f %9.2f\n" 1 1 "$base" 1
t12=$(timed 1 2)
printf "%6d %8d %10.1f %9.2f\n" 1 2 "$t12" "$(ratio "$base" "$t12")"
t21=$(timed 2 1)
printf "%6d %8d %10.1f %9.2f\n" 2 1 "$t21" "$(ratio "$base" "$t21")"
if [ "$cores" -gt 2 ]; then
  tcn=$(timed 1 "$cores")
  printf "%6d %8d %10.1f %9.2f\n" 1 "$cores" "$tcn" "$(ratio "$base" "$tcn")"
  tnc=$(timed "$cores" 1)
  printf "%6d %8d %10.1f %9.2f\n" "$cores" 1 "$tnc" "$(ratio "$base" "$tnc")"
fi
/usr/bin/python3 tests/fixtures/h5_same.py "$out/r1t1.h5" "$out/r2t1.h5" >/dev/null
printf "2 ranks vs 1: %.2fx; MPI overhead against threads on the same cores: %.1f %%\n" \
  "$(ratio "$base" "$t21")" "$(awk -v a="$t21" -v b="$t12" 'BEGIN { print (a / b - 1) * 100 }')"
echo "datasets of 1 and 2 ranks identical"
