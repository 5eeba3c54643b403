"""Services area: own and built-in endpoint services (E12); enter opens the detail, n creates, d deletes."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable

from toolkit.tui.rows import SERVICE_COLUMNS, service_row
from toolkit.tui.screens.base import AreaScreen
from toolkit.tui.screens.confirm import ConfirmScreen

S10 = ("Deletion is permanent. S10: only your own services can be deleted, and not while any endpoint "
       "of it is accepted or creating — reject or delete those first.")


class ServicesScreen(AreaScreen):
    AREA = "Services"
    COLUMNS = SERVICE_COLUMNS
    CHANGES = frozenset({"new", "delete"})
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("n", "new", "New"),
        Binding("d", "delete", "Delete"),
    ]

    def fetch(self):
        return self.app.registry.list_services()

    def rows(self, data) -> list:
        theme = self.app.theme_variables
        return [service_row(theme, service) for service in data]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        from toolkit.tui.screens.service_detail import ServiceDetailScreen

        row = self.table.current()
        if row is not None:
            self.app.push_screen(ServiceDetailScreen(row.key))

    def action_new(self) -> None:
        from toolkit.tui.screens.service_form import ServiceFormScreen

        self.app.push_screen(ServiceFormScreen())

    def action_delete(self) -> None:
        row = self.table.current()
        if row is None:
            return
        service = row.data

        def answered(yes: bool | None) -> None:
            if yes:
                self.change(f"delete service {service.service_name}", self.app.registry.delete_service, service.id)

        self.app.push_screen(ConfirmScreen(f"Delete service {service.short_name or service.service_name}?", S10,
                                           yes="Delete"), answered)
