"""Modify an own endpoint's whitelist (E10): the addresses that may use it, and the switch that enables it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Label

from toolkit.errors import ToolkitError
from toolkit.registry.endpoints import checked_whitelist
from toolkit.tui.screens.base import BaseScreen
from toolkit.tui.screens.service_form import field, show_field_errors
from toolkit.tui.screens.service_modify import save_buttons
from toolkit.tui.widgets.lines_input import LinesInput
from toolkit.tui.widgets.onoff import OnOff


class EndpointModifyScreen(BaseScreen):
    """The endpoint is given (loaded by the detail screen), so the fields open pre-filled."""

    AREA = "Modify whitelist"
    CHANGES = frozenset({"submit"})
    AUTO_FOCUS = "#whitelist"
    BINDINGS = [Binding("escape", "back", "Cancel"), Binding("ctrl+s", "submit", "Save")]

    def __init__(self, endpoint) -> None:
        super().__init__()
        self.endpoint = endpoint

    def body(self) -> ComposeResult:
        e = self.endpoint
        with VerticalScroll(classes="form"):
            yield Label(f"Endpoint {e.id} ({e.endpoint_service_name})", classes="intro", markup=False)
            yield from field("Whitelist", LinesInput("\n".join(e.whitelist), id="whitelist"),
                             "E10: IPv4 addresses or CIDRs, one a line or separated by spaces")
            yield from field("Enable whitelist", OnOff(value=e.enable_whitelist, id="enable"),
                             "E10: On, only these addresses may use the endpoint; Off keeps the list unused")
            yield from save_buttons(self.app.read_only)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_back() if event.button.id == "cancel" else self.action_submit()

    def action_submit(self) -> None:
        entries = self.query_one("#whitelist", LinesInput).entries()
        enable = self.query_one("#enable", OnOff).value
        try:
            checked_whitelist(entries)
        except ToolkitError as exc:
            show_field_errors(self, {"whitelist": exc})
            return
        show_field_errors(self, {})
        self.change("modify the whitelist", self.app.registry.update_endpoint, self.endpoint.id,
                    whitelist=entries, enable_whitelist=enable)

    def after_change(self, message) -> None:
        e = message.result
        state = f"on: {', '.join(e.whitelist)}" if e.enable_whitelist else "off"
        self.notify(f"endpoint {e.id}: whitelist {state}", title="Whitelist saved")
        self.app.pop_screen()

    def show_failure(self, message) -> None:
        if getattr(message.error, "rule", "") == "E10" and message.label != "load":
            show_field_errors(self, {"whitelist": message.error})
        else:
            super().show_failure(message)
