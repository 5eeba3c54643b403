"""Protocol edge cases against a live server, each decoded with dnspython: FORMERR, NOTIMP, EDNS, TC, TCP."""

from __future__ import annotations

import socket
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import pytest

from dnsutil import addresses, read_frame, with_dns
from toolkit.dnsserver.runtime import Options
from toolkit.dnsserver.server import Limits

ZONE = "vpcep.cn-north-4.myhuaweicloud.com."
NAME = b"\x03www\x04corp\x07example\x00"


def header(qid=0x1234, flags=0x0100, qd=1, an=0, ns=0, ar=0) -> bytes:
    return struct.pack("!6H", qid, flags, qd, an, ns, ar)


def question(name=NAME, qtype=1, qclass=1) -> bytes:
    return name + struct.pack("!HH", qtype, qclass)


def decoded(raw: bytes | None) -> dns.message.Message:
    assert raw is not None, "the server stayed silent"
    return dns.message.from_wire(raw, ignore_trailing=True)


@pytest.fixture
def big_zone(tmp_path):
    """A static zone with a 60-address RRset (1,000+ bytes) and a plain name."""
    zones = tmp_path / "zones"
    zones.mkdir()
    many = "".join(f"big IN A 10.7.{i // 250}.{i % 250 + 1}\n" for i in range(60))
    (zones / "corp.example.zone").write_text("$TTL 600\n@ IN SOA ns.corp.example. admin.corp.example. 1 3600 600 86400 60\n"
                                             f"@ IN NS ns\nns IN A 10.9.0.1\nwww IN A 10.9.0.80\n{many}")
    return zones


@pytest.fixture(params=["batched", "plain"])
def server(request, serve, settings, big_zone, endpoints):
    """Every case runs over both UDP paths: recvmmsg/sendmmsg batches and one recvfrom/sendto per datagram."""
    return serve(with_dns(settings, zones_dir=str(big_zone)),
                 Options(poll=0.01, limits=Limits(tcp_idle=0.3), batched_udp=request.param == "batched"))


@pytest.mark.parametrize("packet, rcode", [
    (header(qd=0), dns.rcode.FORMERR),
    (header(qd=2) + question() + question(), dns.rcode.FORMERR),
    (header() + NAME[:6], dns.rcode.FORMERR),                                   # truncated question
    (header() + NAME + b"\x00", dns.rcode.FORMERR),                             # no room for class
    (header() + b"\xc0\x0c" + struct.pack("!HH", 1, 1), dns.rcode.FORMERR),      # compression loop onto itself
    (header() + b"\x40" + b"a" * 64 + b"\x00" + struct.pack("!HH", 1, 1), dns.rcode.FORMERR),  # 64-octet label
    (header() + (b"\x3f" + b"a" * 63) * 5 + b"\x00" + struct.pack("!HH", 1, 1), dns.rcode.FORMERR),  # 321 octets
    (header(flags=0x1100) + question(), dns.rcode.NOTIMP),                      # IQUERY
    (header(flags=0x1000 | 0x0100) + question(), dns.rcode.NOTIMP),             # STATUS (opcode 2)
    (header(flags=0x3000) + question(), dns.rcode.NOTIMP),                      # opcode 6 (DSO)
])
def test_malformed_or_unsupported_get_an_error_rcode(server, packet, rcode):
    reply = server.raw(packet)
    assert reply is not None and reply[:2] == packet[:2]
    flags = struct.unpack("!H", reply[2:4])[0]
    assert flags & 0x8000 and flags & 0x000F == rcode
    assert struct.unpack("!H", reply[6:8])[0] == 0  # no answers


@pytest.mark.parametrize("packet", [b"", b"\x12", header()[:11], header(flags=0x8100) + question()])
def test_short_packets_and_responses_get_silence(server, packet):
    assert server.raw(packet, timeout=0.3) is None  # QR=1: no reflection
    assert addresses(server.ask("www.corp.example")) == ["10.9.0.80"]


@pytest.mark.parametrize("opcode", [dns.opcode.NOTIFY, dns.opcode.UPDATE])
def test_notify_and_update_are_refused_and_not_acted_on(server, opcode):
    before = server.service.live.snapshot
    query = dns.message.make_query(ZONE, "SOA")
    query.set_opcode(opcode)
    reply = decoded(server.raw(query.to_wire()))
    assert reply.rcode() in (dns.rcode.REFUSED, dns.rcode.NOTAUTH) and reply.opcode() == opcode
    assert server.service.live.snapshot is before


def test_chaos_version_bind_is_refused(server):
    reply = server.ask("version.bind", "TXT", rdclass="CH")
    assert reply.rcode() == dns.rcode.REFUSED and reply.answer == []


def test_edns_is_echoed_with_our_udp_size(server):
    reply = server.ask("www.corp.example", use_edns=0, payload=4096)
    assert reply.edns == 0 and reply.payload == 1232 and addresses(reply) == ["10.9.0.80"]


def test_no_edns_in_means_no_opt_out(server):
    assert server.ask("www.corp.example", use_edns=False).edns == -1


def test_edns_version_1_gets_badvers_with_version_0_and_no_answer(server):
    reply = server.ask("www.corp.example", use_edns=1)
    assert reply.rcode() == dns.rcode.BADVERS and reply.edns == 0 and reply.answer == []


def test_unknown_edns_options_are_ignored_and_unknown_flags_not_echoed(server):
    reply = server.ask("www.corp.example", use_edns=0, ednsflags=0x4000 | 0x0001,
                       options=[dns.edns.GenericOption(65001, b"\x01\x02")])
    assert addresses(reply) == ["10.9.0.80"] and reply.ednsflags == 0 and not reply.options


def test_do_bit_is_echoed(server):
    assert server.ask("www.corp.example", want_dnssec=True).ednsflags & dns.flags.DO


def test_two_opt_records_are_formerr(server):
    wire = bytearray(dns.message.make_query("www.corp.example", "A", use_edns=0).to_wire())
    wire[10:12] = struct.pack("!H", 2)
    reply = decoded(server.raw(bytes(wire) + wire[-11:]))
    assert reply.rcode() == dns.rcode.FORMERR


def test_opt_owned_by_a_non_root_name_is_formerr(server):
    opt = b"\x01x\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
    reply = decoded(server.raw(header(ar=1) + question() + opt))
    assert reply.rcode() == dns.rcode.FORMERR


@pytest.mark.parametrize("edns, limit", [(None, 512), (0, 512), (700, 700), (100, 512)])
def test_big_answer_is_truncated_within_the_client_limit(server, edns, limit):
    kwargs = {"use_edns": False} if edns is None else {"use_edns": 0, "payload": edns}
    query = dns.message.make_query("big.corp.example", "A", **kwargs)
    raw = server.raw(query.to_wire())
    reply = decoded(raw)
    assert reply.flags & dns.flags.TC and len(raw) <= limit and reply.answer == []


def test_big_answer_fits_a_large_edns_buffer_and_comes_whole_over_tcp(server):
    assert len(addresses(server.ask("big.corp.example", use_edns=0, payload=4096))) == 60
    whole = server.ask("big.corp.example", tcp=True)
    assert not whole.flags & dns.flags.TC and len(addresses(whole)) == 60


def test_tcp_carries_several_queries_on_one_connection(server):
    queries = [dns.message.make_query(name, "A") for name in ("www.corp.example", "ns.corp.example", "big.corp.example")]
    with socket.create_connection((server.host, server.port), timeout=2) as sock:
        sock.sendall(b"".join(struct.pack("!H", len(w)) + w for w in (q.to_wire() for q in queries)))
        replies = {m.id: m for m in (dns.message.from_wire(read_frame(sock)) for _ in queries)}
    assert set(replies) == {q.id for q in queries}
    assert addresses(replies[queries[1].id]) == ["10.9.0.1"] and len(addresses(replies[queries[2].id])) == 60


def test_idle_tcp_connection_is_closed_by_the_server(server):
    with socket.create_connection((server.host, server.port), timeout=3) as sock:
        started = time.monotonic()
        assert sock.recv(10) == b""  # EOF: the server closed it
        assert 0.2 < time.monotonic() - started < 2.5


def test_axfr_over_udp_is_refused_with_formerr(server):
    reply = decoded(server.raw(dns.message.make_query(ZONE, "AXFR").to_wire()))
    assert reply.rcode() in (dns.rcode.FORMERR, dns.rcode.REFUSED) and reply.answer == []


def test_axfr_over_tcp_from_a_client_not_allowed_is_refused(server):
    reply = decoded(server.raw_tcp(dns.message.make_query(ZONE, "AXFR").to_wire()))
    assert reply.rcode() == dns.rcode.REFUSED and reply.answer == []


@pytest.mark.parametrize("qtype", ["OPT", "TSIG"])
def test_meta_types_as_questions_are_formerr(server, qtype):
    reply = decoded(server.raw(dns.message.make_query("www.corp.example", qtype, use_edns=False).to_wire()))
    assert reply.rcode() == dns.rcode.FORMERR
