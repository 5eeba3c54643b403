"""Routes and Checks areas: plan and dry-run routes against an in-memory kernel; run checks, read a fix."""

from __future__ import annotations

import json

import pytest
from tuihelp import cancel, confirm, press, run, screen_text, settle, tui, wait_for

from toolkit.routing.apply import MemoryBackend
from toolkit.tui.screens.confirm import ConfirmScreen

pytestmark = pytest.mark.asyncio
GATEWAY = "192.168.0.1"


async def plan(pilot, app) -> None:
    await press(pilot, "5")
    app.screen.query_one("#gateway").value = GATEWAY
    await press(pilot, "i", "enter")


async def test_plan_then_dry_run_then_apply(demo):
    kernel = MemoryBackend(connected=["192.168.0.0/24"])
    app = tui(demo, route_backend=lambda: kernel)
    async with run(app) as pilot:
        await plan(pilot, app)
        dns_ip = next(e.ip for e in demo.list_endpoints() if e.endpoint_service_name.split(".")[1] == "dns")
        subnets = {s.id: s.cidr for s in demo.list_subnets()}
        interface = sorted({subnets[e.subnet_id] for e in demo.list_endpoints() if e.ip and e.status == "accepted"})
        routes = [row.key for row in app.screen.query_one("#route-table").shown_rows]
        assert routes == [f"{dns_ip}/32", "100.125.0.0/16", *interface]  # O6: every interface endpoint's subnet
        assert "[S15]" in screen_text(app)  # a finding with its rule
        await press(pilot, "a")
        assert isinstance(app.screen, ConfirmScreen)
        assert f"+ {dns_ip}/32 via {GATEWAY} proto 201" in screen_text(app)
        await cancel(pilot)
        assert kernel.routes() == []  # the dry run changed nothing
        await press(pilot, "a")
        await confirm(pilot)
        assert sorted(r.dst for r in kernel.routes()) == sorted(routes)
        app.screen.query_one("#route-tabs").active = "status-tab"
        await settle(pilot)
        assert f"{len(routes)} in place, 0 missing" in screen_text(app)


async def test_rendered_forms_copy_to_clipboard(demo):
    app = tui(demo, route_backend=lambda: MemoryBackend(connected=["192.168.0.0/24"]))
    async with run(app) as pilot:
        await plan(pilot, app)
        app.screen.query_one("#route-tabs").active = "fmt-windows"
        await settle(pilot)
        await press(pilot, "c")
        assert "route -p add 100.125.0.0 mask 255.255.0.0 192.168.0.1" in app.clipboard
        assert "route -p add 100.125.0.0 mask 255.255.0.0 192.168.0.1" in screen_text(app)
        await press(pilot, "y")
        assert json.loads(app.clipboard)["gateway"] == GATEWAY


async def test_run_checks_and_read_the_fix(demo, empty_netns):
    app = tui(demo, check_timeout=0.5, check_netns=empty_netns)
    async with run(app) as pilot:
        await press(pilot, "6")
        assert "Not checked yet" in screen_text(app)
        await press(pilot, "c")
        await wait_for(pilot, lambda: not app.screen.running and len(app.screen.reports) == 3, timeout=20)
        await settle(pilot)
        [latest] = demo.check_history(1)
        assert latest["summary"]["targets"] == 3 and latest["summary"]["failed"] >= 1
        failing = next(e for e in latest["endpoints"] if not e["ok"])
        app.screen.table.move_cursor(row=[r.key for r in app.screen.table.shown_rows].index(failing["endpoint_id"]))
        await settle(pilot)
        text = screen_text(app)
        assert f"rule {failing['rule']}" in text and "fix:" in text
        assert latest["run_id"] in text  # the history lists the run
        await press(pilot, "y")
        assert json.loads(app.clipboard)["fix"] == failing["fix"]


async def test_the_recorded_run_names_the_namespace_it_probed_from(demo, empty_netns):
    """The TUI's run is the registry's (as `vpcep check`): its options say the netns the probes ran in."""
    app = tui(demo, check_timeout=0.5, check_netns=empty_netns)
    async with run(app) as pilot:
        await press(pilot, "6", "c")
        await wait_for(pilot, lambda: not app.screen.running and len(app.screen.reports) == 3, timeout=20)
        await settle(pilot)
        [latest] = demo.check_history(1)
        assert latest["options"]["netns"] == empty_netns and latest["options"]["timeout"] == 0.5


async def test_check_steps_fill_in_live_in_path_order(demo, monkeypatch, empty_netns):
    """Each step's message updates its own cell: after dns arrives, route is still pending (…)."""
    from toolkit.tui.screens.checks import STEPS, ChecksScreen

    arrived, handle_step, handle_report = [], ChecksScreen.on_check_step, ChecksScreen.on_check_progress

    def on_step(screen, message):
        handle_step(screen, message)
        row = next(r for r in screen.table.shown_rows if r.key == message.target)
        arrived.append((message.target, message.step.step, [str(c) for c in row.cells[3:8]]))

    def on_report(screen, message):
        arrived.append((message.report.target, "report", None))
        handle_report(screen, message)

    monkeypatch.setattr(ChecksScreen, "on_check_step", on_step)
    monkeypatch.setattr(ChecksScreen, "on_check_progress", on_report)
    app = tui(demo, check_timeout=0.5, check_netns=empty_netns)
    async with run(app) as pilot:
        await press(pilot, "6", "c")
        await wait_for(pilot, lambda: not app.screen.running and len(app.screen.reports) == 3, timeout=20)
    targets = {t for t, _, _ in arrived}
    assert len(targets) == 3
    for target in targets:
        order = [(step, cells) for t, step, cells in arrived if t == target]
        assert [step for step, _ in order] == list(STEPS) + ["report"]
        for done, (step, cells) in enumerate(order[:-1], start=1):
            assert "…" not in cells[:done] and cells[done:] == ["…"] * (5 - done), (step, cells)
