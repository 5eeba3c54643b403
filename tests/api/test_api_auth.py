"""R1–R3 at the API: signatures checked against the SDK's own Signer, roles, projects, deleted keys, https."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from tests.api.conftest import Api
from tests.cloud.conftest import ok
from toolkit.api import vpcep

LIST = "/v1/{p}/vpc-endpoints"


def path(api, template: str = LIST) -> str:
    return template.replace("{p}", api.keys["owner"]["project_id"])


def test_a_request_signed_by_the_sdks_signer_is_served(api):
    request, data = api.signed("GET", path(api), query=[("limit", 5)])
    status, answer, headers = api.send(request, data)
    assert status == 200 and answer["total_count"] == 0 and headers["x-request-id"]


def _stale(api):
    old = (datetime.now(timezone.utc) - timedelta(minutes=16)).strftime("%Y%m%dT%H%M%SZ")
    return api.signed("GET", path(api), headers={"X-Sdk-Date": old})


def _tampered(api, how: str):
    body = {"permissions": [{"permission": "iam:domain::" + "c" * 32}], "permission_type": "domainId"}
    if how == "stale date":
        return (*_stale(api), None)
    if how == "unknown ak":
        request, data = api.signed("GET", path(api))
        request.header_params["Authorization"] = request.header_params["Authorization"].replace(
            api.keys["owner"]["ak"], "Z" * 20)
        return request, data, None
    if how == "wrong sk":
        return (*api.signed("GET", path(api), sk="x" * 40), None)
    if how == "unsigned content sha":
        request, data = api.signed("POST", path(api, "/v1/{p}/vpc-endpoints"), body={"vpc_id": "v"})
        request.header_params["X-Sdk-Content-Sha256"] = "UNSIGNED-PAYLOAD"
        return request, json.dumps({"vpc_id": "w"}).encode(), None
    request, data = api.signed("POST", path(api, "/v1/{p}/vpc-endpoints"), body=body,
                               query=[("limit", 1)], headers={"X-Project-Id": api.keys["owner"]["project_id"]})
    if how == "body":
        data = data.replace(b"c" * 32, b"d" * 32)
    elif how == "query":
        request.uri = request.uri.replace("limit=1", "limit=2")
    elif how == "path":
        request.uri = request.uri.replace("vpc-endpoints", "vpc-endpoint-services")
    elif how == "x-project-id":
        request.header_params["X-Project-Id"] = "f" * 32
    elif how == "host":
        return request, data, "127.0.0.2:1"
    return request, data, None


@pytest.mark.parametrize("how", ["body", "query", "path", "host", "x-project-id", "stale date", "unknown ak",
                                 "wrong sk", "unsigned content sha"])
def test_tampered_requests_are_refused_with_apigw_0301(api, how):
    request, data, host = _tampered(api, how)
    status, answer, headers = api.send(request, data, host=host)
    assert status == 401 and answer["error_code"] == "APIGW.0301", (how, answer)
    assert "[R2]" in answer["error_msg"] and answer["request_id"] == headers["x-request-id"]


WRITES = [(method, route) for method, route, _, writes in vpcep.ROUTES if writes]


@pytest.mark.parametrize("method, route", WRITES, ids=[f"{m} {r}" for m, r in WRITES])
def test_a_viewer_key_may_not_write(api, method, route):
    concrete = route.replace("{project_id}", api.keys["viewer"]["project_id"])
    for name in ("vpc_endpoint_service_id", "vpc_endpoint_id", "permission_id", "resource_id"):
        concrete = concrete.replace("{" + name + "}", "00000000-0000-0000-0000-000000000000")
    concrete = concrete.replace("{resource_type}", "endpoint")
    request, data = api.signed(method, concrete, body={}, name="viewer")
    status, answer, _ = api.send(request, data)
    assert status == 403 and answer["error_code"] == "EndPoint.0012" and "[R1]" in answer["error_msg"]


def test_a_viewer_may_read(api):
    request, data = api.signed("GET", path(api), name="viewer")
    assert api.send(request, data)[0] == 200


def test_a_deleted_key_is_refused_at_once_without_a_restart(api):
    request, data = api.signed("GET", path(api))
    assert api.send(request, data)[0] == 200
    ok(api.state, "api", "key", "delete", api.keys["owner"]["ak"], env=api.env())
    request, data = api.signed("GET", path(api))
    status, answer, _ = api.send(request, data)
    assert status == 401 and answer["error_code"] == "APIGW.0301"


def test_projects_the_placeholder_and_anothers(api):
    request, data = api.signed("GET", "/v1/%7Bproject_id%7D/vpc-endpoints")
    status, answer, _ = api.send(request, data)
    assert status == 400 and answer["error_code"] == "EndPoint.0014"
    request, data = api.signed("GET", LIST.replace("{p}", api.keys["partner"]["project_id"]))
    status, answer, _ = api.send(request, data)
    assert status == 403 and answer["error_code"] == "EndPoint.0014"


def test_bad_json_big_bodies_and_unknown_paths_answer_json(api):
    request, data = api.signed("POST", path(api, "/v1/{p}/vpc-endpoints"), body={})
    status, answer, _ = api.send(request, b"{not json")
    assert status in (400, 401)  # the body is signed: a changed body fails the signature first
    request, data = api.signed("POST", path(api, "/v1/{p}/vpc-endpoints"), body={"x": "y" * (1 << 20)})
    status, answer, _ = api.send(request, data)
    assert status == 413 and answer["error_code"] == "EndPoint.0016"
    request, data = api.signed("GET", "/v1/nothing/here/at/all")
    status, answer, _ = api.send(request, data)
    assert status == 404 and answer["error_code"] == "EndPoint.0013"


def test_bad_json_signed_as_it_is_gets_400(api):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.signer.signer import Signer
    request, _ = api.signed("POST", path(api, "/v1/{p}/vpc-endpoints"), body={})
    request.body = b"{not json"
    del request.header_params["Authorization"]
    key = api.keys["owner"]
    Signer(BasicCredentials(key["ak"], key["sk"], key["project_id"])).sign(request)
    status, answer, _ = api.send(request, b"{not json")
    assert status == 400 and answer["error_code"] == "EndPoint.0002"


def test_the_access_log_names_the_ak_and_never_the_secret(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    server = Api(tmp_path / "state.db", home)
    ok(server.state, "demo", env=server.env())
    server.keys = {"owner": ok(server.state, "api", "key", "create", "--json", env=server.env())}
    server.key = server.keys["owner"]
    proc = subprocess.Popen(["python3", "-m", "toolkit", "--state", str(server.state), "api", "serve", "--listen",
                             "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=server.env())
    server.url = proc.stdout.readline().split()[-3]
    request, data = server.signed("GET", LIST.replace("{p}", server.key["project_id"]))
    assert server.send(request, data)[0] == 200
    proc.terminate()
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert server.key["ak"] in err and "vpc-endpoints 200" in err
    assert server.key["sk"] not in err and "Signature=" not in err


def test_https_with_a_generated_certificate_and_with_region(tmp_path, api):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    tls = Api(api.state, api.home)
    tls.keys, tls.key = api.keys, api.key
    tls.start("--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert tls.url.startswith("https://")
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkcore.http.http_config import HttpConfig
        from huaweicloudsdkcore.region.region import Region
        from huaweicloudsdkvpcep.v1 import ListEndpointsRequest, VpcepClient
        config = HttpConfig.get_default_config()
        config.ssl_ca_cert = str(cert)
        monkey = {"HUAWEICLOUD_SDK_IAM_ENDPOINT": tls.url}
        import os
        os.environ.update(monkey)
        try:
            owner = api.keys["owner"]
            client = VpcepClient.new_builder().with_http_config(config).with_credentials(
                BasicCredentials(owner["ak"], owner["sk"])).with_region(Region("cn-north-4", tls.url)).build()
            assert client.list_endpoints(ListEndpointsRequest()).total_count == 0
        finally:
            for name in monkey:
                os.environ.pop(name, None)
    finally:
        tls.stop()


def test_docs_api_md_is_the_error_table():
    """The rule → status → error_code table is documented from the code (regenerate docs/api.md if this fails)."""
    from pathlib import Path

    from toolkit.api.errors import markdown
    assert (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text() == markdown()


def test_an_unchanged_with_region_script_is_pointed_at_the_toolkit_by_environment(api, monkeypatch):
    """The README's variables: the region's endpoint and IAM's (for the project lookup) point at `api serve`."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkvpcep.v1 import ListEndpointsRequest, VpcepClient
    from huaweicloudsdkvpcep.v1.region.vpcep_region import VpcepRegion
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_VPCEP_CN_NORTH_4", api.url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", api.url)
    owner = api.keys["owner"]
    client = VpcepClient.new_builder().with_credentials(BasicCredentials(owner["ak"], owner["sk"])) \
        .with_region(VpcepRegion.value_of("cn-north-4")).build()
    assert client.list_endpoints(ListEndpointsRequest()).total_count == 0
