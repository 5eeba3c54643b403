"""One paged read of a whole account into a Snapshot: the documents per state table, all or nothing (C1, C3).

Lists are read with `limit`/`offset` until `total_count` (the VPC API pages with `marker`); any failure
raises before the registry writes anything, so a pull that fails at page 3 changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

from toolkit.cloud import mapping
from toolkit.cloud.client import Cloud
from toolkit.errors import CloudUnavailable

PAGE = 500
"""Items per page (the API's maximum limit is 1000)."""

LAST_PULL = "cloud_last_pull"
"""The state's meta key for the last pull: time, endpoint, account, project, request and change counts."""

TABLES = ("accounts", "vpcs", "subnets", "services", "endpoints", "whitelist", "connection_notes", "quotas")
"""The state tables a pull fills, in the order their documents refer to each other."""


@dataclass
class Snapshot:
    """What the cloud says the account holds: documents per table, and who it is."""

    account: str
    project_id: str
    region: str
    docs: dict[str, dict[str, dict]] = field(default_factory=lambda: {table: {} for table in TABLES})

    def add(self, table: str, doc: dict | None) -> None:
        if doc is not None:
            self.docs[table][doc["id"]] = doc


def fetch(cloud: Cloud, *, progress: Callable[[str, int], None] = lambda kind, n: None) -> Snapshot:
    """Read the account behind `cloud` (services own and public, connections, permissions, endpoints with
    their dns_names, quotas, tags, VPCs and subnets)."""
    target = cloud.target
    own = [item for item in _pages(cloud, "endpoint services", "list_endpoint_service", "ListEndpointServiceRequest",
                                   "endpoint_services")]
    account = target.account or _account_of(own) or _no_account()
    snap = Snapshot(account=account, project_id=target.project_id or _project_of(own, cloud), region=target.region)
    snap.add("accounts", mapping.account(account))
    for item in _pages(cloud, "public services", "list_service_public_details", "ListServicePublicDetailsRequest",
                       "endpoint_services"):
        snap.add("services", mapping.public_service(item, target.region, snap.project_id))
    progress("services", len(snap.docs["services"]))
    for item in own:
        svc = mapping.service(item, target.region)
        snap.add("services", svc)
        service_children(cloud, snap, svc)
    progress("services", len(snap.docs["services"]))
    for item in _pages(cloud, "endpoints", "list_endpoints", "ListEndpointsRequest", "endpoints",
                       on_page=lambda n: progress("endpoints", n)):
        snap.add("endpoints", mapping.endpoint(item, account, target.region))
    _quotas(cloud, snap)
    _networks(cloud, snap)
    return snap


def service_children(cloud: Cloud, snap: Snapshot, svc: dict) -> None:
    """An own service's connections (other accounts' endpoints, with the owner's notes) and whitelist."""
    for item in _pages(cloud, f"connections of {svc['service_name']}", "list_service_connections",
                       "ListServiceConnectionsRequest", "connections", vpc_endpoint_service_id=svc["id"]):
        if item.get("domain_id") and item["domain_id"] != snap.account:
            snap.add("accounts", mapping.account(item["domain_id"]))
            snap.add("endpoints", mapping.connection(item, svc))
        snap.add("connection_notes", mapping.connection_note(item, svc["id"]))
    for item in _pages(cloud, f"whitelist of {svc['service_name']}", "list_service_permissions_details",
                       "ListServicePermissionsDetailsRequest", "permissions", vpc_endpoint_service_id=svc["id"]):
        snap.add("whitelist", mapping.permission(item, svc["id"]))


def _quotas(cloud: Cloud, snap: Snapshot) -> None:
    request = cloud.model("vpcep", "ListQuotaDetailsRequest")()
    answer = cloud.call("reading quotas", cloud.vpcep().list_quota_details, request).to_dict()
    for item in ((answer.get("quotas") or {}).get("resources") or []):
        snap.add("quotas", mapping.quota(item, snap.account))


def _networks(cloud: Cloud, snap: Snapshot) -> None:
    for item in _marker_pages(cloud, "VPCs", "list_vpcs", "ListVpcsRequest", "vpcs"):
        snap.add("vpcs", mapping.vpc(item, snap.account))
    for item in _marker_pages(cloud, "subnets", "list_subnets", "ListSubnetsRequest", "subnets"):
        if item.get("vpc_id") in snap.docs["vpcs"]:
            snap.add("subnets", mapping.subnet(item, snap.account))


def _pages(cloud: Cloud, what: str, operation: str, request_name: str, key: str, *,
           on_page: Callable[[int], None] = lambda n: None, **query) -> Iterator[dict]:
    """Every item of a VPCEP list, page by page with limit/offset until total_count."""
    request_class, seen = cloud.model("vpcep", request_name), 0
    while True:
        request = request_class(limit=PAGE, offset=seen, **query)
        answer = cloud.call(f"reading {what} (offset {seen})", getattr(cloud.vpcep(), operation), request).to_dict()
        items, total = answer.get(key) or [], answer.get("total_count")
        yield from items
        seen += len(items)
        on_page(seen)
        if total is None or seen >= total or not items:
            if total is not None and seen < total:
                raise CloudUnavailable(f"reading {what}: the cloud said {total} but gave {seen}",
                                       fix="pull again; nothing changed")
            return


def _marker_pages(cloud: Cloud, what: str, operation: str, request_name: str, key: str) -> Iterator[dict]:
    """Every item of a VPC API list, paged by marker (the last id seen)."""
    request_class, marker = cloud.model("vpc", request_name), None
    while True:
        request = request_class(limit=PAGE, marker=marker)
        items = cloud.call(f"reading {what}", getattr(cloud.vpc(), operation), request).to_dict().get(key) or []
        yield from items
        if len(items) < PAGE:
            return
        marker = items[-1]["id"]


def _account_of(own: list[dict]) -> str:
    return next((item["domain_id"] for item in own if item.get("domain_id")), "")


def _project_of(own: list[dict], cloud: Cloud) -> str:
    return next((item["project_id"] for item in own if item.get("project_id")), "") or _client_project(cloud)


def _client_project(cloud: Cloud) -> str:
    """The project id the SDK found for the region (with_region and no project id)."""
    return getattr(getattr(cloud.vpcep(), "_credentials", None), "project_id", "") or ""


def _no_account() -> str:
    raise CloudUnavailable("the cloud did not say which account this is (the account has no endpoint service)",
                           rule="C1", fix="set [cloud] account to the account's domain id")
