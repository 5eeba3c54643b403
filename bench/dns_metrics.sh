#!/usr/bin/env bash
# What --metrics costs: two `vpcep dns serve` on the same core, one with --metrics (scraped every second,
# 15 times Prometheus's usual rate) and one without, dnsperf against each in turn ($RUNS rounds of
# $DURATION s, alternating so that load from elsewhere hits both alike). Prints the median qps of each and
# the server's CPU time per query over all rounds (utime+stime from /proc: less at the mercy of other load).
# BASE_TREE=DIR: the "off" server runs from another checkout (e.g. `git archive <rev> | tar -x -C DIR`), to
# measure what the always-on counters cost against a commit without them.
set -euo pipefail
BASE_TREE=${BASE_TREE:-}
DURATION=${DURATION:-5}
RUNS=${RUNS:-5}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
WORKLOAD=${WORKLOAD:-auth}  # auth or fwd (fwd: no upstream, so only the REFUSED/forward path is exercised)
cd "$(dirname "$0")/.."
for tool in dnsperf taskset curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install dnsperf util-linux curl)" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/vpcep-dnsmetrics.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do dig +time=1 +tries=1 -p "$1" @127.0.0.1 version.bind >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not come up:" >&2; cat "$WORK"/serve.*.log >&2; exit 2; }

PYTHONPATH=$PWD python3 bench/dns_bench_state.py "$WORK/state.db" "$WORK"
P_OFF=$(free_port); P_ON=$(free_port); P_METRICS=$(free_port)
serve() { (cd "${TREE:-.}" && PYTHONPATH=$PWD exec taskset -c "$SERVER_CPU" python3 -m toolkit --state "$WORK/state.db" \
  dns serve --listen "127.0.0.1:$1" "${@:2}") >"$WORK/serve.$1.log" 2>&1 & PIDS+=($!); }
TREE=$BASE_TREE serve "$P_OFF"; PID_OFF=$!
serve "$P_ON" --metrics "127.0.0.1:$P_METRICS"; PID_ON=$!
wait_port "$P_OFF"; wait_port "$P_ON"
(while sleep 1; do curl -sf "http://127.0.0.1:$P_METRICS/metrics" >"$WORK/scrape.txt" || true; done) & PIDS+=($!)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
perf() {  # port seconds pid -> "qps completed cpu_ticks"
  local before; before=$(ticks "$3")
  taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$1" -d "$WORK/$WORKLOAD.txt" -l "$2" 2>&1 |
    awk -v t="$(( $(ticks "$3") - before ))" '/Queries completed/ {c=$3} /Queries per second/ {q=$4} END {printf "%.0f %d\n", q, c}' |
    { read -r q c; echo "$q $c $(( $(ticks "$3") - before ))"; }
}
median() { sort -n | awk '{v[NR]=$0} END {print v[int((NR+1)/2)]}'; }
perf "$P_OFF" 1 "$PID_OFF" >/dev/null; perf "$P_ON" 1 "$PID_ON" >/dev/null
for _ in $(seq "$RUNS"); do
  perf "$P_OFF" "$DURATION" "$PID_OFF" >>"$WORK/off"; perf "$P_ON" "$DURATION" "$PID_ON" >>"$WORK/on"
done
HZ=$(getconf CLK_TCK)
report() {  # label file
  local qps cpu; qps=$(cut -d' ' -f1 "$2" | median)
  cpu=$(awk -v hz="$HZ" '{c+=$2; t+=$3} END {printf "%.2f", t / hz / c * 1e6}' "$2")
  echo "$1 $qps qps (median of: $(cut -d' ' -f1 "$2" | tr '\n' ' '))  $cpu us CPU/query"
  echo "$qps $cpu" >"$2.sum"
}
echo "dnsperf $WORKLOAD ${DURATION}s x $RUNS alternating, servers on core $SERVER_CPU; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
report "metrics off:" "$WORK/off"
report "metrics on: " "$WORK/on"
echo "on/off: qps $(paste -d' ' "$WORK/on.sum" "$WORK/off.sum" | awk '{printf "%.3f, CPU per query %.3f", $1/$3, $2/$4}')" \
  "($(grep -c "^vpcep_dns" "$WORK/scrape.txt") samples a scrape, one scrape a second)"
grep -l Traceback "$WORK"/serve.*.log && exit 1 || true
