#!/usr/bin/env bash
# The help of the command line (sim/cli/help.c):
#   1. every command of sim/cli/commands.h answers --help and -h with exit 0,
#      its usage line and an example;
#   2. every option string a parser compares against (sim/cli/options.c for
#      bench, cohort, run and validate; cmd_merge.c; cmd_icer.c) is named in
#      the help of a command that parses it, so no accepted option goes
#      undocumented;
#   3. every option a command's help names is accepted by that command (not
#      refused as unknown or as another command's), and an option of another
#      command is refused with exit 2;
#   4. `netsurv` alone prints the usage (exit 0); `--man` writes a manual
#      page naming every option; the built netsurv.1 is that page;
#   5. `netsurv --version` names the git revision of the source tree's HEAD
#      (the build configures again when HEAD moves).
# usage: test_cli_help.sh NETSURV_BINARY [BUILD_DIR]
set -euo pipefail
bin=$1
build=${2:-$(dirname "$bin")}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mktemp -d /tmp/netsurv-help-XXXXXX)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

cmds=$(grep -o '^ *X([a-z]*,' "$src/sim/cli/commands.h" | tr -d ' X(,')
[ -n "$cmds" ] || fail "no commands read from commands.h"
for c in $cmds; do
  for h in --help -h; do
    "$bin" "$c" $h > "$dir/$c.help" 2> "$dir/err" || fail "netsurv $c $h exits $?"
    grep -q "^usage: netsurv $c" "$dir/$c.help" || fail "netsurv $c $h: no usage line"
    grep -q "^example:" "$dir/$c.help" || fail "netsurv $c $h: no example"
  done
done
echo "ok - every command answers --help and -h"

# the option strings each parser compares against
opts_of() { grep -o "strcmp([^,()]*, \"-[-a-z][-a-z]*\")" "$1" | grep -o '"-[-a-z]*"' | tr -d '"' | sort -u; }
check_named() { # FILE COMMANDS...: each option of FILE's parser named in one of their helps
  local file=$1; shift
  local n=0
  for o in $(opts_of "$src/sim/cli/$file"); do
    local found=0
    for c in "$@"; do
      grep -q -- "\(^\|[ ,]\)$o\([ ,]\|$\)" "$dir/$c.help" && found=1
    done
    [ $found = 1 ] || fail "$o (parsed in $file) is in no help of: $*"
    n=$((n + 1))
  done
  [ $n -gt 0 ] || fail "no options read from $file"
}
check_named options.c bench calibrate cohort run validate optimize
check_named cmd_merge.c merge
check_named cmd_icer.c icer
check_named cmd_reference.c reference
echo "ok - every option a parser accepts is named in a help"

# what a help names, its command accepts
for c in $cmds; do
  for o in $(grep -o '^  -[-a-z]*\(, -[-a-z]*\)\?' "$dir/$c.help" | tr -d ',' ); do
    [ "$o" = --help ] || [ "$o" = -h ] && continue
    # two unknown options after it: refused before anything runs, whether $o
    # takes a value (it eats the first) or not; only $o's own refusal counts
    "$bin" "$c" "$o" --zz-a --zz-b > /dev/null 2> "$dir/err" < /dev/null || true
    if grep -q -- "unknown option '$o'\|'$o' is not an option" "$dir/err"; then
      fail "netsurv $c refuses $o, which its help names: $(cat "$dir/err")"
    fi
  done
done
set +e
"$bin" cohort --psa 3 > /dev/null 2> "$dir/err"; rc=$?
set -e
[ $rc = 2 ] && grep -q "'--psa' is not an option of cohort" "$dir/err" ||
  fail "cohort --psa: exit $rc, $(cat "$dir/err")"
echo "ok - a command takes the options its help names and refuses others"

"$bin" > "$dir/usage" || fail "netsurv alone exits $?"
grep -q "^usage:" "$dir/usage" || fail "netsurv alone prints no usage"
"$bin" --man > "$dir/man" || fail "--man exits $?"
grep -q '^\.TH NETSURV 1' "$dir/man" || fail "--man: no .TH header"
for o in $(sed -n 's/^    {"\(-[-a-z]*\)".*/\1/p' "$src/sim/cli/help.c"); do
  grep -q -- "^\.B ${o//-/\\\\-}" "$dir/man" || fail "the manual page has no entry for $o"
done
if [ -f "$build/netsurv.1" ]; then
  cmp -s "$dir/man" "$build/netsurv.1" || fail "$build/netsurv.1 is not netsurv --man"
fi
echo "ok - usage, and a manual page of every option"

version=$("$bin" --version) || fail "--version exits $?"
[[ $version =~ ^netsurv\ [0-9]+\.[0-9]+\.[0-9]+\ \(git\ ([0-9a-f]{12}|unknown)\)$ ]] ||
  fail "--version prints '$version'"
if head=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null); then
  [[ $version == "netsurv "*" (git $head)" ]] ||
    fail "--version prints '$version', but HEAD is $head (rebuild: cmake --build)"
  echo "ok - --version names HEAD ($head)"
else
  echo "ok - --version: $version (no git checkout to compare with)"
fi
echo "test_cli_help: all passed"
