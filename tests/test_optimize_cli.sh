#!/usr/bin/env bash
# `netsurv optimize` end to end on a small space:
#   1. -o FILE and --policy FILE are written; a second run without --force
#      refuses (exit 2) and leaves both untouched; --force replaces them;
#   2. `netsurv run` replays the policy: its optimized_policy row has the
#      discounted cost and QALYs optimize printed for the composite policy;
#   3. a bad --space file exits 2 with FILE:LINE:COLUMN and the key;
#   4. --psa K --posterior FILE re-evaluates the frontier under posterior draws.
set -euo pipefail
bin=${1:?usage: test_optimize_cli.sh NETSURV}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cp "$src/tests/fixtures/opt_space.yaml" "$dir/space.yaml"
args=(-n 3000 --threads 2 --space "$dir/space.yaml" -o "$dir/opt.h5" --policy "$dir/policy.yaml")
"$bin" optimize "${args[@]}" > "$dir/out" 2> "$dir/err" || fail "optimize exits $?: $(cat "$dir/err")"
[ -s "$dir/opt.h5" ] && [ -s "$dir/policy.yaml" ] || fail "no output or policy file"
grep -q "^composite policy" "$dir/out" || fail "no composite line"
sum=$(md5sum "$dir/policy.yaml")
set +e
"$bin" optimize "${args[@]}" > /dev/null 2> "$dir/err"; rc=$?
set -e
[ $rc = 2 ] || fail "a second run without --force exits $rc"
[ "$(md5sum "$dir/policy.yaml")" = "$sum" ] || fail "the policy was touched"
"$bin" optimize "${args[@]}" --force -q > /dev/null || fail "--force refused"
echo "ok - outputs written, not overwritten without --force"

# the composite line: "composite policy (optimized_policy): cost C  QALYs Q per patient; ..."
read -r pc pq < <(sed -n 's/^composite policy ([a-z_]*): cost \([0-9.]*\)  QALYs \([0-9.]*\) .*/\1 \2/p' "$dir/out")
"$bin" run "$dir/policy.yaml" -n 3000 --threads 2 -o "$dir/run.h5" > "$dir/run.out"
# the incremental table's row: strategy, cost, QALYs (rounded to 0 and 4 decimals)
read -r rcost rqaly < <(grep '^optimized_policy ' "$dir/run.out" |
                        awk '$3 ~ /^[0-9]+\.[0-9]+$/ {print $2, $3; exit}')
[ -n "${rqaly:-}" ] || fail "no optimized_policy cost row in the run's tables"
awk -v a="$pc" -v b="$rcost" -v c="$pq" -v d="$rqaly" 'BEGIN { exit !((a - b < 0.51 && b - a < 0.51) && (c - d < 0.00006 && d - c < 0.00006)) }' ||
  fail "run replays cost $rcost QALYs $rqaly; optimize said $pc $pq"
echo "ok - netsurv run replays the composite policy ($rcost, $rqaly)"

printf 'optimize:\n  tests: {choices: [[mri], [xray]], assumption: "t"}\n' > "$dir/bad.yaml"
set +e
"$bin" optimize -n 100 --space "$dir/bad.yaml" > /dev/null 2> "$dir/err"; rc=$?
set -e
[ $rc = 2 ] || fail "a bad space exits $rc"
grep -q "^$dir/bad.yaml:2:29: optimize.tests.choices.1: unknown modality 'xray'" "$dir/err" ||
  fail "bad space message: $(cat "$dir/err")"
echo "ok - a bad space names FILE:LINE:COLUMN and the key"

# --psa with --posterior: the frontier schedules re-evaluated under draws from
# the calibration's posterior; the posterior needs --psa
post=$src/scenarios/calibration/default-posterior.h5
"$bin" optimize -n 2000 --threads 2 --space "$dir/space.yaml" --psa 4 --posterior "$post" \
  -o "$dir/post.h5" > "$dir/post.out" 2> "$dir/post.err" || fail "optimize --posterior: $(tail -3 "$dir/post.err")"
grep -q "PSA (4 draws)" "$dir/post.out" || fail "no PSA lines with --posterior"
set +e
"$bin" optimize -n 100 --space "$dir/space.yaml" --posterior "$post" > /dev/null 2> "$dir/err"; rc=$?
set -e
[ $rc = 2 ] && grep -q "needs --psa K" "$dir/err" || fail "--posterior without --psa: exit $rc"
echo "ok - optimize --psa --posterior"
