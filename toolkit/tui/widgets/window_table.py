"""A ResourceTable over a window of a long list (issue 15): the rows on screen and a page either side.

The table holds rows `start` … `start + len(rows)` of the `matches` rows the filter finds; the filter, the
sort and the cut are the store's. It asks for another window (posts Wanted) when the cursor or the view
comes near an edge of the one it has, on End and Home, and when the filter or the sort changes; the
screen fetches it in a worker and hands it back through `show_window`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from toolkit.tui.widgets.resource_table import ResourceTable, Row

PAGES = 3
"""A window is this many screens of rows: the one shown and one either side."""
MAX_ROWS = 1000
"""The most rows one window asks for (the API's largest page)."""


@dataclass(frozen=True, eq=False)
class Want:
    """One window to fetch: the filter and the sort, where it starts, how many rows, and why."""

    query: str
    sort_column: int | None
    descending: bool
    offset: int
    limit: int
    reason: str
    """`filter` (the filter or the sort changed: count again, cursor stays on its resource if shown),
    `reload` (the state moved: count again, cursor on its resource, else the same place),
    `scroll` (the same list further on), `first` or `last` (Home, End)."""

    @property
    def count(self) -> bool:
        return self.reason in ("filter", "reload")


class WindowTable(ResourceTable):
    """Rows in by window, cursor moves that leave the window turned into Wanted messages."""

    class Wanted(Message):
        def __init__(self, want: Want) -> None:
            self.want = want
            super().__init__()

    def __init__(self, columns: list, **kwargs) -> None:
        super().__init__(columns, markable=False, **kwargs)
        self.start = 0
        self.matches: int | None = 0
        """Rows the filter finds in all (None while they are being counted)."""
        self.asked: Want | None = None
        """The window asked for and not yet shown."""

    # -- asking -----------------------------------------------------------------
    @property
    def limit(self) -> int:
        return min(MAX_ROWS, PAGES * max(self.app.size.height, 10))

    def want(self, reason: str, offset: int | None = None) -> Want:
        return Want(self.query_text, self.sort_column, self.sort_reverse,
                    self.start if offset is None else max(0, offset), self.limit, reason)

    def ask(self, reason: str, offset: int | None = None) -> None:
        self.asked = self.want(reason, offset)
        self.post_message(self.Wanted(self.asked))

    def set_query(self, query: str) -> None:
        self.query_text = query
        self.ask("filter", 0)

    def sort_by(self, column: int, reverse: bool | None = None) -> None:
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else False
        self.sort_column, self.sort_reverse = column, reverse
        self._label_sorted()
        self.ask("filter", 0)

    def _more_below(self) -> bool:
        end = self.start + len(self.rows_all)
        return end < self.matches if self.matches is not None else len(self.rows_all) >= self.limit

    def _follow(self, row: int) -> None:
        """`row` (of this window) is where the cursor or the view is: near an edge with rows beyond it,
        ask for the window around it."""
        if self.asked is not None or not self.rows_all:
            return
        margin = max(self.limit // PAGES // 2, 1)
        if (self.start > 0 and row < margin) or (self._more_below() and row >= len(self.rows_all) - margin):
            self.ask("scroll", self.start + row - self.limit // 2)

    def watch_cursor_coordinate(self, old, new) -> None:
        super().watch_cursor_coordinate(old, new)
        self._follow(new.row)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        visible = max(self.size.height - 1, 1)
        self._follow(int(new_value) if new_value < old_value else int(new_value) + visible)

    def action_scroll_bottom(self) -> None:
        if self._more_below() and self.matches is not None:
            self.ask("last", self.matches - self.limit)
        else:
            super().action_scroll_bottom()

    def action_scroll_top(self) -> None:
        if self.start > 0:
            self.ask("first", 0)
        else:
            super().action_scroll_top()

    # -- showing ----------------------------------------------------------------
    def show_window(self, rows: list[Row], want: Want, matches: int | None) -> None:
        """The window `want` asked for: its rows, and the number of matches when it was counted."""
        current = self.current()
        line = self.cursor_row - round(self.scroll_y)  # where the cursor is on screen, kept there
        position = self.start + self.cursor_row
        self.asked = want  # no asking while the rows are put in
        if want.count:
            self.matches = matches
        self.start, self.rows_all = want.offset, list(rows)
        self.render_rows()
        if self.shown_rows:
            index = self._place(want, current.key if current else None, position)
            if want.reason in ("filter", "first", "last"):
                self.move_cursor(row=index, animate=False)
            else:
                self.move_cursor(row=index, animate=False, scroll=False)
                self.call_after_refresh(self.scroll_to, y=max(index - line, 0), animate=False, force=True)
        self.asked = None

    def _place(self, want: Want, key: str | None, position: int) -> int:
        keys = [row.key for row in self.shown_rows]
        if want.reason == "last":
            return len(keys) - 1
        if key in keys and want.reason != "first":
            return keys.index(key)
        if want.reason in ("filter", "first"):
            return 0
        return min(max(position - self.start, 0), len(keys) - 1)

    def counted(self, matches: int) -> None:
        self.matches = matches

    def render_rows(self) -> None:
        """The window as it came: the store filtered and sorted it."""
        self._ensure_columns()
        self.shown_rows = list(self.rows_all)
        self.clear()
        for row in self.shown_rows:
            self.add_row(*row.display, key=row.key)
        self._label_sorted()
