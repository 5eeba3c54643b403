"""The SDK's model objects (as their `to_dict()`) → the state's documents, checked by the model on the way.

The state's documents are the API's own shapes with a few keys of ours: the owner `domain_id` and `region`
on every resource, `builtin`/`short_name` on services, `service_id` on whitelist entries. Each document is
read back through its model record, so a value the model does not know (a status, a type) fails the
page here (CloudUnavailable: the pull changes nothing) instead of breaking a later read.
"""

from __future__ import annotations

from datetime import datetime, timezone

from toolkit.errors import CloudUnavailable
from toolkit.model.endpoint import Endpoint
from toolkit.model.network import Subnet, Vpc
from toolkit.model.permissions import WhitelistEntry
from toolkit.model.service import BUILTIN_PORTS, EndpointService

CLOUD_OWNER = "cloud"
"""The owner of the region's public services, as the state records its built-in ones (S2)."""


def stamp(value) -> str:
    """A time as the state writes it (`2026-12-02T12:49:43.035Z`), from the SDK's datetime or a string."""
    if isinstance(value, datetime):
        value = value.astimezone(timezone.utc) if value.tzinfo else value
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return str(value or "")


def short_name(service_name: str, service_id: str) -> str:
    """S5: `<region>.<name>.<id>` → `<name>` (empty for `<region>.<id>`)."""
    middle = service_name.removesuffix(f".{service_id}").split(".", 1)
    return middle[1] if len(middle) == 2 else ""


def service(item: dict, region: str, owner: str = "") -> dict:
    """An own endpoint service (ServiceList; the details answer names no domain_id: `owner` then)."""
    doc = {
        "id": item["id"], "service_name": item["service_name"], "service_type": item["service_type"],
        "server_type": item.get("server_type"), "port_id": item.get("port_id"), "vpc_id": item.get("vpc_id"),
        "approval_enabled": bool(item.get("approval_enabled")),
        "ports": [_port(p) for p in item.get("ports") or []], "tags": _tags(item),
        "description": item.get("description") or "", "status": item.get("status") or "available",
        "connection_count": 0, "domain_id": item.get("domain_id") or owner,
        "project_id": item.get("project_id") or "", "region": region, "created_at": stamp(item.get("created_at")), "updated_at": stamp(item.get("updated_at")),
        "builtin": False, "short_name": short_name(item["service_name"], item["id"]),
    }
    return _checked(EndpointService, doc)


def public_service(item: dict, region: str, project_id: str) -> dict:
    """A public (cloud) service of the region (EndpointService): the state's built-in kind (S2)."""
    name = short_name(item["service_name"], item["id"])
    ports = BUILTIN_PORTS.get(name, ((443, 443),))
    doc = {
        "id": item["id"], "service_name": item["service_name"], "service_type": item["service_type"],
        "server_type": None, "port_id": None, "vpc_id": None, "approval_enabled": False,
        "ports": [{"protocol": "TCP", "server_port": s, "client_port": c} for s, c in ports], "tags": [],
        "description": f"{name.upper() or item['service_name']} cloud service", "status": "available",
        "connection_count": 0, "domain_id": CLOUD_OWNER, "project_id": project_id, "region": region,
        "created_at": stamp(item.get("created_at")), "updated_at": stamp(item.get("created_at")),
        "builtin": True, "short_name": name,
    }
    return _checked(EndpointService, doc)


def endpoint(item: dict, account: str, region: str) -> dict:
    """An own endpoint (EndpointResponseBody, with its `dns_names`)."""
    doc = {
        "id": item["id"], "endpoint_service_id": item["endpoint_service_id"],
        "endpoint_service_name": item.get("endpoint_service_name") or "", "service_type": item["service_type"],
        "status": item["status"], "ip": item.get("ip") or None, "marker_id": int(item.get("marker_id") or 0),
        "vpc_id": item.get("vpc_id") or "", "subnet_id": item.get("subnet_id") or None,
        "enable_dns": bool(item.get("enable_dns")), "dns_names": list(item.get("dns_names") or []),
        "routetables": list(item.get("routetables") or []), "enable_whitelist": bool(item.get("enable_whitelist")),
        "whitelist": list(item.get("whitelist") or []), "tags": _tags(item),
        "description": item.get("description") or "", "domain_id": account,
        "project_id": item.get("project_id") or "", "region": region,
        "created_at": stamp(item.get("created_at")), "updated_at": stamp(item.get("updated_at")),
    }
    return _checked(Endpoint, doc)


def connection(item: dict, svc: dict) -> dict:
    """Another account's endpoint connected to an own service (ConnectionEndpoints): what the owner sees of it."""
    doc = {
        "id": item["id"], "endpoint_service_id": svc["id"], "endpoint_service_name": svc["service_name"],
        "service_type": svc["service_type"], "status": item["status"], "ip": None,
        "marker_id": int(item.get("marker_id") or 0), "vpc_id": "", "subnet_id": None, "enable_dns": False,
        "dns_names": [], "routetables": [], "enable_whitelist": False, "whitelist": [], "tags": [],
        "description": "", "domain_id": item.get("domain_id") or "", "project_id": "", "region": svc["region"],
        "created_at": stamp(item.get("created_at")), "updated_at": stamp(item.get("updated_at")),
    }
    return _checked(Endpoint, doc)


def connection_note(item: dict, service_id: str) -> dict | None:
    """The owner's description of a connection (S12), when there is one."""
    if not item.get("description"):
        return None
    return {"id": item["id"], "service_id": service_id, "description": item["description"],
            "updated_at": stamp(item.get("updated_at"))}


def permission(item: dict, service_id: str) -> dict:
    """A whitelist entry of an own service (EpsPermission)."""
    doc = {"id": item["id"], "permission": item["permission"], "description": item.get("description") or "",
           "created_at": stamp(item.get("created_at"))}
    return {**_checked(WhitelistEntry, doc), "service_id": service_id}


def quota(item: dict, account: str) -> dict | None:
    """The account's limit for one resource type (Quotas); types the state does not count are left out."""
    if item.get("type") not in ("endpoint_service", "endpoint"):
        return None
    return {"id": f"{account}:{item['type']}", "domain_id": account, "type": item["type"], "quota": int(item["quota"])}


def vpc(item: dict, account: str) -> dict:
    routes = [{"destination": r["destination"], "nexthop": r.get("nexthop") or "", "origin": "custom"}
              for r in item.get("routes") or []]
    doc = {"id": item["id"], "name": item["name"], "cidr": item["cidr"], "domain_id": account, "routetable_id": "",
           "routes": routes, "created_at": stamp(item.get("created_at"))}
    return _checked(Vpc, doc)


def subnet(item: dict, account: str) -> dict:
    doc = {"id": item["id"], "name": item["name"], "cidr": item["cidr"], "vpc_id": item["vpc_id"],
           "domain_id": account, "created_at": stamp(item.get("created_at"))}
    return _checked(Subnet, doc)


def account(domain_id: str) -> dict:
    return {"id": domain_id, "domain_id": domain_id, "org_path": ""}


def _port(item: dict) -> dict:
    return {"protocol": item.get("protocol") or "TCP", "server_port": int(item["server_port"]),
            "client_port": int(item["client_port"])}


def _tags(item: dict) -> list[dict]:
    return [{"key": t["key"], "value": t.get("value") or ""} for t in item.get("tags") or []]


def _checked(record, doc: dict) -> dict:
    """The document as its model record writes it back (extra keys kept), or the page fails."""
    try:
        return {**doc, **record.from_dict(doc).to_dict()}
    except (KeyError, TypeError, ValueError) as exc:
        raise CloudUnavailable(f"the cloud's {record.__name__} {doc.get('id', '?')} does not parse: {exc}",
                               fix="the cloud answered a shape this toolkit does not know; nothing changed") from None
