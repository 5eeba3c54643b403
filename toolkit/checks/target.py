"""What the checks read from the inventory, as plain values the registry builds (checks sit below it)."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.model.endpoint import Endpoint
from toolkit.model.rules import BackendRule
from toolkit.model.service import EndpointService


@dataclass(frozen=True, kw_only=True)
class CheckTarget:
    """Everything the steps of one endpoint's check read from the inventory."""

    endpoint: Endpoint
    service: EndpointService | None
    whitelist: tuple[str, ...]
    """S13: the service's whitelist entries as text."""
    rules: tuple[BackendRule, ...]
    org_path: str
    """The acting account's organization path (S13 entries match it)."""
    region: str
    domain: str


@dataclass(frozen=True, kw_only=True)
class CloudEndpoint:
    """O1: one of the acting account's endpoints to a built-in cloud service, with that service's short name."""

    endpoint: Endpoint
    short_name: str
