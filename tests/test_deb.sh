#!/usr/bin/env bash
# The Debian package (CPack, CMakeLists.txt):
#   1. `cpack -G DEB` builds netsurv_VERSION_ARCH.deb: package netsurv, its
#      Depends name the runtime libraries the binary links (dpkg-shlibdeps:
#      libhdf5, libgomp1, libyaml, libdeflate, libc6) and the Python modules;
#      it holds /usr/bin/netsurv, the manual page, the scenarios, the analysis
#      package and the documents;
#   2. unpacked with dpkg-deb -x into a temporary root, the program runs from
#      there and finds the scenarios beside it;
#   3. as root (CI): `dpkg -i`, then /usr/bin/netsurv validate and a small run
#      (reading /usr/share/netsurv/scenarios/default.yaml), then `dpkg -r`
#      leaves no /usr/bin/netsurv. Not root, or a netsurv already installed
#      in /usr/bin that this test must not replace: step 3 is skipped, said.
# usage: test_deb.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib.sh
source "$src/tests/lib.sh"
dir=$(mktemp -d /tmp/netsurv-deb-XXXXXX)
installed=0
cleanup() {
  if ((installed)); then dpkg -r netsurv >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
for t in cpack dpkg-deb dpkg-shlibdeps; do
  command -v $t >/dev/null || fail "$t is missing (scripts/setup-debian.sh installs it)"
done

(cd "$build" && cpack -G DEB -B "$dir/pkg") >cpack.txt 2>&1 || fail "cpack -G DEB: $(tail -5 cpack.txt)"
debs=(pkg/netsurv_*.deb)
[[ -f ${debs[0]} && ${#debs[@]} == 1 ]] || fail "no single netsurv_*.deb: $(ls pkg)"
deb=${debs[0]}
[[ $(dpkg-deb -f "$deb" Package) == netsurv ]] || fail "the package is not called netsurv"
depends=$(dpkg-deb -f "$deb" Depends)
for d in libhdf5 libgomp1 libyaml libdeflate libc6 python3-h5py; do
  [[ $depends == *"$d"* ]] || fail "Depends lacks $d: $depends"
done
dpkg-deb -c "$deb" | awk '{print $6}' >contents.txt
for f in ./usr/bin/netsurv ./usr/share/man/man1/netsurv.1 ./usr/share/netsurv/scenarios/default.yaml \
  ./usr/share/netsurv/scenarios/calibration/series.yaml \
  ./usr/share/netsurv/analysis/netsurv_analysis/reader.py ./usr/share/doc/netsurv/LICENSE \
  ./usr/share/doc/netsurv/scenario-reference.md; do
  grep -qx -- "$f" contents.txt || fail "the package lacks $f"
done
echo "ok - $(basename "$deb"): Depends: $depends"

dpkg-deb -x "$deb" root
root=$dir/root
(cd / && "$root/usr/bin/netsurv" validate) >out.txt 2>err.txt || fail "the unpacked netsurv validate"
[[ $(cat out.txt) == ok ]] || fail "the unpacked netsurv validate did not say ok"
"$root/usr/bin/netsurv" --help | grep -qF "$root/usr/bin/../share/netsurv/scenarios/default.yaml" ||
  fail "the unpacked netsurv does not use the scenarios beside it"
echo "ok - unpacked (dpkg-deb -x), it runs and finds /usr/share/netsurv beside it"

if (($(id -u) != 0)); then
  echo "skip - not root: dpkg -i not tried (CI runs as root)"
elif [[ -e /usr/bin/netsurv ]]; then
  echo "skip - /usr/bin/netsurv exists ($(dpkg -S /usr/bin/netsurv 2>/dev/null || echo 'not from a package')): not replaced"
else
  ok=0
  for try in 1 2 3 4 5; do # another dpkg may hold its lock for a moment
    if dpkg -i "$deb" >dpkg.txt 2>&1; then ok=1; break; fi
    grep -q "lock" dpkg.txt || break
    sleep $((try * 2))
  done
  installed=1
  ((ok)) || fail "dpkg -i: $(tail -5 dpkg.txt)"
  (cd / && /usr/bin/netsurv validate) >out.txt 2>err.txt || fail "/usr/bin/netsurv validate"
  [[ $(cat out.txt) == ok ]] || fail "/usr/bin/netsurv validate did not say ok"
  (cd "$dir" && /usr/bin/netsurv run -n 70000 -o run.h5) >out.txt 2>err.txt ||
    fail "/usr/bin/netsurv run"
  /usr/bin/python3 - run.h5 <<'PY' || fail "the run did not read /usr/share/netsurv's scenario"
import h5py, sys
f = h5py.File(sys.argv[1], "r")
path = f.attrs["scenario_path"]
path = path.decode() if isinstance(path, bytes) else path
assert path == "/usr/bin/../share/netsurv/scenarios/default.yaml", path
assert f["summary/strategy"].shape[0] == 9
PY
  man -w netsurv 2>/dev/null | grep -q "/usr/share/man/man1/netsurv.1" || [[ -f /usr/share/man/man1/netsurv.1 ]] ||
    fail "no manual page after dpkg -i"
  dpkg -r netsurv >dpkg.txt 2>&1 || fail "dpkg -r: $(tail -5 dpkg.txt)"
  installed=0
  [[ ! -e /usr/bin/netsurv && ! -e /usr/share/netsurv/scenarios/default.yaml ]] ||
    fail "dpkg -r left files behind"
  echo "ok - dpkg -i, /usr/bin/netsurv validate and run (from /usr/share/netsurv), dpkg -r"
fi
echo "test_deb: all passed"
