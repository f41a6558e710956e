#!/usr/bin/env bash
# Submits a netsurv run or sweep to Slurm as one dependency chain:
#   1. an array of N shard jobs (netsurv-array.sbatch),
#   2. the merge (netsurv-merge.sbatch), --dependency=afterok on the array,
#   3. the report (netsurv-report.sbatch), --dependency=afterok on the merge
#      (runs without a sweep only: the report reads single runs).
# It submits nothing it could not check first: netsurv must be found (NETSURV,
# else netsurv on PATH) and the scenario (and sweep) must validate, the
# analysis package must import when there is a report, OUT must not exist and
# SHARD_DIR must hold no shards.
#
# usage: scripts/slurm/submit.sh [N]      (N shards, default $SHARDS or 16)
# Settings are environment variables, passed on to the jobs:
#   NETSURV SCENARIO SWEEP PATIENTS PSA OWSA VOI SHARD_DIR OUT (see the .sbatch files)
#   REPORT_DIR ANALYSIS PYTHON (see netsurv-report.sbatch); REPORT=0: no report
# e.g. 100 million patients of the default scenario over 50 array tasks:
#   NETSURV=$PWD/build/netsurv SWEEP= PATIENTS=100000000 OUT=default-1e8.h5 \
#     scripts/slurm/submit.sh 50
# or a sweep:
#   NETSURV=$PWD/build/netsurv SWEEP=scenarios/sweeps/mri_interval.yaml \
#     PATIENTS=10000000 OUT=mri.h5 scripts/slurm/submit.sh 32
# or a PSA of 1,000 draws of 100,000 patients with EVPPI, each task 20 draws:
#   NETSURV=$PWD/build/netsurv SWEEP= PATIENTS=100000 PSA=1000 VOI=1 OUT=psa.h5 \
#     scripts/slurm/submit.sh 50
# Extra sbatch options for every job (account, partition, QOS) can be given
# as SBATCH_ACCOUNT, SBATCH_PARTITION, SBATCH_QOS: sbatch reads them itself.
#
# More shards than work units (sweep points x ceil(PATIENTS / 65536)) leaves
# some shards empty: harmless, but wasted jobs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
me=$(basename "$0")
refuse() {
  echo "$me: $*; nothing submitted" >&2
  exit 2
}

N=${1:-${SHARDS:-16}}
if ! [[ $N =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [N_SHARDS]" >&2
  exit 2
fi
export SHARDS=$N
export SCENARIO=${SCENARIO:-scenarios/default.yaml}
export SWEEP=${SWEEP-scenarios/sweeps/mri_interval.yaml} PATIENTS=${PATIENTS:-1000000}
export SHARD_DIR=${SHARD_DIR:-shards} OUT=${OUT:-sweep.h5}
export REPORT_DIR=${REPORT_DIR:-${OUT%.h5}-report} PYTHON=${PYTHON:-/usr/bin/python3}

# The binary every job runs, as an absolute path: found here, not in N jobs.
if [[ -z ${NETSURV:-} ]]; then
  NETSURV=$(command -v netsurv) ||
    refuse "NETSURV is not set and there is no netsurv on PATH: set NETSURV=/path/to/netsurv"
fi
exe=$(command -v "$NETSURV") || refuse "NETSURV=$NETSURV is not an executable program"
NETSURV=$(realpath "$exe")
export NETSURV

# Check the inputs here, in seconds, rather than in N queued jobs.
sweep_args=()
if [[ -n $SWEEP ]]; then
  sweep_args=(--sweep "$SWEEP")
fi
"$NETSURV" validate "$SCENARIO" ${sweep_args[@]+"${sweep_args[@]}"} >/dev/null ||
  refuse "$SCENARIO${SWEEP:+ with $SWEEP} does not validate (the problems are above)"
if [[ -n ${PSA:-} ]] && ! [[ $PSA =~ ^[1-9][0-9]*$ ]]; then
  refuse "PSA=$PSA: the number of PSA draws must be a positive integer"
fi
if [[ -n $SWEEP && ( ${OWSA:-0} == 1 || ${VOI:-0} == 1 ) ]]; then
  refuse "OWSA and VOI run on single points, not on a sweep (a PSA runs at every point): set SWEEP= (empty)"
fi
[[ ! -e $OUT ]] || refuse "$OUT exists: the merge would refuse to replace it"
if compgen -G "$SHARD_DIR/shard-*.h5" >/dev/null; then
  refuse "$SHARD_DIR already holds shards (of an earlier run?): remove them first"
fi

report=${REPORT:-1}
if [[ -n $SWEEP && $report == 1 ]]; then
  echo "$me: a sweep: no report job (the report reads single runs; read /sweep with h5py or R)"
  report=0
fi
if [[ $report == 1 ]]; then
  if [[ -z ${ANALYSIS:-} ]]; then # beside an installed netsurv, else this source tree's
    ANALYSIS=$(dirname "$NETSURV")/../share/netsurv/analysis
    [[ -d $ANALYSIS/netsurv_analysis ]] || ANALYSIS=$here/../../analysis
  fi
  ANALYSIS=$(realpath "$ANALYSIS")
  export ANALYSIS
  PYTHONPATH=$ANALYSIS${PYTHONPATH:+:$PYTHONPATH} "$PYTHON" -c 'import netsurv_analysis.cli' ||
    refuse "the report could not run: $PYTHON cannot import netsurv_analysis from $ANALYSIS" \
      "(set ANALYSIS and PYTHON, or REPORT=0)"
fi
command -v sbatch >/dev/null || refuse "no sbatch on PATH"

# --parsable prints "jobid" or "jobid;cluster"; the dependency needs the id.
# --export=ALL: the settings above reach the jobs even where the site
# default is --export=NONE.
submit() { # the job id of sbatch "$@", or exit 1 after cancelling the jobs so far
  local id
  id=$(sbatch --parsable --export=ALL "$@") || id=
  id=${id%%;*}
  if ! [[ $id =~ ^[0-9]+$ ]]; then
    echo "$me: sbatch $* returned '${id}', not a job id" >&2
    if ((${#jobs[@]})); then
      scancel "${jobs[@]}" || true
      echo "$me: cancelled ${jobs[*]}" >&2
    fi
    exit 1
  fi
  jobs+=("$id")
}
jobs=()
submit --array=1-"$N" "$here/netsurv-array.sbatch"
array=${jobs[0]}
submit --dependency=afterok:"$array" "$here/netsurv-merge.sbatch"
merge=${jobs[1]}
echo "submitted shard array $array (tasks 1-$N), then merge job $merge (after the array succeeds)"
if [[ $report == 1 ]]; then
  submit --dependency=afterok:"$merge" "$here/netsurv-report.sbatch"
  echo "then report job ${jobs[2]} (after the merge succeeds) -> $REPORT_DIR/report.html"
fi
echo "result: $OUT; shards in $SHARD_DIR; cancel with: scancel ${jobs[*]}"
