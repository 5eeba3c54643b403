"""Applies, removes and compares a plan's routes through a RouteBackend: idempotent, owned, transactional (DESIGN 5)."""

from __future__ import annotations

import errno as errnos
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from toolkit.errors import RouteApplyError, RoutesInterrupted
from toolkit.routing.plan import Plan
from toolkit.routing.protos import LEGACY, owner, require_unassigned

Stop = Callable[[], int]
"""Returns the number of a signal that asks the run to stop, or 0 to go on."""


@dataclass(frozen=True, slots=True)
class KernelRoute:
    """An IPv4 main-table route as a backend reports it."""

    dst: str
    via: str
    proto: int
    metric: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    """One route operation: op is add, replace or delete."""

    op: str
    dst: str
    via: str
    proto: int
    old_via: str = ""
    """For replace and delete: what was there, so the change can be undone."""

    def undo(self) -> "Change":
        if self.op == "add":
            return Change("delete", self.dst, self.via, self.proto)
        if self.op == "delete":
            return Change("add", self.dst, self.old_via, self.proto)
        return Change("replace", self.dst, self.old_via, self.proto, self.via)

    def text(self) -> str:
        sign = {"add": "+", "delete": "-", "replace": "~"}[self.op]
        was = f" (was via {self.old_via})" if self.op == "replace" else ""
        return f"{sign} {self.dst} via {self.via or self.old_via} proto {self.proto}{was}"


class RouteBackend(Protocol):
    """The kernel seam: IPRouteBackend for real, MemoryBackend for unit tests."""

    def routes(self) -> list[KernelRoute]:
        """Every IPv4 route of the main table (owned or not)."""

    def execute(self, changes: list[Change]) -> list[int]:
        """Carry out every change in order; the errno of each (0 = done). A failure does not stop the rest."""

    def close(self) -> None: ...


@dataclass
class Diff:
    """How the kernel differs from a plan, counting only routes with the plan's protocol."""

    missing: list[Change] = field(default_factory=list)
    different: list[Change] = field(default_factory=list)
    extra: list[KernelRoute] = field(default_factory=list)
    unchanged: list[KernelRoute] = field(default_factory=list)
    foreign: list[KernelRoute] = field(default_factory=list)
    """Routes to a planned destination that the toolkit does not own: apply refuses them."""

    @property
    def changes(self) -> list[Change]:
        return self.missing + self.different

    @property
    def in_sync(self) -> bool:
        return not self.missing and not self.different

    def to_dict(self) -> dict:
        return {"missing": [_change_dict(c) for c in self.missing],
                "different": [_change_dict(c) for c in self.different],
                "extra": [_route_dict(r) for r in self.extra], "unchanged": len(self.unchanged),
                "foreign": [_route_dict(r) for r in self.foreign]}


def diff(plan: Plan, current: list[KernelRoute]) -> Diff:
    """Compare the plan with the kernel's routes."""
    owned = {r.dst: r for r in current if r.proto == plan.proto}
    others = {r.dst: r for r in current if r.proto != plan.proto and r.metric == 0}
    result = Diff()
    for route in plan.routes:
        have = owned.pop(route.dst, None)
        if have is None:
            result.missing.append(Change("add", route.dst, route.via, plan.proto))
            if route.dst in others:
                result.foreign.append(others[route.dst])
        elif have.via != route.via:
            result.different.append(Change("replace", route.dst, route.via, plan.proto, have.via))
        else:
            result.unchanged.append(have)
    result.extra = sorted(owned.values(), key=lambda r: r.dst)
    return result


def status(backend: RouteBackend, plan: Plan) -> Diff:
    return diff(plan, backend.routes())


def apply_plan(backend: RouteBackend, plan: Plan, dry_run: bool = False, prune: bool = False,
               stop: Stop | None = None) -> Diff:
    """Make the kernel match the plan; on any failure or a signal (`stop`) undo what this run did and raise."""
    require_unassigned(plan.proto, "the plan's proto")
    result = status(backend, plan)
    if result.foreign:
        raise _foreign(result.foreign, plan)
    changes = result.changes + ([Change("delete", r.dst, r.via, plan.proto, r.via) for r in result.extra] if prune else [])
    if not dry_run and changes:
        transact(backend, changes, stop)
    return result


def remove_plan(backend: RouteBackend, plan: Plan, dry_run: bool = False, stop: Stop | None = None) -> list[Change]:
    """Delete the plan's routes the toolkit owns; nothing else. A route with the legacy mark (99, also openr's)
    counts as ours only when its destination and next hop are both the plan's: what an older vpcep installed."""
    planned = {r.dst: r.via for r in plan.routes}
    mark = 0 if owner(plan.proto) else plan.proto
    owned = [r for r in backend.routes() if r.dst in planned and r.metric == 0
             and (r.proto == mark or (r.proto == LEGACY and r.via == planned[r.dst]))]
    changes = [Change("delete", r.dst, r.via, r.proto, r.via) for r in owned]
    if not dry_run and changes:
        transact(backend, changes, stop)
    return changes


BATCH = 2000
"""Changes sent between two looks at `stop`: a signal waits for at most one batch before the rollback."""


def transact(backend: RouteBackend, changes: list[Change], stop: Stop | None = None) -> None:
    """Run changes all-or-nothing: if one fails, or `stop()` names a signal before the last batch is
    acknowledged, the ones that succeeded are undone (in reverse order, without looking at `stop` again)."""
    done: list[Change] = []
    failed: list[tuple[Change, int]] = []
    for start in range(0, len(changes), BATCH):
        if stop and (signum := stop()):
            raise _interrupted(signum, done, rollback(backend, done))
        batch = changes[start:start + BATCH]
        results = backend.execute(batch)
        done += [change for change, code in zip(batch, results) if not code]
        failed += [(change, code) for change, code in zip(batch, results) if code]
    if stop and (signum := stop()):
        raise _interrupted(signum, done, rollback(backend, done))
    if failed:  # every failure is told, not only the first batch's
        raise _failure(failed, len(done), rollback(backend, done))


def rollback(backend: RouteBackend, done: list[Change]) -> list[Change]:
    """Undo `done` newest first; the undo changes the kernel refused (their routes are left as this run made them)."""
    undo = [change.undo() for change in reversed(done)]
    return [c for c, code in zip(undo, backend.execute(undo)) if code] if undo else []


def _failure(failed: list[tuple[Change, int]], undone: int, leftovers: list[Change]) -> RouteApplyError:
    change, code = failed[0]
    name = errnos.errorcode.get(code, str(code))
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    return RouteApplyError(f"{change.op} {change.dst} via {change.via} failed: {name} ({os.strerror(code)}){more}; "
                           f"{_rolled_back(undone, leftovers)}", errno=code, rule="O3", fix=_fix(code, change))


def _rolled_back(undone: int, leftovers: list[Change]) -> str:
    if not leftovers:
        return f"rolled back the {undone} change(s) this run made; the kernel is as before"
    return f"rollback left {len(leftovers)} route(s): {', '.join(c.dst for c in leftovers[:5])}"


def _interrupted(signum: int, done: list[Change], leftovers: list[Change]) -> RoutesInterrupted:
    counts = {op: sum(1 for c in done if c.op == op) for op in ("add", "delete", "replace")}
    left = len(leftovers)
    message = (f"interrupted by {signal.Signals(signum).name}: this run had added {counts['add']}, removed "
               f"{counts['delete']} and replaced {counts['replace']} route(s); rolled back {len(done) - left}, "
               f"left {left}" + ("; the kernel is as before this run" if not left else
                                 f" ({', '.join(c.dst for c in leftovers[:5])})"))
    return RoutesInterrupted(message, signum=signum, added=counts["add"], removed=counts["delete"],
                             replaced=counts["replace"], rolled_back=len(done) - left, left=left,
                             fix="nothing to undo: run the command again" if not left
                             else "see `vpcep routes status PLAN`, then apply or remove again")


def _fix(code: int, change: Change) -> str:
    if code == errnos.ENETUNREACH:
        return f"gateway {change.via} is not on a connected network of this host; check the plan's gateway"
    if code in (errnos.EPERM, errnos.EACCES):
        return "run as root: changing routes needs CAP_NET_ADMIN"
    if code == errnos.EEXIST:
        return "a route to that destination exists and is not the toolkit's; delete it first"
    return "see `vpcep routes status PLAN`"


def _foreign(routes: list[KernelRoute], plan: Plan) -> RouteApplyError:
    listed = ", ".join(f"{r.dst} (proto {r.proto}{', via ' + r.via if r.via else ''})" for r in routes[:5])
    return RouteApplyError(f"{len(routes)} planned destination(s) already have a route the toolkit does not own "
                           f"(proto {plan.proto}): {listed}", errno=errnos.EEXIST, rule="O3",
                           fix="delete those routes or drop them from the plan; apply never replaces others' routes")


def _change_dict(change: Change) -> dict:
    return {"op": change.op, "dst": change.dst, "via": change.via, "proto": change.proto, "old_via": change.old_via}


def _route_dict(route: KernelRoute) -> dict:
    return {"dst": route.dst, "via": route.via, "proto": route.proto}


class MemoryBackend:
    """An in-memory main table with the kernel's rules that matter here (EEXIST, ENETUNREACH, ESRCH)."""

    def __init__(self, routes: list[KernelRoute] = (), connected: list[str] = (), fail: dict[str, int] | None = None):
        from netaddr import IPNetwork

        self.table: dict[tuple[str, int], KernelRoute] = {(r.dst, r.metric): r for r in routes}
        self.connected = [IPNetwork(c) for c in connected]
        self.fail = dict(fail or {})
        self.calls = 0

    def routes(self) -> list[KernelRoute]:
        return list(self.table.values())

    def execute(self, changes: list[Change]) -> list[int]:
        self.calls += 1
        return [self._one(change) for change in changes]

    def close(self) -> None:
        pass

    def _one(self, change: Change) -> int:
        if change.dst in self.fail:
            return self.fail[change.dst]
        key, have = (change.dst, 0), self.table.get((change.dst, 0))
        if change.op == "delete":
            if have is None or have.proto != change.proto:
                return errnos.ESRCH
            del self.table[key]
            return 0
        if change.op == "add" and have is not None:
            return errnos.EEXIST
        if not self._reachable(change.via):
            return errnos.ENETUNREACH
        self.table[key] = KernelRoute(change.dst, change.via, change.proto)
        return 0

    def _reachable(self, via: str) -> bool:
        from netaddr import IPAddress
        return any(IPAddress(via) in net for net in self.connected)


class IPRouteBackend:
    """The real kernel, in this namespace or a named one, through batched rtnetlink (pyroute2 enters the namespace)."""

    def __init__(self, netns: str | None = None) -> None:
        from toolkit.routing.netlink import RouteChannel

        self.netns = netns
        if netns:
            require_namespace(netns)
        try:
            self.channel = RouteChannel(netns)
        except OSError as exc:
            raise _os_error(exc, netns) from None

    def routes(self) -> list[KernelRoute]:
        try:
            raw = self.channel.dump()
        except OSError as exc:
            raise _os_error(exc, self.netns) from None
        return [KernelRoute(r.dst, r.via, r.proto, r.metric) for r in raw if r.type == 1]

    def execute(self, changes: list[Change]) -> list[int]:
        try:
            return self.channel.execute([(c.op, c.dst, c.via, c.proto) for c in changes])
        except OSError as exc:
            raise _os_error(exc, self.netns) from None

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "IPRouteBackend":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def require_namespace(netns: str) -> None:
    """Exit-2 errors, before any socket, for a missing namespace or a caller who may not enter it."""
    if "/" in netns or not os.path.exists(os.path.join("/run/netns", netns)):
        raise RouteApplyError(f"network namespace {netns!r} does not exist", errno=errnos.ENOENT, rule="O3",
                              fix="see `ip netns list` or `vpcep lab status`")
    if os.geteuid() != 0:
        raise RouteApplyError(f"entering namespace {netns!r} needs root (CAP_SYS_ADMIN)", errno=errnos.EPERM,
                              rule="O3", fix="run as root")


def require_admin() -> None:
    """Changing routes needs CAP_NET_ADMIN; say so before the kernel does."""
    if not _has_net_admin():
        raise RouteApplyError("changing routes needs CAP_NET_ADMIN", errno=errnos.EPERM, rule="O3",
                              fix="run as root (sudo vpcep routes …) or use --dry-run")


def _has_net_admin() -> bool:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            caps = next(line for line in handle if line.startswith("CapEff:"))
        return bool(int(caps.split()[1], 16) & (1 << 12))
    except (OSError, StopIteration, ValueError):
        return os.geteuid() == 0


def _os_error(exc: OSError, netns: str | None) -> RouteApplyError:
    code = exc.errno or errnos.EIO
    where = f"namespace {netns!r}" if netns else "this host"
    if code in (errnos.EPERM, errnos.EACCES):
        return RouteApplyError(f"netlink in {where} was refused: needs CAP_NET_ADMIN", errno=code, rule="O3",
                               fix="run as root")
    if code == errnos.ENOENT and netns:
        return RouteApplyError(f"network namespace {netns!r} does not exist", errno=code, rule="O3",
                               fix="see `ip netns list`")
    return RouteApplyError(f"netlink in {where} failed: {errnos.errorcode.get(code, code)} ({os.strerror(code)})",
                           errno=code, rule="O3", fix="see `vpcep routes status PLAN`")
