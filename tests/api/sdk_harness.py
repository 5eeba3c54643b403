"""SDK harness for the contract tests: `vpcep api serve` on port 0 over a demo state (fixture `server`), SDK clients."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def vpcep(env: dict, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "toolkit", *argv], capture_output=True, text=True, env=env,
                          cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"vpcep {' '.join(argv)} failed: {proc.stderr}")
    return proc


class Server:
    def __init__(self, tmp: Path, *, demo: bool = True) -> None:
        self.tmp = tmp
        self.state = tmp / "state.db"
        self.env = {"HOME": str(tmp), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "VPCEP_STATE": str(self.state),
                    "XDG_CONFIG_HOME": str(tmp / "config"), "XDG_DATA_HOME": str(tmp / "data"),
                    "PYTHONPATH": str(ROOT)}
        if demo:
            vpcep(self.env, "demo")
        self.proc = None
        self.url = ""

    def cli(self, *argv: str, check: bool = True):
        return vpcep(self.env, *argv, check=check)

    def key(self, *argv: str) -> dict:
        return json.loads(self.cli("--json", "api", "key", "create", *argv).stdout)

    def start(self, *argv: str) -> str:
        self.proc = subprocess.Popen([sys.executable, "-m", "toolkit", "api", "serve", "--listen", "127.0.0.1:0",
                                      *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=self.env, cwd=ROOT)
        line = self.proc.stdout.readline()
        match = re.search(r"(https?://[^\s]+)", line)
        if not match:
            self.proc.kill()
            raise AssertionError(f"no URL from api serve: {line!r} {self.proc.stderr.read()}")
        self.url = match.group(1)
        return self.url

    def stop(self) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode if self.proc else 0


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # the SDK writes ~/.huaweicloud/application_id
    srv = Server(tmp_path)
    srv.admin = srv.key()
    srv.start()
    yield srv
    srv.stop()


def vpcep_client(url: str, key: dict, project: str | None = None):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkvpcep.v1 import VpcepClient

    creds = BasicCredentials(key["ak"], key["sk"], key["project_id"] if project is None else project)
    return VpcepClient.new_builder().with_credentials(creds).with_endpoints([url]).build()


def vpc_client(url: str, key: dict):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkvpc.v2 import VpcClient

    creds = BasicCredentials(key["ak"], key["sk"], key["project_id"])
    return VpcClient.new_builder().with_credentials(creds).with_endpoints([url]).build()
