"""BIND 9 as a real peer: a forward-only resolver in front of us, and a secondary that transfers our zone."""

from __future__ import annotations

import time

import dns.exception
import dns.rcode
import pytest

from dnsutil import addresses, free_port, with_dns
from toolkit.model.service import PortMapping
from toolkit.registry.endpoints import EndpointRequest

ZONE = "vpcep.cn-north-4.myhuaweicloud.com"


def test_bind_forward_only_resolves_private_and_bucket_names_through_us(bind, serve, settings, endpoints):
    names, _ = endpoints
    ours = serve(with_dns(settings))
    named = bind(options=f"forward only; forwarders {{ 127.0.0.1 port {ours.port}; }};")
    name, ip = next(iter(names.items()))
    _until(lambda: addresses(named.ask(name, timeout=1)) == [ip], 10, named)  # BIND may be slow to start forwarding
    assert addresses(named.ask("photos.obs.cn-north-4.myhuaweicloud.com")) == ["100.125.0.10"]
    assert named.ask(f"missing.{ZONE}").rcode() == dns.rcode.NXDOMAIN


def test_bind_secondary_transfers_our_zone_and_follows_notify(bind, serve, settings, registry, vpcep):
    registry.create_vpc("vpc-p", "10.1.0.0/16")
    registry.create_vpc("vpc-c", "192.168.0.0/16")
    registry.create_subnet("sn-c", "vpc-c", "192.168.1.0/24")
    service, _ = registry.create_service(vpc="vpc-p", server_type="LB", port_id="lb-1",
                                         ports=[PortMapping(server_port=80, client_port=80)],
                                         name="web", approval=True)
    waiting = registry.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-c", subnet="sn-c", enable_dns=True))
    bind_port = free_port()
    ours = serve(with_dns(settings, allow_transfer=("127.0.0.0/8",), notify=(f"127.0.0.1:{bind_port}",)))
    named = bind(f'zone "{ZONE}" {{ type secondary; primaries {{ 127.0.0.1 port {ours.port}; }}; file "sec.db"; }};',
                 port=bind_port)
    _until(lambda: named.ask(ZONE, "SOA").rcode() == dns.rcode.NOERROR and named.ask(ZONE, "SOA").answer, 5,
           named)
    name = waiting.dns_names[0]
    assert named.ask(name).rcode() == dns.rcode.NXDOMAIN  # pendingAcceptance: no record yet (E5)
    vpcep("service", "accept", service.id, waiting.id)
    changed = time.monotonic()
    _until(lambda: addresses(named.ask(name)) == [waiting.ip], 2, named)
    assert time.monotonic() - changed < 2.0
    assert named.ask(ZONE, "SOA").answer[0][0].serial == ours.ask(ZONE, "SOA").answer[0][0].serial


def _until(check, seconds: float, named) -> None:
    deadline = time.monotonic() + seconds
    while not _holds(check):
        if time.monotonic() > deadline:
            pytest.fail(f"BIND did not get there in {seconds}s; its log:\n{named.text()[-3000:]}")
        time.sleep(0.02)


def _holds(check) -> bool:
    try:
        return bool(check())
    except dns.exception.Timeout:
        return False
