"""Step 2, dns: each private name resolves through the resolver to the endpoint's ip (E5, O2, O6)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
import time
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from toolkit.checks.netns import Sockets
from toolkit.checks.result import StepResult, failed, passed, skipped
from toolkit.checks.target import CheckTarget


@dataclass(frozen=True)
class Answer:
    """What the resolver said about one name."""

    name: str
    rcode: str
    addresses: tuple[str, ...]
    ms: float
    error: str = ""


async def resolve(name: str, server: tuple[str, int], sockets: Sockets, timeout: float) -> Answer:
    """One A lookup over UDP (TCP on TC), matching ID and question (RFC 5452)."""
    start = time.perf_counter()
    query = dns.message.make_query(name, dns.rdatatype.A)
    try:
        reply = await asyncio.wait_for(_udp(query, server, sockets), timeout)
        if reply.flags & dns.flags.TC:
            reply = await asyncio.wait_for(_tcp(query, server, sockets), timeout)
    except (asyncio.TimeoutError, TimeoutError):
        return Answer(name, "TIMEOUT", (), _ms(start), f"no answer in {timeout:g} s")
    except OSError as exc:
        return Answer(name, "ERROR", (), _ms(start), str(exc.strerror or exc))
    addresses = tuple(str(r.address) for rrset in reply.answer if rrset.rdtype == dns.rdatatype.A for r in rrset)
    return Answer(name, dns.rcode.to_text(reply.rcode()), addresses, _ms(start))


async def _udp(query, server, sockets: Sockets) -> dns.message.Message:
    loop = asyncio.get_running_loop()
    with sockets.make(socket.SOCK_DGRAM) as sock:
        await loop.sock_connect(sock, server)
        await loop.sock_sendall(sock, query.to_wire())
        while True:
            data = await loop.sock_recv(sock, 65535)
            try:
                reply = dns.message.from_wire(data)
            except dns.exception.DNSException:
                continue
            if query.is_response(reply):
                return reply


async def _tcp(query, server, sockets: Sockets) -> dns.message.Message:
    loop = asyncio.get_running_loop()
    wire = query.to_wire()
    with sockets.make(socket.SOCK_STREAM) as sock:
        await loop.sock_connect(sock, server)
        await loop.sock_sendall(sock, struct.pack("!H", len(wire)) + wire)
        length = struct.unpack("!H", await _read(loop, sock, 2))[0]
        return dns.message.from_wire(await _read(loop, sock, length))


async def _read(loop, sock, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = await loop.sock_recv(sock, size - len(data))
        if not chunk:
            raise ConnectionResetError("resolver closed the connection")
        data += chunk
    return data


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


Hosts = list[tuple[str, str]]
"""(what a client names, the address it reaches): what the route and tcp steps probe."""


async def check_dns(target: CheckTarget, server, sockets: Sockets, timeout: float,
                    obs_cidr: str) -> tuple[StepResult, Hosts]:
    """The dns step, and the hosts the later steps probe: ip:port, and name:port as the resolver answers it."""
    endpoint = target.endpoint
    if endpoint.service_type == "gateway":
        return await check_obs_name(f"obs.{target.region}.{target.domain}", server, sockets, timeout, obs_cidr)
    own = [(endpoint.ip, endpoint.ip)] if endpoint.ip else []
    if not endpoint.dns_names:
        return skipped("dns", "no private domain name (the endpoint was created without --dns)"), own
    answers = await asyncio.gather(*(resolve(n, server, sockets, timeout) for n in endpoint.dns_names))
    named = [(a.name, a.addresses[0]) for a in answers if a.addresses]
    return _judge_private(answers, endpoint.ip, server), own + named


def _judge_private(answers: list[Answer], ip: str, server) -> StepResult:
    figures = {"resolver": f"{server[0]}:{server[1]}", "answers": {a.name: list(a.addresses) for a in answers},
               "ms": max(a.ms for a in answers)}
    missing = [a for a in answers if not a.addresses]
    drift = [a for a in answers if a.addresses and ip not in a.addresses]
    if missing:
        a = missing[0]
        return failed("dns", f"{a.name}: {a.error or a.rcode} (resolver {figures['resolver']})", "E5",
                      "point --resolver at `vpcep dns serve`, or forward the private zone to it "
                      "(vpcep routes render PLAN --format bind)", unknown=[m.name for m in missing], **figures)
    if drift:
        a = drift[0]
        return failed("dns", f"drift: {a.name} → {', '.join(a.addresses)}, the registry says {ip}", "E5",
                      "the resolver serves an edited or stale record: fix that zone or re-run `vpcep dns export`",
                      drift=[{"name": d.name, "registry": ip, "resolver": list(d.addresses)} for d in drift],
                      **figures)
    return passed("dns", f"{', '.join(a.name for a in answers)} → {ip}", **figures)


async def check_obs_name(name: str, server, sockets: Sockets, timeout: float,
                         obs_cidr: str) -> tuple[StepResult, Hosts]:
    """O2/O6: an OBS name resolves inside the OBS range."""
    answer = await resolve(name, server, sockets, timeout)
    figures = {"resolver": f"{server[0]}:{server[1]}", "answers": {name: list(answer.addresses)}, "ms": answer.ms}
    cidr = ipaddress.IPv4Network(obs_cidr)
    inside = [a for a in answer.addresses if ipaddress.IPv4Address(a) in cidr]
    if not answer.addresses:
        return failed("dns", f"{name}: {answer.error or answer.rcode} (resolver {figures['resolver']})", "O2",
                      "forward OBS names to the DNS endpoint (vpcep routes render PLAN --format bind|resolv)",
                      **figures), []
    if not inside:
        return failed("dns", f"{name} → {', '.join(answer.addresses)}, outside the OBS range {cidr}", "O2",
                      "the resolver answers OBS names itself: forward them to the DNS endpoint", **figures), []
    return passed("dns", f"{name} → {', '.join(inside)} (inside {cidr})", **figures), [(name, inside[0])]
