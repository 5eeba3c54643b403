#!/usr/bin/env bash
# Benchmark (issues 5, 15): COUNT accepted endpoints in the lab checked end to end (state → dns → route →
# policy → tcp) from the idc namespace. Target: ≤ 1 s wall for the whole `vpcep check` command at 50,
# ≤ 3 s at COUNT=1000 (issue 15).
# Needs root (network namespaces). Prints each run's wall time, the median, and the check's own figures.
set -euo pipefail
RUNS=${RUNS:-5}
COUNT=${COUNT:-50}
TARGET=${TARGET:-$([ "$COUNT" -ge 1000 ] && echo 3 || echo 1)}
work=$(mktemp -d)
state="$work/state.db"
name="bench$$"
v() { python3 -m toolkit --state "$state" "$@"; }
cleanup() { v lab down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

v init >/dev/null
v quota --set endpoint=$((COUNT + 10)) >/dev/null
v vpc create svc --cidr 10.1.0.0/16 >/dev/null
v subnet create svc1 --vpc svc --cidr 10.1.0.0/22 >/dev/null
v service create --name web --vpc svc --backend LB --port-id elb-1 --port 8080:8443 >/dev/null
v service rules web --add sg:198.19.128.0/17:8080 >/dev/null
python3 - "$state" "$COUNT" <<'PY'
import sys
from toolkit import config
from toolkit.registry import Registry
from toolkit.registry.endpoints import EndpointRequest
reg = Registry.open(config.load(state=sys.argv[1]))
for _ in range(int(sys.argv[2])):
    reg.create_endpoint(EndpointRequest(service="web", vpc="svc", subnet="svc1", enable_dns=True))
PY
v vpc create obs --cidr 10.8.0.0/16 >/dev/null
v subnet create dns1 --vpc obs --cidr 10.8.1.0/24 >/dev/null
v endpoint create --service dns --vpc obs >/dev/null
info=$(v --json lab up --name "$name")
idc=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["namespaces"]["idc"])' <<<"$info")
gw=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["gateway"])' <<<"$info")
dns=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["dns_endpoint"])' <<<"$info")
v routes plan --gateway "$gw" --extra 10.1.0.0/16 --out "$work/plan.toml" >/dev/null
v routes apply "$work/plan.toml" --netns "$idc" >/dev/null

echo "vpcep check: $((COUNT + 1)) accepted endpoints (${COUNT} with a private name) from netns $idc, resolver $dns:53"
times=()
for run in $(seq "$RUNS"); do
  start=$(date +%s.%N)
  code=0
  v --json check --netns "$idc" --resolver "$dns:53" --gateway "$gw" --timeout 1 >"$work/run.json" || code=$?
  end=$(date +%s.%N)
  wall=$(python3 -c "print(f'{$end - $start:.3f}')")
  times+=("$wall")
  python3 - "$work/run.json" "$run" "$wall" "$code" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
s = run["summary"]
print(f"run {sys.argv[2]}: wall {sys.argv[3]} s (exit {sys.argv[4]}), checks {run['duration_ms']:.0f} ms, "
      f"{s['targets']} targets, {s['passed']} passed, {s['failed']} failed")
PY
done
python3 - "$TARGET" "${times[@]}" <<'PY'
import statistics, sys
target, walls = float(sys.argv[1]), [float(t) for t in sys.argv[2:]]
median = statistics.median(walls)
print(f"median wall {median:.3f} s over {len(walls)} runs (target ≤ {target:.3f} s): {'ok' if median <= target else 'SLOW'}")
PY
