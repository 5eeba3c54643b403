"""`?`: the keys of the screen underneath, as a modal list."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

LIST_KEYS = [("j / k", "Lists: down / up a row"), ("g / G, home / end", "Lists: first / last row"),
             ("v", "Lists: the row's JSON, read-only, with save to a file")]
"""Keys every list and table takes (hidden from the footer)."""
GUIDE = ("Endpoints expose one service, tolerate overlapping CIDRs and need no VPC route changes; "
         "traffic only flows endpoint → service. Peering exposes whole VPCs and needs routes on both sides.")


class HelpScreen(ModalScreen[None]):
    """Lists (key, action) pairs handed down by the app."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, area: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.area, self.keys = area, keys

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help"):
            yield Label(f"Keys — {self.area}", classes="question")
            yield DataTable(cursor_type="none", show_header=False, id="keys")
            yield Static(GUIDE, classes="explanation")

    def on_mount(self) -> None:
        table = self.query_one("#keys", DataTable)
        table.add_columns("key", "action")
        shown = {key for key, _ in self.keys}
        table.add_rows(self.keys + [pair for pair in LIST_KEYS if pair[0] not in shown])

    def action_close(self) -> None:
        self.dismiss(None)
