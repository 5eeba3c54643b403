"""Endpoints area: the account's endpoints (E12, E13); enter opens the detail, n runs the wizard, d deletes."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable

from toolkit.tui.rows import ENDPOINT_COLUMNS, endpoint_row
from toolkit.tui.screens.base import AreaScreen
from toolkit.tui.screens.confirm import ConfirmScreen

E11 = "Deletion is permanent (E11): the endpoint's private domain name record goes with it."


class EndpointsScreen(AreaScreen):
    AREA = "Endpoints"
    COLUMNS = ENDPOINT_COLUMNS
    CHANGES = frozenset({"new", "delete"})
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("n", "new", "New"),
        Binding("d", "delete", "Delete"),
    ]

    def fetch(self):
        reg = self.app.registry
        return reg.list_endpoints(), {vpc.id: vpc.name for vpc in reg.list_vpcs()}

    def rows(self, data) -> list:
        endpoints, vpc_names = data
        theme = self.app.theme_variables
        return [endpoint_row(theme, endpoint, vpc_names) for endpoint in endpoints]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        from toolkit.tui.screens.endpoint_detail import EndpointDetailScreen

        row = self.table.current()
        if row is not None:
            self.app.push_screen(EndpointDetailScreen(row.key))

    def action_new(self) -> None:
        from toolkit.tui.screens.endpoint_wizard import EndpointWizardScreen

        self.app.push_screen(EndpointWizardScreen())

    def action_delete(self) -> None:
        row = self.table.current()
        if row is None:
            return
        endpoint_id = row.key

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(f"delete endpoint {endpoint_id}", self.app.registry.delete_endpoint, endpoint_id)

        self.app.push_screen(ConfirmScreen(f"Delete endpoint {endpoint_id}?", E11, yes="Delete"), answered)
