"""Pre-encoded answers: every question a zone snapshot can answer, packed once with dnslib."""

from __future__ import annotations

from dataclasses import dataclass

from dnslib import QTYPE, RR, A, DNSBuffer, DNSHeader, DNSQuestion, DNSRecord

from toolkit.dnsserver.wire import NOERROR, NXDOMAIN, name_to_wire, suffixes
from toolkit.dnsserver.zones import Zone

TYPE_ANY, TYPE_CNAME = 255, 5


@dataclass(frozen=True, slots=True)
class Answer:
    """Everything after the question, ready to send: the rcode, AA, section counts and the packed body.

    Names in the body point into the question (offset 12 onwards); the client's question has the
    same length as the canonical one (only letter case may differ), so the pointers stay valid.
    """

    rcode: int
    aa: bool
    counts: tuple[int, int, int]
    body: bytes


class _Flat(DNSBuffer):
    """A buffer that never compresses: bodies that follow a question of any length."""

    def encode_name(self, name):
        self.encode_name_nocompress(name)


def pack_body(qname: str, qtype: int, answer=(), authority=(), additional=()) -> bytes:
    """The sections after the question, compressed against the canonical question `qname`."""
    record = DNSRecord(DNSHeader(id=0, qr=1), q=DNSQuestion(qname, qtype))
    record.add_answer(*answer)
    record.add_auth(*authority)
    record.add_ar(*additional)
    return bytes(record.pack()[12 + len(name_to_wire(qname)) + 4:])


def negative_soa(zone: Zone) -> RR:
    """The SOA for NXDOMAIN/NODATA, its TTL the lesser of its own and its MINIMUM (RFC 2308 §3)."""
    soa = zone.soa
    return RR(soa.rname, QTYPE.SOA, ttl=min(soa.ttl, soa.rdata.times[4]), rdata=soa.rdata)


class AuthTable:
    """The authoritative part of a snapshot: exact answers, NODATA per name, NXDOMAIN per zone."""

    def __init__(self, zones: list[Zone]) -> None:
        self.exact: dict[tuple[bytes, int], Answer] = {}
        self.alias: dict[bytes, Answer] = {}
        self.nodata: dict[bytes, Answer] = {}
        self.apexes: dict[bytes, Answer] = {}
        for zone in zones:
            self._add_zone(zone)

    def lookup(self, key: bytes, qtype: int) -> Answer | None:
        """The answer for a lower-case wire name and type, or None when no zone of ours holds the name."""
        answer = self.exact.get((key, qtype)) or self.alias.get(key) or self.nodata.get(key)
        if answer is not None:
            return answer
        for suffix in suffixes(key):
            answer = self.apexes.get(suffix)
            if answer is not None:
                return answer
        return None

    def _add_zone(self, zone: Zone) -> None:
        soa = negative_soa(zone)
        apex = name_to_wire(zone.origin)
        flat = _Flat()
        soa.pack(flat)
        self.apexes[apex] = Answer(NXDOMAIN, True, (0, 1, 0), bytes(flat.data))
        for owner, rrsets in _by_owner(zone.records).items():
            self._add_owner(owner, rrsets, soa, apex)

    def _add_owner(self, owner: str, rrsets: dict[int, list[RR]], soa: RR, apex: bytes) -> None:
        key = name_to_wire(owner)
        for rtype, rrs in rrsets.items():
            self.exact[(key, rtype)] = Answer(NOERROR, True, (len(rrs), 0, 0), pack_body(owner, rtype, rrs))
        every = [rr for rrs in rrsets.values() for rr in rrs]
        self.exact[(key, TYPE_ANY)] = Answer(NOERROR, True, (len(every), 0, 0), pack_body(owner, TYPE_ANY, every))
        if TYPE_CNAME in rrsets:
            cname = rrsets[TYPE_CNAME]
            self.alias[key] = Answer(NOERROR, True, (len(cname), 0, 0), pack_body(owner, TYPE_CNAME, cname))
        for name in _up_to(key, apex):  # the name and the empty non-terminals above it: NODATA, not NXDOMAIN
            if name not in self.nodata:
                text = _text(name)
                self.nodata[name] = Answer(NOERROR, True, (0, 1, 0), pack_body(text, QTYPE.A, authority=[soa]))


def _by_owner(records: list[RR]) -> dict[str, dict[int, list[RR]]]:
    owners: dict[str, dict[int, list[RR]]] = {}
    for rr in records:
        owners.setdefault(str(rr.rname).lower(), {}).setdefault(rr.rtype, []).append(rr)
    return owners


def _up_to(key: bytes, apex: bytes):
    for suffix in suffixes(key):
        yield suffix
        if suffix == apex or suffix == b"\x00":
            return


def _text(key: bytes) -> str:
    labels, offset = [], 0
    while key[offset]:
        labels.append(key[offset + 1:offset + 1 + key[offset]].decode("ascii"))
        offset += 1 + key[offset]
    return ".".join(labels) + "."


class ObsTable:
    """OBS names answered locally (`[obs] mode = "local"`): one body for every bucket name."""

    def __init__(self, origin: str, addresses: tuple[str, ...], ttl: int) -> None:
        self.apex = name_to_wire(origin)
        rrs = [RR(origin, QTYPE.A, ttl=ttl, rdata=A(ip)) for ip in addresses]
        body = pack_body(origin, QTYPE.A, rrs)
        assert all(body[i:i + 2] == b"\xc0\x0c" for i in _owner_offsets(len(rrs))), "answers must point at the question"
        self.a = Answer(NOERROR, False, (len(rrs), 0, 0), body)
        self.empty = Answer(NOERROR, False, (0, 0, 0), b"")

    def matches(self, key: bytes) -> bool:
        return any(suffix == self.apex for suffix in suffixes(key))

    def lookup(self, qtype: int) -> Answer:
        return self.a if qtype in (QTYPE.A, TYPE_ANY) else self.empty


def _owner_offsets(count: int):
    return [i * 16 for i in range(count)]  # each A record: 2 (pointer) + 10 (fixed) + 4 (address)
