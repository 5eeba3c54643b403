"""Zone transfer (AXFR over TCP, RFC 5936) by address or TSIG key (RFC 8945), and NOTIFY (RFC 1996) out."""

from __future__ import annotations

import base64
import socket
import threading

import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring
import dns.zone
import pytest

from dnsutil import with_dns
from toolkit.errors import ConfigError

ZONE = "vpcep.cn-north-4.myhuaweicloud.com."
SECRET = base64.b64encode(b"a shared secret of thirty-two b!").decode()
KEYS = {"xfr-key": f"hmac-sha256:{SECRET}"}


def transfer(server, **kwargs) -> dns.zone.Zone:
    zone = dns.zone.Zone(ZONE)
    dns.query.inbound_xfr(server.host, zone, port=server.port, timeout=3, **kwargs)
    return zone


def names_in(zone: dns.zone.Zone) -> dict[str, str]:
    return {name.derelativize(zone.origin).to_text(): rds[0].address for name, rds in zone.iterate_rdatasets("A")}


def test_axfr_to_an_allowed_address_carries_the_whole_zone(serve, settings, endpoints):
    names, _ = endpoints
    server = serve(with_dns(settings, allow_transfer=("127.0.0.0/8",)))
    zone = transfer(server)
    expected = {name.rstrip("."): ip for name, ip in names.items()} | {f"ns.{ZONE}".rstrip("."): "127.0.0.1"}
    assert {k.rstrip("."): v for k, v in names_in(zone).items()} == expected
    assert zone.get_soa().serial == server.ask(ZONE, "SOA").answer[0][0].serial


def test_axfr_signed_with_the_right_key_is_allowed(serve, settings, endpoints):
    names, _ = endpoints
    server = serve(with_dns(settings, allow_transfer=("xfr-key",), tsig_keys=KEYS))
    keyring = dns.tsigkeyring.from_text({"xfr-key": ("hmac-sha256", SECRET)})
    query = dns.message.make_query(ZONE, "AXFR")
    query.use_tsig(keyring, "xfr-key", algorithm="hmac-sha256")
    messages = list(dns.query.xfr(server.host, ZONE, port=server.port, keyring=keyring, keyname="xfr-key",
                                  keyalgorithm="hmac-sha256", timeout=3))
    assert messages[0].had_tsig and messages[0].rcode() == dns.rcode.NOERROR
    answers = [rrset for m in messages for rrset in m.answer]
    assert answers[0].rdtype == answers[-1].rdtype == dns.rdatatype.SOA
    assert len([a for a in answers if a.rdtype == dns.rdatatype.A]) == len(names) + 1


def test_axfr_unsigned_when_only_a_key_is_allowed_is_refused(serve, settings, endpoints):
    server = serve(with_dns(settings, allow_transfer=("xfr-key",), tsig_keys=KEYS))
    reply = dns.query.tcp(dns.message.make_query(ZONE, "AXFR"), server.host, port=server.port, timeout=3)
    assert reply.rcode() == dns.rcode.REFUSED and reply.answer == []


def test_axfr_with_a_wrong_secret_gets_notauth_badsig(serve, settings, endpoints):
    server = serve(with_dns(settings, allow_transfer=("xfr-key",), tsig_keys=KEYS))
    wrong = dns.tsigkeyring.from_text({"xfr-key": ("hmac-sha256", base64.b64encode(b"x" * 32).decode())})
    with pytest.raises(dns.tsig.PeerBadSignature):
        list(dns.query.xfr(server.host, ZONE, port=server.port, keyring=wrong, keyname="xfr-key",
                           keyalgorithm="hmac-sha256", timeout=3))


def test_axfr_with_an_unknown_key_gets_notauth_badkey(serve, settings, endpoints):
    server = serve(with_dns(settings, allow_transfer=("xfr-key",), tsig_keys=KEYS))
    other = dns.tsigkeyring.from_text({"other-key": ("hmac-sha256", SECRET)})
    query = dns.message.make_query(ZONE, "AXFR")
    query.use_tsig(other, "other-key", algorithm="hmac-sha256")
    raw = server.raw_tcp(query.to_wire())
    with pytest.raises(dns.tsig.PeerBadKey):
        dns.message.from_wire(raw, keyring=other, request_mac=query.mac)
    assert raw[3] & 0x0F == dns.rcode.NOTAUTH


def test_signed_notify_with_a_bad_key_gets_notauth(serve, settings):
    server = serve(with_dns(settings, tsig_keys=KEYS))
    other = dns.tsigkeyring.from_text({"other-key": ("hmac-sha256", SECRET)})
    notify = dns.message.make_query(ZONE, "SOA")
    notify.set_opcode(dns.opcode.NOTIFY)
    notify.use_tsig(other, "other-key", algorithm="hmac-sha256")
    raw = server.raw(notify.to_wire())
    assert raw is not None and raw[3] & 0x0F == dns.rcode.NOTAUTH


def test_transfer_of_a_zone_we_do_not_serve_is_notauth(serve, settings):
    server = serve(with_dns(settings, allow_transfer=("127.0.0.0/8",)))
    reply = dns.query.tcp(dns.message.make_query("example.com.", "AXFR"), server.host, port=server.port, timeout=3)
    assert reply.rcode() == dns.rcode.NOTAUTH


def test_allow_transfer_naming_an_unknown_key_is_a_config_error(registry, settings):
    from dnsutil import Running
    with pytest.raises(ConfigError, match="unknown TSIG keys"):
        Running(with_dns(settings, allow_transfer=("nokey",)), registry)


class Secondary:
    """A UDP listener that answers NOTIFY like a secondary and records what it got."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.got = []
        self.event = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            message = dns.message.from_wire(data)
            self.got.append(message)
            self.sock.sendto(dns.message.make_response(message).to_wire(), addr)
            self.event.set()


def test_change_sends_notify_with_the_new_serial(serve, settings, endpoints, registry):
    names, service = endpoints
    secondary = Secondary()
    server = serve(with_dns(settings, notify=(f"127.0.0.1:{secondary.port}",)))
    from toolkit.registry.endpoints import EndpointRequest
    registry.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-c", subnet="sn-c", enable_dns=True))
    assert secondary.event.wait(2), "no NOTIFY within 2 s"
    notify = secondary.got[0]
    assert notify.opcode() == dns.opcode.NOTIFY and notify.question[0].name.to_text() == ZONE
    assert notify.answer[0][0].serial == server.ask(ZONE, "SOA").answer[0][0].serial
    secondary.sock.close()


def test_ixfr_is_answered_with_the_whole_zone_in_axfr_form(serve, settings, endpoints):
    names, _ = endpoints
    server = serve(with_dns(settings, allow_transfer=("127.0.0.0/8",)))
    query = dns.message.make_query(ZONE, "IXFR")
    query.authority.append(dns.rrset.from_text(ZONE, 0, "IN", "SOA", f"ns.{ZONE} h.{ZONE} 1 1 1 1 1"))
    reply = dns.message.from_wire(server.raw_tcp(query.to_wire()), xfr=True)
    assert reply.answer[0].rdtype == reply.answer[-1].rdtype == dns.rdatatype.SOA  # RFC 1995 §4: AXFR form
    assert len([r for r in reply.answer if r.rdtype == dns.rdatatype.A]) == len(names) + 1


def test_large_zone_goes_in_several_signed_messages(serve, settings, tmp_path):
    zones = tmp_path / "zones"
    zones.mkdir()
    hosts = "".join(f"h{i} IN A 10.1.{i // 250}.{i % 250 + 1}\n" for i in range(1200))
    (zones / "big.example.zone").write_text("$TTL 600\n@ IN SOA ns.big.example. a.big.example. 1 3600 600 86400 60\n"
                                            f"@ IN NS ns\nns IN A 10.0.0.1\n{hosts}")
    server = serve(with_dns(settings, zones_dir=str(zones), allow_transfer=("xfr-key",), tsig_keys=KEYS))
    keyring = dns.tsigkeyring.from_text({"xfr-key": ("hmac-sha256", SECRET)})
    messages = list(dns.query.xfr(server.host, "big.example.", port=server.port, keyring=keyring, keyname="xfr-key",
                                  keyalgorithm="hmac-sha256", timeout=5))
    assert len(messages) >= 3 and all(m.had_tsig for m in messages)  # each message signed (RFC 8945 §5.3.1)
    assert sum(len(rrset) for m in messages for rrset in m.answer) == 1200 + 2 + 2  # hosts, NS and ns A, SOA twice
