"""Asks before a destructive action; dismisses with True (go ahead) or False.

The answers are the two buttons and nothing else: no hidden letter answers (on a list `y` copies JSON, so
`d` `y` must never delete). Focus starts on Cancel; Tab or ←/→ moves to the other button, Enter presses it,
Esc cancels.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """A question naming what will change, what it means (the rule), and two labelled buttons."""

    BINDINGS = [Binding("escape", "answer(False)", "Cancel"),
                Binding("left,right", "other_button", "Other answer", show=False)]
    AUTO_FOCUS = "#no"
    """Focus starts on the safe answer (set as the screen is shown: no later focus to race the first keys)."""

    def __init__(self, question: str, explanation: str = "", yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__()
        self.question, self.explanation, self.yes, self.no = question, explanation, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm"):
            yield Static(self.question, classes="question", markup=False)
            if self.explanation:
                with VerticalScroll(classes="explanation-box", can_focus=False):
                    yield Static(self.explanation, classes="explanation", markup=False)
            yield Static("Tab or ←/→ picks an answer, Enter gives it, Esc cancels.", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button(f"{self.no} (Esc)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def action_other_button(self) -> None:
        yes, no = self.query_one("#yes", Button), self.query_one("#no", Button)
        self.set_focus(no if yes.has_focus else yes)  # at once: an Enter right after must press this one
