"""Issue 14: a signal during apply/remove rolls back this run's changes (MemoryBackend); the toolkit's mark (proto 201)
is one nobody else assigns, and routes of the legacy mark (99, openr's too) are taken only when dst and via match."""

from __future__ import annotations

import signal

import pytest

from toolkit.errors import ConfigError, RoutesInterrupted
from toolkit.routing import apply as applying
from toolkit.routing.apply import KernelRoute, MemoryBackend, apply_plan, remove_plan
from toolkit.routing.plan import Plan, PlannedRoute
from toolkit.routing.protos import DEFAULT, iproute2_names, owner, require_unassigned

GW = "10.255.0.1"
BASE = [KernelRoute("10.255.0.0/24", "", 2), KernelRoute("0.0.0.0/0", GW, 3)]


def big_plan(count: int, proto: int = DEFAULT) -> Plan:
    return Plan(gateway=GW, proto=proto, routes=tuple(PlannedRoute(f"20.{i // 256}.{i % 256}.0/24", GW, "extra", "O5")
                                                       for i in range(count)))


class SignalAfter(MemoryBackend):
    """A kernel that raises a signal (as the handler would note it) after `after` execute calls, then keeps
    noting more signals during the rollback: they must not stop it."""

    def __init__(self, after: int, signum: int, routes=()):
        super().__init__([*BASE, *routes], connected=["10.255.0.0/24"])
        self.after, self.signum, self.noted = after, signum, 0

    def execute(self, changes):
        results = super().execute(changes)
        if self.calls >= self.after:
            self.noted = self.noted or self.signum  # a second signal, during the rollback, changes nothing
        return results

    def stop(self) -> int:
        return self.noted


def test_a_signal_between_batches_rolls_back_every_route_this_run_added():
    plan = big_plan(5 * applying.BATCH + 7)
    kernel = SignalAfter(after=2, signum=signal.SIGINT)
    before = set(kernel.routes())
    with pytest.raises(RoutesInterrupted) as caught:
        apply_plan(kernel, plan, stop=kernel.stop)
    assert set(kernel.routes()) == before
    error = caught.value
    assert error.exit_code == 130 and error.to_dict()["signal"] == "SIGINT"
    assert error.counts == {"added": 2 * applying.BATCH, "removed": 0, "replaced": 0,
                            "rolled_back": 2 * applying.BATCH, "left": 0}
    assert kernel.calls == 3  # two batches, one rollback: no batch sent after the signal was seen
    assert "added 4000" in error.message and "left 0" in error.message


def test_sigterm_after_the_last_batch_still_rolls_back_and_exits_143():
    kernel = SignalAfter(after=1, signum=signal.SIGTERM)
    with pytest.raises(RoutesInterrupted) as caught:
        apply_plan(kernel, big_plan(10), stop=kernel.stop)
    assert caught.value.exit_code == 143 and caught.value.counts["rolled_back"] == 10
    assert set(kernel.routes()) == set(BASE)


def test_a_signal_before_any_change_sends_nothing():
    kernel = SignalAfter(after=0, signum=signal.SIGINT)
    kernel.noted = signal.SIGINT
    with pytest.raises(RoutesInterrupted) as caught:
        apply_plan(kernel, big_plan(10), stop=kernel.stop)
    assert kernel.calls == 0 and caught.value.counts["added"] == 0


def test_an_interrupted_prune_puts_back_the_routes_it_deleted_and_undoes_replacements():
    old = [KernelRoute("30.0.0.0/24", GW, DEFAULT), KernelRoute("20.0.1.0/24", "10.255.0.9", DEFAULT)]
    kernel = SignalAfter(after=1, signum=signal.SIGINT, routes=old)
    before = set(kernel.routes())
    with pytest.raises(RoutesInterrupted) as caught:
        apply_plan(kernel, big_plan(3), prune=True, stop=kernel.stop)
    assert set(kernel.routes()) == before
    assert caught.value.counts == {"added": 2, "removed": 1, "replaced": 1, "rolled_back": 4, "left": 0}


def test_a_rollback_the_kernel_refuses_says_what_is_left():
    kernel = SignalAfter(after=1, signum=signal.SIGINT)
    original = kernel._one
    kernel._one = lambda change: 3 if change.op == "delete" and change.dst == "20.0.0.0/24" else original(change)
    with pytest.raises(RoutesInterrupted) as caught:
        apply_plan(kernel, big_plan(2), stop=kernel.stop)
    assert caught.value.counts["left"] == 1 and "20.0.0.0/24" in caught.value.message
    assert {r.dst for r in kernel.routes() if r.proto == DEFAULT} == {"20.0.0.0/24"}


def test_an_interrupted_remove_restores_what_it_deleted():
    mine = [KernelRoute(r.dst, GW, DEFAULT) for r in big_plan(3000).routes]
    kernel = SignalAfter(after=1, signum=signal.SIGTERM, routes=mine)
    before = set(kernel.routes())
    with pytest.raises(RoutesInterrupted) as caught:
        remove_plan(kernel, big_plan(3000), stop=kernel.stop)
    assert set(kernel.routes()) == before and caught.value.counts["removed"] == applying.BATCH


def test_prune_never_takes_a_route_of_another_protocol_not_even_openr():
    others = [KernelRoute("30.0.0.0/24", GW, 99), KernelRoute("30.0.1.0/24", GW, 186)]
    kernel = MemoryBackend([*BASE, *others], connected=["10.255.0.0/24"])
    apply_plan(kernel, big_plan(2), prune=True)
    assert set(others) <= set(kernel.routes())


def test_remove_takes_legacy_99_routes_only_where_dst_and_via_match_the_plan():
    plan = big_plan(2)
    legacy = KernelRoute("20.0.0.0/24", GW, 99)        # what vpcep < 201 installed
    openr = KernelRoute("20.0.1.0/24", "10.255.0.7", 99)  # openr's own route to a planned dst: another next hop
    kernel = MemoryBackend([*BASE, legacy, openr], connected=["10.255.0.0/24"])
    removed = remove_plan(kernel, plan)
    assert [(c.dst, c.proto) for c in removed] == [("20.0.0.0/24", 99)]
    assert openr in kernel.routes() and legacy not in kernel.routes()


def test_a_plan_with_an_assigned_proto_is_refused_before_the_kernel_is_read():
    kernel = MemoryBackend(BASE)
    with pytest.raises(ConfigError) as caught:
        apply_plan(kernel, big_plan(1, proto=99))
    assert "'openr'" in caught.value.message and "201" in caught.value.fix and "routes remove" in caught.value.fix


def test_protocol_owners_come_from_iproute2_files_and_the_kernel_list(tmp_path):
    (tmp_path / "rt_protos.d").mkdir()
    (tmp_path / "rt_protos").write_text("# comment\n99\topenr\n")
    (tmp_path / "rt_protos.d" / "site.conf").write_text("230 mydaemon  # local\n")
    dirs = (str(tmp_path),)
    assert iproute2_names(dirs) == {99: ("openr", str(tmp_path / "rt_protos")),
                                    230: ("mydaemon", str(tmp_path / "rt_protos.d" / "site.conf"))}
    assert "mydaemon" in owner(230, dirs) and "rtnetlink.h" in owner(186, dirs) and owner(DEFAULT, dirs) == ""
    assert require_unassigned(DEFAULT, "x", dirs) == DEFAULT
    with pytest.raises(ConfigError, match=r"setting \[routes\] proto = 230 is 'mydaemon'"):
        require_unassigned(230, "setting [routes] proto", dirs)
