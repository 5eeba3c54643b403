"""Faster hands (issue 10): list keys, the wizard's service picker, the JSON view, jumps to the fix,
the Checks and Routes inputs, the palette by name, and the guide's names."""

from __future__ import annotations

import json

import pytest
from tuihelp import press, screen_text, settle, tui, type_text

from toolkit.checks.policy import check_policy
from toolkit.checks.result import TargetReport, failed
from toolkit.checks.state import check_state
from toolkit.registry.services import FOUND
from toolkit.routing.apply import MemoryBackend
from toolkit.tui.screens.confirm import ConfirmScreen
from toolkit.tui.screens.endpoint_detail import EndpointDetailScreen
from toolkit.tui.screens.error import ErrorScreen
from toolkit.tui.screens.json_view import JsonViewScreen
from toolkit.tui.screens.service_detail import ServiceDetailScreen
from toolkit.tui.shots import select_row

pytestmark = pytest.mark.asyncio
SMALL = (80, 24)
F1_ENTRY = "sg:198.19.128.0/17:8080"


def service(reg, short: str):
    return next(s for s in reg.list_services() if s.short_name == short)


def focused_id(app) -> str | None:
    return app.focused.id if app.focused is not None else None


# -- j/k, g/G, Home/End ----------------------------------------------------------------------
async def test_list_keys_move_the_cursor(demo):
    app = tui(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        last = len(app.screen.table.shown_rows) - 1
        seen = []
        for key in ("G", "k", "g", "j", "end", "home"):
            await press(pilot, key)
            seen.append(app.screen.table.cursor_row)
        assert seen == [last, last - 1, 0, 1, last, 0]
        await press(pilot, "enter")  # a detail's tables take them too
        app.screen.query_one("#tabs").active = "connections"
        await settle(pilot)
        table = app.screen.query_one("#connection-table")
        table.focus()
        await press(pilot, "G")
        assert table.cursor_row == len(table.shown_rows) - 1


# -- the wizard's service picker -----------------------------------------------------------------
async def test_wizard_main_field_is_visible_and_takes_typing_at_80x24(demo):
    app = tui(demo)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "2", "n")
        text = screen_text(app)
        assert "Service" in text and "type to filter the services you may see" in text
        assert all(name in text for name in ("obs", "dns", "app", "partner-api"))  # the list, on screen
        assert focused_id(app) == "service-search"
        await type_text(pilot, "partner")
        text = screen_text(app)
        assert "partner" in text.splitlines()[2] and " obs " not in text  # typed text shows; the list filtered
        await press(pilot, "enter")
        api = service(demo, "partner-api")
        assert app.screen.chosen == api.service_name and focused_id(app) == "vpc"


async def test_wizard_find_by_name_verifies_at_80x24(demo, partner):
    api = service(demo, "partner-api")
    app = tui(partner)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "2", "n", "tab", "tab")
        assert focused_id(app) == "service-name"
        await type_text(pilot, api.service_name)
        await press(pilot, "enter")
        assert FOUND in screen_text(app)
        assert app.screen.chosen == api.service_name


async def test_wizard_refuses_without_a_service(demo):
    app = tui(demo)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "2", "n", "ctrl+s")
        assert "choose a service [E3]" in str(app.screen.query_one("#service-name-error").render())


# -- v: the JSON view with save-to-file ---------------------------------------------------------------
async def test_view_json_saves_and_asks_before_overwriting(demo, tmp_path):
    api = service(demo, "partner-api")
    target = tmp_path / "api.json"
    app = tui(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        select_row(pilot, "partner-api")
        await press(pilot, "v")
        view = app.screen
        assert isinstance(view, JsonViewScreen) and view.query_one("#json-text").read_only
        assert '"service_name": "' + api.service_name in view.query_one("#json-text").text
        view.query_one("#json-path").value = str(target)
        await press(pilot, "ctrl+s")
        assert json.loads(target.read_text()) == api.to_dict()
        assert f"saved to {target}" in str(view.query_one("#json-saved").render())
        target.write_text("keep me")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmScreen) and "Overwrite" in screen_text(app)
        await press(pilot, "escape")
        assert target.read_text() == "keep me"
        await press(pilot, "ctrl+s")
        await pilot.click("#yes")
        await settle(pilot)
        assert json.loads(target.read_text())["id"] == api.id


async def test_view_json_of_a_connection_in_the_detail(demo):
    app = tui(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        select_row(pilot, "partner-api")
        await press(pilot, "enter")
        app.screen.query_one("#tabs").active = "connections"
        await settle(pilot)
        table = app.screen.query_one("#connection-table")
        table.focus()
        await press(pilot, "v")
        shown = json.loads(app.screen.query_one("#json-text").text)
        assert shown["id"] == table.current().key and "marker_id" in shown


# -- a failure offers the screen that fixes it ---------------------------------------------------------
def _checks_with(app, report) -> None:
    app.screen.reports[report.target] = report
    app.screen.table.set_rows(app.screen.rows(app.screen.data))
    app.screen.table.move_cursor(row=[r.key for r in app.screen.table.shown_rows].index(report.target))
    app.screen._show_detail()


async def test_failed_policy_step_opens_rules_prefilled(demo):
    """F1, from the real policy check of the state (no probe leaves the machine): the Rules tab, entry typed."""
    app_service = service(demo, "app")
    demo.service_rules(app_service.id, remove=demo.service_rules(app_service.id))
    endpoint = next(e for e in demo.list_endpoints() if e.endpoint_service_id == app_service.id)
    [target] = demo.check_targets([endpoint.id])
    report = TargetReport(endpoint.id, "app", (check_state(target), check_policy(target)))
    assert report.first_failure.rule == "F1"
    app = tui(demo)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "6")
        _checks_with(app, report)
        await settle(pilot)
        assert "f: open the service's Rules tab with sg:198.19.128.0/17:8080 filled in" in screen_text(app)
        await press(pilot, "f")
        detail = app.screen
        assert isinstance(detail, ServiceDetailScreen) and detail.query_one("#tabs").active == "rules"
        assert app.focused.value == F1_ENTRY
        await press(pilot, "enter")
        assert [r.spec for r in demo.service_rules(app_service.id)] == [F1_ENTRY]


async def test_route_and_endpoint_failures_jump_to_their_screens(demo):
    endpoint = demo.list_endpoints()[0]
    route = failed("route", "no route to 10.8.1.2", "O3", "vpcep routes apply PLAN (a route via the VPN gateway)")
    e10 = failed("tcp", "the endpoint whitelist leaves this host out", "E10", "add this host to the whitelist")
    app = tui(demo)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "6")
        _checks_with(app, TargetReport(endpoint.id, "x", (route,)))
        await press(pilot, "f")
        assert app.current_mode == "routes"
        await press(pilot, "6")
        _checks_with(app, TargetReport(endpoint.id, "x", (route, e10)))
        await press(pilot, "f")
        assert "[O3] route — go to the Routes area" in screen_text(app)  # two fixes: the admin picks one
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, EndpointDetailScreen) and app.screen.endpoint_id == endpoint.id


async def test_route_finding_opens_rules_prefilled(demo):
    app_service = service(demo, "app")
    demo.service_rules(app_service.id, remove=demo.service_rules(app_service.id))
    app = tui(demo, route_backend=lambda: MemoryBackend(connected=["192.168.0.0/24"]))
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "5", "i")
        await type_text(pilot, "192.168.0.1")
        await press(pilot, "enter")
        findings = app.screen.query_one("#findings")
        at = next(i for i, row in enumerate(findings.shown_rows) if "no recorded rule allows" in row.data.message)
        findings.move_cursor(row=at)
        await settle(pilot)
        assert "f: open the service's Rules tab" in screen_text(app)
        await press(pilot, "f")
        assert isinstance(app.screen, ServiceDetailScreen) and app.focused.value == F1_ENTRY


# -- the Checks and Routes inputs -------------------------------------------------------------------
async def test_routes_inputs_are_checked_like_the_flags(demo):
    app = tui(demo, route_backend=lambda: MemoryBackend(connected=["192.168.0.0/24"]))
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "5", "i")
        await type_text(pilot, "10.0.0.300")
        await press(pilot, "enter")
        error = str(app.screen.query_one("#route-inputs .field-error").render())
        assert "'10.0.0.300' is not an IPv4 address [O3]" in error and not isinstance(app.screen, ErrorScreen)
        assert focused_id(app) == "gateway" and app.gateway != "10.0.0.300"
        bar = app.screen.query_one("#route-inputs")
        bar.set_value("gateway", "192.168.0.1")
        bar.set_value("extra", "10.2.0.1/16")
        await press(pilot, "enter")
        assert "[O5]" in str(app.screen.query_one("#route-inputs .field-error").render()) and focused_id(app) == "extra"
        bar.set_value("extra", "10.2.0.0/16")
        bar.set_value("netns", "no-such-namespace-here")
        await press(pilot, "enter")
        assert "network namespace 'no-such-namespace-here' does not exist" in screen_text(app)
        bar.set_value("netns", "")
        await press(pilot, "enter")
        routes = [row.key for row in app.screen.query_one("#route-table").shown_rows]
        assert "10.2.0.0/16" in routes and app.gateway == "192.168.0.1"
        assert str(app.screen.query_one("#route-inputs .field-error").render()) == ""


async def test_checks_refuse_a_bad_resolver_before_running(demo):
    before = len(demo.check_history(50))
    app = tui(demo)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "6", "i")
        assert focused_id(app) == "resolver"
        await type_text(pilot, "127.0.0.1:99999")
        await press(pilot, "enter")
        assert "--resolver '127.0.0.1:99999' is not ADDR:PORT [O2]" in screen_text(app)
        app.screen.query_one("#check-inputs").set_value("resolver", "")
        app.screen.query_one("#check-inputs").set_value("check-netns", "no-such-namespace-here")
        await press(pilot, "enter")  # the focus stayed in the bad field: c would be text there
        assert "network namespace 'no-such-namespace-here' does not exist" in screen_text(app)
        assert not app.screen.running and len(demo.check_history(50)) == before


async def test_checks_run_with_the_inputs(demo, empty_netns):
    endpoint = demo.list_endpoints()[0]
    app = tui(demo, check_timeout=0.3)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "6")
        bar = app.screen.query_one("#check-inputs")
        bar.set_value("resolver", "127.0.0.1:5399")
        bar.set_value("check-gateway", "192.168.0.9")
        bar.set_value("check-netns", empty_netns)
        app.screen.table.toggle_mark() if app.screen.table.current().key == endpoint.id else None
        await press(pilot, "c")
        from tuihelp import wait_for
        await wait_for(pilot, lambda: not app.screen.running and app.screen.reports, timeout=20)
        await settle(pilot)
    [run] = demo.check_history(1)
    assert run["options"] == {"resolver": "127.0.0.1:5399", "gateway": "192.168.0.9", "netns": empty_netns,
                              "timeout": 0.3}


# -- the palette ---------------------------------------------------------------------------------------
INTERNALS = {"Keys", "Screenshot", "Theme", "Maximize", "Minimize"}


def titles(app) -> set[str]:
    return {command.title for command in app.get_system_commands(app.screen)}


async def test_palette_names_every_action_and_no_internals(demo):
    app = tui(demo, route_backend=lambda: MemoryBackend(connected=["192.168.0.0/24"]))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        select_row(pilot, "partner-api")
        await settle(pilot)
        on_list = titles(app)
        assert {"Delete service", "New service", "Add whitelist entry", "Accept endpoint", "Run checks",
                "New endpoint", "View JSON (and save it to a file)", "Go to Routes", "Quit"} <= on_list
        assert not on_list & INTERNALS and "Delete" not in on_list
        await press(pilot, "enter")
        assert {"Accept endpoint", "Reject endpoint", "Delete service", "Add whitelist entry", "Add rule",
                "Set tag", "Show the Rules tab"} <= titles(app)
        await press(pilot, "escape", "5")
        assert {"Apply routes", "Remove routes", "Plan routes: gateway, extra ranges, netns"} <= titles(app)
        assert not titles(app) & INTERNALS


async def test_palette_finds_whitelist_by_name(demo):
    app = tui(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        select_row(pilot, "partner-api")
        await press(pilot, "ctrl+p")
        await type_text(pilot, "whitelist")
        await pilot.pause(0.3)  # the palette searches in a worker of its own
        await settle(pilot)
        assert "Add whitelist entry" in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, ServiceDetailScreen) and app.screen.query_one("#tabs").active == "permissions"
        assert "entry" in app.focused.classes


# -- the guide's names -------------------------------------------------------------------------------------
async def test_detail_headings_use_the_guide_names(demo):
    app = tui(demo)
    async with app.run_test(size=(132, 34)) as pilot:
        await settle(pilot)
        select_row(pilot, "partner-api")
        await press(pilot, "enter")
        app.screen.query_one("#tabs").active = "connections"
        await settle(pilot)
        assert "Packet ID" in screen_text(app) and "Marker" not in screen_text(app)
        app.screen.query_one("#tabs").active = "ports"
        await settle(pilot)
        assert "Service Port" in screen_text(app) and "Terminal Port" in screen_text(app)
