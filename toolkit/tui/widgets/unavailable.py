"""A panel for an area whose backing module has not landed yet: what it will show, what to run now."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static


class Unavailable(Vertical):
    """Names the missing module, what the area will do, and the CLI commands that exist today."""

    def __init__(self, module: str, purpose: str, commands: list[str], **kwargs) -> None:
        super().__init__(classes="unavailable", **kwargs)
        self.module, self.purpose, self.commands = module, purpose, commands

    def compose(self) -> ComposeResult:
        yield Label(f"Not available yet: {self.module} is not installed in this build.", classes="title")
        yield Static(self.purpose, classes="purpose")
        if self.commands:
            yield Label("Meanwhile:", classes="subtitle")
            yield Static("\n".join(f"  {command}" for command in self.commands), classes="commands")
