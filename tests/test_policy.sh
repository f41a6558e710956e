#!/usr/bin/env bash
# `netsurv policy RESULT.h5 -o SCENARIO.yaml`, end to end: a run of the
# default scenario with risk groups at a WTP where the groups choose
# different strategies; the policy written as a scenario; that scenario run
# on the same patients gives the composite strategy the costs, QALYs and
# counts /composite reported; bad input (a sweep file or one without
# groups, an existing output, no -o) is refused with exit 2.
# usage: test_policy.sh NETSURV_BINARY
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_test policy "$1"
set_wtp=(--set economics.wtp=1000000)
must "$bin" run "$src/scenarios/default.yaml" -n 70000 "${set_wtp[@]}" -o run.h5 --quiet
must "$bin" policy run.h5 -o policy.yaml
grep -q "^  - name: composite" policy.yaml || fail "no composite strategy in policy.yaml"
must "$bin" validate policy.yaml
must "$bin" run policy.yaml -n 70000 "${set_wtp[@]}" -o replay.h5 --quiet
/usr/bin/python3 - <<'PY' || fail "the replayed composite differs from /composite"
import h5py, sys
a, b = h5py.File("run.h5", "r"), h5py.File("replay.h5", "r")
names = [x.decode() for x in b["summary/strategy"][:]]
k = names.index("composite")
best = a["economics_by_group/best"][:]
assert len(set(best.tolist())) >= 3, best
for key in ("mean_cost_discounted", "mean_qaly_discounted", "mean_ly", "mean_tests"):
    want, got = a["composite/" + key][0], b["summary/" + key][k]
    assert abs(want - got) <= 1e-9 * max(1, abs(want)), (key, want, got)
assert a["composite/n_metastasis_deaths"][0] == b["summary/n_metastasis_deaths"][k]
assert a["composite/n_patients"][0] == b["summary/n_patients"][k]
# per group the replayed composite matches its group's chosen strategy exactly
for g, s in enumerate(best):
    for key in ("n_metastases", "n_missed", "n_metastasis_deaths"):
        assert b["summary_by_group/" + key][k, g] == a["summary_by_group/" + key][s, g], (g, key)
print("composite replayed: cost %.2f, QALYs %.6f" % (b["summary/mean_cost_discounted"][k],
                                                     b["summary/mean_qaly_discounted"][k]))
PY
echo "ok - the policy replays to the composite's numbers"
refused 2 "exists" "$bin" policy run.h5 -o policy.yaml
refused 2 "give the result file and -o" "$bin" policy run.h5
refused 2 "not an HDF5 file" "$bin" policy policy.yaml -o x.yaml
sed '/^groups:/,/^strategies:/{/^strategies:/!d}' "$src/scenarios/default.yaml" >nogroups.yaml
must "$bin" run nogroups.yaml -n 1000 -o nogroups.h5 --quiet
refused 2 "holds no /composite/yaml" "$bin" policy nogroups.h5 -o x.yaml
[[ ! -e x.yaml ]] || fail "a refused policy left x.yaml"
echo "ok - bad input refused"
