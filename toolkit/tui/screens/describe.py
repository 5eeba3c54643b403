"""One line of description for one thing (a connection, a whitelist entry); dismisses with the text or None.

The text is checked here with the registry's own rule (one printable line, at most 512 characters, no `<`
or `>`), so a refusal shows under the input, with its rule, before anything is sent.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from toolkit.errors import ToolkitError
from toolkit.model.service import validate_description
from toolkit.tui.widgets.input_bar import error_text


class DescribeScreen(ModalScreen[str | None]):
    """What is described, the current text in an input, Save and Cancel."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, text: str, rule: str) -> None:
        super().__init__()
        self.question, self.text, self.rule = question, text, rule

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="describe"):
            yield Static(self.question, classes="question", markup=False)
            yield Input(self.text, placeholder="one line, at most 512 characters, no < or >", id="describe-text",
                        compact=True)
            yield Label("", id="describe-error", classes="field-error", markup=False)
            yield Static("Enter saves, Esc cancels.", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        if not self.app.cursor_blink:
            self.query_one(Input).cursor_blink = False
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.save() if event.button.id == "save" else self.dismiss(None)

    def save(self) -> None:
        text = self.query_one(Input).value.strip()
        try:
            validate_description(text, self.rule)
        except ToolkitError as exc:
            label = self.query_one("#describe-error", Label)
            label.update(error_text(exc))
            label.add_class("-shown")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
