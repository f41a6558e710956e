#!/usr/bin/env bash
# Installs what is needed, builds netsurv, and runs the main job on the
# default scenario: every strategy on 1,000,000 virtual patients, summary to
# results/default.h5 (replaced if present), table to the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
mkdir -p results
./build/netsurv cohort scenarios/default.yaml -n 1000000
echo
./build/netsurv run scenarios/default.yaml -n 1000000 -o results/default.h5 --force "$@"
/usr/bin/python3 analysis/summary.py results/default.h5
