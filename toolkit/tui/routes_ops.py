"""What the Routes area asks of toolkit.routing: plan from the inventory, render, status, dry-run, apply."""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.routing.shapes import FORMAT_NAMES as FORMATS
from toolkit.routing.status import kernel_status, renders


@dataclass(frozen=True)
class RoutesView:
    """A plan with everything the area shows about it (or why there is none)."""

    gateway: str
    plan: object = None
    renders: dict = field(default_factory=dict)
    status: object = None
    status_error: str = ""
    problem: str = ""


def kernel_backend():
    """The real main table of this namespace (reading it needs no privilege)."""
    from toolkit.routing.apply import IPRouteBackend

    return IPRouteBackend(None)


def backend_in(factory, netns: str | None):
    """The Routes area's backend factory: the kernel's table of `netns` when one is given, else `factory`'s
    (a test's or a picture's in-memory kernel stays what it is)."""
    if not netns or factory is not kernel_backend:
        return factory
    from toolkit.routing.apply import IPRouteBackend

    return lambda: IPRouteBackend(netns)


def build_view(reg, gateway: str, backend_factory, extra: tuple[str, ...] = ()) -> RoutesView:
    if not gateway:
        return RoutesView("", problem="Enter the VPN / Direct Connect gateway (or set [routes] gateway) to plan.")
    from toolkit.routing.inputs import plan_inputs
    from toolkit.routing.plan import build_plan

    plan = build_plan(plan_inputs(reg, gateway, extra=list(extra)))
    status, status_error = _status(plan, backend_factory)
    return RoutesView(gateway, plan, renders(plan), status, status_error)


def _status(plan, backend_factory):
    try:
        backend = backend_factory()
    except Exception as exc:  # noqa: BLE001 — no netlink here: the plan still shows
        return None, f"cannot read the kernel's routes: {exc}"
    return kernel_status(plan, lambda: backend), ""


def dry_run(plan, backend_factory, action: str) -> list[str]:
    """The changes `apply` or `remove` would make now, one `+ dst via gw` line each."""
    from toolkit.routing.apply import apply_plan, remove_plan

    backend = backend_factory()
    try:
        if action == "apply":
            return [c.text() for c in apply_plan(backend, plan, dry_run=True).changes]
        return [c.text() for c in remove_plan(backend, plan, dry_run=True)]
    finally:
        backend.close()


def execute(plan, backend_factory, action: str) -> list[str]:
    """Apply or remove for real: all or nothing (the routing module rolls back a half-done run)."""
    from toolkit.routing.apply import IPRouteBackend, apply_plan, remove_plan, require_admin

    backend = backend_factory()
    try:
        if isinstance(backend, IPRouteBackend):
            require_admin()
        if action == "apply":
            return [c.text() for c in apply_plan(backend, plan).changes]
        return [c.text() for c in remove_plan(backend, plan)]
    finally:
        backend.close()

