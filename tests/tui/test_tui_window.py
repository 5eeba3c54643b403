"""The Endpoints area at any size (issue 15): the filter and the sort run in the store with the results the
in-memory table gave, the table holds a bounded window fetched as the cursor moves, the count is shown."""

from __future__ import annotations

import pytest
from tuihelp import press, run, screen_text, settle, table_keys, tui, type_text, wait_for

from toolkit.cli.demo import PARTNER
from toolkit.model.tags import Tag
from toolkit.registry.demo import bulk_endpoints
from toolkit.tui.rows import endpoint_row
from toolkit.tui.screens.endpoints import search_of
from toolkit.tui.widgets.resource_table import _sort_key, row_matches
from toolkit.tui.widgets.window_table import Want

BULK = 400


def rows_in_memory(reg) -> list:
    """The rows as the table built them before issue 15: every endpoint, in the state's order."""
    names = {vpc.id: vpc.name for vpc in reg.list_vpcs()}
    return [endpoint_row({}, e, names) for e in reg.list_endpoints()]


def in_store(reg, query: str, column: int | None = None, descending: bool = False) -> list[str]:
    endpoints, _ = reg.endpoint_window(search_of(Want(query, column, descending, 0, 1000, "filter")), 0, 1000)
    return [e.id for e in endpoints]


def queries(rows) -> list[str]:
    """Every word of every cell and tag, pieces of them, in capitals, pairs, tags, and words nothing has."""
    words = {w for row in rows for w in row.text.split()}
    pieces = {w[i:i + 3] for w in words for i in range(0, len(w), 5)}
    tags = {f"{t.key}={t.value}" for row in rows for t in row.tags} | {"env=", "env=other", "nokey=x"}
    pairs = [f"{a} {b}" for a, b in zip(sorted(words), sorted(pieces))]
    return sorted(words | pieces | tags | {w.upper() for w in words} | {"-", "zzz", "%", "_", "a_b", "'"}) + pairs


@pytest.fixture
def tagged(demo):
    """The demo with an endpoint carrying a tag beside the one the demo gives, to tell tags apart."""
    endpoint = demo.list_endpoints()[-1]
    demo.endpoint_tags(endpoint.id, set_=[Tag("Team", "Blue_1")])
    return demo


@pytest.mark.parametrize("acting", ["owner", "partner"])
def test_the_store_filter_matches_what_the_table_matched(tagged, acting):
    reg = tagged if acting == "owner" else tagged.acting(PARTNER)
    rows = rows_in_memory(reg)
    assert rows, "the account has endpoints to filter"
    checked = 0
    for query in queries(rows):
        expected = [row.key for row in rows if row_matches(row, query)]
        assert in_store(reg, query) == expected, query
        checked += bool(expected)
    assert checked > 20  # most queries find something: the comparison is not between empty lists


def test_the_store_sort_matches_the_tables_for_every_column(tagged):
    rows = rows_in_memory(tagged)
    for column in range(8):
        for descending in (False, True):
            expected = sorted(rows, key=lambda row: _sort_key(row.cells[column]), reverse=descending)
            assert in_store(tagged, "", column, descending) == [row.key for row in expected], (column, descending)


@pytest.fixture
def big(demo):
    """The demo and BULK endpoints more: far more than a window."""
    bulk_endpoints(demo, BULK, "app", vpc="vpc-bulk", cidr="10.100.0.0/16")
    return demo


def spy_windows(reg) -> list[int]:
    """Record the number of rows every window fetch asks the registry for."""
    asked, fetch = [], reg.endpoint_window

    def window(search, offset, limit):
        asked.append(limit)
        return fetch(search, offset, limit)

    reg.endpoint_window = window
    return asked


@pytest.mark.asyncio
async def test_a_window_is_fetched_not_the_list_and_end_shows_the_last_row(big):
    asked = spy_windows(big)
    every = [e.id for e in big.list_endpoints()]
    app = tui(big)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "2")
        table = app.screen.table
        assert table.row_count == len(table.shown_rows) == max(asked) == 3 * 24 < len(every)
        assert table_keys(app) == every[:72]
        assert f"{len(every)} of {len(every)}" in screen_text(app).splitlines()[0]
        await press(pilot, "end")
        assert table.current().key == every[-1]
        assert every[-1] in screen_text(app)
        await press(pilot, "pageup", "pageup", "pageup", "pageup")
        position = table.start + table.cursor_row
        assert table.current().key == every[position] and table.start > 0
        assert set(table_keys(app)) < set(every)
        await press(pilot, "home")
        assert table.current().key == every[0]
        assert max(asked) <= 72  # every fetch, scrolling included, asked for one window at most


@pytest.mark.asyncio
async def test_moving_down_row_by_row_fetches_the_next_window_in_order(big):
    every = [e.id for e in big.list_endpoints()]
    app = tui(big)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "2")
        table = app.screen.table
        for step in range(1, 100):
            await press(pilot, "down")
            assert table.current().key == every[step], step
        assert table.start > 0  # the window moved on under the cursor
        assert table.cursor_row - round(table.scroll_y) == 24 - 6  # the cursor stays on the last line shown


@pytest.mark.asyncio
async def test_the_filter_runs_in_the_store_and_the_count_is_shown(big):
    app = tui(big)
    rows = rows_in_memory(big)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "2", "slash")
        await type_text(pilot, "vpc-bulk")
        await settle(pilot)
        wanted = [row.key for row in rows if row_matches(row, "vpc-bulk")]
        assert len(wanted) == BULK
        assert table_keys(app) == wanted[:72]
        assert f"{BULK} of {len(rows)}" in screen_text(app).splitlines()[0]
        await press(pilot, "backspace", "backspace", "backspace", "backspace")
        await type_text(pilot, "consumer")
        wanted = [row.key for row in rows if row_matches(row, "vpc-consumer")]
        assert table_keys(app) == wanted
        assert f"{len(wanted)} of {len(rows)}" in screen_text(app).splitlines()[0]


@pytest.mark.asyncio
async def test_a_change_elsewhere_refetches_the_window(big):
    asked = spy_windows(big)
    app = tui(big, poll_interval=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "2", "end")
        before = len(asked)
        last = big.list_endpoints()[-1]
        big.delete_endpoint(last.id)
        await wait_for(pilot, lambda: last.id not in table_keys(app), timeout=3)
        await settle(pilot)
        assert len(asked) > before and max(asked) <= 72
        count = len(big.list_endpoints())
        assert f"{count} of {count}" in screen_text(app).splitlines()[0]
        assert app.screen.table.current().key == big.list_endpoints()[-1].id
