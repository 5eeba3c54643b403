"""Shows a refused or failed call: what happened, the rule it enforces, and the fix."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from toolkit.errors import ToolkitError


class ErrorScreen(ModalScreen[None]):
    """The error modal; escape, enter or OK closes it."""

    BINDINGS = [Binding("escape,enter", "close", "Close")]

    def __init__(self, error: BaseException, action: str = "") -> None:
        super().__init__()
        self.error, self.action = error, action

    def compose(self) -> ComposeResult:
        error = self.error
        ours = isinstance(error, ToolkitError)
        with Vertical(id="dialog", classes="error"):
            yield Static(f"Could not {self.action}" if self.action and self.action != "load" else "Refused",
                         classes="question")
            text = error.message if ours else f"{type(error).__name__}: {error}"
            yield Static(text, id="error-message", markup=False)  # a cloud's message may hold [S10]
            yield Label(f"Rule: {error.rule}" if ours and error.rule else "Rule: -", id="error-rule")
            yield Static(f"Fix: {error.fix}" if ours and error.fix else "Fix: -", id="error-fix", markup=False)
            yield Button("OK", variant="primary", id="ok")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
