"""Endpoints: statuses and their machine, whitelists, names (SPEC E1–E13)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from enum import StrEnum

from toolkit.errors import InvalidTransition, ValidationError
from toolkit.model.tags import Tag, tags_from_dicts

MAX_CONNECTIONS = 3000
"""E7: concurrent connections one endpoint carries."""


class EndpointStatus(StrEnum):
    PENDING = "pendingAcceptance"
    CREATING = "creating"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FAILED = "failed"
    DELETING = "deleting"


# E8: which status may follow which, by action.
TRANSITIONS: dict[str, dict[EndpointStatus, EndpointStatus]] = {
    "accept": {EndpointStatus.PENDING: EndpointStatus.ACCEPTED, EndpointStatus.REJECTED: EndpointStatus.ACCEPTED,
               EndpointStatus.ACCEPTED: EndpointStatus.ACCEPTED},
    "reject": {EndpointStatus.PENDING: EndpointStatus.REJECTED, EndpointStatus.ACCEPTED: EndpointStatus.REJECTED,
               EndpointStatus.REJECTED: EndpointStatus.REJECTED},
    "created": {EndpointStatus.CREATING: EndpointStatus.ACCEPTED},
    "fail": {status: EndpointStatus.FAILED for status in EndpointStatus if status != EndpointStatus.DELETING},
}

ACTIVE = {EndpointStatus.CREATING, EndpointStatus.ACCEPTED}
"""S10/S14: endpoints that hold a connection."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint, shaped like the public API's object."""

    id: str
    endpoint_service_id: str
    endpoint_service_name: str
    service_type: str
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

    def to_dict(self) -> dict:
        return {
            "id": self.id, "endpoint_service_id": self.endpoint_service_id,
            "endpoint_service_name": self.endpoint_service_name, "service_type": self.service_type,
            "status": str(self.status), "ip": self.ip, "marker_id": self.marker_id, "vpc_id": self.vpc_id,
            "subnet_id": self.subnet_id, "enable_dns": self.enable_dns, "dns_names": list(self.dns_names),
            "routetables": list(self.routetables), "enable_whitelist": self.enable_whitelist,
            "whitelist": list(self.whitelist), "tags": [t.to_dict() for t in self.tags],
            "description": self.description, "domain_id": self.domain_id, "project_id": self.project_id,
            "region": self.region, "created_at": self.created_at, "updated_at": self.updated_at,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Endpoint":
        return cls(
            d["id"], d["endpoint_service_id"], d["endpoint_service_name"], d["service_type"],
            EndpointStatus(d["status"]), d["ip"], d["marker_id"], d["vpc_id"], d["subnet_id"], d["enable_dns"],
            tuple(d["dns_names"]), tuple(d["routetables"]), d["enable_whitelist"], tuple(d["whitelist"]),
            tags_from_dicts(d["tags"]), d["description"], d["domain_id"], d["project_id"], d["region"],
            d["created_at"], d["updated_at"],
        )

    def access(self, client_port: int) -> list[str]:
        """E13: how a client reaches this endpoint on one client port."""
        hosts = ([self.ip] if self.ip else []) + list(self.dns_names)
        return [f"{host}:{client_port}" for host in hosts]


def transition(endpoint: Endpoint, action: str, now: str) -> Endpoint:
    """E8: the endpoint after `action`, or InvalidTransition."""
    target = TRANSITIONS[action].get(endpoint.status)
    if target is None:
        raise InvalidTransition(f"endpoint {endpoint.id} is {endpoint.status}; it cannot be {action}ed",
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
