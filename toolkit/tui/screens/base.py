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
from textual.worker import Worker, WorkerState

from toolkit.errors import NotFound
from toolkit.tui.messages import Changed, Failed, Loaded
from toolkit.tui.screens.confirm import ConfirmScreen
from toolkit.tui.widgets.filter_bar import FilterBar
from toolkit.tui.widgets.resource_table import ResourceTable
from toolkit.tui.widgets.status_header import StatusHeader


EDITS = ".form Input, .form Select, .form Switch, .form LinesInput, .editable Input.entry, .editable Input.entry-note"
"""The widgets whose typed or chosen value is work the user would lose (a form's fields, a panel's entry line)."""


class BaseScreen(Screen):
    """Header, body, footer; data in through `fetch`/`show`; changes through `change`."""

    AREA = ""
    DETAIL = False
    """A pushed screen about one resource: it closes itself when the resource disappears."""
    CHANGES: frozenset[str] = frozenset()
    """Actions that change the state: hidden and refused in read-only mode (§7)."""

    quiet = False
    """The load in flight was not asked for by the user (a resume, the state moving): a failure it shares with
    the last one shown is not shown again, so an error dialog never reopens by itself."""
    load_error: str | None = None
    """The last load failure shown (None once a load succeeds)."""

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
        self.pristine = [(widget, widget.value) for widget in self.query(EDITS)]

    def on_screen_resume(self) -> None:
        self.reload(quiet=True)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in self.CHANGES and self.app.read_only:
            return False
        return True

    def on_descendant_focus(self, event) -> None:
        _mark_caption(event.widget, True)

    def on_descendant_blur(self, event) -> None:
        _mark_caption(event.widget, False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker events stay on their screen (they do not bubble): a check run starting is told to the app."""
        if event.worker.group == "checks" and event.state == WorkerState.RUNNING:
            self.app.checks_started()

    # -- unsaved input ----------------------------------------------------------
    def unsaved(self) -> list[str]:
        """What the user typed or chose here that is not saved: the captions of the fields changed since
        the screen opened."""
        return [_caption(widget) for widget, value in getattr(self, "pristine", []) if widget.value != value]

    def action_back(self) -> None:
        """Esc: back to the screen underneath, asking first when something typed here would be lost."""
        unsaved = self.unsaved()
        if not unsaved:
            self.app.pop_screen()
            return

        def answered(discard: bool | None) -> None:
            if discard and self.is_current:
                self.app.pop_screen()

        self.app.push_screen(ConfirmScreen(f"Leave {self.AREA} and discard what you typed?",
                                           "Not saved: " + ", ".join(unsaved), yes="Discard", no="Keep editing"),
                             answered)

    # -- reading ----------------------------------------------------------------
    def reload(self, quiet: bool = False) -> None:
        """Fetch again (on show, after a change, and when the state's generation moves)."""
        self.quiet = quiet
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
        self.load_error = None

    # -- changing ---------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="change")
    def change(self, label: str, call, *args, **kwargs) -> None:
        """Run one registry change in a thread; the result comes back as Changed or Failed."""
        try:
            self.post_message(Changed(label, call(*args, **kwargs)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(Failed(exc, label))

    def ask_then_change(self, question: str, explanation: str, yes: str, label: str, call, *args) -> None:
        """Destructive actions ask first (a ConfirmScreen naming what changes); only its yes button runs it."""

        def answered(answer: bool | None) -> None:
            if answer:
                self.change(label, call, *args)

        self.app.push_screen(ConfirmScreen(question, explanation, yes=yes), answered)

    def on_changed(self, message: Changed) -> None:
        """Subclasses override `after_change`, not this: Textual runs this handler of every class in the MRO."""
        _once(message, self.after_change)

    def after_change(self, message: Changed) -> None:
        """One toast per action, then fetch again."""
        self.notify(message.label, title="Done")
        self.reload()

    def closed_after(self, message: Changed, label: str) -> bool:
        """When `message` is the change that deleted this screen's resource: say so, go back, True."""
        if message.label != label:
            return False
        self.notify(message.label, title="Done")
        if self.is_current:
            self.app.pop_screen()
        return True

    def on_failed(self, message: Failed) -> None:
        """Subclasses override `show_failure`, not this (see on_changed)."""
        _once(message, self.show_failure)

    def show_failure(self, message: Failed) -> None:
        if message.label == "load":
            if self.DETAIL and isinstance(message.error, NotFound):
                self.gone()
                return
            text = f"{type(message.error).__name__}: {message.error}"
            if self.quiet and text == self.load_error:
                return  # shown once already; the last good data stays on screen
            self.load_error = text
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


def named(items: list[str], limit: int = 6) -> str:
    """`a, b and c` — what a confirmation will change, by name (the first `limit`, then how many more)."""
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _mark_caption(widget, focused: bool) -> None:
    """The focused field's caption is marked (`-focus`), so the admin sees where typing goes."""
    parent = widget.parent
    if parent is not None and parent.has_class("field"):
        for label in parent.query("Label.caption"):
            label.set_class(focused, "-focus")


def _caption(widget) -> str:
    """The caption of a form field, or what a panel's entry line adds."""
    parent = widget.parent
    captions = parent.query("Label.caption") if parent is not None else []
    if captions:
        return str(captions.first().render())
    panel = next((node for node in widget.ancestors if node.has_class("editable")), None)
    return getattr(panel, "what", None) or widget.id or "a field"


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


def _once(message, handle) -> None:
    """Stop `message` and `handle` it once, though Textual calls the handler of every class in the MRO."""
    message.stop()
    if not message.handled:
        message.handled = True
        handle(message)
