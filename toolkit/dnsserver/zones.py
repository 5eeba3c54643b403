"""Zone snapshots: private zones from the registry (E5), static zones from zones/*.zone, RFC 1035 export."""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from dnslib import AAAA, NS, QTYPE, RD, RR, SOA, A, DNSLabel

from toolkit.dnsserver.wire import name_to_wire, suffixes, wire_to_text
from toolkit.errors import ConfigError, ZoneError

REFRESH, RETRY, EXPIRE, NEGATIVE_TTL = 3600, 600, 1209600, 60
_PLAIN = re.compile(rb"[A-Za-z0-9_*-]+")  # labels written as they are in a master file
SERIAL_MOD = 1 << 32


@dataclass
class Zone:
    """One zone: its origin (absolute, lower case) and its records, SOA first."""

    origin: str
    records: list[RR] = field(default_factory=list)
    source: str = "private"

    @property
    def soa(self) -> RR:
        return next(rr for rr in self.records if rr.rtype == QTYPE.SOA)

    @property
    def serial(self) -> int:
        return self.soa.rdata.times[0]

    def content(self) -> tuple:
        """What the zone says apart from its SOA: equal content means no new serial and no NOTIFY."""
        return tuple(sorted((str(rr.rname).lower(), rr.rtype, rr.rdata.toZone())
                            for rr in self.records if rr.rtype != QTYPE.SOA))

    def lines(self) -> list[str]:
        """Its records apart from the SOA as zone-file lines, sorted: what the serial journal stores."""
        return sorted(_line(rr) for rr in self.records if rr.rtype != QTYPE.SOA)

    def with_serial(self, serial: int) -> "Zone":
        soa = self.soa
        times = (serial, *soa.rdata.times[1:])
        new_soa = RR(soa.rname, QTYPE.SOA, ttl=soa.ttl, rdata=SOA(soa.rdata.mname, soa.rdata.rname, times))
        return Zone(self.origin, [new_soa] + [rr for rr in self.records if rr.rtype != QTYPE.SOA], self.source)

    def to_text(self) -> str:
        """An RFC 1035 master file that named-checkzone accepts (absolute names, SOA first)."""
        lines = [f"; {self.source} zone {self.origin} serial {self.serial}, written by vpcep",
                 f"$ORIGIN {self.origin}", f"$TTL {self.soa.ttl}"]
        lines += [_line(rr) for rr in self.records]
        return "\n".join(lines) + "\n"


class PrivateZone:
    """E5: a private zone kept as name → addresses, so that it is built, changed and held cheaply at
    100,000 names (issue 15). It says what a Zone of the same dnslib records says (the tests compare
    the two); `records` builds those records when a transfer, an export or the console needs them.
    Changes are made in place (`add`, `remove`) on the server's loop."""

    source = "private"

    def __init__(self, origin: str, ttl: int, ns_address: str, serial: int = 0) -> None:
        self.origin, self.ttl, self.serial = origin, ttl, serial
        self.apex = name_to_wire(origin)
        self.ns_name = "ns." + origin
        self.addrs: dict[bytes, list[str]] = {}  # wire name (lower case) → its addresses, sorted
        self.between: dict[bytes, int] = {}  # empty non-terminals → how many names lie below each
        self.shared: dict[tuple[bytes, str], int] = {}  # a record held by more than one endpoint → the others
        self.add(name_to_wire(self.ns_name), ns_address)

    @property
    def soa(self) -> RR:
        rdata = SOA(self.ns_name, "hostmaster." + self.origin, (self.serial, REFRESH, RETRY, EXPIRE, NEGATIVE_TTL))
        return RR(self.origin, QTYPE.SOA, ttl=self.ttl, rdata=rdata)

    @property
    def records(self) -> list[RR]:
        """SOA, NS and every address record, as dnslib records (built on each call)."""
        rrs = self.apex_records()
        for key, ips in list(self.addrs.items()):  # a copy: the console reads this from another thread
            name = self.text_of(key)
            rrs += [_address(name, ip, self.ttl) for ip in ips]
        return rrs

    def apex_records(self) -> list[RR]:
        """The SOA and the NS record."""
        return [self.soa, RR(self.origin, QTYPE.NS, ttl=self.ttl, rdata=NS(self.ns_name))]

    def add(self, key: bytes, ip: str) -> bool:
        """One address for a name; False when the zone already had it."""
        ips = self.addrs.get(key)
        if ips is None:
            self.addrs[key] = [ip]
            for name in self._between(key):
                self.between[name] = self.between.get(name, 0) + 1
            return True
        if ip in ips:  # another endpoint's record says the same: count it, so one delete keeps it
            self.shared[key, ip] = self.shared.get((key, ip), 0) + 1
            return False
        ips.append(ip)
        ips.sort()
        return True

    def remove(self, key: bytes, ip: str) -> bool:
        """One address of a name off the zone; False when the zone did not have it."""
        ips = self.addrs.get(key)
        if ips is None or ip not in ips:
            return False
        if self.shared.get((key, ip)):
            self.shared[key, ip] -= 1
            return False
        ips.remove(ip)
        if not ips:
            del self.addrs[key]
            for name in self._between(key):
                self.between[name] -= 1
                if not self.between[name]:
                    del self.between[name]
        return True

    def key_of(self, name: str) -> bytes:
        """The wire key of an absolute, lower-case name in this zone (one label below the apex: no split)."""
        head = name[:len(name) - len(self.origin) - 1]
        if "." in head or "\\" in head or not 0 < len(head) < 64:
            return name_to_wire(name)
        return bytes((len(head),)) + head.encode("ascii") + self.apex

    def text_of(self, key: bytes) -> str:
        """An absolute name's text from its wire key (the inverse of key_of)."""
        if key[0] + 1 + len(self.apex) == len(key):
            return key[1:1 + key[0]].decode("ascii") + "." + self.origin
        return wire_to_text(key)

    def _between(self, key: bytes) -> list[bytes]:
        """The names strictly between `key` and the apex (empty non-terminals when nothing else is there)."""
        if key[0] + 1 + len(self.apex) == len(key):  # a child of the apex: nothing between
            return []
        found = []
        for suffix in suffixes(key):
            if suffix == self.apex or len(suffix) < len(self.apex):
                break
            if suffix != key:
                found.append(suffix)
        return found

    def has_name(self, key: bytes) -> bool:
        return key == self.apex or key in self.addrs or key in self.between

    def rrsets_at(self, key: bytes) -> dict[int, list[RR]] | None:
        """The record sets a name holds (built on demand), or None when it holds none."""
        if key == self.apex:
            soa, ns = self.apex_records()
            sets = {QTYPE.SOA: [soa], QTYPE.NS: [ns]}
        else:
            sets = {}
        name = None
        for ip in self.addrs.get(key, ()):
            name = name or self.text_of(key)
            rr = _address(name, ip, self.ttl)
            sets.setdefault(rr.rtype, []).append(rr)
        return sets or None

    def line(self, key: bytes, ip: str) -> str:
        """The journal's zone-file line for one address (the same text `Zone.lines()` writes)."""
        kind = "AAAA" if ":" in ip else "A"
        shown = AAAA(ip).toZone() if kind == "AAAA" else ip
        return f"{self.text_of(key)} {self.ttl} IN {kind} {shown}"

    def lines(self) -> list[str]:
        ns = f"{self.origin} {self.ttl} IN NS {self.ns_name}"
        return sorted([ns] + [self.line(key, ip) for key, ips in list(self.addrs.items()) for ip in ips])

    def content(self) -> dict:
        return self.addrs

    def to_text(self) -> str:
        """Zone.to_text's master file (the same bytes), written from the addresses: no dnslib record per name."""
        head = [f"; {self.source} zone {self.origin} serial {self.serial}, written by vpcep", f"$ORIGIN {self.origin}",
                f"$TTL {self.ttl}", _line(self.soa), f"{self.origin} {self.ttl} IN NS {self.ns_name}"]
        body = [self.line(key, ip) for key, ips in list(self.addrs.items()) for ip in ips]
        return "\n".join(head + body) + "\n"

    def with_serial(self, serial: int) -> "PrivateZone":
        """The same zone (its names shared, not copied) under another serial: for SOAs of the journal's steps."""
        other = copy.copy(self)
        other.serial = serial
        return other


def _line(rr: RR) -> str:
    """One record in master-file form; names with dots, spaces or other specials inside a label escaped."""
    names = [rr.rname] + [value for value in vars(rr.rdata).values() if isinstance(value, DNSLabel)]
    if all(_PLAIN.fullmatch(part) for name in names for part in name.label):
        return f"{rr.rname} {rr.ttl} IN {QTYPE.get(rr.rtype)} {rr.rdata.toZone()}"
    name, rdata = to_dnspython(rr)
    return f"{name.to_text()} {rr.ttl} IN {QTYPE.get(rr.rtype)} {rdata.to_text()}"


def to_dnspython(rr: RR):
    """A dnslib record as dnspython's (name, rdata), through the wire: escaped labels stay intact."""
    import dns.name
    import dns.rdata
    import dns.rdataclass
    from dnslib import DNSBuffer

    buffer = DNSBuffer()
    rr.pack(buffer)
    data = bytes(buffer.data)
    name, offset = dns.name.from_wire(data, 0)
    rdlen = int.from_bytes(data[offset + 8:offset + 10], "big")
    return name, dns.rdata.from_wire(dns.rdataclass.IN, rr.rtype, data, offset + 10, rdlen)


def serial_gt(a: int, b: int) -> bool:
    """RFC 1982 serial number arithmetic: is a after b?"""
    return a != b and ((a - b) % SERIAL_MOD) < (1 << 31)


def next_serial(previous: int | None, now: float | None = None) -> int:
    """A new serial after `previous`: the clock when it is ahead, else previous + 1 (mod 2**32)."""
    clock = int(time.time() if now is None else now) % SERIAL_MOD
    if previous is None or serial_gt(clock, previous):
        return clock
    return (previous + 1) % SERIAL_MOD


def private_origin(template: str, identity) -> str:
    """The zone of the private names: the template's labels after the one holding {endpoint_id}."""
    labels = template.split(".")
    index = next((i for i, label in enumerate(labels) if "{endpoint_id}" in label), 0)
    values = {"region": identity.region, "domain": identity.domain, "account": identity.account,
              "project": identity.project}
    try:
        suffix = ".".join(labels[index + 1:]).format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise ZoneError(f"dns name_template {template!r} has an unknown field {exc}", rule="E5",
                        fix="use {endpoint_id}, {region}, {domain}, {account}, {project}") from None
    origin = absolute(suffix)
    problem = _name_problem(origin)
    if problem:
        raise ConfigError(f"[dns] name_template {template!r} gives the zone {origin!r}: {problem}", rule="E5",
                          fix='give dot-separated labels, e.g. "{endpoint_id}.vpcep.{region}.{domain}"')
    return origin


def _name_problem(name: str) -> str:
    """Why a zone name cannot be served ('' when it can): empty labels, long labels or names, non-ASCII."""
    labels = name[:-1].split(".")
    if name == "." or any(not label for label in labels):
        return "an empty label"
    if any(len(label) > 63 for label in labels) or len(name) > 254:
        return "a label over 63 or a name over 253 characters"
    if not name.isascii() or any(c.isspace() for c in name):
        return "characters a DNS name cannot hold"
    return ""


def absolute(name: str) -> str:
    return name.strip(".").lower() + "."


def build_private(records, origin: str, ttl: int, serial: int, ns_address: str,
                  owners: dict | None = None) -> list[PrivateZone]:
    """E5: the private zones for these registry records; the main origin exists even when empty.
    `owners`, when given, gets endpoint id → [(zone origin, wire name, address)] of what each record put in."""
    zones = {origin: PrivateZone(origin, ttl, ns_address, serial)}
    for record in records:
        name = absolute(record.name)
        home = private_home(name, origin)
        zone = zones.get(home) or zones.setdefault(home, PrivateZone(home, ttl, ns_address, serial))
        key = zone.key_of(name)
        zone.add(key, record.ip)
        if owners is not None:
            owners.setdefault(record.endpoint_id, []).append((home, key, record.ip))
    return [zones[name] for name in sorted(zones)]


def private_home(name: str, origin: str) -> str:
    """The private zone an absolute name is served in: the main origin, or else the name's parent."""
    return origin if name.endswith("." + origin) else name.split(".", 1)[1]


def _address(name: str, ip: str, ttl: int) -> RR:
    if ":" in ip:
        return RR(name, QTYPE.AAAA, ttl=ttl, rdata=AAAA(ip))
    return RR(name, QTYPE.A, ttl=ttl, rdata=A(ip))


def load_static(directory: Path, skip: set[str] = frozenset()) -> list[Zone]:
    """Every zones/*.zone file (origin = file name); a bad one raises ZoneError with file, line and reason."""
    if not directory.is_dir():
        return []
    zones = []
    for path in sorted(directory.glob("*.zone")):
        origin = absolute(path.name[:-len(".zone")])
        if origin not in skip:
            zones.append(load_file(path, origin))
    return zones


def load_file(path: Path, origin: str) -> Zone:
    """One RFC 1035 master file, parsed and checked by dnspython, re-encoded as dnslib records.

    Errors name the file and line ($INCLUDEd files too) and say the real reason and its fix.
    """
    import dns.exception
    import dns.zone

    try:
        parsed = _parse(path, origin)
    except _AtLine as failed:
        raise ZoneError(f"zone file {failed.where}: {failed.reason}", rule="zones", fix=failed.fix) from None
    except dns.exception.SyntaxError as exc:
        raise ZoneError(f"zone file {_where(exc, path, origin)}", rule="zones", fix="fix the line and restart") from None
    except (dns.zone.NoSOA, dns.zone.NoNS) as exc:
        raise ZoneError(f"zone file {path}: {exc}", rule="zones",
                        fix="a zone needs an SOA and NS records at its origin (file name = origin)") from None
    except (dns.exception.DNSException, OSError, UnicodeDecodeError) as exc:
        raise ZoneError(f"zone file {path}: {exc or type(exc).__name__}", rule="zones",
                        fix="fix the file and restart") from None
    records = [_convert(name, rdataset, rdata) for name, rdataset in parsed.iterate_rdatasets()
               for rdata in rdataset]
    records.sort(key=lambda rr: rr.rtype != QTYPE.SOA)
    return Zone(origin, records, source=f"static ({path.name})")


class _AtLine(Exception):
    """A loader error that dnspython reports without a line: where the reader was, the reason, the fix."""

    def __init__(self, where: str, reason: str, fix: str) -> None:
        super().__init__(where)
        self.where, self.reason, self.fix = where, reason, fix


def _parse(path: Path, origin: str):
    """dnspython's zone reader, kept in hand so that an error can say which file and line it was reading."""
    import dns.rdataclass
    import dns.tokenizer
    import dns.zone
    import dns.zonefile

    zone = dns.zone.Zone(origin, relativize=False)
    reader = None
    try:
        with open(path, encoding="utf-8") as handle, zone.writer(True) as txn:
            tok = dns.tokenizer.Tokenizer(handle, str(path))
            reader = dns.zonefile.Reader(tok, dns.rdataclass.IN, txn, allow_include=True)
            reader.read()
    except dns.zonefile.CNAMEAndOtherData:
        raise _AtLine(_line_of(reader), "a name with a CNAME holds other data too (RFC 1034 §3.6.2, RFC 2181 §10.1)",
                      "keep either the CNAME or the name's other records") from None
    except FileNotFoundError as exc:
        if reader is None:
            raise
        raise _AtLine(_line_of(reader), f"$INCLUDE file {exc.filename!r} does not exist",
                      "give the included file's path (relative paths are from the directory vpcep runs in)") from None
    zone.check_origin()
    return zone


def _line_of(reader) -> str:
    """`file:line (text)` of the line the reader had just finished (its tokenizer is past the end of line)."""
    tok = reader.tok
    line = max(1, tok.line_number - 1)
    try:
        shown = Path(tok.filename).read_text(errors="replace").splitlines()[line - 1].strip()
    except (OSError, IndexError):
        shown = ""
    return f"{tok.filename}:{line}" + (f" ({shown})" if shown else "")


def _where(exc, path: Path, origin: str) -> str:
    """`file:line: reason (the line)`; dnspython counts a line too far when the error shows at its end."""
    text = str(exc)
    head, _, reason = text.partition(": ")
    number = head.rsplit(":", 1)[-1]
    if not number.isdigit():
        return f"{path}: {text}"
    lines = path.read_text(errors="replace").splitlines()
    line = int(number)
    for candidate in (line - 1, line):
        if 1 <= candidate <= len(lines) and not _parses(lines[candidate - 1], origin):
            line = candidate
            break
    shown = lines[line - 1].strip() if 1 <= line <= len(lines) else ""
    return f"{path}:{line}: {reason}" + (f" ({shown})" if shown else "")


def _parses(line: str, origin: str) -> bool:
    import dns.exception
    import dns.tokenizer
    import dns.zonefile

    text = line.strip()
    if not text or text.startswith((";", "$")) or "(" in text or ")" in text:
        return True
    try:
        dns.zonefile.read_rrsets(f"{text}\n", origin=origin, relativize=False, default_ttl=1)
    except (dns.exception.DNSException, dns.tokenizer.UngetBufferFull, ValueError):
        return False
    return True


def _convert(name, rdataset, rdata) -> RR:
    """dnspython's record in dnslib's form through the wire (uncompressed), so escaped labels (`a\\.b`) survive."""
    import struct

    from dnslib import DNSBuffer

    data = rdata.to_wire()
    packed = name.to_wire() + struct.pack("!HHIH", int(rdataset.rdtype), 1, rdataset.ttl, len(data)) + data
    try:
        return RR.parse(DNSBuffer(packed))
    except Exception:  # dnslib cannot decode this type's rdata: carry the wire form
        return RR(DNSLabel(list(name.labels[:-1])), int(rdataset.rdtype), ttl=rdataset.ttl, rdata=RD(data))
