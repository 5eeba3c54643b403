"""A live server on port 0 answers the private zone (E5), OBS names and static zones; changes are served at once."""

from __future__ import annotations

import threading
import time

import dns.flags
import dns.rcode
import dns.rdatatype
import pytest

from dnsutil import Running, addresses, with_dns, with_obs
from toolkit.errors import ConfigError, ZoneError
from toolkit.registry.endpoints import EndpointRequest

ZONE = "vpcep.cn-north-4.myhuaweicloud.com."


def test_e5_private_name_answers_authoritatively_with_case_preserved(endpoints, serve):
    names, _ = endpoints
    server = serve()
    name, ip = next(iter(names.items()))
    mixed = "".join(c.upper() if i % 2 else c for i, c in enumerate(name))
    reply = server.ask(mixed)
    assert reply.rcode() == dns.rcode.NOERROR and reply.flags & dns.flags.AA
    assert addresses(reply) == [ip]
    assert reply.question[0].name.to_text(omit_final_dot=True) == mixed.rstrip(".")  # 0x20: byte-exact echo
    assert reply.answer[0].ttl == 300


def test_e5_endpoint_without_dns_has_no_record(endpoints, serve, registry):
    names, _ = endpoints
    server = serve()
    assert len(names) == 3
    assert len([r for r in registry.private_records()]) == 3
    assert server.ask(f"nothing-here.{ZONE}").rcode() == dns.rcode.NXDOMAIN


def test_nxdomain_carries_soa_with_negative_ttl(endpoints, serve):
    reply = serve().ask(f"missing.{ZONE}")
    assert reply.rcode() == dns.rcode.NXDOMAIN and reply.flags & dns.flags.AA
    soa = reply.authority[0]
    assert soa.rdtype == dns.rdatatype.SOA and soa.name.to_text() == ZONE
    assert soa.ttl == min(300, soa[0].minimum) == 60  # RFC 2308 §3


def test_nodata_carries_soa(endpoints, serve):
    names, _ = endpoints
    reply = serve().ask(next(iter(names)), "AAAA")
    assert reply.rcode() == dns.rcode.NOERROR and not reply.answer
    assert reply.authority[0].rdtype == dns.rdatatype.SOA and reply.authority[0].ttl == 60


def test_apex_has_soa_and_ns(endpoints, serve):
    server = serve()
    soa, ns = server.ask(ZONE, "SOA"), server.ask(ZONE, "NS")
    assert soa.answer[0].rdtype == dns.rdatatype.SOA and soa.flags & dns.flags.AA
    assert [rd.target.to_text() for rd in ns.answer[0]] == [f"ns.{ZONE}"]
    assert addresses(server.ask(f"ns.{ZONE}")) == ["127.0.0.1"]


def test_obs_local_mode_answers_bucket_and_endpoint_names(registry, settings, serve):
    custom = with_obs(with_dns(settings), addresses=("100.125.0.10", "100.125.1.20"))
    server = serve(custom)
    for name in ("obs.cn-north-4.myhuaweicloud.com", "my-Bucket.obs.cn-north-4.myhuaweicloud.com"):
        reply = server.ask(name)
        assert addresses(reply) == ["100.125.0.10", "100.125.1.20"]
        assert reply.answer[0].name.to_text(omit_final_dot=True) == name  # the answer names the question
    assert server.ask("b.obs.cn-north-4.myhuaweicloud.com", "AAAA").answer == []


def test_obs_addresses_outside_cidr_are_refused(registry, settings):
    with pytest.raises(ConfigError, match="not inside obs.cidr"):
        Running(with_obs(with_dns(settings), addresses=("10.0.0.1",)), registry)


def test_static_zone_is_served_beside_private_ones(registry, settings, serve, tmp_path):
    zones = tmp_path / "zones"
    zones.mkdir()
    (zones / "corp.example.zone").write_text(
        "$TTL 600\n@ IN SOA ns.corp.example. admin.corp.example. 7 3600 600 86400 120\n"
        "@ IN NS ns\nns IN A 10.9.0.1\nwww IN A 10.9.0.80\nalias IN CNAME www\n@ IN MX 10 mail\nmail IN A 10.9.0.25\n")
    server = serve(with_dns(settings, zones_dir=str(zones)))
    assert addresses(server.ask("www.corp.example")) == ["10.9.0.80"]
    assert server.ask("alias.corp.example").answer[0].rdtype == dns.rdatatype.CNAME
    assert server.ask("corp.example", "MX").answer[0][0].exchange.to_text() == "mail.corp.example."
    nx = server.ask("nope.corp.example")
    assert nx.rcode() == dns.rcode.NXDOMAIN and nx.authority[0].ttl == 120


def test_bad_static_zone_is_refused_with_file_line_and_reason(registry, settings, tmp_path):
    zones = tmp_path / "zones"
    zones.mkdir()
    (zones / "bad.example.zone").write_text(
        "$TTL 600\n@ IN SOA ns.bad.example. a.bad.example. 1 2 3 4 5\n@ IN NS ns\nns IN A 10.0.0.999\n")
    with pytest.raises(ZoneError) as caught:
        Running(with_dns(settings, zones_dir=str(zones)), registry)
    assert "bad.example.zone:4" in str(caught.value)


def test_change_by_another_connection_is_served_within_100ms_with_new_serial(endpoints, serve, vpcep):
    names, service = endpoints
    server = serve()
    serial = server.ask(ZONE, "SOA").answer[0][0].serial
    made = vpcep("--json", "endpoint", "create", "--service", service.id, "--vpc", "vpc-c", "--subnet", "sn-c", "--dns")
    committed = time.monotonic()
    name = made["dns_names"][0]
    while not server.ask(name).answer:
        assert time.monotonic() - committed < 0.1, "not served within 100 ms"
    assert addresses(server.ask(name)) == [made["ip"]]
    new_serial = server.ask(ZONE, "SOA").answer[0][0].serial
    assert (new_serial - serial) % 2**32 < 2**31 and new_serial != serial  # RFC 1982: later
    vpcep("endpoint", "delete", made["id"])
    deleted = time.monotonic()
    while server.ask(name).answer:
        assert time.monotonic() - deleted < 0.1
    assert server.ask(name).rcode() == dns.rcode.NXDOMAIN  # E11


def test_no_query_is_dropped_while_zones_change(endpoints, serve, registry):
    names, service = endpoints
    server = serve()
    name, ip = next(iter(names.items()))
    failures, stop = [], threading.Event()

    def churn():
        while not stop.is_set():
            made = registry.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-c", subnet="sn-c",
                                                            enable_dns=True))
            registry.delete_endpoint(made.id)

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        for _ in range(300):
            reply = server.ask(name, timeout=1.0)
            if addresses(reply) != [ip]:
                failures.append(reply)
    finally:
        stop.set()
        worker.join()
    assert failures == []
    deadline = time.monotonic() + 1
    while server.service.live.generation != registry.generation():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    served = server.service.live.private[ZONE].records
    assert len([rr for rr in served if rr.rtype == 1]) == 1 + 3  # ns + the three endpoints: churn left nothing



def test_observer_sees_every_reply_for_a_query_log(registry, settings, endpoints):
    names, _ = endpoints
    seen = []
    server = Running(with_dns(settings), registry,
                     observer=lambda ip, query, reply, seconds: seen.append((ip, reply[:2], seconds)))
    try:
        name = next(iter(names))
        ids = {server.ask(name).id for _ in range(3)} | {server.ask(name, tcp=True).id}  # cached, then TCP
    finally:
        server.stop()
    assert {ip for ip, _, _ in seen} == {"127.0.0.1"}
    assert {int.from_bytes(qid, "big") for _, qid, _ in seen} == ids
    assert len(seen) == 4 and all(isinstance(s, float) and 0 <= s < 2 for _, _, s in seen)  # the time taken
