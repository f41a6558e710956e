#!/usr/bin/env bash
# Builds netsurv and runs every test: a Release build, then a build with
# AddressSanitizer and UndefinedBehaviorSanitizer. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
jobs=$(nproc 2>/dev/null || echo 2)
# the layout rules first: file lengths, stages, include circles
/usr/bin/python3 scripts/check-layout.py

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure

# optimised (-O2 -g, frame pointers kept): the sanitizers find the same
# faults and every test runs about four times faster than at -O0
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNETSURV_SANITIZE=ON -DBUILD_TESTING=ON
cmake --build build-sanitize -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-sanitize --output-on-failure
# the fuzz targets (scenario loader, merge's shard reader) for a bounded time
# each; scripts/fuzz.sh runs them longer
bash scripts/fuzz.sh "${NETSURV_FUZZ_SECONDS:-90}"
# the same rules symbol by symbol, over the objects of the build without LTO
/usr/bin/python3 scripts/check-layout.py --objects build-sanitize
# the MPI build: mpirun -np 2 gives the datasets of one process
cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=Release -DNETSURV_MPI=ON -DBUILD_TESTING=ON
cmake --build build-mpi -j"$jobs" --target netsurv
ctest --test-dir build-mpi --output-on-failure -R test_mpi
echo "all tests passed (Release, sanitizers, fuzzing, MPI)"
