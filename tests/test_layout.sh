#!/usr/bin/env bash
# scripts/check-layout.py passes on the tree and fails, naming the cause, on
# copies of it with one rule broken each: a file over 800 lines, a stage
# including a stage above it, an internal header used from another stage, an
# #include circle, a loose file in sim/, and (through objects) a circle of
# symbols between two files.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
py=/usr/bin/python3
check="$src/scripts/check-layout.py"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

"$py" "$check" --root "$src" >/dev/null || { echo "FAIL: the tree itself"; fail=1; }

# A fresh copy of the parts the check reads.
copy() {
  rm -rf "$dir/t"
  mkdir -p "$dir/t"
  cp -r "$src/sim" "$src/include" "$src/tests" "$dir/t/"
  mkdir -p "$dir/t/analysis" "$dir/t/scripts"
}
# expect_fail WHAT PATTERN: the check fails and says PATTERN.
expect_fail() {
  if "$py" "$check" --root "$dir/t" ${3:-} >"$dir/out" 2>&1; then
    echo "FAIL: $1: the check passed"; fail=1
  elif ! grep -q -- "$2" "$dir/out"; then
    echo "FAIL: $1: expected '$2' in:"; cat "$dir/out"; fail=1
  else
    echo "ok: $1"
  fi
}

copy
seq 801 | sed 's|^|/* line */|' >"$dir/t/sim/engine/long.c"
expect_fail "801 lines" "sim/engine/long.c: 801 lines"

copy
sed -i '0,/#include/s||#include "netsurv/job/job.h"\n#include|' "$dir/t/sim/model/strategy.c"
expect_fail "a stage above" "the model stage includes include/netsurv/job/job.h of the job stage"

copy
echo '#include "../output/h5util.h"' >>"$dir/t/sim/job/run.c"
expect_fail "another stage's internal header" "internal to the output stage"

copy
echo '#include "netsurv/engine/psa.h"' >>"$dir/t/include/netsurv/engine/engine.h"
expect_fail "an include circle" "#include circle: .*engine.h"

copy
echo 'int x;' >"$dir/t/sim/loose.c"
expect_fail "a file outside the stages" "sim/loose.c: not in a stage folder"

copy
o="$dir/b/CMakeFiles/netsurv_core.dir/sim/engine"
mkdir -p "$o"
printf 'int ns_b(void);\nint ns_a(void) { return ns_b(); }\n' >"$dir/t/sim/engine/ca.c"
printf 'int ns_a(void);\nint ns_b(void) { return 1; }\nint ns_c(void) { return ns_a(); }\n' >"$dir/t/sim/engine/cb.c"
gcc -c "$dir/t/sim/engine/ca.c" -o "$o/ca.c.o"
gcc -c "$dir/t/sim/engine/cb.c" -o "$o/cb.c.o"
expect_fail "a circle of symbols" "circle between files .*ca.c -> sim/engine/cb.c" "--objects $dir/b"

[ $fail -eq 0 ] && echo "test_layout: all passed"
exit $fail
