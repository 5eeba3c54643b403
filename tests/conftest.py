"""Shared fixtures: real things (a temp state file, an in-process CLI), cleaned up after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from toolkit import config
from toolkit.cli import main
from toolkit.registry import Registry

REGION = "cn-north-4"
DOMAIN = "myhuaweicloud.com"
OWNER = "a" * 32
PARTNER = "b" * 32


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def settings(state_path: Path, tmp_path: Path):
    """Settings with no config file and a temp state."""
    return config.load(config=None, state=str(state_path), env={"HOME": str(tmp_path)})


@pytest.fixture
def registry(settings) -> Registry:
    """An initialized registry acting as OWNER."""
    reg = Registry.open(settings, create=True)
    reg.init(REGION, DOMAIN, OWNER)
    yield reg
    reg.close()


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


class Cli:
    """Runs `vpcep` in process against one state file, like a script would."""

    def __init__(self, state: Path, capsys, monkeypatch) -> None:
        self.state, self.capsys = state, capsys
        monkeypatch.setenv("XDG_CONFIG_HOME", str(state.parent / "xdg-config"))
        monkeypatch.delenv("VPCEP_CONFIG", raising=False)
        monkeypatch.delenv("VPCEP_STATE", raising=False)
        monkeypatch.delenv("VPCEP_ACCOUNT", raising=False)
        monkeypatch.delenv("VPCEP_READ_ONLY", raising=False)

    def __call__(self, *argv: str) -> Result:
        self.capsys.readouterr()
        code = main(["--state", str(self.state), *argv])
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def ok(self, *argv: str) -> Result:
        result = self(*argv)
        assert result.code == 0, (argv, result.err)
        return result


@pytest.fixture
def cli(state_path: Path, capsys, monkeypatch) -> Cli:
    """A CLI over a fresh initialized state owned by OWNER."""
    runner = Cli(state_path, capsys, monkeypatch)
    runner.ok("init", "--region", REGION, "--domain", DOMAIN, "--account", OWNER)
    return runner


def run_vpcep(*argv: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m toolkit` in a child process (for concurrency, crashes, import hygiene)."""
    full_env = {**os.environ, "XDG_CONFIG_HOME": "/nonexistent-vpcep-xdg", **(env or {})}
    for name in ("VPCEP_ACCOUNT", "VPCEP_CONFIG", "VPCEP_READ_ONLY"):
        full_env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "toolkit", *argv], capture_output=True, text=True,
                          env=full_env, timeout=timeout)


@pytest.fixture
def same_state(cli, settings) -> Registry:
    """A registry over the CLI fixture's state (to reach what the CLI cannot, e.g. a failed service)."""
    reg = Registry.open(settings)
    yield reg
    reg.close()
