"""The Starlette app: every VpcepClient v1 operation (and the VPC v2 client's list_vpcs/list_subnets).

Each request: size limit, signature (auth), project and role checks, then one registry use case in a
worker thread, the SDK's shape out; any refusal through the one table in errors. Imported only by
`vpcep api serve`.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from typing import Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from toolkit.api import auth, shapes
from toolkit.api import errors as api_errors
from toolkit.api.errors import BAD_PROJECT, BAD_REQUEST, FORBIDDEN, NO_ROUTE, TOO_LARGE, ApiError
from toolkit.errors import ToolkitError
from toolkit.model.tags import Tag
from toolkit.registry.endpoints import EndpointRequest

MAX_BODY = 1 << 20
log = logging.getLogger("vpcep.api")

SVC = "/v1/{project_id}/vpc-endpoint-services"
EPS = "/v1/{project_id}/vpc-endpoints"


# -- request helpers -------------------------------------------------------------------------------------
class Call:
    """One authenticated request: the key, the registry acting as its account, query and body."""

    def __init__(self, reg, key: dict, params: dict, query, body: dict | None) -> None:
        self.reg, self.key, self.params, self.query, self.body = reg, key, params, query, body or {}

    def q(self, name: str, default: str = "") -> str:
        return self.query.get(name, default)

    def field(self, name: str, kind=None, required: bool = False, default=None):
        value = self.body.get(name, default)
        if value is None and required:
            raise ApiError(BAD_REQUEST, f"body field {name!r} is required")
        if value is not None and kind is not None and not isinstance(value, kind):
            raise ApiError(BAD_REQUEST, f"body field {name!r} has the wrong type")
        return value


def page(call: Call, items: list[dict], key: str) -> dict:
    """limit/offset/sort_key/sort_dir over a full list; total_count is the full count."""
    try:
        limit = int(call.q("limit", "10"))
        offset = int(call.q("offset", "0"))
    except ValueError:
        raise ApiError(BAD_REQUEST, "limit and offset must be integers") from None
    if not 1 <= limit <= 1000 or offset < 0:
        raise ApiError(BAD_REQUEST, "limit must be 1..1000 and offset at least 0")
    sort_key = call.q("sort_key", "created_at")
    if sort_key not in ("created_at", "updated_at"):
        raise ApiError(BAD_REQUEST, "sort_key must be created_at or updated_at")
    sort_dir = call.q("sort_dir", "desc")
    if sort_dir not in ("asc", "desc"):
        raise ApiError(BAD_REQUEST, "sort_dir must be asc or desc")
    ordered = sorted(items, key=lambda d: (d.get(sort_key) or d.get("created_at") or ""), reverse=sort_dir == "desc")
    return {key: ordered[offset:offset + limit], "total_count": len(items)}


def _tags_in(items) -> list[Tag]:
    if not isinstance(items, list):
        raise ApiError(BAD_REQUEST, "tags must be a list of {key, value}")
    try:
        return [Tag(str(t["key"]), str(t.get("value", ""))) for t in items]
    except (TypeError, KeyError, AttributeError):
        raise ApiError(BAD_REQUEST, "tags must be a list of {key, value}") from None


# -- endpoint services --------------------------------------------------------------------------------------
def list_endpoint_service(c: Call):
    name, id_, status = c.q("endpoint_service_name"), c.q("id"), c.q("status")
    own = [s for s in c.reg.list_services(name=name, id_=id_) if not s.builtin and s.domain_id == c.reg.account]
    items = [shapes.service(s) for s in own if not status or str(s.status) == status]
    return page(c, items, "endpoint_services")


def list_service_public_details(c: Call):
    name, id_ = c.q("endpoint_service_name"), c.q("id")
    items = [shapes.public_service(s) for s in c.reg.list_services(name=name, id_=id_) if s.builtin]
    return page(c, items, "endpoint_services")


def list_service_describe_details(c: Call):
    name, id_ = c.q("endpoint_service_name"), c.q("id")
    if not name and not id_:
        raise ApiError(BAD_REQUEST, "give endpoint_service_name or id")
    if id_:
        svc = c.reg.get_service(id_)
    else:
        if not c.reg.verify_service(name):
            raise ToolkitError("Service name not found.", rule="E3")
        svc = c.reg.get_service(name)
    return shapes.describe(svc)


def list_service_details(c: Call):
    return shapes.service(c.reg.get_service(c.params["vpc_endpoint_service_id"]))


def create_endpoint_service(c: Call):
    ports = c.field("ports", list, required=True)
    try:
        from toolkit.model.service import PortMapping
        mappings = [PortMapping(protocol=p.get("protocol", "TCP"), server_port=int(p["server_port"]),
                                client_port=int(p["client_port"])) for p in ports]
    except (TypeError, KeyError, ValueError, AttributeError):
        raise ApiError(BAD_REQUEST, "ports must be a list of {client_port, server_port, protocol}") from None
    svc, _warnings = c.reg.create_service(
        vpc=c.field("vpc_id", str, required=True), server_type=c.field("server_type", str, required=True),
        port_id=c.field("port_id", str, required=True), ports=mappings, name=c.field("service_name", str),
        approval=bool(c.field("approval_enabled", bool, default=False)), tags=_tags_in(c.field("tags", default=[])),
        description=c.field("description", str, default=""), service_type=c.field("service_type", str,
                                                                                  default="interface"))
    return shapes.service(svc)


def update_endpoint_service(c: Call):
    for unsupported in ("ports", "port_id", "tcp_proxy", "ip"):
        if c.body.get(unsupported) is not None:
            raise ToolkitError(f"{unsupported} cannot be changed after creation", rule="S6",
                               fix="create a new service with the new ports")
    svc, _ = c.reg.update_service(c.params["vpc_endpoint_service_id"],
                                  approval=c.field("approval_enabled", bool),
                                  description=c.field("description", str), name=c.field("service_name", str))
    return shapes.service(svc)


def update_endpoint_service_name(c: Call):
    svc, _ = c.reg.update_service(c.params["vpc_endpoint_service_id"],
                                  name=c.field("endpoint_service_name", str, required=True))
    return {"endpoint_service_name": svc.service_name}


def delete_endpoint_service(c: Call):
    c.reg.delete_service(c.params["vpc_endpoint_service_id"])
    return None


# -- connections and permissions ------------------------------------------------------------------------
def list_service_connections(c: Call):
    id_, status = c.q("id"), c.q("status")
    items = [shapes.connection(x) for x in c.reg.connection_list(c.params["vpc_endpoint_service_id"])
             if id_ in x.endpoint.id and (not status or str(x.endpoint.status) == status)]
    return page(c, items, "connections")


def accept_or_reject_endpoint(c: Call):
    action = c.field("action", str, required=True)
    ids = c.field("endpoints", list, required=True)
    ref = c.params["vpc_endpoint_service_id"]
    if action == "receive":
        changed = c.reg.accept(ref, [str(i) for i in ids])
    elif action == "reject":
        changed = c.reg.reject(ref, [str(i) for i in ids])
    else:
        raise ApiError(BAD_REQUEST, "action must be receive or reject", rule="S12")
    notes = c.reg.connection_descriptions(ref)
    return {"connections": [{"id": e.id, "marker_id": e.marker_id, "status": str(e.status), "domain_id": e.domain_id,
                             "created_at": e.created_at, "updated_at": e.updated_at,
                             "description": notes.get(e.id, ""), "error": []} for e in changed]}


def update_endpoint_connections_desc(c: Call):
    items = c.field("connections", list, required=True)
    try:
        texts = {str(i["id"]): str(i.get("description", "")) for i in items}
    except (TypeError, KeyError):
        raise ApiError(BAD_REQUEST, "connections must be a list of {id, description}") from None
    conns = c.reg.describe_connections(c.params["vpc_endpoint_service_id"], texts)
    return {"connections": [shapes.connection(x) for x in conns if x.endpoint.id in texts]}


def list_service_permissions_details(c: Call):
    permission = c.q("permission")
    items = [shapes.permission(e) for e in c.reg.whitelist(c.params["vpc_endpoint_service_id"])
             if permission in e.permission]
    return page(c, items, "permissions")


def add_or_remove_service_permissions(c: Call):
    action = c.field("action", str, required=True)
    entries = [str(p) for p in c.field("permissions", list, required=True)]
    ref = c.params["vpc_endpoint_service_id"]
    if action == "add":
        result = c.reg.whitelist_add(ref, entries)
    elif action == "remove":
        result = c.reg.whitelist_remove(ref, entries)
    else:
        raise ApiError(BAD_REQUEST, "action must be add or remove", rule="S13")
    return {"permissions": [e.permission for e in result], "permission_type": "domainId"}


def batch_add_endpoint_service_permissions(c: Call):
    items = c.field("permissions", list, required=True)
    ref = c.params["vpc_endpoint_service_id"]
    try:
        wanted = [(str(i["permission"]), str(i.get("description") or "")) for i in items]
    except (TypeError, KeyError):
        raise ApiError(BAD_REQUEST, "permissions must be a list of {permission, description}") from None
    with c.reg.batch("change a whitelist"):
        for permission, description in wanted:
            result = c.reg.whitelist_add(ref, [permission], description)
    added = {p for p, _ in wanted}
    from toolkit.model import permissions as prules
    added |= {prules.normalize(p) for p in added}
    return {"permissions": [shapes.permission(e) for e in result if e.permission in added]}


def batch_remove_endpoint_service_permissions(c: Call):
    items = c.field("permissions", list, required=True)
    try:
        ids = [str(i["id"]) for i in items]
    except (TypeError, KeyError):
        raise ApiError(BAD_REQUEST, "permissions must be a list of {id}") from None
    c.reg.whitelist_remove(c.params["vpc_endpoint_service_id"], ids)
    return {}


def update_endpoint_service_permission_desc(c: Call):
    ref, pid = c.params["vpc_endpoint_service_id"], c.params["permission_id"]
    item = c.field("permission", dict, required=True)
    description = item.get("description")
    if not isinstance(description, str):
        raise ApiError(BAD_REQUEST, "permission.description is required")
    result = c.reg.whitelist_describe(ref, {pid: description})
    return {"permissions": [shapes.permission(e) for e in result if e.id == pid]}


# -- endpoints ----------------------------------------------------------------------------------------------
def create_endpoint(c: Call):
    routetables = c.field("routetables", list, default=[])
    request = EndpointRequest(
        service=c.field("endpoint_service_id", str, required=True), vpc=c.field("vpc_id", str, required=True),
        subnet=c.field("subnet_id", str), ip=c.field("port_ip", str), enable_dns=bool(c.field("enable_dns", bool)),
        routetables=tuple(str(r) for r in routetables),
        whitelist=tuple(str(w) for w in (c.field("whitelist", list, default=[]) if c.body.get("enable_whitelist",
                                                                                              True) else [])),
        tags=tuple(_tags_in(c.field("tags", default=[]))), description=c.field("description", str, default=""))
    return shapes.endpoint(c.reg.create_endpoint(request), with_dns=False)


def list_endpoints(c: Call):
    id_, name, vpc_id = c.q("id"), c.q("endpoint_service_name"), c.q("vpc_id")
    items = [shapes.endpoint(e) for e in c.reg.list_endpoints(id_=id_, service=name)
             if not vpc_id or e.vpc_id == vpc_id]
    return page(c, items, "endpoints")


def list_endpoint_info_details(c: Call):
    return shapes.endpoint(c.reg.get_endpoint(c.params["vpc_endpoint_id"]))


def update_endpoint_white(c: Call):
    whitelist = c.field("whitelist", list)
    ep = c.reg.update_endpoint(c.params["vpc_endpoint_id"],
                               whitelist=None if whitelist is None else [str(w) for w in whitelist],
                               enable_whitelist=c.field("enable_whitelist", bool))
    return shapes.endpoint(ep)


def update_endpoint_routetable(c: Call):
    tables = [str(t) for t in c.field("routetables", list, required=True)]
    ep = c.reg.get_endpoint(c.params["vpc_endpoint_id"])
    if sorted(tables) != sorted(ep.routetables):
        raise ToolkitError("changing a gateway endpoint's route tables is not supported here", rule="E6",
                           fix="delete the endpoint and create it with the route tables wanted")
    return {"routetables": list(ep.routetables)}


def delete_endpoint(c: Call):
    c.reg.delete_endpoint(c.params["vpc_endpoint_id"])
    return None


# -- quotas, tags, versions, VPC subset ---------------------------------------------------------------------
def list_quota_details(c: Call):
    kind = c.q("type")
    return {"quotas": {"resources": [shapes.quota(q) for q in c.reg.quotas() if not kind or str(q.type) == kind]}}


RESOURCE_TYPES = ("endpoint_service", "endpoint")


def batch_add_or_remove_resource_instance(c: Call):
    rtype, rid = c.params["resource_type"], c.params["resource_id"]
    if rtype not in RESOURCE_TYPES:
        raise ApiError(BAD_REQUEST, f"resource_type must be one of {', '.join(RESOURCE_TYPES)}")
    action = c.field("action", str, required=True)
    tag_list = _tags_in(c.field("tags", required=True))
    if action == "create":
        change = {"set_": tag_list}
    elif action == "delete":
        change = {"delete": [t.key for t in tag_list]}
    else:
        raise ApiError(BAD_REQUEST, "action must be create or delete", rule="T1")
    (c.reg.service_tags if rtype == "endpoint_service" else c.reg.endpoint_tags)(rid, **change)
    return None


def _resources(c: Call, rtype: str) -> list:
    if rtype == "endpoint_service":
        return [s for s in c.reg.list_services() if not s.builtin and s.domain_id == c.reg.account]
    if rtype == "endpoint":
        return c.reg.list_endpoints()
    raise ApiError(BAD_REQUEST, f"resource_type must be one of {', '.join(RESOURCE_TYPES)}")


def list_query_project_resource_tags(c: Call):
    keys: dict[str, set] = {}
    for r in _resources(c, c.params["resource_type"]):
        for t in r.tags:
            keys.setdefault(t.key, set()).add(t.value)
    return {"tags": [{"key": k, "values": sorted(v)} for k, v in sorted(keys.items())]}


def list_resource_instances(c: Call):
    action = c.field("action", str, required=True)
    if action not in ("filter", "count"):
        raise ApiError(BAD_REQUEST, "action must be filter or count")
    wanted = c.field("tags", list, default=[])
    found = []
    for r in _resources(c, c.params["resource_type"]):
        have = {t.key: t.value for t in r.tags}
        if all(t.get("key") in have and (not t.get("values") or have[t["key"]] in t["values"]) for t in wanted):
            found.append(r)
    if action == "count":
        return {"total_count": len(found)}
    limit, offset = int(c.body.get("limit") or 1000), int(c.body.get("offset") or 0)
    items = [{"resource_id": r.id, "resource_name": getattr(r, "service_name", "") or r.id,
              "tags": shapes.tags(r.tags)} for r in found]
    return {"resources": items[offset:offset + limit], "total_count": len(found)}


VERSION = {"id": "v1", "version": "", "min_version": "", "status": "CURRENT", "updated": "2026-01-01T00:00:00Z",
           "links": [{"href": "", "rel": "self"}]}


def list_version_details(c: Call):
    return {"versions": [VERSION]}


def list_specified_version_details(c: Call):
    if c.params["version"] != "v1":
        raise ToolkitError(f"no API version {c.params['version']}", rule="", fix="use v1")
    return {"version": VERSION}


def list_vpcs(c: Call):
    return _marker_page(c, [shapes.vpc(v) for v in c.reg.list_vpcs()], "vpcs")


def list_subnets(c: Call):
    vpc_id = c.q("vpc_id")
    items = [shapes.subnet(s) for s in c.reg.list_subnets() if not vpc_id or s.vpc_id == vpc_id]
    return _marker_page(c, items, "subnets")


def _marker_page(c: Call, items: list[dict], key: str) -> dict:
    try:
        limit = int(c.q("limit", "2000"))
    except ValueError:
        raise ApiError(BAD_REQUEST, "limit must be an integer") from None
    items.sort(key=lambda d: d["id"])
    marker = c.q("marker")
    if marker:
        items = [d for d in items if d["id"] > marker]
    return {key: items[:max(limit, 0)]}


def unsupported(name: str) -> Callable:
    def handler(c: Call):
        raise ApiError(BAD_REQUEST, f"{name} is not supported by vpcep api serve",
                       fix="see docs/api.md for the operations this server answers")
    handler.__name__ = name
    return handler


# (method, path, handler, write?, success status)
OPERATIONS = [
    ("GET", SVC, list_endpoint_service, False, 200),
    ("POST", SVC, create_endpoint_service, True, 200),
    ("GET", SVC + "/public", list_service_public_details, False, 200),
    ("GET", SVC + "/describe", list_service_describe_details, False, 200),
    ("GET", SVC + "/{vpc_endpoint_service_id}", list_service_details, False, 200),
    ("PUT", SVC + "/{vpc_endpoint_service_id}", update_endpoint_service, True, 200),
    ("DELETE", SVC + "/{vpc_endpoint_service_id}", delete_endpoint_service, True, 204),
    ("PUT", SVC + "/{vpc_endpoint_service_id}/name", update_endpoint_service_name, True, 200),
    ("GET", SVC + "/{vpc_endpoint_service_id}/connections", list_service_connections, False, 200),
    ("POST", SVC + "/{vpc_endpoint_service_id}/connections/action", accept_or_reject_endpoint, True, 200),
    ("PUT", SVC + "/{vpc_endpoint_service_id}/connections/description", update_endpoint_connections_desc, True, 200),
    ("GET", SVC + "/{vpc_endpoint_service_id}/permissions", list_service_permissions_details, False, 200),
    ("POST", SVC + "/{vpc_endpoint_service_id}/permissions/action", add_or_remove_service_permissions, True, 200),
    ("POST", SVC + "/{vpc_endpoint_service_id}/permissions/batch-create", batch_add_endpoint_service_permissions,
     True, 200),
    ("POST", SVC + "/{vpc_endpoint_service_id}/permissions/batch-delete", batch_remove_endpoint_service_permissions,
     True, 200),
    ("PUT", SVC + "/{vpc_endpoint_service_id}/permissions/{permission_id}", update_endpoint_service_permission_desc,
     True, 200),
    ("GET", EPS, list_endpoints, False, 200),
    ("POST", EPS, create_endpoint, True, 200),
    ("GET", EPS + "/{vpc_endpoint_id}", list_endpoint_info_details, False, 200),
    ("PUT", EPS + "/{vpc_endpoint_id}", update_endpoint_white, True, 200),
    ("DELETE", EPS + "/{vpc_endpoint_id}", delete_endpoint, True, 204),
    ("PUT", EPS + "/{vpc_endpoint_id}/routetables", update_endpoint_routetable, True, 200),
    ("PUT", EPS + "/{vpc_endpoint_id}/policy", unsupported("update_endpoint_policy"), True, 200),
    ("DELETE", EPS + "/{vpc_endpoint_id}/policy", unsupported("delete_endpoint_policy"), True, 200),
    ("POST", "/v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/add-server-resources",
     unsupported("add_endpoint_service_server_resource"), True, 200),
    ("POST", "/v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/upgrade",
     unsupported("upgrade_endpoint_service"), True, 200),
    ("POST", "/v2/{project_id}/vpc-endpoints/{vpc_endpoint_id}/upgrade", unsupported("upgrade_endpoint"), True, 200),
    ("GET", "/v1/{project_id}/quotas", list_quota_details, False, 200),
    ("GET", "/v1/{project_id}/vpcs", list_vpcs, False, 200),
    ("GET", "/v1/{project_id}/subnets", list_subnets, False, 200),
    ("POST", "/v1/{project_id}/{resource_type}/resource_instances/action", list_resource_instances, False, 200),
    ("GET", "/v1/{project_id}/{resource_type}/tags", list_query_project_resource_tags, False, 200),
    ("POST", "/v1/{project_id}/{resource_type}/{resource_id}/tags/action", batch_add_or_remove_resource_instance,
     True, 204),
    ("GET", "/", list_version_details, False, 200),
    ("GET", "/{version}", list_specified_version_details, False, 200),
]


# -- the app ------------------------------------------------------------------------------------------------
def create_app(reg) -> Starlette:
    """The ASGI app over one registry (its store is thread-safe; use cases run in worker threads)."""

    def lookup(ak: str):
        return reg.key_secret(ak)

    def registry_for(key: dict):
        return reg if key["domain_id"] == reg.identity.account else reg.acting(key["domain_id"])

    async def read_body(request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            raise ApiError(TOO_LARGE, f"body over {MAX_BODY} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise ApiError(TOO_LARGE, f"body over {MAX_BODY} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def authenticate(request: Request, body: bytes) -> dict:
        headers = {k.lower(): v for k, v in request.headers.items()}
        raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("?")[0]
        query = request.scope.get("query_string", b"").decode("latin-1")
        return await run_in_threadpool(auth.verify, method=request.method, raw_path=raw_path, raw_query=query,
                                       headers=headers, body=body, lookup=lookup)

    def check_project(request: Request, key: dict) -> None:
        project = request.path_params.get("project_id")
        header = request.headers.get("x-project-id")
        if project is None:
            return
        if project in ("{project_id}", "%7Bproject_id%7D") or "{" in project:
            raise ApiError(BAD_PROJECT, "the path's project_id was never filled in",
                           fix="give BasicCredentials(ak, sk, project_id) or use with_region")
        if project != key["project_id"] or (header and header != key["project_id"]):
            raise ApiError(BAD_PROJECT, f"project {project} is not this key's project ({key['project_id']})",
                           fix="use the project_id `vpcep api key create` printed")

    def wrap(handler: Callable, write: bool, ok: int):
        async def endpoint(request: Request) -> Response:
            body_bytes = await read_body(request)
            key = await authenticate(request, body_bytes)
            request.state.ak = key["id"]
            check_project(request, key)
            if write and key.get("role") != "admin":
                raise ApiError(FORBIDDEN, f"key {key['id']} is a viewer: {handler.__name__} changes the state",
                               rule="V1", fix="use an admin key (`vpcep api key create --role admin`)")
            body = None
            if body_bytes.strip():
                try:
                    body = json.loads(body_bytes)
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(BAD_REQUEST, "the body is not JSON") from None
                if not isinstance(body, dict):
                    raise ApiError(BAD_REQUEST, "the body must be a JSON object")
            call = Call(registry_for(key), key, dict(request.path_params), request.query_params, body)
            result = await run_in_threadpool(handler, call)
            if result is None or ok == 204:
                return Response(status_code=ok if result is None else 200)
            return JSONResponse(result, status_code=ok)
        endpoint.__name__ = handler.__name__
        return endpoint

    async def iam_projects(request: Request) -> Response:
        body = await read_body(request)
        key = await authenticate(request, body)
        request.state.ak = key["id"]
        name = request.query_params.get("name", "")
        ident = reg.identity
        projects = [{"id": key["project_id"], "domain_id": key["domain_id"], "name": ident.region,
                     "enabled": True}] if name in ("", ident.region) else []
        return JSONResponse({"projects": projects, "links": {"self": str(request.url)}})

    routes = [Route("/v3/projects", iam_projects, methods=["GET"])]
    by_path: dict[str, list] = {}
    for method, path, handler, write, ok in OPERATIONS:
        by_path.setdefault(path, []).append((method, wrap(handler, write, ok)))
    for path, methods in by_path.items():
        routes.append(Route(path, _dispatch(dict(methods)), methods=[m for m, _ in methods]))

    async def api_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, ApiError):
            status, code, msg = exc.status, exc.code, exc.message
        elif isinstance(exc, ToolkitError):
            status, code, msg = api_errors.from_toolkit(exc)
        else:
            from starlette.exceptions import HTTPException
            if isinstance(exc, HTTPException):
                status, code = (api_errors.BAD_METHOD if exc.status_code == 405 else NO_ROUTE)
                msg = f"{request.method} {request.url.path} is no operation of this API"
            else:
                log.exception("internal error")
                status, code, msg = 500, "APIGW.0201", "internal error"
        return JSONResponse({"error_code": code, "error_msg": msg, "request_id": request.state.request_id},
                            status_code=status)

    async def stamp(request: Request, call_next):
        request.state.request_id = uuid.uuid4().hex
        request.state.ak = "-"
        start = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:  # noqa: BLE001 - one answer shape for everything
            response = await api_error(request, exc)
        response.headers["X-Request-Id"] = request.state.request_id
        ms = (time.perf_counter() - start) * 1000
        print(f"{request.method} {request.url.path} {response.status_code} {ms:.1f}ms ak={request.state.ak}",
              file=sys.stderr, flush=True)
        return response

    app = Starlette(routes=routes, exception_handlers={ApiError: api_error,
                                                       ToolkitError: api_error, 404: api_error, 405: api_error},
                    middleware=[Middleware(BaseHTTPMiddleware, dispatch=stamp)])

    return app


def _dispatch(methods: dict):
    async def endpoint(request: Request) -> Response:
        handler = methods.get(request.method)
        if handler is None:
            raise ApiError(api_errors.BAD_METHOD, f"{request.method} is not allowed here")
        return await handler(request)
    return endpoint
