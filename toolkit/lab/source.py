"""What the lab reads from the registry, as a protocol (the lab sits below the registry)."""

from __future__ import annotations

from typing import Protocol

from toolkit.config import Settings
from toolkit.model.endpoint import Endpoint
from toolkit.model.network import Account, Vpc
from toolkit.model.service import EndpointService


class LabSource(Protocol):
    """Every account's endpoints, services and VPCs (the lab makes all of them real)."""

    settings: Settings

    def list_accounts(self) -> list[Account]: ...

    def acting(self, domain_id: str) -> "LabSource": ...

    def list_services(self) -> list[EndpointService]: ...

    def list_endpoints(self) -> list[Endpoint]: ...

    def list_vpcs(self) -> list[Vpc]: ...
