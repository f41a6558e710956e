#!/usr/bin/env bash
# The fast paths of the per-patient loop (patients with nothing to find,
# the rule and risk-group lookup table, one play per set of strategies
# whose rules play alike) give the general path's files bit for bit:
# summary, risk groups and per-patient rows of the default scenario, and a
# PSA of the registry-study scenario, each run with and without
# NETSURV_GENERIC_PLAY=1 (the general path) and compared dataset by dataset.
# usage: test_fast_path.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test fast_path "$1"
same() { /usr/bin/python3 "$src/tests/fixtures/h5_same.py" "$1" "$2" >/dev/null ||
  fail "$1 and $2 differ: the fast path no longer gives the general path's results"; }
run_both() { # NAME ARGS...: the run, fast and general
  local name=$1
  shift
  must "$bin" run "$@" -o "$name.fast.h5" --quiet
  NETSURV_GENERIC_PLAY=1 must "$bin" run "$@" -o "$name.generic.h5" --quiet
  same "$name.fast.h5" "$name.generic.h5"
}
run_both default "$src/scenarios/default.yaml" -n 30000 --per-patient --threads 2
echo "ok - default, per-patient rows"
run_both psa "$src/scenarios/registry_study.yaml" -n 3000 --psa 4 --threads 2
echo "ok - the fast and general paths give the same files"
