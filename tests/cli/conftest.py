"""A small world for CLI rule tests: two VPCs of OWNER, a service, a partner account (created, R4)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import PARTNER


def create(cli, *argv: str) -> dict:
    """Run a create command with --json and return the object it printed."""
    return cli.ok("--json", *argv).json


@pytest.fixture
def world(cli):
    create(cli, "vpc", "create", "vpc1", "--cidr", "10.0.0.0/16")
    create(cli, "subnet", "create", "sub1", "--vpc", "vpc1", "--cidr", "10.0.1.0/24")
    create(cli, "vpc", "create", "vpc2", "--cidr", "192.168.0.0/16")
    create(cli, "subnet", "create", "sub2", "--vpc", "vpc2", "--cidr", "192.168.1.0/24")
    web = create(cli, "service", "create", "--name", "web", "--vpc", "vpc1", "--backend", "LB",
                 "--port-id", "lb-1", "--port", "8080:80")
    gated = create(cli, "service", "create", "--name", "gated", "--vpc", "vpc1", "--backend", "VM",
                   "--port-id", "vm-1", "--port", "8443:443", "--approval")
    cli.ok("account", "create", PARTNER)  # R4: --as names an existing account
    create(cli, "--as", PARTNER, "vpc", "create", "pvpc", "--cidr", "172.16.0.0/16")
    create(cli, "--as", PARTNER, "subnet", "create", "psub", "--vpc", "pvpc", "--cidr", "172.16.1.0/24")
    return SimpleNamespace(web=web, gated=gated)


def assert_refused(result, rule: str) -> None:
    """Exit 1, one line on stderr naming the rule, no traceback."""
    assert result.code == 1, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    assert f"[{rule}]" in lines[0], lines[0]
    assert "Traceback" not in result.err
