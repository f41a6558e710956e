#!/usr/bin/env bash
# The scenario reference from the command line:
#   1. docs/scenario-reference.md is exactly `netsurv reference` (regenerate
#      it with `build/netsurv reference > docs/scenario-reference.md`);
#   2. `netsurv validate` warns, at FILE:LINE:COLUMN and exit 0, on a rule's
#      `max: 19.9` (exclusive: 19.9-20 mm match no group ending there), and
#      not on `max: 20`; the warning also shows when a run loads it;
#   3. `--format` other than md is refused.
# usage: test_reference.sh NETSURV_BINARY
set -euo pipefail
bin=$1
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib.sh
source "$src/tests/lib.sh"
dir=$(mktemp -d /tmp/netsurv-reference-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

"$bin" reference >ref.md 2>err.txt || fail "netsurv reference exited $?"
"$bin" reference --format md >ref2.md || fail "--format md"
cmp -s ref.md ref2.md || fail "--format md differs from the default"
if ! diff -u "$src/docs/scenario-reference.md" ref.md >diff.txt; then
  head -40 diff.txt >&2
  fail "docs/scenario-reference.md differs from 'netsurv reference': regenerate it with" \
    "'build/netsurv reference > docs/scenario-reference.md'"
fi
for key in other_cause_death.model strategies.*.rules.*.when sweep.grid size_mm.max \
  series.*.follow_up.protocol.schedule cohort.resection_methods.*.share; do
  grep -qF "| \`$key\` |" ref.md || fail "the reference has no row for $key"
done
grep -q 'one of: life_table, gompertz' ref.md || fail "other_cause_death.model's words"
echo "ok - docs/scenario-reference.md is netsurv reference's output"

rc=0
"$bin" reference --format xml >out.txt 2>err.txt || rc=$?
((rc == 2)) || fail "--format xml: exit $rc, expected 2"
grep -q "unknown format 'xml'" err.txt || fail "--format xml: no message"
echo "ok - an unknown format is refused"

rule='when: {size_mm: {max: 20}, grade: \[G1\], lvi: \[no\]'
line=$(grep -n "$rule" "$src/scenarios/default.yaml" | cut -d: -f1)
[[ $line =~ ^[0-9]+$ ]] || fail "the jnets no_risk rule is not in default.yaml"
prefix=$(sed -n "${line}p" "$src/scenarios/default.yaml" | sed 's/max: 20.*//')
col=$((${#prefix} + 6))
sed "${line}s/max: 20}/max: 19.9}/" "$src/scenarios/default.yaml" >s199.yaml
"$bin" validate s199.yaml >out.txt 2>err.txt || fail "validate of max: 19.9 exited $?"
[[ $(cat out.txt) == ok ]] || fail "validate did not print ok"
grep -qF "s199.yaml:$line:$col: strategies.jnets_2019.rules.no_risk.when.size_mm.max: 19.9 is exclusive; tumours of 19.9-20 mm match no group" err.txt ||
  fail "no warning at s199.yaml:$line:$col for max: 19.9"
[[ $(wc -l <err.txt) == 1 ]] || fail "more than one line on stderr"
"$bin" cohort s199.yaml -n 1000 >out.txt 2>err.txt || fail "cohort of max: 19.9 exited $?"
grep -qF "19.9 is exclusive" err.txt || fail "cohort does not show the warning"
"$bin" validate "$src/scenarios/default.yaml" >out.txt 2>err.txt || fail "validate default.yaml"
[[ ! -s err.txt ]] || fail "default.yaml validates with messages: $(cat err.txt)"
sed "${line}s/max: 20}/max: 9.99}/" "$src/scenarios/default.yaml" >s999.yaml
"$bin" validate s999.yaml >out.txt 2>err.txt || fail "validate of max: 9.99 exited $?"
grep -qF "9.99 is exclusive; tumours of 9.99-10 mm" err.txt || fail "no warning for max: 9.99"
echo "ok - validate warns on max: 19.9 and 9.99 (exit 0), not on max: 20"
echo "test_reference: all passed"
