#!/usr/bin/env bash
# Benchmark of the EVSI of a follow-up study (issue 11): the registry study of
# scenarios/registry_study.yaml (5 sample sizes x 2 follow-ups) from 1,000 PSA
# draws on 2 threads; prints the seconds the EVSI took (simulating the study's
# data for every draw and the regressions), as the run says on stderr, and
# the whole run's.
# usage: scripts/bench-evsi.sh [NETSURV_BINARY] [PATIENTS] [DRAWS]
set -euo pipefail
bin=${1:-build/netsurv}
n=${2:-2000}
k=${3:-1000}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/netsurv-bench-evsi-XXXXXX)
trap 'rm -rf "$dir"' EXIT
start=$(date +%s.%N)
"$bin" run "$here/scenarios/registry_study.yaml" -n "$n" --psa "$k" --voi --threads 2 \
    -o "$dir/evsi.h5" --quiet > /dev/null 2> "$dir/log"
end=$(date +%s.%N)
grep "EVSI of study" "$dir/log" || { cat "$dir/log"; exit 1; }
secs=$(sed -n 's/^netsurv: EVSI of study .*: \([0-9.]*\) s$/\1/p' "$dir/log")
printf 'evsi: 1 study x 5 sample sizes x 2 follow-ups, %s draws, %s patients, 2 threads: %.1f s (whole run %.1f s)\n' \
    "$k" "$n" "$secs" "$(echo "$end - $start" | bc)"
