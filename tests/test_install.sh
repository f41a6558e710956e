#!/usr/bin/env bash
# cmake --install into a prefix, then the whole tree moved elsewhere: the
# moved program finds the scenarios installed beside it (not the source
# tree's, not the configured prefix's: the installed copy is edited to tell
# them apart), and the manual page, the analysis package and the documents
# are installed.
# usage: test_install.sh BUILD_DIR
set -euo pipefail
build=$1
dir=$(mktemp -d /tmp/netsurv-install-XXXXXX)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

cmake --install "$build" --prefix "$dir/first" > "$dir/install.log" ||
  fail "cmake --install: $(tail -5 "$dir/install.log")"
mv "$dir/first" "$dir/moved"
p=$dir/moved
for f in bin/netsurv share/man/man1/netsurv.1 share/netsurv/scenarios/default.yaml \
         share/netsurv/scenarios/sweeps/structural.yaml share/netsurv/analysis/report.py \
         share/netsurv/analysis/netsurv_analysis/reader.py share/netsurv/analysis/R/netsurv.R \
         share/netsurv/analysis/setup.py share/doc/netsurv/references.bib share/doc/netsurv/MODEL.md \
         share/doc/netsurv/LICENSE; do
  [ -e "$p/$f" ] || fail "$f is not installed"
done
echo "ok - program, manual page, scenarios, analysis package and documents installed"

sed -i 's/^name: .*/name: "the moved tree'"'"'s own scenario"/' "$p/share/netsurv/scenarios/default.yaml"
(cd / && "$p/bin/netsurv" cohort -n 1000) > "$dir/out" 2> "$dir/err" ||
  fail "the moved netsurv cohort: $(cat "$dir/err")"
grep -q "the moved tree's own scenario" "$dir/out" ||
  fail "the moved program did not read the scenario installed beside it: $(head -2 "$dir/out")"
"$p/bin/netsurv" --help | grep -q "$p/bin/../share/netsurv/scenarios/default.yaml" ||
  fail "--help does not name the installed default scenario"
echo "ok - a moved install finds the scenarios beside it"

(cd "$p/share/netsurv/analysis" && /usr/bin/python3 -c "
import netsurv_analysis.reader
from netsurv_analysis import references
assert references.read_bib(), 'the installed package finds no bibliography'") ||
  fail "the installed analysis package does not import or finds no bibliography"
echo "ok - the installed analysis package imports"
echo "test_install: all passed"
