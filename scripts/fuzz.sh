#!/usr/bin/env bash
# Builds the libFuzzer targets with Debian's clang (build-fuzz/) and runs each
# for SECONDS seconds (default 600; CI runs them for 90 via scripts/test.sh):
#   fuzz_scenario  the scenario loader (tests/fuzz/corpus/scenario)
#   fuzz_shard     merge's shard reader and checks (tests/fuzz/corpus/shard)
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]
# New inputs go to build-fuzz/corpus/TARGET (the seed corpus in the
# repository is read, never written); a crash leaves build-fuzz/crash-* and
# exits non-zero. Without clang: a message and exit 0 outside CI, exit 1 in
# CI (CI=1).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_scenario fuzz_shard)
if ! command -v clang >/dev/null; then
  echo "fuzz: clang is not installed (scripts/setup-debian.sh installs it); fuzzing skipped" >&2
  [ -n "${CI:-}" ] && exit 1
  exit 0
fi
jobs=$(nproc 2>/dev/null || echo 2)
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DNETSURV_FUZZ=ON \
  -DNETSURV_OPENMP=OFF -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target "${targets[@]}"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${targets[@]}"; do
  seed=tests/fuzz/corpus/${t#fuzz_}
  work=build-fuzz/corpus/$t
  mkdir -p "$work"
  echo "fuzz: $t for $seconds s (seed corpus $seed)"
  build-fuzz/"$t" -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
    -artifact_prefix=build-fuzz/ -print_final_stats=1 "$work" "$seed" 2>build-fuzz/"$t".log ||
    { tail -n 60 build-fuzz/"$t".log >&2; echo "fuzz: $t FAILED" >&2; exit 1; }
  grep -E "stat::number_of_executed_units|Done [0-9]+ runs" build-fuzz/"$t".log | tail -2
done
echo "fuzz: ${targets[*]}: no crash in $seconds s each"
