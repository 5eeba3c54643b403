"""A table with an add line and a remove button: tags, whitelist entries, backend rules."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label

from toolkit.tui.widgets.resource_table import ResourceTable, Row


class EditableTable(Vertical):
    """Rows down through `set_rows`; the user's edits up as Add(text) and Remove(rows)."""

    class Add(Message):
        def __init__(self, panel: "EditableTable", text: str) -> None:
            self.panel, self.text = panel, text
            super().__init__()

    class Remove(Message):
        def __init__(self, panel: "EditableTable", rows: list[Row]) -> None:
            self.panel, self.rows = panel, rows
            super().__init__()

    def __init__(self, columns: list[str], placeholder: str, *, add: str = "Add", note: str = "",
                 what: str = "entry", id: str | None = None) -> None:
        super().__init__(id=id, classes="editable")
        self.columns, self.placeholder, self.add_label, self.note = columns, placeholder, add, note
        self.what = what
        """What one row is ("tag", "whitelist entry"): confirmations and the unsaved-input question name it."""

    def compose(self) -> ComposeResult:
        if self.note:
            yield Label(self.note, classes="note")
        with Horizontal(classes="toolbar"):
            yield Input(placeholder=self.placeholder, classes="entry", compact=True)
            yield Button(self.add_label, variant="primary", classes="add", compact=True)
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
        self.query_one(".entry", Input).value = ""
        self.show_error("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Add(self, event.value.strip()))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.has_class("add"):
            self.post_message(self.Add(self, self.query_one(".entry", Input).value.strip()))
        elif self.table.chosen():
            self.post_message(self.Remove(self, self.table.chosen()))
