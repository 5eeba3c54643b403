"""zones.py and answers.py: serials (RFC 1982), the private origin, pre-encoded answers as a table of cases."""

from __future__ import annotations

import struct

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from toolkit.config import Identity
from toolkit.dnsserver import wire
from toolkit.dnsserver.answers import AuthTable, ObsTable
from toolkit.dnsserver.forward import ttl_offsets
from toolkit.dnsserver.zones import build_private, load_file, next_serial, private_origin, serial_gt
from toolkit.errors import ZoneError
from toolkit.registry.endpoints import Record

ORIGIN = "vpcep.cn-north-4.myhuaweicloud.com."
RECORDS = [Record(f"ep{i}.vpcep.cn-north-4.myhuaweicloud.com", f"192.168.1.{i}", f"ep{i}") for i in (2, 3)]


@pytest.mark.parametrize("a, b, later", [(2, 1, True), (1, 2, False), (0, 2**32 - 1, True), (2**31 - 1, 0, True),
                                         (2**31 + 5, 5, False), (7, 7, False)])
def test_serial_arithmetic_is_rfc_1982(a, b, later):
    assert serial_gt(a, b) is later


def test_next_serial_moves_forward_even_when_the_clock_does_not():
    assert next_serial(None, now=1000) == 1000
    assert next_serial(1000, now=1000) == 1001 and next_serial(5000, now=1000) == 5001
    assert next_serial(2**32 - 1, now=5) == 5 and serial_gt(5, 2**32 - 1)  # wraps, still later


@pytest.mark.parametrize("template, origin", [
    ("{endpoint_id}.vpcep.{region}.{domain}", ORIGIN),
    ("ep-{endpoint_id}.private.{domain}", "private.myhuaweicloud.com.")])
def test_private_origin_is_the_template_suffix(template, origin):
    assert private_origin(template, Identity()) == origin


def test_unknown_template_field_is_a_zone_error():
    with pytest.raises(ZoneError, match="unknown field"):
        private_origin("{endpoint_id}.{nope}.x", Identity())


def test_private_zone_text_has_soa_first_and_every_record():
    zone = build_private(RECORDS, ORIGIN, 300, 42, "127.0.0.1")[0]
    lines = [line for line in zone.to_text().splitlines() if not line.startswith((";", "$"))]
    assert lines[0].split()[3] == "SOA" and " 42 " in lines[0]
    assert {line.split()[0] for line in lines[3:]} == {r.name + "." for r in RECORDS}


def test_load_file_reports_file_and_line(tmp_path):
    path = tmp_path / "x.example.zone"
    path.write_text("$TTL 60\n@ IN SOA ns a 1 2 3 4 5\n@ IN NS ns\nns IN A 1.2.3\n")
    with pytest.raises(ZoneError, match=r"x\.example\.zone:4: .*\(ns IN A 1\.2\.3\)"):
        load_file(path, "x.example.")


def reply_for(table: AuthTable, name: str, rdtype: str) -> dns.message.Message | None:
    """What the server would send: header + the client's question + the pre-encoded body, via dnspython."""
    query = wire.parse(dns.message.make_query(name, rdtype, use_edns=False).to_wire())
    answer = table.lookup(query.key, query.qtype)
    if answer is None:
        return None
    flags = wire.reply_flags(query, answer.rcode, aa=answer.aa)
    return dns.message.from_wire(wire.assemble(query, flags, answer.counts, answer.body))


CASES = [  # (qname, qtype, rcode, answer values, authority type)
    ("ep2." + ORIGIN, "A", dns.rcode.NOERROR, ["192.168.1.2"], None),
    ("EP3.Vpcep.cn-north-4.myhuaweicloud.com.", "A", dns.rcode.NOERROR, ["192.168.1.3"], None),
    ("ep2." + ORIGIN, "AAAA", dns.rcode.NOERROR, [], "SOA"),
    ("ep9." + ORIGIN, "A", dns.rcode.NXDOMAIN, [], "SOA"),
    ("deep.er.ep9." + ORIGIN, "TXT", dns.rcode.NXDOMAIN, [], "SOA"),
    (ORIGIN, "NS", dns.rcode.NOERROR, [f"ns.{ORIGIN}"], None),
    (ORIGIN, "A", dns.rcode.NOERROR, [], "SOA"),
]


@pytest.mark.parametrize("qname, qtype, rcode, values, authority", CASES)
def test_auth_table_answers(qname, qtype, rcode, values, authority):
    table = AuthTable(build_private(RECORDS, ORIGIN, 300, 9, "127.0.0.1"))
    reply = reply_for(table, qname, qtype)
    assert reply.rcode() == rcode and reply.flags & dns.flags.AA
    assert sorted(rd.to_text() for rrset in reply.answer for rd in rrset) == values
    assert [r.rdtype for r in reply.authority] == ([dns.rdatatype.from_text(authority)] if authority else [])
    assert reply.question[0].name.to_text() == qname  # case kept
    if reply.answer:
        assert reply.answer[0].name.to_text() == qname


def test_names_outside_our_zones_pass_on():
    table = AuthTable(build_private(RECORDS, ORIGIN, 300, 9, "127.0.0.1"))
    assert reply_for(table, "example.com.", "A") is None
    assert reply_for(table, "myhuaweicloud.com.", "A") is None


def test_obs_body_is_shared_by_every_bucket_name():
    obs = ObsTable("obs.r.d.", ("100.125.0.10",), 300)
    assert obs.matches(wire.name_to_wire("a-very-long-bucket-name.obs.r.d")) and not obs.matches(wire.name_to_wire("obs.d"))
    for name in ("b.obs.r.d.", "a-very-long-bucket-name.OBS.r.d."):
        query = wire.parse(dns.message.make_query(name, "A", use_edns=False).to_wire())
        answer = obs.lookup(query.qtype)
        reply = dns.message.from_wire(wire.assemble(query, wire.reply_flags(query, 0), answer.counts, answer.body))
        assert reply.answer[0].name.to_text() == name and reply.answer[0][0].address == "100.125.0.10"


def test_ttl_offsets_find_every_ttl_in_a_compressed_body():
    table = AuthTable(build_private(RECORDS, ORIGIN, 300, 9, "127.0.0.1"))
    for key, qtype in ((wire.name_to_wire("ep2." + ORIGIN), 1), (wire.name_to_wire("nx." + ORIGIN), 1)):
        answer = table.lookup(key, qtype)
        offsets = ttl_offsets(answer.body, sum(answer.counts))
        assert [struct.unpack_from("!I", answer.body, at)[0] for at in offsets] in ([300], [60])


def test_answers_are_packed_on_first_use_once_and_the_memo_stays_bounded():
    table = AuthTable(build_private(RECORDS, ORIGIN, 300, 9, "127.0.0.1"))
    assert table.memo == {}  # indexing a snapshot packs nothing: a big zone change never stalls the loop
    key = wire.name_to_wire("ep2." + ORIGIN)
    first = table.lookup(key, 1)
    assert table.lookup(key, 1) is first
    for qtype in range(2, 300):  # every other type at an existing name shares one NODATA answer
        table.lookup(key, qtype)
    for i in range(300):  # unknown names share their zone's NXDOMAIN answer
        table.lookup(wire.name_to_wire(f"x{i}." + ORIGIN), 1)
    assert len(table.memo) <= 4


WILD = """$TTL 600
@ IN SOA ns.w.example. a.w.example. 1 3600 600 86400 30
@ IN NS ns
ns IN A 10.0.0.1
* IN A 10.0.0.99
*.apps IN CNAME ns.w.example.
host.sub IN A 10.0.0.5
"""

WILD_CASES = [  # RFC 4592 §2.2.1: a wildcard matches only below its closest encloser
    ("anything.w.example.", "A", dns.rcode.NOERROR, ["10.0.0.99"]),
    ("a.much.longer.name.w.example.", "A", dns.rcode.NOERROR, ["10.0.0.99"]),
    ("x.apps.w.example.", "A", dns.rcode.NOERROR, ["10.0.0.1", "ns.w.example."]),  # the CNAME, chased
    ("anything.w.example.", "AAAA", dns.rcode.NOERROR, []),
    ("ns.w.example.", "A", dns.rcode.NOERROR, ["10.0.0.1"]),          # an existing name is not covered
    ("x.sub.w.example.", "A", dns.rcode.NXDOMAIN, []),               # sub exists (an empty non-terminal)
]


@pytest.mark.parametrize("qname, qtype, rcode, values", WILD_CASES)
def test_wildcards_in_static_zones(tmp_path, qname, qtype, rcode, values):
    path = tmp_path / "w.example.zone"
    path.write_text(WILD)
    reply = reply_for(AuthTable([load_file(path, "w.example.")]), qname, qtype)
    assert reply.rcode() == rcode and reply.flags & dns.flags.AA
    assert sorted(rd.to_text() for rrset in reply.answer for rd in rrset) == values
    assert not values or reply.answer[0].name.to_text() == qname  # synthesized under the question's name
    if not values:
        assert reply.authority[0].rdtype == dns.rdatatype.SOA and reply.authority[0].ttl == 30


def test_journal_in_memory_keeps_serials_and_deltas_when_there_is_no_state():
    from toolkit.dnsserver.live import Journal
    from toolkit.dnsserver.zones import serial_gt

    journal = Journal()
    first = journal.advance("z.", 1, ["a 60 IN A 10.0.0.1"])
    assert journal.advance("z.", 2, ["a 60 IN A 10.0.0.1"]) == first
    second = journal.advance("z.", 3, ["b 60 IN A 10.0.0.2"])
    assert serial_gt(second, first)
    assert journal.deltas("z.", first) == [(first, second, ["a 60 IN A 10.0.0.1"], ["b 60 IN A 10.0.0.2"])]
    assert journal.deltas("z.", first - 1) is None
