"""Zone serials kept in the state (RFC 1982, across restarts), the IXFR journal (RFC 1995) and TSIG on ordinary queries."""

from __future__ import annotations

import base64
import time

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring

from dnsutil import Running, with_dns
from toolkit.dnsserver.runtime import Options
from toolkit.dnsserver.zones import serial_gt
from toolkit.registry.endpoints import EndpointRequest

ZONE = "vpcep.cn-north-4.myhuaweicloud.com."
SECRET = base64.b64encode(b"a shared secret of thirty-two b!").decode()
KEYS = {"xfr-key": f"hmac-sha256:{SECRET}"}


def serial(server) -> int:
    return server.ask(ZONE, "SOA").answer[0][0].serial


def wait_serial_after(server, old: int, timeout: float = 2.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = serial(server)
        if serial_gt(now, old):
            return now
        time.sleep(0.01)  # polling an event in another thread: the server's watcher
    raise AssertionError(f"serial still {old}")


def ixfr_query(since: int, **tsig) -> dns.message.Message:
    query = dns.message.make_query(ZONE, "IXFR")
    soa = dns.rrset.from_text(ZONE, 0, "IN", "SOA", f"ns.{ZONE} hostmaster.{ZONE} {since} 3600 600 1209600 60")
    query.authority.append(soa)
    if tsig:
        query.use_tsig(**tsig)
    return query


def ixfr_tcp(server, since: int) -> list[dns.message.Message]:
    import socket

    from dnsutil import read_frame

    query = ixfr_query(since)
    messages = []
    with socket.create_connection((server.host, server.port), timeout=3) as sock:
        wire = query.to_wire()
        sock.sendall(len(wire).to_bytes(2, "big") + wire)
        soas = 0
        while True:
            message = dns.message.from_wire(read_frame(sock), one_rr_per_rrset=True)
            messages.append(message)
            first_serial = messages[0].answer[0][0].serial
            soas += sum(1 for r in message.answer if r.rdtype == dns.rdatatype.SOA and r[0].serial == first_serial)
            if len(messages[0].answer) == 1 and len(messages) == 1 and message.answer[0].rdtype == dns.rdatatype.SOA:
                if first_serial == since:
                    return messages
            if soas >= 3 or (soas == 2 and messages[0].answer[1].rdtype != dns.rdatatype.SOA):
                return messages


def add_endpoint(registry, service) -> tuple[str, str]:
    made = registry.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-c", subnet="sn-c", enable_dns=True))
    return made.id, made.dns_names[0].rstrip(".") + "."


def test_serial_survives_a_restart_and_moves_on_for_a_change_made_while_down(registry, settings, endpoints):
    _, service = endpoints
    custom = with_dns(settings)
    server = Running(custom, registry, Options(poll=0.01))
    first = serial(server)
    for _ in range(5):
        add_endpoint(registry, service)
        first = wait_serial_after(server, first)
    server.stop()
    again = Running(custom, registry, Options(poll=0.01))
    assert serial(again) == first  # same content, same serial: never from the clock backwards
    assert again.service.live.moved == []
    again.stop()
    add_endpoint(registry, service)  # made while down
    third = Running(custom, registry, Options(poll=0.01))
    try:
        assert serial_gt(serial(third), first)
        assert [z.origin for z in third.service.live.moved] == [ZONE]  # NOTIFYed at start
    finally:
        third.stop()


def test_ixfr_when_current_is_one_soa_and_deltas_when_behind(registry, settings, endpoints):
    _, service = endpoints
    server = Running(with_dns(settings, allow_transfer=("127.0.0.0/8",)), registry, Options(poll=0.01))
    try:
        start = serial(server)
        current = dns.query.tcp(ixfr_query(start), server.host, port=server.port, timeout=3)
        assert [r.rdtype for r in current.answer] == [dns.rdatatype.SOA] and current.answer[0][0].serial == start
        _, name = add_endpoint(registry, service)
        now = wait_serial_after(server, start)
        messages = ixfr_tcp(server, start)
        records = [r for m in messages for r in m.answer]
        assert [r[0].serial for r in records if r.rdtype == dns.rdatatype.SOA] == [now, start, now, now]
        assert [r.name.to_text() for r in records if r.rdtype == dns.rdatatype.A] == [name]
        udp = dns.query.udp(ixfr_query(start), server.host, port=server.port, timeout=3)  # RFC 1995 §2
        assert udp.rcode() == dns.rcode.NOERROR
        assert [r.name.to_text() for r in udp.answer if r.rdtype == dns.rdatatype.A] == [name]
        unknown = dns.query.udp(ixfr_query(start - 7), server.host, port=server.port, timeout=3)
        assert [r.rdtype for r in unknown.answer] == [dns.rdatatype.SOA]  # not journalled: one SOA, ask over TCP
    finally:
        server.stop()


def test_signed_soa_query_gets_a_signed_reply(registry, settings, endpoints):
    server = Running(with_dns(settings, allow_transfer=("xfr-key",), tsig_keys=KEYS), registry, Options(poll=0.01))
    try:
        keyring = dns.tsigkeyring.from_text({"xfr-key": ("hmac-sha256", SECRET)})
        query = dns.message.make_query(ZONE, "SOA")
        query.use_tsig(keyring, "xfr-key", algorithm="hmac-sha256")
        reply = dns.query.udp(query, server.host, port=server.port, timeout=3)  # validates the reply's TSIG
        assert reply.had_tsig and reply.rcode() == dns.rcode.NOERROR and reply.answer[0].rdtype == dns.rdatatype.SOA
    finally:
        server.stop()


def tsig_error(server, keyring, name, algorithm) -> tuple[int, int]:
    query = dns.message.make_query(ZONE, "SOA")
    query.use_tsig(keyring, name, algorithm=algorithm)
    raw = server.raw(query.to_wire())
    reply = dns.message.from_wire(raw, keyring=lambda message, keyname: False)
    return reply.rcode(), reply.tsig[0].error


def test_unknown_key_and_other_algorithm_get_notauth_badkey(registry, settings, endpoints):
    server = Running(with_dns(settings, allow_transfer=("xfr-key",), tsig_keys=KEYS), registry, Options(poll=0.01))
    try:
        other = dns.tsigkeyring.from_text({"other-key": ("hmac-sha256", SECRET)})
        assert tsig_error(server, other, "other-key", "hmac-sha256") == (dns.rcode.NOTAUTH, dns.rcode.BADKEY)
        same_name = dns.tsigkeyring.from_text({"xfr-key": ("hmac-sha512", SECRET)})
        assert tsig_error(server, same_name, "xfr-key", "hmac-sha512") == (dns.rcode.NOTAUTH, dns.rcode.BADKEY)
    finally:
        server.stop()


class Secondary:
    """A UDP peer on 127.0.0.1 that records NOTIFYs and answers each with `rcode` (signed when asked signed)."""

    def __init__(self, rcode=dns.rcode.NOERROR, keyring=None) -> None:
        import socket
        import threading

        self.rcode, self.keyring, self.got = rcode, keyring, []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.event = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            message = dns.message.from_wire(data, keyring=self.keyring)
            self.got.append(message)
            reply = dns.message.make_response(message)
            reply.set_rcode(self.rcode)
            self.sock.sendto(reply.to_wire(), addr)
            self.event.set()

    def close(self) -> None:
        self.sock.close()


def test_notify_is_signed_for_a_keyed_peer_and_sent_at_start_when_the_serial_moved(registry, settings, endpoints):
    _, service = endpoints
    keyring = dns.tsigkeyring.from_text({"xfr-key": ("hmac-sha256", SECRET)})
    Running(with_dns(settings), registry, Options(poll=0.01)).stop()  # records the serial
    add_endpoint(registry, service)  # while down
    secondary = Secondary(keyring=keyring)
    server = Running(with_dns(settings, tsig_keys=KEYS, notify=(f"127.0.0.1:{secondary.port} key xfr-key",)),
                     registry, Options(poll=0.01))
    try:
        assert secondary.event.wait(2), "no NOTIFY at start"
        notify = secondary.got[0]
        assert notify.had_tsig and notify.keyname.to_text() == "xfr-key."  # verified by the peer's keyring
        assert notify.answer[0][0].serial == serial(server)
    finally:
        server.stop()
        secondary.close()


def test_notify_answered_notauth_is_a_failure_retried_and_logged(caplog):
    import asyncio
    import logging

    from dnslib import RR

    from toolkit.dnsserver.forward import Upstream
    from toolkit.dnsserver.xfr import send_notify
    from toolkit.dnsserver.zones import Zone

    secondary = Secondary(rcode=dns.rcode.NOTAUTH)
    zone = Zone(ZONE, RR.fromZone(f"{ZONE} 300 IN SOA ns.{ZONE} h.{ZONE} 7 3600 600 1209600 60"))
    try:
        with caplog.at_level(logging.INFO, logger="vpcep.dns"):
            result = asyncio.run(send_notify([zone], [Upstream("127.0.0.1", secondary.port)], tries=3, backoff=0.01))
        assert list(result.values()) == [False] and len(secondary.got) == 3
        assert f"NOTIFY of {ZONE} serial 7 to 127.0.0.1:{secondary.port} failed: answered NOTAUTH" in caplog.text
    finally:
        secondary.close()
    closed = asyncio.run(send_notify([zone], [Upstream("127.0.0.1", 9)], tries=2, timeout=0.2, backoff=0.01))
    assert list(closed.values()) == [False]  # nothing listens on the discard port: ICMP refused or no answer
