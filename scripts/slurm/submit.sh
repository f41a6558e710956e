#!/usr/bin/env bash
# Submits a netsurv sweep to Slurm: an array of N shard jobs
# (netsurv-array.sbatch), then the merge (netsurv-merge.sbatch), which
# starts only when every shard has succeeded (--dependency=afterok).
#
# usage: scripts/slurm/submit.sh [N]      (N shards, default $SHARDS or 16)
# Settings are environment variables, passed on to both jobs:
#   NETSURV SCENARIO SWEEP PATIENTS SHARD_DIR OUT (see the .sbatch files)
# e.g.
#   NETSURV=$PWD/build/netsurv SWEEP=scenarios/sweeps/mri_interval.yaml \
#     PATIENTS=10000000 OUT=mri.h5 scripts/slurm/submit.sh 32
# Extra sbatch options for both jobs (account, partition, QOS) can be given
# as SBATCH_ACCOUNT, SBATCH_PARTITION, SBATCH_QOS: sbatch reads them itself.
#
# More shards than work units (sweep points x ceil(PATIENTS / 65536)) leaves
# some shards empty: harmless, but wasted jobs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

N=${1:-${SHARDS:-16}}
if ! [[ $N =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [N_SHARDS]" >&2
  exit 2
fi
export SHARDS=$N
export NETSURV=${NETSURV:-netsurv} SCENARIO=${SCENARIO:-scenarios/default.yaml}
export SWEEP=${SWEEP-scenarios/sweeps/mri_interval.yaml} PATIENTS=${PATIENTS:-1000000}
export SHARD_DIR=${SHARD_DIR:-shards} OUT=${OUT:-sweep.h5}

# Check the inputs here, in seconds, rather than in N queued jobs.
if command -v "$NETSURV" >/dev/null; then
  sweep_args=()
  if [[ -n $SWEEP ]]; then
    sweep_args=(--sweep "$SWEEP")
  fi
  "$NETSURV" validate "$SCENARIO" ${sweep_args[@]+"${sweep_args[@]}"} >/dev/null
fi
if [[ -e $OUT ]]; then
  echo "$0: $OUT exists: the merge would refuse to replace it" >&2
  exit 2
fi
if compgen -G "$SHARD_DIR/shard-*.h5" >/dev/null; then
  echo "$0: $SHARD_DIR already holds shards (of an earlier run?): remove them first" >&2
  exit 2
fi

# --parsable prints "jobid" or "jobid;cluster"; the dependency needs the id.
# --export=ALL: the settings above reach the jobs even where the site
# default is --export=NONE.
array=$(sbatch --parsable --export=ALL --array=1-"$N" "$here/netsurv-array.sbatch")
array=${array%%;*}
if ! [[ $array =~ ^[0-9]+$ ]]; then
  echo "$0: sbatch returned '$array', not a job id" >&2
  exit 1
fi
merge=$(sbatch --parsable --export=ALL --dependency=afterok:"$array" "$here/netsurv-merge.sbatch")
merge=${merge%%;*}
echo "submitted shard array $array (tasks 1-$N) and merge job $merge (after the array succeeds)"
echo "result: $OUT; shards in $SHARD_DIR; cancel with: scancel $array $merge"
