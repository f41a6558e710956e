#!/usr/bin/env bash
# Every kind of work unit split over shards, and shards resumed:
#   1. `run --psa K --owsa --voi --shard k/N` + `merge` gives the datasets of
#      one process (PSA, PSA by group, EVPPI, OWSA), with 3 shards in any
#      order and with more shards than draws; with --posterior too (and its
#      note on /psa); the EVSI of a follow-up study too;
#   2. shards of runs with another --psa, --owsa or --voi are refused;
#   3. a shard killed with kill -9 and run again with --resume computes only
#      what is missing ("resuming: K of M"), and the merge equals the
#      uninterrupted one; the checkpoint goes once the shard is written; a
#      resume with another seed is refused and names the checkpoint;
#   4. a single PSA run killed and resumed equals an uninterrupted one;
#   5. a shard of a sweep resumes;
#   6. a single run without PSA given --resume keeps its work units in a
#      checkpoint of its own: killed and resumed it equals an uninterrupted
#      run, and --resume with --per-patient is refused.
# usage: test_shard_psa.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test shard-psa "$1"
bg=
trap '[[ -n $bg ]] && kill -9 "$bg" 2>/dev/null; rm -rf "$dir"' EXIT
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
sc=$src/scenarios/default.yaml
# same A B: every group, dataset and attribute alike, bit for bit
same() { /usr/bin/python3 "$src/tests/fixtures/sweep_compare.py" "$1" "$2" >cmp.txt || fail "$1 and $2 differ: $(head -n 5 cmp.txt)"; }
ok() { echo "ok - $*"; }

# ---- 1. shards of PSA + OWSA + VOI merged = one process
opts=(-n 70000 --psa 6 --owsa --voi --quiet)
must "$bin" run "$sc" "${opts[@]}" -o one.h5
for k in 1 2 3; do
  must "$bin" run "$sc" "${opts[@]}" --shard $k/3 -o s$k.h5
  grep -q "PSA draws $(((k - 1) * 2))-$((k * 2)) of 6, OWSA parameters" out.txt ||
    fail "shard $k/3 did not say which PSA draws and OWSA parameters it ran"
done
must "$bin" merge m.h5 s2.h5 s3.h5 s1.h5
same one.h5 m.h5
/usr/bin/python3 - <<'PY' || fail "the merged file lacks PSA, OWSA or EVPPI"
import h5py
f = h5py.File("m.h5", "r")
assert f["psa/cost"].shape[0] == 6, f["psa/cost"].shape
assert "owsa" in f and "voi" in f and "psa_by_group" in f
PY
# 3 draws over 5 shards: some shards hold none
for k in 1 2 3 4 5; do must "$bin" run "$sc" -n 70000 --psa 3 --quiet --shard $k/5 -o f$k.h5; done
must "$bin" run "$sc" -n 70000 --psa 3 --quiet -o three.h5
must "$bin" merge m5.h5 f5.h5 f4.h5 f3.h5 f2.h5 f1.h5
same three.h5 m5.h5
# drawn from a posterior: the same draws, and the note on /psa
/usr/bin/python3 - <<'PY'
import h5py, numpy as np
with h5py.File("post.h5", "w") as f:
    g = f.create_group("posterior")
    g["parameter"] = np.array(["metastasis.intercept"], dtype=h5py.string_dtype())
    g["theta"] = np.array([[-5.5], [-4.0]], dtype="f8")
    g["weight"] = np.array([0.3, 0.7], dtype="f8")
PY
must "$bin" run "$sc" -n 20000 --psa 6 --posterior post.h5 --quiet -o pone.h5
for k in 1 2; do must "$bin" run "$sc" -n 20000 --psa 6 --posterior post.h5 --quiet --shard $k/2 -o p$k.h5; done
must "$bin" merge pm.h5 p1.h5 p2.h5
same pone.h5 pm.h5
/usr/bin/python3 - <<'PY' || fail "the merged file's /psa does not note the posterior as one process does"
import h5py
a, b = h5py.File("pone.h5", "r")["psa"].attrs, h5py.File("pm.h5", "r")["psa"].attrs
for k in ("posterior", "posterior_parameters", "posterior_points", "draws"):
    assert a[k] == b[k], (k, a[k], b[k])
PY
ok "shards of PSA, OWSA and VOI (3 and 5 shards, with a posterior) merge into one process's datasets"

# the EVSI of a follow-up study (scenarios/registry_study.yaml): the merge
# simulates the studies under every draw as one process does, from the
# posterior the shards drew from when there is one (read again from its path)
rs=$src/scenarios/registry_study.yaml
for post in none post.h5; do
  popt=()
  [[ $post == none ]] || popt=(--posterior "$post")
  must "$bin" run "$rs" -n 20000 --psa 40 --voi "${popt[@]}" --quiet -o eone.h5
  for k in 1 2; do must "$bin" run "$rs" -n 20000 --psa 40 --voi "${popt[@]}" --quiet --shard $k/2 -o e$k.h5; done
  must "$bin" merge em.h5 e2.h5 e1.h5
  same eone.h5 em.h5
  /usr/bin/python3 -c "import h5py, numpy as np, sys; e = h5py.File('em.h5', 'r')['voi/evsi/registry/evsi'][()]; sys.exit(0 if np.isfinite(e).any() and np.nanmax(e) > 0 else 1)" ||
    fail "the merged EVSI ($post) has no positive value"
  [[ $post == none ]] && rm -f eone.h5 e1.h5 e2.h5
  rm -f em.h5
done
cp post.h5 post-kept.h5
/usr/bin/python3 -c "import h5py; f = h5py.File('post.h5', 'r+'); f['posterior/weight'][...] = [0.5, 0.5]"
refused 2 "no longer that posterior" "$bin" merge em.h5 e1.h5 e2.h5
[[ ! -e em.h5 ]] || fail "a refused merge left its output"
mv post-kept.h5 post.h5
ok "the EVSI of a study over 2 shards (with and without a posterior) equals one process's; a changed posterior is refused"

# ---- 2. shards of different uncertainty runs
must "$bin" run "$sc" -n 70000 --psa 7 --owsa --voi --quiet --shard 2/3 -o k13.h5
refused 2 "different runs" "$bin" merge bad.h5 s1.h5 k13.h5 s3.h5
must "$bin" run "$sc" -n 70000 --psa 6 --voi --quiet --shard 2/3 -o noowsa.h5
refused 2 "different runs" "$bin" merge bad.h5 s1.h5 noowsa.h5 s3.h5
must "$bin" run "$sc" -n 70000 --psa 6 --owsa --quiet --shard 2/3 -o novoi.h5
refused 2 "different runs" "$bin" merge bad.h5 s1.h5 novoi.h5 s3.h5
[[ ! -e bad.h5 ]] || fail "a refused merge left its output"
refused 2 "different runs" "$bin" merge bad.h5 p1.h5 f2.h5
ok "shards of runs with another --psa, --owsa or --voi are refused"

# ---- 3. a shard killed and resumed
big=(-n 140000 --psa 8 --quiet --threads 1)
kill_when_grown r2.h5 "$bin" run "$sc" "${big[@]}" --shard 2/2 -o r2.h5
cp .r2.h5.netsurv-checkpoint ck.copy
if "$bin" run "$sc" "${big[@]}" --shard 2/2 --seed 99 --resume -o r2.h5 >out.txt 2>err.txt; then
  fail "a resume with another seed was accepted"
fi
grep -q "belongs to another run" err.txt || fail "the refusal does not say the checkpoint is another run's"
[[ ! -e r2.h5 ]] || fail "a refused resume wrote its output"
grep -qF ".r2.h5.netsurv-checkpoint" err.txt || fail "the refusal does not name the checkpoint"
cmp -s ck.copy .r2.h5.netsurv-checkpoint || fail "a refused resume changed the checkpoint"
must "$bin" run "$sc" "${big[@]}" --shard 2/2 --resume -o r2.h5
read -r done_k all_k < <(sed -n 's/.*resuming: \([0-9]*\) of \([0-9]*\) work units.*/\1 \2/p' err.txt)
[[ -n ${done_k:-} ]] || fail "no 'resuming: K of M work units, PSA draws and OWSA parameters'"
((done_k >= 1 && done_k < all_k)) || fail "resumed with $done_k of $all_k done"
[[ ! -e .r2.h5.netsurv-checkpoint ]] || fail "the shard's checkpoint is left after it was written"
must "$bin" run "$sc" "${big[@]}" --shard 1/2 -o r1.h5
must "$bin" merge resumed.h5 r1.h5 r2.h5
must "$bin" run "$sc" "${big[@]}" --shard 2/2 -o u2.h5
must "$bin" merge unbroken.h5 r1.h5 u2.h5
same unbroken.h5 resumed.h5
ok "a shard killed after $done_k of $all_k items, resumed, merges as an uninterrupted one"

# ---- 4. a single PSA run killed and resumed
kill_when_grown single.h5 "$bin" run "$sc" -n 70000 --psa 10 --quiet --threads 1 -o single.h5
must "$bin" run "$sc" -n 70000 --psa 10 --quiet --threads 1 --resume -o single.h5
grep -q "resuming: [1-9][0-9]* of 10 " err.txt || fail "the PSA run did not resume from its draws"
must "$bin" run "$sc" -n 70000 --psa 10 --quiet -o single_u.h5
same single_u.h5 single.h5
[[ ! -e .single.h5.netsurv-checkpoint ]] || fail "the PSA run's checkpoint is left"
ok "a PSA run killed and resumed equals an uninterrupted one"

# ---- 5. a sweep's shard resumes (from nothing here) and merges
sw=$src/scenarios/sweeps/mri_interval.yaml
for k in 1 2; do must "$bin" run "$sc" --sweep "$sw" -n 20000 --quiet --shard $k/2 --resume -o w$k.h5; done
must "$bin" merge wm.h5 w1.h5 w2.h5
must "$bin" run "$sc" --sweep "$sw" -n 20000 --quiet -o wone.h5
/usr/bin/python3 "$src/tests/fixtures/sweep_compare.py" wone.h5 wm.h5 >/dev/null || fail "the sweep's shards differ"
ok "a sweep's shards with --resume merge into the sweep"

# ---- 6. a plain run with --resume: its work units kept, killed, resumed
kill_when_grown plain.h5.base "$bin" run "$sc" -n 400000 --quiet --threads 1 --resume -o plain.h5
[[ ! -e plain.h5 ]] || fail "a killed run left plain.h5"
must "$bin" run "$sc" -n 400000 --quiet --threads 1 --resume -o plain.h5
grep -q "resuming: [1-9][0-9]* of 7 work units" err.txt || fail "the plain run did not resume"
must "$bin" run "$sc" -n 400000 --quiet -o plain_u.h5
same plain_u.h5 plain.h5
[[ ! -e .plain.h5.base.netsurv-checkpoint ]] || fail "the plain run's checkpoint is left"
refused 2 "--per-patient" "$bin" run "$sc" -n 1000 --per-patient --resume -o pp.h5
ok "a plain run killed and resumed equals an uninterrupted one; not with --per-patient"
