"""Endpoint services: names, port mappings, backends and statuses (SPEC S1–S10, S14)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from toolkit.errors import ValidationError
from toolkit.model.fields import Record
from toolkit.model.tags import Tag

MAX_NAME = 16
MAX_PORT_MAPPINGS = 50
MAX_PORT_ID = 128
MAX_DESCRIPTION = 512
_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")


class ServiceType(StrEnum):
    GATEWAY = "gateway"
    INTERFACE = "interface"


class ServerType(StrEnum):
    LB = "LB"
    VM = "VM"
    VIP = "VIP"
    BMS = "BMS"


BUILTIN_PORTS = {"obs": ((443, 443), (80, 80)), "dns": ((53, 53),)}
"""S2: the (server, client) ports of the built-in cloud services; others get 443."""

DEPRECATED_SERVERS = {ServerType.VIP, ServerType.BMS}
SERVER_ALIASES = {"ELB": ServerType.LB, "ECS": ServerType.VM}
"""S4: the user guide's names for the backends (elastic load balancer, elastic cloud server)."""


class ServiceStatus(StrEnum):
    CREATING = "creating"
    AVAILABLE = "available"
    FAILED = "failed"
    DELETING = "deleting"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True, kw_only=True)
class PortMapping(Record):
    """S6: TCP only; server_port is the backend's, client_port what endpoints expose."""

    protocol: str = "TCP"
    server_port: int
    client_port: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointService(Record):
    """One endpoint service, shaped like the public API's object (S4)."""

    id: str
    service_name: str
    service_type: ServiceType
    server_type: ServerType | None
    port_id: str | None
    vpc_id: str | None
    approval_enabled: bool
    ports: tuple[PortMapping, ...]
    tags: tuple[Tag, ...]
    description: str
    status: ServiceStatus
    connection_count: int = 0
    """S14: derived from the endpoints, never stored."""
    domain_id: str
    project_id: str
    region: str
    created_at: str
    updated_at: str
    builtin: bool = False
    short_name: str = ""

    def with_count(self, count: int) -> "EndpointService":
        return replace(self, connection_count=count)


def validate_user_type(value: str) -> ServiceType:
    """S1/S3: the two types exist; a user-created service is always interface."""
    try:
        kind = ServiceType(value.lower())
    except ValueError:
        raise ValidationError(f"service type {value!r} is neither gateway nor interface", rule="S1",
                              fix="leave --type out (interface)") from None
    if kind != ServiceType.INTERFACE:
        raise ValidationError("gateway services are cloud services only; yours are interface", rule="S3",
                              fix="leave --type out (interface)")
    return kind


def validate_short_name(name: str) -> str:
    """S5: at most 16 letters, digits, `_`, `-`."""
    if len(name) > MAX_NAME or not _NAME.match(name):
        raise ValidationError(f"service name {name!r} must be 1–{MAX_NAME} letters, digits, _ or -", rule="S5",
                              fix="shorten it or drop other characters")
    return name


def stored_name(region: str, name: str | None, service_id: str) -> str:
    """S5: `<region>.<name>.<id>`, or `<region>.<id>` with no name."""
    return f"{region}.{name}.{service_id}" if name else f"{region}.{service_id}"


def listed_name(stored: str) -> str:
    """How lists name a service: `<region>.<name>.<id>` by its name; an unnamed one by its stored name."""
    parts = stored.split(".")
    return parts[1] if len(parts) == 3 else stored


def parse_port(text: str) -> PortMapping:
    """Parse `SERVER:CLIENT[/TCP]` from the command line (S6): both ports, since a mapping is fixed once made."""
    mapping, _, protocol = text.partition("/")
    if protocol and protocol.strip().upper() != "TCP":
        raise ValidationError(f"port mapping {text!r}: protocol {protocol} is not supported, TCP only", rule="S6",
                              fix=f"write {mapping} (TCP is the only protocol)")
    server, colon, client = mapping.partition(":")
    if not colon:
        raise ValidationError(f"port mapping {text!r} names one port; a mapping is SERVER:CLIENT", rule="S6",
                              fix=f"give SERVER:CLIENT, e.g. {server.strip() or 8080}:{server.strip() or 80} "
                                  "(mappings cannot be changed later)")
    return PortMapping(server_port=_port(server, text), client_port=_port(client, text))


def _port(value: str, text: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValidationError(f"port mapping {text!r}: ports are 1–65535", rule="S6",
                              fix="write SERVER_PORT:CLIENT_PORT, e.g. 8080:80")
    return port


def validate_ports(ports: list[PortMapping]) -> tuple[PortMapping, ...]:
    """S6: 1–50 TCP mappings, no client_port twice."""
    if not 1 <= len(ports) <= MAX_PORT_MAPPINGS:
        raise ValidationError(f"{len(ports)} port mappings given; 1 to {MAX_PORT_MAPPINGS} are allowed", rule="S6",
                              fix="give --port SERVER:CLIENT at least once" if not ports else
                              f"split the ports over services of at most {MAX_PORT_MAPPINGS} mappings")
    seen: set[int] = set()
    for port in ports:
        if port.protocol != "TCP":
            raise ValidationError(f"protocol {port.protocol} is not supported, only TCP", rule="S6", fix="use TCP")
        _port(str(port.server_port), str(port.server_port))
        _port(str(port.client_port), str(port.client_port))
        if port.client_port in seen:
            raise ValidationError(f"client port {port.client_port} is mapped twice", rule="S6",
                                  fix="give each mapping its own client port")
        seen.add(port.client_port)
    return tuple(ports)


def validate_server_type(value: str) -> tuple[ServerType, str | None]:
    """S4: LB (or ELB), VM (or ECS), or deprecated VIP/BMS (accepted with a warning)."""
    try:
        server = SERVER_ALIASES.get(value.upper()) or ServerType(value.upper())
    except ValueError:
        raise ValidationError(f"backend {value!r} is not one of LB (ELB), VM (ECS), BMS, VIP", rule="S4",
                              fix="use --backend LB (an elastic load balancer) or VM (an ECS)") from None
    warning = None
    if server in DEPRECATED_SERVERS:
        warning = f"backend {server} is deprecated [S4]: use LB (an elastic load balancer) instead"
    return server, warning


def validate_port_id(port_id: str | None) -> str:
    """S7: exactly one backend resource."""
    port_id = (port_id or "").strip()
    if not port_id or "," in port_id or len(port_id) > MAX_PORT_ID or not port_id.isprintable() or " " in port_id:
        raise ValidationError("a service needs exactly one backend resource", rule="S7",
                              fix=f"give one --port-id (the LB or VM port id, up to {MAX_PORT_ID} characters, no spaces)")
    return port_id


def validate_description(text: str, rule: str) -> str:
    """S4/E13/S13: one printable line of at most 512 characters, without `<` or `>` (the API refuses them)."""
    if len(text) > MAX_DESCRIPTION or not text.isprintable():
        raise ValidationError(f"description {text[:20]!r}… is longer than {MAX_DESCRIPTION} characters or holds "
                              "control characters (newlines, escapes)", rule=rule,
                              fix=f"one line of at most {MAX_DESCRIPTION} characters")
    if "<" in text or ">" in text:
        raise ValidationError(f"description {text[:20]!r} contains < or >", rule=rule,
                              fix="leave out the angle brackets < and >")
    return text


def require_available(service: EndpointService) -> None:
    """S9: endpoints connect only to an available service."""
    if service.status != ServiceStatus.AVAILABLE:
        raise ValidationError(f"service {service.service_name} is {service.status}, not available", rule="S9",
                              fix="wait until it is available or pick another service")


def require_user_service(service: EndpointService, action: str) -> None:
    """S2: built-in cloud services cannot be changed."""
    if service.builtin:
        raise ValidationError(f"{service.service_name} is a built-in cloud service; it cannot be {action}",
                              rule="S2", fix="create your own interface service instead")
