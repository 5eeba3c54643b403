"""Apply, remove, status and rollback logic through the in-memory backend (DESIGN 5); the kernel proof is in integration."""

from __future__ import annotations

import errno

import pytest

from toolkit.errors import RouteApplyError
from toolkit.routing.apply import Change, KernelRoute, MemoryBackend, apply_plan, diff, remove_plan, status
from toolkit.routing.netlink import decode_route, encode, messages
from toolkit.routing.plan import PlanInputs, build_plan

GW = "192.168.10.1"
PLAN = build_plan(PlanInputs(gateway=GW, proto=201, dns_endpoints=("10.8.1.2",), extra=("10.1.0.0/16",)))
CONNECTED = ["192.168.10.0/24"]


def backend(*routes: KernelRoute, fail=None) -> MemoryBackend:
    kernel = [KernelRoute("192.168.10.0/24", "", 2), KernelRoute("0.0.0.0/0", GW, 3), *routes]
    return MemoryBackend(kernel, connected=CONNECTED, fail=fail)


def owned(kernel: MemoryBackend) -> set[tuple[str, str]]:
    return {(r.dst, r.via) for r in kernel.routes() if r.proto == 201}


def test_apply_installs_every_route_with_the_toolkit_proto():
    kernel = backend()
    result = apply_plan(kernel, PLAN)
    assert len(result.missing) == 3
    assert owned(kernel) == {("10.8.1.2/32", GW), ("100.125.0.0/16", GW), ("10.1.0.0/16", GW)}


def test_second_apply_is_unchanged_and_sends_nothing():
    kernel = backend()
    apply_plan(kernel, PLAN)
    calls = kernel.calls
    again = apply_plan(kernel, PLAN)
    assert again.changes == [] and len(again.unchanged) == 3
    assert kernel.calls == calls


def test_a_changed_gateway_is_replaced():
    kernel = backend(KernelRoute("10.1.0.0/16", "192.168.10.9", 201))
    result = apply_plan(kernel, PLAN)
    assert [(c.op, c.dst, c.old_via) for c in result.different] == [("replace", "10.1.0.0/16", "192.168.10.9")]
    assert ("10.1.0.0/16", GW) in owned(kernel)


def test_dry_run_reports_and_changes_nothing():
    kernel = backend()
    result = apply_plan(kernel, PLAN, dry_run=True)
    assert len(result.missing) == 3 and owned(kernel) == set()


def test_failure_midway_rolls_back_what_this_run_did():
    kernel = backend(KernelRoute("10.1.0.0/16", "192.168.10.9", 201), fail={"100.125.0.0/16": errno.ENETUNREACH})
    before = set(kernel.routes())
    with pytest.raises(RouteApplyError) as caught:
        apply_plan(kernel, PLAN)
    assert caught.value.errno == errno.ENETUNREACH and caught.value.exit_code == 2
    assert "ENETUNREACH" in caught.value.message and "as before" in caught.value.message
    assert set(kernel.routes()) == before and kernel.calls == 2  # the batch, then its undo


def test_unreachable_gateway_is_the_kernels_enetunreach():
    plan = build_plan(PlanInputs(gateway="10.99.0.1", dns_endpoints=("10.8.1.2",)))
    with pytest.raises(RouteApplyError) as caught:
        apply_plan(backend(), plan)
    assert caught.value.errno == errno.ENETUNREACH and "not on a connected network" in caught.value.fix


def test_a_foreign_route_to_a_planned_destination_is_never_touched():
    kernel = backend(KernelRoute("100.125.0.0/16", "192.168.10.5", 4))
    with pytest.raises(RouteApplyError) as caught:
        apply_plan(kernel, PLAN)
    assert caught.value.errno == errno.EEXIST and "does not own" in caught.value.message
    assert owned(kernel) == set() and KernelRoute("100.125.0.0/16", "192.168.10.5", 4) in kernel.routes()


def test_status_shows_missing_extra_and_different():
    kernel = backend(KernelRoute("10.1.0.0/16", "192.168.10.9", 201), KernelRoute("10.2.0.0/16", GW, 201),
                     KernelRoute("10.3.0.0/16", GW, 4))
    result = status(kernel, PLAN)
    assert [c.dst for c in result.missing] == ["10.8.1.2/32", "100.125.0.0/16"]
    assert [c.dst for c in result.different] == ["10.1.0.0/16"]
    assert [r.dst for r in result.extra] == ["10.2.0.0/16"]  # proto 4 is not ours: not extra
    assert not result.in_sync


def test_prune_deletes_owned_routes_the_plan_dropped_and_only_those():
    kernel = backend(KernelRoute("10.2.0.0/16", GW, 201), KernelRoute("10.3.0.0/16", GW, 4))
    apply_plan(kernel, PLAN, prune=True)
    assert ("10.2.0.0/16", GW) not in owned(kernel)
    assert KernelRoute("10.3.0.0/16", GW, 4) in kernel.routes()


def test_remove_deletes_only_owned_routes_of_the_plan():
    kernel = backend(KernelRoute("10.2.0.0/16", GW, 201), KernelRoute("10.1.0.0/16", GW, 4))
    apply_plan(kernel, build_plan(PlanInputs(gateway=GW, dns_endpoints=("10.8.1.2",))))
    removed = remove_plan(kernel, PLAN)
    assert sorted(c.dst for c in removed) == ["10.8.1.2/32", "100.125.0.0/16"]
    assert owned(kernel) == {("10.2.0.0/16", GW)}
    assert KernelRoute("10.1.0.0/16", GW, 4) in kernel.routes()


def test_undo_of_each_change_restores_it():
    assert Change("add", "10.0.0.0/8", GW, 201).undo() == Change("delete", "10.0.0.0/8", GW, 201)
    assert Change("replace", "10.0.0.0/8", GW, 201, "1.1.1.1").undo() == Change("replace", "10.0.0.0/8", "1.1.1.1", 201, GW)
    assert Change("delete", "10.0.0.0/8", GW, 201, GW).undo().op == "add"


def test_diff_ignores_other_protocols_and_metrics():
    current = [KernelRoute("10.8.1.2/32", GW, 201), KernelRoute("10.1.0.0/16", GW, 4, metric=100)]
    result = diff(PLAN, current)
    assert [r.dst for r in result.unchanged] == ["10.8.1.2/32"]
    assert result.foreign == []  # a metric-100 route does not collide with ours (metric 0)


def test_netlink_messages_round_trip_through_the_codec():
    data = encode("add", "10.1.0.0/16", GW, 201, seq=7, ack=True)
    [(kind, seq, payload)] = list(messages(data))
    assert (kind, seq) == (24, 7)
    route = decode_route(payload)
    assert (route.dst, route.via, route.proto) == ("10.1.0.0/16", GW, 201)
    assert len(list(messages(data + encode("delete", "10.8.1.2/32", "", 201, seq=8)))) == 2
