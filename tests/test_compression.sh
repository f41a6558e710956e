#!/usr/bin/env bash
# `run --per-patient --compression L`: the per-patient rows hold the same
# values at every level; level 0 stores them without filters (and is the
# largest file), the default (1) with shuffle + deflate; levels outside
# 0-12 are refused.
# usage: test_compression.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test compression "$1"
args=("$src/scenarios/default.yaml" -n 70000 --per-patient --quiet --threads 2)
must "$bin" run "${args[@]}" -o l1.h5
must "$bin" run "${args[@]}" --compression 0 -o l0.h5
must "$bin" run "${args[@]}" --compression 9 -o l9.h5
for f in l0.h5 l9.h5; do
  /usr/bin/python3 "$src/tests/fixtures/h5_same.py" l1.h5 $f >/dev/null || fail "$f differs from l1.h5"
done
/usr/bin/python3 - <<'PY' || fail "the filters or sizes are not what the levels say"
import os, h5py
for name, want in (("l0.h5", ()), ("l1.h5", ("shuffle", "gzip")), ("l9.h5", ("shuffle", "gzip"))):
    with h5py.File(name, "r") as f:
        d = f["patients/age"]
        got = tuple(k for k in ("shuffle", "gzip") if (d.shuffle if k == "shuffle" else d.compression == "gzip"))
        assert got == want, (name, got)
        assert f["patients/age"].shape[0] == 70000
assert os.path.getsize("l0.h5") > 2 * os.path.getsize("l1.h5") >= 2 * os.path.getsize("l9.h5")
print("filters: l0 none, l1 and l9 shuffle + gzip; sizes", [os.path.getsize(n) for n in ("l0.h5", "l1.h5", "l9.h5")])
PY
refused 2 "--compression" "$bin" run "${args[@]}" --compression 13 -o bad.h5
[[ ! -e bad.h5 ]] || fail "a refused level wrote bad.h5"
echo "ok - per-patient rows the same at levels 0, 1 and 9; level 0 unfiltered; 13 refused"
