"""Unbound as a real peer: forwarding to us with 0x20 (use-caps-for-id), which checks our byte-exact question echo."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import dns.message
import dns.query
import dns.rcode
import pytest

from dnsutil import Running, addresses, free_port, with_dns

ZONE = "vpcep.cn-north-4.myhuaweicloud.com"


@pytest.fixture
def unbound(tmp_path):
    binary = shutil.which("unbound") or ("/usr/sbin/unbound" if os.path.exists("/usr/sbin/unbound") else None)
    if binary is None:
        pytest.skip("unbound is not installed")
    started = []

    def start(forward_port: int) -> int:
        port = free_port()
        conf = tmp_path / "unbound.conf"
        conf.write_text(f"""server:
  interface: 127.0.0.1
  port: {port}
  do-ip6: no
  do-daemonize: no
  use-syslog: no
  logfile: ""
  username: ""
  chroot: ""
  directory: "{tmp_path}"
  pidfile: "{tmp_path}/unbound.pid"
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  use-caps-for-id: yes
  qname-minimisation: no
  module-config: "iterator"
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@{forward_port}
""")
        log = open(tmp_path / "unbound.log", "w")
        started.append((subprocess.Popen([binary, "-d", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT), log))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                dns.query.udp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1", port=port, timeout=0.3)
                return port
            except Exception:
                assert started[-1][0].poll() is None, (tmp_path / "unbound.log").read_text()
        pytest.fail(f"unbound did not start: {(tmp_path / 'unbound.log').read_text()}")

    yield start
    for proc, log in started:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(10)
        log.close()


def test_unbound_with_0x20_resolves_private_and_bucket_names_through_us(unbound, registry, settings, endpoints):
    names, _ = endpoints
    asked = []
    ours = Running(with_dns(settings), registry, observer=lambda ip, query, reply, seconds: asked.append(query[12:]))
    try:
        _check_through(unbound(ours.port), names)
    finally:
        ours.stop()
    assert any(q != q.lower() and q != q.upper() for q in asked), "unbound did not randomize the case (0x20)"


def _check_through(port: int, names: dict) -> None:
    for name, ip in names.items():
        reply = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=3)
        assert addresses(reply) == [ip]  # unbound drops replies whose question case differs from what it sent
    bucket = dns.query.udp(dns.message.make_query("logs.obs.cn-north-4.myhuaweicloud.com", "A"), "127.0.0.1",
                           port=port, timeout=3)
    assert addresses(bucket) == ["100.125.0.10"]
    missing = dns.query.udp(dns.message.make_query(f"gone.{ZONE}", "A"), "127.0.0.1", port=port, timeout=3)
    assert missing.rcode() == dns.rcode.NXDOMAIN
