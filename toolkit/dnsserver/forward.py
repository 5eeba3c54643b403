"""Forwarding: upstream pool with failover and hold-down, RFC 5452 reply matching, a TTL-honouring cache."""

from __future__ import annotations

import asyncio
import secrets
import struct
from collections import OrderedDict
from dataclasses import dataclass, field

from dnslib import QTYPE, RR, DNSRecord

from toolkit.dnsserver.answers import Answer, pack_body
from toolkit.dnsserver.codes import Rcode
from toolkit.dnsserver.wire import HEADER, QR, RD, TC, opt_record, Edns, wire_to_text
from toolkit.config import host_port
from toolkit.errors import ConfigError, UpstreamError

MAX_TTL = 86400
TTL = struct.Struct("!I")
MUTED = (41, 250, 24)  # OPT, TSIG, SIG: hop-by-hop records are never cached or passed on


@dataclass
class Upstream:
    """One forwarder and its health: after `threshold` failures in a row it is skipped for a while."""

    host: str
    port: int = 53
    failures: int = 0
    down_until: float = 0.0

    @classmethod
    def parse(cls, text: str) -> "Upstream":
        try:
            host, port = host_port(text)
            return cls(host or text, port)
        except ValueError:
            raise ConfigError(f"forwarder {text!r} is not IP[:PORT]", fix="e.g. 10.0.0.53 or 127.0.0.1:5300") from None

    def usable(self, now: float) -> bool:
        return self.down_until <= now


@dataclass(slots=True)
class Cached:
    """An upstream reply kept for its TTL: rcode and sections (OPT removed), when stored, when stale.

    `packed` is filled on first use: the body packed once, with where each TTL sits, so that
    later replies only patch the TTLs down instead of packing again.
    """

    rcode: int
    sections: tuple[list, list, list]
    stored: float
    expires: float
    packed: tuple | None = None


@dataclass
class Policy:
    """How hard to try: per-attempt timeout, total deadline, failures before hold-down, hold-down length."""

    timeout: float = 1.0
    deadline: float = 3.0
    threshold: int = 3
    hold_down: float = 30.0
    cache_size: int = 100_000


class Cache:
    """Bounded by entry count; the oldest insertion goes first; entries die at their TTL (RFC 2308 for negatives)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, Cached] = OrderedDict()

    def get(self, key: tuple, now: float) -> Cached | None:
        entry = self.entries.get(key)
        if entry is not None and entry.expires <= now:
            del self.entries[key]
            return None
        return entry

    def put(self, key: tuple, entry: Cached) -> None:
        if entry.expires <= entry.stored:
            return
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


def cache_ttl(rcode: int, sections) -> int:
    """Positive: the least TTL of answer and authority. Negative: min(SOA TTL, SOA MINIMUM), none without SOA."""
    answer, authority, _ = sections
    if rcode == Rcode.NXDOMAIN or not answer:
        soas = [rr for rr in authority if rr.rtype == QTYPE.SOA]
        return min((min(rr.ttl, rr.rdata.times[4]) for rr in soas), default=0)
    return min(MAX_TTL, min(rr.ttl for rr in answer + authority))


def render(entry: Cached, key: bytes, qtype: int, now: float) -> tuple[Answer, float]:
    """The cached reply with TTLs counted down for this question; valid for at most a second."""
    if entry.packed is None:
        counts = tuple(len(section) for section in entry.sections)
        body = pack_body(wire_to_text(key), qtype, *entry.sections)
        ttls = [rr.ttl for section in entry.sections for rr in section]
        entry.packed = (counts, body, list(zip(ttl_offsets(body, sum(counts)), ttls)))
    counts, body, ttls = entry.packed
    age = int(now - entry.stored)
    patched = bytearray(body)
    for offset, ttl in ttls:
        TTL.pack_into(patched, offset, max(0, ttl - age))
    return Answer(entry.rcode, False, counts, bytes(patched)), min(entry.expires, now + 1.0)


def ttl_offsets(body: bytes, count: int) -> list[int]:
    """Where the TTL of each of `count` records sits in a packed body (names may be compressed)."""
    offsets, at = [], 0
    for _ in range(count):
        while body[at] and body[at] < 0xC0:
            at += 1 + body[at]
        at += 2 if body[at] >= 0xC0 else 1
        offsets.append(at + 4)
        at += 10 + struct.unpack_from("!H", body, at + 8)[0]
    return offsets


class Forwarder:
    """Asks upstreams, one after another, until one gives a matching, usable reply or time runs out."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self.cache = Cache(self.policy.cache_size)
        self.inflight: dict[tuple, asyncio.Future] = {}

    async def resolve(self, key: bytes, qtype: int, qclass: int, upstreams: list[Upstream]) -> Cached:
        """The cached or fresh reply; UpstreamError when every usable forwarder failed within the deadline."""
        loop = asyncio.get_running_loop()
        ckey = (key, qtype, qclass)
        hit = self.cache.get(ckey, loop.time())
        if hit is not None:
            return hit
        if ckey in self.inflight:  # the same question is already on its way: share its reply
            return await asyncio.shield(self.inflight[ckey])
        future = self.inflight[ckey] = loop.create_future()
        try:
            entry = await self._fetch(key, qtype, qclass, upstreams)
            self.cache.put(ckey, entry)
            future.set_result(entry)
            return entry
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody shared it
            raise
        finally:
            del self.inflight[ckey]

    async def _fetch(self, key: bytes, qtype: int, qclass: int, upstreams: list[Upstream]) -> Cached:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.policy.deadline
        while deadline > loop.time():  # round after round (a retransmission) until all are held down or time is up
            candidates = self._order(upstreams, loop.time())
            if not candidates:
                break
            for upstream in candidates:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    entry = await self._ask(upstream, key, qtype, qclass, min(self.policy.timeout, remaining))
                except (asyncio.TimeoutError, OSError, ValueError, _Unusable):
                    self._failed(upstream, loop.time())
                    continue
                upstream.failures, upstream.down_until = 0, 0.0
                return entry
        raise UpstreamError(f"no forwarder answered {wire_to_text(key)}", rule="forward")

    def _order(self, upstreams: list[Upstream], now: float) -> list[Upstream]:
        """Forwarders in configured order; those held down are skipped until their hold-down ends (then probed)."""
        return [up for up in upstreams if up.usable(now)]

    def _failed(self, upstream: Upstream, now: float) -> None:
        upstream.failures += 1
        if upstream.failures >= self.policy.threshold:
            upstream.down_until = now + self.policy.hold_down
            upstream.failures = self.policy.threshold - 1  # one more failure after the hold-down re-arms it

    async def _ask(self, upstream: Upstream, key: bytes, qtype: int, qclass: int, timeout: float) -> Cached:
        qid = secrets.randbits(16)
        question = key + struct.pack("!HH", qtype, qclass)
        query = HEADER.pack(qid, RD, 1, 0, 0, 1) + question + opt_record(Edns(1232, 0, False))
        reply = await asyncio.wait_for(udp_exchange(upstream, query, qid, question), timeout)
        if HEADER.unpack_from(reply)[1] & TC:
            reply = await asyncio.wait_for(tcp_exchange(upstream, query, qid, question), timeout)
        return _usable(reply, asyncio.get_running_loop().time())


class _Unusable(Exception):
    """The upstream answered, but with something we cannot pass on (SERVFAIL, REFUSED, garbage)."""


def _usable(reply: bytes, now: float) -> Cached:
    rcode = HEADER.unpack_from(reply)[1] & 0xF
    if rcode not in (Rcode.NOERROR, Rcode.NXDOMAIN):
        raise _Unusable(rcode)
    try:
        record = DNSRecord.parse(reply)
    except Exception as exc:  # dnslib raises several types for malformed input
        raise _Unusable(str(exc)) from None
    answer = [rr for rr in record.rr if rr.rtype not in MUTED]
    authority = [rr for rr in record.auth if rr.rtype not in MUTED]
    if rcode == Rcode.NXDOMAIN or not answer:  # RFC 2308 §5: a negative answer's SOA lives no longer than the negative TTL
        authority = [_negative(rr) if rr.rtype == QTYPE.SOA else rr for rr in authority]
    sections = (answer, authority, [rr for rr in record.ar if rr.rtype not in MUTED])
    return Cached(rcode, sections, now, now + cache_ttl(rcode, sections))


def _negative(soa: RR) -> RR:
    return RR(soa.rname, soa.rtype, soa.rclass, min(soa.ttl, soa.rdata.times[4]), soa.rdata)


def matches(reply: bytes, qid: int, question: bytes) -> bool:
    """RFC 5452 §9.1: a reply counts only with our ID, QR set, one question equal to ours (case aside)."""
    if len(reply) < 12 + len(question):
        return False
    rid, flags, qd = HEADER.unpack_from(reply)[:3]
    return rid == qid and bool(flags & QR) and qd == 1 and reply[12:12 + len(question)].lower() == question


class _OneReply(asyncio.DatagramProtocol):
    def __init__(self, future: asyncio.Future, qid: int, question: bytes) -> None:
        self.future, self.qid, self.question = future, qid, question

    def datagram_received(self, data: bytes, addr) -> None:
        if matches(data, self.qid, self.question) and not self.future.done():
            self.future.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.future.done():
            self.future.set_exception(exc)


async def udp_exchange(upstream: Upstream, query: bytes, qid: int, question: bytes) -> bytes:
    """One query from a fresh socket (the kernel picks a random source port); only a matching reply ends it."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    transport, _ = await loop.create_datagram_endpoint(lambda: _OneReply(future, qid, question),
                                                       remote_addr=(upstream.host, upstream.port))
    try:
        transport.sendto(query)
        return await future
    finally:
        transport.close()


async def tcp_exchange(upstream: Upstream, query: bytes, qid: int, question: bytes) -> bytes:
    """The same question over TCP after a truncated UDP reply (RFC 7766)."""
    reader, writer = await asyncio.open_connection(upstream.host, upstream.port)
    try:
        writer.write(struct.pack("!H", len(query)) + query)
        while True:
            size = struct.unpack("!H", await reader.readexactly(2))[0]
            reply = await reader.readexactly(size)
            if matches(reply, qid, question):
                return reply
    except asyncio.IncompleteReadError:
        raise _Unusable("connection closed") from None
    finally:
        writer.close()


@dataclass
class Routes:
    """Which forwarders a name goes to: the longest matching forward zone, else the defaults."""

    default: list[Upstream] = field(default_factory=list)
    zones: dict[bytes, list[Upstream]] = field(default_factory=dict)

    def for_name(self, key: bytes) -> list[Upstream]:
        from toolkit.dnsserver.wire import suffixes

        for suffix in suffixes(key):
            if suffix in self.zones:
                return self.zones[suffix]
        return self.default
