"""A few lines of text with a `value` (entries one a line, or space-separated): the endpoint whitelist."""

from __future__ import annotations

from textual.widgets import TextArea


class LinesInput(TextArea):
    """A compact TextArea whose `value` is its text, so the unsaved-input question sees it like an Input."""

    DEFAULT_CSS = """
    LinesInput { height: 4; width: 1fr; }
    """

    def __init__(self, value: str = "", **kwargs) -> None:
        super().__init__(value, compact=True, soft_wrap=True, tab_behavior="focus", highlight_cursor_line=False,
                         **kwargs)

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.text = text

    def entries(self) -> list[str]:
        """Every entry: lines and spaces (and commas) separate them."""
        return self.text.replace(",", " ").split()
