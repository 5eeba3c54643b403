"""What every screen shares: header and footer, loading through a thread worker, changes, errors.

A screen says what to `fetch()` (runs in a thread, calls the registry) and how to `show()`
the result (runs on the UI thread). Workers never touch widgets: they post Loaded,
Changed or Failed, and the handlers here push data down into the widgets.
"""

from __future__ import annotations

import json

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input

from toolkit.errors import NotFound
from toolkit.tui.messages import Changed, Failed, Loaded
from toolkit.tui.screens.confirm import ConfirmScreen
from toolkit.tui.widgets.filter_bar import FilterBar
from toolkit.tui.widgets.resource_table import ResourceTable
from toolkit.tui.widgets.status_header import StatusHeader


class BaseScreen(Screen):
    """Header, body, footer; data in through `fetch`/`show`; changes through `change`."""

    AREA = ""
    DETAIL = False
    """A pushed screen about one resource: it closes itself when the resource disappears."""
    CHANGES: frozenset[str] = frozenset()
    """Actions that change the state: hidden and refused in read-only mode (§7)."""

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.AREA)
        yield from self.body()
        yield Footer(compact=True, show_command_palette=False)

    def body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        if not self.app.cursor_blink:
            for field in self.query(Input):
                field.cursor_blink = False

    def on_screen_resume(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in self.CHANGES and self.app.read_only:
            return False
        return True

    # -- reading ----------------------------------------------------------------
    def reload(self) -> None:
        """Fetch again (on show, after a change, and when the state's generation moves)."""
        self.load()

    def fetch(self):
        return None

    def show(self, data) -> None:
        """Push fetched data down into the widgets."""

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> None:
        try:
            self.post_message(Loaded(self.fetch()))
        except Exception as exc:  # noqa: BLE001 — every failure ends in the error modal
            self.post_message(Failed(exc, "load"))

    loaded = False
    """True once the first fetch has been shown (tests and screenshots wait for it)."""

    def on_loaded(self, message: Loaded) -> None:
        message.stop()
        self.show(message.data)
        self.loaded = True

    # -- changing ---------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="change")
    def change(self, label: str, call, *args, **kwargs) -> None:
        """Run one registry change in a thread; the result comes back as Changed or Failed."""
        try:
            self.post_message(Changed(label, call(*args, **kwargs)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(Failed(exc, label))

    def ask_then_change(self, question: str, explanation: str, yes: str, label: str, call, *args) -> None:
        """Destructive actions ask first (a ConfirmScreen); only a yes runs the change."""

        def answered(answer: bool | None) -> None:
            if answer:
                self.change(label, call, *args)

        self.app.push_screen(ConfirmScreen(question, explanation, yes=yes), answered)

    def on_changed(self, message: Changed) -> None:
        message.stop()
        self.notify(message.label, title="Done")
        self.reload()

    def closed_after(self, message: Changed, label: str) -> bool:
        """When `message` is the change that deleted this screen's resource: say so, go back, True."""
        if message.label != label:
            return False
        message.stop()
        self.notify(message.label, title="Done")
        if self.is_current:
            self.app.pop_screen()
        return True

    def on_failed(self, message: Failed) -> None:
        message.stop()
        if self.DETAIL and message.label == "load" and isinstance(message.error, NotFound):
            self.gone()
            return
        self.app.show_error(message.error, message.label)

    def gone(self) -> None:
        """The resource went away (deleted here or by another process): back to the list."""
        if self.is_current:
            self.notify(f"{self.AREA} no longer exists", title="Gone")
            self.app.pop_screen()

    # -- shared actions ---------------------------------------------------------
    def copy_json(self, what: str, data: dict) -> None:
        self.app.copy_to_clipboard(json.dumps(data, indent=2, ensure_ascii=False))
        self.notify(f"JSON of {what} copied to the clipboard", title="Copied")


class AreaScreen(BaseScreen):
    """A top-level area: a filterable, sortable table of resources."""

    COLUMNS: list[str] = []
    MARKABLE = False
    AUTO_FOCUS = "#table"
    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("y", "copy_json", "JSON"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("ctrl+r", "reload", "Refresh", show=False),
    ]

    def body(self) -> ComposeResult:
        bar = FilterBar()
        bar.display = False
        yield bar
        yield ResourceTable(self.COLUMNS, markable=self.MARKABLE, id="table")

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#table", ResourceTable)

    def show(self, data) -> None:
        self.table.set_rows(self.rows(data))
        self.table.loading = False

    def rows(self, data) -> list:
        return []

    def on_filter_bar_query(self, message: FilterBar.Query) -> None:
        self.table.set_query(message.text)

    def on_filter_bar_done(self, message: FilterBar.Done) -> None:
        self.table.focus()

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    def action_clear_filter(self) -> None:
        self.query_one(FilterBar).action_close()

    def action_reload(self) -> None:
        self.reload()

    def action_copy_json(self) -> None:
        row = self.table.current()
        if row is not None and hasattr(row.data, "to_dict"):
            self.copy_json(row.key, row.data.to_dict())
