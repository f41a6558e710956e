#!/usr/bin/env bash
# Progress of `netsurv run` (sim/cli/progress.c):
#   1. off a terminal (stderr a file, as in a Slurm log): plain lines, one
#      every NETSURV_PROGRESS_INTERVAL seconds and one at the end of each
#      phase, never a carriage return; a shard, which reports no steps,
#      still shows a line per interval; a bad interval is said and ignored;
#   2. --quiet: nothing on stderr;
#   3. the end of a run says what it wrote: /summary, /psa, /owsa, /sweep;
#   4. on a terminal (a pty, /usr/bin/python3's pty module): one line redrawn
#      with \r, and every sweep row (naming each swept path with its value)
#      on a line of its own, never through the progress line.
# usage: test_progress.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test progress "$1"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
scen=$src/scenarios/default.yaml

NETSURV_PROGRESS_INTERVAL=0.05 "$bin" run "$scen" -n 1000000 --psa 2 -o a.h5 >out.txt 2>err.txt ||
  fail "run --psa 2 exited $?"
(($(grep -c '^netsurv run: patients .* patients/s, .* elapsed, .* left$' err.txt) >= 2)) ||
  fail "fewer than 2 progress lines for the patients"
grep -q '^netsurv run: PSA 2/2 draws (100.0 %)' err.txt || fail "no line at the end of the PSA"
! grep -q $'\r' err.txt || fail "a carriage return off a terminal"
grep -q '^wrote a.h5:$' out.txt || fail "the end does not say what it wrote"
grep -q '^  /psa: 2 draws of [0-9]* parameters' out.txt || fail "the end does not name /psa"
echo "ok - off a terminal: lines with rate and time left; the end names /psa"

"$bin" run "$scen" -n 70000 --owsa -o o.h5 >out.txt 2>err.txt || fail "run --owsa exited $?"
grep -q '^  /owsa: [0-9]* parameters, each at its range' out.txt || fail "the end does not name /owsa"
grep -q '^netsurv run: OWSA .* parameters (100.0 %)' err.txt || fail "no line at the end of the OWSA"
echo "ok - the end names /owsa"

NETSURV_PROGRESS_INTERVAL=0.05 "$bin" run "$scen" -n 600000 --shard 1/2 -o s.h5 >out.txt 2>err.txt ||
  fail "run --shard exited $?"
grep -q '^netsurv run: shard 1/2, [0-9:]* elapsed$' err.txt || fail "no heartbeat line for a shard"
NETSURV_PROGRESS_INTERVAL=soon "$bin" run "$scen" -n 70000 -o b.h5 >out.txt 2>err.txt ||
  fail "a bad NETSURV_PROGRESS_INTERVAL stopped the run"
grep -q 'NETSURV_PROGRESS_INTERVAL=soon is not 0.05 to 3600 seconds' err.txt ||
  fail "a bad NETSURV_PROGRESS_INTERVAL is not said"
echo "ok - a shard's heartbeat; a bad interval is said and ignored"

NETSURV_PROGRESS_INTERVAL=0.05 "$bin" run "$scen" -n 400000 --psa 2 --quiet -o q.h5 >out.txt 2>err.txt ||
  fail "run --quiet exited $?"
[[ ! -s err.txt ]] || fail "--quiet wrote to stderr: $(head -3 err.txt)"
echo "ok - --quiet: nothing on stderr"

/usr/bin/python3 - "$bin" "$scen" "$src/scenarios/sweeps/mri_interval.yaml" <<'PY' || fail "on a terminal"
import fcntl, os, pty, struct, sys, termios
bin, scen, sweep = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    os.execv(bin, [bin, "run", scen, "--sweep", sweep, "-n", "70000", "-o", "sw.h5"])
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, out[-2000:]
text = out.decode()
assert "\r\x1b[K" in text and "patients/s" in text, "no progress line redrawn: " + text[:300]
rows = 0
for line in text.split("\n"):
    line = line.rstrip("\r")               # the pty writes \r\n
    shown = line.split("\r")[-1].replace("\x1b[K", "")  # what stays on the screen
    if "highest NMB" in line:
        rows += 1
        assert shown.startswith("point "), "a row shares its line: %r" % line
        assert "elapsed" not in shown and "left" not in shown, "progress in a row: %r" % line
        assert "strategies.risk_stratified.rules.intermediate.schedule.1.every=" in shown, shown
        assert "modalities.mri.cost=" in shown, shown
    if "wrote sw.h5" in line:
        assert shown == "wrote sw.h5:", "the end shares its line: %r" % line
assert rows == 9, "%d rows, expected 9" % rows
print("ok - on a terminal: the line is redrawn, 9 rows each on its own line, naming the paths")
PY
echo "test_progress: all passed"
