"""The top bar: product, area, acting account, approvals waiting, read-only badge, busy spinner."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label


class StatusHeader(Horizontal):
    """Shows the app's `pending`, `read_only` and `busy` (watched on the app) for one area title."""

    def __init__(self, area: str) -> None:
        super().__init__()
        self.area = area

    def compose(self) -> ComposeResult:
        yield Label("vpcep", id="brand")
        yield Label(self.area, id="area")
        yield Label("", id="account")
        yield Label("", id="busy")
        yield Label("", id="pending")
        yield Label("READ-ONLY", id="read-only")

    def on_mount(self) -> None:
        self.query_one("#account", Label).update(f"account {self.app.account}")
        self.watch(self.app, "pending", self._show_pending)
        self.watch(self.app, "busy", self._show_busy)
        self.query_one("#read-only").display = bool(self.app.read_only)

    def _show_pending(self, pending: int) -> None:
        label = self.query_one("#pending", Label)
        label.update(f"{pending} awaiting approval" if pending else "no approvals waiting")
        label.set_class(bool(pending), "waiting")

    def _show_busy(self, busy: int) -> None:
        self.query_one("#busy", Label).update("working…" if busy else "")
