#!/usr/bin/env bash
# Calibration and optimisation candidates split over shards that run
# together and exchange through files (`--shard K/N`, no MPI):
# - 3 calibration shards write the posterior of one process, and leave no
#   exchange files;
# - a shard killed part-way and started again with --resume (its partners
#   waiting) replays the exchanges recorded and the posterior is the same;
# - 2 optimisation shards, with PSA of the frontier, write the file and the
#   policy of one process; a killed `optimize --resume` (one process, the
#   files a checkpoint) equals an uninterrupted run;
# - a shard whose partner never comes fails after --shard-wait, naming it;
#   shards of different runs do not mix; --shard with --check is refused.
# usage: test_shard_candidates.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test shardcand "$1"
# kill_at FILE PID WHAT: kill -9 PID once FILE exists; fail if PID ends first
kill_at() {
  local i
  for ((i = 0; i < 60000; i++)); do # up to 10 minutes (sanitizers)
    [[ -e $1 ]] && break
    kill -0 "$2" 2>/dev/null || fail "$3 ended before it could be killed"
    sleep 0.01
  done
  kill -9 "$2"
  wait "$2" 2>/dev/null || true
}
same() { /usr/bin/python3 "$src/tests/fixtures/h5_same.py" "$1" "$2" >/dev/null || fail "$3"; }
sed 's/^  imis: .*/  imis: {initial: 300, per_iteration: 60, iterations: 6, target_ess: 1000000}/' \
  "$src/scenarios/calibration/series.yaml" >series.yaml
sc=$src/scenarios/default.yaml
cal=("$sc" --series series.yaml -n 1500 --threads 1 --quiet)
must "$bin" calibrate "${cal[@]}" -o one.h5

# three shards at the same time
for k in 1 2 3; do
  "$bin" calibrate "${cal[@]}" -o three.h5 --shard $k/3 >s$k.out 2>s$k.err &
  eval "p$k=$!"
done
for k in 1 2 3; do
  eval "wait \$p$k" || { cat s$k.err; fail "calibration shard $k of 3 failed"; }
done
same one.h5 three.h5 "3 calibration shards differ from one process"
grep -q "shard 2 of 3 done" s2.out || fail "shard 2 did not say it was done"
[[ ! -e .three.h5.netsurv-exchange ]] || fail "the exchange files were left"
echo "ok - 3 calibration shards = one process"

# shard 2 killed after a few exchanges, resumed while shard 1 waits
"$bin" calibrate "${cal[@]}" -o res.h5 --shard 1/2 >r1.out 2>r1.err &
p1=$!
"$bin" calibrate "${cal[@]}" -o res.h5 --shard 2/2 >r2.out 2>r2.err &
p2=$!
kill_at .res.h5.netsurv-exchange/x-000003.2-of-2 $p2 "shard 2"
[[ ! -e res.h5 ]] || fail "res.h5 written without shard 2"
must "$bin" calibrate "${cal[@]}" -o res.h5 --shard 2/2 --resume
grep -Eq "resumed: [1-9][0-9]* exchanges" err.txt || fail "the resumed shard replayed nothing"
wait $p1 || { cat r1.err; fail "shard 1 failed after shard 2 was resumed"; }
same one.h5 res.h5 "a resumed calibration shard changed the posterior"
echo "ok - a killed calibration shard resumed = one process"

# optimisation shards, with PSA of the frontier
opt=("$sc" -n 4000 --psa 3 --space "$src/tests/fixtures/opt_space.yaml" --quiet --threads 1)
must "$bin" optimize "${opt[@]}" -o o1.h5 --policy p1.yaml
"$bin" optimize "${opt[@]}" -o o2.h5 --policy p2.yaml --shard 2/2 >q2.out 2>q2.err &
p2=$!
must "$bin" optimize "${opt[@]}" -o o2.h5 --policy p2.yaml --shard 1/2
wait $p2 || { cat q2.err; fail "optimisation shard 2 failed"; }
same o1.h5 o2.h5 "2 optimisation shards differ from one process"
cmp -s p1.yaml p2.yaml || fail "the shards' policy differs"
echo "ok - 2 optimisation shards = one process (file and policy)"

# optimize --resume: killed once a few passes are recorded
"$bin" optimize "${opt[@]}" -o ok.h5 --resume >bg.out 2>bg.err &
bg=$!
kill_at .ok.h5.netsurv-exchange/x-000004.1-of-1 $bg optimize
[[ ! -e ok.h5 ]] || fail "a killed optimize left its output"
must "$bin" optimize "${opt[@]}" -o ok.h5 --resume
grep -Eq "resumed: [1-9][0-9]* passes" err.txt || fail "optimize --resume replayed nothing"
same o1.h5 ok.h5 "a resumed optimize differs from one process"
[[ ! -e .ok.h5.netsurv-exchange ]] || fail "the checkpoint of passes was left"
echo "ok - a killed optimize --resume = uninterrupted"

# a partner that never comes; a partner of another run; --check
refused 1 "shard 2 of 2 did not give exchange 0 within 1 s" \
  "$bin" calibrate "${cal[@]}" -o lone.h5 --shard 1/2 --shard-wait 1
[[ ! -e lone.h5 ]] || fail "a failed shard wrote lone.h5"
"$bin" calibrate "${cal[@]}" --seed 5 -o mix.h5 --shard 2/2 --shard-wait 3 >/dev/null 2>&1 &
p2=$!
refused 1 "is not of this run" "$bin" calibrate "${cal[@]}" -o mix.h5 --shard 1/2 --shard-wait 3
wait $p2 2>/dev/null && fail "a shard of another run finished"
refused 2 "not --check" "$bin" calibrate "${cal[@]}" --check --shard 1/2
refused 2 "need -o FILE" "$bin" optimize "${opt[@]}" --shard 1/2
echo "ok - a missing or foreign partner fails, naming it; --check and no -o refused"
