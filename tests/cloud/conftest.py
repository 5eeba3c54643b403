"""The cloud mirror's fixtures: `vpcep api serve` on port 0 playing the cloud (state C), an empty state L.

Everything runs as a script would: the toolkit's CLI in subprocesses, the official SDK in process (HOME
is a temp dir, since the SDK writes ~/.huaweicloud/application_id; credentials are always given).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REGION = "cn-north-4"


def digest(path: Path) -> str:
    """The state's bytes, WAL and shared memory included (a write that went only to the WAL shows too)."""
    import hashlib
    parts = sorted(p for p in path.parent.glob(path.name + "*") if not p.name.endswith(".json"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in parts if not p.name.endswith("-shm"))).hexdigest()


def vpcep(state: Path, *argv: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolkit", "--state", str(state), *argv], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=timeout)


def ok(state: Path, *argv: str, env: dict | None = None):
    done = vpcep(state, *argv, env=env)
    assert done.returncode == 0, (argv, done.stderr)
    return json.loads(done.stdout) if "--json" in argv else done.stdout


@dataclass
class CloudServer:
    """`vpcep api serve` over state C, and an admin key of C's own account."""

    state: Path
    home: Path
    url: str = ""
    key: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def start(self, *extra: str) -> "CloudServer":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "toolkit", "--state", str(self.state), "api", "serve", "--listen", "127.0.0.1:0",
             *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=self.env())
        line = self.process.stdout.readline()
        found = re.search(r"https?://[\d.]+:\d+", line)
        assert found, f"api serve said {line!r}"
        self.url = found.group(0)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def env(self, **more) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VPCEP_", "HUAWEICLOUD_"))}
        return {**env, "HOME": str(self.home), "XDG_CONFIG_HOME": str(self.home / "config"), **more}

    def pull_env(self, sk: str | None = None) -> dict:
        return self.env(HUAWEICLOUD_SDK_AK=self.key["ak"], HUAWEICLOUD_SDK_SK=sk or self.key["sk"])

    def flags(self) -> list[str]:
        return ["--endpoint", self.url, "--region", REGION, "--project-id", self.key["project_id"]]

    def pull(self, local: Path, *extra: str, sk: str | None = None) -> subprocess.CompletedProcess:
        return vpcep(local, "cloud", "pull", *self.flags(), *extra, env=self.pull_env(sk))

    def config(self, local: Path) -> Path:
        """A config file that points L's write-through at this cloud."""
        path = local.with_suffix(".toml")
        path.write_text(f'[cloud]\nendpoint = "{self.url}"\nregion = "{REGION}"\n'
                        f'project_id = "{self.key["project_id"]}"\n')
        return path

    def local(self, local: Path, *argv: str) -> subprocess.CompletedProcess:
        """A CLI command on L with write-through to this cloud."""
        return vpcep(local, "--config", str(self.config(local)), *argv, env=self.pull_env())

    def sdk(self):
        """The official VpcepClient on C with the admin key."""
        os.environ["HOME"] = str(self.home)
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkvpcep.v1 import VpcepClient
        credentials = BasicCredentials(self.key["ak"], self.key["sk"], self.key["project_id"])
        return VpcepClient.new_builder().with_credentials(credentials).with_endpoints([self.url]).build()


@pytest.fixture
def cloud(tmp_path, monkeypatch):
    """State C with the demo inventory, served by `vpcep api serve`; stopped after the test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    server = CloudServer(tmp_path / "cloud.db", home)
    ok(server.state, "demo", env=server.env())
    server.key = ok(server.state, "api", "key", "create", "--json", env=server.env())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def local(tmp_path) -> Path:
    """Where state L goes (it does not exist yet)."""
    return tmp_path / "local.db"
