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
