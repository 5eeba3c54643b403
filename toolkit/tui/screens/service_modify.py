"""Modify an own service (issue 9): its name, description and approval; the port mappings stay as created (S6)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label

from toolkit.errors import ToolkitError
from toolkit.model import service as service_rules
from toolkit.tui.screens.base import BaseScreen
from toolkit.tui.screens.service_form import field, show_field_errors
from toolkit.tui.widgets.onoff import OnOff

FIELD_OF_RULE = {"S5": "name", "S4": "description", "S2": "form"}
S6 = "S6: mappings cannot be changed after creation."


def save_buttons(read_only: bool) -> ComposeResult:
    """The form's own error line, then Save and Cancel."""
    yield Label("", id="form-error", classes="field-error", markup=False)
    with Horizontal(classes="form-buttons"):
        yield Button("Save", variant="primary", id="save", disabled=read_only)
        yield Button("Cancel", id="cancel")


class ServiceModifyScreen(BaseScreen):
    """The service is given (already loaded by the detail screen), so the fields open pre-filled."""

    AREA = "Modify service"
    CHANGES = frozenset({"submit"})
    AUTO_FOCUS = "#name"
    BINDINGS = [Binding("escape", "back", "Cancel"), Binding("ctrl+s", "submit", "Save")]

    def __init__(self, service) -> None:
        super().__init__()
        self.service = service

    def body(self) -> ComposeResult:
        s = self.service
        with VerticalScroll(classes="form"):
            yield Label(f"Service {s.service_name}", classes="intro")
            yield from field("Name", Input(s.short_name, compact=True, placeholder="up to 16 letters, digits, _ or -",
                                           id="name"), "S5: stored as <region>.<name>.<id>; its endpoints show it too")
            yield from field("Description", Input(s.description, compact=True, id="description"))
            yield from field("Approval", OnOff(value=s.approval_enabled, id="approval"),
                             "S12: On, new connections wait until accepted; Off leaves waiting ones pending")
            ports = ", ".join(f"{p.server_port}→{p.client_port}/{p.protocol}" for p in s.ports) or "-"
            yield from field("Ports (read-only)", Label(ports, id="ports", markup=False), S6)
            yield from save_buttons(self.app.read_only)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_back() if event.button.id == "cancel" else self.action_submit()

    def changes(self) -> tuple[dict, dict]:
        """The update_service arguments (only what differs from the service) and the errors per field id."""
        s, errors, args = self.service, {}, {}
        name = self.query_one("#name", Input).value.strip()
        description = self.query_one("#description", Input).value.strip()
        approval = self.query_one("#approval", OnOff).value
        if name != s.short_name:
            args["name"] = name
            _check(errors, "name", lambda: service_rules.validate_short_name(name))
        if description != s.description:
            args["description"] = description
            _check(errors, "description", lambda: service_rules.validate_description(description, "S4"))
        if approval != s.approval_enabled:
            args["approval"] = approval
        return args, errors

    def action_submit(self) -> None:
        args, errors = self.changes()
        show_field_errors(self, errors)
        if errors:
            return
        if not args:
            self.notify("nothing changed", title="Modify service")
            self.app.pop_screen()
            return
        self.change("modify the service", self.app.registry.update_service, self.service.id, **args)

    def after_change(self, message) -> None:
        service, warnings = message.result
        self.notify(f"saved {service.service_name}", title="Service modified")
        for warning in warnings:
            self.notify(warning, title="Still pending", severity="warning", timeout=12)
        self.app.pop_screen()

    def show_failure(self, message) -> None:
        key = FIELD_OF_RULE.get(getattr(message.error, "rule", ""))
        if key and message.label != "load":
            show_field_errors(self, {key: message.error})
        else:
            super().show_failure(message)


def _check(errors: dict, key: str, check) -> None:
    try:
        check()
    except ToolkitError as exc:
        errors[key] = exc
