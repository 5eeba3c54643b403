"""Services area: own and built-in endpoint services (E12); enter opens the detail, n creates, d deletes."""

from __future__ import annotations

from toolkit.tui.rows import SERVICE_COLUMNS, service_row
from toolkit.tui.screens.resource_list import ResourceListScreen

S10 = ("Deletion is permanent. S10: only your own services can be deleted, and not while any endpoint "
       "of it is accepted or creating — reject or delete those first.")


class ServicesScreen(ResourceListScreen):
    AREA = "Services"
    COLUMNS = SERVICE_COLUMNS

    def fetch(self):
        return self.app.registry.list_services()

    def rows(self, data) -> list:
        theme = self.app.theme_variables
        return [service_row(theme, service) for service in data]

    def detail_screen(self, row):
        from toolkit.tui.screens.service_detail import ServiceDetailScreen
        return ServiceDetailScreen(row.key)

    def new_screen(self):
        from toolkit.tui.screens.service_form import ServiceFormScreen
        return ServiceFormScreen()

    def deletion(self, row):
        service = row.data
        return (f"delete service {service.service_name}", f"Delete service {service.short_name or service.service_name}?",
                S10, self.app.registry.delete_service, service.id)
