"""Issue 10: keys that cannot hurt, readable controls, the admin's context (each test fails on the old console)."""

from __future__ import annotations

import os
import socket
from dataclasses import replace

import pytest
from tuihelp import cancel, confirm, first_cells, press, run, screen_text, settle, table_keys, tui, type_text

from toolkit.routing.apply import MemoryBackend
from toolkit.tui.dns_host import DnsHost
from toolkit.tui.screens.confirm import ConfirmScreen
from toolkit.tui.screens.endpoint_detail import EndpointDetailScreen
from toolkit.tui.screens.endpoint_wizard import EndpointWizardScreen
from toolkit.tui.screens.error import ErrorScreen
from toolkit.tui.screens.service_detail import ServiceDetailScreen
from toolkit.tui.screens.service_form import ServiceFormScreen
from toolkit.tui.widgets.editable_table import EditableTable

pytestmark = pytest.mark.asyncio


def toasts(app, text: str) -> int:
    return sum(1 for n in app._notifications if text in n.message)


async def open_service(pilot, app, name: str, tab: str) -> None:
    await settle(pilot)
    app.screen.table.move_cursor(row=first_cells(app).index(name))
    await press(pilot, "enter")
    app.screen.query_one("#tabs").active = tab
    await settle(pilot)


async def add(pilot, app, panel_id: str, text: str) -> None:
    app.screen.query_one(f"#{panel_id} .entry").value = text
    await pilot.click(f"#{panel_id} .add")
    await settle(pilot)


async def test_routes_error_dialog_never_reopens_by_itself(demo):
    """Was a trap: closing the dialog resumed the screen, which retried the bad gateway and reopened it.
    A bad gateway is now refused under the input (rule and fix), and no dialog opens by itself afterwards."""
    app = tui(demo, route_backend=lambda: MemoryBackend(connected=["192.168.0.0/24"]))
    async with run(app) as pilot:
        await press(pilot, "5")
        app.screen.query_one("#gateway").value = "192.168.0.1"
        await press(pilot, "i", "enter")
        good = [row.key for row in app.screen.query_one("#route-table").shown_rows]
        assert good
        app.screen.query_one("#gateway").value = "10.0.0.300"
        await press(pilot, "i", "enter")
        assert not isinstance(app.screen, ErrorScreen)
        assert "10.0.0.300" in str(app.screen.query_one(".input-bar .field-error").render())
        for key in ("escape", "ctrl+r"):  # leave the input; then a refresh the user did not type a gateway for
            await press(pilot, key)
            assert not isinstance(app.screen, ErrorScreen)
        demo.service_tags(demo.list_services()[2].id, set_=[_tag("moved", "yes")])  # the state moves: reload
        await pilot.pause(0.3)
        await settle(pilot)
        assert not isinstance(app.screen, ErrorScreen)
        assert [row.key for row in app.screen.query_one("#route-table").shown_rows] == good  # last good data


async def test_letters_on_a_form_are_text_and_q_does_not_quit(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "n")
        await type_text(pilot, "webq12")
        assert isinstance(app.screen, ServiceFormScreen) and app.is_running
        assert app.screen.query_one("#name").value == "webq12"
        app.screen.query_one("#vpc").focus()
        await press(pilot, "q", "2", "question_mark")
        assert isinstance(app.screen, ServiceFormScreen) and app.is_running and app.current_mode == "services"


async def test_area_keys_do_not_fire_on_a_detail(demo):
    """Was: on the endpoint detail (focus on the tags table) `x=1` jumped to Services."""
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "2", "enter")
        detail = app.screen
        assert isinstance(detail, EndpointDetailScreen)
        before = demo.get_endpoint(detail.endpoint_id).tags
        tags = [(s.id, s.tags) for s in demo.list_services()]
        await type_text(pilot, "x=1q")
        await settle(pilot)
        assert app.screen is detail and app.current_mode == "endpoints" and app.is_running
        assert demo.get_endpoint(detail.endpoint_id).tags == before
        assert [(s.id, s.tags) for s in demo.list_services()] == tags


async def test_whitelist_entry_with_spaces_is_one_refused_entry(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "app", "permissions")
        await add(pilot, app, "whitelist", "not a valid id")
        error = str(app.screen.query_one("#whitelist .field-error").render())
        assert "'not a valid id' is not valid [S13]" in error
        assert demo.whitelist(app.screen.service_id) == []


async def test_confirm_has_no_hidden_letter_answer(demo):
    """Was: `d` `y` deleted at once (`y` is "copy JSON" on lists)."""
    app = tui(demo)
    async with run(app) as pilot:
        await settle(pilot)
        app.screen.table.move_cursor(row=first_cells(app).index("partner-api"))
        await press(pilot, "d", "y", "n")
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert "Delete service partner-api?" in text and "Delete" in text and "Cancel (Esc)" in text
        await press(pilot, "enter")  # focus starts on Cancel
        assert "partner-api" in [s.short_name for s in demo.list_services()]


async def test_every_removal_and_bulk_accept_asks_naming_what_changes(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "app", "permissions")
        await add(pilot, app, "whitelist", "iam:domain::b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0")
        panel = app.screen.query_one("#whitelist", EditableTable)
        panel.table.focus()
        await pilot.click("#whitelist .remove")
        await settle(pilot)
        assert app.screen.question.startswith("Remove whitelist entr(ies) iam:domain::b0b0")
        await cancel(pilot)
        assert len(demo.whitelist(app.screen.service_id)) == 1
        await pilot.click("#whitelist .remove")
        await settle(pilot)
        await confirm(pilot)
        assert demo.whitelist(app.screen.service_id) == []
        await press(pilot, "escape", "3", "a")
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question == "Accept 1 endpoint(s)?"
        await cancel(pilot)
        assert len(table_keys(app)) == 1


async def test_one_toast_per_action(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "app", "tags")
        await add(pilot, app, "tag-table", "owner=ops")
        assert toasts(app, "set tag owner=ops") == 1


async def test_escape_on_a_filled_form_asks_and_quit_asks_when_unsaved(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "n", "escape")
        assert app.screen.AREA == "Services"  # an empty form closes without asking
        await press(pilot, "n")
        await type_text(pilot, "web")
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen) and "Name" in screen_text(app)
        await press(pilot, "enter")  # Keep editing
        assert isinstance(app.screen, ServiceFormScreen) and app.screen.query_one("#name").value == "web"
        await app.switch_mode("endpoints")  # as the palette does; the form stays open in Services
        await press(pilot, "q")
        assert isinstance(app.screen, ConfirmScreen) and "New service: Name" in screen_text(app)
        await cancel(pilot)
        assert app.is_running


async def test_switches_say_on_or_off_and_dns_defaults_off(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "n")
        approval = app.screen.query_one("#approval")
        assert "[ ] Off" in screen_text(app)
        approval.focus()
        await press(pilot, "space")
        assert approval.value and "[x] On" in screen_text(app)
        app.screen.query_one("#name").value = ""
        approval.value = False
        await press(pilot, "escape", "2", "n")
        wizard = app.screen
        assert isinstance(wizard, EndpointWizardScreen) and wizard.query_one("#dns").value is False
        dns = next(s for s in demo.list_services() if s.short_name == "dns")
        before = {e.id for e in demo.list_endpoints()}
        await type_text(pilot, "dns")  # the picker has focus: filter to the DNS service, Enter picks it
        await press(pilot, "enter")
        assert wizard.chosen == dns.service_name
        wizard.query_one("#vpc").value = demo.get_vpc("vpc-consumer").id
        await press(pilot, "ctrl+s")
        [made] = [e for e in demo.list_endpoints() if e.id not in before]
        assert made.endpoint_service_id == dns.id and made.enable_dns is False and not made.dns_names


async def test_header_shows_state_region_account_and_dns(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await settle(pilot)
        top, second = screen_text(app).splitlines()[:2]
        assert f"account {demo.account}" in top
        assert f"region {demo.identity.region}" in second and "DNS off" in second
        assert demo.store.path.name in second


async def test_port_taken_says_so_in_the_header_and_keeps_working(demo):
    held = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    held.bind(("127.0.0.1", 0))
    try:
        port = held.getsockname()[1]
        settings = replace(demo.settings, dns=replace(demo.settings.dns, listen=(f"127.0.0.1:{port}",)))
        host = DnsHost(settings, demo, serve=True)
        assert not host.serving and host.state()[0] == "taken"
        app = tui(demo, dns=host)
        async with run(app) as pilot:
            await settle(pilot)
            second = screen_text(app).splitlines()[1]
            assert f"DNS 127.0.0.1:{port} port taken by PID {os.getpid()}" in second
            assert toasts(app, "does not ask this app's server") == 1
            await press(pilot, "2")
            assert app.current_mode == "endpoints" and len(table_keys(app)) == 3
    finally:
        held.close()


async def test_checks_say_when_they_ask_another_server(demo, empty_netns):
    app = tui(demo, check_timeout=0.5, check_netns=empty_netns)
    async with run(app) as pilot:
        await press(pilot, "6", "c")
        await settle(pilot)
        assert toasts(app, "a check asking 127.0.0.1:5353 does not ask this app's server") == 1


async def test_service_detail_tabs_fit_80_columns(demo):
    app = tui(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "enter")
        assert isinstance(app.screen, ServiceDetailScreen)
        tabs = screen_text(app).splitlines()[3]
        assert all(name in tabs for name in ("Summary", "Connections", "Permissions", "Ports", "Tags", "Rules"))


def _tag(key, value):
    from toolkit.model.tags import Tag
    return Tag(key, value)
