#!/usr/bin/env bash
# Benchmark of the value of information (issue 11) from 1,000 PSA draws on 2
# threads, on scenarios/registry_study.yaml: the EVPPI of every drawn parameter
# and of the named groups (for the whole cohort, every risk group and the
# decision by group), and the EVSI of its follow-up study (5 sample sizes x 2
# follow-ups: simulating the study's data for every draw and the regressions).
# Prints the seconds of each, as the run says on stderr, and the whole run's.
# usage: scripts/bench-voi.sh [NETSURV_BINARY] [PATIENTS] [DRAWS]
set -euo pipefail
bin=${1:-build/netsurv}
n=${2:-2000}
k=${3:-1000}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/netsurv-bench-voi-XXXXXX)
trap 'rm -rf "$dir"' EXIT
start=$(date +%s.%N)
"$bin" run "$here/scenarios/registry_study.yaml" -n "$n" --psa "$k" --voi --threads 2 \
    -o "$dir/voi.h5" > /dev/null 2> "$dir/log"
end=$(date +%s.%N)
grep -q "EVPPI of" "$dir/log" && grep -q "EVSI of study" "$dir/log" || { cat "$dir/log"; exit 1; }
evppi=$(sed -n 's/^netsurv run: EVPPI of \([0-9]*\) parameters and \([0-9]*\) groups.*: \([0-9.]*\) s$/\1 parameters and \2 groups: \3 s/p' "$dir/log")
evsi=$(sed -n 's/^netsurv run: EVSI of study .*: \([0-9.]*\) s$/\1/p' "$dir/log")
printf 'voi: %s draws, %s patients, 2 threads: EVPPI of %s; EVSI of 1 study x 5 sample sizes x 2 follow-ups: %.1f s (whole run %.1f s)\n' \
    "$k" "$n" "$evppi" "$evsi" "$(echo "$end - $start" | bc)"
