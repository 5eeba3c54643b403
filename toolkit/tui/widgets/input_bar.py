"""A row of captioned inputs (what a CLI run takes as flags) with one error line under it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label


@dataclass(frozen=True)
class Spec:
    """One input: its id, caption, placeholder and first value."""

    id: str
    caption: str
    placeholder: str = ""
    value: str = ""


class InputBar(Vertical):
    """Values down through `set_value`; Enter in any input or the button posts Submitted(values)."""

    class Submitted(Message):
        def __init__(self, bar: "InputBar", values: dict[str, str]) -> None:
            self.bar, self.values = bar, values
            super().__init__()

    def __init__(self, specs: list[Spec], button: str, **kwargs) -> None:
        super().__init__(classes="input-bar", **kwargs)
        self.specs, self.button = specs, button

    def compose(self) -> ComposeResult:
        with Horizontal(classes="toolbar"):
            for spec in self.specs:
                yield Label(spec.caption, classes="caption")
                yield Input(spec.value, placeholder=spec.placeholder, id=spec.id, compact=True)
            yield Button(self.button, id=f"{self.id}-go", compact=True)
        yield Label("", classes="field-error", markup=False)

    def values(self) -> dict[str, str]:
        return {spec.id: self.query_one(f"#{spec.id}", Input).value.strip() for spec in self.specs}

    def set_value(self, field: str, value: str) -> None:
        self.query_one(f"#{field}", Input).value = value

    def focus_first(self) -> None:
        """At once, not after the queued events: keys typed right after `i` land in the input."""
        self.screen.set_focus(self.query_one(f"#{self.specs[0].id}", Input))

    def show_error(self, exc: BaseException | None, field: str | None = None) -> None:
        """The error under the bar, `[rule]` and fix included; None clears it. Focus goes to the bad input."""
        label = self.query_one(".field-error", Label)
        text = "" if exc is None else error_text(exc)
        label.update(text)
        label.set_class(bool(text), "-shown")
        if field:
            self.query_one(f"#{field}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(self, self.values()))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Submitted(self, self.values()))


def error_text(exc: BaseException) -> str:
    """`message [rule] — fix` of an error, as every field's error line shows it."""
    message, rule, fix = getattr(exc, "message", str(exc)), getattr(exc, "rule", ""), getattr(exc, "fix", "")
    return f"{message}" + (f" [{rule}]" if rule else "") + (f" — {fix}" if fix else "")
