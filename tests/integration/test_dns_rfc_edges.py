"""RFC details against a live server: cookies (RFC 7873), NSID (RFC 5001), reply sizes, NOTIMP flags,
RD=0 never forwarded, and OBS NODATA with an SOA (RFC 2308)."""

from __future__ import annotations

import struct

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import pytest

from dnsutil import addresses, with_dns
from tests.conftest import run_vpcep
from toolkit.dnsserver.runtime import Options

COOKIE, NSID = 10, 3


@pytest.fixture
def big(tmp_path):
    """A static zone whose 100-address RRset (about 1,650 bytes) fits 4096 but not our 1232."""
    zones = tmp_path / "zones"
    zones.mkdir()
    many = "".join(f"big IN A 10.7.{i // 250}.{i % 250 + 1}\n" for i in range(100))
    (zones / "corp.example.zone").write_text("$TTL 600\n@ IN SOA ns.corp.example. admin.corp.example. 1 3600 600 86400 60\n"
                                             f"@ IN NS ns\nns IN A 10.9.0.1\nwww IN A 10.9.0.80\n{many}")
    return zones


@pytest.fixture
def server(serve, settings, big, endpoints):
    return serve(with_dns(settings, zones_dir=str(big), nsid="ns-a.test"), Options(poll=0.01))


def query(name="www.corp.example", rdtype="A", options=(), **make) -> dns.message.Message:
    return dns.message.make_query(name, rdtype, use_edns=0, options=list(options), **make)


def option(reply: dns.message.Message, code: int):
    return next((o for o in reply.options if o.otype == code), None)


def cookie(value: bytes) -> dns.edns.GenericOption:
    return dns.edns.GenericOption(COOKIE, value)


@pytest.mark.parametrize("length", [1, 7, 9, 15, 41])
def test_a_malformed_client_cookie_is_formerr(server, length):
    reply = dns.message.from_wire(server.raw(query(options=[cookie(b"c" * length)]).to_wire()))
    assert reply.rcode() == dns.rcode.FORMERR and reply.answer == []


def test_a_client_cookie_gets_a_server_cookie_that_it_can_send_back(server):
    client = b"\x01\x02\x03\x04\x05\x06\x07\x08"
    first = dns.message.from_wire(server.raw(query(options=[cookie(client)]).to_wire()))
    got = option(first, COOKIE).to_wire()
    assert first.rcode() == dns.rcode.NOERROR and addresses(first) == ["10.9.0.80"]
    assert len(got) == 24 and got[:8] == client and got[8] == 1  # RFC 9018: version 1, 16-byte server cookie
    again = dns.message.from_wire(server.raw(query(options=[cookie(got)]).to_wire()))
    assert again.rcode() == dns.rcode.NOERROR and option(again, COOKIE).to_wire()[:8] == client
    assert option(server.ask("www.corp.example", use_edns=0), COOKIE) is None  # none sent, none back


def test_nsid_is_sent_only_to_clients_that_ask(server, serve, settings, big):
    asked = server.ask("www.corp.example", use_edns=0, options=[dns.edns.GenericOption(NSID, b"")])
    assert option(asked, NSID).to_wire() == b"ns-a.test"
    assert option(server.ask("www.corp.example", use_edns=0), NSID) is None
    plain = serve(with_dns(settings, zones_dir=str(big)), Options(poll=0.01))
    assert option(plain.ask("www.corp.example", use_edns=0, options=[dns.edns.GenericOption(NSID, b"")]), NSID) is None


def test_udp_replies_stay_within_our_1232_even_when_the_client_offers_4096(server):
    raw = server.raw(query("big.corp.example", payload=4096).to_wire())
    reply = dns.message.from_wire(raw)
    assert reply.flags & dns.flags.TC and len(raw) <= 1232 and reply.answer == [] and reply.payload == 1232
    whole = server.ask("big.corp.example", tcp=True)
    assert len(addresses(whole)) == 100 and not whole.flags & dns.flags.TC


def test_notimp_for_an_unknown_opcode_copies_neither_rd_nor_cd(server):
    packet = struct.pack("!6H", 0x4242, (2 << 11) | 0x0100 | 0x0010, 1, 0, 0, 0) + b"\x00\x00\x01\x00\x01"
    raw = server.raw(packet)
    flags = struct.unpack("!H", raw[2:4])[0]
    assert raw[:2] == b"\x42\x42" and flags & 0xF == dns.rcode.NOTIMP and (flags >> 11) & 0xF == 2
    assert not flags & 0x0100 and not flags & 0x0010 and flags & 0x8000


def test_rd0_for_a_foreign_name_is_never_forwarded_but_a_cached_answer_is_given(serve, settings, upstreams):
    upstream = upstreams({("app.example.", "A"): (120, ["192.0.2.10"])})
    server = serve(with_dns(settings, forwarders=(upstream.address,)), Options(poll=0.01))
    cold = dns.message.make_query("app.example", "A")
    cold.flags &= ~dns.flags.RD
    reply = dns.message.from_wire(server.raw(cold.to_wire()))
    assert reply.rcode() == dns.rcode.NOERROR and reply.answer == [] and not reply.flags & dns.flags.AA
    assert upstream.udp_queries == []  # BIND too answers RD=0 from its cache only (its upward referral aside)
    assert addresses(server.ask("app.example")) == ["192.0.2.10"] and len(upstream.udp_queries) == 1
    warm = dns.message.from_wire(server.raw(cold.to_wire()))
    assert addresses(warm) == ["192.0.2.10"] and len(upstream.udp_queries) == 1


def test_obs_bucket_nodata_is_authoritative_with_an_soa(server):
    for name in ("bkt.obs.cn-north-4.myhuaweicloud.com", "obs.cn-north-4.myhuaweicloud.com"):
        reply = server.ask(name, "AAAA")
        assert reply.rcode() == dns.rcode.NOERROR and reply.flags & dns.flags.AA and reply.answer == []
        assert reply.authority[0].rdtype == dns.rdatatype.SOA
        assert reply.authority[0].name.to_text() == "obs.cn-north-4.myhuaweicloud.com."
        assert server.ask(name, "A").flags & dns.flags.AA


@pytest.mark.parametrize("command", [("dns", "export"), ("dns", "serve", "--listen", "127.0.0.1:0")])
def test_a_name_template_with_an_empty_label_is_one_line_not_a_traceback(tmp_path, command):
    state = tmp_path / "state.db"
    assert run_vpcep("--state", str(state), "init", "--region", "cn-north-4", "--domain", "myhuaweicloud.com").returncode == 0
    done = run_vpcep("--state", str(state), *command, env={"VPCEP_DNS_NAME_TEMPLATE": "{endpoint_id}.a..b"}, timeout=30)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "name_template" in lines[0] and "[E5]" in lines[0]
