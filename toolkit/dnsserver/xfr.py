"""Zone transfer (AXFR over TCP, RFC 5936), TSIG (RFC 8945, via dnspython), NOTIFY out (RFC 1996)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import struct
from dataclasses import dataclass

from dnslib import QTYPE, DNSRecord

from toolkit.dnsserver import wire
from toolkit.dnsserver.forward import Upstream, udp_exchange
from toolkit.dnsserver.codes import Qtype, Rcode
from toolkit.dnsserver.wire import BadQuery, Edns, Query
from toolkit.dnsserver.zones import serial_gt
from toolkit.errors import ConfigError

log = logging.getLogger("vpcep.dns")
BADSIG, BADKEY, BADTIME = 16, 17, 18
CHUNK = 500  # records per AXFR message


def keyring_from(settings_keys: dict) -> dict:
    """`tsig_keys = {"name" = "hmac-sha256:<base64>"}` as a dnspython keyring."""
    if not settings_keys:
        return {}
    import dns.tsigkeyring

    pairs = {}
    for name, value in settings_keys.items():
        algorithm, _, secret = str(value).rpartition(":")
        if not algorithm or not secret:
            raise ConfigError(f"[dns] tsig_keys {name!r} is not ALGORITHM:BASE64", fix='e.g. "hmac-sha256:c2VjcmV0..."')
        pairs[name] = (algorithm, secret)
    try:
        return dns.tsigkeyring.from_text(pairs)
    except Exception as exc:  # dnspython raises binascii, NotImplemented or its own errors here
        raise ConfigError(f"[dns] tsig_keys: {exc}", fix="use hmac-sha256 with a base64 secret") from None


class Transfers:
    """Who may transfer which zone, checked by address (CIDR) or TSIG key name; never acts on NOTIFY/UPDATE."""

    def __init__(self, allow_transfer, keyring: dict, journal=None) -> None:
        self.keyring = keyring
        self.journal = journal or (lambda origin, since: None)  # Live.journal.deltas
        self.networks, self.key_names = [], set()
        for entry in allow_transfer:
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.key_names.add(entry.rstrip(".").lower() + ".")
        unknown = self.key_names - {name.to_text().lower() for name in keyring}
        if unknown:
            raise ConfigError(f"[dns] allow_transfer names unknown TSIG keys {sorted(unknown)}",
                              fix="add them to [dns] tsig_keys or give CIDRs")
        self._dnspython_zones: dict = {}
        self.results: dict[tuple[str, str], int] = {}  # (client, result) → transfers: for the metrics

    def _count(self, ip: str, result: str) -> None:
        self.results[ip, result] = self.results.get((ip, result), 0) + 1

    def inspect(self, data: bytes) -> tuple[Edns | None, bool]:
        """Full parse (dnslib) of a packet with more than a question: its OPT (checked) and whether it is signed."""
        try:
            record = DNSRecord.parse(data)
        except Exception:  # dnslib raises several types for malformed input
            raise BadQuery(Rcode.FORMERR) from None
        if any(rr.rtype == Qtype.OPT for rr in record.rr + record.auth):
            raise BadQuery(Rcode.FORMERR)
        opts = [rr for rr in record.ar if rr.rtype == Qtype.OPT]
        if len(opts) > 1 or any(str(rr.rname) not in (".", "") for rr in opts):
            raise BadQuery(Rcode.FORMERR)  # RFC 6891 §6.1.1: one OPT, owned by the root
        tsigs = [i for i, rr in enumerate(record.ar) if rr.rtype == Qtype.TSIG]
        if tsigs and tsigs != [len(record.ar) - 1]:
            raise BadQuery(Rcode.FORMERR)  # RFC 8945 §5.1: one TSIG, the last record
        edns = Edns(opts[0].rclass, (opts[0].ttl >> 16) & 0xFF, bool(opts[0].ttl & 0x8000)) if opts else None
        return edns, bool(tsigs)

    def refuse_opcode(self, query: Query, data: bytes) -> bytes:
        """NOTIFY and UPDATE are never acted on: NOTAUTH for a bad signature, else REFUSED."""
        signed = self._verify(query, data)
        if isinstance(signed, bytes):
            return signed
        return wire.error_reply(query, Rcode.REFUSED) if signed is None else self._signed_reply(signed, Rcode.REFUSED)

    def transfer(self, query: Query, data: bytes, ip: str, snapshot, tcp: bool = True) -> bytes | list[bytes]:
        """AXFR, or IXFR (RFC 1995: deltas from the journal, one SOA when current, AXFR form when not journalled)."""
        signed = self._verify(query, data)
        if isinstance(signed, bytes):
            self._count(ip, "badtsig")
            return signed
        if not self._allowed(ip, signed):
            log.info("refused transfer of %s to %s", wire.wire_to_text(query.key), ip)
            self._count(ip, "refused")
            return wire.error_reply(query, Rcode.REFUSED) if signed is None else self._signed_reply(signed, Rcode.REFUSED)
        zone = next((z for z in snapshot.zones if wire.name_to_wire(z.origin) == query.key), None)
        if zone is None:
            self._count(ip, "notauth")
            return wire.error_reply(query, Rcode.NOTAUTH) if signed is None else self._signed_reply(signed, Rcode.NOTAUTH)
        import dns.message

        request = signed if signed is not None else dns.message.from_wire(data)
        if query.qtype == Qtype.IXFR:
            return self._ixfr(request, zone, ip, query.limit() if not tcp else 0)
        log.info("transfer of %s serial %d to %s", zone.origin, zone.serial, ip)
        self._count(ip, "axfr")
        return self._axfr(request, zone)

    def verify(self, query: Query, data: bytes):
        """An ordinary signed query: the verified dnspython message, or the NOTAUTH reply bytes (RFC 8945 §5.2)."""
        return self._verify(query, data)

    @staticmethod
    def sign(request, reply: bytes) -> bytes:
        """Our reply to a signed query, signed with the same key over the request's MAC (RFC 8945 §5.3)."""
        import dns.message

        response = dns.message.from_wire(reply)
        response.use_tsig(request.keyring, request.keyname, algorithm=request.keyalgorithm)
        response.request_mac = request.mac
        return response.to_wire(max_size=65535)

    def _ixfr(self, request, zone, ip: str, udp_limit: int) -> bytes | list[bytes]:
        import dns.exception
        import dns.rdatatype

        soas = [rrset for rrset in request.authority if rrset.rdtype == dns.rdatatype.SOA]
        if not soas:
            raise BadQuery(Rcode.FORMERR)  # RFC 1995 §3: the client's SOA is in the authority section
        theirs = soas[0][0].serial
        current = [_rrset_of(zone.soa)]
        if not serial_gt(zone.serial, theirs):  # current (or ahead of us): one SOA (RFC 1995 §2)
            log.info("IXFR of %s to %s: serial %d is current", zone.origin, ip, theirs)
            self._count(ip, "current")
            return self._messages(request, current, udp_limit)[0]
        deltas = self.journal(zone.origin, theirs)
        if not deltas or deltas[-1][1] != zone.serial or any(a[1] != b[0] for a, b in zip(deltas, deltas[1:])):
            if udp_limit:  # over UDP: one SOA tells the client to ask again over TCP
                self._count(ip, "retry_tcp")
                return self._messages(request, current, udp_limit)[0]
            log.info("IXFR of %s to %s: serial %d not in the journal, full transfer of %d", zone.origin, ip, theirs,
                     zone.serial)
            self._count(ip, "axfr")
            return self._axfr(request, zone)
        rrsets = list(current)
        for old, new, removed, added in deltas:
            rrsets.append(_rrset_of(zone.with_serial(old).soa))
            rrsets += [_rrset_from_line(line) for line in removed]
            rrsets.append(_rrset_of(zone.with_serial(new).soa))
            rrsets += [_rrset_from_line(line) for line in added]
        rrsets.append(current[0])
        log.info("IXFR of %s to %s: %d deltas from %d to %d (%d records)", zone.origin, ip, len(deltas), theirs,
                 zone.serial, len(rrsets))
        if udp_limit:
            try:
                reply = self._messages(request, rrsets, udp_limit)[0]
            except dns.exception.TooBig:
                self._count(ip, "retry_tcp")
                return self._messages(request, current, udp_limit)[0]
            self._count(ip, "ixfr")
            return reply
        self._count(ip, "ixfr")
        return self._messages(request, rrsets, 0)

    def _allowed(self, ip: str, signed) -> bool:
        if signed is not None and signed.keyname.to_text().lower() in self.key_names:
            return True
        address = ipaddress.ip_address(ip.split("%")[0])
        return any(address in net for net in self.networks)

    def _verify(self, query: Query, data: bytes):
        """None when unsigned, the dnspython message when the TSIG is valid, error reply bytes otherwise."""
        if not query.extra or not self.inspect(data)[1]:
            return None
        import dns.exception
        import dns.message
        import dns.tsig

        try:
            return dns.message.from_wire(data, keyring=self.keyring or (lambda message, name: None))
        except dns.message.UnknownTSIGKey:
            return self._tsig_error(query, data, BADKEY)
        except dns.tsig.BadTime:
            return self._tsig_error(query, data, BADTIME)
        except (dns.tsig.BadKey, dns.tsig.BadAlgorithm, NotImplementedError):  # a known name with another (or an
            return self._tsig_error(query, data, BADKEY)  # unknown) algorithm: BADKEY (RFC 8945 §5.2)
        except (dns.tsig.BadSignature, dns.tsig.PeerError):
            return self._tsig_error(query, data, BADSIG)
        except dns.exception.DNSException:
            raise BadQuery(Rcode.FORMERR) from None

    @staticmethod
    def _tsig_error(query: Query, data: bytes, error: int) -> bytes:
        """NOTAUTH with an unsigned TSIG naming the error (RFC 8945 §5.3.2): BADKEY, BADSIG or BADTIME."""
        import dns.message

        message = dns.message.from_wire(data, keyring=lambda message, name: False)
        name, rdata = message.tsig.name, message.tsig[0]
        algorithm = rdata.algorithm.to_wire()
        body = algorithm + struct.pack("!HIHHHHH", rdata.time_signed >> 32, rdata.time_signed & 0xFFFFFFFF,
                                       rdata.fudge, 0, rdata.original_id, error, 0)
        record = name.to_wire() + struct.pack("!HHIH", Qtype.TSIG, 255, 0, len(body)) + body
        header = wire.HEADER.pack(query.id, wire.reply_flags(query, Rcode.NOTAUTH), 1, 0, 0, 1)
        return header + query.question + record

    @staticmethod
    def _signed_reply(request, rcode: int) -> bytes:
        import dns.message

        response = dns.message.make_response(request)
        response.set_rcode(rcode)
        return response.to_wire()

    def _axfr(self, request, zone) -> list[bytes]:
        """SOA, every record, SOA again, in messages of CHUNK records; each signed when the request was."""
        import dns.flags
        import dns.message

        records = self._as_dnspython(zone)
        return self._messages(request, [records[0]] + records[1:] + [records[0]], 0)

    @staticmethod
    def _messages(request, rrsets: list, udp_limit: int) -> list[bytes]:
        """The rrsets in messages of CHUNK records (one message within udp_limit over UDP), signed as asked."""
        import dns.flags
        import dns.message

        messages, ctx = [], None
        step = len(rrsets) if udp_limit else CHUNK
        for start in range(0, len(rrsets), step):
            response = dns.message.make_response(request)
            response.flags |= dns.flags.AA
            response.answer = rrsets[start:start + step]
            if start:
                response.question = []
            messages.append(response.to_wire(multi=not udp_limit, tsig_ctx=ctx, max_size=udp_limit or 65535))
            ctx = getattr(response, "tsig_ctx", None)
        return messages

    def _as_dnspython(self, zone) -> list:
        key = (zone.origin, zone.serial, id(zone))
        if key not in self._dnspython_zones:
            import dns.rrset

            self._dnspython_zones = {key: [dns.rrset.from_text(str(rr.rname), rr.ttl, "IN", QTYPE.get(rr.rtype),
                                                               rr.rdata.toZone()) for rr in zone.records]}
        return self._dnspython_zones[key]


def _rrset_of(rr):
    import dns.rrset

    return dns.rrset.from_text(str(rr.rname), rr.ttl, "IN", QTYPE.get(rr.rtype), rr.rdata.toZone())


def _rrset_from_line(line: str):
    """A journal line (`name ttl IN TYPE data`) as a dnspython rrset."""
    import dns.rrset

    name, ttl, _, rtype, data = line.split(" ", 4)
    return dns.rrset.from_text(name, int(ttl), "IN", rtype, data)


@dataclass(frozen=True)
class Peer:
    """A secondary to NOTIFY: `IP[:PORT]`, or `IP[:PORT] key NAME` to sign with a [dns] tsig_keys key."""

    upstream: Upstream
    key: str | None = None

    @classmethod
    def parse(cls, text: str, keyring: dict) -> "Peer":
        address, _, rest = text.strip().partition(" ")
        words = rest.split()
        if words and (len(words) != 2 or words[0] != "key"):
            raise ConfigError(f"[dns] notify entry {text!r} is not IP[:PORT] [key NAME]", fix='e.g. "10.0.0.2:53 key xfr-key"')
        key = words[1].rstrip(".").lower() + "." if words else None
        if key is not None and key not in {name.to_text().lower() for name in keyring}:
            raise ConfigError(f"[dns] notify names an unknown TSIG key {words[1]!r}", fix="add it to [dns] tsig_keys")
        return cls(Upstream.parse(address), key)


async def send_notify(zones, targets: list, keyring: dict | None = None, tries: int = 4, timeout: float = 1.0,
                      backoff: float = 0.25) -> dict[str, bool]:
    """RFC 1996: tell each secondary that each zone changed; retried with backoff until it answers NOERROR."""
    peers = [target if isinstance(target, Peer) else Peer(target) for target in targets]
    jobs = {f"{zone.origin}@{peer.upstream.host}:{peer.upstream.port}":
            _notify_one(zone, peer, keyring or {}, tries, timeout, backoff) for zone in zones for peer in peers}
    results = await asyncio.gather(*jobs.values())
    return dict(zip(jobs, results))


async def _notify_one(zone, peer: Peer, keyring: dict, tries: int, timeout: float, backoff: float) -> bool:
    """One NOTIFY (signed for a keyed peer); a send error, no answer, a bad signature or an rcode other than
    NOERROR (NOTAUTH from a keyed ACL, say) is a failure: logged with its reason and tried again after a pause."""
    import dns.exception
    import dns.flags
    import dns.message
    import dns.opcode
    import dns.rcode

    upstream, reason = peer.upstream, "no answer"
    for attempt in range(tries):
        if attempt:
            await asyncio.sleep(backoff * 2 ** (attempt - 1))
        message = dns.message.make_query(zone.origin, "SOA")
        message.flags = dns.flags.AA
        message.set_opcode(dns.opcode.NOTIFY)
        message.answer.append(_rrset_of(zone.soa))
        if peer.key is not None:
            message.use_tsig(keyring, peer.key)
        data = message.to_wire()
        question = wire.name_to_wire(zone.origin) + struct.pack("!HH", QTYPE.SOA, 1)
        try:
            raw = await asyncio.wait_for(udp_exchange(upstream, data, message.id, question), timeout)
            reply = dns.message.from_wire(raw, keyring=keyring if peer.key else None, request_mac=message.mac or b"")
        except asyncio.TimeoutError:
            reason = f"no answer within {timeout:g} s"
        except OSError as exc:
            reason = f"send error: {exc.strerror or exc}"
        except dns.exception.DNSException as exc:
            reason = f"bad reply: {type(exc).__name__}"
        else:
            if reply.rcode() == dns.rcode.NOERROR:
                log.info("NOTIFY of %s serial %d to %s:%d acknowledged", zone.origin, zone.serial, upstream.host,
                         upstream.port)
                return True
            reason = f"answered {dns.rcode.to_text(reply.rcode())}"
        log.info("NOTIFY of %s to %s:%d, try %d of %d: %s", zone.origin, upstream.host, upstream.port, attempt + 1,
                 tries, reason)
    log.warning("NOTIFY of %s serial %d to %s:%d failed: %s", zone.origin, zone.serial, upstream.host, upstream.port,
                reason)
    return False
