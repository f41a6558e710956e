# Shared by the shell tests: fail MESSAGE prints it with the tails of
# out.txt and err.txt (in the current directory, where a test keeps a
# command's output) and exits 1.
fail() {
  echo "FAIL: $*" >&2
  for f in out.txt err.txt; do
    if [[ -s $f ]]; then
      echo "--- $f:" >&2
      tail -n 20 "$f" >&2
    fi
  done
  exit 1
}

# must CMD...: CMD succeeds (its output in out.txt and err.txt), else fail.
must() { "$@" >out.txt 2>err.txt || fail "exit $? from: $*"; }

# refused CODE WHAT CMD...: CMD exits CODE with WHAT (a fixed string) in stderr.
refused() {
  local code=$1 what=$2 rc=0
  shift 2
  "$@" >out.txt 2>err.txt || rc=$?
  ((rc == code)) || fail "exit $rc, expected $code, from: $*"
  grep -qF -- "$what" err.txt || fail "no '$what' in the messages of: $*"
}

# The repository root (this file is tests/lib.sh).
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# setup_test NAME BINARY: bin = BINARY as an absolute path; dir = a fresh
# /tmp/netsurv-NAME-XXXXXX, removed on exit; the test runs in it.
setup_test() {
  bin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
  dir=$(mktemp -d "/tmp/netsurv-$1-XXXXXX")
  trap 'rm -rf "$dir"' EXIT
  cd "$dir"
}

# kill_when_grown OUT CMD...: runs CMD in the background (its output in
# bg.out and bg.err; its pid in bg while it runs) and kills it with -9 once
# the checkpoint beside OUT holds a record past its header; fails if the run
# ended first, or left OUT
kill_when_grown() {
  local out=$1 ck=.$1.netsurv-checkpoint first= i
  shift
  "$@" >bg.out 2>bg.err &
  bg=$!
  for ((i = 0; i < 60000; i++)); do # up to 10 minutes (sanitizers)
    kill -0 "$bg" 2>/dev/null || fail "$* ended before it could be killed: $(tail -n 3 bg.err)"
    if [[ -s $ck ]]; then
      first=${first:-$(stat -c %s "$ck")}
      (($(stat -c %s "$ck") > first)) && break
    fi
    sleep 0.01
  done
  kill -9 "$bg"
  wait "$bg" 2>/dev/null || true
  bg=
  (($(stat -c %s "$ck") > first)) || fail "the checkpoint $ck never grew"
  [[ ! -e $out ]] || fail "a killed run left its output $out"
}
