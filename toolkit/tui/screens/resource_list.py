"""An area listing one kind of resource: enter opens its detail, n creates one, d deletes one after asking."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable

from toolkit.tui.screens.base import AreaScreen


class ResourceListScreen(AreaScreen):
    """Subclasses say which screens open and what a deletion asks and calls."""

    CHANGES = frozenset({"new", "delete"})
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("n", "new", "New"),
        Binding("d", "delete", "Delete"),
    ]

    def detail_screen(self, row):
        raise NotImplementedError

    def new_screen(self):
        raise NotImplementedError

    def deletion(self, row) -> tuple[str, str, str, object, object]:
        """(what the change is called, the question, why to think twice, the registry call, its argument)."""
        raise NotImplementedError

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self.table.current()
        if row is not None:
            self.app.push_screen(self.detail_screen(row))

    def action_new(self) -> None:
        self.app.push_screen(self.new_screen())

    def action_delete(self) -> None:
        row = self.table.current()
        if row is None:
            return
        label, question, explanation, call, argument = self.deletion(row)
        self.ask_then_change(question, explanation, "Delete", label, call, argument)
