"""Signatures: any change after signing is a 401 APIGW.0301; viewers may only read; deleted keys fail at once."""

from __future__ import annotations

import http.client
import json
from datetime import datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkvpcep.v1 import model as m

from tests.api.sdk_harness import server, vpcep_client  # noqa: F401 (server is a fixture)


def signed(url: str, key: dict, method: str, path: str, query=(), body: bytes = b"", headers=None, date=None):
    """Headers the SDK's own Signer makes for this request."""
    host = urlsplit(url).netloc
    header = {"Content-Type": "application/json", "X-Project-Id": key["project_id"], **(headers or {})}
    if date is not None:
        header["X-Sdk-Date"] = date.strftime("%Y%m%dT%H%M%SZ")
    request = SdkRequest(method=method, schema="http", host=host, resource_path=path, query_params=list(query),
                         header_params=header, body=body)
    Signer(SimpleNamespace(ak=key["ak"], sk=key["sk"])).sign(request)
    return request.header_params


def send(url: str, method: str, path: str, headers: dict, body: bytes = b"", query: str = ""):
    conn = http.client.HTTPConnection(urlsplit(url).netloc, timeout=10)
    conn.putrequest(method, path + (f"?{query}" if query else ""), skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, (json.loads(data) if data else None)


def test_an_untouched_signed_request_passes(server):
    path = f"/v1/{server.admin['project_id']}/vpc-endpoints"
    status, headers, body = send(server.url, "GET", path, signed(server.url, server.admin, "GET", path,
                                                                 [("limit", "5")]), query="limit=5")
    assert status == 200 and body["total_count"] >= 1 and headers["x-request-id"]


def _tampered(server, what: str):
    key, pid = server.admin, server.admin["project_id"]
    path = f"/v1/{pid}/vpc-endpoint-services/x/permissions/action"
    body = json.dumps({"action": "add", "permissions": ["iam:domain::" + "c" * 32]}).encode()
    query, send_query, send_path, send_body = [("a", "1")], "a=1", path, body
    extra, date = {}, None
    if what == "stale date":
        date = datetime.utcnow() - timedelta(minutes=20)
    if what == "unsigned content sha":
        extra_after = {"X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD"}
    else:
        extra_after = {}
    headers = signed(server.url, key, "POST", path, query, body, extra, date)
    headers = {**headers, **extra_after}
    if what == "body":
        send_body = body.replace(b"c" * 32, b"d" * 32)
    elif what == "query":
        send_query = "a=2"
    elif what == "path":
        send_path = path.replace("/x/", "/y/")
    elif what == "host":
        headers["Host"] = "127.0.0.2:1"
    elif what == "project header":
        headers["X-Project-Id"] = "0" * 32
    elif what == "unknown ak":
        headers["Authorization"] = headers["Authorization"].replace(key["ak"], "AAAAAAAAAAAAAAAAAAAA")
    elif what == "wrong sk":
        headers = signed(server.url, dict(key, sk="not-the-sk"), "POST", path, query, body)
    elif what == "no authorization":
        headers.pop("Authorization")
    if what == "unsigned content sha":
        send_body = b'{"action": "add", "permissions": []}'
    return send(server.url, "POST", send_path, headers, send_body, send_query)


@pytest.mark.parametrize("what", ["body", "query", "path", "host", "project header", "stale date",
                                  "unsigned content sha", "unknown ak", "wrong sk", "no authorization"])
def test_tampering_is_401(server, what):
    status, headers, body = _tampered(server, what)
    assert (status, body["error_code"]) == (401, "APIGW.0301"), body
    assert headers["x-request-id"] == body["request_id"]
    assert server.admin["sk"] not in json.dumps(body)


VIEWER_WRITES = [
    ("create_endpoint_service", m.CreateEndpointServiceRequest(body=m.CreateEndpointServiceRequestBody(
        port_id="p", vpc_id="v", server_type="VM", ports=[m.PortList(client_port=1, server_port=1, protocol="TCP")]))),
    ("update_endpoint_service", m.UpdateEndpointServiceRequest(vpc_endpoint_service_id="s",
                                                               body=m.UpdateEndpointServiceRequestBody(description="d"))),
    ("update_endpoint_service_name", m.UpdateEndpointServiceNameRequest(
        vpc_endpoint_service_id="s", body=m.UpdateEndpointServiceNameRequestBody(endpoint_service_name="n"))),
    ("delete_endpoint_service", m.DeleteEndpointServiceRequest(vpc_endpoint_service_id="s")),
    ("accept_or_reject_endpoint", m.AcceptOrRejectEndpointRequest(
        vpc_endpoint_service_id="s", body=m.AcceptOrRejectEndpointRequestBody(action="receive", endpoints=["e"]))),
    ("update_endpoint_connections_desc", m.UpdateEndpointConnectionsDescRequest(
        vpc_endpoint_service_id="s", body=m.UpdateEndpointConnectionsDescRequestBody(
            connections=[m.ConnectionsDesc(id="e", description="d")]))),
    ("add_or_remove_service_permissions", m.AddOrRemoveServicePermissionsRequest(
        vpc_endpoint_service_id="s", body=m.AddOrRemoveServicePermissionsRequestBody(action="add",
                                                                                     permissions=["*"]))),
    ("batch_add_endpoint_service_permissions", m.BatchAddEndpointServicePermissionsRequest(
        vpc_endpoint_service_id="s", body=m.BatchAddEndpointServicePermissionsRequestBody(
            permissions=[m.EpsAddPermissionRequest(permission="*")]))),
    ("batch_remove_endpoint_service_permissions", m.BatchRemoveEndpointServicePermissionsRequest(
        vpc_endpoint_service_id="s", body=m.BatchRemoveEndpointServicePermissionsRequestBody(
            permissions=[m.EpsRemovePermissionRequest(id="i")]))),
    ("update_endpoint_service_permission_desc", m.UpdateEndpointServicePermissionDescRequest(
        vpc_endpoint_service_id="s", permission_id="i",
        body=m.UpdateEndpointServicePermissionDescRequestBody(permission=m.EpsUpdatePermissionDesc(description="d")))),
    ("create_endpoint", m.CreateEndpointRequest(body=m.CreateEndpointRequestBody(endpoint_service_id="s",
                                                                                vpc_id="v"))),
    ("update_endpoint_white", m.UpdateEndpointWhiteRequest(vpc_endpoint_id="e",
                                                           body=m.UpdateEndpointWhiteRequestBody(whitelist=[]))),
    ("update_endpoint_routetable", m.UpdateEndpointRoutetableRequest(
        vpc_endpoint_id="e", body=m.UpdateEndpointRoutetableRequestBody(routetables=["r"]))),
    ("delete_endpoint", m.DeleteEndpointRequest(vpc_endpoint_id="e")),
    ("batch_add_or_remove_resource_instance", m.BatchAddOrRemoveResourceInstanceRequest(
        resource_type="endpoint", resource_id="e", body=m.BatchAddOrRemoveResourceInstanceRequestBody(
            action="create", tags=[m.ResourceTag(key="k", value="v")]))),
]


@pytest.fixture
def viewer(server):
    return vpcep_client(server.url, server.key("--role", "viewer"))


@pytest.mark.parametrize("name,request_", VIEWER_WRITES, ids=[n for n, _ in VIEWER_WRITES])
def test_a_viewer_may_not_write(server, viewer, name, request_):
    with pytest.raises(ClientRequestException) as err:
        getattr(viewer, name)(request_)
    assert err.value.status_code == 403, err.value.error_msg


def test_a_viewer_reads(server, viewer):
    assert viewer.list_endpoints(m.ListEndpointsRequest()).total_count >= 1


def test_a_deleted_key_fails_at_once(server):
    key = server.key()
    client = vpcep_client(server.url, key)
    assert client.list_quota_details(m.ListQuotaDetailsRequest()).quotas
    assert key["sk"] not in server.cli("api", "key", "list").stdout
    server.cli("api", "key", "delete", key["ak"])
    with pytest.raises(ClientRequestException) as err:
        client.list_quota_details(m.ListQuotaDetailsRequest())
    assert (err.value.status_code, err.value.error_code) == (401, "APIGW.0301")


def test_unexpanded_project_and_bad_bodies(server):
    key = server.admin
    path = "/v1/%7Bproject_id%7D/vpc-endpoints"
    status, _, body = send(server.url, "GET", path, signed(server.url, key, "GET", path))
    assert (status, body["error_code"]) == (400, "EndPoint.0014")
    path = f"/v1/{key['project_id']}/vpc-endpoints"
    status, _, body = send(server.url, "POST", path, signed(server.url, key, "POST", path, body=b"{nope"), b"{nope")
    assert (status, body["error_code"]) == (400, "EndPoint.0002")
    big = b"{" + b" " * (1 << 20) + b"}"
    status, _, body = send(server.url, "POST", path, signed(server.url, key, "POST", path, body=big), big)
    assert status == 413
    status, _, body = send(server.url, "GET", "/nothing/here/at/all", {"Host": urlsplit(server.url).netloc})
    assert status == 404 and body["error_code"]
