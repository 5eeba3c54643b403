"""Endpoints: statuses and their machine, whitelists, names (SPEC E1–E13)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from enum import StrEnum

from toolkit.errors import InvalidTransition, ValidationError
from toolkit.model.fields import Record
from toolkit.model.service import ServiceType
from toolkit.model.tags import Tag

MAX_CONNECTIONS = 3000
"""E7: concurrent connections one endpoint carries."""


class EndpointStatus(StrEnum):
    PENDING = "pendingAcceptance"
    CREATING = "creating"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FAILED = "failed"
    DELETING = "deleting"


class EndpointAction(StrEnum):
    """E8: what moves an endpoint from one status to the next."""

    ACCEPT = "accept"
    REJECT = "reject"
    CREATE = "create"
    FAIL = "fail"

    @property
    def past(self) -> str:
        """The action in a sentence: "cannot be accepted"."""
        return self.value + ("d" if self.value.endswith("e") else "ed")


# E8: which status may follow which, by action.
TRANSITIONS: dict[EndpointAction, dict[EndpointStatus, EndpointStatus]] = {
    EndpointAction.ACCEPT: {EndpointStatus.PENDING: EndpointStatus.ACCEPTED,
                            EndpointStatus.REJECTED: EndpointStatus.ACCEPTED,
                            EndpointStatus.ACCEPTED: EndpointStatus.ACCEPTED},
    EndpointAction.REJECT: {EndpointStatus.PENDING: EndpointStatus.REJECTED,
                            EndpointStatus.ACCEPTED: EndpointStatus.REJECTED,
                            EndpointStatus.REJECTED: EndpointStatus.REJECTED},
    EndpointAction.CREATE: {EndpointStatus.CREATING: EndpointStatus.ACCEPTED},
    EndpointAction.FAIL: {status: EndpointStatus.FAILED for status in EndpointStatus
                          if status != EndpointStatus.DELETING},
}

ACTIVE = {EndpointStatus.CREATING, EndpointStatus.ACCEPTED}
"""S10/S14: endpoints that hold a connection."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint(Record):
    """One endpoint, shaped like the public API's object."""

    id: str
    endpoint_service_id: str
    endpoint_service_name: str
    service_type: ServiceType
    status: EndpointStatus
    ip: str | None
    marker_id: int
    vpc_id: str
    subnet_id: str | None
    enable_dns: bool
    dns_names: tuple[str, ...]
    routetables: tuple[str, ...]
    enable_whitelist: bool
    whitelist: tuple[str, ...]
    tags: tuple[Tag, ...]
    description: str
    domain_id: str
    project_id: str
    region: str
    created_at: str
    updated_at: str

    def access(self, client_port: int) -> list[str]:
        """E13: how a client reaches this endpoint on one client port."""
        hosts = ([self.ip] if self.ip else []) + list(self.dns_names)
        return [f"{host}:{client_port}" for host in hosts]


def transition(endpoint: Endpoint, action: EndpointAction, now: str) -> Endpoint:
    """E8: the endpoint after `action`, or InvalidTransition."""
    target = TRANSITIONS[action].get(endpoint.status)
    if target is None:
        raise InvalidTransition(f"endpoint {endpoint.id} is {endpoint.status}; it cannot be {action.past}",
                                fix="only pendingAcceptance or rejected endpoints can be accepted, "
                                    "only pendingAcceptance or accepted ones rejected")
    return replace(endpoint, status=target, updated_at=now)


def initial_status(approval_enabled: bool) -> EndpointStatus:
    """E8: approval on waits for the owner, off goes through creating."""
    return EndpointStatus.PENDING if approval_enabled else EndpointStatus.CREATING


def validate_whitelist(entries: list[str]) -> tuple[str, ...]:
    """E10: IPv4 addresses or CIDRs, normalised."""
    result = []
    for entry in entries:
        try:
            result.append(str(ipaddress.IPv4Network(entry.strip(), strict=False)))
        except ValueError:
            raise ValidationError(f"whitelist entry {entry!r} is not an IPv4 address or CIDR", rule="E10",
                                  fix="write entries such as 10.0.0.0/24 or 192.168.1.5") from None
    return tuple(dict.fromkeys(result))


def dns_name(template: str, **fields: str) -> str:
    """E5: the endpoint's private name from the settings template."""
    try:
        name = template.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(f"dns name_template {template!r} is not usable: {exc}", rule="E5",
                              fix="use {endpoint_id}, {service}, {region} and {domain} only") from None
    return name.strip(".").lower()
