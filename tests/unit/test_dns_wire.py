"""wire.py: strict question parsing and the reply pieces, decoded with dnspython."""

from __future__ import annotations

import struct

import dns.flags
import dns.message
import dns.rcode
import pytest

from toolkit.dnsserver import wire
from toolkit.dnsserver.codes import Rcode
from toolkit.dnsserver.wire import BadQuery, Drop


def query_bytes(name="www.Example.com", rdtype="A", **kwargs) -> bytes:
    return dns.message.make_query(name, rdtype, **kwargs).to_wire()


def test_parse_keeps_the_question_bytes_and_a_lower_case_key():
    q = wire.parse(query_bytes(use_edns=False))
    assert q.question[:-4] == b"\x03www\x07Example\x03com\x00" and q.key == b"\x03www\x07example\x03com\x00"
    assert (q.qtype, q.qclass, q.edns, q.extra) == (1, 1, None, False)


def test_parse_reads_a_lone_opt_fast():
    q = wire.parse(query_bytes(use_edns=0, payload=4096, want_dnssec=True))
    assert (q.edns.udp_size, q.edns.version, q.edns.do, q.extra) == (4096, 0, True, False)
    assert q.limit() == 1232  # bounded by the size we advertise too


@pytest.mark.parametrize("size, limit", [(None, 512), (100, 512), (1232, 1232), (4096, 1232), (65535, 1232)])
def test_limit_is_512_without_edns_and_at_least_512_with_it(size, limit):
    q = wire.parse(query_bytes(use_edns=False) if size is None else query_bytes(use_edns=0, payload=size))
    assert q.limit() == limit


@pytest.mark.parametrize("packet", [b"", b"\x00" * 11, struct.pack("!6H", 1, 0x8000, 1, 0, 0, 0) + b"\x00\x00\x01\x00\x01"])
def test_short_packets_and_responses_are_dropped(packet):
    with pytest.raises(Drop):
        wire.parse(packet)


@pytest.mark.parametrize("name, rcode", [
    (b"\xc0\x0c", Rcode.FORMERR), (b"\x40" + b"a" * 64 + b"\x00", Rcode.FORMERR), (b"\x80\x00", Rcode.FORMERR),
    ((b"\x3f" + b"a" * 63) * 4 + b"\x03abc\x00", Rcode.FORMERR), (b"\x05ab", Rcode.FORMERR)])
def test_bad_names_are_formerr(name, rcode):
    with pytest.raises(BadQuery) as caught:
        wire.parse(struct.pack("!6H", 7, 0, 1, 0, 0, 0) + name + b"\x00\x01\x00\x01")
    assert caught.value.rcode == rcode and caught.value.query.id == 7


def test_name_of_exactly_255_octets_is_accepted():
    name = (b"\x3f" + b"a" * 63) * 3 + b"\x3d" + b"b" * 61 + b"\x00"
    assert len(name) == 255
    assert wire.parse(struct.pack("!6H", 7, 0, 1, 0, 0, 0) + name + b"\x00\x01\x00\x01").key == name


@pytest.mark.parametrize("opcode, rcode", [(1, Rcode.NOTIMP), (2, Rcode.NOTIMP), (6, Rcode.NOTIMP), (15, Rcode.NOTIMP)])
def test_unknown_opcodes_are_notimp(opcode, rcode):
    with pytest.raises(BadQuery) as caught:
        wire.parse(struct.pack("!6H", 7, opcode << 11, 1, 0, 0, 0) + b"\x00\x00\x01\x00\x01")
    assert caught.value.rcode == rcode


def test_error_reply_echoes_question_and_edns_with_badvers_upper_bits():
    q = wire.parse(query_bytes(use_edns=0))
    q.edns.version = 0
    reply = dns.message.from_wire(wire.error_reply(q, Rcode.BADVERS))
    assert reply.rcode() == dns.rcode.BADVERS and reply.edns == 0 and reply.payload == wire.OUR_UDP_SIZE
    assert reply.question[0].name.to_text() == "www.Example.com."


def test_reply_flags_copy_rd_and_cd_only():
    q = wire.parse(query_bytes(use_edns=False))
    q.flags |= dns.flags.CD | dns.flags.AD
    flags = wire.reply_flags(q, Rcode.NXDOMAIN, aa=True)
    assert flags & dns.flags.QR and flags & dns.flags.RD and flags & dns.flags.CD and flags & dns.flags.AA
    assert not flags & dns.flags.AD and not flags & dns.flags.RA and flags & 0xF == Rcode.NXDOMAIN


def test_truncated_reply_keeps_question_and_sets_tc():
    q = wire.parse(query_bytes(use_edns=0))
    reply = dns.message.from_wire(wire.truncated(q, wire.reply_flags(q, 0)))
    assert reply.flags & dns.flags.TC and reply.answer == [] and len(reply.question) == 1 and reply.edns == 0


def test_suffixes_walk_up_to_the_root():
    assert list(wire.suffixes(wire.name_to_wire("a.b."))) == [b"\x01a\x01b\x00", b"\x01b\x00", b"\x00"]
    assert wire.wire_to_text(wire.name_to_wire("A.b")) == "a.b."
