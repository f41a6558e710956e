#!/usr/bin/env bash
# Fault injection (issue 14): every kind of output runs into a full file
# system - run, --per-patient, --psa, a sweep, --shard and merge - and must
# end with exit 1, a message naming the reason ("No space left on device"),
# no crash (HDF5's exit handler crashed after a failed H5Fclose) and nothing
# at or beside the output path. A small tmpfs when this runs as root and can
# mount one; otherwise (or with FULL_DISK_SHIM=1) writes fail through an
# LD_PRELOAD shim (SHIM).
# usage: test_full_disk.sh NETSURV_BINARY SHIM.so
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shim=$2
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scen=$src/scenarios/default.yaml
sweep=$src/scenarios/sweeps/mri_interval.yaml
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
dir=$(mktemp -d /tmp/netsurv-full-disk-XXXXXX)
mnt=$dir/full
mkdir -p "$mnt"
mounted=0
cleanup() {
  [ $mounted = 1 ] && umount "$mnt" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
if [ -z "${FULL_DISK_SHIM:-}" ] && [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m tmpfs "$mnt" 2>/dev/null; then
  mounted=1
  mode="a 1 MiB tmpfs"
else
  mode="an injected ENOSPC (LD_PRELOAD $shim)"
fi
fails=0
# full SIZE_LEFT_KIB: a full file system with about that much room left
full() {
  rm -rf "${mnt:?}"/*
  if [ $mounted = 1 ]; then
    local free_kib
    free_kib=$(df -k --output=avail "$mnt" | tail -1)
    [ "$free_kib" -gt "$1" ] && dd if=/dev/zero of="$mnt/filler" bs=1k count=$((free_kib - $1)) 2>/dev/null || true
  fi
}
# expect NAME OUT CMD...: CMD, writing OUT on the full file system, exits 1
# with the reason, no crash, and leaves nothing at or beside OUT
expect() {
  local name=$1 out=$2
  shift 2
  local rc=0
  if [ $mounted = 1 ]; then
    "$@" >"$dir/out.txt" 2>"$dir/err.txt" || rc=$?
  else
    env LD_PRELOAD="$shim" NETSURV_FAULT_DIR="$mnt" NETSURV_FAULT_BYTES="${BUDGET:-40000}" \
      ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@" >"$dir/out.txt" 2>"$dir/err.txt" || rc=$?
  fi
  local why=""
  [ $rc = 1 ] || why="exit $rc (want 1)"
  grep -q "No space left on device" "$dir/err.txt" || why="$why; no 'No space left on device'"
  grep -q -E "AddressSanitizer|runtime error:|Segmentation" "$dir/err.txt" && why="$why; a crash report"
  [ -e "$out" ] && why="$why; $out was left"
  local left
  left=$(ls -A "$(dirname "$out")" | grep -F ".$(basename "$out").netsurv" | grep -v checkpoint || true)
  [ -n "$left" ] && why="$why; left beside it: $left"
  if [ -n "$why" ]; then
    echo "not ok - $name: ${why#; }"
    sed 's/^/    /' "$dir/err.txt" | tail -5
    fails=$((fails + 1))
  else
    echo "ok - $name: $(grep -m1 "No space" "$dir/err.txt")"
  fi
}
echo "full disk by $mode"
"$bin" run "$scen" -n 70000 -q --shard 1/2 -o "$dir/s1.h5" >/dev/null
"$bin" run "$scen" -n 70000 -q --shard 2/2 -o "$dir/s2.h5" >/dev/null
full 40
expect "run" "$mnt/run.h5" "$bin" run "$scen" -n 20000 -q -o "$mnt/run.h5"
full 400
expect "run --per-patient" "$mnt/pp.h5" "$bin" run "$scen" -n 300000 -q --per-patient -o "$mnt/pp.h5"
full 40
expect "run --psa" "$mnt/psa.h5" "$bin" run "$scen" -n 2000 -q --psa 50 -o "$mnt/psa.h5"
full 60
expect "run --sweep" "$mnt/sweep.h5" "$bin" run "$scen" -n 2000 -q --sweep "$sweep" -o "$mnt/sweep.h5"
full 10
expect "run --shard" "$mnt/shard.h5" "$bin" run "$scen" -n 70000 -q --shard 1/2 -o "$mnt/shard.h5"
full 40
expect "merge" "$mnt/merged.h5" "$bin" merge "$mnt/merged.h5" "$dir/s1.h5" "$dir/s2.h5"
full 0
expect "run on a file system with no room at all" "$mnt/zero.h5" "$bin" run "$scen" -n 1000 -q -o "$mnt/zero.h5"
[ $fails = 0 ] || { echo "$fails full-disk case(s) failed"; exit 1; }
echo "all full-disk cases passed ($mode)"
