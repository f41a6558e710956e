#!/usr/bin/env bash
# `netsurv icer TABLE.csv`, end to end:
#   1. on each case of tests/fixtures/crosscheck/c*.csv, --csv gives the
#      dampack layout (Strategy,Cost,Effect,Inc_Cost,Inc_Effect,ICER,Status),
#      rows in dampack's order (ND, then ED, then D and duplicate; each by cost
#      ascending, effect descending), dampack's status and ICER for every
#      strategy (ICER to the decimals the fixture prints) except the two
#      conventions that tests/test_crosscheck.c explains, and Inc_Cost /
#      Inc_Effect that are the differences to the ND row above;
#   2. the printed table has the same cells in the same order; its own CSV
#      read back (other columns ignored, any case) gives the same CSV; a
#      table from standard input, quoted names, CRLF and a byte-order mark;
#   3. -o FILE writes the CSV whole, refuses an existing FILE without
#      --force (exit 2, FILE untouched) and leaves no temporary file;
#   4. bad input exits 2 with FILE:LINE:COLUMN and the column named: a
#      missing or repeated column, a value that is not a number, NaN, an
#      infinity, an overflow, an empty value or name, a repeated name, a row
#      with the wrong number of fields, an unterminated quote, an empty file,
#      a header and no rows, more than 64 strategies, a missing file, no
#      table, an unknown option; and every problem of a file is reported.
# usage: test_icer_cli.sh NETSURV_BINARY
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fix=$src/tests/fixtures/crosscheck
dir=$(mktemp -d /tmp/netsurv-icer-cli-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

# shellcheck source=tests/lib.sh
source "$src/tests/lib.sh"
ok() { echo "ok - $*"; }
# bad NAME WHAT: the table in file NAME is refused (exit 2) saying WHAT
bad() { refused 2 "$2" "$bin" icer "$1"; }

# The known conventions (tests/test_crosscheck.c says why): FILE STRATEGY
# NETSURV DAMPACK.
conventions="c5_duplicates.csv B_copy duplicate D
c5_duplicates.csv A_copy duplicate D
c6_collinear_fp.csv Q ND ED"

# ---- 1. the crosscheck cases ----
n_cases=0
for f in "$fix"/c*.csv; do
  name=$(basename "$f")
  must "$bin" icer "$f" --csv
  cp out.txt "$name.out"
  awk -F, -v file="$name" -v conv="$conventions" '
    function half_ulp(s,   d) { d = index(s, "."); return d ? 0.5 * 10 ^ -(length(s) - d) : 0.5 }
    function abs(x) { return x < 0 ? -x : x }
    function bad(msg) { print file ": " msg > "/dev/stderr"; failed = 1 }
    BEGIN {
      n = split(conv, lines, "\n")
      for (i = 1; i <= n; i++) {
        split(lines[i], w, " ")
        if (w[1] == file) { cn[w[2]] = w[3]; cd[w[2]] = w[4] }
      }
      rank["ND"] = 0; rank["ED"] = 1; rank["D"] = 2; rank["duplicate"] = 2
    }
    { sub(/\r$/, "") }               # the fixtures end their lines with CRLF
    NR == FNR {                      # the fixture
      if (FNR > 1) { want[$1] = $4; icer[$1] = $5; cost[$1] = $2; eff[$1] = $3; nf++ }
      next
    }
    FNR == 1 {
      if ($0 != "Strategy,Cost,Effect,Inc_Cost,Inc_Effect,ICER,Status") bad("header " $0)
      next
    }
    {
      s = $1; rows++
      if (!(s in want)) { bad("unknown strategy " s); next }
      if ($2 + 0 != cost[s] + 0 || $3 + 0 != eff[s] + 0) bad(s ": cost or effect changed")
      if (!($7 in rank)) bad(s ": status " $7)
      # dampack order: status group, then cost ascending, effect descending
      later = rank[$7] > pr || (rank[$7] == pr && ($2 + 0 > pc || ($2 + 0 == pc && $3 + 0 <= pe)))
      if (rows > 1 && !later) bad(s ": out of order")
      if ($7 == "ND" && nd++ > 0) {   # increments against the ND row above
        if ($4 + 0 != $2 - lc || $5 + 0 != $3 - le) bad(s ": increments " $4 " " $5)
      } else if ($4 != "NA" || $5 != "NA" || $6 != "NA")
        bad(s ": increments or ICER where there is none")
      if ($7 == "ND") { lc = $2; le = $3 }
      pr = rank[$7]; pc = $2 + 0; pe = $3 + 0
      if (s in cn) {
        if ($7 != cn[s] || want[s] != cd[s])
          bad(s ": " $7 " / dampack " want[s] ", convention " cn[s] " / " cd[s])
        conv_seen++
        next
      }
      if ($7 != want[s]) bad(s ": status " $7 ", dampack " want[s])
      if (icer[s] == "NA" ? $6 != "NA" : ($6 == "NA" || abs($6 - icer[s]) > half_ulp(icer[s])))
        bad(s ": ICER " $6 ", dampack " icer[s])
    }
    END {
      if (rows != nf) bad(rows " rows for " nf " strategies")
      nconv = 0; for (k in cn) nconv++
      if (conv_seen != nconv) bad("met " conv_seen " of " nconv " conventions")
      exit failed
    }' "$f" out.txt || fail "$name: netsurv icer --csv disagrees with dampack"
  n_cases=$((n_cases + 1))
done
((n_cases == 7)) || fail "expected 7 crosscheck cases, found $n_cases"
ok "the 7 crosscheck cases: dampack's statuses and ICERs, but for the conventions"

# ---- 2. the printed table; reading back; stdin, quotes, CRLF, BOM ----
f=$fix/c4_ed_chain.csv
must "$bin" icer "$f"
tr -s ' ' <out.txt | sed 's/^ //; s/ $//' | head -n 10 | tr ' ' ',' >text.csv
awk -F, -v OFS=, 'NR > 1 { for (i = 2; i <= 6; i++) if ($i != "NA") $i = sprintf("%.7g", $i) } 1' \
  c4_ed_chain.csv.out >csv7.csv
cmp -s text.csv csv7.csv || fail "the printed table differs from the CSV (to 7 digits)"
grep -q '^ND: on the frontier' out.txt || fail "no legend under the table"
ok "the printed table: the CSV's cells to 7 significant digits, and the legend"

for out in "$dir"/c*.csv.out; do
  must "$bin" icer "$out" --csv
  cmp -s out.txt "$out" || fail "reading back $(basename "$out") changes it"
done
ok "netsurv icer reads back its own CSV to the same CSV (numbers exact)"

must "$bin" icer - --csv <"$f"
cmp -s out.txt c4_ed_chain.csv.out || fail "standard input gives another table"
printf '\xef\xbb\xbfEffect , COST,note,Strategy\r\n1,0,x,"plain"\r\n' >quoted.csv
printf '2,100," a, b","with ""quote"", comma"\r\n\r\n' >>quoted.csv
must "$bin" icer quoted.csv --csv
want='Strategy,Cost,Effect,Inc_Cost,Inc_Effect,ICER,Status
plain,0,1,NA,NA,NA,ND
"with ""quote"", comma",100,2,100,1,100,ND'
[[ $(cat out.txt) == "$want" ]] || fail "quoted names, CRLF, BOM: got $(cat out.txt)"
cp out.txt quoted.out
must "$bin" icer quoted.out --csv
cmp -s out.txt quoted.out || fail "a quoted name does not read back"
ok "standard input; a byte-order mark, CRLF, columns in any order and case, quoted names"

# ---- 3. -o FILE ----
must "$bin" icer "$f" -o table.csv
cmp -s table.csv c4_ed_chain.csv.out || fail "-o writes another table than --csv"
grep -q '^Strategy  *Cost' out.txt || fail "-o: no table on stdout"
echo keep >exists.csv
refused 2 "exists.csv exists; use --force" "$bin" icer "$f" -o exists.csv
[[ $(cat exists.csv) == keep ]] || fail "a refused -o touched the file"
must "$bin" icer "$f" -o exists.csv --force
cmp -s exists.csv c4_ed_chain.csv.out || fail "--force did not replace the file"
mkdir ro && chmod 500 ro
if [[ ! -w ro ]]; then
  refused 1 "cannot write" "$bin" icer "$f" -o ro/t.csv
  [[ -z $(ls -A ro) ]] || fail "a failed -o left $(ls -A ro)"
fi
[[ -z $(ls -A | grep '\.tmp$' || true) ]] || fail "temporary files left: $(ls -A | grep '\.tmp$')"
ok "-o writes the CSV whole, refuses an existing file without --force, leaves no temporary file"

# ---- 4. bad input ----
printf 'strategy,cost,efect\nA,1,2\n' >t.csv
bad t.csv "t.csv:1:1: column 'effect': not in the header"
printf 'strategy,cost,effect,Cost\nA,1,2,3\n' >t.csv
bad t.csv "t.csv:1:22: column 'cost': named twice in the header (also column 10)"
printf 'strategy,cost,effect\nA,1,2\nB, abc ,3\n' >t.csv
bad t.csv "t.csv:3:4: column 'cost': 'abc' is not a number"
printf 'strategy,cost,effect\nA,1,nan\n' >t.csv
bad t.csv "t.csv:2:5: column 'effect': 'nan' is not a finite number"
printf 'strategy,cost,effect\nA,-Inf,1\n' >t.csv
bad t.csv "t.csv:2:3: column 'cost': '-Inf' is not a finite number"
printf 'strategy,cost,effect\nA,1e999,1\n' >t.csv
bad t.csv "t.csv:2:3: column 'cost': '1e999' is out of range"
printf 'strategy,cost,effect\nA,0x10,1\n' >t.csv
bad t.csv "t.csv:2:3: column 'cost': '0x10' is not a number"
printf 'strategy,cost,effect\nA,NA,1\n' >t.csv
bad t.csv "t.csv:2:3: column 'cost': 'NA' is not a number"
printf 'strategy,cost,effect\nA,1,\n' >t.csv
bad t.csv "t.csv:2:5: column 'effect': empty; a number is needed"
printf 'strategy,cost,effect\n,1,2\n' >t.csv
bad t.csv "t.csv:2:1: column 'strategy': empty; every strategy needs a name"
printf 'strategy,cost,effect\nA,1,2\nB,2,3\nA,3,4\n' >t.csv
bad t.csv "t.csv:4:1: column 'strategy': 'A' is already the name on line 2"
printf 'strategy,cost,effect\nA,1,2,9\n' >t.csv
bad t.csv "t.csv:2:7: 4 fields where the header has 3"
printf 'strategy,cost,effect\n"A,1,2\n' >t.csv
bad t.csv "t.csv:2:1: unterminated quote"
printf '"A"x,cost,effect\n' >t.csv
bad t.csv "t.csv:1:4: text after a closing quote"
: >t.csv
bad t.csv "t.csv:1:1: empty: a header line naming strategy,cost,effect must come first"
printf '\n\nstrategy,cost,effect\n\n' >t.csv
bad t.csv "t.csv:3:1: no strategies: the header is followed by no row"
{ echo strategy,cost,effect; for i in $(seq 65); do echo "S$i,$i,$i"; done; } >t.csv
bad t.csv "t.csv:66:1: more than 64 strategies"
{ echo strategy,cost,effect; for i in $(seq 64); do echo "S$i,$i,$((i * i))"; done; } >t.csv
must "$bin" icer t.csv --csv
(($(wc -l <out.txt) == 65)) || fail "64 strategies: $(wc -l <out.txt) lines"
printf 'strategy,cost,effect\nA,1,2\nA,x,y\nB,z,1\n' >t.csv
bad t.csv "t.csv:3:1: column 'strategy': 'A' is already the name on line 2"
for what in "t.csv:3:3: column 'cost': 'x' is not" "t.csv:3:5: column 'effect': 'y' is not" \
  "t.csv:4:3: column 'cost': 'z' is not"; do
  grep -qF "$what" err.txt || fail "not every problem reported: no '$what'"
done
[[ ! -s out.txt ]] || fail "a refused table printed: $(cat out.txt)"
refused 2 "cannot open nothere.csv" "$bin" icer nothere.csv
refused 2 "usage: netsurv icer TABLE.csv" "$bin" icer
refused 2 "unknown option '--bogus'" "$bin" icer "$f" --bogus
refused 2 "one table at a time" "$bin" icer "$f" "$f"
refused 2 "-o needs a file name" "$bin" icer "$f" -o
must "$bin" --help
grep -qF "netsurv icer TABLE.csv" out.txt || fail "icer not in the usage text"
ok "bad input: exit 2 with FILE:LINE:COLUMN and the column; every problem reported"

echo "test_icer_cli: all passed"
