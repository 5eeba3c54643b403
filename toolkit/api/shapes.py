"""The registry's records in the SDK's key names (huaweicloudsdkvpcep v1 models).

The state's documents are already the API's shapes; these functions drop what the API does not name
(the SDK would drop it anyway) and add the few derived keys it does.
"""

from __future__ import annotations

from toolkit.model.paging import Page


def service(svc) -> dict:
    doc = svc.to_dict()
    return {**doc, "ports": [{**p, "protocol": p.get("protocol", "TCP")} for p in doc["ports"]]}


def public_service(svc) -> dict:
    """EndpointService (public list) and the describe answer."""
    return {"id": svc.id, "owner": svc.domain_id, "service_name": svc.service_name, "service_type": svc.service_type,
            "created_at": svc.created_at, "is_charge": False, "enable_policy": False}


def endpoint(ep, *, with_dns: bool = True) -> dict:
    doc = ep.to_dict()
    doc["active_status"] = ["active"] if doc["status"] == "accepted" else []
    if not with_dns:  # create_endpoint's answer has no dns_names
        doc.pop("dns_names", None)
    return doc


def connection(conn) -> dict:
    return conn.to_dict()


def permission(entry) -> dict:
    kind = "orgPath" if entry.permission.startswith("organizations:") else "domainId"
    return {"id": entry.id, "permission": entry.permission, "permission_type": kind,
            "description": entry.description, "created_at": entry.created_at}


def vpc(v) -> dict:
    return {"id": v.id, "name": v.name, "cidr": v.cidr, "status": "OK", "description": "",
            "routes": [{"destination": r.destination, "nexthop": r.nexthop} for r in v.routes],
            "created_at": v.created_at}


def subnet(s) -> dict:
    return {"id": s.id, "name": s.name, "cidr": s.cidr, "gateway_ip": s.gateway_ip, "vpc_id": s.vpc_id,
            "status": "ACTIVE", "dhcp_enable": True, "created_at": s.created_at}


def page_of(query, default_limit: int = 10, sort: str = "created_at") -> Page:
    """The API's paging query (limit default 10 as the cloud's, offset, sort_key, sort_dir)."""
    from toolkit.api.errors import ApiError
    try:
        limit = int(query.get("limit") or default_limit)
        offset = int(query.get("offset") or 0)
    except ValueError:
        raise ApiError(400, "EndPoint.0002", "limit and offset are whole numbers [E12]") from None
    return Page(limit, offset, query.get("sort_key") or sort, (query.get("sort_dir") or "desc").lower())
