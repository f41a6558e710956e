#!/usr/bin/env bash
# `netsurv run --psa K --posterior FILE`: the PSA draws the calibrated
# parameters jointly from a calibration file's weighted posterior points and
# the others from their priors. A posterior of two points, written here in
# the layout `netsurv calibrate -o` writes (/posterior/parameter, theta,
# weight): every draw takes one point whole (both parameters together), about
# as often as its weight says, the same draws for the same seed on 1 and 2
# threads; bad posteriors are refused with exit 2 and the file named.
# usage: test_posterior.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test posterior "$1"
/usr/bin/python3 - <<'PY'
import h5py, numpy as np
def post(name, params, theta, w):
    with h5py.File(name, "w") as f:
        g = f.create_group("posterior")
        g["parameter"] = np.array(params, dtype=h5py.string_dtype())
        g["theta"] = np.array(theta, dtype="f8")
        g["weight"] = np.array(w, dtype="f8")
post("two.h5", ["metastasis.intercept", "timing.years_to_detectable.median"],
     [[-5.5, 4.0], [-4.0, 9.0]], [0.25, 0.75])
post("badsum.h5", ["metastasis.intercept"], [[-5.0], [-4.0]], [0.5, 0.6])
post("unknown.h5", ["metastasis.no_such"], [[-5.0]], [1.0])
post("nan.h5", ["metastasis.intercept"], [[float("nan")]], [1.0])
with h5py.File("none.h5", "w") as f:
    f["x"] = 1
PY
sc=$src/scenarios/default.yaml
must "$bin" run "$sc" -n 3000 --psa 200 --posterior two.h5 -o a.h5 --threads 1 --quiet
must "$bin" run "$sc" -n 3000 --psa 200 --posterior two.h5 -o b.h5 --threads 2 --quiet
must "$bin" run "$sc" -n 3000 --psa 200 -o prior.h5 --quiet
/usr/bin/python3 - <<'PY' || fail "the posterior draws are wrong"
import h5py, numpy as np
a, b, p = (h5py.File(x, "r") for x in ("a.h5", "b.h5", "prior.h5"))
names = [x.decode() for x in a["psa/parameter"][:]]
i, j = names.index("metastasis.intercept"), names.index("timing.years_to_detectable.median")
v = a["psa/values"][:]
pairs = set(zip(v[:, i].round(9), v[:, j].round(9)))
assert pairs <= {(-5.5, 4.0), (-4.0, 9.0)}, pairs
share = np.mean(v[:, i] == -4.0)
assert 0.65 < share < 0.85, share                  # weight 0.75; 200 draws: sd 0.03
# the other parameters still come from their priors, exactly as without a posterior
others = [k for k in range(v.shape[1]) if k not in (i, j)]
assert np.array_equal(v[:, others], p["psa/values"][:][:, others])
assert np.array_equal(a["psa/cost"][:], b["psa/cost"][:]), "1 and 2 threads differ"
assert a["psa"].attrs["posterior"] == "two.h5", a["psa"].attrs["posterior"]
print("posterior draws: share of the 0.75 point %.3f" % share)
PY
echo "ok - draws from the posterior"
refused 2 "needs --psa K" "$bin" run "$sc" -n 1000 --posterior two.h5 -o c.h5
refused 2 "badsum.h5: the posterior weights" "$bin" run "$sc" -n 1000 --psa 2 --posterior badsum.h5 -o c.h5
refused 2 "'metastasis.no_such' is not a parameter" "$bin" run "$sc" -n 1000 --psa 2 --posterior unknown.h5 -o c.h5
refused 2 "nan.h5: a posterior point is not finite" "$bin" run "$sc" -n 1000 --psa 2 --posterior nan.h5 -o c.h5
refused 2 "none.h5: holds no /posterior" "$bin" run "$sc" -n 1000 --psa 2 --posterior none.h5 -o c.h5
refused 2 "missing.h5: not an HDF5 file" "$bin" run "$sc" -n 1000 --psa 2 --posterior missing.h5 -o c.h5
[[ ! -e c.h5 ]] || fail "a refused run wrote c.h5"
echo "ok - bad posteriors refused"
