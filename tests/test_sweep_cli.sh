#!/usr/bin/env bash
# End-to-end tests of sweeps with the netsurv binary:
#   1. `run --sweep`: /sweep/points and /sweep/axis, a leading point dimension
#      on every per-strategy dataset, common random numbers across points
#      (tests/fixtures/sweep_check.py); the same results with the sweep
#      written in the scenario file, and with one thread;
#   2. shards: `run --shard K/N` + `merge` equals the single run bit for bit
#      (tests/fixtures/sweep_compare.py), in any order, with 3 and 5 shards,
#      and without a sweep; incomplete, repeated or foreign shards, a non-shard
#      file and an existing OUT are refused and leave nothing at OUT;
#   3. `--resume` after kill -9: completes from the checkpoint, equals an
#      uninterrupted run, removes the checkpoint; another seed or override is
#      refused and leaves the checkpoint as it was;
#   4. a sweep with --per-patient, --owsa or --voi exits 2 (shards of a
#      sweep resume: tests/test_shard_psa.sh; a sweep with --psa:
#      tests/test_sweep_psa.sh);
#   5. scripts/slurm: the array script run by bash for each task (Slurm
#      faked by its variables), then the merge script, equals a single run;
#      submit.sh with a fake sbatch submits the array, then the merge after it.
# usage: test_sweep_cli.sh NETSURV_BINARY
# SWEEP_TEST_PATIENTS (default 70000: 2 work units per point) and
# SWEEP_TEST_RESUME_PATIENTS (default 400000) set the sizes.
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
py=/usr/bin/python3
compare=$src/tests/fixtures/sweep_compare.py
check=$src/tests/fixtures/sweep_check.py
scen=$src/scenarios/default.yaml
sweep=$src/scenarios/sweeps/mri_interval.yaml
n=${SWEEP_TEST_PATIENTS:-70000}
n_resume=${SWEEP_TEST_RESUME_PATIENTS:-400000}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

dir=$(mktemp -d /tmp/netsurv-sweep-cli-XXXXXX)
bg=
cleanup() {
  if [[ -n $bg ]]; then kill -9 "$bg" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
start=$SECONDS

# shellcheck source=tests/lib.sh
source "$src/tests/lib.sh"
ok() { echo "ok - $* ($((SECONDS - start)) s)"; }

# runs a command that must succeed; its output in out.txt and err.txt
must() {
  "$@" >out.txt 2>err.txt || fail "exit $? from: $*"
}
# refused CODE WHAT CMD...: CMD exits CODE ("nz": any non-zero code) with
# WHAT (a fixed string) in its stderr
refused() {
  local code=$1 what=$2 rc=0
  shift 2
  "$@" >out.txt 2>err.txt || rc=$?
  if [[ $code == nz ]]; then
    ((rc != 0)) || fail "exit 0 from: $*"
  else
    ((rc == code)) || fail "exit $rc, expected $code, from: $*"
  fi
  grep -qF -- "$what" err.txt || fail "no '$what' in the messages of: $*"
}
# same A B [--only GROUPS]: the files hold the same datasets, bit for bit
same() {
  "$py" "$compare" "$@" >cmp.txt 2>&1 || { cat cmp.txt >&2; fail "$1 and $2 differ"; }
}
# nothing_at OUT: no OUT and no temporary file of it
nothing_at() {
  [[ ! -e $1 ]] || fail "$1 exists"
  local d b
  d=$(dirname "$1") b=$(basename "$1")
  if compgen -G "$d/.$b.netsurv-*.tmp" >/dev/null; then
    fail "temporary files of $1 left: $(echo "$d/.$b".netsurv-*.tmp)"
  fi
}
size() { stat -c %s "$1"; }

run() { "$bin" run "$scen" -n "$n" --quiet "$@"; }

# ---------- 1. a sweep run ----------
must run --sweep "$sweep" -o sweep.h5
grep -q "highest NMB" out.txt || fail "no table of points"
[[ $(grep -cE '^point [1-9]/9  strategies\.risk_stratified\.rules\.intermediate\.schedule\.1\.every=[234]  modalities\.mri\.cost=[469]00  highest NMB: ' out.txt) == 9 ]] ||
  fail "not 9 rows, each naming the swept paths and values"
must run -o single.h5
"$py" "$check" sweep.h5 single.h5 >check.txt 2>&1 || { cat check.txt >&2; fail "sweep_check.py"; }
[[ ! -e .sweep.h5.netsurv-checkpoint ]] || fail "a finished sweep left its checkpoint"
ok "run --sweep: /sweep/points, a leading point dimension, common random numbers"

# the sweep written in the scenario file: the same results
cat "$scen" "$sweep" >infile.yaml
must "$bin" run infile.yaml -n "$n" --quiet -o infile.h5
same sweep.h5 infile.h5 --only summary,economics,sweep/points,sweep/axis
must run --sweep "$sweep" --threads 1 -o threads1.h5
same sweep.h5 threads1.h5
ok "the same with the sweep: section in the scenario file, and with one thread"

# ---------- 2. shards and merge ----------
for k in 1 2 3; do
  must run --sweep "$sweep" --shard $k/3 -o s$k.h5
  grep -q "shard $k/3" out.txt || fail "shard $k/3 did not say what it ran"
done
must "$bin" merge m123.h5 s1.h5 s2.h5 s3.h5
grep -q "merged 3 shards" out.txt || fail "merge did not report"
same sweep.h5 m123.h5
must "$bin" merge m312.h5 s3.h5 s1.h5 s2.h5
same sweep.h5 m312.h5
for k in 1 2 3 4 5; do
  must run --sweep "$sweep" --shard $k/5 --threads $((k % 2 + 1)) -o f$k.h5
done
must "$bin" merge m5.h5 f4.h5 f2.h5 f5.h5 f1.h5 f3.h5
same sweep.h5 m5.h5
# no sweep: 2 work units in 3 shards, one of them empty
for k in 1 2 3; do must run --shard $k/3 -o p$k.h5; done
must "$bin" merge mp.h5 p2.h5 p3.h5 p1.h5
same single.h5 mp.h5
# 7 units in 3 shards: merge must fold more than two units in unit order
must "$bin" run "$scen" -n "$n_resume" --quiet -o big.h5
for k in 1 2 3; do must "$bin" run "$scen" -n "$n_resume" --quiet --shard $k/3 -o b$k.h5; done
must "$bin" merge mb.h5 b3.h5 b2.h5 b1.h5
same big.h5 mb.h5
ok "merge of 3 shards (in two orders) and 5 shards equals the single run; also without a sweep"

refused 2 "missing: 2" "$bin" merge bad.h5 s1.h5 s3.h5
nothing_at bad.h5
refused 2 "missing: 1 3" "$bin" merge bad.h5 s2.h5
nothing_at bad.h5
refused 2 "given twice" "$bin" merge bad.h5 s1.h5 s1.h5 s2.h5
nothing_at bad.h5
refused 2 "given twice" "$bin" merge bad.h5 s1.h5 s2.h5 s3.h5 s2.h5
nothing_at bad.h5
must run --sweep "$sweep" --shard 2/3 --seed 7 -o seed7.h5
refused 2 "different runs" "$bin" merge bad.h5 s1.h5 seed7.h5 s3.h5
nothing_at bad.h5
must run --sweep "$sweep" --shard 3/3 --set cohort.male_share=0.6 -o male.h5
refused 2 "different runs" "$bin" merge bad.h5 s1.h5 s2.h5 male.h5
nothing_at bad.h5
refused 2 "different runs" "$bin" merge bad.h5 s1.h5 s2.h5 f3.h5
nothing_at bad.h5
refused nz "sweep.h5" "$bin" merge bad.h5 sweep.h5
nothing_at bad.h5
refused nz "nonexistent.h5" "$bin" merge bad.h5 s1.h5 s2.h5 nonexistent.h5
nothing_at bad.h5
cp sweep.h5 exists.h5
touch -d '2001-01-01' exists.h5
refused 2 "exists" "$bin" merge exists.h5 s1.h5 s2.h5 s3.h5
cmp -s sweep.h5 exists.h5 || fail "a refused merge changed the existing OUT"
[[ $(stat -c %Y exists.h5) == $(date -d 2001-01-01 +%s) ]] || fail "OUT touched"
must "$bin" merge exists.h5 s1.h5 s2.h5 s3.h5 --force
same sweep.h5 exists.h5
ok "merge refuses missing, repeated and foreign shards, a non-shard file and an existing OUT"

# ---------- 3. resume after kill -9 ----------
ck=.resumed.h5.netsurv-checkpoint
"$bin" run "$scen" --sweep "$sweep" -n "$n_resume" --threads 1 --quiet -o resumed.h5 \
  >bg.out 2>bg.err &
bg=$!
first=
for ((i = 0; i < 60000; i++)); do # up to 10 minutes (ASan)
  if ! kill -0 "$bg" 2>/dev/null; then
    fail "the sweep of $n_resume patients ended before it could be killed (raise" \
      "SWEEP_TEST_RESUME_PATIENTS): $(tail -n 3 bg.err)"
  fi
  if [[ -s $ck ]]; then
    first=${first:-$(size "$ck")} # the header: written before the first point
    (($(size "$ck") > first)) && break
  fi
  sleep 0.01
done
kill -9 "$bg"
wait "$bg" 2>/dev/null || true
bg=
(($(size "$ck") > first)) || fail "the checkpoint never grew past $first bytes"
[[ ! -e resumed.h5 ]] || fail "a killed sweep left its output"
cp "$ck" ck.copy
# another seed, or another override: refused, the checkpoint kept
refused nz "checkpoint" "$bin" run "$scen" --sweep "$sweep" -n "$n_resume" --quiet --resume \
  --seed 999 -o resumed.h5
grep -qF "$ck" err.txt || fail "the message does not name the checkpoint"
[[ ! -e resumed.h5 ]] || fail "a refused resume wrote the output"
refused nz "checkpoint" "$bin" run "$scen" --sweep "$sweep" -n "$n_resume" --quiet --resume \
  --set modalities.ct.cost=301 -o resumed.h5
refused nz "checkpoint" "$bin" run "$scen" --sweep "$sweep" -n $((n_resume + 1)) --quiet \
  --resume -o resumed.h5
cmp -s "$ck" ck.copy || fail "a refused resume changed the checkpoint"
nothing_at resumed.h5
# resumed: only the missing points are run
must "$bin" run "$scen" --sweep "$sweep" -n "$n_resume" --quiet --resume -o resumed.h5
done_k=$(sed -n 's/.*resuming: \([0-9]*\) of 9 points already done.*/\1/p' err.txt)
[[ -n $done_k ]] || fail "no 'resuming: K of 9 points already done'"
((done_k >= 1 && done_k < 9)) || fail "resumed with $done_k of 9 points done"
[[ ! -e $ck ]] || fail "the checkpoint is left after the resumed run"
compgen -G ".resumed.h5.netsurv-*.tmp" >/dev/null && fail "the killed run's temporary file is left"
must "$bin" run "$scen" --sweep "$sweep" -n "$n_resume" --quiet -o uninterrupted.h5
same uninterrupted.h5 resumed.h5
ok "killed after $done_k of 9 points, resumed, equal to an uninterrupted run"

# ---------- 4. what a sweep cannot be combined with ----------
for opt in --per-patient --owsa "--psa 3 --voi"; do
  # shellcheck disable=SC2086
  refused 2 "cannot be combined" run --sweep "$sweep" $opt -o combo.h5
  nothing_at combo.h5
done
ok "a sweep with --per-patient, --owsa or --voi exits 2"

# ---------- 5. the Slurm scripts, with Slurm faked ----------
slurm=$src/scripts/slurm
for s in netsurv-array.sbatch netsurv-merge.sbatch submit.sh; do
  bash -n "$slurm/$s" || fail "$s: syntax"
done
grep -q '^#SBATCH --array=1-' "$slurm/netsurv-array.sbatch" || fail "no #SBATCH --array"
# netsurv behind a wrapper that records its environment and arguments
cat >netsurv-logged <<EOF
#!/usr/bin/env bash
echo "HDF5_USE_FILE_LOCKING=\${HDF5_USE_FILE_LOCKING:-unset} \$*" >>"$dir/netsurv.log"
exec "$bin" "\$@"
EOF
chmod +x netsurv-logged
export NETSURV=$dir/netsurv-logged SCENARIO=$scen SWEEP=$sweep PATIENTS=$n
export SHARD_DIR=$dir/slurm/shards OUT=$dir/slurm/sweep.h5
unset SHARDS SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_MAX SLURM_CPUS_PER_TASK
for k in 1 2 3; do
  cpus=()
  ((k == 2)) && cpus=(SLURM_CPUS_PER_TASK=2)
  env SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=3 ${cpus[@]+"${cpus[@]}"} \
    bash "$slurm/netsurv-array.sbatch" >out.txt 2>err.txt || fail "array task $k"
done
[[ $(ls "$SHARD_DIR") == $'shard-1.h5\nshard-2.h5\nshard-3.h5' ]] || fail "shards: $(ls "$SHARD_DIR")"
bash "$slurm/netsurv-merge.sbatch" >out.txt 2>err.txt || fail "merge script"
same sweep.h5 "$OUT"
[[ $(grep -c "^HDF5_USE_FILE_LOCKING=FALSE run $scen --sweep $sweep -n $n --shard [123]/3 --resume -o $SHARD_DIR/shard-[123].h5 --threads [12]$" netsurv.log) == 3 ]] ||
  fail "the array script ran: $(cat netsurv.log)"
grep -q -- "--shard 2/3 .* --threads 2$" netsurv.log || fail "SLURM_CPUS_PER_TASK not used"
grep -q "^HDF5_USE_FILE_LOCKING=FALSE merge $OUT $SHARD_DIR/shard-1.h5 $SHARD_DIR/shard-2.h5 $SHARD_DIR/shard-3.h5$" netsurv.log ||
  fail "the merge script ran: $(tail -n 1 netsurv.log)"
# the merge refuses to replace OUT; a lost task is named
refused 2 "exists" bash "$slurm/netsurv-merge.sbatch"
rm "$OUT" "$SHARD_DIR/shard-2.h5"
refused 2 "missing: 2" bash "$slurm/netsurv-merge.sbatch"
nothing_at "$OUT"
# rerun of one task of 3 (SHARDS), then the merge completes
env SHARDS=3 SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=1 SLURM_ARRAY_TASK_MIN=2 \
  SLURM_ARRAY_TASK_MAX=2 bash "$slurm/netsurv-array.sbatch" >out.txt 2>err.txt ||
  fail "rerun of task 2"
bash "$slurm/netsurv-merge.sbatch" >out.txt 2>err.txt || fail "merge script after the rerun"
same sweep.h5 "$OUT"
# not an array task, or an array that is not 1-N: refused before any work
refused nz "SLURM_ARRAY_TASK_ID" bash "$slurm/netsurv-array.sbatch"
refused 2 "--array=1-N" env SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=4 \
  SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=3 bash "$slurm/netsurv-array.sbatch"
refused 2 "not a shard" env SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_COUNT=3 \
  bash "$slurm/netsurv-array.sbatch"
ok "the Slurm array script, task by task, and the merge script equal a single run"

# submit.sh with a fake sbatch: the array, then the merge after it
mkdir -p fakebin submit
cat >fakebin/sbatch <<EOF
#!/usr/bin/env bash
n=\$(wc -l 2>/dev/null <"$dir/sbatch.log" || echo 0)
echo "\$* SHARDS=\$SHARDS PATIENTS=\$PATIENTS OUT=\$OUT" >>"$dir/sbatch.log"
if ((n == 0)); then echo "4242;cluster1"; else echo 4243; fi
EOF
chmod +x fakebin/sbatch
(cd submit && PATH=$dir/fakebin:$PATH OUT=sub.h5 SHARD_DIR=sub-shards bash "$slurm/submit.sh" 4) \
  >out.txt 2>err.txt || fail "submit.sh"
[[ $(wc -l <sbatch.log) == 2 ]] || fail "submit.sh ran sbatch $(wc -l <sbatch.log) times"
line1=$(sed -n 1p sbatch.log) line2=$(sed -n 2p sbatch.log)
[[ $line1 == *--parsable* && $line1 == *--array=1-4* && $line1 == *"$slurm/netsurv-array.sbatch"* &&
  $line1 == *"SHARDS=4 PATIENTS=$n OUT=sub.h5"* ]] || fail "array submitted as: $line1"
[[ $line2 == *--dependency=afterok:4242\ * && $line2 == *"$slurm/netsurv-merge.sbatch"* ]] ||
  fail "merge submitted as: $line2"
if ! grep -q "4242" out.txt || ! grep -q "4243" out.txt; then fail "submit.sh did not print the job ids"; fi
ok "submit.sh: sbatch --array=1-4, then --dependency=afterok:<array job>"

echo "all sweep CLI tests passed in $((SECONDS - start)) s"
