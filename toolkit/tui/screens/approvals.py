"""Approvals area: every pendingAcceptance endpoint across the account's services, in one queue (S12)."""

from __future__ import annotations

from collections import defaultdict

from textual.binding import Binding

from toolkit.tui.queries import pending_approvals
from toolkit.tui.rows import APPROVAL_COLUMNS, approval_row
from toolkit.tui.screens.base import AreaScreen

REJECT = ("A rejected endpoint cannot reach the service and loses its private domain name record (E5, E8). "
          "It can be accepted again later.")


class ApprovalsScreen(AreaScreen):
    AREA = "Approvals"
    COLUMNS = APPROVAL_COLUMNS
    MARKABLE = True
    CHANGES = frozenset({"accept", "reject"})
    BINDINGS = [
        Binding("a", "accept", "Accept"),
        Binding("r", "reject", "Reject"),
    ]

    def fetch(self):
        return pending_approvals(self.app.registry)

    def rows(self, data) -> list:
        return [approval_row(pending) for pending in data]

    def show(self, data) -> None:
        super().show(data)
        self.app.pending = len(data)

    def action_copy_json(self) -> None:
        row = self.table.current()
        if row is not None:
            self.copy_json(row.key, row.data.endpoint.to_dict())

    def _by_service(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for row in self.table.chosen():
            groups[row.data.service.id].append(row.key)
        return dict(groups)

    def action_accept(self) -> None:
        groups = self._by_service()
        if groups:
            self.change(f"accept {sum(map(len, groups.values()))} endpoint(s)", decide,
                        self.app.registry, groups, "accept")

    def action_reject(self) -> None:
        groups = self._by_service()
        if not groups:
            return
        count = sum(map(len, groups.values()))
        self.ask_then_change(f"Reject {count} endpoint(s)?", REJECT, "Reject", f"reject {count} endpoint(s)",
                             decide, self.app.registry, groups, "reject")


def decide(reg, groups: dict[str, list[str]], action: str) -> list:
    """Accept or reject per service (each service's batch is all-or-nothing, S12)."""
    call = reg.accept if action == "accept" else reg.reject
    return [endpoint for service_id, ids in groups.items() for endpoint in call(service_id, ids)]
