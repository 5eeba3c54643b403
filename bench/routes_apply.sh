#!/usr/bin/env bash
# Benchmark (issue 4): 10,000 routes into a fresh namespace with our batched apply vs `ip -batch`,
# same routes, same run; prints both, the ratio (target ≤ 3×), and the whole `vpcep routes apply` command.
# Needs root. Usage: bench/routes_apply.sh [ROUTES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${2:-5}
[ "$(id -u)" = 0 ] || { echo "bench/routes_apply.sh needs root (network namespaces)" >&2; exit 2; }
TAG="vpcep-bench-$$"
WORK=$(mktemp -d)
cleanup() {
  for ns in "$TAG-ip" "$TAG-py" "$TAG-cli"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

fresh_ns() {  # a namespace whose one link reaches the gateway 10.255.0.1
  ip netns del "$1" 2>/dev/null || true
  ip netns add "$1"
  ip -n "$1" link add v0 type veth peer name v1
  ip -n "$1" addr add 10.255.0.2/24 dev v0
  ip -n "$1" link set v0 up
  ip -n "$1" link set v1 up
}

python3 - "$N" "$WORK" <<'EOF'
import sys
from pathlib import Path
from netaddr import IPNetwork
from toolkit.routing import planfile
from toolkit.routing.plan import Plan, PlannedRoute

count, work = int(sys.argv[1]), Path(sys.argv[2])
base = IPNetwork("20.0.0.0/24")
dsts = [str(IPNetwork((base.first + i * 256, 24))) for i in range(count)]
plan = Plan(gateway="10.255.0.1", proto=201, routes=tuple(PlannedRoute(d, "10.255.0.1", "extra", "O5") for d in dsts))
planfile.save(plan, work / "plan.toml")
(work / "batch.txt").write_text("".join(f"route add {d} via 10.255.0.1 proto 201\n" for d in dsts))
EOF

best_ip=999; best_py=999
for run in $(seq "$RUNS"); do
  fresh_ns "$TAG-ip"
  start=$(date +%s.%N)
  ip -n "$TAG-ip" -batch "$WORK/batch.txt"
  end=$(date +%s.%N)
  t_ip=$(echo "$end - $start" | bc)
  [ "$(ip -n "$TAG-ip" route show proto 201 | wc -l)" = "$N" ] || { echo "ip -batch did not install $N routes" >&2; exit 1; }
  fresh_ns "$TAG-py"
  t_py=$(python3 - "$TAG-py" "$WORK/plan.toml" <<'EOF'
import sys, time
from toolkit.routing import planfile
from toolkit.routing.apply import IPRouteBackend, apply_plan

plan = planfile.load(sys.argv[2])
start = time.perf_counter()
with IPRouteBackend(sys.argv[1]) as backend:          # open the socket in the namespace,
    diff = apply_plan(backend, plan)                   # dump, diff, batched send, check every result
elapsed = time.perf_counter() - start
assert len(diff.missing) == len(plan.routes)
print(f"{elapsed:.4f}")
EOF
)
  [ "$(ip -n "$TAG-py" route show proto 201 | wc -l)" = "$N" ] || { echo "apply did not install $N routes" >&2; exit 1; }
  best_ip=$(echo "if ($t_ip < $best_ip) $t_ip else $best_ip" | bc)
  best_py=$(echo "if ($t_py < $best_py) $t_py else $best_py" | bc)
done

fresh_ns "$TAG-cli"
start=$(date +%s.%N)
python3 -m toolkit routes apply "$WORK/plan.toml" --netns "$TAG-cli" >/dev/null
end=$(date +%s.%N)
t_cli=$(echo "$end - $start" | bc)
start=$(date +%s.%N)
python3 -m toolkit routes apply "$WORK/plan.toml" --netns "$TAG-cli" >/dev/null
end=$(date +%s.%N)
t_again=$(echo "$end - $start" | bc)

printf 'routes:                          %d (best of %d runs, fresh namespace each)\n' "$N" "$RUNS"
printf 'ip -batch:                       %.3f s\n' "$best_ip"
printf 'vpcep apply (batched netlink):   %.3f s\n' "$best_py"
printf 'ratio apply / ip -batch:         %.2fx (target <= 3x)\n' "$(echo "$best_py / $best_ip" | bc -l)"
printf 'whole `vpcep routes apply` CLI:  %.3f s (process start, imports, plan load + checks)\n' "$t_cli"
printf 'second apply (all unchanged):    %.3f s\n' "$t_again"
