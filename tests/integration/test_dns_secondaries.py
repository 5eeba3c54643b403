"""Knot, BIND and PowerDNS as secondaries of our server (issue 14): NOTIFY, SOA refresh, IXFR, with and without TSIG.

Each daemon runs in the foreground in its own temp directory with its own config on a random loopback port and is
killed by its PID. Our server listens on a fixed random port so that it can be restarted where the secondaries look.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from dnsutil import Bind, Running, addresses, free_port, with_dns
from toolkit.dnsserver.runtime import Options
from toolkit.registry.endpoints import EndpointRequest

ZONE = "vpcep.cn-north-4.myhuaweicloud.com."
SECRET = base64.b64encode(b"a shared secret of thirty-two b!").decode()
KEYS = {"xfr-key": f"hmac-sha256:{SECRET}"}
PDNS_SCHEMA = Path("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")


class Daemon:
    """A foreground process writing its log to DIR/NAME.log; stopped by its PID."""

    name = "daemon"
    ready = ""

    def start(self, argv: list[str]) -> None:
        self.log = open(self.dir / f"{self.name}.log", "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.text()[-2000:]}")
            if self.ready in self.text():
                return
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not start: {self.text()[-2000:]}")

    def text(self) -> str:
        return (self.dir / f"{self.name}.log").read_text(errors="replace")

    def serial(self) -> int | None:
        """The serial this secondary serves authoritatively, or None while it has no zone."""
        try:
            reply = dns.query.udp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1", port=self.port, timeout=0.5)
        except dns.exception.Timeout:
            return None
        if reply.rcode() != dns.rcode.NOERROR or not reply.answer or not reply.flags & dns.flags.AA:
            return None
        return reply.answer[0][0].serial

    def addresses(self, name: str) -> list[str]:
        try:
            return addresses(dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=self.port, timeout=0.5))
        except dns.exception.Timeout:
            return []

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class Knot(Daemon):
    name, ready = "knot", "server started"

    def __init__(self, directory: Path, primary_port: int, tsig: bool) -> None:
        self.dir, self.port = directory, free_port()
        key = "    key: xfr-key\n" if tsig else ""
        keys = f"key:\n  - id: xfr-key\n    algorithm: hmac-sha256\n    secret: {SECRET}\n" if tsig else ""
        (directory / "knot.conf").write_text(f"""server:
    rundir: "{directory}"
    listen: 127.0.0.1@{self.port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: stdout
    any: info
database:
    storage: "{directory}"
{keys}remote:
  - id: primary
    address: 127.0.0.1@{primary_port}
{key}acl:
  - id: notify
    address: 127.0.0.0/8
    action: notify
{key}template:
  - id: default
    storage: "{directory}"
    zonefile-sync: -1
    zonefile-load: none
    journal-content: changes
zone:
  - domain: {ZONE}
    master: primary
    acl: notify
""")
        self.start(["knotd", "-c", str(directory / "knot.conf")])

    def transfers(self) -> list[str]:
        return [line for line in self.text().splitlines() if "XFR, incoming" in line and "finished" in line]


class PowerDns(Daemon):
    name, ready = "pdns", "Done launching threads"

    def __init__(self, directory: Path, primary_port: int, tsig: bool) -> None:
        self.dir, self.port = directory, free_port()
        database = directory / "pdns.sqlite3"
        subprocess.run(["sqlite3", str(database)], input=PDNS_SCHEMA.read_text(), text=True, check=True)
        (directory / "pdns.conf").write_text(f"""launch=gsqlite3
gsqlite3-database={database}
local-address=127.0.0.1
local-port={self.port}
socket-dir={directory}
secondary=yes
allow-notify-from=127.0.0.0/8
daemon=no
guardian=no
disable-syslog=yes
loglevel=6
xfr-cycle-interval=1
webserver=no
api=no
""")
        util = ["pdnsutil", f"--config-dir={directory}"]
        subprocess.run([*util, "create-secondary-zone", ZONE, f"127.0.0.1:{primary_port}"], check=True,
                       capture_output=True)
        subprocess.run([*util, "set-meta", ZONE, "IXFR", "1"], check=True, capture_output=True)
        if tsig:
            subprocess.run([*util, "import-tsig-key", "xfr-key", "hmac-sha256", SECRET], check=True, capture_output=True)
            subprocess.run([*util, "set-meta", ZONE, "AXFR-MASTER-TSIG", "xfr-key"], check=True, capture_output=True)
        self.start(["pdns_server", f"--config-dir={directory}"])

    def transfers(self) -> list[str]:
        return [line for line in self.text().splitlines() if "XFR-in" in line and "committed" in line]


class BindSecondary(Bind):
    def __init__(self, directory: Path, primary_port: int, tsig: bool) -> None:
        key = ' key "xfr-key"' if tsig else ""
        keys = f'key "xfr-key" {{ algorithm hmac-sha256; secret "{SECRET}"; }};\n' if tsig else ""
        super().__init__(directory, f'{keys}zone "{ZONE}" {{ type secondary; file "sec.db"; '
                                    f'primaries {{ 127.0.0.1 port {primary_port}{key}; }}; }};',
                         options="notify no;")

    def serial(self) -> int | None:
        return Daemon.serial(self)

    def addresses(self, name: str) -> list[str]:
        return Daemon.addresses(self, name)

    def transfers(self) -> list[str]:
        return [line for line in self.text().splitlines() if "Transfer completed" in line]


def _tsig(tsig: bool) -> dict:
    if not tsig:
        return {}
    import dns.tsigkeyring

    return {"keyring": dns.tsigkeyring.from_text({"xfr-key": ("hmac-sha256", SECRET)}), "keyname": "xfr-key",
            "keyalgorithm": "hmac-sha256"}


def _until(check, seconds: float, what: str, peers) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > seconds:
            logs = "\n".join(f"--- {type(p).__name__}\n{p.text()[-1500:]}" for p in peers)
            pytest.fail(f"{what} not within {seconds} s\n{logs}")
        time.sleep(0.02)  # polling other processes: there is no event to await
    return time.monotonic() - start


def _each(peers, check, seconds: float, what: str) -> str:
    """Poll until `check(peer)` holds for every peer; each one's time, as text."""
    start, took = time.monotonic(), {}
    while len(took) < len(peers):
        for peer in peers:
            if type(peer).__name__ not in took and check(peer):
                took[type(peer).__name__] = time.monotonic() - start
        if time.monotonic() - start > seconds:
            _until(lambda: False, 0, f"{what} (reached: {sorted(took)})", peers)
        time.sleep(0.01)  # polling other processes: there is no event to await
    return ", ".join(f"{name} {value * 1000:.0f} ms" for name, value in took.items())


class Transfers(logging.Handler):
    """Our server's transfer log lines (which secondary asked for what, IXFR deltas or full)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "XFR" in text or "transfer" in text or "NOTIFY" in text:
            self.lines.append(text)


@pytest.fixture
def peers(tmp_path):
    for program in ("knotd", "named", "pdns_server", "pdnsutil", "sqlite3"):
        if not shutil.which(program) and not shutil.which(f"/usr/sbin/{program}"):
            pytest.skip(f"{program} is not installed")
    if not PDNS_SCHEMA.exists():
        pytest.skip("pdns-backend-sqlite3 is not installed")
    started = []

    def start(primary_port: int, tsig: bool):
        for kind in (Knot, BindSecondary, PowerDns):
            directory = tmp_path / kind.__name__.lower()
            directory.mkdir()
            started.append(kind(directory, primary_port, tsig))
        return list(started)

    yield start
    for daemon in started:
        daemon.stop()


@pytest.mark.parametrize("tsig", [False, True], ids=["plain", "tsig"])
def test_knot_bind_and_powerdns_follow_changes_and_a_restart_by_ixfr(peers, registry, settings, endpoints, tsig):
    _, service = endpoints
    port = free_port()
    key = " key xfr-key" if tsig else ""
    custom = with_dns(settings, listen=(f"127.0.0.1:{port}",), tsig_keys=KEYS,
                      allow_transfer=("xfr-key",) if tsig else ("127.0.0.0/8",))
    log = Transfers()
    logging.getLogger("vpcep.dns").addHandler(log)
    logging.getLogger("vpcep.dns").setLevel(logging.INFO)
    ours = None
    try:
        ours = Running(custom, registry, Options(poll=0.01))
        secondaries = peers(port, tsig)
        ours.stop()  # again with NOTIFY targets, now that their ports are known
        custom = with_dns(custom, listen=(f"127.0.0.1:{port}",),
                          notify=tuple(f"127.0.0.1:{p.port}{key}" for p in secondaries))
        ours = Running(custom, registry, Options(poll=0.01))
        serial = lambda: ours.ask(ZONE, "SOA").answer[0][0].serial  # noqa: E731
        _until(lambda: all(p.serial() == serial() for p in secondaries), 10, "first transfer", secondaries)

        made = registry.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-c", subnet="sn-c", enable_dns=True))
        name = made.dns_names[0]
        took = _each(secondaries, lambda p: p.addresses(name) == [made.ip], 2, "a create")
        print(f"\n{'tsig' if tsig else 'plain'}: a create reached {took}")
        registry.delete_endpoint(made.id)
        took = _each(secondaries, lambda p: p.addresses(name) == [], 2, "a delete")
        print(f"a delete reached {took}")

        for _ in range(40):
            registry.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-c", subnet="sn-c", enable_dns=True))
        _until(lambda: all(p.serial() == serial() for p in secondaries), 5, "40 changes", secondaries)
        before = {type(p).__name__: len(p.transfers()) for p in secondaries}
        ours.stop()
        while_down = registry.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-c", subnet="sn-c",
                                                              enable_dns=True))
        log.lines.clear()
        ours = Running(custom, registry, Options(poll=0.01))
        new = serial()
        took = _each(secondaries, lambda p: p.serial() == new, 2, "the serial after a restart")
        assert all(p.addresses(while_down.dns_names[0]) == [while_down.ip] for p in secondaries)
        print(f"after 40 changes and a restart, serial {new} after the start: {took}")
        full = sum(len(m.to_wire()) for m in dns.query.xfr("127.0.0.1", ZONE, port=port, timeout=3,
                                                           **_tsig(tsig)))
        print(f"  (the whole zone by AXFR: {full} bytes)")
        incremental = [line for line in log.lines if line.startswith("IXFR of") and "deltas" in line]
        assert len(incremental) >= 3 and not [line for line in log.lines if "full transfer" in line], log.lines
        for line in incremental:
            print(f"  ours: {line}")
        for daemon in secondaries:
            fresh = daemon.transfers()[before[type(daemon).__name__]:]
            for line in fresh:
                print(f"  {type(daemon).__name__}: {line.strip()[-160:]}")
            if not isinstance(daemon, BindSecondary):  # BIND says IXFR only at debug level: our log shows it
                assert fresh and all("IXFR" in line for line in fresh), fresh
            sizes = [int(m) for line in fresh for m in re.findall(r"(\d+) bytes(?!/)", line)]
            assert all(size < full / 4 for size in sizes), (sizes, full)  # a delta, not the whole zone
    finally:
        if ours is not None:
            ours.stop()
        logging.getLogger("vpcep.dns").removeHandler(log)
