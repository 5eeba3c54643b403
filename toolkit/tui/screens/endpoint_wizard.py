"""Create an endpoint (E1–E10): pick a cloud service or find one by name (Verify, E3), then placement."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, Switch

from toolkit.errors import ToolkitError
from toolkit.model import tags as tag_rules
from toolkit.registry.endpoints import EndpointRequest
from toolkit.registry.services import FOUND, NOT_FOUND
from toolkit.tui.messages import Failed, Verified
from toolkit.tui.screens.base import BaseScreen
from toolkit.tui.screens.service_form import field, form_tail, show_field_errors
from toolkit.tui.widgets.onoff import OnOff

FIELD_OF_RULE = {"E3": "service-name", "E2": "service-name", "E9": "service-name", "S9": "service-name",
                 "E4": "subnet", "E6": "subnet", "V2": "vpc", "S11": "vpc", "T1": "tags", "T2": "tags",
                 "T3": "tags", "E7": "form"}


@dataclass(frozen=True)
class WizardData:
    cloud: list
    vpcs: list
    subnets: list


class EndpointWizardScreen(BaseScreen):
    AREA = "New endpoint"
    CHANGES = frozenset({"submit"})
    BINDINGS = [Binding("escape", "app.pop_screen", "Cancel"), Binding("ctrl+s", "submit", "Create")]

    def __init__(self) -> None:
        super().__init__()
        self.data: WizardData | None = None
        self.verified: str | None = None
        self.subnet_options: list = []

    def body(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            with RadioSet(id="source"):
                yield RadioButton("Cloud services", value=True, id="from-cloud")
                yield RadioButton("Find a service by name", id="from-name")
            with Vertical(id="cloud-pick"):
                yield from field("Cloud service", Select(compact=True, options=[], prompt="choose a cloud service", id="cloud"))
            with Vertical(id="name-pick"):
                with Horizontal(classes="field"):
                    yield Label("Service name", classes="caption")
                    yield Input(compact=True, placeholder="<region>.<name>.<id>", id="service-name")
                    yield Button("Verify", id="verify", compact=True)
                yield Label("", id="verify-result", classes="field-help")
                yield Label("", id="service-name-error", classes="field-error", markup=False)
            yield from field("VPC", Select(compact=True, options=[], prompt="choose your VPC", id="vpc"))
            yield from field("Subnet", Select(compact=True, options=[], prompt="choose a subnet of the VPC", id="subnet"),
                             "E4: the endpoint's private ip comes from this subnet")
            yield from field("Private domain name", OnOff(value=False, id="dns"),
                             "E5: an A record from the name to the ip while the endpoint is accepted")
            yield from form_tail(self.app.read_only)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#name-pick").display = False

    def fetch(self):
        reg = self.app.registry
        return WizardData([s for s in reg.list_services() if s.builtin], reg.list_vpcs(), reg.list_subnets())

    def show(self, data: WizardData) -> None:
        first = self.data is None
        self.data = data
        if first:
            self.query_one("#cloud", Select).set_options(
                [(f"{s.short_name} — {s.service_type} ({s.description})", s.service_name) for s in data.cloud])
            self.query_one("#vpc", Select).set_options([(f"{v.name}  {v.cidr}", v.id) for v in data.vpcs])
        self._fill_subnets()

    # -- reacting to choices ----------------------------------------------------------
    def by_name(self) -> bool:
        return self.query_one("#from-name", RadioButton).value

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.query_one("#cloud-pick").display = not self.by_name()
        self.query_one("#name-pick").display = self.by_name()
        self._fill_subnets()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("vpc", "cloud"):
            self._fill_subnets()

    def _gateway(self) -> bool:
        chosen = self.query_one("#cloud", Select).value
        return not self.by_name() and any(s.service_name == chosen and str(s.service_type) == "gateway"
                                          for s in (self.data.cloud if self.data else []))

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

    # -- create ------------------------------------------------------------------------
    def collect(self) -> tuple[EndpointRequest | None, dict]:
        errors: dict = {}
        if self.by_name():
            service = self.query_one("#service-name", Input).value.strip()
            if not service or service != self.verified:
                errors["service-name"] = ToolkitError("verify the service name first", rule="E3",
                                                      fix="press Verify: it must answer \"Service name found.\"")
        else:
            service = self.query_one("#cloud", Select).value
            if service is Select.NULL:
                errors["cloud"] = ToolkitError("choose a cloud service", rule="S2")
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
            if key == "service-name" and not self.by_name():
                key = "cloud"
            self.show_errors({key: message.error})
        else:
            super().on_failed(message)
