"""The handler chain, CoreDNS style: ACL → private and static zones → OBS names → forwarding."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import secrets
import struct
import time
from dataclasses import dataclass, field

from toolkit.dnsserver import wire
from toolkit.dnsserver.answers import Answer, AuthTable, ObsTable
from toolkit.dnsserver.forward import Forwarder, Routes, Upstream, render
from toolkit.dnsserver.codes import Opcode, Qclass, Qtype, Rcode
from toolkit.dnsserver.wire import BadQuery, Drop, Query
from toolkit.errors import ConfigError, UpstreamError

FOREVER = math.inf
NOTHING = Answer(Rcode.NOERROR, False, (0, 0, 0), b"")  # RD=0 for a name we do not hold and have not cached
DENY, QUERY, RECURSE = 0, 1, 2
META_TYPES = frozenset(map(int, (Qtype.OPT, Qtype.TSIG, Qtype.TKEY)))  # never a question
XFR_TYPES = frozenset(map(int, (Qtype.AXFR, Qtype.IXFR)))


@dataclass
class Snapshot:
    """What the server answers from until the next rebuild: zones and their pre-encoded answers."""

    zones: list = field(default_factory=list)
    table: AuthTable = field(default_factory=lambda: AuthTable([]))
    obs: ObsTable | None = None


class Acl:
    """allow_query and allow_recursion, resolved once per client address (RFC 5358: no open resolver)."""

    def __init__(self, allow_query, allow_recursion) -> None:
        self.query = _networks(allow_query, "allow_query")
        self.recursion = _networks(allow_recursion, "allow_recursion")
        self.known: dict[str, int] = {}

    def classify(self, ip: str) -> int:
        level = self.known.get(ip)
        if level is None:
            if len(self.known) > 10_000:
                self.known.clear()
            level = self.known[ip] = self._level(ip)
        return level

    def _level(self, ip: str) -> int:
        address = ipaddress.ip_address(ip.split("%")[0])
        if not any(address in net for net in self.query):
            return DENY
        return RECURSE if any(address in net for net in self.recursion) else QUERY


def _networks(entries, setting: str) -> list:
    try:
        return [ipaddress.ip_network(entry, strict=False) for entry in entries]
    except ValueError as exc:
        raise ConfigError(f"[dns] {setting}: {exc}", fix="give CIDRs such as 127.0.0.0/8") from None


@dataclass(slots=True)
class Outcome:
    """A reply (or None: stay silent), until when the same packet may get the same bytes (0: never), and the
    forwarder that answered it ("IP:PORT", None when it was not forwarded): for the query log."""

    reply: bytes | list | None
    until: float = 0.0
    via: str | None = None


class Cookies:
    """RFC 7873 server cookies in the RFC 9018 layout: version 1, 3 reserved bytes, a timestamp and a keyed hash.

    The hash (BLAKE2b-64 under a secret made at start) covers the client cookie, the first 8 bytes and the
    client's address. Cookies are not enforced (no BADCOOKIE): a client without a valid one is answered
    as usual and gets a fresh one (RFC 7873 §5.2.3, §5.2.4).
    """

    def __init__(self, secret: bytes | None = None, now=time.time) -> None:
        self.secret, self.now = secret or secrets.token_bytes(16), now

    def option(self, client_cookie: bytes, ip: str) -> bytes:
        head = b"\x01\x00\x00\x00" + struct.pack("!I", int(self.now()) & 0xFFFFFFFF)
        digest = hashlib.blake2b(client_cookie[:8] + head + ip.encode(), key=self.secret, digest_size=8).digest()
        return wire.edns_option(wire.COOKIE, client_cookie[:8] + head + digest)


COOKIE_REUSE = 60.0  # seconds a cached reply may keep the server cookie it was made with


class Chain:
    """Answers one packet: sync for what we hold, a coroutine when a forwarder must be asked."""

    def __init__(self, live, acl: Acl, routes: Routes, obs_routes: list[Upstream] | None,
                 forwarder: Forwarder, xfr, clock, nsid: bytes = b"", cookies: Cookies | None = None) -> None:
        self.live, self.acl, self.routes, self.obs_routes = live, acl, routes, obs_routes
        self.forwarder, self.xfr, self.clock = forwarder, xfr, clock
        if len(nsid) > 255:
            raise ConfigError(f"[dns] nsid is {len(nsid)} bytes", rule="dns", fix="give at most 255 bytes")
        self.nsid = wire.edns_option(wire.NSID, nsid) if nsid else b""  # RFC 5001: only when configured
        self.cookies = cookies or Cookies()

    def handle(self, data: bytes, ip: str, tcp: bool):
        """An Outcome, or a coroutine giving one."""
        try:
            query = wire.parse(data)
        except Drop:
            return Outcome(None)
        except BadQuery as bad:
            return Outcome(wire.error_reply(bad.query, bad.rcode) if bad.query else None)
        edns = query.edns
        if edns is not None and (edns.cookie is not None or edns.nsid):
            self._options(edns, ip)
        level = self.acl.classify(ip)  # the first handler: outside allow_query is REFUSED
        if level == DENY:
            return Outcome(wire.error_reply(query, Rcode.REFUSED))
        try:
            outcome = self._checked(query, data, level, ip, tcp)
        except BadQuery as bad:
            return Outcome(wire.error_reply(query, bad.rcode, ra=level == RECURSE))
        if edns is not None and edns.cookie is not None:
            if isinstance(outcome, Outcome):
                outcome.until = min(outcome.until, self.clock() + COOKIE_REUSE)
            else:
                outcome = self._capped(outcome)
        return outcome

    def _options(self, edns, ip: str) -> None:
        """The reply's COOKIE (the client's, and ours for this address) and NSID when asked and configured."""
        options = self.cookies.option(edns.cookie, ip) if edns.cookie is not None else b""
        edns.reply_options = options + (self.nsid if edns.nsid else b"")

    async def _capped(self, pending) -> Outcome:
        outcome = await pending
        outcome.until = min(outcome.until, self.clock() + COOKIE_REUSE)
        return outcome

    def _checked(self, query: Query, data: bytes, level: int, ip: str, tcp: bool):
        signed = False
        if query.extra:
            query.edns, signed = self.xfr.inspect(data)
        if query.edns is not None and query.edns.version != 0:
            query.edns.version = 0
            raise BadQuery(Rcode.BADVERS)
        if query.opcode != Opcode.QUERY:
            return Outcome(self.xfr.refuse_opcode(query, data))
        if query.qclass != Qclass.IN:
            raise BadQuery(Rcode.REFUSED)  # CHAOS version.bind and friends: no version leak
        if query.qtype in XFR_TYPES:
            if not tcp and query.qtype != Qtype.IXFR:  # IXFR may come over UDP (RFC 1995 §2)
                raise BadQuery(Rcode.FORMERR)
            return Outcome(self.xfr.transfer(query, data, ip, self.live.snapshot, tcp))
        if query.qtype in META_TYPES:
            raise BadQuery(Rcode.FORMERR)
        if signed:
            return self._signed(query, data, level, tcp)
        return self._resolve(query, level, tcp)

    def _signed(self, query: Query, data: bytes, level: int, tcp: bool):
        """A TSIG-signed query (a secondary's SOA refresh): NOTAUTH for a bad key or signature, else a signed reply."""
        request = self.xfr.verify(query, data)
        if isinstance(request, bytes):
            return Outcome(request)
        try:
            result = self._resolve(query, level, tcp)
        except BadQuery as bad:
            result = Outcome(wire.error_reply(query, bad.rcode, ra=level == RECURSE))
        if isinstance(result, Outcome):
            return Outcome(result.reply and self.xfr.sign(request, result.reply))  # never cached: the MAC is per query

        async def later() -> Outcome:
            outcome = await result
            return Outcome(outcome.reply and self.xfr.sign(request, outcome.reply), via=outcome.via)
        return later()

    def _resolve(self, query: Query, level: int, tcp: bool):
        """The handlers in their fixed order; each answers (an Outcome or a coroutine) or passes on (None)."""
        for handler in (self._zones, self._obs, self._forwarding):
            result = handler(query, level, tcp)
            if result is not None:
                return result
        raise BadQuery(Rcode.REFUSED)

    def _zones(self, query: Query, level: int, tcp: bool):
        """Private and static zones: authoritative, NXDOMAIN/NODATA with the SOA."""
        answer = self.live.snapshot.table.lookup(query.key, query.qtype)
        return None if answer is None else self._send(query, answer, FOREVER, level, tcp)

    def _obs(self, query: Query, level: int, tcp: bool):
        """OBS names answered locally (`[obs] mode = "local"`); in forward mode they pass on."""
        obs = self.live.snapshot.obs
        if obs is None or not obs.matches(query.key):
            return None
        return self._send(query, obs.lookup(query.qtype), FOREVER, level, tcp)

    def _forwarding(self, query: Query, level: int, tcp: bool):
        """Forward zones, OBS forwarders, default forwarders; only for allow_recursion clients (RFC 5358).

        RD=0 is never recursed: a cached answer is given as BIND gives it, else NOERROR with nothing
        (BIND adds an upward referral to the root; we hold no root hints) that no one may cache.
        """
        if level != RECURSE:
            raise BadQuery(Rcode.REFUSED)
        upstreams = self.obs_routes if self._is_obs(query.key) else self.routes.for_name(query.key)
        if not upstreams:
            return None
        now = self.clock()
        cached = self.forwarder.cache.get((query.key, query.qtype, query.qclass), now)
        if cached is not None:  # a cache hit needs no coroutine
            self.forwarder.counts["hit"] += 1
            return self._send(query, *render(cached, query.key, query.qtype, now), level, tcp)
        if not query.flags & wire.RD:
            return self._send(query, NOTHING, 0.0, level, tcp)
        return self._forward(query, upstreams, tcp)

    def _is_obs(self, key: bytes) -> bool:
        return self.obs_routes is not None and self.live.obs_apex is not None and any(
            suffix == self.live.obs_apex for suffix in wire.suffixes(key))

    async def _forward(self, query: Query, upstreams: list[Upstream], tcp: bool) -> Outcome:
        try:
            entry = await self.forwarder.resolve(query.key, query.qtype, query.qclass, upstreams)
        except UpstreamError:
            return Outcome(wire.error_reply(query, Rcode.SERVFAIL, ra=True))  # never NXDOMAIN for a failure
        answer, until = render(entry, query.key, query.qtype, self.clock())
        outcome = self._send(query, answer, until, RECURSE, tcp)
        outcome.via = entry.via
        return outcome

    @staticmethod
    def _send(query: Query, answer: Answer, until: float, level: int, tcp: bool) -> Outcome:
        flags = wire.reply_flags(query, answer.rcode, aa=answer.aa, ra=level == RECURSE)
        reply = wire.assemble(query, flags, answer.counts, answer.body)
        if not tcp and len(reply) > query.limit() and answer.trimmed is not None:  # drop the optional additional
            reply = wire.assemble(query, flags, answer.trimmed.counts, answer.trimmed.body)
        if not tcp and len(reply) > query.limit():
            reply = wire.truncated(query, flags)
        return Outcome(reply, until)
