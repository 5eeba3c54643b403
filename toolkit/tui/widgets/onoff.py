"""A switch that says what it is: `On` or `Off` in text, not only a slider's position or colour."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Switch


class OnOff(Switch):
    """A Switch (same `value`, Changed message, space/enter/click to toggle) drawn as `[x] On` / `[ ] Off`."""

    DEFAULT_CSS = """
    OnOff {
        border: none;
        padding: 0 1;
        height: 1;
        width: auto;
        min-width: 10;
        background: $panel;
        color: $text-muted;
        &.-on { color: $text-success; text-style: bold; }
        &:focus { border: none; background: $accent; color: $text; text-style: bold; }
        &:hover { border: none; }
        &:disabled { color: $text-disabled; }
    }
    """

    def __init__(self, value: bool = False, **kwargs) -> None:
        super().__init__(value, animate=False, **kwargs)

    def render(self) -> Text:
        return Text("[x] On" if self.value else "[ ] Off", no_wrap=True, end="")

    def get_content_width(self, container, viewport) -> int:
        return 7
