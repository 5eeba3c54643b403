"""What the route planner's inputs read from the registry, as a protocol (routing sits below the registry)."""

from __future__ import annotations

from typing import Protocol

from toolkit.config import Settings
from toolkit.model.endpoint import Endpoint
from toolkit.model.network import Identity, Subnet, Vpc
from toolkit.model.rules import BackendRule
from toolkit.model.service import EndpointService


class PrivateName(Protocol):
    """E5: a private endpoint name (its zone is the part after the first label)."""

    @property
    def name(self) -> str: ...


class PlanSource(Protocol):
    """The acting account's inventory as the planner sees it."""

    settings: Settings

    @property
    def identity(self) -> Identity: ...

    @property
    def account(self) -> str: ...

    def list_services(self) -> list[EndpointService]: ...

    def list_endpoints(self) -> list[Endpoint]: ...

    def list_vpcs(self) -> list[Vpc]: ...

    def list_subnets(self) -> list[Subnet]: ...

    def service_rules(self, ref: str) -> list[BackendRule]: ...

    def private_records(self) -> list[PrivateName]: ...
