"""Create an interface service (S3–S8, T1–T3): each field says what is wrong with it, by rule ID."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select

from toolkit.errors import ToolkitError
from toolkit.model import service as service_rules
from toolkit.model import tags as tag_rules
from toolkit.tui.screens.base import BaseScreen
from toolkit.tui.widgets.onoff import OnOff

FIELD_OF_RULE = {"S5": "name", "S4": "backend", "S7": "port-id", "S6": "ports", "T1": "tags", "T2": "tags",
                 "T3": "tags", "V2": "vpc", "V3": "vpc", "S11": "vpc", "S8": "form"}


def field(caption: str, widget, help_: str = "") -> ComposeResult:
    """A captioned input with its error line (and an optional help line)."""
    with Horizontal(classes="field"):
        yield Label(caption, classes="caption")
        yield widget
    if help_:
        yield Label(help_, classes="field-help")
    yield Label("", id=f"{widget.id}-error", classes="field-error", markup=False)


def form_tail(read_only: bool) -> ComposeResult:
    """What every create form ends with: tags, description, the form's own error line, Create and Cancel."""
    yield from field("Tags", Input(compact=True, placeholder="key=value ...", id="tags"))
    yield from field("Description", Input(compact=True, id="description"))
    yield Label("", id="form-error", classes="field-error", markup=False)
    with Horizontal(classes="form-buttons"):
        yield Button("Create", variant="primary", id="create", disabled=read_only)
        yield Button("Cancel", id="cancel")


def show_field_errors(screen, errors: dict) -> None:
    """Each error under its field: message, [rule] and fix; the other fields' lines cleared."""
    for label in screen.query(".field-error"):
        label.update("")
        label.remove_class("-shown")
    for key, exc in errors.items():
        label = screen.query_one(f"#{key}-error", Label)
        label.update(f"{exc.message} [{exc.rule}]" + (f" — {exc.fix}" if exc.fix else ""))
        label.add_class("-shown")


class ServiceFormScreen(BaseScreen):
    AREA = "New service"
    CHANGES = frozenset({"submit"})
    AUTO_FOCUS = "#name"
    BINDINGS = [Binding("escape", "back", "Cancel"), Binding("ctrl+s", "submit", "Create")]

    def body(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield from field("Name", Input(compact=True, placeholder="up to 16 letters, digits, _ or -", id="name"),
                             "S5: stored as <region>.<name>.<id>; leave empty for <region>.<id>")
            yield from field("VPC", Select(compact=True, options=[], prompt="choose the backend's VPC", id="vpc"))
            yield from field("Backend", Select(compact=True, options=[("LB — elastic load balancer", "LB"), ("VM — ECS", "VM"),
                                                ("BMS (deprecated)", "BMS")], value="LB", id="backend"))
            yield from field("Backend port id", Input(compact=True, placeholder="the one LB or VM port (S7)", id="port-id"))
            yield from field("Port mappings", Input(compact=True, placeholder="SERVICE:TERMINAL ..., e.g. 8080:80 8443:443",
                                                    id="ports"),
                             "S6: Service Port:Terminal Port, TCP, 1–50 mappings, Terminal Ports unique")
            yield from field("Approval", OnOff(value=False, id="approval"),
                             "S12: On, connections wait in Approvals until accepted (Space toggles)")
            yield from form_tail(self.app.read_only)

    def fetch(self):
        return self.app.registry.list_vpcs()

    def show(self, vpcs) -> None:
        select = self.query_one("#vpc", Select)
        current = select.value
        select.set_options([(f"{v.name}  {v.cidr}", v.name) for v in vpcs])
        if current in [v.name for v in vpcs]:
            select.value = current

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.action_back()
        else:
            self.action_submit()

    # -- validation per field (the model's rules, not the form's) -----------------
    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _checked(self, errors: dict, key: str, check):
        try:
            return check()
        except ToolkitError as exc:
            errors[key] = exc
            return None

    def collect(self) -> tuple[dict, dict]:
        """The create_service arguments, and the errors per field id."""
        errors: dict = {}
        name = self._value("name")
        if name:
            self._checked(errors, "name", lambda: service_rules.validate_short_name(name))
        vpc = self.query_one("#vpc", Select).value
        if vpc is Select.NULL:
            errors["vpc"] = ToolkitError("choose a VPC", rule="V2", fix="create one with `vpcep vpc create`")
        backend = str(self.query_one("#backend", Select).value)
        port_id = self._checked(errors, "port-id", lambda: service_rules.validate_port_id(self._value("port-id")))
        ports = self._checked(errors, "ports", lambda: service_rules.validate_ports(
            [service_rules.parse_port(p) for p in self._value("ports").replace(",", " ").split()]))
        tags = self._checked(errors, "tags", lambda: tag_rules.make_tags(
            [tag_rules.parse_tag(t) for t in self._value("tags").split()]))
        args = dict(vpc=vpc, server_type=backend, port_id=port_id, ports=list(ports or ()), name=name or None,
                    approval=self.query_one("#approval", OnOff).value, tags=list(tags or ()),
                    description=self._value("description"))
        return args, errors

    def show_errors(self, errors: dict) -> None:
        show_field_errors(self, errors)

    def action_submit(self) -> None:
        args, errors = self.collect()
        self.show_errors(errors)
        if not errors:
            self.change("create the service", self.app.registry.create_service, **args)

    def after_change(self, message) -> None:
        service, warnings = message.result
        self.notify(f"created {service.service_name}" + "".join(f"\n{w}" for w in warnings), title="Service created")
        self.app.pop_screen()

    def show_failure(self, message) -> None:
        error = message.error
        key = FIELD_OF_RULE.get(getattr(error, "rule", ""))
        if key and message.label != "load":
            self.show_errors({key: error})
        else:
            super().show_failure(message)
