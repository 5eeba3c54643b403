"""chain.py: the fixed order ACL → zones → OBS → forward, as a table of cases with a stub forwarder."""

from __future__ import annotations

import asyncio
import inspect

import dns.flags
import dns.message
import dns.rcode
import pytest
from dnslib import QTYPE, RR, A

from toolkit.dnsserver.answers import AuthTable, ObsTable
from toolkit.dnsserver.chain import Acl, Chain, Outcome, Snapshot
from toolkit.dnsserver.forward import Cached, Forwarder, Policy, Routes, Upstream
from toolkit.dnsserver.xfr import Transfers
from toolkit.dnsserver.zones import build_private
from toolkit.errors import UpstreamError
from toolkit.registry.endpoints import Record

ORIGIN = "vpcep.r.d."
OBS = "obs.r.d."


class StubForwarder(Forwarder):
    """Answers every name with 203.0.113.1, or fails when told to; records what it was asked."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__(Policy())
        self.fail, self.asked = fail, []

    async def resolve(self, key, qtype, qclass, upstreams):
        self.asked.append((key, [u.port for u in upstreams]))
        if self.fail:
            raise UpstreamError("down")
        return Cached(0, ([RR("x.", QTYPE.A, ttl=30, rdata=A("203.0.113.1"))], [], []), 0.0, 30.0)


class StubLive:
    def __init__(self, obs_local: bool) -> None:
        zones = build_private([Record("ep1.vpcep.r.d", "10.0.0.5", "ep1")], ORIGIN, 300, 1, "127.0.0.1")
        self.snapshot = Snapshot(zones, AuthTable(zones), ObsTable(OBS, ("100.125.0.10",), 300) if obs_local else None)
        self.obs_apex = b"\x03obs\x01r\x01d\x00"


def make_chain(obs_local=True, fail=False, forwarders=(5300,)):
    forwarder = StubForwarder(fail)
    routes = Routes([Upstream("127.0.0.1", p) for p in forwarders], {b"\x04corp\x00": [Upstream("127.0.0.1", 5400)]})
    obs_routes = None if obs_local else [Upstream("127.0.0.1", 5500)]
    chain = Chain(StubLive(obs_local), Acl(["127.0.0.0/8", "10.0.0.0/8"], ["127.0.0.0/8"]), routes, obs_routes,
                  forwarder, Transfers([], {}), clock=lambda: 1.0)
    return chain, forwarder


def run(chain, name, rdtype="A", ip="127.0.0.1", tcp=False) -> tuple[dns.message.Message, Outcome]:
    outcome = chain.handle(dns.message.make_query(name, rdtype).to_wire(), ip, tcp)
    if inspect.iscoroutine(outcome):
        outcome = asyncio.run(outcome)
    return dns.message.from_wire(outcome.reply), outcome


CASES = [  # client, name, rcode, answer, AA, handled by
    ("127.0.0.1", "ep1.vpcep.r.d", dns.rcode.NOERROR, "10.0.0.5", True, "zones"),
    ("10.1.1.1", "ep1.vpcep.r.d", dns.rcode.NOERROR, "10.0.0.5", True, "zones"),     # query only, still answered
    ("192.0.2.1", "ep1.vpcep.r.d", dns.rcode.REFUSED, None, False, "acl"),           # outside allow_query
    ("127.0.0.1", "nope.vpcep.r.d", dns.rcode.NXDOMAIN, None, True, "zones"),
    ("127.0.0.1", "bkt.obs.r.d", dns.rcode.NOERROR, "100.125.0.10", True, "obs"),  # authoritative
    ("127.0.0.1", "example.com", dns.rcode.NOERROR, "203.0.113.1", False, "forward"),
    ("10.1.1.1", "example.com", dns.rcode.REFUSED, None, False, "acl"),               # no recursion for it
]


@pytest.mark.parametrize("client, name, rcode, address, aa, by", CASES)
def test_chain_order(client, name, rcode, address, aa, by):
    chain, forwarder = make_chain()
    reply, _ = run(chain, name, ip=client)
    assert reply.rcode() == rcode and bool(reply.flags & dns.flags.AA) is aa
    assert [rd.address for rrset in reply.answer for rd in rrset] == ([address] if address else [])
    assert bool(forwarder.asked) is (by == "forward")


def test_zone_answers_may_be_cached_until_the_snapshot_changes_and_forwarded_for_a_second():
    chain, _ = make_chain()
    assert run(chain, "ep1.vpcep.r.d")[1].until == float("inf")
    assert run(chain, "example.com")[1].until == 2.0  # clock 1.0 + 1 s (TTLs count down)


def test_forward_zone_picks_its_own_forwarders():
    chain, forwarder = make_chain()
    run(chain, "host.corp")
    run(chain, "host.example")
    assert [ports for _, ports in forwarder.asked] == [[5400], [5300]]


def test_obs_forward_mode_uses_the_obs_forwarders():
    chain, forwarder = make_chain(obs_local=False)
    reply, _ = run(chain, "bkt.obs.r.d")
    assert reply.rcode() == dns.rcode.NOERROR and forwarder.asked[0][1] == [5500]


def test_upstream_failure_is_servfail_never_nxdomain():
    chain, _ = make_chain(fail=True)
    reply, outcome = run(chain, "example.com")
    assert reply.rcode() == dns.rcode.SERVFAIL and outcome.until == 0.0


def test_no_forwarders_is_refused():
    chain, forwarder = make_chain(forwarders=())
    assert run(chain, "example.com")[0].rcode() == dns.rcode.REFUSED and forwarder.asked == []
