"""`f` on an endpoint with several failed steps: which step's fix to go to."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class FixPickerScreen(ModalScreen):
    """One line per failed step: `[rule] step — where it goes`; enter goes, escape stays."""

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, what: str, choices: list[tuple[str, object]]) -> None:
        """`choices`: (line, jump) pairs, in path order."""
        super().__init__()
        self.what, self.choices = what, choices

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="fix-picker"):
            yield Label(f"Go to the fix — {self.what}", classes="question", markup=False)
            yield OptionList(*[Option(Text(line), id=str(i)) for i, (line, _) in enumerate(self.choices)], id="fix-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id)][1])

    def action_close(self) -> None:
        self.dismiss(None)
