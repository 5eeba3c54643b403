"""The screens worth a picture, as Pilot scripts: used by `vpcep screenshots` and the snapshot tests."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

from toolkit.netns import isolated
from toolkit.tui.widgets.resource_table import ResourceTable

SIZE = (132, 34)


def quiet(app) -> bool:
    """No worker pending or running, the state's generation seen, every screen in the stack loaded."""
    busy = any(worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in app.workers)
    loaded = all(getattr(screen, "loaded", True) for screen in app.screen_stack)
    laid_out = all(table.laid_out for screen in app.screen_stack for table in screen.query(ResourceTable))
    return not busy and loaded and laid_out and app.generation_seen is not None and not app.busy


async def settle(pilot: Pilot) -> None:
    """Wait until every worker has finished and its messages are handled (no sleeps)."""
    app = pilot.app
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            await app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):  # e.g. the command palette drops a stale search
            pass
        await pilot.pause()
        if quiet(app):
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            if quiet(app):
                return
    workers = [(w.name, w.state.name) for w in app.workers]
    raise TimeoutError(f"the app did not settle: workers {workers}, busy {app.busy}, stack {app.screen_stack}")


async def press(pilot: Pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def select_row(pilot: Pilot, first_cell: str) -> None:
    """Put the cursor of the current area's table on the row whose first cell is `first_cell`."""
    table = pilot.app.screen.table
    index = next(i for i, row in enumerate(table.shown_rows) if str(row.cells[0]) == first_cell)
    table.move_cursor(row=index, animate=False)


async def services(pilot: Pilot) -> None:
    await settle(pilot)


async def service_detail(pilot: Pilot) -> None:
    await settle(pilot)
    select_row(pilot, "partner-api")
    await press(pilot, "enter")
    pilot.app.screen.query_one("#tabs").active = "connections"
    await settle(pilot)


async def service_modify(pilot: Pilot) -> None:
    """Modify on an own service: name, description and approval pre-filled, the ports read-only (S6)."""
    await settle(pilot)
    select_row(pilot, "partner-api")
    await press(pilot, "enter", "m")


async def describe(pilot: Pilot) -> None:
    """`e` on a connection: its description, one line, refused with the rule when it holds `<`."""
    await service_detail(pilot)
    pilot.app.screen.query_one("#connection-table").focus()
    await press(pilot, "e")
    pilot.app.screen.query_one("#describe-text").value = "batch jobs <nightly>"
    await press(pilot, "enter")


async def service_form(pilot: Pilot) -> None:
    """The form after an empty submit: every field's message with its rule (keys only: no mouse hover)."""
    await press(pilot, "n", "ctrl+s")


async def endpoints(pilot: Pilot) -> None:
    await press(pilot, "2")


async def endpoint_wizard(pilot: Pilot) -> None:
    await press(pilot, "2", "n")
    screen = pilot.app.screen
    name = next(s.service_name for s in pilot.app.registry.list_services() if s.short_name == "app")
    screen.query_one("#service-name").value = name
    screen.query_one("#service-name").focus()
    await press(pilot, "enter")


async def endpoint_modify(pilot: Pilot) -> None:
    """Modify whitelist on an endpoint: one entry a line, a bad one refused under the field (E10)."""
    await press(pilot, "2", "enter", "m")
    pilot.app.screen.query_one("#whitelist").value = "10.0.0.0/24\n192.168.1.5 10.0.0.300"
    await press(pilot, "ctrl+s")


async def approvals(pilot: Pilot) -> None:
    await press(pilot, "3", "space")


async def dns(pilot: Pilot) -> None:
    await press(pilot, "4")


async def routes(pilot: Pilot) -> None:
    await press(pilot, "5")
    pilot.app.screen.query_one("#gateway").value = "192.168.0.1"
    await press(pilot, "i", "enter")


async def routes_render(pilot: Pilot) -> None:
    await routes(pilot)
    pilot.app.screen.query_one("#route-tabs").active = "fmt-bind"
    await settle(pilot)


async def checks(pilot: Pilot) -> None:
    await press(pilot, "6")


async def check_run(pilot: Pilot) -> None:
    """A run from an empty namespace, so no probe leaves the machine (the demo's addresses are not ours):
    the picture shows failed steps with their rules and fixes. Without root the area stays unchecked."""
    if os.geteuid() != 0:
        await press(pilot, "6")
        return
    with isolated("vpcep-shot") as namespace:
        pilot.app.check_netns = namespace
        await press(pilot, "6", "c")
        screen = pilot.app.screen
        deadline = time.monotonic() + 30
        while (screen.running or not screen.reports) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        await settle(pilot)
    screen.table.move_cursor(row=0)
    await settle(pilot)


async def help_keys(pilot: Pilot) -> None:
    await press(pilot, "question_mark")


async def refused(pilot: Pilot) -> None:
    """Deleting a service with an accepted endpoint: the error modal explains S10."""
    await settle(pilot)
    select_row(pilot, "app")
    await press(pilot, "d", "left", "enter")  # the confirm's Delete button


async def confirm_delete(pilot: Pilot) -> None:
    """The confirmation a delete asks first: what it will change, the answers on its buttons."""
    await settle(pilot)
    select_row(pilot, "partner-api")
    await press(pilot, "d")


async def json_view(pilot: Pilot) -> None:
    """`v` on a service: its JSON, read-only, with save-to-file."""
    await settle(pilot)
    select_row(pilot, "partner-api")
    await press(pilot, "v")


SHOTS: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "services": services, "service-detail": service_detail, "service-form": service_form,
    "service-modify": service_modify, "describe": describe,
    "endpoints": endpoints, "endpoint-wizard": endpoint_wizard, "endpoint-modify": endpoint_modify, "approvals": approvals, "dns": dns,
    "routes": routes, "routes-render": routes_render, "checks": checks, "check-run": check_run,
    "help": help_keys, "error": refused, "confirm": confirm_delete, "json-view": json_view,
}
VOLATILE = {"check-run"}
"""Shots that depend on the host (a check run, root only): written by `vpcep screenshots`, not snapshot-tested."""


def shot_app(registry):
    """The app as the screenshots and snapshots show it: no polling, no blinking cursor."""
    from toolkit.tui.app import make_app

    from toolkit.tui.dns_host import DnsHost

    from toolkit.routing.apply import MemoryBackend

    dns = DnsHost(registry.settings, registry, serve=False, note="not started for this picture")
    kernel = MemoryBackend(connected=["192.168.0.0/24"])  # an empty main table: pictures do not show the host's
    return make_app(registry.settings, registry, dns=dns, poll_interval=None, cursor_blink=False,
                    mask_volatile=True, route_backend=lambda: kernel, check_timeout=0.5)


async def capture(registry, script: Callable[[Pilot], Awaitable[None]]) -> str:
    app = shot_app(registry)
    async with app.run_test(size=SIZE) as pilot:
        await script(pilot)
        await settle(pilot)
        return app.export_screenshot(title="vpcep", simplify=True)


def write_screenshots(directory: str | Path) -> list[Path]:
    """An SVG per entry of SHOTS, each from a fresh deterministic demo state."""
    from toolkit.tui.demo import open_demo

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, script in SHOTS.items():
        with tempfile.TemporaryDirectory() as scratch:
            registry = open_demo(scratch)
            try:
                (target / f"{name}.svg").write_text(asyncio.run(capture(registry, script)))
            finally:
                registry.close()
        written.append(target / f"{name}.svg")
    return written
