#!/usr/bin/env bash
# /voi of `netsurv run --psa K`: the EVPPI of every drawn parameter and of
# the named groups, per risk group and for the decision by group, the same
# for 1 and 2 threads, never negative, never above the EVPI of the same draws
# (/psa/evpi; per risk group /psa_by_group/evpi), and the decision by group's
# EVPPI never above its EVPI (/psa_by_group/evpi_composite).
# usage: test_voi.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test voi "$1"
sc=$src/scenarios/default.yaml
OMP_NUM_THREADS=1 must "$bin" run "$sc" -n 3000 --psa 150 --voi --threads 1 -o one.h5 --quiet
OMP_NUM_THREADS=2 must "$bin" run "$sc" -n 3000 --psa 150 --voi --threads 2 -o two.h5 --quiet
/usr/bin/python3 - <<'PY' || fail "/voi is wrong"
import h5py, numpy as np
a, b = h5py.File("one.h5", "r"), h5py.File("two.h5", "r")
for k in a["voi"]:
    x, y = a["voi"][k][()], b["voi"][k][()]
    same = np.array_equal(x, y, equal_nan=True) if getattr(x, "dtype", None) is not None and x.dtype.kind == "f" else np.array_equal(x, y)
    assert same, "voi/%s differs between 1 and 2 threads" % k
v = a["voi"]
evpi = a["psa/evpi"][:]
for name in ("evppi", "evppi_group"):
    e = v[name][:]
    ok = ~np.isnan(e)
    assert ok.any(), name
    assert (e[ok] >= 0).all(), name
    assert (e <= evpi + 1e-9)[ok].all(), "%s above the EVPI" % name
rg, gevpi = v["evppi_group_by_risk_group"][:], a["psa_by_group/evpi"][:]
ok = ~np.isnan(rg)
assert (rg <= gevpi[:, None, :] + 1e-9)[ok].all(), "a risk group's EVPPI above its EVPI"
comp, cevpi = v["evppi_group_composite"][:], a["psa_by_group/evpi_composite"][:]
ok = ~np.isnan(comp)
assert (comp <= cevpi + 1e-9)[ok].all(), "the decision by group's EVPPI above its EVPI"
# the population values: per patient x incidence x sum over the horizon of (1 + r)^-t
e = a["economics"].attrs
f = e["population_incidence"] * sum((1 + e["discount_costs"]) ** -t for t in range(int(e["population_horizon_years"])))
assert abs(a["psa"].attrs["population_factor"] - f) < 1e-6 * f, (a["psa"].attrs["population_factor"], f)
assert np.allclose(a["psa/population_evpi"][:], evpi * f)
assert np.allclose(v["population_evppi_group"][:], v["evppi_group"][:] * f, equal_nan=True)
names = [x.decode() for x in v["group"][:]]
assert "natural_history" in names and v["group_size"][names.index("natural_history")] >= 5
w = list(v["wtp_grid"][:]).index(200000)
print("at 200,000 per QALY: EVPI %.1f; by group of parameters: %s" % (evpi[w], ", ".join(
    "%s %.1f" % (n, x) for n, x in zip(names, v["evppi_group"][:, w]))))
PY
echo "ok - /voi"

# ---- currency: a scenario priced in EUR (the registry study's, so /voi/evsi too) writes EUR
#      wherever the file holds money, never USD
sed -e 's/^  currency: {value: USD, source: "[^"]*"}/  currency: {value: EUR, assumption: "test: the same numbers read as euros"}/' \
    -e 's/^  price_year: {value: 2026, source: "[^"]*"}/  price_year: {value: 2024, assumption: "test"}/' \
    "$src/scenarios/registry_study.yaml" > eur.yaml
grep -q "value: EUR" eur.yaml && grep -q "value: 2024" eur.yaml || fail "could not make a EUR scenario"
must "$bin" run eur.yaml -n 3000 --psa 80 --voi -o eur.h5 --quiet
/usr/bin/python3 - <<'PY' || fail "a EUR scenario's file names another currency"
import h5py
f = h5py.File("eur.h5", "r")
assert f["economics"].attrs["currency"] == "EUR" and f["economics"].attrs["price_year"] == 2024
money, other = [], []
def visit(name, obj):
    u = obj.attrs.get("units") if isinstance(obj, h5py.Dataset) else None
    if u is None:
        return
    u = u.decode() if isinstance(u, bytes) else str(u)
    (money if u.startswith("EUR") else other).append((name, u))
f.visititems(visit)
bad = [(n, u) for n, u in other if "USD" in u or "{currency}" in u]
assert not bad, bad
groups = sorted({n.split("/")[0] for n, _ in money})
for g in ("economics", "economics_by_group", "psa", "psa_by_group", "summary", "voi"):
    assert g in groups, (g, groups)
assert any(n.startswith("voi/evsi/") for n, _ in money), "no EVSI money dataset"
print("EUR scenario: %d money datasets in %s, all in EUR" % (len(money), ", ".join(groups)))
PY
echo "ok - currency"
