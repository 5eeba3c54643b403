"""Approvals area: every pendingAcceptance endpoint across the account's services, in one queue (S12)."""

from __future__ import annotations

from collections import defaultdict

from textual.binding import Binding

from toolkit.tui.queries import pending_approvals
from toolkit.tui.rows import APPROVAL_COLUMNS, approval_row
from toolkit.tui.screens.base import AreaScreen

REJECT = ("A rejected endpoint cannot reach the service and loses its private domain name record (E5, E8). "
          "It can be accepted again later.")
ACCEPT = ("An accepted endpoint reaches the service from its VPC, and gets its private domain name record "
          "when it asked for one (E5). Each service's batch is all-or-nothing (S12); reject it later to cut it off.")


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
        self._decide("accept", ACCEPT)

    def action_reject(self) -> None:
        self._decide("reject", REJECT)

    def _decide(self, action: str, explanation: str) -> None:
        """Accept and reject both ask first, naming each endpoint and the service it asks for."""
        rows = self.table.chosen()
        if not rows:
            return
        who = [f"{row.key} → {row.cells[1]} (account {row.data.endpoint.domain_id})" for row in rows]
        self.ask_then_change(f"{action.capitalize()} {len(rows)} endpoint(s)?",
                             "\n".join(who[:8] + ([f"and {len(who) - 8} more"] if len(who) > 8 else []))
                             + f"\n\n{explanation}", action.capitalize(), f"{action} {len(rows)} endpoint(s)",
                             decide, self.app.registry, self._by_service(), action)


def decide(reg, groups: dict[str, list[str]], action: str) -> list:
    """Accept or reject per service (each service's batch is all-or-nothing, S12)."""
    call = reg.accept if action == "accept" else reg.reject
    return [endpoint for service_id, ids in groups.items() for endpoint in call(service_id, ids)]
