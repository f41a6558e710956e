#!/usr/bin/env bash
# scripts/slurm/submit.sh end to end, with sbatch replaced by a local runner
# (a fake sbatch on PATH that runs each job script at once, array tasks one
# after another with Slurm's array variables set, and honours
# --dependency=afterok: a job whose dependency failed never runs):
#   1. NETSURV unset and no netsurv on PATH: refused (exit 2), nothing
#      submitted; a scenario that does not validate: the same;
#   2. a split run (no sweep) over 3 array tasks: array, merge and report are
#      submitted as one chain (merge after the array, report after the
#      merge), the merged file equals a one-process run (h5_same.py), and the
#      report is written;
#   3. a failing array task: the merge and the report never run;
#   4. a sweep: no report job, said.
# usage: test_slurm.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test slurm "$1"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
submit=$src/scripts/slurm/submit.sh
n=200000 # 4 work units of 65,536 patients over 3 shards

mkdir fakebin
cat >fakebin/sbatch <<'FAKE'
#!/usr/bin/env bash
# A local sbatch: runs the job script now. State in $FAKE_SLURM: next (the
# last job id), log (one line per submission), status.ID (0: succeeded),
# job-ID[_TASK].out (the job's output).
set -uo pipefail
state=${FAKE_SLURM:?}
parsable=0 array= dep= script=
while (($#)); do
  case $1 in
    --parsable) parsable=1 ;;
    --array=*) array=${1#--array=} ;;
    --dependency=*) dep=${1#--dependency=} ;;
    --*) ;; # --export=ALL and the rest: the environment is passed as is
    *) script=$1; shift; break ;;
  esac
  shift
done
[[ -f $script ]] || { echo "sbatch: error: no script '$script'" >&2; exit 1; }
id=$(($(cat "$state/next" 2>/dev/null || echo 100) + 1))
echo "$id" >"$state/next"
echo "$id ${array:+array=$array }${dep:+dependency=$dep }$(basename "$script")" >>"$state/log"
ok=1
if [[ -n $dep ]]; then
  [[ $dep == afterok:* ]] || { echo "sbatch: unsupported dependency '$dep'" >&2; exit 1; }
  IFS=: read -ra ids <<<"${dep#afterok:}"
  for d in "${ids[@]}"; do
    [[ $(cat "$state/status.$d" 2>/dev/null) == 0 ]] || ok=0
  done
fi
status=0
if ((ok == 0)); then
  status=never # DependencyNeverSatisfied: it never runs
elif [[ -n $array ]]; then
  [[ $array =~ ^([0-9]+)-([0-9]+)$ ]] || { echo "sbatch: array '$array'" >&2; exit 1; }
  lo=${BASH_REMATCH[1]} hi=${BASH_REMATCH[2]}
  for ((k = lo; k <= hi; k++)); do
    SLURM_JOB_ID=$id SLURM_ARRAY_JOB_ID=$id SLURM_ARRAY_TASK_ID=$k \
      SLURM_ARRAY_TASK_COUNT=$((hi - lo + 1)) SLURM_ARRAY_TASK_MIN=$lo SLURM_ARRAY_TASK_MAX=$hi \
      bash "$script" "$@" >"$state/job-${id}_$k.out" 2>&1 || status=1
  done
else
  SLURM_JOB_ID=$id bash "$script" "$@" >"$state/job-$id.out" 2>&1 || status=1
fi
echo "$status" >"$state/status.$id"
if ((parsable)); then echo "$id"; else echo "Submitted batch job $id"; fi
FAKE
printf '#!/usr/bin/env bash\necho "$*" >>"$FAKE_SLURM/scancel"\n' >fakebin/scancel
chmod +x fakebin/sbatch fakebin/scancel
export FAKE_SLURM=$dir/slurm
mkdir "$FAKE_SLURM"
basepath=$dir/fakebin:/usr/bin:/bin
if PATH=$basepath command -v netsurv >/dev/null; then
  echo "skip - netsurv is installed in /usr/bin or /bin: 'no netsurv on PATH' cannot be tried"
else
  rc=0
  env -u NETSURV PATH=$basepath SWEEP= bash "$submit" 2 >out.txt 2>err.txt || rc=$?
  ((rc == 2)) || fail "NETSURV unset, no netsurv on PATH: exit $rc, expected 2"
  grep -q "NETSURV is not set and there is no netsurv on PATH.*nothing submitted" err.txt ||
    fail "NETSURV unset: no clear message"
  [[ ! -e $FAKE_SLURM/log ]] || fail "NETSURV unset: submitted $(cat "$FAKE_SLURM/log")"
fi
sed 's/^seed: .*/seed: -1/' "$src/scenarios/default.yaml" >bad.yaml
rc=0
PATH=$basepath NETSURV=$bin SCENARIO=bad.yaml SWEEP= bash "$submit" 2 >out.txt 2>err.txt || rc=$?
((rc == 2)) || fail "a bad scenario: exit $rc, expected 2"
grep -q "^bad.yaml:[0-9]*:[0-9]*: seed: " err.txt || fail "a bad scenario: the problem is not shown"
grep -q "bad.yaml does not validate.*nothing submitted" err.txt || fail "a bad scenario: no refusal"
[[ ! -e $FAKE_SLURM/log ]] || fail "a bad scenario: submitted $(cat "$FAKE_SLURM/log")"
echo "ok - refused with nothing submitted: no netsurv found; a scenario that does not validate"

export PATH=$basepath NETSURV=$bin SCENARIO=$src/scenarios/default.yaml SWEEP= PATIENTS=$n
SHARD_DIR=$dir/shards OUT=$dir/split.h5 REPORT_DIR=$dir/report bash "$submit" 3 >out.txt 2>err.txt ||
  fail "submit.sh 3 exited $?"
[[ $(cat "$FAKE_SLURM/log") == "101 array=1-3 netsurv-array.sbatch
102 dependency=afterok:101 netsurv-merge.sbatch
103 dependency=afterok:102 netsurv-report.sbatch" ]] || fail "the chain: $(cat "$FAKE_SLURM/log")"
for j in 101 102 103; do
  [[ $(cat "$FAKE_SLURM/status.$j") == 0 ]] ||
    fail "job $j failed: $(cat "$FAKE_SLURM"/job-"$j"*.out | tail -5)"
done
grep -q "then report job 103" out.txt || fail "submit.sh does not name the report job"
"$bin" run "$SCENARIO" -n $n --quiet -o one.h5 >/dev/null || fail "the one-process run"
/usr/bin/python3 "$src/tests/fixtures/h5_same.py" split.h5 one.h5 >cmp.txt 2>&1 ||
  fail "the merged file differs from a one-process run: $(tail -3 cmp.txt)"
[[ -s report/report.html ]] || fail "no report/report.html: $(tail -5 "$FAKE_SLURM/job-103.out")"
echo "ok - array, merge and report as one chain; the merged file equals a one-process run ($(cat cmp.txt))"

# a shard that fails: the merge and the report never run
rm -rf "$FAKE_SLURM"/* shards
cat >failing-netsurv <<EOF2
#!/usr/bin/env bash
[[ " \$* " == *" --shard 2/3 "* ]] && { echo "killed" >&2; exit 1; }
exec "$bin" "\$@"
EOF2
chmod +x failing-netsurv
NETSURV=$dir/failing-netsurv SHARD_DIR=$dir/shards OUT=$dir/fail.h5 REPORT_DIR=$dir/freport \
  bash "$submit" 3 >out.txt 2>err.txt || fail "submit.sh (failing shard) exited $?"
[[ $(cat "$FAKE_SLURM/status.101") == 1 && $(cat "$FAKE_SLURM/status.102") == never &&
  $(cat "$FAKE_SLURM/status.103") == never ]] || fail "after a failed shard the chain went on"
[[ ! -e fail.h5 && ! -e freport ]] || fail "a merge or report after a failed shard"
echo "ok - a failed array task stops the merge and the report"

rm -rf "$FAKE_SLURM"/* shards
SWEEP=$src/scenarios/sweeps/mri_interval.yaml PATIENTS=20000 SHARD_DIR=$dir/shards OUT=$dir/sweep.h5 \
  bash "$submit" 2 >out.txt 2>err.txt || fail "submit.sh of a sweep exited $?"
grep -q "a sweep: no report job" out.txt || fail "a sweep: the missing report is not said"
[[ $(wc -l <"$FAKE_SLURM/log") == 2 && -s sweep.h5 ]] || fail "a sweep: $(cat "$FAKE_SLURM/log")"
echo "ok - a sweep: array and merge, no report job (said)"

# a PSA with OWSA and EVPPI over 3 tasks: each its share of the draws and
# parameters; the merged file equals a one-process run
rm -rf "$FAKE_SLURM"/* shards
PSA=7 OWSA=1 VOI=1 PATIENTS=20000 SHARD_DIR=$dir/shards OUT=$dir/psa.h5 REPORT=0 \
  bash "$submit" 3 >out.txt 2>err.txt || fail "submit.sh with PSA exited $?"
grep -q "PSA draws 2-4 of 7" "$FAKE_SLURM"/job-101*2.out ||
  fail "task 2 did not run its PSA draws: $(tail -3 "$FAKE_SLURM"/job-101*2.out)"
"$bin" run "$SCENARIO" -n 20000 --psa 7 --owsa --voi --quiet -o psa_one.h5 >/dev/null ||
  fail "the one-process PSA run"
/usr/bin/python3 "$src/tests/fixtures/h5_same.py" psa.h5 psa_one.h5 >cmp.txt 2>&1 ||
  fail "the merged PSA differs from a one-process run: $(tail -3 cmp.txt)"
rc=0
SWEEP=$src/scenarios/sweeps/mri_interval.yaml PSA=5 OWSA=1 OUT=$dir/no.h5 bash "$submit" 2 >out.txt 2>err.txt ||
  rc=$?
((rc == 2)) && grep -q "not on a sweep" err.txt || fail "a sweep with OWSA was not refused (exit $rc)"
echo "ok - PSA, OWSA and EVPPI over array tasks equal a one-process run ($(cat cmp.txt)); a sweep with OWSA refused"
echo "test_slurm: all passed"
