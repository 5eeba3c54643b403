"""API fixtures: `vpcep api serve` on port 0 over a state built with the CLI, keys per account and role."""

from __future__ import annotations

import http.client
import json
import os
from urllib.parse import urlparse

import pytest

from tests.cloud.conftest import CloudServer, ok

OWNER, PARTNER = "a" * 32, "b" * 32


class Api(CloudServer):
    """The server plus keys: `owner`, `partner` (admins of their accounts) and `viewer` (of the owner)."""

    keys: dict

    def client(self, name: str = "owner", *, region: bool = False):
        os.environ["HOME"] = str(self.home)
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkvpcep.v1 import VpcepClient
        key = self.keys[name]
        credentials = BasicCredentials(key["ak"], key["sk"], key["project_id"])
        return VpcepClient.new_builder().with_credentials(credentials).with_endpoints([self.url]).build()

    def vpc_client(self, name: str = "owner"):
        os.environ["HOME"] = str(self.home)
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkvpc.v2 import VpcClient
        key = self.keys[name]
        return VpcClient.new_builder().with_credentials(
            BasicCredentials(key["ak"], key["sk"], key["project_id"])).with_endpoints([self.url]).build()

    def signed(self, method: str, path: str, *, body: dict | None = None, query: list | None = None,
               name: str = "owner", sk: str | None = None, headers: dict | None = None):
        """A request signed by the SDK's own Signer: (SdkRequest, its body bytes), to send or to tamper with."""
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkcore.sdk_request import SdkRequest
        from huaweicloudsdkcore.signer.signer import Signer
        key = self.keys[name]
        host = urlparse(self.url).netloc
        data = json.dumps(body).encode() if body is not None else b""
        request = SdkRequest(method=method, schema="http", host=host, resource_path=path, uri=path,
                             query_params=list(query or []),
                             header_params={"Content-Type": "application/json", **(headers or {})}, body=data)
        Signer(BasicCredentials(key["ak"], sk or key["sk"], key["project_id"])).sign(request)
        return request, data

    def send(self, request, data: bytes, *, host: str | None = None):
        """Send a (possibly tampered) request as it stands: (status, JSON answer, headers)."""
        target = urlparse(self.url)
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        headers = dict(request.header_params)
        if host is not None:
            headers["Host"] = host
        conn.request(request.method, request.uri, body=data or None, headers=headers)
        answer = conn.getresponse()
        raw = answer.read()
        conn.close()
        return answer.status, (json.loads(raw) if raw else None), dict(answer.getheaders())


@pytest.fixture
def api(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    server = Api(tmp_path / "state.db", home)
    env = server.env()
    ok(server.state, "init", "--region", "cn-north-4", "--domain", "myhuaweicloud.com", "--account", OWNER, env=env)
    ok(server.state, "account", "create", PARTNER, env=env)
    for account, vpc, cidr in ((OWNER, "vpc-provider", "10.1.0.0/16"), (OWNER, "vpc-consumer", "192.168.0.0/16"),
                               (OWNER, "vpc-obs", "10.8.0.0/16"), (PARTNER, "vpc-partner", "172.16.0.0/16")):
        ok(server.state, "--as", account, "vpc", "create", vpc, "--cidr", cidr, env=env)
        ok(server.state, "--as", account, "subnet", "create", f"{vpc}-a", "--vpc", vpc, "--cidr",
           cidr.replace("0.0/16", "1.0/24"), env=env)
    server.keys = {
        "owner": ok(server.state, "api", "key", "create", "--json", env=env),
        "viewer": ok(server.state, "api", "key", "create", "--role", "viewer", "--json", env=env),
        "partner": ok(server.state, "api", "key", "create", "--account", PARTNER, "--json", env=env)}
    server.key = server.keys["owner"]
    server.start()
    yield server
    server.stop()


def cli_json(api, *argv: str, account: str = OWNER) -> dict:
    return ok(api.state, "--as", account, *argv, "--json", env=api.env())
