"""Service and endpoint detail screens: tabs, tags, whitelist, rules, connections, delete."""

from __future__ import annotations

import pytest
from tuihelp import cancel, confirm, first_cells, press, run, screen_text, settle, table_keys, tui

from toolkit.cli.demo import PARTNER
from toolkit.model.endpoint import EndpointStatus
from toolkit.tui.screens.confirm import ConfirmScreen
from toolkit.tui.screens.endpoint_detail import EndpointDetailScreen
from toolkit.tui.widgets.editable_table import EditableTable

pytestmark = pytest.mark.asyncio


async def open_service(pilot, app, name: str, tab: str) -> None:
    await settle(pilot)
    app.screen.table.move_cursor(row=first_cells(app).index(name))
    await press(pilot, "enter")
    app.screen.query_one("#tabs").active = tab
    await settle(pilot)


async def add(pilot, app, panel_id: str, text: str) -> None:
    panel = app.screen.query_one(f"#{panel_id}", EditableTable)
    panel.query_one(".entry").value = text
    await pilot.click(f"#{panel_id} .add")
    await settle(pilot)


async def test_tags_add_edit_delete(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "app", "tags")
        await add(pilot, app, "tag-table", "owner=ops")
        await add(pilot, app, "tag-table", "owner=netops")
        service = next(s for s in demo.list_services() if s.short_name == "app")
        assert {(t.key, t.value) for t in service.tags} == {("env", "demo"), ("owner", "netops")}
        assert "netops" in screen_text(app)
        await add(pilot, app, "tag-table", "bad/key=x")
        assert "[T2]" in str(app.screen.query_one("#tag-table .field-error").render())
        table = app.screen.query_one("#tag-table", EditableTable).table
        table.move_cursor(row=[r.key for r in table.shown_rows].index("owner"))
        table.focus()
        await press(pilot, "space")
        await pilot.click("#tag-table .remove")
        await settle(pilot)
        assert "Remove tag(s) owner from service" in screen_text(app)
        await confirm(pilot)
        service = next(s for s in demo.list_services() if s.short_name == "app")
        assert [t.key for t in service.tags] == ["env"]


async def test_whitelist_everyone_asks_first(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "app", "permissions")
        await add(pilot, app, "whitelist", "*")
        assert isinstance(app.screen, ConfirmScreen) and "every account" in screen_text(app)
        await cancel(pilot)
        assert demo.whitelist(_service(demo, "app").id) == []
        await add(pilot, app, "whitelist", "*")
        await confirm(pilot)
        assert [e.permission for e in demo.whitelist(_service(demo, "app").id)] == ["*"]
        await add(pilot, app, "whitelist", f"iam:domain::{PARTNER}")
        assert f"iam:domain::{PARTNER}" in screen_text(app)
        assert len(demo.whitelist(_service(demo, "app").id)) == 2


async def test_rules_and_port_mapping(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "app", "rules")
        await add(pilot, app, "rule-table", "acl:0.0.0.0/0:all:deny")
        specs = [r.spec for r in demo.service_rules(_service(demo, "app").id)]
        assert specs == ["sg:198.19.128.0/17:8080", "acl:0.0.0.0/0:all:deny"]
        assert "deny" in screen_text(app)
        app.screen.set_focus(None)
        app.screen.query_one("#tabs").active = "ports"
        await settle(pilot)
        assert "8080" in screen_text(app) and "S6" in screen_text(app)
        assert not app.screen.query("#ports Input")  # read only


async def test_connection_management_accepts_marked(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "partner-api", "connections")
        table = app.screen.query_one("#connection-table")
        pending = [r.key for r in table.shown_rows if str(r.cells[2]) == "pendingAcceptance"]
        table.focus()
        table.move_cursor(row=table_keys_of(table).index(pending[0]))
        await press(pilot, "space")
        await pilot.click("#accept")
        await settle(pilot)
        assert app.screen.question == \
            f"Accept 1 endpoint(s) of service {_service(demo, 'partner-api').service_name}: {pending[0]}?"
        await confirm(pilot)
        assert demo.acting(PARTNER).get_endpoint(pending[0]).status == EndpointStatus.ACCEPTED
        assert "pendingAcceptance" not in screen_text(app)


async def test_endpoint_detail_and_delete(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "2")
        endpoint = next(e for e in demo.list_endpoints() if e.dns_names)
        app.screen.table.move_cursor(row=table_keys(app).index(endpoint.id))
        await press(pilot, "enter")
        assert isinstance(app.screen, EndpointDetailScreen)
        text = screen_text(app)
        assert endpoint.ip in text and endpoint.dns_names[0] in text and f"{endpoint.ip}:80" in text
        await press(pilot, "d")
        assert isinstance(app.screen, ConfirmScreen) and "E11" in screen_text(app)
        await confirm(pilot)
        assert endpoint.id not in [e.id for e in demo.list_endpoints()]
        assert endpoint.id not in table_keys(app)


def table_keys_of(table) -> list[str]:
    return [row.key for row in table.shown_rows]


def _service(reg, short: str):
    return next(s for s in reg.list_services() if s.short_name == short)
