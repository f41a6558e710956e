#!/usr/bin/env bash
# `netsurv calibrate --resume`: a calibration killed (SIGKILL) part-way and
# resumed from its checkpoint of evaluations writes the same posterior, bit
# for bit, as one that was never interrupted; the checkpoint is removed once
# the file is written; a checkpoint of another calibration (another seed) is
# refused with exit 2; a damaged one too.
# usage: test_calibrate_resume.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test calres "$1"
# a small calibration: every iteration run (an unreachable ESS target)
sed 's/^  imis: .*/  imis: {initial: 300, per_iteration: 60, iterations: 8, target_ess: 1000000}/' \
  "$src/scenarios/calibration/series.yaml" >series.yaml
sc=$src/scenarios/default.yaml
args=("$sc" --series series.yaml -n 1500 --threads 2 --quiet)
must "$bin" calibrate "${args[@]}" -o whole.h5
ck=.killed.h5.netsurv-calibration-checkpoint
# killed once the checkpoint holds a few hundred evaluations
"$bin" calibrate "${args[@]}" -o killed.h5 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  size=$(stat -c %s "$ck" 2>/dev/null || echo 0)
  ((size > 50000)) && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.05
done
kill -KILL $pid 2>/dev/null || fail "the calibration ended before it could be killed"
wait $pid 2>/dev/null || true
[[ ! -e killed.h5 && -s $ck ]] || fail "after the kill: no checkpoint, or an output file"
cp "$ck" saved-checkpoint
must "$bin" calibrate "${args[@]}" -o killed.h5 --resume
grep -q "resuming: [1-9][0-9]* evaluations recorded" err.txt || \
  { cat err.txt; fail "the resumed run replayed nothing"; }
[[ ! -e $ck ]] || fail "the checkpoint was left after the file was written"
/usr/bin/python3 - <<'PY' || fail "the resumed posterior differs from the uninterrupted one"
import h5py, numpy as np
a, b = h5py.File("whole.h5", "r"), h5py.File("killed.h5", "r")
for name in ("theta", "weight", "loglik", "log_prior", "iteration"):
    assert np.array_equal(a["posterior/" + name][:], b["posterior/" + name][:]), name
assert np.array_equal(a["targets/expected_by_point"][:], b["targets/expected_by_point"][:])
print("resumed = uninterrupted: %d points" % a["posterior/theta"].shape[0])
PY
echo "ok - a killed calibration resumed equals an uninterrupted one"
cp saved-checkpoint .other.h5.netsurv-calibration-checkpoint
refused 2 "belongs to another calibration" "$bin" calibrate "${args[@]}" --seed 7 -o other.h5 --resume
[[ ! -e other.h5 ]] || fail "a refused resume wrote other.h5"
ck2=.killed2.h5.netsurv-calibration-checkpoint
cp saved-checkpoint "$ck2"
printf 'X' | dd of="$ck2" bs=1 seek=200 conv=notrunc status=none
refused 2 "is damaged" "$bin" calibrate "${args[@]}" -o killed2.h5 --resume
[[ ! -e killed2.h5 ]] || fail "a refused resume wrote killed2.h5"
echo "ok - checkpoints of another calibration or damaged ones refused"
