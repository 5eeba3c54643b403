"""Write-through for mirrored resources (C2, C3), shared by the use cases of every noun.

A use case asks `service_of`/`endpoint_of` whether what it is about to change is the cloud's; if so, it
calls the matching function here instead of changing the state: the cloud is asked first, then what the
change touched is read back from the cloud and put into the state in one transaction (`apply` with a
scope, so only those documents can be removed). Any cloud error leaves the state as it was.
"""

from __future__ import annotations

import json
from typing import Callable

from toolkit.cloud import write
from toolkit.cloud.client import Cloud
from toolkit.cloud.pull import LAST_PULL, TABLES, Snapshot
from toolkit.errors import ValidationError
from toolkit.model.endpoint import Endpoint
from toolkit.model.permissions import WhitelistEntry
from toolkit.model.service import EndpointService
from toolkit.registry import lookup
from toolkit.store.sqlite import Txn


def apply(txn: Txn, snap: Snapshot, scope: dict[str, set[str]] | None = None) -> dict[str, dict[str, int]]:
    """C1: make the cloud-owned documents (all, or those in `scope`) exactly the snapshot's; counts per table."""
    by_kind = {}
    for table in TABLES:
        pulled, owned = snap.docs[table], txn.mirrored(table)
        if scope is not None:
            owned &= scope.get(table, set())
        counts = {"added": 0, "changed": 0, "removed": 0}
        for doc_id, doc in pulled.items():
            old = txn.get(table, doc_id)
            if old != doc:
                counts["added" if old is None else "changed"] += 1
                txn.put(table, doc)
            txn.mark_mirrored(table, doc_id)
        for doc_id in owned - pulled.keys():
            txn.delete(table, doc_id)
            txn.mark_mirrored(table, doc_id, False)
            counts["removed"] += 1
        by_kind[table] = counts
    return by_kind


def service_of(reg, ref: str) -> EndpointService | None:
    """The own service `ref` names when the cloud owns it, else None (the local use case goes on)."""
    with reg.store.read() as txn:
        service = lookup.find_service(txn, reg.account, ref)
        return service if service is not None and txn.is_mirrored("services", service.id) else None


def endpoint_of(reg, endpoint_id: str) -> Endpoint | None:
    with reg.store.read() as txn:
        doc = txn.get("endpoints", endpoint_id)
        return Endpoint.from_dict(doc) if doc and txn.is_mirrored("endpoints", endpoint_id) else None


def refuse(what: str) -> None:
    """C2: a change the toolkit cannot make in the cloud is not made locally either."""
    raise ValidationError(f"{what} is the cloud's (mirrored); this change is not sent to the cloud", rule="C2",
                          fix="make it in the cloud (console or API), then `vpcep cloud pull`")


# -- services ---------------------------------------------------------------------------------------------------
def decide(reg, service: EndpointService, endpoint_ids: list[str], accept: bool) -> list[Endpoint]:
    with reg.store.read() as txn:
        own = [i for i in endpoint_ids if (txn.get("endpoints", i) or {}).get("vpc_id")
               and txn.is_mirrored("endpoints", i)]
    _service_change(reg, service, lambda cloud: write.decide(cloud, service.id, endpoint_ids, accept), own)
    with reg.store.read() as txn:
        return [Endpoint.from_dict(txn.get("endpoints", i)) for i in dict.fromkeys(endpoint_ids)
                if txn.get("endpoints", i)]


def whitelist_add(reg, service: EndpointService, permissions: list[str], description: str) -> list[WhitelistEntry]:
    with reg.store.read() as txn:
        present = {e.permission for e in lookup.entries(txn, service)}
    wanted = [p for p in dict.fromkeys(permissions) if p not in present]
    if wanted:
        _service_change(reg, service, lambda cloud: write.whitelist_add(cloud, service.id, wanted, description))
    return _entries(reg, service)


def whitelist_remove(reg, service: EndpointService, entry_ids: list[str]) -> list[WhitelistEntry]:
    _service_change(reg, service, lambda cloud: write.whitelist_remove(cloud, service.id, entry_ids))
    return _entries(reg, service)


def service_tags(reg, service: EndpointService, set_, delete) -> tuple:
    pairs = [(t.key, t.value) for t in set_]
    _service_change(reg, service, lambda cloud: write.tags(cloud, "endpoint_service", service.id, pairs, list(delete)))
    with reg.store.read() as txn:
        return lookup.find_service(txn, reg.account, service.id).tags


def update_service(reg, service: EndpointService, **changes) -> EndpointService:
    _service_change(reg, service, lambda cloud: write.update_service(cloud, service.id, **changes))
    with reg.store.read() as txn:
        return lookup.counted(txn, lookup.find_service(txn, reg.account, service.id))


def delete_service(reg, service: EndpointService) -> None:
    cloud = _cloud(reg, "delete a service")
    write.delete_service(cloud, service.id)
    with reg.store.read() as txn:
        scope = _service_scope(txn, service.id)
    with reg.store.write() as txn:
        apply(txn, _snapshot(reg, cloud), scope)


# -- endpoints --------------------------------------------------------------------------------------------------
def endpoint_tags(reg, endpoint: Endpoint, set_, delete) -> tuple:
    pairs = [(t.key, t.value) for t in set_]
    return _endpoint_change(reg, endpoint, lambda c: write.tags(c, "endpoint", endpoint.id, pairs, list(delete))).tags


def update_endpoint(reg, endpoint: Endpoint, whitelist: list[str], enabled: bool) -> Endpoint:
    return _endpoint_change(reg, endpoint, lambda c: write.update_endpoint_whitelist(c, endpoint.id, whitelist, enabled))


def create_endpoint(reg, **fields) -> Endpoint:
    cloud = _cloud(reg, "create an endpoint")
    endpoint_id = write.create_endpoint(cloud, **{k: v for k, v in fields.items() if v is not None})
    snap = _snapshot(reg, cloud)
    write.read_endpoint(cloud, snap, endpoint_id)
    with reg.store.write() as txn:
        apply(txn, snap, {})
        return Endpoint.from_dict(txn.get("endpoints", endpoint_id))


def delete_endpoint(reg, endpoint: Endpoint) -> None:
    cloud = _cloud(reg, "delete an endpoint")
    write.delete_endpoint(cloud, endpoint.id)
    with reg.store.write() as txn:
        apply(txn, _snapshot(reg, cloud), {"endpoints": {endpoint.id}, "connection_notes": {endpoint.id}})


# -- the shared steps -------------------------------------------------------------------------------------------
def _cloud(reg, action: str) -> Cloud:
    reg._refuse_if_read_only(action)
    return reg.cloud()


def _snapshot(reg, cloud: Cloud) -> Snapshot:
    """An empty Snapshot for the mirrored account (the one the last pull read, else the acting one)."""
    ident = reg.identity
    with reg.store.read() as txn:
        last = json.loads(txn.meta(LAST_PULL) or "{}")
    return Snapshot(account=last.get("account") or reg.account, project_id=cloud.target.project_id or ident.project,
                    region=ident.region)


def _service_change(reg, service: EndpointService, change: Callable[[Cloud], None], own: list[str] = ()) -> None:
    """The cloud first; then the service, its connections and whitelist (and the `own` endpoints among its
    connections) as the cloud has them."""
    cloud = _cloud(reg, f"change service {service.service_name}")
    change(cloud)
    snap = _snapshot(reg, cloud)
    write.read_service(cloud, snap, service.id)
    for endpoint_id in own:
        write.read_endpoint(cloud, snap, endpoint_id)
    with reg.store.read() as txn:
        scope = _service_scope(txn, service.id)
    with reg.store.write() as txn:
        apply(txn, snap, scope)


def _endpoint_change(reg, endpoint: Endpoint, change: Callable[[Cloud], None]) -> Endpoint:
    cloud = _cloud(reg, f"change endpoint {endpoint.id}")
    change(cloud)
    snap = _snapshot(reg, cloud)
    write.read_endpoint(cloud, snap, endpoint.id)
    with reg.store.write() as txn:
        apply(txn, snap, {})
        return Endpoint.from_dict(txn.get("endpoints", endpoint.id))


def _service_scope(txn: Txn, service_id: str) -> dict[str, set[str]]:
    """What a fresh read of one service may remove: it, its whitelist, notes, and other accounts' connections."""
    stubs = {d["id"] for d in txn.select("endpoints", service_id=service_id) if not d["vpc_id"]}
    return {"services": {service_id}, "endpoints": stubs,
            "whitelist": {d["id"] for d in txn.select("whitelist", service_id=service_id)},
            "connection_notes": {d["id"] for d in txn.select("connection_notes", service_id=service_id)}}


def _entries(reg, service: EndpointService) -> list[WhitelistEntry]:
    with reg.store.read() as txn:
        return lookup.entries(txn, service)
