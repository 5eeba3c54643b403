"""The behaviour people expect: filter, sort, help, palette, copy JSON, read-only, live refresh, errors."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest
from tuihelp import first_cells, press, run, screen_text, settle, table_keys, tui, type_text, wait_for

from toolkit.tui.demo import open_demo
from toolkit.tui.screens.confirm import ConfirmScreen
from toolkit.tui.screens.error import ErrorScreen
from toolkit.tui.screens.help import HelpScreen
from toolkit.tui.screens.service_detail import ServiceDetailScreen

pytestmark = pytest.mark.asyncio


async def test_every_area_has_its_key(demo):
    app = tui(demo)
    async with run(app) as pilot:
        for key, mode, title in [("2", "endpoints", "Endpoints"), ("3", "approvals", "Approvals"),
                                 ("4", "dns", "DNS"), ("5", "routes", "Routes"), ("6", "checks", "Checks"),
                                 ("1", "services", "Services")]:
            await press(pilot, key)
            assert app.current_mode == mode
            assert screen_text(app).splitlines()[0].startswith(f" vpcep  {title}")
        assert len(table_keys(app)) == len(demo.list_services()) == 4


async def test_filter_by_keyword_and_tag(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "slash")
        await type_text(pilot, "partner")
        assert first_cells(app) == ["partner-api"]
        app.screen.query_one("#filter").value = "env=demo"
        await settle(pilot)
        assert first_cells(app) == ["app"] == [s.short_name for s in demo.list_services(tags=[_tag("env", "demo")])]
        await press(pilot, "escape")
        assert len(first_cells(app)) == 4
        assert "env=demo" not in screen_text(app)


async def test_sort_by_column_and_reverse(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "s")
        assert first_cells(app) == sorted(s.short_name for s in demo.list_services())
        await press(pilot, "S")
        assert first_cells(app) == sorted((s.short_name for s in demo.list_services()), reverse=True)
        assert "Name▼" in screen_text(app)
        app.screen.table.sort_by(6)  # Conns, numeric
        await settle(pilot)
        assert [r.cells[6] for r in app.screen.table.shown_rows] == [1, 1, 1, 1]


async def test_enter_opens_detail_and_escape_goes_back(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "enter")
        assert isinstance(app.screen, ServiceDetailScreen)
        assert demo.list_services()[0].service_name in screen_text(app)
        await press(pilot, "escape")
        assert app.screen.AREA == "Services"


async def test_help_lists_the_keys_of_the_screen(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        assert keys["n"] == "New" and keys["/"] == "Filter" and keys["d"] == "Delete"
        assert "Keys — Services" in screen_text(app)
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_reaches_every_area(demo):
    app = tui(demo)
    async with run(app) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Go to Endpoints", "Go to Approvals", "Go to DNS", "New", "Delete", "Filter"} <= set(titles)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "Go to Approvals")
        await press(pilot, "enter")
        assert app.current_mode == "approvals"
        assert "Approvals" in screen_text(app)


async def test_copy_json_of_the_selected_resource(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "2", "y")
        copied = json.loads(app.clipboard)
        assert copied == demo.get_endpoint(table_keys(app)[0]).to_dict()


async def test_error_modal_names_rule_and_fix(demo):
    app = tui(demo)
    async with run(app) as pilot:
        await settle(pilot)
        app.screen.table.move_cursor(row=first_cells(app).index("app"))
        await press(pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        assert "S10" in screen_text(app)
        await press(pilot, "y")
        assert isinstance(app.screen, ErrorScreen)
        text = screen_text(app)
        assert "Rule: S10" in text and "Fix: reject or delete those endpoints first" in text
        assert "app" in [s.short_name for s in demo.list_services()]
        await press(pilot, "enter")
        assert not isinstance(app.screen, ErrorScreen)


async def test_read_only_says_so_and_hides_changes(tmp_path):
    reg = open_demo(tmp_path, read_only=True)
    app = tui(reg)
    async with run(app) as pilot:
        await settle(pilot)
        assert "READ-ONLY" in screen_text(app)
        assert "New" not in screen_text(app).splitlines()[-1]
        before = len(reg.list_services())
        await press(pilot, "n", "d")
        assert app.screen.AREA == "Services" and len(reg.list_services()) == before
        await press(pilot, "3", "a")
        assert len(table_keys(app)) == 1
        await press(pilot, "1", "enter")
        assert not app.screen.query_one("#whitelist .toolbar").display
    reg.close()


async def test_another_process_shows_up_within_a_second(demo, tmp_path):
    app = tui(demo, poll_interval=0.25)
    async with run(app) as pilot:
        await settle(pilot)
        env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "none")}
        for name in ("VPCEP_ACCOUNT", "VPCEP_CONFIG", "VPCEP_READ_ONLY", "VPCEP_STATE"):
            env.pop(name, None)
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "toolkit", "--state", str(demo.store.path), "service", "create", "--name", "late",
            "--vpc", "vpc-provider", "--backend", "LB", "--port-id", "elb-late", "--port", "9000:90", "--approval",
            env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, err = await child.communicate()
        assert child.returncode == 0, err
        elapsed = await wait_for(pilot, lambda: "late" in first_cells(app), timeout=3)
        assert elapsed < 1.0
        assert "late" in [s.short_name for s in demo.list_services()]
        assert "late" in screen_text(app)


def _tag(key, value):
    from toolkit.model.tags import Tag
    return Tag(key, value)
