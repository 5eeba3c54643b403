"""Forwarding: upstreams ordered by smoothed RTT and loss, retransmission, RFC 5452 matching, a TTL cache."""

from __future__ import annotations

import asyncio
import math
import secrets
import socket
import struct
from collections import OrderedDict
from dataclasses import dataclass, field

from dnslib import QTYPE, RR, DNSRecord

from toolkit.dnsserver.answers import Answer, pack_body
from toolkit.dnsserver.codes import Rcode
from toolkit.dnsserver.tally import Buckets
from toolkit.dnsserver.wire import HEADER, QR, RD, TC, opt_record, Edns, wire_to_text
from toolkit.config import host_port
from toolkit.errors import ConfigError, UpstreamError

MAX_TTL = 86400
TTL = struct.Struct("!I")
MUTED = (41, 250, 24)  # OPT, TSIG, SIG: hop-by-hop records are never cached or passed on
LOSS_WEIGHT = 0.2  # how fast the loss rate follows: about the last 5 exchanges


@dataclass(eq=False)
class Upstream:
    """One forwarder and its health: smoothed RTT and variance (RFC 6298) and a smoothed loss rate.

    There is no hold-down: a lossy or dead forwarder sinks in the order (its expected wait grows) and
    is probed again with one real query every `Policy.probe_interval`, so it comes back as soon as it answers.
    """

    host: str
    port: int = 53
    srtt: float | None = None
    rttvar: float = 0.0
    loss: float = 0.0
    last_sent: float = -math.inf
    answered: int = 0
    lost: int = 0
    latency: Buckets = field(default_factory=Buckets)  # round trips of the answers, for the metrics

    @classmethod
    def parse(cls, text: str) -> "Upstream":
        try:
            host, port = host_port(text)
            return cls(host or text, port)
        except ValueError:
            raise ConfigError(f"forwarder {text!r} is not IP[:PORT]", fix="e.g. 10.0.0.53 or 127.0.0.1:5300") from None

    @property
    def name(self) -> str:
        return f"{self.host}:{self.port}"

    def rto(self, policy: "Policy") -> float:
        """How long to wait for this forwarder before retransmitting (RFC 6298 §2, bounded by the policy)."""
        if self.srtt is None:
            return policy.first_rto
        return min(policy.timeout, max(policy.min_rto, self.srtt + 4 * self.rttvar))

    def expected(self, policy: "Policy") -> float:
        """The expected time to an answer, a wait of one RTO per expected loss included: what the order sorts by."""
        rtt = self.srtt if self.srtt is not None else policy.first_rto
        return rtt + self.rto(policy) * self.loss / max(0.02, 1.0 - self.loss)

    def answered_in(self, rtt: float) -> None:
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)
            self.srtt = 0.875 * self.srtt + 0.125 * rtt
        self.loss *= 1 - LOSS_WEIGHT
        self.answered += 1
        self.latency.observe(rtt)

    def missed(self) -> None:
        """No usable reply in time: a lost packet, a SERVFAIL, garbage."""
        self.loss = self.loss * (1 - LOSS_WEIGHT) + LOSS_WEIGHT
        self.lost += 1

    @property
    def state(self) -> str:
        """up, degraded (loses some) or down (loses nearly everything; probed only)."""
        return "down" if self.loss > 0.9 else "degraded" if self.loss > 0.2 else "up"


@dataclass(slots=True)
class Cached:
    """An upstream reply kept for its TTL: rcode and sections (OPT removed), when stored, when stale.

    `packed` is filled on first use: the body packed once, with where each TTL sits, so that
    later replies only patch the TTLs down instead of packing again; `via` is the forwarder that gave it.
    """

    rcode: int
    sections: tuple[list, list, list]
    stored: float
    expires: float
    packed: tuple | None = None
    via: str | None = None


@dataclass
class Policy:
    """How hard to try: the longest wait before a retransmission, the total deadline, probing, the cache size.

    `first_rto` is the wait for a forwarder never measured; `min_rto` the floor of a measured one;
    each round of retransmissions waits `backoff` times longer (capped at `timeout`).
    """

    timeout: float = 1.0
    deadline: float = 3.0
    first_rto: float = 0.3
    min_rto: float = 0.05
    backoff: float = 1.5
    probe_interval: float = 1.0
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
        self.counts = {"hit": 0, "miss": 0, "shared": 0}  # the cache's hits (counted by the chain), fetches, joins

    async def resolve(self, key: bytes, qtype: int, qclass: int, upstreams: list[Upstream]) -> Cached:
        """The cached or fresh reply; UpstreamError when every usable forwarder failed within the deadline."""
        loop = asyncio.get_running_loop()
        ckey = (key, qtype, qclass)
        hit = self.cache.get(ckey, loop.time())
        if hit is not None:
            return hit
        if ckey in self.inflight:  # the same question is already on its way: share its reply
            self.counts["shared"] += 1
            return await asyncio.shield(self.inflight[ckey])
        self.counts["miss"] += 1
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
        """Send to the best forwarder, retransmit (to the next one, round after round) at each one's RTO.

        Every transmission has its own ID and stays valid until the deadline, so a late reply to an
        earlier one still counts; all of it goes through one socket per address family, closed at the end.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.policy.deadline
        question = key + struct.pack("!HH", qtype, qclass)
        with _Exchange(loop, question) as exchange:
            for upstream, wait in self._schedule(upstreams, loop.time()):
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                qid = exchange.new_id()
                if not exchange.send(upstream, query_for(qid, question)):
                    upstream.missed()
                    continue
                entry = await self._collect(exchange, min(wait, remaining), deadline)
                if entry is not None:
                    return entry
                if qid in exchange.sent:
                    upstream.missed()  # no reply within its RTO: count the loss, move on
        raise UpstreamError(f"no forwarder answered {wire_to_text(key)}", rule="forward")

    async def _collect(self, exchange: "_Exchange", wait: float, deadline: float) -> Cached | None:
        """The first usable reply within `wait`; an unusable one counts against its forwarder and ends the wait."""
        loop = asyncio.get_running_loop()
        got = exchange.next_reply() or await exchange.wait(wait)
        while got is not None:
            upstream, reply, rtt = got
            try:
                entry = await self._usable(upstream, reply, exchange.question, deadline)
            except (asyncio.TimeoutError, OSError, ValueError, _Unusable):
                upstream.missed()
                got = exchange.next_reply()
                continue
            upstream.answered_in(rtt)
            entry.via = upstream.name
            return entry
        return None

    async def _usable(self, upstream: Upstream, reply: bytes, question: bytes, deadline: float) -> Cached:
        loop = asyncio.get_running_loop()
        if HEADER.unpack_from(reply)[1] & TC:  # RFC 7766: the same question over TCP
            qid = HEADER.unpack_from(reply)[0]
            reply = await asyncio.wait_for(tcp_exchange(upstream, query_for(qid, question), qid, question),
                                           max(0.01, deadline - loop.time()))
        return _usable(reply, loop.time())

    def _schedule(self, upstreams: list[Upstream], now: float):
        """(forwarder, wait) pairs: one overdue for a probe first, then the order by expected wait, round after round."""
        order = self._order(upstreams, now)
        for probe in order[1:]:
            if probe.last_sent > -math.inf and now - probe.last_sent >= self.policy.probe_interval:
                order.remove(probe)
                order.append(probe)
                yield probe, min(probe.rto(self.policy), order[0].rto(self.policy))
                break
        factor = 1.0
        while True:
            for upstream in order:
                yield upstream, min(self.policy.timeout, upstream.rto(self.policy) * factor)
            factor *= self.policy.backoff

    def _order(self, upstreams: list[Upstream], now: float) -> list[Upstream]:
        """Forwarders by expected wait (configured order breaks ties); a forwarder that loses much sinks."""
        return sorted(upstreams, key=lambda upstream: upstream.expected(self.policy))


def query_for(qid: int, question: bytes) -> bytes:
    return HEADER.pack(qid, RD, 1, 0, 0, 1) + question + opt_record(Edns(1232, 0, False))


class _Exchange:
    """The transmissions of one question: a socket per address family, our IDs, replies as they match.

    Readers are raw `add_reader` callbacks on sockets we own, so the same code closes every socket on
    the plain loop and on uvloop (whose datagram transports leaked the fds of timed-out forwards).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, question: bytes) -> None:
        self.loop, self.question = loop, question
        self.sockets: dict[int, socket.socket] = {}
        self.sent: dict[int, tuple[Upstream, float, tuple]] = {}  # qid → forwarder, when, its address
        self.replies: list[tuple[Upstream, bytes, float]] = []  # forwarder, reply, its round trip
        self.waiter: asyncio.Future | None = None

    def __enter__(self) -> "_Exchange":
        return self

    def __exit__(self, *exc) -> None:
        for sock in self.sockets.values():
            self.loop.remove_reader(sock.fileno())
            sock.close()
        self.sockets.clear()

    def new_id(self) -> int:
        """A random ID (RFC 5452) none of this question's transmissions uses."""
        qid = secrets.randbits(16)
        while qid in self.sent:
            qid = secrets.randbits(16)
        return qid

    def send(self, upstream: Upstream, query: bytes) -> bool:
        """False when the socket cannot be made or the datagram not sent (no fds, no route)."""
        qid = HEADER.unpack_from(query)[0]
        try:
            sock = self._socket(socket.AF_INET6 if ":" in upstream.host else socket.AF_INET)
            address = socket.getaddrinfo(upstream.host, upstream.port, sock.family, socket.SOCK_DGRAM,
                                         0, socket.AI_NUMERICHOST)[0][4]
            sock.sendto(query, address)
        except (OSError, socket.gaierror):
            return False
        upstream.last_sent = self.loop.time()
        self.sent[qid] = (upstream, upstream.last_sent, address[:2])
        return True

    def _socket(self, family: int) -> socket.socket:
        sock = self.sockets.get(family)
        if sock is None:
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.setblocking(False)
            self.sockets[family] = sock
            self.loop.add_reader(sock.fileno(), self._readable, sock)
        return sock

    def _readable(self, sock: socket.socket) -> None:
        while True:
            try:
                data, addr = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # an ICMP error queued on the socket: that forwarder will time out
                continue
            if len(data) < 12:
                continue
            sent = self.sent.get(HEADER.unpack_from(data)[0])
            if sent is None or sent[2] != addr[:2] or not matches(data, HEADER.unpack_from(data)[0], self.question):
                continue  # RFC 5452: our ID, from where we sent it, our question
            del self.sent[HEADER.unpack_from(data)[0]]
            self.replies.append((sent[0], data, self.loop.time() - sent[1]))
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_result(None)

    def next_reply(self) -> tuple[Upstream, bytes, float] | None:
        return self.replies.pop(0) if self.replies else None

    async def wait(self, timeout: float) -> tuple[Upstream, bytes, float] | None:
        if timeout <= 0:
            return None
        self.waiter = self.loop.create_future()
        try:
            await asyncio.wait_for(self.waiter, timeout)
        except asyncio.TimeoutError:
            return None
        finally:
            self.waiter = None
        return self.next_reply()


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


async def udp_exchange(upstream: Upstream, query: bytes, qid: int, question: bytes) -> bytes:
    """One message from a fresh socket (the kernel picks a random source port); only a matching reply ends it.

    The socket is closed however this ends (a reply, a timeout that cancels it, an error).
    """
    loop = asyncio.get_running_loop()
    with _Exchange(loop, question) as exchange:
        if not exchange.send(upstream, query):
            raise OSError(f"cannot send to {upstream.name}")
        while True:
            got = exchange.next_reply() or await exchange.wait(3600)
            if got is not None:
                return got[1]


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
