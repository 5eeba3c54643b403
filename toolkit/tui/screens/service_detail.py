"""One service: Summary, Connection Management, Permission Management, Port Mapping, Tags, Rules."""

from __future__ import annotations

from functools import partial

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, TabbedContent, TabPane

from toolkit.errors import ToolkitError
from toolkit.model import service as service_rules
from toolkit.model.permissions import normalize
from toolkit.model.rules import parse_rule
from toolkit.model.tags import parse_tag
from toolkit.tui.rows import CONNECTION_COLUMNS, connection_row, short_time, status
from toolkit.tui.screens.approvals import ACCEPT, REJECT
from toolkit.tui.screens.base import BaseScreen, named
from toolkit.tui.screens.services import S10
from toolkit.tui.widgets.editable_table import EditableTable
from toolkit.tui.widgets.field_list import FieldList
from toolkit.tui.widgets.resource_table import ResourceTable, Row

TAB_NAMES = {"connections": ("Connection Management", "Connections"),
             "permissions": ("Permission Management", "Permissions"), "ports": ("Port Mapping", "Ports")}
EVERYONE = ("`*` lets every account create endpoints to this service (S13). Only do this for a service meant "
            "to be public inside the region.")


class ServiceDetailScreen(BaseScreen):
    AREA = "Service"
    DETAIL = True
    CHANGES = frozenset({"accept", "reject", "delete", "modify", "describe"})
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("y", "copy_json", "JSON"),
        Binding("m", "modify", "Modify"),
        Binding("e", "describe", "Describe"),
        Binding("a", "accept", "Accept"),
        Binding("r", "reject", "Reject"),
        Binding("d", "delete", "Delete"),
    ]

    def __init__(self, service_id: str) -> None:
        super().__init__()
        self.service_id = service_id
        self.bundle = None

    def body(self) -> ComposeResult:
        yield Label("", id="title", classes="intro")
        with TabbedContent(id="tabs"):
            with TabPane("Summary", id="summary"):
                yield FieldList(classes="summary")
            with TabPane("Connection Management", id="connections"):
                with Horizontal(classes="toolbar", id="decide"):
                    yield Button("Accept marked", variant="success", id="accept", compact=True)
                    yield Button("Reject marked", variant="error", id="reject", compact=True)
                    yield Button("Describe", id="describe-connection", compact=True)
                yield Label("", id="approval-note", classes="note")
                yield ResourceTable(CONNECTION_COLUMNS, markable=True, id="connection-table")
            with TabPane("Permission Management", id="permissions"):
                yield EditableTable([("Permission", 60), ("Description", 24), ("Created", 19)],
                                    "iam:domain::<domain_id>, organizations:orgPath::<path> or *; commas separate",
                                    what="whitelist entry", note="S13: the owner is always allowed; an empty list lets no other account in.",
                                    described=True, id="whitelist")
            with TabPane("Port Mapping", id="ports"):
                yield Label("S6: port mappings can be viewed but not changed after creation.", classes="note")
                yield ResourceTable([("Protocol", 8), ("Service Port", 12), ("Terminal Port", 13)], id="port-table")
            with TabPane("Tags", id="tags"):
                yield EditableTable([("Key", 40), ("Value", 60)], "key=value (adds, or edits the value of an existing key)",
                                    add="Set", what="tag", note="T1–T4: at most 10 tags, keys unique.",
                                    id="tag-table")
            with TabPane("Rules", id="rules"):
                yield EditableTable([("Kind", 8), ("CIDR", 18), ("Ports", 11), ("Action", 6)], "sg:198.19.128.0/17:8080  (KIND:CIDR:PORTS)",
                                    what="rule", note="S15: backend inbound rules as recorded; checks F1–F3 read them.",
                                    id="rule-table")

    def on_resize(self, event) -> None:
        """Below 100 columns the tabs take short names, so all six (Rules too) stay in sight."""
        tabs = self.query_one("#tabs", TabbedContent)
        for pane, (long, short) in TAB_NAMES.items():
            tabs.get_tab(pane).label = short if event.size.width < 100 else long

    def fetch(self):
        from toolkit.tui.queries import service_bundle

        return service_bundle(self.app.registry, self.service_id)

    def show(self, bundle) -> None:
        self.bundle, service = bundle, bundle.service
        theme = self.app.theme_variables
        self.query_one("#title", Label).update(f"Service {service.service_name}")
        self.query_one(FieldList).show(summary(theme, service))
        self.query_one("#connection-table", ResourceTable).set_rows([connection_row(theme, c)
                                                                     for c in bundle.connections])
        self._show_approval(service)
        self.query_one("#port-table", ResourceTable).set_rows(
            [Row(str(p.client_port), (p.protocol, p.server_port, p.client_port)) for p in service.ports])
        self.query_one("#whitelist", EditableTable).set_rows(
            [Row(e.id, (e.permission, e.description or "-", short_time(e.created_at)), data=e)
             for e in bundle.whitelist])
        self.query_one("#tag-table", EditableTable).set_rows([Row(t.key, (t.key, t.value), data=t)
                                                              for t in service.tags])
        self.query_one("#rule-table", EditableTable).set_rows(
            [Row(r.spec, (str(r.kind), r.cidr, r.spec.split(":")[2], r.action), data=r) for r in bundle.rules])
        for panel in self.query(EditableTable):
            panel.query_one(".toolbar").display = bundle.owned and not self.app.read_only

    def _show_approval(self, service) -> None:
        can_change = self.bundle.owned and not self.app.read_only
        self.query_one("#decide").display = can_change
        for button in ("#accept", "#reject"):
            self.query_one(button).display = can_change and service.approval_enabled
        note = "" if service.approval_enabled else "Approval is off: connections are accepted automatically (S12)."
        if not self.bundle.owned:
            note = "Built-in or another account's service: connections are managed by its owner."
        self.query_one("#approval-note", Label).update(note)

    def open_tab(self, tab: str, entry: str = "") -> None:
        """Show `tab`, focus on its add line (`entry` typed in) or else its table: a jump from a failed check,
        a route finding or the command palette."""
        self.query_one("#tabs", TabbedContent).active = tab
        lines, tables = self.query(f"#{tab} .entry"), self.query(f"#{tab} ResourceTable")
        if lines:
            line = lines.first(Input)
            line.value = entry or line.value
            line.focus()
        elif tables:
            tables.first().focus()

    # -- actions -----------------------------------------------------------------
    def action_copy_json(self) -> None:
        if self.bundle:
            self.copy_json(self.bundle.service.service_name, self.bundle.service.to_dict())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"accept": self.action_accept, "reject": self.action_reject,
                   "describe-connection": self.action_describe}
        if event.button.id in actions:
            event.stop()
            actions[event.button.id]()

    def _chosen_connections(self) -> list[str]:
        return [row.key for row in self.query_one("#connection-table", ResourceTable).chosen()]

    def _decide(self, action: str, explanation: str) -> None:
        ids = self._chosen_connections()
        if not ids:
            return
        call = self.app.registry.accept if action == "accept" else self.app.registry.reject
        self.ask_then_change(f"{action.capitalize()} {len(ids)} endpoint(s) of {self._what()}: {named(ids)}?",
                             explanation, action.capitalize(), f"{action} {len(ids)} endpoint(s)", call,
                             self.service_id, ids)

    def action_accept(self) -> None:
        self._decide("accept", ACCEPT)

    def action_reject(self) -> None:
        self._decide("reject", REJECT)

    def _what(self) -> str:
        return f"service {self.bundle.service.service_name}" if self.bundle else "this service"

    def action_modify(self) -> None:
        """Name, description and approval of an own service; a built-in one is refused with S2, no form."""
        if self.bundle is None:
            return
        service = self.bundle.service
        try:
            service_rules.require_user_service(service, "modified")
        except ToolkitError as exc:
            self.notify(f"{exc.message} [{exc.rule}] — {exc.fix}", title="Not modified", severity="error")
            return
        if not self.bundle.owned:
            self.notify(f"{service.service_name} belongs to account {service.domain_id}: only its owner can modify "
                        "it", title="Not modified", severity="error")
            return
        from toolkit.tui.screens.service_modify import ServiceModifyScreen

        self.app.push_screen(ServiceModifyScreen(service))

    def action_describe(self) -> None:
        """`e`: describe the selected connection (Connection Management) or whitelist entry (Permission
        Management) in a one-line dialog."""
        if self.bundle is None or not self.bundle.owned:
            return
        tab = self.query_one("#tabs", TabbedContent).active
        if tab == "permissions":
            row = self.query_one("#whitelist", EditableTable).table.current()
            if row is not None:
                self._ask_description(f"Description of whitelist entry {row.data.permission}", row.data.description,
                                      "S13", self.app.registry.whitelist_describe, row.data.id)
            return
        row = self.query_one("#connection-table", ResourceTable).current()
        if tab != "connections" or row is None:
            self.notify("select a connection (Connection Management) or a whitelist entry (Permission Management) "
                        "first", title="Describe")
            return
        notes = {c.endpoint.id: c.description for c in self.bundle.connections}
        self._ask_description(f"Description of the connection of endpoint {row.key}", notes.get(row.key, ""), "S12",
                              self.app.registry.describe_connections, row.key)

    def _ask_description(self, question: str, text: str, rule: str, call, key: str) -> None:
        from toolkit.tui.screens.describe import DescribeScreen

        def answered(new: str | None) -> None:
            if new is not None and new != text:
                self.change(f"describe {key}", call, self.service_id, {key: new})

        self.app.push_screen(DescribeScreen(question, text, rule), answered)

    def action_delete(self) -> None:
        self.ask_then_change(f"Delete {self._what()}?", S10, "Delete", "delete the service",
                             self.app.registry.delete_service, self.service_id)

    def after_change(self, message) -> None:
        if self.closed_after(message, "delete the service"):
            return
        for panel in self.query(EditableTable):
            panel.clear_entry()
        super().after_change(message)

    # -- panel edits (messages up from EditableTable) ----------------------------------
    def on_editable_table_add(self, message: EditableTable.Add) -> None:
        message.stop()
        panel, text, reg = message.panel, message.text, self.app.registry
        if not text:
            return
        try:
            if panel.id == "tag-table":
                self.change(f"set tag {text}", reg.service_tags, self.service_id, set_=[parse_tag(text)])
            elif panel.id == "rule-table":
                self.change(f"add rule {text}", reg.service_rules, self.service_id, add=[parse_rule(text)])
            else:
                self._add_whitelist(whitelist_entries(text), service_rules.validate_description(message.note, "S13"))
        except ToolkitError as exc:
            panel.show_error(f"{exc.message} [{exc.rule}] {exc.fix}")

    def on_editable_table_describe(self, message: EditableTable.Describe) -> None:
        message.stop()
        self.action_describe()

    def _add_whitelist(self, entries: list[str], description: str = "") -> None:
        change = (f"whitelist {', '.join(entries)}", partial(self.app.registry.whitelist_add,
                                                             description=description), self.service_id, entries)
        if "*" in entries or "iam:domain::*" in entries:
            self.ask_then_change("Allow every account?", EVERYONE, "Allow everyone", *change)
        else:
            self.change(*change)

    def on_editable_table_remove(self, message: EditableTable.Remove) -> None:
        message.stop()
        panel, reg, rows = message.panel, self.app.registry, message.rows
        keys = [row.key for row in rows]
        if panel.id == "tag-table":
            self._remove("tag(s)", keys, reg.service_tags, self.service_id, delete=keys)
        elif panel.id == "rule-table":
            self._remove("rule(s)", keys, reg.service_rules, self.service_id, remove=[row.data for row in rows])
        else:
            self._remove("whitelist entr(ies)", [row.data.permission for row in rows], reg.whitelist_remove,
                         self.service_id, keys)

    def _remove(self, what: str, names: list[str], call, *args, **kwargs) -> None:
        """Every removal asks first, naming what goes."""
        label = f"remove {what} {', '.join(names)}"
        self.ask_then_change(f"Remove {what} {named(names)} from {self._what()}?", "", "Remove", label,
                             partial(call, *args, **kwargs))


def whitelist_entries(text: str) -> list[str]:
    """Entries separated by commas (a space belongs to its entry, so `not a valid id` is one entry, refused
    with its rule); each checked here (S13) so the panel names the bad one before anything is sent."""
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    for entry in entries:
        normalize(entry)
    return entries


def summary(theme: dict, s) -> list[tuple[str, object]]:
    """E13-style fields of a service (S4)."""
    return [("Name", s.service_name), ("ID", s.id), ("Type", str(s.service_type)), ("Backend", s.server_type),
            ("Backend port id", s.port_id), ("Status", status(theme, s.status)),
            ("Approval", "on" if s.approval_enabled else "off"), ("Connections", s.connection_count),
            ("Ports (Service→Terminal)", [f"{p.server_port}→{p.client_port}/{p.protocol}" for p in s.ports]),
            ("VPC", s.vpc_id), ("Owner", s.domain_id), ("Region", s.region),
            ("Tags", [f"{t.key}={t.value}" for t in s.tags]), ("Description", s.description),
            ("Created", short_time(s.created_at)), ("Updated", short_time(s.updated_at))]
