#!/usr/bin/env bash
# A sweep with --psa K (issue 16): K PSA draws at every point, the same
# draws at each, into /sweep_psa/point_NNNNNN:
#   1. the same file on 1 and 2 threads;
#   2. shards of it (any order) merged equal one process;
#   3. the PSA at a point equals a plain --psa run of the scenario with that
#      point's values set with --set (same datasets, bit for bit), also as
#      analysis/netsurv_analysis's read_run(path, point) reads it;
#   4. killed with kill -9 and resumed equals an uninterrupted run;
#   5. a sweep with --psa and --voi, --owsa or --per-patient exits 2.
# usage: test_sweep_psa.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test sweep-psa "$1"
bg=
trap '[[ -n $bg ]] && kill -9 "$bg" 2>/dev/null; rm -rf "$dir"' EXIT
sc=$src/scenarios/default.yaml
sw=$src/scenarios/sweeps/mri_interval.yaml
same() { /usr/bin/python3 "$src/tests/fixtures/h5_same.py" "$1" "$2" >cmp.txt || fail "$1 and $2 differ: $(head -n 5 cmp.txt)"; }
ok() { echo "ok - $*"; }
opts=(--sweep "$sw" -n 20000 --psa 4 --quiet)

# ---- 1. threads
must "$bin" run "$sc" "${opts[@]}" --threads 1 -o t1.h5
grep -q "/sweep_psa: 4 draws at each point" out.txt || fail "the run did not say it wrote /sweep_psa"
must "$bin" run "$sc" "${opts[@]}" --threads 2 -o t2.h5
same t1.h5 t2.h5
/usr/bin/python3 - <<'PY' || fail "/sweep_psa is not 9 points of 4 draws"
import h5py
f = h5py.File("t1.h5", "r")
g = f["sweep_psa"]
assert g.attrs["n_points"] == 9 and g.attrs["n_draws"] == 4, dict(g.attrs)
assert len(g) == 9, list(g)
for p in range(9):
    q = g["point_%06d" % p]
    assert q["cost"].shape == (4, 9) and q["ceac"].shape[1] == 9 and "evpi" in q
assert "psa" not in f
PY
ok "sweep + PSA: the same file on 1 and 2 threads, /sweep_psa of 9 points x 4 draws"

# ---- 2. shards
for k in 1 2 3; do must "$bin" run "$sc" "${opts[@]}" --shard $k/3 -o s$k.h5; done
must "$bin" merge m.h5 s3.h5 s1.h5 s2.h5
same t1.h5 m.h5
ok "sweep + PSA: 3 shards merged equal one process"

# ---- 3. point 3 = a plain --psa run with that point's values set
sets=()
while read -r a; do sets+=(--set "$a"); done < <(/usr/bin/python3 - <<'PY'
import h5py
g = h5py.File("t1.h5", "r")["sweep/points"]
for k in g:
    v = float(g[k][3])
    print("%s=%s" % (k, repr(int(v)) if v == int(v) else repr(v)))
PY
)
((${#sets[@]} == 4)) || fail "expected 2 swept paths at point 3"
must "$bin" run "$sc" -n 20000 --psa 4 --quiet "${sets[@]}" -o p3.h5
/usr/bin/python3 - <<'PY' || fail "the sweep's PSA at point 3 differs from a plain --psa run there"
import h5py, numpy as np
a = h5py.File("t1.h5", "r")["sweep_psa/point_000003"]
b = h5py.File("p3.h5", "r")["psa"]
assert set(a) == set(b), set(a) ^ set(b)
for k in a:
    x, y = a[k][()], b[k][()]
    nan = x.dtype.kind == "f"
    assert x.shape == y.shape and np.array_equal(x, y, equal_nan=nan), k
for k in b.attrs:
    assert np.array_equal(a.attrs[k], b.attrs[k]), k
PY
PYTHONPATH=$src/analysis /usr/bin/python3 - <<'PY' || fail "the analysis reader does not give point 3's PSA"
import numpy as np
from netsurv_analysis.reader import read_run, psa_disagreements
r, q = read_run("t1.h5", 3), read_run("p3.h5")
assert r.psa is not None and np.array_equal(r.psa["ceac"], q.psa["ceac"])
assert np.array_equal(r.psa["evpi"], q.psa["evpi"]) and not psa_disagreements(r)
PY
ok "sweep + PSA: the PSA at point 3 equals a plain --psa run with its values set"

# ---- 4. killed and resumed
ck=.r.h5.netsurv-checkpoint
big=(--sweep "$sw" -n 70000 --psa 3 --quiet --threads 1)
kill_when_grown r.h5 "$bin" run "$sc" "${big[@]}" -o r.h5
must "$bin" run "$sc" "${big[@]}" --resume -o r.h5
grep -q "resuming: [1-9][0-9]* of " err.txt || fail "the run did not resume from its checkpoint"
[[ ! -e $ck ]] || fail "the checkpoint is left"
must "$bin" run "$sc" "${big[@]}" -o u.h5
same u.h5 r.h5
ok "sweep + PSA: killed and resumed equals an uninterrupted run"

# ---- 5. what it cannot be combined with
for opt in --voi --owsa --per-patient; do
  refused 2 "cannot be combined" "$bin" run "$sc" --sweep "$sw" --psa 3 $opt -o bad.h5
  [[ ! -e bad.h5 ]] || fail "a refused run wrote bad.h5"
done
ok "a sweep with --psa and --voi, --owsa or --per-patient exits 2"
