"""Hard to break: 100,000 mutated UDP packets and 1,000 over TCP, idle and excess TCP connections."""

from __future__ import annotations

import os
import random
import re
import select
import signal
import socket
import struct
import threading
import time

import dns.message
import dns.query
import dns.tsigkeyring
import pytest

from dnsutil import addresses, with_dns
from toolkit.dnsserver.runtime import Options
from toolkit.dnsserver.server import Limits

from test_dns_cli import vpcep_process

ZONE = "vpcep.cn-north-4.myhuaweicloud.com."
UDP_PACKETS, TCP_PACKETS = 100_000, 1_000
RSS_GROWTH_LIMIT_KB = 40 * 1024  # the packet cache (50,000 entries) is the largest thing allowed to grow


def corpus(names) -> list[bytes]:
    """Real queries of every kind the server handles, as the seeds of the mutations."""
    keyring = dns.tsigkeyring.from_text({"k": ("hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0")})
    made = [dns.message.make_query(n, t, use_edns=e) for n in names for t in ("A", "AAAA", "SOA", "ANY")
            for e in (False, 0)]
    made.append(dns.message.make_query(ZONE, "AXFR"))
    made.append(dns.message.make_query("version.bind", "TXT", rdclass="CH"))
    made.append(dns.message.make_query("x.example", "A", want_dnssec=True, payload=4096))
    signed = dns.message.make_query(ZONE, "SOA")
    signed.use_tsig(keyring, "k")
    made.append(signed)
    return [m.to_wire() for m in made]


def mutate(rng: random.Random, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        at = rng.randrange(len(data)) if data else 0
        if kind == 0 and data:
            data[at] ^= 1 << rng.randrange(8)
        elif kind == 1 and data:
            data[at] = rng.randrange(256)
        elif kind == 2:
            del data[at:at + rng.randint(1, 8)]
        elif kind == 3:
            data[at:at] = rng.randbytes(rng.randint(1, 8))
        elif kind == 4 and len(data) >= 12:
            struct.pack_into("!H", data, rng.choice((4, 6, 8, 10)), rng.choice((0, 1, 2, 0xFFFF)))
        else:
            data[at:at] = b"\xc0" + bytes([rng.randrange(256)])  # compression pointers anywhere
    return bytes(data)


def rss_kb(pid: int) -> int:
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


@pytest.fixture
def server_process(state_path, endpoints):
    proc = vpcep_process(state_path, "dns", "serve", "--listen", "127.0.0.1:0", "--zones", str(state_path.parent))
    port = int(re.search(r":(\d+) ", proc.stdout.readline()).group(1))
    yield proc, port
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)


@pytest.mark.slow
def test_fuzz_100k_udp_and_1k_tcp_packets_leave_the_server_correct_and_bounded(server_process, endpoints):
    proc, port = server_process
    names, _ = endpoints
    name, ip = next(iter(names.items()))
    rng = random.Random(20261126)
    seeds = corpus(list(names) + ["b.obs.cn-north-4.myhuaweicloud.com", "nope." + ZONE])
    packets = [mutate(rng, rng.choice(seeds)) for _ in range(UDP_PACKETS)]
    replies = _blast_udp(port, packets[:10_000])
    baseline = rss_kb(proc.pid)
    replies += _blast_udp(port, packets[10_000:])
    _blast_tcp(port, rng, seeds)
    reply = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=2)
    assert addresses(reply) == [ip]
    assert addresses(dns.query.tcp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=2)) == [ip]
    growth = rss_kb(proc.pid) - baseline
    print(f"fuzz: {replies} replies to {UDP_PACKETS} UDP packets, RSS growth {growth} kB")
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(10) == 0
    err = proc.stderr.read()
    assert "Traceback" not in err and "unexpected error" not in err
    assert replies > UDP_PACKETS // 2, "the server answered too few of the packets it was sent"
    assert growth < RSS_GROWTH_LIMIT_KB, f"RSS grew by {growth} kB"


def _blast_udp(port: int, packets: list[bytes]) -> int:
    """Send in bursts without waiting for each reply; count the replies that come back meanwhile."""
    got = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.setblocking(False)
        for start in range(0, len(packets), 200):
            for packet in packets[start:start + 200]:
                sock.sendto(packet, ("127.0.0.1", port))
            got += _drain(sock, 0.002)
        got += _drain(sock, 0.2)
    return got


def _drain(sock: socket.socket, wait: float) -> int:
    got = 0
    while select.select([sock], [], [], wait)[0]:
        try:
            while True:
                sock.recv(65535)
                got += 1
        except BlockingIOError:
            pass
    return got


def _blast_tcp(port: int, rng: random.Random, seeds: list[bytes]) -> None:
    """1,000 mutated messages over 20 connections, some with broken framing; the server must shrug."""
    for conn in range(20):
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            frames = [mutate(rng, rng.choice(seeds)) for _ in range(TCP_PACKETS // 20)]
            blob = b"".join(struct.pack("!H", len(f)) + f for f in frames)
            if conn % 5 == 4:
                blob = blob[:len(blob) // 2] + rng.randbytes(64)  # framing that ends mid-message
            try:
                sock.sendall(blob)
                sock.shutdown(socket.SHUT_WR)
                while sock.recv(65535):
                    pass
            except OSError:
                pass


def test_300_idle_tcp_connections_are_closed_after_the_idle_timeout_without_threads(serve, settings, endpoints):
    server = serve(with_dns(settings), Options(poll=0.01, limits=Limits(tcp_idle=0.5, tcp_max=1024)))
    threads = threading.active_count()
    socks = [socket.create_connection((server.host, server.port), timeout=5) for _ in range(300)]
    try:
        assert threading.active_count() == threads  # no thread per connection
        opened = time.monotonic()
        for sock in socks:
            assert sock.recv(10) == b""  # EOF from the server
        assert time.monotonic() - opened < 4.0
        assert len(server.service.server.connections) == 0
    finally:
        for sock in socks:
            sock.close()


def test_open_tcp_connections_are_bounded_and_the_quietest_make_room(serve, settings, endpoints):
    server = serve(with_dns(settings), Options(poll=0.01, limits=Limits(tcp_idle=5, tcp_max=50)))
    socks = [socket.create_connection((server.host, server.port), timeout=5) for _ in range(80)]
    try:
        deadline = time.monotonic() + 3
        while server.service.server.stats["tcp_evicted"] < 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(server.service.server.connections) <= 50
        assert server.service.server.stats["tcp_evicted"] == 30 and server.service.server.stats["tcp_refused"] == 0
        socks[0].settimeout(2)
        try:
            closed = socks[0].recv(10) == b""
        except ConnectionResetError:  # an abort: RST rather than FIN
            closed = True
        assert closed  # the oldest idle connection was the one closed (RFC 7766 §6.2.3)
        names, _ = endpoints
        assert addresses(server.ask(next(iter(names)), tcp=False)) == [names[next(iter(names))]]
    finally:
        for sock in socks:
            sock.close()


def test_client_that_never_reads_cannot_make_the_server_buffer_without_bound(serve, settings, endpoints):
    server = serve(with_dns(settings))
    names, _ = endpoints
    frame = dns.message.make_query(next(iter(names)), "A").to_wire()
    blob = (struct.pack("!H", len(frame)) + frame) * 20_000
    with socket.create_connection((server.host, server.port), timeout=5) as greedy:
        greedy.settimeout(1.0)
        sent = 0
        try:
            for _ in range(40):  # up to 800,000 queries, never reading a reply
                greedy.sendall(blob)
                sent += 1
        except TimeoutError:
            pass
        assert sent < 40, "the server kept reading although the client never read"
        buffered = max(conn.transport.get_write_buffer_size() for conn in server.service.server.connections)
        assert buffered < 4 << 20  # paused near the high-water mark, not megabytes of queued replies
        assert addresses(server.ask(next(iter(names)))) == [names[next(iter(names))]]
