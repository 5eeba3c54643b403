"""The `/` filter line: keywords match any column, `key=value` words match tags (E12)."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    """Hidden until `/`; posts Query on every keystroke and Done on enter or escape."""

    BINDINGS = [Binding("escape", "close", "Close filter", show=False)]

    class Query(Message):
        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    class Done(Message):
        def __init__(self, cleared: bool) -> None:
            self.cleared = cleared
            super().__init__()

    def __init__(self) -> None:
        super().__init__(placeholder="filter: words match any column, key=value matches a tag", id="filter")

    def open(self) -> None:
        self.display = True
        self.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Query(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.display = bool(self.value)
        self.post_message(self.Done(cleared=False))

    def action_close(self) -> None:
        self.value = ""
        self.display = False
        self.post_message(self.Query(""))
        self.post_message(self.Done(cleared=True))
