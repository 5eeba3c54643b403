"""forward.py: RFC 5452 reply matching, cache TTLs (RFC 2308), the cache bound, forwarder health and retransmission."""

from __future__ import annotations

import struct

import pytest
from dnslib import QTYPE, RR, SOA, A

from toolkit.dnsserver.forward import Cache, Cached, Forwarder, Policy, Upstream, cache_ttl, matches, render
from toolkit.dnsserver.wire import HEADER, name_to_wire
from toolkit.errors import ConfigError

QUESTION = name_to_wire("www.example.com") + struct.pack("!HH", 1, 1)
SOA_RR = RR("example.com.", QTYPE.SOA, ttl=900, rdata=SOA("ns.", "h.", (1, 2, 3, 4, 30)))


def reply(qid=7, flags=0x8180, question=QUESTION) -> bytes:
    return HEADER.pack(qid, flags, 1, 0, 0, 0) + question


@pytest.mark.parametrize("packet, ok", [
    (reply(), True), (reply(qid=8), False), (reply(flags=0x0100), False),
    (reply(question=QUESTION.upper()), True),  # 0x20 case changes are the same question
    (reply(question=name_to_wire("other.example.com") + QUESTION[-4:]), False), (reply()[:14], False)])
def test_only_a_reply_with_our_id_and_question_counts(packet, ok):
    assert matches(packet, 7, QUESTION) is ok


def test_positive_ttl_is_the_least_ttl():
    answer = [RR("a.", QTYPE.A, ttl=300, rdata=A("1.2.3.4")), RR("a.", QTYPE.A, ttl=60, rdata=A("1.2.3.5"))]
    assert cache_ttl(0, (answer, [], [])) == 60


def test_negative_ttl_is_min_of_soa_ttl_and_minimum_and_zero_without_soa():
    assert cache_ttl(3, ([], [SOA_RR], [])) == 30
    assert cache_ttl(0, ([], [SOA_RR], [])) == 30  # NODATA
    assert cache_ttl(3, ([], [], [])) == 0


def test_cache_expires_entries_and_stays_bounded():
    cache = Cache(size=2)
    for i in range(3):
        cache.put((i,), Cached(0, ([], [], []), 0.0, 10.0))
    assert cache.get((0,), 1.0) is None and cache.get((2,), 1.0) is not None
    assert cache.get((2,), 10.0) is None and len(cache.entries) == 1
    cache.put((9,), Cached(0, ([], [], []), 5.0, 5.0))  # TTL 0: never stored
    assert cache.get((9,), 5.0) is None


def test_render_counts_ttls_down_by_whole_seconds():
    entry = Cached(0, ([RR("www.example.com.", QTYPE.A, ttl=300, rdata=A("1.2.3.4"))], [SOA_RR], []), 100.0, 400.0)
    key = name_to_wire("www.example.com")
    first, until = render(entry, key, 1, 100.2)
    later, _ = render(entry, key, 1, 142.9)
    assert until == 101.2 and first.body != later.body
    assert struct.unpack_from("!I", later.body, 6)[0] == 300 - 42


@pytest.mark.parametrize("text, host, port", [("10.0.0.53", "10.0.0.53", 53), ("127.0.0.1:5300", "127.0.0.1", 5300),
                                              ("::1", "::1", 53)])
def test_upstream_parse(text, host, port):
    up = Upstream.parse(text)
    assert (up.host, up.port) == (host, port)


def test_upstream_parse_refuses_a_bad_port():
    with pytest.raises(ConfigError):
        Upstream.parse("10.0.0.1:fifty")


def test_a_lossy_forwarder_sinks_in_the_order_and_is_probed_not_held_down():
    policy = Policy(probe_interval=1.0)
    forwarder = Forwarder(policy)
    lossy, good = Upstream("127.0.0.1", 1), Upstream("127.0.0.1", 2)
    lossy.answered_in(0.001)
    good.answered_in(0.004)
    assert forwarder._order([lossy, good], 0) == [lossy, good]
    for _ in range(3):
        lossy.missed()
    assert forwarder._order([lossy, good], 0) == [good, lossy] and lossy.state == "degraded"
    lossy.last_sent = good.last_sent = 100.0
    schedule = forwarder._schedule([lossy, good], 100.5)
    assert [next(schedule)[0] for _ in range(3)] == [good, lossy, good]  # no probe yet: plain rounds
    probe = forwarder._schedule([lossy, good], 101.0)
    first, wait = next(probe)
    assert first is lossy and wait <= good.rto(policy)  # overdue: one real query probes it, briefly


def test_retransmission_waits_follow_the_rto_and_back_off_up_to_the_timeout():
    policy = Policy(timeout=1.0, min_rto=0.05, backoff=2.0)
    up = Upstream("127.0.0.1", 1)
    assert up.rto(policy) == policy.first_rto
    up.answered_in(0.001)
    waits = [wait for _, (__, wait) in zip(range(6), Forwarder(policy)._schedule([up], 0))]
    assert waits == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0]


def test_a_dead_forwarder_goes_down_and_one_answer_brings_it_back_up():
    up = Upstream("127.0.0.1", 1)
    for _ in range(12):
        up.missed()
    assert up.state == "down"
    for _ in range(8):
        up.answered_in(0.002)
    assert up.state == "up"
