"""Pre-encoded answers: every question a zone snapshot can answer, packed once with dnslib."""

from __future__ import annotations

from dataclasses import dataclass

from dnslib import QTYPE, RR, A, DNSBuffer, DNSHeader, DNSQuestion, DNSRecord

from toolkit.dnsserver.codes import Qtype, Rcode
from toolkit.dnsserver.wire import name_to_wire, suffixes
from toolkit.dnsserver.zones import Zone

TYPE_ANY, TYPE_CNAME = int(Qtype.ANY), int(Qtype.CNAME)  # plain ints: dict keys on the hot path


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
    """The authoritative part of a snapshot: answers packed on first use, then reused until the next snapshot.

    Indexing a snapshot is cheap (no packing), so a change to a large zone never stalls the loop;
    each answer is packed once per snapshot. Memo keys are bounded by the zone: one per record set,
    one NODATA per name, one NXDOMAIN per zone; unknown names and types never add entries.
    Wildcards (`*.name`) answer for names below their closest encloser (RFC 4592).
    """

    def __init__(self, zones: list[Zone]) -> None:
        self.rrsets: dict[bytes, dict[int, list[RR]]] = {}
        self.names: dict[bytes, RR] = {}  # every name that exists (empty non-terminals too) → negative SOA
        self.memo: dict[tuple, Answer] = {}
        for zone in zones:
            self._index(zone)

    def lookup(self, key: bytes, qtype: int) -> Answer | None:
        """The answer for a lower-case wire name and type, or None when no zone of ours holds the name."""
        answer = self.memo.get((key, qtype))
        if answer is not None:
            return answer
        soa = self.names.get(key)
        if soa is not None:
            return self._existing(key, qtype, soa)
        for suffix in suffixes(key):  # the closest encloser: the nearest existing name above (RFC 4592)
            soa = self.names.get(suffix)
            if soa is not None:
                wildcard = b"\x01*" + suffix
                if wildcard in self.rrsets:
                    return self._wildcard(wildcard, qtype, soa)
                return self._memo((name_to_wire(str(soa.rname)), "nx"), lambda: _negative(Rcode.NXDOMAIN, soa))
        return None

    def _wildcard(self, wildcard: bytes, qtype: int, soa: RR) -> Answer:
        """Records of `*.<encloser>` for any name below it: owners point at the question, so any length fits."""
        rrsets = self.rrsets[wildcard]
        if qtype in rrsets:
            return self._memo((wildcard, qtype), lambda: _synthesized(rrsets[qtype]))
        if TYPE_CNAME in rrsets:
            return self._memo((wildcard, "cname"), lambda: _synthesized(rrsets[TYPE_CNAME]))
        if qtype == TYPE_ANY:
            return self._memo((wildcard, qtype), lambda: _synthesized([rr for rrs in rrsets.values() for rr in rrs]))
        return self._memo((wildcard, "nodata"), lambda: _negative(Rcode.NOERROR, soa))

    def _existing(self, key: bytes, qtype: int, soa: RR) -> Answer:
        rrsets = self.rrsets.get(key, {})
        owner = _text(key)
        if qtype in rrsets:
            return self._memo((key, qtype), lambda: _positive(owner, qtype, rrsets[qtype]))
        if qtype == TYPE_ANY and rrsets:
            every = [rr for rrs in rrsets.values() for rr in rrs]
            return self._memo((key, qtype), lambda: _positive(owner, qtype, every))
        if TYPE_CNAME in rrsets:
            return self._memo((key, "cname"), lambda: _positive(owner, TYPE_CNAME, rrsets[TYPE_CNAME]))
        return self._memo((key, "nodata"), lambda: Answer(Rcode.NOERROR, True, (0, 1, 0),
                                                          pack_body(owner, QTYPE.A, authority=[soa])))

    def _memo(self, key: tuple, build) -> Answer:
        answer = self.memo.get(key)
        if answer is None:
            answer = self.memo[key] = build()
        return answer

    def _index(self, zone: Zone) -> None:
        soa = negative_soa(zone)
        apex = name_to_wire(zone.origin)
        for rr in zone.records:
            key = name_to_wire(str(rr.rname))
            self.rrsets.setdefault(key, {}).setdefault(rr.rtype, []).append(rr)
            for name in _up_to(key, apex):  # the name and the empty non-terminals above it: NODATA, not NXDOMAIN
                self.names.setdefault(name, soa)


def _positive(owner: str, qtype: int, rrs: list[RR]) -> Answer:
    return Answer(Rcode.NOERROR, True, (len(rrs), 0, 0), pack_body(owner, qtype, rrs))


def _negative(rcode: int, soa: RR) -> Answer:
    """NXDOMAIN (or NODATA below a wildcard) with an uncompressed SOA: it follows a question of any length."""
    flat = _Flat()
    soa.pack(flat)
    return Answer(rcode, True, (0, 1, 0), bytes(flat.data))


def _synthesized(rrs: list[RR]) -> Answer:
    """Wildcard records with the owner replaced by a pointer to the question (offset 12), the rest uncompressed."""
    body = b""
    for rr in rrs:
        flat = _Flat()
        rr.pack(flat)
        body += b"\xc0\x0c" + bytes(flat.data)[len(name_to_wire(str(rr.rname))):]
    return Answer(Rcode.NOERROR, True, (len(rrs), 0, 0), body)


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
        self.a = Answer(Rcode.NOERROR, False, (len(rrs), 0, 0), body)
        self.empty = Answer(Rcode.NOERROR, False, (0, 0, 0), b"")

    def matches(self, key: bytes) -> bool:
        return any(suffix == self.apex for suffix in suffixes(key))

    def lookup(self, qtype: int) -> Answer:
        return self.a if qtype in (QTYPE.A, TYPE_ANY) else self.empty


def _owner_offsets(count: int):
    return [i * 16 for i in range(count)]  # each A record: 2 (pointer) + 10 (fixed) + 4 (address)
