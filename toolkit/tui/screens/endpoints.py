"""Endpoints area: the account's endpoints (E12, E13); enter opens the detail, n runs the wizard, d deletes."""

from __future__ import annotations

from toolkit.tui.rows import ENDPOINT_COLUMNS, endpoint_row
from toolkit.tui.screens.resource_list import ResourceListScreen

E11 = "Deletion is permanent (E11): the endpoint's private domain name record goes with it."


class EndpointsScreen(ResourceListScreen):
    AREA = "Endpoints"
    COLUMNS = ENDPOINT_COLUMNS

    def fetch(self):
        reg = self.app.registry
        return reg.list_endpoints(), {vpc.id: vpc.name for vpc in reg.list_vpcs()}

    def rows(self, data) -> list:
        endpoints, vpc_names = data
        theme = self.app.theme_variables
        return [endpoint_row(theme, endpoint, vpc_names) for endpoint in endpoints]

    def detail_screen(self, row):
        from toolkit.tui.screens.endpoint_detail import EndpointDetailScreen
        return EndpointDetailScreen(row.key)

    def new_screen(self):
        from toolkit.tui.screens.endpoint_wizard import EndpointWizardScreen
        return EndpointWizardScreen()

    def deletion(self, row):
        return (f"delete endpoint {row.key}", f"Delete endpoint {row.key}?", E11,
                self.app.registry.delete_endpoint, row.key)
