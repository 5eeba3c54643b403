#!/usr/bin/env python3
"""Benchmark (issue 15): the inventory's costs at 1k, 10k and 100k accepted endpoints with DNS names.

For each size N, seeds a state through the registry (one batch), then prints one row:
  create    one endpoint create through the registry, median of 20 (ms)
  list      `vpcep endpoint list --json`, whole list (s)
  page      `vpcep endpoint list --json --limit 100 --offset N/2` (ms)
  plan      `vpcep routes plan --gateway … --json` (s)
  dns 1st   `vpcep dns serve` start → first answer for an endpoint's name (s), and its RSS then (MiB)
  cli→dns   `vpcep endpoint create --dns` in a shell → its name answered by the running server (ms)
  bind      named-checkzone of the exported zone (s)      knot  knotd start → the zone's SOA answered (s)
  secondaries  knotd and named as secondaries (NOTIFY): one create → each serves the new serial (s), by IXFR?
Targets at 100,000 (issue 15): create flat, page ≤ 300 ms, list ≤ 3 s, plan ≤ 1.5 s, dns 1st ≤ 2 s with
RSS ≤ 200 MiB, cli→dns ≤ 100 ms, a secondary's IXFR of one change ≤ 1 s. Usage: bench/scale.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ZONE = "vpcep.cn-north-4.myhuaweicloud.com"


def vpcep(state: Path, *argv: str, config: Path | None = None) -> subprocess.CompletedProcess:
    extra = ["--config", str(config)] if config else []
    return subprocess.run([sys.executable, "-m", "toolkit", "--state", str(state), *extra, *argv], cwd=ROOT,
                          capture_output=True, text=True, check=True)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def seed(state: Path, count: int):
    from toolkit import config
    from toolkit.registry import Registry
    from toolkit.registry.demo import bulk_endpoints

    reg = Registry.open(config.load(state=str(state), env={"HOME": str(state.parent)}), create=True)
    reg.init("cn-north-4", "myhuaweicloud.com", "a" * 32)
    bulk_endpoints(reg, count, "dns", vpc="big", cidr="10.0.0.0/9")
    return reg


def one_create_ms(reg) -> float:
    from toolkit.model.quota import QuotaKind
    from toolkit.registry.endpoints import EndpointRequest

    used = next(q.used for q in reg.quotas() if q.type == QuotaKind.ENDPOINT)
    reg.set_quota(QuotaKind.ENDPOINT, used + 1000)  # room for this and the CLI's create below
    times = []
    for _ in range(20):
        start = time.perf_counter()
        reg.create_endpoint(EndpointRequest(service="dns", vpc="big", enable_dns=True))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answered(name: str, port: int, deadline: float) -> bool:
    import dns.message
    import dns.query
    while time.perf_counter() < deadline:
        try:
            reply = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=0.05)
            if reply.answer:
                return True
        except (OSError, Exception):  # noqa: BLE001 — not up yet, or not yet loaded
            pass
    return False


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def dns_figures(state: Path, tmp: Path) -> tuple[float, float, float, dict]:
    """(seconds to the first answer, RSS MiB then, ms from a CLI create to its name answered, and per
    secondary (Knot, BIND) the seconds from that create to its serving the change and how it came: IXFR/AXFR)."""
    port, knot_port, bind_port = free_port(), free_port(), free_port()
    config = tmp / "dns.toml"
    config.write_text(f'[dns]\nlisten = ["127.0.0.1:{port}"]\nzones_dir = "{tmp / "zones"}"\n'
                      f'notify = ["127.0.0.1:{knot_port}", "127.0.0.1:{bind_port}"]\n'
                      f'allow_transfer = ["127.0.0.0/8"]\n')
    name = vpcep(state, "endpoint", "list", "--json", "--limit", "1").stdout.split('"dns_names": [')[1].split('"')[1]
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "toolkit", "--state", str(state), "--config", str(config),
                               "dns", "serve"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    secondaries = []
    try:
        first = time.perf_counter() - start if answered(name, port, start + 120) else float("nan")
        rss = rss_mib(server.pid)
        secondaries = [Secondary("knot", tmp, knot_port, port), Secondary("bind", tmp, bind_port, port)]
        ours = soa_serial(port)
        for secondary in secondaries:
            secondary.wait_serial(ours, 600)  # the first transfer: the whole zone
        made = vpcep(state, "endpoint", "create", "--service", "dns", "--vpc", "big", "--dns", "--json",
                     config=config).stdout
        new_name = made.split('"dns_names": [')[1].split('"')[1]
        start = time.perf_counter()
        live = (time.perf_counter() - start) * 1000 if answered(new_name, port, start + 60) else float("nan")
        ours = soa_serial(port)
        followed = {s.kind: (s.wait_serial(ours, 60) - start, s.last_transfer()) for s in secondaries}
        return first, rss, live, followed
    finally:
        for secondary in secondaries:
            secondary.stop()
        server.terminate()
        server.wait(timeout=30)


def soa_serial(port: int, host: str = "127.0.0.1") -> int | None:
    import dns.message
    import dns.query
    try:
        reply = dns.query.udp(dns.message.make_query(ZONE, "SOA"), host, port=port, timeout=0.2)
    except Exception:  # noqa: BLE001 — not serving it (yet)
        return None
    return reply.answer[0][0].serial if reply.answer and reply.rcode() == 0 else None


class Secondary:
    """knotd or named as a secondary of our server on a loopback port, in its own directory; stopped by PID."""

    def __init__(self, kind: str, tmp: Path, port: int, primary: int) -> None:
        self.kind, self.port, self.dir = kind, port, tmp / kind
        self.dir.mkdir(exist_ok=True)
        self.log = self.dir / "log"
        if kind == "knot":
            (self.dir / "knot.conf").write_text(
                f"server:\n  rundir: {self.dir}\n  listen: 127.0.0.1@{port}\n  user: root:root\n"
                f"log:\n  - target: stdout\n    any: info\ndatabase:\n  storage: {self.dir}\n"
                f"remote:\n  - id: primary\n    address: 127.0.0.1@{primary}\n"
                f"acl:\n  - id: notify\n    address: 127.0.0.0/8\n    action: notify\n"
                f"template:\n  - id: default\n    storage: {self.dir}\n    zonefile-sync: -1\n"
                f"    zonefile-load: none\n    journal-content: changes\n"
                f"zone:\n  - domain: {ZONE}\n    master: primary\n    acl: notify\n")
            argv = [shutil.which("knotd") or "/usr/sbin/knotd", "-c", str(self.dir / "knot.conf")]
        else:
            (self.dir / "named.conf").write_text(
                f'options {{ directory "{self.dir}"; pid-file "{self.dir}/named.pid"; listen-on port {port} '
                f'{{ 127.0.0.1; }}; listen-on-v6 {{ none; }}; notify no; recursion no; '
                f'session-keyfile "{self.dir}/session.key"; }};\ncontrols {{ }};\n'
                f'zone "{ZONE}" {{ type secondary; file "sec.db"; primaries {{ 127.0.0.1 port {primary}; }}; }};\n')
            argv = [shutil.which("named") or "/usr/sbin/named", "-g", "-n", "1", "-u", "root",
                    "-c", str(self.dir / "named.conf")]
        self.out = open(self.log, "w")
        self.proc = subprocess.Popen(argv, stdout=self.out, stderr=subprocess.STDOUT)

    def wait_serial(self, serial: int, seconds: float) -> float:
        """The moment (perf_counter) this secondary serves `serial`, or NaN when it does not in time."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            if soa_serial(self.port) == serial:
                return time.perf_counter()
            time.sleep(0.005)  # polling another process: nothing to await
        return float("nan")

    def last_transfer(self) -> str:
        """How the last change came, from the daemon's own log: Knot names the kind (IXFR/AXFR) and its bytes;
        BIND gives records and bytes (an IXFR of one change is 5 records: SOA, old SOA, -, new SOA, +, SOA)."""
        lines = self.log.read_text(errors="replace").splitlines()
        if self.kind == "knot":
            done = [line for line in lines if "XFR, incoming" in line and "finished" in line]
            found = re.search(r"\] (\w+), incoming.* (\d+ bytes)", done[-1]) if done else None
        else:
            done = [line for line in lines if "Transfer completed" in line]
            found = re.search(r"(\d+ records), (\d+ bytes)", done[-1]) if done else None
        return " ".join(found.groups()) if found else "?"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.out.close()


def zone_loads(state: Path, tmp: Path) -> tuple[float, float]:
    """(named-checkzone seconds, knotd start → SOA answered seconds) for the exported private zone."""
    zones = tmp / "export"
    vpcep(state, "dns", "export", "--dir", str(zones))
    zone_file = next(zones.glob("*.zone"))
    bind = timed(lambda: subprocess.run(["named-checkzone", ZONE, str(zone_file)], capture_output=True, check=True))
    knotd = shutil.which("knotd") or "/usr/sbin/knotd"
    if not Path(knotd).exists():
        return bind, float("nan")
    port, run = free_port(), tmp / "knot"
    run.mkdir(exist_ok=True)
    (run / "knot.conf").write_text(
        f"server:\n  listen: 127.0.0.1@{port}\n  rundir: {run}\n  user: root:root\n"
        f"database:\n  storage: {run}\ntemplate:\n  - id: default\n    storage: {zones}\n"
        f"zone:\n  - domain: {ZONE}\n    file: {zone_file.name}\n")
    start = time.perf_counter()
    knot = subprocess.Popen([knotd, "-c", str(run / "knot.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import dns.message
        import dns.query
        while time.perf_counter() - start < 300:
            try:
                if dns.query.udp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1", port=port, timeout=0.1).answer:
                    return bind, time.perf_counter() - start
            except Exception:  # noqa: BLE001 — still loading
                pass
        return bind, float("nan")
    finally:
        knot.terminate()
        knot.wait(timeout=30)


def row(size: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        state = tmp / "state.db"
        seeding = time.perf_counter()
        reg = seed(state, size)
        seeding = time.perf_counter() - seeding
        create = one_create_ms(reg)
        reg.close()
        whole = timed(lambda: vpcep(state, "endpoint", "list", "--json"))
        page = timed(lambda: vpcep(state, "endpoint", "list", "--json", "--limit", "100", "--offset", str(size // 2)))
        plan = timed(lambda: vpcep(state, "routes", "plan", "--gateway", "192.0.2.1", "--json"))
        first, rss, live, followed = dns_figures(state, tmp)
        bind, knot = zone_loads(state, tmp)
        secondaries = "  ".join(f"{kind} {seconds:.2f}s {how}" for kind, (seconds, how) in followed.items())
        return (f"{size:>9,} {seeding:7.1f}s {create:8.2f}ms {whole:7.2f}s {page * 1000:7.0f}ms {plan:7.2f}s "
                f"{first:7.2f}s {rss:6.0f}MiB {live:7.1f}ms {bind:7.2f}s {knot:7.2f}s  {secondaries}")


def main() -> None:
    parser = argparse.ArgumentParser(description="inventory costs by size (issue 15)")
    parser.add_argument("--sizes", default="1000,10000,100000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    os.environ.pop("VPCEP_CONFIG", None)
    random.seed(15)
    print(f"{'N':>9} {'seed':>8} {'create':>10} {'list':>8} {'page':>9} {'plan':>8} {'dns 1st':>8} {'RSS':>9} "
          f"{'cli→dns':>9} {'bind':>8} {'knot':>8}  secondaries told of one change (create → serving it, how)")
    for size in sizes:
        print(row(size), flush=True)


if __name__ == "__main__":
    main()
