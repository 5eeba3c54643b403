"""The Starlette application of `vpcep api serve`: every request signed (R2), scoped to its key's account and
project (R1), answered as the SDK expects (JSON, X-Request-Id), logged in one line (never a secret)."""

from __future__ import annotations

import json
import sys
import time
import uuid
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from toolkit.api import auth, vpcep
from toolkit.api.errors import ApiError, from_toolkit
from toolkit.errors import ToolkitError

MAX_BODY = 1 << 20
"""Bodies over 1 MiB are refused (413)."""


def create_app(registry, *, log=None) -> Starlette:
    """The API over one registry (its store is shared by every request; each acts as its key's account)."""
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    by_path: dict[str, dict] = {}
    for method, path, handler, writes in vpcep.ROUTES:
        by_path.setdefault(path, {})[method] = _endpoint(registry, handler, writes, log)
    by_path["/v3/projects"] = {"GET": _endpoint(registry, _projects, False, log, scoped=False)}
    # One Route per path with all its methods, so Starlette answers 405 (not 404) for a path's other methods.
    app = Starlette(routes=[Route(path, _dispatch(handlers), methods=list(handlers))
                            for path, handlers in by_path.items()])
    app.add_exception_handler(404, _no_route(log))
    app.add_exception_handler(405, _no_route(log))
    return app


def _dispatch(handlers: dict):
    async def dispatch(request: Request) -> Response:
        return await handlers.get(request.method, handlers.get("GET"))(request)  # HEAD is GET's
    return dispatch


def _endpoint(registry, handler, writes: bool, log, scoped: bool = True):
    async def endpoint(request: Request) -> Response:
        started, request_id, ak = time.perf_counter(), uuid.uuid4().hex, "-"
        try:
            body = await _body(request)
            raw_path = request.scope.get("raw_path", b"").decode("latin-1").split("?")[0] or request.url.path
            headers = {k.lower(): v for k, v in request.headers.items()}
            key = await run_in_threadpool(auth.verify, request.method, raw_path, request.url.query, headers, body,
                                          registry.find_key)
            ak = key.ak
            call = vpcep.Call(path=dict(request.path_params), query=dict(request.query_params),
                              body=_json(body), account=key.domain_id, project_id=key.project_id)
            if scoped:
                _check_scope(call, key, writes)
            status, answer = await run_in_threadpool(_run, registry, handler, key, call)
            response = Response(status_code=204) if answer is None else JSONResponse(answer, status_code=status)
        except ApiError as exc:
            response = _error(exc, request_id)
        response.headers["X-Request-Id"] = request_id
        log(f"{request.method} {request.url.path} {response.status_code} "
            f"{(time.perf_counter() - started) * 1000:.1f}ms ak={ak}")
        return response
    return endpoint


def _run(registry, handler, key, call):
    reg = registry.acting(key.domain_id)
    try:
        return handler(reg, call)
    except ToolkitError as exc:
        raise from_toolkit(exc) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ApiError(400, "EndPoint.0002", f"a parameter has the wrong shape: {exc}") from None
    finally:
        reg.close()


def _check_scope(call, key, writes: bool) -> None:
    project = call.path.get("project_id")
    if project is not None and project in ("{project_id}", "%7Bproject_id%7D"):
        raise ApiError(400, "EndPoint.0014", "the path's project id is the unexpanded {project_id} [R1]",
                       "give the project id (BasicCredentials(ak, sk, project_id), or with_region)")
    if project is not None and project != key.project_id:
        raise ApiError(403, "EndPoint.0014", f"project {project} is not this key's project [R1]",
                       "use the project id `vpcep api key create` printed for this key")
    if writes and key.role != "admin":
        raise ApiError(403, "EndPoint.0012", "a viewer key may read, not change [R1]",
                       "use an admin key (vpcep api key create --role admin)")


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, "EndPoint.0016", "the body is over 1 MiB")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ApiError(413, "EndPoint.0016", "the body is over 1 MiB")
    return body


def _json(body: bytes) -> dict:
    if not body:
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "EndPoint.0002", "the body is not JSON") from None
    if not isinstance(value, dict):
        raise ApiError(400, "EndPoint.0002", "the body is not a JSON object")
    return value


def _error(exc: ApiError, request_id: str) -> JSONResponse:
    return JSONResponse({"error_code": exc.code, "error_msg": exc.message, "request_id": request_id},
                        status_code=exc.status)


def _no_route(log):
    async def handler(request: Request, exc) -> Response:
        request_id = uuid.uuid4().hex
        status = getattr(exc, "status_code", 404)
        code = "EndPoint.0015" if status == 405 else "EndPoint.0013"
        response = _error(ApiError(status, code, f"no operation {request.method} {unquote(request.url.path)}"),
                          request_id)
        response.headers["X-Request-Id"] = request_id
        log(f"{request.method} {request.url.path} {status} 0.0ms ak=-")
        return response
    return handler


def _projects(reg, call):
    """IAM's KeystoneListProjects, as the SDK asks it with with_region and no project id."""
    name = call.query.get("name", "")
    region = reg.identity.region
    projects = [] if name and name != region else [
        {"id": call.project_id, "name": region, "domain_id": call.account, "enabled": True}]
    return 200, {"projects": projects}
