"""DNS integration fixtures: a registry with accepted endpoints, servers on port 0, upstreams, BIND."""

from __future__ import annotations

import secrets
import shutil
import subprocess

import pytest

from dnsutil import Bind, Running, Upstream, with_dns
from toolkit.model.service import PortMapping
from toolkit.registry.endpoints import EndpointRequest

ZONE = "vpcep.cn-north-4.myhuaweicloud.com."


@pytest.fixture
def endpoints(registry):
    """Three accepted endpoints with private names (E5) and one without: their names and IPs."""
    registry.create_vpc("vpc-p", "10.1.0.0/16")
    registry.create_subnet("sn-p", "vpc-p", "10.1.0.0/24")
    registry.create_vpc("vpc-c", "192.168.0.0/16")
    registry.create_subnet("sn-c", "vpc-c", "192.168.1.0/24")
    service, _ = registry.create_service(vpc="vpc-p", server_type="LB", port_id="lb-1",
                                         ports=[PortMapping(server_port=80, client_port=80)],
                                         name="web")
    made = [registry.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-c", subnet="sn-c", enable_dns=dns))
            for dns in (True, True, True, False)]
    return {e.dns_names[0]: e.ip for e in made if e.dns_names}, service


@pytest.fixture
def serve(registry, settings):
    """serve(settings=None, options=None) → a Running server; all stopped after the test."""
    running = []

    def start(custom=None, options=None):
        server = Running(custom or with_dns(settings), registry, options)
        running.append(server)
        return server

    yield start
    for server in running:
        server.stop()


@pytest.fixture
def upstreams():
    made = []

    def start(records=None, mode="answer"):
        made.append(Upstream(records, mode))
        return made[-1]

    yield start
    for upstream in made:
        upstream.close()


@pytest.fixture
def bind(tmp_path):
    """bind(body) → a named on loopback; skipped when BIND is not installed."""
    if not shutil.which("named") and not shutil.which("/usr/sbin/named"):
        pytest.skip("named (bind9) is not installed")
    started = []

    def start(body: str = "", options: str = "", name: str = "named", port: int | None = None):
        directory = tmp_path / name
        directory.mkdir()
        started.append(Bind(directory, body, options, port))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def vpcep(state_path, capsys, monkeypatch):
    """The CLI in process on the `registry` fixture's state: a second connection, like a CLI call beside the server."""
    import json

    from toolkit.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(state_path.parent / "xdg-config"))

    def run(*argv: str):
        capsys.readouterr()
        code = main(["--state", str(state_path), *argv])
        out = capsys.readouterr()
        assert code == 0, (argv, out.err)
        return json.loads(out.out) if "--json" in argv else out.out

    return run


def ip(*argv: str) -> str:
    return subprocess.run(["ip", *argv], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def ns():
    """A route namespace `hr-…` whose veth has 10.77.0.2/24 (so 10.77.0.1 and .3 are on-link); always deleted."""
    name = f"hr-{secrets.token_hex(4)}"
    ip("netns", "add", name)
    try:
        ip("-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
        ip("-n", name, "addr", "add", "10.77.0.2/24", "dev", "v0")
        for dev in ("v0", "v1"):
            ip("-n", name, "link", "set", dev, "up")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
