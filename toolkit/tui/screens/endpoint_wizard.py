"""Create an endpoint (E1–E10): pick a service from the list or find one by name (Verify, E3), then placement."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Switch

from toolkit.errors import ToolkitError
from toolkit.model import tags as tag_rules
from toolkit.registry.endpoints import EndpointRequest
from toolkit.registry.services import FOUND, NOT_FOUND
from toolkit.tui.messages import Failed, Verified
from toolkit.tui.screens.base import BaseScreen
from toolkit.tui.screens.service_form import field, form_tail, show_field_errors
from toolkit.tui.widgets.onoff import OnOff
from toolkit.tui.widgets.service_picker import ServicePicker

FIELD_OF_RULE = {"E3": "service-name", "E2": "service-name", "E9": "service-name", "S9": "service-name",
                 "E4": "subnet", "E6": "subnet", "V2": "vpc", "S11": "vpc", "T1": "tags", "T2": "tags",
                 "T3": "tags", "E7": "form"}
NOTHING_CHOSEN = "No service chosen yet: pick one above, or find one by name and Verify."


@dataclass(frozen=True)
class WizardData:
    services: list
    """Every service the caller may list: its own and the region's cloud services (E12)."""
    vpcs: list
    subnets: list


class EndpointWizardScreen(BaseScreen):
    AREA = "New endpoint"
    AUTO_FOCUS = "#service-search"
    CHANGES = frozenset({"submit"})
    BINDINGS = [Binding("escape", "app.pop_screen", "Cancel"), Binding("ctrl+s", "submit", "Create")]

    def __init__(self) -> None:
        super().__init__()
        self.data: WizardData | None = None
        self.verified: str | None = None
        self.chosen: str | None = None
        """The stored name of the service the endpoint connects to (picked from the list, or found by name)."""
        self.chosen_type, self.chosen_by = "", ""
        self.subnet_options: list = []

    def body(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            with Horizontal(classes="field", id="pick-row"):
                yield Label("Service", classes="caption")
                yield ServicePicker(id="picker")
            with Horizontal(classes="field", id="name-row"):
                yield Label("or find by name", classes="caption")
                yield Input(compact=True, placeholder="<region>.<name>.<id>, then Verify", id="service-name")
                yield Button("Verify", id="verify", compact=True)
            yield Label("", id="verify-result", classes="field-help")
            yield Label(NOTHING_CHOSEN, id="chosen", classes="field-help", markup=False)
            yield Label("", id="service-name-error", classes="field-error", markup=False)
            yield from field("VPC", Select(compact=True, options=[], prompt="choose your VPC", id="vpc"))
            yield from field("Subnet", Select(compact=True, options=[], prompt="choose a subnet of the VPC", id="subnet"),
                             "E4: the endpoint's private ip comes from this subnet")
            yield from field("Private domain name", OnOff(value=False, id="dns"),
                             "E5: an A record from the name to the ip while the endpoint is accepted")
            yield from form_tail(self.app.read_only)

    def fetch(self):
        reg = self.app.registry
        return WizardData(reg.list_services(), reg.list_vpcs(), reg.list_subnets())

    def show(self, data: WizardData) -> None:
        first = self.data is None
        self.data = data
        self.query_one(ServicePicker).set_services(data.services)
        if first:
            self.query_one("#vpc", Select).set_options([(f"{v.name}  {v.cidr}", v.id) for v in data.vpcs])
        self._fill_subnets()

    # -- the service: picked from the list, or found by name (E3) -------------------------------
    def on_service_picker_picked(self, message: ServicePicker.Picked) -> None:
        message.stop()
        self.choose(message.service.service_name, str(message.service.service_type), "list")
        self.query_one("#service-name", Input).value = ""
        self.query_one("#vpc", Select).focus()

    def choose(self, name: str | None, service_type: str = "", how: str = "") -> None:
        self.chosen, self.chosen_type, self.chosen_by = name, service_type, how
        self.query_one("#chosen", Label).update(f"Connects to {name} ({service_type})" if name else NOTHING_CHOSEN)
        self._fill_subnets()

    # -- reacting to choices ----------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "vpc":
            self._fill_subnets()

    def _gateway(self) -> bool:
        return self.chosen is not None and self.chosen_type == "gateway"

    def _fill_subnets(self) -> None:
        if self.data is None:
            return
        vpc = self.query_one("#vpc", Select).value
        subnet = self.query_one("#subnet", Select)
        options = [(f"{s.name}  {s.cidr}", s.id) for s in self.data.subnets if s.vpc_id == vpc]
        if options != self.subnet_options:
            self.subnet_options = options
            subnet.set_options(options)
            if len(options) == 1:
                subnet.value = options[0][1]
        gateway = self._gateway()
        subnet.disabled = gateway
        self.query_one("#dns", Switch).disabled = gateway

    # -- Verify (E3) ---------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "service-name":
            self.verified = None
            if event.value or self.chosen_by == "name":
                self.choose(None)
            result = self.query_one("#verify-result", Label)
            result.update("")
            result.remove_class("found", "missing")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "service-name":
            event.stop()
            self.verify(event.value.strip())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "verify":
            self.verify(self.query_one("#service-name", Input).value.strip())
        elif event.button.id == "cancel":
            self.app.pop_screen()
        else:
            self.action_submit()

    @work(thread=True, exclusive=True, exit_on_error=False, group="verify")
    def verify(self, name: str) -> None:
        try:
            self.post_message(Verified(name, bool(name) and self.app.registry.verify_service(name)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(Failed(exc, "verify the service name"))

    def on_verified(self, message: Verified) -> None:
        result = self.query_one("#verify-result", Label)
        result.update(FOUND if message.found else NOT_FOUND)
        result.set_class(message.found, "found")
        result.set_class(not message.found, "missing")
        self.verified = message.name if message.found else None
        if message.found:
            listed = {s.service_name: s for s in (self.data.services if self.data else [])}
            known = listed.get(message.name)
            self.choose(message.name, str(known.service_type) if known else "interface", "name")

    # -- create ------------------------------------------------------------------------
    def _service_error(self) -> ToolkitError:
        if self.query_one("#service-name", Input).value.strip():
            return ToolkitError("verify the service name first", rule="E3",
                                fix="press Verify: it must answer \"Service name found.\"")
        return ToolkitError("choose a service", rule="E3",
                            fix="pick one from the list, or type its stored name and press Verify")

    def collect(self) -> tuple[EndpointRequest | None, dict]:
        errors: dict = {}
        service = self.chosen
        if service is None:
            errors["service-name"] = self._service_error()
        vpc = self.query_one("#vpc", Select).value
        if vpc is Select.NULL:
            errors["vpc"] = ToolkitError("choose a VPC", rule="E4", fix="create one with `vpcep vpc create`")
        subnet = self.query_one("#subnet", Select).value
        gateway = self._gateway()
        try:
            tags = tag_rules.make_tags([tag_rules.parse_tag(t) for t in
                                        self.query_one("#tags", Input).value.split()])
        except ToolkitError as exc:
            errors["tags"], tags = exc, ()
        if errors:
            return None, errors
        return EndpointRequest(service=service, vpc=vpc, subnet=None if gateway or subnet is Select.NULL else subnet,
                               enable_dns=not gateway and self.query_one("#dns", Switch).value, tags=tuple(tags),
                               description=self.query_one("#description", Input).value.strip()), {}

    def show_errors(self, errors: dict) -> None:
        show_field_errors(self, errors)

    def action_submit(self) -> None:
        request, errors = self.collect()
        self.show_errors(errors)
        if request is not None:
            self.change("create the endpoint", self.app.registry.create_endpoint, request)

    def on_changed(self, message) -> None:
        message.stop()
        message.prevent_default()  # BaseScreen's handler would toast a second time
        endpoint = message.result
        self.notify(f"created {endpoint.id}: {endpoint.status}", title="Endpoint created")
        self.app.pop_screen()

    def on_failed(self, message) -> None:
        key = FIELD_OF_RULE.get(getattr(message.error, "rule", ""))
        if key and message.label != "load":
            message.stop()
            message.prevent_default()  # under the field only, not also in the error dialog
            self.show_errors({key: message.error})
        else:
            super().on_failed(message)
