"""https with a generated certificate, with_region plus the SDK's environment variables, SIGTERM, file modes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from huaweicloudsdkvpcep.v1 import model as m

from tests.api.sdk_harness import server, Server  # noqa: F401 (server is a fixture)

REGION_SCRIPT = """
import os
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkvpcep.v1 import VpcepClient, ListEndpointsRequest
from huaweicloudsdkvpcep.v1.region.vpcep_region import VpcepRegion
creds = BasicCredentials(os.environ["HUAWEICLOUD_SDK_AK"], os.environ["HUAWEICLOUD_SDK_SK"])
client = VpcepClient.new_builder().with_credentials(creds).with_region(VpcepRegion.value_of("cn-north-4")).build()
print(client.list_endpoints(ListEndpointsRequest()).total_count)
"""


def test_with_region_and_the_environment(server):
    env = {**server.env, "HUAWEICLOUD_SDK_AK": server.admin["ak"], "HUAWEICLOUD_SDK_SK": server.admin["sk"],
           "HUAWEICLOUD_SDK_REGION_VPCEP_CN_NORTH_4": server.url, "HUAWEICLOUD_SDK_IAM_ENDPOINT": server.url}
    proc = subprocess.run([sys.executable, "-c", REGION_SCRIPT], capture_output=True, text=True, env=env,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) >= 1
    assert server.stop() == 0
    assert "/v3/projects 200" in server.proc.stderr.read()


def test_https_with_a_generated_certificate(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    srv = Server(tmp_path)
    admin = srv.key()
    url = srv.start("--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert url.startswith("https://")
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkcore.http.http_config import HttpConfig
        from huaweicloudsdkvpcep.v1 import VpcepClient
        config = HttpConfig.get_default_config()
        config.ssl_ca_cert = str(cert)
        client = VpcepClient.new_builder().with_http_config(config).with_credentials(
            BasicCredentials(admin["ak"], admin["sk"], admin["project_id"])).with_endpoints([url]).build()
        assert client.list_endpoints(m.ListEndpointsRequest()).total_count >= 1
    finally:
        assert srv.stop() == 0


def test_plain_http_only_on_loopback(tmp_path):
    srv = Server(tmp_path)
    proc = srv.cli("api", "serve", "--listen", "0.0.0.0:0", check=False)
    assert proc.returncode != 0 and "--tls-cert" in proc.stderr and "Traceback" not in proc.stderr


def test_the_state_with_keys_is_private_and_a_readable_one_is_refused(tmp_path):
    srv = Server(tmp_path)
    srv.key()
    for suffix in ("", "-wal", "-shm"):
        path = srv.state.with_name(srv.state.name + suffix)
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, suffix
    os.chmod(srv.state, 0o644)
    proc = srv.cli("api", "serve", "--listen", "127.0.0.1:0", check=False)
    assert proc.returncode != 0 and "chmod 600" in proc.stderr


@pytest.mark.parametrize("sig", ["SIGTERM"])
def test_sigterm_drains_and_exits_0(server, sig):
    assert server.stop() == 0
    log = server.proc.stderr.read()
    assert server.admin["sk"] not in log and "Authorization" not in log
