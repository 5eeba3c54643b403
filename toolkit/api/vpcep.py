"""The operations of VpcepClient v1 (huaweicloudsdkvpcep 3.1.x), each a call of one registry use case.

`ROUTES` lists (method, path, handler, writes); a handler takes the registry acting as the key's account
and the Call, and returns (status, body). Operations the toolkit does not model answer a clear 400.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.api import shapes
from toolkit.api.errors import ApiError
from toolkit.model.permissions import normalize
from toolkit.model.service import PortMapping
from toolkit.model.tags import Tag
from toolkit.registry.endpoints import EndpointRequest


@dataclass
class Call:
    path: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)
    account: str = ""
    project_id: str = ""


def _need(body: dict, key: str, kind=None):
    value = body.get(key)
    if value is None or (kind is not None and not isinstance(value, kind)):
        raise ApiError(400, "EndPoint.0002", f"the body needs {key!r}" + (f" ({kind.__name__})" if kind else ""))
    return value


def _listed(key: str, items: list, call: Call, shape, default_limit: int = 10) -> tuple[int, dict]:
    page, total = shapes.page_of(call.query, default_limit).cut(items)
    return 200, {key: [shape(item) for item in page], "total_count": total}


def _tags(items) -> list[Tag]:
    return [Tag(str(t.get("key", "")), str(t.get("value") or "")) for t in items or []]


# -- services -------------------------------------------------------------------------------------------------
def create_service(reg, call: Call):
    body = call.body
    ports = [PortMapping(server_port=int(p["server_port"]), client_port=int(p["client_port"]),
                         protocol=p.get("protocol") or "TCP") for p in _need(body, "ports", list)]
    made, _ = reg.create_service(vpc=_need(body, "vpc_id", str), server_type=_need(body, "server_type", str),
                                 port_id=_need(body, "port_id", str), ports=ports, name=body.get("service_name"),
                                 approval=bool(body.get("approval_enabled")), tags=_tags(body.get("tags")),
                                 description=body.get("description") or "",
                                 service_type=body.get("service_type") or "interface")
    return 200, shapes.service(made)


def list_services(reg, call: Call):
    own = [s for s in reg.list_services(call.query.get("endpoint_service_name", ""), call.query.get("id", ""))
           if s.domain_id == call.account and not s.builtin]
    if call.query.get("status"):
        own = [s for s in own if s.status == call.query["status"]]
    return _listed("endpoint_services", own, call, shapes.service)


def show_service(reg, call: Call):
    svc = reg.get_service(call.path["vpc_endpoint_service_id"])
    if svc.domain_id != call.account and not svc.builtin:
        raise ApiError(404, "EndPoint.0005", f"no service {svc.id} owned by this project [S12]")
    return 200, shapes.service(svc)


def update_service(reg, call: Call):
    body = call.body
    if body.get("ports") or body.get("port_id"):
        raise ApiError(400, "EndPoint.0002", "ports and backend stay as created [S6]: create another service")
    approval = body.get("approval_enabled")
    changed, _ = reg.update_service(call.path["vpc_endpoint_service_id"], approval=approval,
                                    description=body.get("description"), name=body.get("service_name"))
    return 200, shapes.service(changed)


def rename_service(reg, call: Call):
    changed, _ = reg.update_service(call.path["vpc_endpoint_service_id"],
                                    name=_need(call.body, "endpoint_service_name", str))
    return 200, shapes.service(changed)


def delete_service(reg, call: Call):
    reg.delete_service(call.path["vpc_endpoint_service_id"])
    return 204, None


def public_services(reg, call: Call):
    found = [s for s in reg.list_services(call.query.get("endpoint_service_name", ""), call.query.get("id", ""))
             if s.builtin]
    return _listed("endpoint_services", found, call, shapes.public_service)


def describe_service(reg, call: Call):
    """E3: find a service by its stored name (or id) as the caller may see it."""
    ref = call.query.get("endpoint_service_name") or call.query.get("id")
    if not ref:
        raise ApiError(400, "EndPoint.0002", "give endpoint_service_name or id [E3]")
    if not reg.verify_service(ref) and not call.query.get("id"):
        raise ApiError(404, "EndPoint.0005", "Service name not found. [E3]")
    return 200, shapes.public_service(reg.get_service(ref))


# -- connections ------------------------------------------------------------------------------------------------
def connections(reg, call: Call):
    found = reg.connection_list(call.path["vpc_endpoint_service_id"])
    for key in ("id", "marker_id", "status"):
        if call.query.get(key):
            found = [c for c in found if str(c.to_dict()[key]) == str(call.query[key])]
    return _listed("connections", found, call, shapes.connection)


def decide(reg, call: Call):
    action, ids = _need(call.body, "action", str), _need(call.body, "endpoints", list)
    if action not in ("receive", "reject"):
        raise ApiError(400, "EndPoint.0002", f"action {action!r} is neither receive nor reject [S12]")
    service_id = call.path["vpc_endpoint_service_id"]
    (reg.accept if action == "receive" else reg.reject)(service_id, ids)
    chosen = set(ids)
    return 200, {"connections": [c.to_dict() for c in reg.connection_list(service_id) if c.endpoint.id in chosen]}


def describe_connections(reg, call: Call):
    items = _need(call.body, "connections", list)
    found = reg.describe_connections(call.path["vpc_endpoint_service_id"],
                                     {str(i["id"]): str(i.get("description") or "") for i in items})
    return 200, {"connections": [c.to_dict() for c in found]}


# -- permissions (the whitelist) --------------------------------------------------------------------------------
def permissions(reg, call: Call):
    found = reg.whitelist(call.path["vpc_endpoint_service_id"])
    if call.query.get("permission"):
        found = [e for e in found if call.query["permission"] in e.permission]
    return _listed("permissions", found, call, shapes.permission)


def permissions_action(reg, call: Call):
    action, items = _need(call.body, "action", str), _need(call.body, "permissions", list)
    service_id = call.path["vpc_endpoint_service_id"]
    if action == "add":
        entries = reg.whitelist_add(service_id, [str(i) for i in items])
    elif action == "remove":
        entries = reg.whitelist_remove(service_id, [str(i) for i in items])
    else:
        raise ApiError(400, "EndPoint.0002", f"action {action!r} is neither add nor remove [S13]")
    return 200, {"permissions": [e.permission for e in entries],
                 "permission_type": call.body.get("permission_type") or "domainId"}


def permissions_batch_create(reg, call: Call):
    items = _need(call.body, "permissions", list)
    service_id = call.path["vpc_endpoint_service_id"]
    with reg.batch("change a whitelist"):
        for item in items:
            reg.whitelist_add(service_id, [str(_need(item, "permission", str))], str(item.get("description") or ""))
    wanted = {normalize(i["permission"]) for i in items}
    entries = [e for e in reg.whitelist(service_id) if e.permission in wanted]
    return 200, {"permissions": [shapes.permission(e) for e in entries]}


def permissions_batch_delete(reg, call: Call):
    ids = [str(_need(item, "id", str)) for item in _need(call.body, "permissions", list)]
    service_id = call.path["vpc_endpoint_service_id"]
    gone = [e for e in reg.whitelist(service_id) if e.id in ids]
    reg.whitelist_remove(service_id, ids)
    return 200, {"permissions": [shapes.permission(e) for e in gone]}


def permission_description(reg, call: Call):
    text = str(_need(_need(call.body, "permission", dict), "description", str))
    service_id, entry_id = call.path["vpc_endpoint_service_id"], call.path["permission_id"]
    entries = reg.whitelist_describe(service_id, {entry_id: text})
    return 200, {"permissions": [shapes.permission(e) for e in entries if e.id == entry_id]}


# -- endpoints --------------------------------------------------------------------------------------------------
def create_endpoint(reg, call: Call):
    body = call.body
    made = reg.create_endpoint(EndpointRequest(
        service=_need(body, "endpoint_service_id", str), vpc=_need(body, "vpc_id", str), subnet=body.get("subnet_id"),
        ip=body.get("port_ip"), enable_dns=bool(body.get("enable_dns")), routetables=tuple(body.get("routetables") or ()),
        whitelist=tuple(body.get("whitelist") or ()), tags=tuple(_tags(body.get("tags"))),
        description=body.get("description") or ""))
    return 200, shapes.endpoint(made, with_dns=False)


def list_endpoints(reg, call: Call):
    if not any(call.query.get(k) for k in ("id", "endpoint_service_name", "vpc_id")):
        page, total = reg.endpoints_page(shapes.page_of(call.query))  # cut by the store: the same cost at any size
        return 200, {"endpoints": [shapes.endpoint(e) for e in page], "total_count": total}
    found = reg.list_endpoints(call.query.get("id", ""), call.query.get("endpoint_service_name", ""))
    if call.query.get("vpc_id"):
        found = [e for e in found if e.vpc_id == call.query["vpc_id"]]
    return _listed("endpoints", found, call, shapes.endpoint)


def show_endpoint(reg, call: Call):
    return 200, shapes.endpoint(reg.get_endpoint(call.path["vpc_endpoint_id"]))


def update_whitelist(reg, call: Call):
    body = call.body
    made = reg.update_endpoint(call.path["vpc_endpoint_id"], whitelist=body.get("whitelist"),
                               enable_whitelist=body.get("enable_whitelist"))
    return 200, shapes.endpoint(made)


def update_routetables(reg, call: Call):
    raise ApiError(400, "EndPoint.0002", "a gateway endpoint's route tables stay as created in vpcep-toolkit [E6]: "
                                         "delete the endpoint and create it with the route tables wanted")


def delete_endpoint(reg, call: Call):
    reg.delete_endpoint(call.path["vpc_endpoint_id"])
    return 204, None


# -- quotas, tags, versions -------------------------------------------------------------------------------------
def quotas(reg, call: Call):
    found = [q.to_dict() for q in reg.quotas() if not call.query.get("type") or str(q.type) == call.query["type"]]
    return 200, {"quotas": {"resources": found}}


_KINDS = {"endpoint_service": "service", "endpoint": "endpoint"}


def tags_action(reg, call: Call):
    kind = _resource_kind(call.path["resource_type"])
    action, tags = _need(call.body, "action", str), _tags(_need(call.body, "tags", list))
    set_, delete = (tags, []) if action == "create" else ([], [t.key for t in tags])
    if action not in ("create", "delete"):
        raise ApiError(400, "EndPoint.0002", f"action {action!r} is neither create nor delete [T1]")
    edit = reg.service_tags if kind == "service" else reg.endpoint_tags
    edit(call.path["resource_id"], set_, delete)
    return 204, None


def resource_instances(reg, call: Call):
    kind = _resource_kind(call.path["resource_type"])
    wanted = [Tag(t["key"], v) for t in call.body.get("tags") or [] for v in (t.get("values") or [""])]
    items = (reg.list_services() if kind == "service" else reg.list_endpoints())
    items = [i for i in items if (kind == "endpoint" or i.domain_id == call.account)
             and all(any(t.key == w.key and (not w.value or t.value == w.value) for t in i.tags) for w in wanted)]
    if call.body.get("action") == "count":
        return 200, {"resources": [], "total_count": len(items)}
    limit, offset = int(call.body.get("limit") or 1000), int(call.body.get("offset") or 0)
    page = items[offset:offset + limit]
    return 200, {"resources": [{"resource_id": i.id, "resource_name": getattr(i, "service_name", i.id),
                                "tags": [t.to_dict() for t in i.tags]} for i in page], "total_count": len(items)}


def project_tags(reg, call: Call):
    kind = _resource_kind(call.path["resource_type"])
    items = reg.list_services() if kind == "service" else reg.list_endpoints()
    values: dict[str, set] = {}
    for item in items:
        if kind == "endpoint" or item.domain_id == call.account:
            for tag in item.tags:
                values.setdefault(tag.key, set()).add(tag.value)
    return 200, {"tags": [{"key": k, "values": sorted(v)} for k, v in sorted(values.items())]}


def _resource_kind(resource_type: str) -> str:
    if resource_type not in _KINDS:
        raise ApiError(400, "EndPoint.0002", f"resource_type {resource_type!r} is neither endpoint_service nor "
                                             "endpoint [T1]")
    return _KINDS[resource_type]


VERSION = {"id": "v1", "version": "", "min_version": "", "status": "CURRENT", "updated": "2026-12-01T00:00:00Z",
           "links": [{"href": "v1/", "rel": "self"}]}


def versions(reg, call: Call):
    return 200, {"versions": [VERSION]}


def version(reg, call: Call):
    if call.path["version"] != "v1":
        raise ApiError(404, "EndPoint.0005", f"no API version {call.path['version']!r}: v1 is the one served")
    return 200, {"version": VERSION}


def not_modelled(reg, call: Call):
    raise ApiError(400, "EndPoint.0002", "this operation (endpoint policies, server resources, upgrades) is not "
                                         "modelled by vpcep-toolkit's inventory: it changes nothing here")


# -- the VPC API (huaweicloudsdkvpc v2), read only --------------------------------------------------------------
def _marker_page(items: list, call: Call) -> list:
    limit = int(call.query.get("limit") or 2000)
    marker = call.query.get("marker")
    if marker:
        ids = [i.id for i in items]
        items = items[ids.index(marker) + 1:] if marker in ids else []
    return items[:limit]


def vpcs(reg, call: Call):
    found = [v for v in reg.list_vpcs() if not call.query.get("id") or v.id == call.query["id"]]
    return 200, {"vpcs": [shapes.vpc(v) for v in _marker_page(found, call)]}


def subnets(reg, call: Call):
    found = reg.list_subnets(call.query.get("vpc_id") or None)
    return 200, {"subnets": [shapes.subnet(s) for s in _marker_page(found, call)]}


P = "/v1/{project_id}"
S = P + "/vpc-endpoint-services/{vpc_endpoint_service_id}"
E = P + "/vpc-endpoints/{vpc_endpoint_id}"
ROUTES = [
    ("GET", "/", versions, False), ("GET", "/{version}", version, False),
    ("POST", P + "/vpc-endpoint-services", create_service, True),
    ("GET", P + "/vpc-endpoint-services", list_services, False),
    ("GET", P + "/vpc-endpoint-services/public", public_services, False),
    ("GET", P + "/vpc-endpoint-services/describe", describe_service, False),
    ("GET", S, show_service, False), ("PUT", S, update_service, True), ("DELETE", S, delete_service, True),
    ("PUT", S + "/name", rename_service, True),
    ("GET", S + "/connections", connections, False), ("POST", S + "/connections/action", decide, True),
    ("PUT", S + "/connections/description", describe_connections, True),
    ("GET", S + "/permissions", permissions, False), ("POST", S + "/permissions/action", permissions_action, True),
    ("POST", S + "/permissions/batch-create", permissions_batch_create, True),
    ("POST", S + "/permissions/batch-delete", permissions_batch_delete, True),
    ("PUT", S + "/permissions/{permission_id}", permission_description, True),
    ("POST", P + "/vpc-endpoints", create_endpoint, True), ("GET", P + "/vpc-endpoints", list_endpoints, False),
    ("GET", E, show_endpoint, False), ("PUT", E, update_whitelist, True), ("DELETE", E, delete_endpoint, True),
    ("PUT", E + "/routetables", update_routetables, True),
    ("PUT", E + "/policy", not_modelled, True), ("DELETE", E + "/policy", not_modelled, True),
    ("POST", "/v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/add-server-resources", not_modelled,
     True),
    ("POST", "/v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/upgrade", not_modelled, True),
    ("POST", "/v2/{project_id}/vpc-endpoints/{vpc_endpoint_id}/upgrade", not_modelled, True),
    ("GET", P + "/quotas", quotas, False),
    ("POST", P + "/{resource_type}/{resource_id}/tags/action", tags_action, True),
    ("POST", P + "/{resource_type}/resource_instances/action", resource_instances, False),
    ("GET", P + "/{resource_type}/tags", project_tags, False),
    ("GET", P + "/vpcs", vpcs, False), ("GET", P + "/subnets", subnets, False),
]
