"""Read-side compositions of registry calls that several screens share (no rules, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.model.endpoint import Endpoint, EndpointStatus
from toolkit.model.service import EndpointService
from toolkit.registry import Registry


@dataclass(frozen=True)
class Pending:
    """One endpoint waiting for the acting account's approval."""

    service: EndpointService
    endpoint: Endpoint


def own_services(reg: Registry) -> list[EndpointService]:
    return [s for s in reg.list_services() if not s.builtin and s.domain_id == reg.account]


def pending_approvals(reg: Registry) -> list[Pending]:
    """Every pendingAcceptance endpoint across the account's services with approval on (S12)."""
    queue = []
    for service in own_services(reg):
        if service.approval_enabled:
            queue += [Pending(service, e) for e in reg.connections(service.id) if e.status == EndpointStatus.PENDING]
    return queue


@dataclass(frozen=True)
class ServiceBundle:
    """What the service detail screen shows."""

    service: EndpointService
    connections: list
    """Registry Connections: each endpoint with the owner's description of it (S12)."""
    whitelist: list
    rules: list
    owned: bool


def service_bundle(reg: Registry, ref: str) -> ServiceBundle:
    service = reg.get_service(ref)
    owned = service.domain_id == reg.account and not service.builtin
    if not owned:
        return ServiceBundle(service, [], [], [], False)
    return ServiceBundle(service, reg.connection_list(service.id), reg.whitelist(service.id),
                         reg.service_rules(service.id), True)
