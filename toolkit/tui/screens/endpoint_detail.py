"""One endpoint (E13): service name, ip, private domain names, status, vpc, subnet, access, tags."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label

from toolkit.errors import NotFound, ToolkitError
from toolkit.model.tags import parse_tag
from toolkit.tui.rows import short_time, status
from toolkit.tui.screens.base import BaseScreen, named
from toolkit.tui.screens.endpoints import E11
from toolkit.tui.widgets.editable_table import EditableTable
from toolkit.tui.widgets.field_list import FieldList
from toolkit.tui.widgets.resource_table import Row


@dataclass(frozen=True)
class EndpointView:
    endpoint: object
    vpc: str
    subnet: str
    client_ports: list


def endpoint_view(reg, endpoint_id: str) -> EndpointView:
    endpoint = reg.get_endpoint(endpoint_id)
    vpcs = {v.id: v.name for v in reg.list_vpcs()}
    subnets = {s.id: f"{s.name} ({s.cidr})" for s in reg.list_subnets()}
    try:
        ports = [p.client_port for p in reg.get_service(endpoint.endpoint_service_id).ports]
    except NotFound:
        ports = []
    return EndpointView(endpoint, vpcs.get(endpoint.vpc_id, endpoint.vpc_id),
                        subnets.get(endpoint.subnet_id, endpoint.subnet_id or "-"), ports)


class EndpointDetailScreen(BaseScreen):
    AREA = "Endpoint"
    DETAIL = True
    AUTO_FOCUS = "#tag-table ResourceTable"
    CHANGES = frozenset({"delete", "modify"})
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("y", "copy_json", "JSON"),
        Binding("m", "modify", "Modify whitelist"),
        Binding("d", "delete", "Delete"),
    ]

    def __init__(self, endpoint_id: str) -> None:
        super().__init__()
        self.endpoint_id = endpoint_id
        self.view = None

    def body(self) -> ComposeResult:
        yield Label(f"Endpoint {self.endpoint_id}", classes="intro")
        yield FieldList(classes="summary")
        yield EditableTable([("Key", 40), ("Value", 60)], "key=value (adds, or edits the value of an existing key)", add="Set",
                            what="tag", note="Tags (T1–T4)", id="tag-table")

    def fetch(self):
        return endpoint_view(self.app.registry, self.endpoint_id)

    def show(self, view: EndpointView) -> None:
        self.view, e = view, view.endpoint
        access = [a for port in view.client_ports for a in e.access(port)]
        self.query_one(FieldList).show([
            ("Service", e.endpoint_service_name), ("Status", status(self.app.theme_variables, e.status)),
            ("Type", e.service_type), ("Private IP", e.ip), ("Private domain names", e.dns_names),
            ("Access", access), ("VPC", view.vpc), ("Subnet", view.subnet), ("Route tables", e.routetables),
            ("Whitelist", e.whitelist if e.enable_whitelist else "off"), ("Packet ID", e.marker_id),
            ("Description", e.description), ("Created", short_time(e.created_at))])
        self.query_one(EditableTable).set_rows([Row(t.key, (t.key, t.value), data=t) for t in e.tags])

    def action_copy_json(self) -> None:
        if self.view:
            self.copy_json(self.endpoint_id, self.view.endpoint.to_dict())

    def action_modify(self) -> None:
        """E10: the whitelist and its switch, in a form of their own."""
        if self.view is None:
            return
        from toolkit.tui.screens.endpoint_modify import EndpointModifyScreen

        self.app.push_screen(EndpointModifyScreen(self.view.endpoint))

    def action_delete(self) -> None:
        self.ask_then_change(f"Delete endpoint {self.endpoint_id}?", E11, "Delete", "delete the endpoint",
                             self.app.registry.delete_endpoint, self.endpoint_id)

    def after_change(self, message) -> None:
        if self.closed_after(message, "delete the endpoint"):
            return
        self.query_one(EditableTable).clear_entry()
        super().after_change(message)

    def on_editable_table_add(self, message: EditableTable.Add) -> None:
        message.stop()
        if not message.text:
            return
        try:
            tag = parse_tag(message.text)
        except ToolkitError as exc:
            message.panel.show_error(f"{exc.message} [{exc.rule}] {exc.fix}")
            return
        self.change(f"set tag {message.text}", self.app.registry.endpoint_tags, self.endpoint_id, set_=[tag])

    def on_editable_table_remove(self, message: EditableTable.Remove) -> None:
        message.stop()
        keys = [row.key for row in message.rows]
        self.ask_then_change(f"Remove tag(s) {named(keys)} from endpoint {self.endpoint_id}?", "", "Remove",
                             f"remove tag(s) {', '.join(keys)}",
                             partial(self.app.registry.endpoint_tags, self.endpoint_id, delete=keys))
