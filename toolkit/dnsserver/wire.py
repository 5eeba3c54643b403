"""Strict parsing of a query's header, question and EDNS, and the byte pieces every reply is built from."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from toolkit.dnsserver.codes import DO_BIT, OPCODE_MASK, Flag, Opcode, Qtype, Rcode

HEADER = struct.Struct("!6H")
OPT_FIXED = struct.Struct("!HHBBHH")  # type, udp size, ext rcode, version, flags, rdlen (owner is the root byte)
OUR_UDP_SIZE = 1232
MIN_UDP = 512
OPTION = struct.Struct("!HH")
NSID, COOKIE = 3, 10  # EDNS option codes (RFC 5001, RFC 7873)
QR, AA, TC, RD, RA, CD = (int(flag) for flag in (Flag.QR, Flag.AA, Flag.TC, Flag.RD, Flag.RA, Flag.CD))
"""Plain ints for the hot path (an IntFlag's operators build a new enum member each time)."""


class Drop(Exception):
    """The packet gets no answer at all (too short, or a response: no reflection)."""


class BadQuery(Exception):
    """The packet gets an error reply with this rcode (FORMERR, NOTIMP, BADVERS)."""

    def __init__(self, rcode: int, query: "Query | None" = None) -> None:
        super().__init__(rcode)
        self.rcode, self.query = rcode, query


@dataclass(slots=True)
class Edns:
    """The client's OPT record: what it can receive, DO, and the options we act on.

    `reply_options` are the options our OPT carries back (a COOKIE, an NSID), set by the chain.
    """

    udp_size: int
    version: int
    do: bool
    cookie: bytes | None = None
    nsid: bool = False
    reply_options: bytes = b""


@dataclass(slots=True)
class Query:
    """A parsed query: the question exactly as sent, its lower-case key, EDNS, and whether more records follow."""

    id: int
    flags: int
    qname: bytes
    key: bytes
    qtype: int
    qclass: int
    question: bytes
    edns: Edns | None
    extra: bool

    @property
    def opcode(self) -> int:
        return (self.flags >> 11) & 0xF

    def limit(self) -> int:
        """The largest UDP reply: the lesser of the client's EDNS size and the 1232 we advertise (RFC 6891 §6.2.5)."""
        return MIN_UDP if self.edns is None else max(MIN_UDP, min(self.edns.udp_size, OUR_UDP_SIZE))


def read_name(data: bytes, offset: int) -> int:
    """The offset after an uncompressed name; FORMERR for pointers, bad label types or >255 octets."""
    start, size = offset, len(data)
    while True:
        if offset >= size:
            raise BadQuery(Rcode.FORMERR)
        length = data[offset]
        if length == 0:
            offset += 1
            break
        if length > 63:  # 0xC0 pointers (a question has nothing before it to point to) and 0x40/0x80 types
            raise BadQuery(Rcode.FORMERR)
        offset += 1 + length
    if offset - start > 255:
        raise BadQuery(Rcode.FORMERR)
    return offset


def parse(data: bytes) -> Query:
    """Header, question and a lone trailing OPT; `extra` says other records follow (parse those fully)."""
    if len(data) < 12:
        raise Drop
    qid, flags, qd, an, ns, ar = HEADER.unpack_from(data)
    if flags & QR:
        raise Drop
    opcode = (flags >> 11) & 0xF
    if opcode not in (Opcode.QUERY, Opcode.NOTIFY, Opcode.UPDATE):
        raise BadQuery(Rcode.NOTIMP, _headless(qid, flags))
    if qd != 1:
        raise BadQuery(Rcode.FORMERR, _headless(qid, flags))
    try:
        end = read_name(data, 12)
    except BadQuery:
        raise BadQuery(Rcode.FORMERR, _headless(qid, flags)) from None
    if end + 4 > len(data):
        raise BadQuery(Rcode.FORMERR, _headless(qid, flags))
    qtype, qclass = struct.unpack_from("!HH", data, end)
    qname = data[12:end]
    query = Query(qid, flags, qname, qname.lower(), qtype, qclass, data[12:end + 4], None, False)
    rest = end + 4
    if an == ns == 0 and ar == 1 and _lone_opt(data, rest):
        query.edns = _edns(data, rest + 1)
        if query.edns is None:  # options that do not parse, or a cookie of a wrong length (RFC 7873 §5.2.2)
            query.edns = Edns(OUR_UDP_SIZE, 0, False)
            raise BadQuery(Rcode.FORMERR, query)
    elif an or ns or ar:
        query.extra = True
    return query


def _headless(qid: int, flags: int) -> Query:
    return Query(qid, flags, b"", b"", 0, 0, b"", None, False)


def _lone_opt(data: bytes, offset: int) -> bool:
    """A root-owned OPT that ends exactly at the end of the packet: the common case, parsed here."""
    if len(data) < offset + 11 or data[offset] != 0:
        return False
    rtype, _, _, _, _, rdlen = OPT_FIXED.unpack_from(data, offset + 1)
    return rtype == Qtype.OPT and offset + 11 + rdlen == len(data)


def _edns(data: bytes, offset: int) -> Edns | None:
    """The OPT's fixed part and options; None when the options are malformed."""
    _, size, _, version, flags, rdlen = OPT_FIXED.unpack_from(data, offset)
    edns = Edns(size, version, bool(flags & DO_BIT))
    at, end = offset + OPT_FIXED.size, offset + OPT_FIXED.size + rdlen
    while at < end:
        if end - at < OPTION.size:
            return None
        code, length = OPTION.unpack_from(data, at)
        value = data[at + 4:at + 4 + length]
        at += 4 + length
        if at > end:
            return None
        if code == COOKIE:
            if not (length == 8 or 16 <= length <= 40) or edns.cookie is not None:
                return None  # a client cookie is 8 bytes, a server cookie 8 to 32 more
            edns.cookie = value
        elif code == NSID:
            edns.nsid = True
    return edns


def edns_option(code: int, value: bytes) -> bytes:
    return OPTION.pack(code, len(value)) + value


def opt_record(edns: Edns | None, ext_rcode: int = 0) -> bytes:
    """Our OPT: UDP size 1232, version 0, DO echoed, the reply's options; empty when the client sent none."""
    if edns is None:
        return b""
    options = edns.reply_options
    return b"\x00" + OPT_FIXED.pack(Qtype.OPT, OUR_UDP_SIZE, ext_rcode, 0, DO_BIT if edns.do else 0,
                                    len(options)) + options


def reply_flags(query: Query, rcode: int, *, aa: bool = False, ra: bool = False, tc: bool = False) -> int:
    """QR, the query's opcode, RD and CD copied; AA, TC and RA as told; the low four bits of the rcode."""
    flags = QR | (query.flags & (OPCODE_MASK | RD | CD)) | (rcode & 0xF)
    return flags | (AA if aa else 0) | (RA if ra else 0) | (TC if tc else 0)


def error_reply(query: Query, rcode: int, ra: bool = False) -> bytes:
    """Header, the question when there is one, and OPT (with BADVERS's upper bits) when the client sent EDNS.

    NOTIMP for an opcode we do not know copies only the opcode: RD and CD mean nothing outside QUERY.
    """
    opt = opt_record(query.edns, rcode >> 4)
    qd = 1 if query.question else 0
    flags = reply_flags(query, rcode, ra=ra)
    if rcode == Rcode.NOTIMP:
        flags &= ~(RD | CD)
    header = HEADER.pack(query.id, flags, qd, 0, 0, 1 if opt else 0)
    return header + query.question + opt


def assemble(query: Query, flags: int, counts: tuple[int, int, int], body: bytes) -> bytes:
    """A reply: header, the client's question byte for byte (case kept), the pre-encoded body, OPT."""
    opt = opt_record(query.edns)
    an, ns, ar = counts
    return HEADER.pack(query.id, flags, 1, an, ns, ar + (1 if opt else 0)) + query.question + body + opt


def truncated(query: Query, flags: int) -> bytes:
    """TC=1 with only the question (and OPT): the client retries over TCP (RFC 7766 §5)."""
    opt = opt_record(query.edns)
    return HEADER.pack(query.id, flags | TC, 1, 0, 0, 1 if opt else 0) + query.question + opt


def name_to_wire(name: str) -> bytes:
    """An absolute name in wire form (lower case, uncompressed)."""
    labels = [label for label in name.rstrip(".").lower().split(".") if label]
    return b"".join(bytes([len(label)]) + label.encode("ascii") for label in labels) + b"\x00"


def wire_to_text(wire: bytes) -> str:
    """An uncompressed wire name as text with a trailing dot."""
    labels, offset = [], 0
    while wire[offset]:
        labels.append(wire[offset + 1:offset + 1 + wire[offset]].decode("ascii", "replace"))
        offset += 1 + wire[offset]
    return ".".join(labels) + "."


def suffixes(key: bytes):
    """The name and each of its parents, as wire keys (a.b.c. → a.b.c., b.c., c., .)."""
    offset = 0
    while True:
        yield key[offset:]
        if key[offset] == 0:
            return
        offset += 1 + key[offset]
