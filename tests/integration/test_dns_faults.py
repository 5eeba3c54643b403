"""Bounds under faults (issue 14): forwards that time out, pipelining past the cap, slowloris, a lossy upstream."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import struct
import threading
import time

import dns.message
import dns.rcode
import pytest

from dnsutil import with_dns
from faultpeers import LossyUpstream
from toolkit.dnsserver.forward import Policy
from toolkit.dnsserver.runtime import Options
from toolkit.dnsserver.server import Limits

from test_dns_cli import vpcep_process


def rss_kb(pid: int) -> int:
    return int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1))


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def frame(name: str) -> bytes:
    wire = dns.message.make_query(name, "A").to_wire()
    return struct.pack("!H", len(wire)) + wire


@pytest.fixture
def forwarding_process(state_path, endpoints):
    """`dns serve` in a child forwarding to `upstream`; yields a starter, stopped after the test."""
    started = []

    def start(upstream: str, *flags: str):
        proc = vpcep_process(state_path, "dns", "serve", "--listen", "127.0.0.1:0", "--zones",
                             str(state_path.parent), "--forwarder", upstream, *flags)
        line = proc.stdout.readline()
        match = re.search(r":(\d+) ", line)
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
        started.append(proc)
        return proc, int(match.group(1))

    yield start
    for proc in started:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(10)


def pipeline(port: int, count: int, prefix: str) -> dict:
    """One TCP connection: `count` distinct forwarded questions written as fast as the server reads; rcodes read back."""
    rcodes: dict = {}
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        def send() -> None:
            for start in range(0, count, 1000):
                sock.sendall(b"".join(frame(f"{prefix}{i}.example") for i in range(start, min(count, start + 1000))))

        writer = threading.Thread(target=send, daemon=True)
        writer.start()
        buffer, got = b"", 0
        while got < count:
            chunk = sock.recv(1 << 16)
            assert chunk, f"closed after {got} replies"
            buffer += chunk
            while len(buffer) >= 2 and len(buffer) >= 2 + struct.unpack_from("!H", buffer)[0]:
                size = struct.unpack_from("!H", buffer)[0]
                rcode = buffer[2 + 3] & 0xF
                rcodes[rcode] = rcodes.get(rcode, 0) + 1
                buffer, got = buffer[2 + size:], got + 1
        writer.join(30)
    return rcodes


def settle(pid: int, limit: int, seconds: float = 10.0) -> int:
    """The process's fd count once it is at or under `limit` (or when time is up)."""
    deadline = time.monotonic() + seconds
    while fds(pid) > limit and time.monotonic() < deadline:
        time.sleep(0.05)
    return fds(pid)


@pytest.mark.slow
@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
def test_20000_timed_out_forwards_leave_fds_and_rss_flat(forwarding_process, loop):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # an upstream that never answers
    silent.bind(("127.0.0.1", 0))
    try:
        proc, port = forwarding_process("127.0.0.1:%d" % silent.getsockname()[1], "--event-loop", loop,
                                        "--forward-timeout", "0.1", "--forward-deadline", "0.3")
        assert pipeline(port, 2_000, "warm") == {dns.rcode.SERVFAIL: 2_000}
        base_fds = settle(proc.pid, 0, 1.0)
        base_rss = rss_kb(proc.pid)
        assert pipeline(port, 20_000, "n") == {dns.rcode.SERVFAIL: 20_000}
        after_fds = settle(proc.pid, base_fds)
        growth = rss_kb(proc.pid) - base_rss
        print(f"{loop}: fds {base_fds} -> {after_fds} after 20,000 SERVFAILs, RSS growth {growth} kB")
        assert after_fds <= base_fds and growth < 20 * 1024  # leaked sockets cost far more (18,975 fds before)
    finally:
        silent.close()


@pytest.mark.slow
def test_200000_pipelined_tcp_forwards_stay_under_the_cap_and_100_mb(forwarding_process):
    upstream = LossyUpstream(0.0)
    try:
        proc, port = forwarding_process(upstream.address, "--forward-timeout", "0.2", "--forward-deadline", "1")
        peak, done = [rss_kb(proc.pid)], threading.Event()

        def watch() -> None:
            while not done.wait(0.05):
                peak.append(rss_kb(proc.pid))

        threading.Thread(target=watch, daemon=True).start()
        started = time.monotonic()
        rcodes = pipeline(port, 200_000, "p")
        done.set()
        print(f"200,000 pipelined forwards in {time.monotonic() - started:.1f} s: {rcodes}; "
              f"RSS {peak[0]} -> peak {max(peak)} kB")
        assert sum(rcodes.values()) == 200_000 and rcodes.get(dns.rcode.NXDOMAIN, 0) >= 190_000
        assert max(peak) < 100 * 1024
    finally:
        upstream.close()


def test_slowloris_of_1030_connections_keeps_a_new_client_out_no_longer_than_the_message_deadline(serve, settings,
                                                                                                   endpoints):
    names, _ = endpoints
    name = next(iter(names))
    limits = Limits(tcp_max=1024, tcp_idle=30.0, tcp_message=1.0)
    server = serve(with_dns(settings), Options(poll=0.01, limits=limits))
    slow = [socket.create_connection((server.host, server.port), timeout=5) for _ in range(1030)]
    stop = threading.Event()

    def drip() -> None:  # one byte a second on every connection still open
        while not stop.is_set():
            for sock in slow:
                try:
                    sock.send(b"\x00")
                except OSError:
                    pass
            stop.wait(1.0)

    threading.Thread(target=drip, daemon=True).start()
    try:
        time.sleep(0.5)  # the slowloris is in place: every slot taken, each mid-message
        waits = []
        for _ in range(5):
            started = time.monotonic()
            reply = _ask_tcp(server, name)
            waits.append(time.monotonic() - started)
            assert reply.rcode() == dns.rcode.NOERROR
        print(f"slowloris: a new client answered in at most {max(waits) * 1000:.0f} ms "
              f"(deadline {limits.tcp_message} s); stats {server.service.server.stats}")
        assert max(waits) <= limits.tcp_message
        deadline = time.monotonic() + 10 * limits.tcp_message
        while server.service.server.connections and time.monotonic() < deadline:
            time.sleep(0.05)
        stats = server.service.server.stats
        assert not server.service.server.connections  # each drip restarted nothing: all cut at their deadline
        assert stats["tcp_deadline"] + stats["tcp_evicted"] >= 1025
    finally:
        stop.set()
        for sock in slow:
            sock.close()


def _ask_tcp(server, name: str) -> dns.message.Message:
    import dns.query

    return dns.query.tcp(dns.message.make_query(name, "A"), server.host, port=server.port, timeout=3)


@pytest.mark.parametrize("loss, wanted", [(0.25, 0.90), (0.75, 0.50)])
def test_a_lossy_upstream_still_answers_within_2_s(serve, settings, loss, wanted):
    upstream = LossyUpstream(loss, seed=14)
    try:
        server = serve(with_dns(settings, forwarders=(upstream.address,)), Options(poll=0.01, policy=Policy()))
        count, answered = 500, 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            for i in range(count):
                sock.sendto(dns.message.make_query(f"l{i}.example", "A").to_wire(), (server.host, server.port))
            deadline = time.monotonic() + 2.0
            while answered < count and select.select([sock], [], [], max(0, deadline - time.monotonic()))[0]:
                reply = dns.message.from_wire(sock.recv(65535))
                answered += reply.rcode() == dns.rcode.NXDOMAIN
        share = answered / count
        print(f"{loss:.0%}-lossy upstream: {answered}/{count} answered within 2 s ({share:.1%}); "
              f"upstream saw {upstream.received} packets")
        assert share >= wanted
    finally:
        upstream.close()


def test_workers_die_with_a_parent_killed_by_sigkill_so_the_next_start_works(state_path, endpoints):
    import shutil
    import subprocess

    from dnsutil import free_port

    if not shutil.which("ss"):
        pytest.skip("ss (iproute2) is not installed")

    def holders(port: int) -> int:
        return subprocess.run(["ss", "-Hulpn", f"sport = :{port}"], capture_output=True, text=True).stdout.count("pid=")

    port = free_port()
    argv = ("dns", "serve", "--listen", f"127.0.0.1:{port}", "--workers", "2", "--zones", str(state_path.parent))
    proc = vpcep_process(state_path, *argv)
    assert "listening on" in proc.stdout.readline()
    deadline = time.monotonic() + 10
    while holders(port) < 2:
        assert time.monotonic() < deadline, "the second worker never bound the port"
        time.sleep(0.05)
    proc.kill()  # kill -9: no chance to stop its worker
    proc.wait(10)
    deadline = time.monotonic() + 5
    while holders(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = holders(port)
    again = vpcep_process(state_path, *argv)
    try:
        line = again.stdout.readline()
        print(f"kill -9 of the parent: {left} process(es) left on the port; next start: {line.strip()!r}")
        assert left == 0 and "listening on" in line
    finally:
        again.terminate()
        again.wait(10)
