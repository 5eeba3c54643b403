"""Pre-encoded answers: every question a zone snapshot can answer, packed once with dnslib.

The lookup is RFC 1034 §4.3.2 per zone: the deepest zone of ours holding the name, then, walking down
from its apex, a delegation (a referral with glue, AA=0) or a DNAME (RFC 6672) above the name, then the
name itself, its CNAME (chased inside our zones), or the wildcard at its closest encloser (RFC 4592);
NXDOMAIN and NODATA carry the zone's SOA (RFC 2308).
"""

from __future__ import annotations

from dataclasses import dataclass

from dnslib import CNAME, QTYPE, RR, SOA, A, DNSBuffer, DNSHeader, DNSLabel, DNSQuestion, DNSRecord

from toolkit.dnsserver.codes import Qtype, Rcode
from toolkit.dnsserver.wire import name_to_wire, suffixes
from toolkit.dnsserver.zones import NEGATIVE_TTL, PrivateZone, Zone

TYPE_ANY, TYPE_CNAME, TYPE_NS, TYPE_DS = int(Qtype.ANY), int(Qtype.CNAME), int(Qtype.NS), int(Qtype.DS)
TYPE_DNAME, TYPE_A, TYPE_AAAA = int(Qtype.DNAME), int(Qtype.A), int(Qtype.AAAA)
TYPE_MX, TYPE_SRV = int(QTYPE.MX), int(QTYPE.SRV)
MAX_CHAIN = 16  # CNAME/DNAME steps followed before the answer stops where it is
OTHER = "other"  # the memo slot of every type no zone holds: their answers are all alike


@dataclass(frozen=True, slots=True)
class Answer:
    """Everything after the question, ready to send: the rcode, AA, section counts and the packed body.

    The body never compresses against the question except for a pointer to it (offset 12) where an
    owner is the question's name, so one body serves a question of any length and letter case.
    """

    rcode: int
    aa: bool
    counts: tuple[int, int, int]
    body: bytes
    trimmed: "Answer | None" = None  # the same without the optional additional records, for a small UDP limit


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


def label_key(label: DNSLabel) -> bytes:
    """A dnslib name as a lower-case wire key (labels may hold dots: `a\\.b` is one label)."""
    return b"".join(bytes([len(part)]) + part for part in label.label).lower() + b"\x00"


def key_label(key: bytes) -> DNSLabel:
    labels, offset = [], 0
    while key[offset]:
        labels.append(key[offset + 1:offset + 1 + key[offset]])
        offset += 1 + key[offset]
    return DNSLabel(labels)


def negative_soa(zone: Zone) -> RR:
    """The SOA for NXDOMAIN/NODATA, its TTL the lesser of its own and its MINIMUM (RFC 2308 §3)."""
    soa = zone.soa
    return RR(soa.rname, QTYPE.SOA, ttl=min(soa.ttl, soa.rdata.times[4]), rdata=soa.rdata)


def _flat_rr(rr: RR, qkey: bytes) -> bytes:
    flat = _Flat()
    rr.pack(flat)
    data = bytes(flat.data)
    owner = label_key(rr.rname)
    return b"\xc0\x0c" + data[len(owner):] if owner == qkey else data


def _build(qkey: bytes, rcode: int, aa: bool, answer=(), authority=(), additional=()) -> Answer:
    body = b"".join(_flat_rr(rr, qkey) for section in (answer, authority, additional) for rr in section)
    return Answer(rcode, aa, (len(answer), len(authority), len(additional)), body)


class _ZoneIndex:
    """One zone's names: record sets, every existing name (empty non-terminals too), cuts and DNAMEs."""

    def __init__(self, zone: Zone) -> None:
        self.apex = name_to_wire(zone.origin)
        self.soa = negative_soa(zone)
        self.rrsets: dict[bytes, dict[int, list[RR]]] = {}
        self.names: set[bytes] = set()
        for rr in zone.records:
            key = label_key(rr.rname)
            self.rrsets.setdefault(key, {}).setdefault(rr.rtype, []).append(rr)
            for name in _up_to(key, self.apex):
                self.names.add(name)
        self.cuts = {key for key, sets in self.rrsets.items() if TYPE_NS in sets and key != self.apex}
        self.dnames = {key for key, sets in self.rrsets.items() if TYPE_DNAME in sets}

    def above(self, key: bytes):
        """The names from the apex down to `key` (both included)."""
        chain = []
        for suffix in suffixes(key):
            chain.append(suffix)
            if suffix == self.apex:
                break
        return reversed(chain)

    def encloser(self, key: bytes) -> bytes:
        for suffix in suffixes(key):
            if suffix in self.names:
                return suffix
        return self.apex


class _PrivateIndex(_ZoneIndex):
    """A private zone's names as the lookup sees them, read off the zone itself: nothing copied, so a
    change made to the zone in place is seen by the next lookup (after `AuthTable.changed()`)."""

    cuts = dnames = frozenset()

    def __init__(self, zone: PrivateZone) -> None:
        self.zone = zone
        self.apex = zone.apex
        self.rrsets = _Held(zone)
        self.names = _Names(zone)

    @property
    def soa(self) -> RR:
        return negative_soa(self.zone)


class _Held:
    """A private zone's record sets by wire name, built on demand (a lookup's answer is memoised)."""

    def __init__(self, zone: PrivateZone) -> None:
        self.zone = zone

    def get(self, key: bytes, default=None):
        sets = self.zone.rrsets_at(key)
        return default if sets is None else sets

    def __getitem__(self, key: bytes):
        sets = self.zone.rrsets_at(key)
        if sets is None:
            raise KeyError(key)
        return sets

    def __contains__(self, key: bytes) -> bool:
        return key == self.zone.apex or key in self.zone.addrs

    def values(self):
        return [{QTYPE.SOA: [], QTYPE.NS: [], TYPE_A: [], TYPE_AAAA: []}]  # the types a private zone can hold


class _Names:
    def __init__(self, zone: PrivateZone) -> None:
        self.zone = zone

    def __contains__(self, key: bytes) -> bool:
        return self.zone.has_name(key)


class AuthTable:
    """The authoritative part of a snapshot: answers packed on first use, then reused until the next snapshot.

    Indexing a snapshot is cheap (no packing), so a change to a large zone never stalls the loop.
    Memo keys are bounded by the zone: one per existing name and type held (one slot for the rest),
    one per wildcard, one per cut, one NXDOMAIN per zone; answers through a DNAME are built per query.
    """

    def __init__(self, zones: list[Zone]) -> None:
        self.zones: dict[bytes, _ZoneIndex] = {}
        self.types: set[int] = {TYPE_ANY, TYPE_DS, TYPE_CNAME}
        self.memo: dict[tuple, Answer] = {}
        for zone in zones:
            kind = _PrivateIndex if isinstance(zone, PrivateZone) else _ZoneIndex
            index = self.zones[name_to_wire(zone.origin)] = kind(zone)
            for sets in index.rrsets.values():
                self.types.update(sets)

    def changed(self) -> None:
        """A private zone changed in place: forget the answers packed from it (they are packed again on use)."""
        self.memo.clear()

    def _zone(self, key: bytes, qtype: int = 0) -> _ZoneIndex | None:
        """The deepest zone of ours holding the name; for DS at a child zone's apex, the parent (RFC 4035 §3.1.4.1)."""
        found = None
        for suffix in suffixes(key):
            zone = self.zones.get(suffix)
            if zone is not None:
                if qtype != TYPE_DS or suffix != key:
                    return zone
                found = zone
        return found

    def lookup(self, key: bytes, qtype: int) -> Answer | None:
        """The answer for a lower-case wire name and type, or None when no zone of ours holds the name."""
        slot = qtype if qtype in self.types else OTHER
        answer = self.memo.get((key, slot))
        if answer is not None:
            return answer
        zone = self._zone(key, qtype)
        if zone is None:
            return None
        memo_key, build = self._first(zone, key, qtype, slot)
        if memo_key is None:
            return build()
        answer = self.memo.get(memo_key)
        if answer is None:
            answer = self.memo[memo_key] = build()
        return answer

    def _first(self, zone: _ZoneIndex, key: bytes, qtype: int, slot):
        """The memo key that this question's answer is shared under (None: built per query), and its builder."""
        for name in zone.above(key):
            if name in zone.cuts and name != zone.apex and not (name == key and qtype == TYPE_DS):
                return (name, "referral"), lambda: self._chase(key, qtype)
            if name != key and name in zone.dnames:
                return None, lambda: self._chase(key, qtype)
        if key in zone.names:
            held = zone.rrsets.get(key, {})
            if TYPE_CNAME not in held and qtype not in held and qtype != TYPE_ANY:
                slot = OTHER  # NODATA: the same answer for every type the name lacks
            return (key, slot), lambda: self._chase(key, qtype)
        wildcard = b"\x01*" + zone.encloser(key)
        if wildcard in zone.rrsets:
            return (wildcard, slot), lambda: self._chase(key, qtype)
        return (zone.apex, "nx"), lambda: self._chase(key, qtype)

    def _chase(self, qkey: bytes, qtype: int) -> Answer:
        """Follow the question through CNAMEs and DNAMEs inside our zones; the last step sets rcode and authority."""
        answer: list[RR] = []
        seen, key = set(), qkey
        for _ in range(MAX_CHAIN):
            zone = self._zone(key, qtype)
            if zone is None:  # the chain leaves our zones: the client's resolver takes it from here
                return _build(qkey, Rcode.NOERROR, True, answer)
            seen.add(key)
            step = self._step(zone, key, qtype)
            kind = step[0]
            if kind == "answer":
                extra = self._additional(zone, step[1]) if qtype in (TYPE_NS, TYPE_MX, TYPE_SRV) else []
                whole = _build(qkey, Rcode.NOERROR, True, answer + step[1])
                if not extra:
                    return whole
                full = _build(qkey, Rcode.NOERROR, True, answer + step[1], (), extra)
                return Answer(full.rcode, full.aa, full.counts, full.body, trimmed=whole)
            if kind == "referral":
                ns, glue = step[1], step[2]
                return _build(qkey, Rcode.NOERROR, bool(answer), answer, ns, glue)
            if kind in ("nodata", "nxdomain"):
                rcode = Rcode.NXDOMAIN if kind == "nxdomain" else Rcode.NOERROR
                return _build(qkey, rcode, True, answer, [zone.soa])
            if kind == "yxdomain":
                return _build(qkey, Rcode.YXDOMAIN, True, answer + step[1])
            answer += step[1]  # "alias": a CNAME (or a DNAME and its synthesized CNAME), then the target
            key = step[2]
            if key in seen:
                break
        return _build(qkey, Rcode.NOERROR, True, answer)

    def _step(self, zone: _ZoneIndex, key: bytes, qtype: int) -> tuple:
        owner = None
        for name in zone.above(key):
            if name in zone.cuts and not (name == key and qtype == TYPE_DS):
                return ("referral", zone.rrsets[name][TYPE_NS], self._glue(zone, zone.rrsets[name][TYPE_NS]))
            if name != key and name in zone.dnames:
                return self._dname(zone.rrsets[name][TYPE_DNAME][0], name, key)
        if key in zone.names:
            rrsets = zone.rrsets.get(key, {})
        else:
            wildcard = b"\x01*" + zone.encloser(key)
            if wildcard not in zone.rrsets:
                return ("nxdomain",)
            rrsets, owner = zone.rrsets[wildcard], key_label(key)
        if qtype == TYPE_ANY and rrsets:
            return ("answer", _owned([rr for rrs in rrsets.values() for rr in rrs], owner))
        if qtype in rrsets:
            return ("answer", _owned(rrsets[qtype], owner))
        if TYPE_CNAME in rrsets:
            cname = _owned(rrsets[TYPE_CNAME], owner)
            return ("alias", cname, label_key(cname[0].rdata.label))
        return ("nodata",)

    @staticmethod
    def _dname(dname: RR, owner: bytes, key: bytes) -> tuple:
        """RFC 6672: the DNAME, a CNAME from the name to the name with the owner replaced, and the new name."""
        target = _dname_target(dname)
        new = key[:len(key) - len(owner)] + target
        if len(new) > 255:
            return ("yxdomain", [dname])
        cname = RR(key_label(key), QTYPE.CNAME, ttl=dname.ttl, rdata=CNAME(key_label(new)))
        return ("alias", [dname, cname], new)

    @staticmethod
    def _additional(zone: _ZoneIndex, rrs: list[RR]) -> list[RR]:
        """RFC 1035 §3.3.9, §3.3.11, RFC 2782: addresses this zone holds for the NS, MX and SRV targets."""
        extra = []
        for rr in rrs:
            target = getattr(rr.rdata, "target", None) or getattr(rr.rdata, "label", None)
            if rr.rtype in (TYPE_NS, TYPE_MX, TYPE_SRV) and isinstance(target, DNSLabel):
                sets = zone.rrsets.get(label_key(target), {})
                extra += [r for r in sets.get(TYPE_A, []) + sets.get(TYPE_AAAA, []) if r not in extra]
        return extra

    @staticmethod
    def _glue(zone: _ZoneIndex, ns: list[RR]) -> list[RR]:
        """A and AAAA records this zone holds for the delegation's name servers (below the cut or not)."""
        glue = []
        for rr in ns:
            sets = zone.rrsets.get(label_key(rr.rdata.label), {})
            glue += sets.get(TYPE_A, []) + sets.get(TYPE_AAAA, [])
        return glue


def _dname_target(dname: RR) -> bytes:
    """The DNAME's target as a wire key (dnslib keeps an unknown type's rdata as raw, uncompressed bytes)."""
    rdata = dname.rdata
    if hasattr(rdata, "label"):
        return label_key(rdata.label)
    return bytes(rdata.data).lower()


def _owned(rrs: list[RR], owner: DNSLabel | None) -> list[RR]:
    """Wildcard records under the name asked for (RFC 4592 §3.3.1); others as they are."""
    if owner is None:
        return list(rrs)
    return [RR(owner, rr.rtype, rclass=rr.rclass, ttl=rr.ttl, rdata=rr.rdata) for rr in rrs]


def _up_to(key: bytes, apex: bytes):
    for suffix in suffixes(key):
        yield suffix
        if suffix == apex or suffix == b"\x00":
            return


class ObsTable:
    """OBS names answered locally (`[obs] mode = "local"`): one body for every bucket name, authoritatively.

    The apex and every bucket name below it have the A records; other types get NODATA with an SOA
    (RFC 2308), so a validating or caching resolver keeps the answer instead of turning it into SERVFAIL.
    """

    def __init__(self, origin: str, addresses: tuple[str, ...], ttl: int) -> None:
        self.apex = name_to_wire(origin)
        rrs = [RR(origin, QTYPE.A, ttl=ttl, rdata=A(ip)) for ip in addresses]
        body = b"".join(b"\xc0\x0c" + _flat_rr(rr, b"")[len(self.apex):] for rr in rrs)
        self.a = Answer(Rcode.NOERROR, True, (len(rrs), 0, 0), body)
        soa = SOA("ns." + origin, "hostmaster." + origin, (1, 3600, 600, 1209600, NEGATIVE_TTL))
        self.soa = RR(origin, QTYPE.SOA, ttl=min(ttl, NEGATIVE_TTL), rdata=soa)
        self.empty = _build(b"", Rcode.NOERROR, True, (), [self.soa])

    def matches(self, key: bytes) -> bool:
        return any(suffix == self.apex for suffix in suffixes(key))

    def lookup(self, qtype: int) -> Answer:
        return self.a if qtype in (QTYPE.A, TYPE_ANY) else self.empty
