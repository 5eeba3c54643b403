"""What the route planner's inputs read from the registry, as a protocol (routing sits below the registry)."""

from __future__ import annotations

from typing import Protocol

from toolkit.config import Settings
from toolkit.model.network import Identity, Subnet, Vpc
from toolkit.model.rules import BackendRule
from toolkit.model.service import EndpointService


class PlanSource(Protocol):
    """The acting account's inventory as the planner sees it."""

    settings: Settings

    @property
    def identity(self) -> Identity: ...

    @property
    def account(self) -> str: ...

    def list_services(self) -> list[EndpointService]: ...

    def endpoint_placements(self) -> list[tuple[str, str, str, str, str]]:
        """(id, endpoint_service_id, vpc_id, subnet_id, ip) of each own accepted endpoint."""

    def list_vpcs(self) -> list[Vpc]: ...

    def list_subnets(self) -> list[Subnet]: ...

    def service_rules(self, ref: str) -> list[BackendRule]: ...

    def private_zones(self) -> list[str]:
        """E5: the zone of every private endpoint name (the part after its first label), each once."""
