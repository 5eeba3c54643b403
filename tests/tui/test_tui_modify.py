"""Issue 9 item 5 in the console: Modify a service, an endpoint's whitelist, connection and whitelist descriptions."""

from __future__ import annotations

import pytest
from tuihelp import first_cells, press, run, screen_text, settle, tui, type_text

from toolkit.tui.screens.service_detail import ServiceDetailScreen
from toolkit.tui.screens.service_modify import ServiceModifyScreen

pytestmark = pytest.mark.asyncio


def toasts(app, text: str) -> list[str]:
    return [n.message for n in app._notifications if text in n.message]


def service(reg, short: str):
    return next(s for s in reg.list_services() if s.short_name == short)


async def open_service(pilot, app, name: str, tab: str = "summary") -> None:
    await settle(pilot)
    app.screen.table.move_cursor(row=first_cells(app).index(name))
    await press(pilot, "enter")
    app.screen.query_one("#tabs").active = tab
    await settle(pilot)


def palette_titles(app) -> set[str]:
    return {command.title for command in app.get_system_commands(app.screen)}


# -- 1. Modify service ---------------------------------------------------------------------------------
async def test_modify_service_prefilled_and_saved(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "app")
        assert "Modify service" in palette_titles(app)
        await press(pilot, "m")
        assert isinstance(app.screen, ServiceModifyScreen)
        form = app.screen
        assert form.query_one("#name").value == "app"
        assert form.query_one("#description").value == "web app behind an ELB"
        assert form.query_one("#approval").value is False
        text = screen_text(app)
        assert "8080→80/TCP" in text and "S6" in text  # ports shown, read-only, with the rule
        form.query_one("#name").value = "web2"
        form.query_one("#description").value = "moved to the new ELB"
        form.query_one("#approval").focus()
        await press(pilot, "space", "ctrl+s")
        assert isinstance(app.screen, ServiceDetailScreen)
        changed = service(demo, "web2")
        assert changed.description == "moved to the new ELB" and changed.approval_enabled
        assert changed.service_name.startswith("cn-north-4.web2.")
        assert "Service cn-north-4.web2." in screen_text(app)  # the detail shows the new name


async def test_modify_service_refusals_under_the_field(demo):
    before = service(demo, "app")
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "app")
        await press(pilot, "m")
        app.screen.query_one("#name").value = "no spaces allowed"
        app.screen.query_one("#description").value = "a <b> tag"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ServiceModifyScreen)
        assert "[S5]" in str(app.screen.query_one("#name-error").render())
        assert "[S4]" in str(app.screen.query_one("#description-error").render())
        app.screen.query_one("#name").value = "obs"  # a built-in's name: only the registry knows (S2)
        app.screen.query_one("#description").value = "fine"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ServiceModifyScreen)
        assert "[S2]" in str(app.screen.query_one("#form-error").render())
    assert service(demo, "app") == before


async def test_modify_builtin_service_is_refused_with_s2(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "obs")
        await press(pilot, "m")
        assert isinstance(app.screen, ServiceDetailScreen)  # no form opened
        [refusal] = toasts(app, "built-in")
        assert "[S2]" in refusal


async def test_approval_off_warns_once_about_pending(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "partner-api")
        await press(pilot, "m")
        app.screen.query_one("#approval").focus()
        await press(pilot, "space")
        await pilot.click("#save")
        await settle(pilot)
        assert isinstance(app.screen, ServiceDetailScreen)
        assert service(demo, "partner-api").approval_enabled is False
        assert len(toasts(app, "stay pendingAcceptance")) == 1
        await pilot.pause(0.3)  # the state poll reloads the screen: the warning is not repeated
        await settle(pilot)
        assert len(toasts(app, "stay pendingAcceptance")) == 1


async def test_modify_letters_are_text(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "app")
        await press(pilot, "m")
        app.screen.query_one("#description").focus()
        app.screen.query_one("#description").value = ""
        await type_text(pilot, "q123456dy?m")
        assert isinstance(app.screen, ServiceModifyScreen) and app.is_running and app.current_mode == "services"
        assert app.screen.query_one("#description").value == "q123456dy?m"


async def test_read_only_refuses_every_modify(tmp_path):
    from toolkit.tui.demo import open_demo
    from toolkit.tui.screens.endpoint_detail import EndpointDetailScreen

    reg = open_demo(tmp_path, read_only=True)
    try:
        app = tui(reg)
        async with run(app) as pilot:
            await open_service(pilot, app, "partner-api", "connections")
            assert not app.screen.query_one("#decide").display  # no Describe button
            app.screen.query_one("#connection-table").focus()
            await press(pilot, "m", "e")
            assert isinstance(app.screen, ServiceDetailScreen)
            assert not {"Modify service", "Describe connection or whitelist entry"} & palette_titles(app)
            app.screen.query_one("#tabs").active = "permissions"
            await settle(pilot)
            app.screen.query_one("#whitelist ResourceTable").focus()
            await press(pilot, "e")
            assert isinstance(app.screen, ServiceDetailScreen)
            await press(pilot, "escape", "2", "enter", "m")
            assert isinstance(app.screen, EndpointDetailScreen) and "Modify whitelist" not in palette_titles(app)
    finally:
        reg.close()


# -- 2. Modify whitelist (endpoint) -------------------------------------------------------------------------
async def open_endpoint(pilot, app, reg, service_short: str):
    from toolkit.tui.screens.endpoint_detail import EndpointDetailScreen

    endpoint = next(e for e in reg.list_endpoints() if f".{service_short}." in e.endpoint_service_name)
    await press(pilot, "2")
    app.screen.table.move_cursor(row=[row.key for row in app.screen.table.shown_rows].index(endpoint.id))
    await press(pilot, "enter")
    assert isinstance(app.screen, EndpointDetailScreen)
    return endpoint


async def test_modify_endpoint_whitelist(demo):
    from toolkit.tui.screens.endpoint_detail import EndpointDetailScreen
    from toolkit.tui.screens.endpoint_modify import EndpointModifyScreen

    app = tui(demo)
    async with run(app) as pilot:
        endpoint = await open_endpoint(pilot, app, demo, "app")
        assert "Modify whitelist" in palette_titles(app)
        await press(pilot, "m")
        assert isinstance(app.screen, EndpointModifyScreen) and app.focused.id == "whitelist"
        await type_text(pilot, "10.1.0.0/16 127.0.0.1")
        await press(pilot, "enter")
        await type_text(pilot, "192.168.7.9")
        app.screen.query_one("#enable").focus()
        await press(pilot, "space", "ctrl+s")
        assert isinstance(app.screen, EndpointDetailScreen)
        saved = demo.get_endpoint(endpoint.id)
        assert saved.enable_whitelist and saved.whitelist == ("10.1.0.0/16", "127.0.0.1/32", "192.168.7.9/32")
        assert "10.1.0.0/16" in screen_text(app)
        await press(pilot, "m")  # reopened: pre-filled, one entry a line; switching off keeps the list
        assert app.screen.query_one("#whitelist").value.splitlines() == list(saved.whitelist)
        app.screen.query_one("#enable").focus()
        await press(pilot, "space", "ctrl+s")
        off = demo.get_endpoint(endpoint.id)
        assert not off.enable_whitelist and off.whitelist == saved.whitelist


async def test_modify_endpoint_whitelist_refusals(demo):
    from toolkit.tui.screens.endpoint_modify import EndpointModifyScreen

    app = tui(demo)
    async with run(app) as pilot:
        endpoint = await open_endpoint(pilot, app, demo, "app")
        await press(pilot, "m")
        await type_text(pilot, "10.0.0.0/8 10.0.0.300 q")
        assert app.is_running and isinstance(app.screen, EndpointModifyScreen)  # q is text here
        await press(pilot, "ctrl+s")
        error = str(app.screen.query_one("#whitelist-error").render())
        assert "10.0.0.300" in error and "[E10]" in error
        app.screen.query_one("#whitelist").value = ""
        app.screen.query_one("#enable").focus()
        await press(pilot, "space", "ctrl+s")  # enabled and empty: the registry refuses
        assert isinstance(app.screen, EndpointModifyScreen)
        assert "at least one entry" in str(app.screen.query_one("#whitelist-error").render())
    assert demo.get_endpoint(endpoint.id) == endpoint


# -- 3. Connection descriptions ------------------------------------------------------------------------------
async def test_describe_a_connection(demo):
    from toolkit.tui.screens.describe import DescribeScreen

    api = service(demo, "partner-api")
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "partner-api", "connections")
        assert "Description" in screen_text(app)  # the column
        table = app.screen.query_one("#connection-table")
        table.focus()
        endpoint_id = table.current().key
        await press(pilot, "e")
        assert isinstance(app.screen, DescribeScreen) and app.focused.id == "describe-text"
        await type_text(pilot, "a <b>")
        await press(pilot, "enter")
        assert isinstance(app.screen, DescribeScreen)
        assert "[S12]" in str(app.screen.query_one("#describe-error").render())
        app.screen.query_one("#describe-text").value = ""
        await type_text(pilot, "batch q1-6 dy")
        await press(pilot, "enter")
        assert isinstance(app.screen, ServiceDetailScreen)
        assert demo.connection_descriptions(api.id) == {endpoint_id: "batch q1-6 dy"}
        assert "batch q1-6 dy" in screen_text(app)
        await pilot.click("#describe-connection")  # the button opens the same dialog, pre-filled
        await settle(pilot)
        assert app.screen.query_one("#describe-text").value == "batch q1-6 dy"
        await press(pilot, "escape")
        assert isinstance(app.screen, ServiceDetailScreen)
    assert demo.connection_descriptions(api.id) == {endpoint_id: "batch q1-6 dy"}


# -- 4. Whitelist entry descriptions -------------------------------------------------------------------------
async def test_whitelist_entry_described_on_add_and_edited(demo):
    api = service(demo, "partner-api")
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "partner-api", "permissions")
        panel = "#whitelist"
        app.screen.query_one(f"{panel} .entry").value = "iam:domain::0123456789abcdef0123456789abcdef"
        app.screen.query_one(f"{panel} .entry-note").focus()
        await type_text(pilot, "a <partner>")
        await press(pilot, "enter")
        assert "[S13]" in str(app.screen.query_one(f"{panel} .field-error").render())
        app.screen.query_one(f"{panel} .entry-note").value = ""
        await type_text(pilot, "finance q3 dy")
        await press(pilot, "enter")
        added = {e.permission: e for e in demo.whitelist(api.id)}["iam:domain::0123456789abcdef0123456789abcdef"]
        assert added.description == "finance q3 dy"
        assert "finance q3 dy" in screen_text(app)
        table = app.screen.query_one(f"{panel} ResourceTable")
        table.focus()
        table.move_cursor(row=[row.key for row in table.shown_rows].index(added.id))
        await press(pilot, "e")
        assert app.screen.query_one("#describe-text").value == "finance q3 dy"
        app.screen.query_one("#describe-text").value = "finance, renewed"
        await pilot.click("#save")
        await settle(pilot)
        assert {e.id: e.description for e in demo.whitelist(api.id)}[added.id] == "finance, renewed"
        assert "finance, renewed" in screen_text(app)


async def test_the_focused_fields_caption_follows_tab(demo):
    """Was: the first field's caption stayed marked while Tab moved on (Textual restyled no subtree)."""
    app = tui(demo)
    async with run(app) as pilot:
        await open_service(pilot, app, "app")
        await press(pilot, "m")
        captions = {str(c.render()): c for c in app.screen.query(".field > Label.caption")}
        for field, caption in (("name", "Name"), ("description", "Description"), ("approval", "Approval")):
            assert app.focused.id == field
            assert [name for name, c in captions.items() if c.styles.text_style.reverse] == [caption]
            await press(pilot, "tab")
