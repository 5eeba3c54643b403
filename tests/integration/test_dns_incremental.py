"""Issue 15: a running server applies the endpoints a commit changed (the change log keyed by generation),
not a rebuild of every zone; the compact private zone answers as a zone of dnslib records would."""

from __future__ import annotations

import dns.rdatatype
import pytest

from dnsutil import with_dns
from toolkit.dnsserver import wire
from toolkit.dnsserver.answers import AuthTable
from toolkit.dnsserver.live import Live
from toolkit.dnsserver.zones import PrivateZone, Zone, build_private
from toolkit.registry.endpoints import EndpointRequest, Record

ZONE = "vpcep.cn-north-4.myhuaweicloud.com."


def live_over(registry, settings) -> Live:
    return Live(registry, with_dns(settings), [], "127.0.0.1")


def no_rebuild(monkeypatch, registry):
    """Reading every record again fails the test: what follows must be applied from the change log."""
    def refuse():
        raise AssertionError("rebuilt every zone")
    monkeypatch.setattr(registry, "private_records", refuse)


def create(registry, service):
    return registry.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-c", subnet="sn-c", enable_dns=True))


def answer(live, name: str, qtype: str = "A"):
    found = live.snapshot.table.lookup(wire.name_to_wire(name), dns.rdatatype.from_text(qtype))
    return None if found is None else (found.rcode, found.counts)


def test_a_create_and_a_delete_are_applied_without_a_rebuild_and_journalled_as_one_line_each(
        registry, settings, endpoints, monkeypatch):
    names, service = endpoints
    live = live_over(registry, settings)
    before = live.private[ZONE].serial
    gone = next(iter(names))
    gone_id = next(e.id for e in registry.list_endpoints() if gone in e.dns_names)
    no_rebuild(monkeypatch, registry)
    made = create(registry, service)
    registry.delete_endpoint(gone_id)
    changed = live.refresh()
    zone = live.private[ZONE]
    assert changed == [zone] and zone.serial != before
    assert answer(live, made.dns_names[0])[0] == 0 and answer(live, gone)[0] == 3  # NOERROR, NXDOMAIN
    [(old, new, removed, added)] = live.journal.deltas(ZONE, before)
    assert (old, new) == (before, zone.serial)
    assert removed == [f"{gone.lower()}. 300 IN A {names[gone]}"]
    assert added == [f"{made.dns_names[0].lower()}. 300 IN A {made.ip}"]


def test_a_change_that_moves_no_record_keeps_the_serial(registry, settings, endpoints, monkeypatch):
    live = live_over(registry, settings)
    serial = live.private[ZONE].serial
    no_rebuild(monkeypatch, registry)
    registry.create_vpc("vpc-x", "10.9.0.0/16")  # a commit that writes no endpoint
    endpoint = next(e for e in registry.list_endpoints() if e.dns_names)
    registry.update_endpoint(endpoint.id, whitelist=["10.0.0.0/8"])  # one that writes an endpoint, not its name
    generation = registry.generation()
    assert live.refresh() == [] and live.private[ZONE].serial == serial and live.generation == generation


def test_the_applied_zone_equals_a_rebuilt_one(registry, settings, endpoints):
    _, service = endpoints
    live = live_over(registry, settings)
    for _ in range(5):
        create(registry, service)
    victim = registry.list_endpoints()[0]
    registry.delete_endpoint(victim.id)
    live.refresh()
    again = live_over(registry, settings)
    assert live.private[ZONE].lines() == again.private[ZONE].lines()
    assert live.private[ZONE].serial == again.private[ZONE].serial  # the journal agrees: no new serial at start


def test_a_server_further_behind_than_the_change_log_rebuilds(registry, settings, endpoints):
    _, service = endpoints
    live = live_over(registry, settings)
    with registry.store.write() as txn:
        txn.set_meta("changes_from", registry.generation() + 5)  # the log was trimmed past what we saw
    made = create(registry, service)
    rebuilt = []
    real = registry.private_records
    registry.private_records = lambda: rebuilt.append(1) or real()
    live.refresh()
    assert rebuilt and answer(live, made.dns_names[0])[0] == 0


def test_the_change_log_names_each_endpoint_written_under_its_commit(registry, endpoints):
    _, service = endpoints
    start = registry.generation()
    made = create(registry, service)
    registry.delete_endpoint(made.id)
    with registry.store.read() as txn:
        generation, ids = txn.endpoints_changed(start)
        assert generation == registry.generation() and ids == [made.id]
        assert txn.endpoints_changed(registry.generation()) == (generation, [])
    generation, now = registry.private_changes(start)
    assert now == {made.id: []}  # written, and now without a served name


RECORDS = [Record(f"ep{i}.vpcep.r.d", f"10.0.0.{i}", f"ep{i}") for i in range(1, 4)] + [
    Record("deep.sub.vpcep.r.d", "10.0.0.9", "ep9"), Record("v6.vpcep.r.d", "fd00::1", "ep6"),
    Record("ep1.vpcep.r.d", "10.0.0.7", "ep7")]
QUESTIONS = [("vpcep.r.d", "SOA"), ("vpcep.r.d", "NS"), ("vpcep.r.d", "A"), ("ns.vpcep.r.d", "A"),
             ("ep1.vpcep.r.d", "A"), ("EP2.vpcep.r.d", "A"), ("ep2.vpcep.r.d", "AAAA"), ("ep3.vpcep.r.d", "ANY"),
             ("sub.vpcep.r.d", "A"), ("deep.sub.vpcep.r.d", "A"), ("x.deep.sub.vpcep.r.d", "A"),
             ("v6.vpcep.r.d", "AAAA"), ("v6.vpcep.r.d", "A"), ("nope.vpcep.r.d", "A"), ("vpcep.r.d", "TXT")]


@pytest.mark.parametrize("name, qtype", QUESTIONS)
def test_the_compact_private_zone_answers_as_a_zone_of_dnslib_records(name, qtype):
    compact = build_private(RECORDS, "vpcep.r.d.", 300, 7, "127.0.0.1")[0]
    plain = Zone(compact.origin, compact.records)
    key, code = wire.name_to_wire(name), dns.rdatatype.from_text(qtype)
    ours, theirs = AuthTable([compact]).lookup(key, code), AuthTable([plain]).lookup(key, code)
    assert (ours.rcode, ours.aa, ours.counts, ours.body) == (theirs.rcode, theirs.aa, theirs.counts, theirs.body)
    assert compact.lines() == plain.lines() and compact.to_text() == plain.to_text()


def test_a_record_two_endpoints_hold_stays_until_both_are_gone():
    zone = PrivateZone("vpcep.r.d.", 300, "127.0.0.1")
    key = zone.key_of("same.vpcep.r.d.")
    assert zone.add(key, "10.0.0.1") and not zone.add(key, "10.0.0.1")
    assert not zone.remove(key, "10.0.0.1") and zone.addrs[key] == ["10.0.0.1"]
    assert zone.remove(key, "10.0.0.1") and key not in zone.addrs


def test_an_empty_non_terminal_exists_while_a_name_below_it_does():
    zone = PrivateZone("vpcep.r.d.", 300, "127.0.0.1")
    deep, between = zone.key_of("a.b.vpcep.r.d."), wire.name_to_wire("b.vpcep.r.d.")
    zone.add(deep, "10.0.0.1")
    assert zone.has_name(between)
    zone.remove(deep, "10.0.0.1")
    assert not zone.has_name(between)
