"""A table with an add line and a remove button: tags, whitelist entries, backend rules."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label

from toolkit.tui.widgets.resource_table import ResourceTable, Row


class EditableTable(Vertical):
    """Rows down through `set_rows`; the user's edits up as Add(text, note), Remove(rows) and Describe(row)."""

    class Add(Message):
        def __init__(self, panel: "EditableTable", text: str, note: str = "") -> None:
            self.panel, self.text, self.note = panel, text, note
            super().__init__()

    class Describe(Message):
        """The Describe button: change the description of the row under the cursor."""

        def __init__(self, panel: "EditableTable", row: Row) -> None:
            self.panel, self.row = panel, row
            super().__init__()

    class Remove(Message):
        def __init__(self, panel: "EditableTable", rows: list[Row]) -> None:
            self.panel, self.rows = panel, rows
            super().__init__()

    def __init__(self, columns: list[str], placeholder: str, *, add: str = "Add", note: str = "",
                 what: str = "entry", described: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, classes="editable")
        self.described = described
        """Rows have a description: an input for it beside the add line, and a Describe button."""
        self.columns, self.placeholder, self.add_label, self.note = columns, placeholder, add, note
        self.what = what
        """What one row is ("tag", "whitelist entry"): confirmations and the unsaved-input question name it."""

    def compose(self) -> ComposeResult:
        if self.note:
            yield Label(self.note, classes="note")
        with Horizontal(classes="toolbar"):
            yield Input(placeholder=self.placeholder, classes="entry", compact=True)
            if self.described:
                yield Input(placeholder="description (optional)", classes="entry-note", compact=True)
            yield Button(self.add_label, variant="primary", classes="add", compact=True)
            if self.described:
                yield Button("Describe", classes="describe", compact=True)
            yield Button("Remove marked", variant="error", classes="remove", compact=True)
        yield Label("", classes="field-error", markup=False)
        yield ResourceTable(self.columns, markable=True)

    def on_mount(self) -> None:
        self.query_one(".toolbar").display = not self.app.read_only

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    def set_rows(self, rows: list[Row]) -> None:
        self.table.set_rows(rows)

    def show_error(self, text: str) -> None:
        label = self.query_one(".field-error", Label)
        label.update(text)
        label.set_class(bool(text), "-shown")

    def clear_entry(self) -> None:
        for line in self.query(".entry, .entry-note"):
            line.value = ""
        self.show_error("")

    def _add(self) -> Message:
        notes = self.query(".entry-note")
        note = notes.first(Input).value.strip() if notes else ""
        return self.Add(self, self.query_one(".entry", Input).value.strip(), note)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self._add())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.has_class("add"):
            self.post_message(self._add())
        elif event.button.has_class("describe"):
            if self.table.current() is not None:
                self.post_message(self.Describe(self, self.table.current()))
        elif self.table.chosen():
            self.post_message(self.Remove(self, self.table.chosen()))
