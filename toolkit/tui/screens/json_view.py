"""`v`: one resource's JSON, read-only, with save-to-file (asks before overwriting)."""

from __future__ import annotations

import json
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from toolkit.tui.screens.confirm import ConfirmScreen


def as_json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def default_path(what: str) -> str:
    """`<what>.json` in the working directory, with characters a file name should not carry replaced."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in what).strip("-.") or "resource"
    return f"{safe[:80]}.json"


def write_json(path: Path, text: str) -> Path:
    """Write `text` to `path` (its folder must exist); returns the absolute path written."""
    path = path.expanduser().resolve()
    path.write_text(text, encoding="utf-8")
    return path


class JsonViewScreen(ModalScreen[None]):
    """The JSON as the API shapes it; a path line and Save; escape closes."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, what: str, data) -> None:
        super().__init__()
        self.what, self.text = what, as_json(data)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="json-view"):
            yield Label(f"JSON of {self.what}", classes="question", markup=False)
            yield TextArea(self.text, read_only=True, show_line_numbers=False, soft_wrap=False, id="json-text")
            with Horizontal(classes="save-bar"):
                yield Label("Save to ", classes="caption")
                yield Input(default_path(self.what), placeholder="a file path", id="json-path", compact=True)
                yield Button("Save", variant="primary", id="save", compact=True)
            yield Label("", id="json-saved", markup=False)

    def on_mount(self) -> None:
        area = self.query_one("#json-text", TextArea)
        area.cursor_blink = self.app.cursor_blink
        self.query_one("#json-path", Input).cursor_blink = self.app.cursor_blink
        area.focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        text = self.query_one("#json-path", Input).value.strip()
        if not text:
            self.report("give a file path to save to", error=True)
            return
        path = Path(text).expanduser()
        if path.is_dir():
            self.report(f"{path} is a folder: give a file name", error=True)
        elif path.exists():
            self.app.push_screen(ConfirmScreen(f"Overwrite {path}?", "The file exists; its content is replaced.",
                                               yes="Overwrite"), lambda yes: yes and self.save_to(path))
        else:
            self.save_to(path)

    def save_to(self, path: Path) -> None:
        try:
            written = write_json(path, self.text)
        except OSError as exc:
            self.report(f"could not write {path}: {exc.strerror or exc}", error=True)
            return
        self.report(f"saved to {written}")

    def report(self, text: str, error: bool = False) -> None:
        label = self.query_one("#json-saved", Label)
        label.update(text)
        label.set_class(error, "failed")
