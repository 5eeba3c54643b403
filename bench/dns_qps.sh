#!/usr/bin/env bash
# dnsperf against `vpcep dns serve` and BIND 9 serving the same records, in one run (issue 3).
# Workloads: authoritative (200 private names, 90 % hits / 10 % NXDOMAIN) and forwarding cache hits
# (1,000 bucket names; upstream: a second BIND). Server on core $SERVER_CPU, dnsperf on core $CLIENT_CPU,
# $DURATION s per run, median of $RUNS runs. Prints queries/s, average latency and the ratio ours/BIND.
# METRICS=1: ours with --metrics, scraped every second during the runs (Prometheus scrapes every 15 s).
set -euo pipefail
DURATION=${DURATION:-10}
RUNS=${RUNS:-3}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
DNSPERF_OPTS=${DNSPERF_OPTS:-}
METRICS=${METRICS:-0}
cd "$(dirname "$0")/.."
for tool in named dnsperf taskset python3; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "missing $tool (apt-get install bind9 dnsperf util-linux)" >&2; exit 2; }
done
NAMED=$(command -v named || echo /usr/sbin/named)
WORK=$(mktemp -d /tmp/vpcep-dnsbench.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do dig +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not come up" >&2; exit 2; }

PYTHONPATH=$PWD python3 bench/dns_bench_state.py "$WORK/state.db" "$WORK"
python3 -m toolkit --state "$WORK/state.db" dns export --dir "$WORK/zones" >/dev/null
ZONE=vpcep.cn-north-4.myhuaweicloud.com
OBS=obs.cn-north-4.myhuaweicloud.com
P_UP=$(free_port); P_BIND=$(free_port); P_OURS=$(free_port); P_METRICS=$(free_port)
OURS_FLAGS=()
[ "$METRICS" = 1 ] && OURS_FLAGS=(--metrics "127.0.0.1:$P_METRICS")

named_conf() {  # dir port extra-options zones
  mkdir -p "$1"
  cat > "$1/named.conf" <<CONF
options { directory "$1"; pid-file "$1/named.pid"; session-keyfile "$1/s.key"; listen-on port $2 { 127.0.0.1; };
  listen-on-v6 { none; }; dnssec-validation no; allow-query { any; }; $3 };
controls { };
$4
CONF
}
# the upstream that the DNS endpoint stands for: every bucket name has an address (TTL 1 h)
cat > "$WORK/obs.zone" <<ZONEFILE
\$TTL 3600
@ IN SOA ns.$OBS. hostmaster.$OBS. 1 3600 600 86400 60
@ IN NS ns.$OBS.
ns IN A 127.0.0.1
@ IN A 100.125.0.10
* IN A 100.125.0.10
ZONEFILE
named_conf "$WORK/upstream" "$P_UP" "recursion no;" "zone \"$OBS\" { type primary; file \"$WORK/obs.zone\"; };"
named_conf "$WORK/bind" "$P_BIND" "recursion yes; allow-recursion { any; }; forward only; forwarders { 127.0.0.1 port $P_UP; };" \
  "zone \"$ZONE\" { type primary; file \"$WORK/zones/$ZONE.zone\"; };"
cat > "$WORK/vpcep.toml" <<TOML
[dns]
listen = ["127.0.0.1:$P_OURS"]
allow_query = ["127.0.0.0/8"]
allow_recursion = ["127.0.0.0/8"]
[obs]
mode = "forward"
forwarders = ["127.0.0.1:$P_UP"]
TOML

taskset -c "$CLIENT_CPU" "$NAMED" -g -c "$WORK/upstream/named.conf" -n 1 -u "$(id -un)" >"$WORK/upstream.log" 2>&1 & PIDS+=($!)
taskset -c "$SERVER_CPU" "$NAMED" -g -c "$WORK/bind/named.conf" -n 1 -u "$(id -un)" >"$WORK/bind.log" 2>&1 & PIDS+=($!)
taskset -c "$SERVER_CPU" python3 -m toolkit --state "$WORK/state.db" --config "$WORK/vpcep.toml" dns serve \
  "${OURS_FLAGS[@]}" >"$WORK/ours.log" 2>&1 & PIDS+=($!)
wait_port "$P_UP" "$OBS"; wait_port "$P_BIND" "$ZONE"; wait_port "$P_OURS" "$ZONE"
if [ "$METRICS" = 1 ]; then
  (while sleep 1; do curl -sf "http://127.0.0.1:$P_METRICS/metrics" >"$WORK/scrape.txt" || true; done) & PIDS+=($!)
fi

perf() {  # port file seconds -> "qps latency_ms"
  taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$1" -d "$2" -l "$3" $DNSPERF_OPTS 2>&1 |
    awk '/Queries per second/ {q=$4} /Average Latency/ {l=$4*1000} END {printf "%.0f %.3f\n", q, l}'
}
median() { sort -n | awk '{v[NR]=$0} END {print v[int((NR+1)/2)]}'; }

for port in "$P_OURS" "$P_BIND"; do perf "$port" "$WORK/fwd.txt" 2 >/dev/null; done  # warm the caches

echo "dnsperf ${DURATION}s x ${RUNS} (median), server on core $SERVER_CPU, dnsperf on core $CLIENT_CPU; $(nproc) cores;" \
  "metrics $([ "$METRICS" = 1 ] && echo "on, scraped every 1 s" || echo off);" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-14s %12s %12s %12s %12s %7s\n" workload "ours qps" "BIND qps" "ours lat ms" "BIND lat ms" ratio
for workload in auth fwd; do
  : >"$WORK/ours.$workload"; : >"$WORK/bind.$workload"
  for _ in $(seq "$RUNS"); do
    perf "$P_OURS" "$WORK/$workload.txt" "$DURATION" >>"$WORK/ours.$workload"
    perf "$P_BIND" "$WORK/$workload.txt" "$DURATION" >>"$WORK/bind.$workload"
  done
  oq=$(cut -d' ' -f1 "$WORK/ours.$workload" | median); bq=$(cut -d' ' -f1 "$WORK/bind.$workload" | median)
  ol=$(cut -d' ' -f2 "$WORK/ours.$workload" | median); bl=$(cut -d' ' -f2 "$WORK/bind.$workload" | median)
  name=$([ "$workload" = auth ] && echo authoritative || echo "forward cache")
  printf "%-14s %12s %12s %12s %12s %6.2fx\n" "$name" "$oq" "$bq" "$ol" "$bl" "$(echo "$oq $bq" | awk '{print $1/$2}')"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q Traceback "$WORK/ours.log"; then echo "our server logged a traceback:" >&2; cat "$WORK/ours.log" >&2; exit 1; fi
