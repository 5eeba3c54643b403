"""Registry objects → the response shapes of huaweicloudsdkvpcep v1 / huaweicloudsdkvpc v2 (their key names).

The state's documents are already the API's objects plus a few keys of ours; the SDK drops unknown keys.
"""

from __future__ import annotations

import ipaddress


def _plain(doc: dict) -> dict:
    return {k: (str(v) if hasattr(v, "value") else v) for k, v in doc.items()}


def service(svc) -> dict:
    """ServiceList / the details of an own (or visible) service; `error` items are {code, message}."""
    doc = _plain(svc.to_dict())
    doc.update(error=[], tcp_proxy="close", enable_policy=False, ip_version="ipv4")
    return doc


def public_service(svc) -> dict:
    """EndpointService (public list): id, owner, service_name, service_type, created_at, is_charge."""
    return {"id": svc.id, "owner": svc.domain_id, "service_name": svc.service_name,
            "service_type": str(svc.service_type), "created_at": svc.created_at, "is_charge": False,
            "enable_policy": False}


def describe(svc) -> dict:
    """ListServiceDescribeDetailsResponse."""
    return {"id": svc.id, "service_name": svc.service_name, "service_type": str(svc.service_type),
            "created_at": svc.created_at, "is_charge": False, "enable_policy": False}


def endpoint(ep, *, with_dns: bool = True) -> dict:
    """EndpointResponseBody; `error` items are {error_code, error_message}; create's answer has no dns_names."""
    doc = _plain(ep.to_dict())
    doc.update(error=[], active_status=["active"] if str(ep.status) == "accepted" else [],
               enable_status="enable", specification_name="default")
    if not with_dns:
        doc.pop("dns_names", None)
    return doc


def connection(conn) -> dict:
    """ConnectionEndpoints; `error` items are {error_code, error_message}."""
    return {**conn.to_dict(), "error": []}


def permission(entry) -> dict:
    """EpsPermission."""
    return {**_plain(entry.to_dict()), "permission_type": "domainId"}


def quota(q) -> dict:
    return {"type": str(q.type), "used": q.used, "quota": q.quota, "min": 0}


def vpc(v) -> dict:
    doc = _plain(v.to_dict())
    return {"id": doc["id"], "name": doc["name"], "cidr": doc["cidr"], "status": "OK", "description": "",
            "enterprise_project_id": "0", "routes": [{"destination": r["destination"], "nexthop": r["nexthop"]}
                                                     for r in doc.get("routes") or []],
            "created_at": doc.get("created_at", "")}


def subnet(s) -> dict:
    doc = _plain(s.to_dict())
    network = ipaddress.ip_network(doc["cidr"], strict=False)
    return {"id": doc["id"], "name": doc["name"], "cidr": doc["cidr"], "vpc_id": doc["vpc_id"],
            "gateway_ip": str(network.network_address + 1), "status": "ACTIVE", "dhcp_enable": True,
            "description": "", "availability_zone": "", "ipv6_enable": False,
            "neutron_network_id": doc["id"], "neutron_subnet_id": doc["id"], "dnsList": [], "tags": []}


def tags(tag_list) -> list[dict]:
    return [{"key": t.key, "value": t.value} for t in tag_list]
