"""Forwarding through scriptable upstreams: cache and TTLs, negative caching, failover, SERVFAIL, RFC 5452, ACLs."""

from __future__ import annotations

import time

import dns.flags
import dns.rcode
import pytest

from dnsutil import addresses, with_dns, with_obs
from toolkit.dnsserver.forward import Policy
from toolkit.dnsserver.runtime import Options

RECORDS = {("app.example.", "A"): (120, ["192.0.2.10"]), ("corp.internal.", "A"): (60, ["10.0.0.7"]),
           ("b1.obs.cn-north-4.myhuaweicloud.com.", "A"): (60, ["100.125.3.4"])}
FAST = Policy(timeout=0.3, deadline=1.0)
RELAXED = Policy(timeout=1.5, deadline=4.0, probe_interval=60.0)  # a loaded CI box must not time out


def forwarding(serve, settings, *targets, policy=RELAXED, **dns_changes):
    custom = with_dns(settings, forwarders=tuple(t.address for t in targets), **dns_changes)
    return serve(custom, Options(poll=0.01, policy=policy))


def test_forwarded_answer_is_cached_with_ttl_counting_down(serve, settings, upstreams):
    upstream = upstreams(RECORDS)
    server = forwarding(serve, settings, upstream)
    first = server.ask("app.example")
    assert addresses(first) == ["192.0.2.10"] and first.flags & dns.flags.RA and not first.flags & dns.flags.AA
    time.sleep(1.1)
    again = server.ask("APP.example")
    assert addresses(again) == ["192.0.2.10"] and len(upstream.udp_queries) == 1
    assert again.answer[0].ttl < first.answer[0].ttl <= 120
    assert again.question[0].name.to_text() == "APP.example."


def test_nxdomain_is_cached_for_the_soa_minimum(serve, settings, upstreams):
    upstream = upstreams(RECORDS)
    server = forwarding(serve, settings, upstream)
    for _ in range(3):
        reply = server.ask("gone.example")
        assert reply.rcode() == dns.rcode.NXDOMAIN and reply.authority[0].ttl <= 30
    assert len(upstream.udp_queries) == 1  # RFC 2308: negative answers are cached too


def test_upstream_queries_use_random_ids_and_ports_and_ask_for_recursion(serve, settings, upstreams):
    upstream = upstreams(RECORDS)
    server = forwarding(serve, settings, upstream)
    for i in range(8):
        server.ask(f"n{i}.example")
    ids = {q.id for q in upstream.udp_queries}
    assert len(ids) == 8 and all(q.flags & dns.flags.RD for q in upstream.udp_queries)


def test_reply_with_wrong_id_is_ignored(serve, settings, upstreams):
    server = forwarding(serve, settings, upstreams(RECORDS, mode="spoof"))
    assert addresses(server.ask("app.example")) == ["192.0.2.10"]  # not the spoofed 6.6.6.6


def test_truncated_upstream_reply_is_retried_over_tcp(serve, settings, upstreams):
    upstream = upstreams(RECORDS, mode="truncate")
    server = forwarding(serve, settings, upstream)
    assert addresses(server.ask("app.example")) == ["192.0.2.10"] and upstream.tcp_queries == 1


def test_failover_to_the_next_forwarder(serve, settings, upstreams):
    dead, alive = upstreams(RECORDS, mode="drop"), upstreams(RECORDS)
    server = forwarding(serve, settings, dead, alive, policy=FAST)
    assert addresses(server.ask("app.example")) == ["192.0.2.10"]
    assert len(dead.udp_queries) >= 1 and len(alive.udp_queries) >= 1


def test_a_lost_reply_is_retried_within_the_deadline(serve, settings, upstreams):
    flaky = upstreams(RECORDS, mode="drop-first")
    server = forwarding(serve, settings, flaky, policy=Policy(timeout=0.5, deadline=4.0))
    assert addresses(server.ask("app.example", timeout=5)) == ["192.0.2.10"] and len(flaky.udp_queries) >= 2


def test_forwarder_that_keeps_failing_is_skipped(serve, settings, upstreams):
    broken, alive = upstreams(RECORDS, mode="servfail"), upstreams(RECORDS)
    server = forwarding(serve, settings, broken, alive)
    for i in range(6):
        assert server.ask(f"n{i}.example").rcode() == dns.rcode.NXDOMAIN
    assert len(broken.udp_queries) == 1 and len(alive.udp_queries) == 6  # sinks in the order after one SERVFAIL


def test_all_forwarders_failing_is_servfail_within_the_deadline(serve, settings, upstreams):
    server = forwarding(serve, settings, upstreams(RECORDS, mode="drop"), upstreams(RECORDS, mode="servfail"), policy=FAST)
    started = time.monotonic()
    reply = server.ask("app.example", timeout=3)
    assert reply.rcode() == dns.rcode.SERVFAIL  # never NXDOMAIN for a failure
    assert time.monotonic() - started < FAST.deadline + 0.5


def test_forward_zone_goes_to_its_own_forwarders(serve, settings, upstreams):
    default, corp = upstreams(RECORDS), upstreams(RECORDS)
    server = forwarding(serve, settings, default, forward_zones={"internal.": [corp.address]})
    assert addresses(server.ask("corp.internal")) == ["10.0.0.7"]
    assert len(corp.udp_queries) == 1 and default.udp_queries == []


def test_obs_forward_mode_sends_bucket_names_to_the_dns_endpoint(serve, settings, upstreams):
    endpoint, default = upstreams(RECORDS), upstreams(RECORDS)
    custom = with_obs(with_dns(settings, forwarders=(default.address,)), mode="forward", forwarders=(endpoint.address,))
    server = serve(custom, Options(poll=0.01, policy=RELAXED))
    assert addresses(server.ask("b1.obs.cn-north-4.myhuaweicloud.com")) == ["100.125.3.4"]
    assert len(endpoint.udp_queries) == 1 and default.udp_queries == []


def test_client_outside_allow_recursion_gets_refused_but_private_answers(serve, settings, upstreams, endpoints):
    names, _ = endpoints
    upstream = upstreams(RECORDS)
    server = forwarding(serve, settings, upstream, allow_recursion=("10.0.0.0/8",))
    refused = server.ask("app.example")
    assert refused.rcode() == dns.rcode.REFUSED and not refused.flags & dns.flags.RA  # RFC 5358: not open
    assert server.ask(next(iter(names))).rcode() == dns.rcode.NOERROR
    assert upstream.udp_queries == []


def test_client_outside_allow_query_gets_refused(serve, settings, endpoints):
    names, _ = endpoints
    server = serve(with_dns(settings, allow_query=("10.0.0.0/8",)))
    assert server.ask(next(iter(names))).rcode() == dns.rcode.REFUSED


def test_no_forwarders_means_refused_not_servfail(serve, settings):
    assert serve(with_dns(settings)).ask("app.example").rcode() == dns.rcode.REFUSED


@pytest.mark.parametrize("tcp", [False, True])
def test_forwarding_works_over_both_transports(serve, settings, upstreams, tcp):
    server = forwarding(serve, settings, upstreams(RECORDS))
    assert addresses(server.ask("app.example", tcp=tcp)) == ["192.0.2.10"]
