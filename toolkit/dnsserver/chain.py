"""The handler chain, CoreDNS style: ACL → private and static zones → OBS names → forwarding."""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field

from toolkit.dnsserver import wire
from toolkit.dnsserver.answers import Answer, AuthTable, ObsTable
from toolkit.dnsserver.forward import Forwarder, Routes, Upstream, render
from toolkit.dnsserver.codes import Opcode, Qclass, Qtype, Rcode
from toolkit.dnsserver.wire import BadQuery, Drop, Query
from toolkit.errors import ConfigError, UpstreamError

FOREVER = math.inf
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
    """A reply (or None: stay silent), and until when the same packet may get the same bytes (0: never)."""

    reply: bytes | list | None
    until: float = 0.0


class Chain:
    """Answers one packet: sync for what we hold, a coroutine when a forwarder must be asked."""

    def __init__(self, live, acl: Acl, routes: Routes, obs_routes: list[Upstream] | None,
                 forwarder: Forwarder, xfr, clock) -> None:
        self.live, self.acl, self.routes, self.obs_routes = live, acl, routes, obs_routes
        self.forwarder, self.xfr, self.clock = forwarder, xfr, clock

    def handle(self, data: bytes, ip: str, tcp: bool):
        """An Outcome, or a coroutine giving one."""
        try:
            query = wire.parse(data)
        except Drop:
            return Outcome(None)
        except BadQuery as bad:
            return Outcome(wire.error_reply(bad.query, bad.rcode) if bad.query else None)
        level = self.acl.classify(ip)  # the first handler: outside allow_query is REFUSED
        if level == DENY:
            return Outcome(wire.error_reply(query, Rcode.REFUSED))
        try:
            return self._checked(query, data, level, ip, tcp)
        except BadQuery as bad:
            return Outcome(wire.error_reply(query, bad.rcode, ra=level == RECURSE))

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
            return Outcome(outcome.reply and self.xfr.sign(request, outcome.reply))
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
        """Forward zones, OBS forwarders, default forwarders; only for allow_recursion clients (RFC 5358)."""
        if level != RECURSE:
            raise BadQuery(Rcode.REFUSED)
        upstreams = self.obs_routes if self._is_obs(query.key) else self.routes.for_name(query.key)
        if not upstreams:
            return None
        now = self.clock()
        cached = self.forwarder.cache.get((query.key, query.qtype, query.qclass), now)
        if cached is not None:  # a cache hit needs no coroutine
            return self._send(query, *render(cached, query.key, query.qtype, now), level, tcp)
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
        return self._send(query, answer, until, RECURSE, tcp)

    @staticmethod
    def _send(query: Query, answer: Answer, until: float, level: int, tcp: bool) -> Outcome:
        flags = wire.reply_flags(query, answer.rcode, aa=answer.aa, ra=level == RECURSE)
        reply = wire.assemble(query, flags, answer.counts, answer.body)
        if not tcp and len(reply) > query.limit():
            reply = wire.truncated(query, flags)
        return Outcome(reply, until)
