"""Lab fixtures: a uniquely named lab over the test's state, always torn down; probes from inside a namespace."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess

import pytest

needs_root = [pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root (network namespaces)"),
              pytest.mark.skipif(shutil.which("ip") is None, reason="iproute2 (ip) is not installed")]


class LabRunner:
    """`vpcep lab up --name <unique>` over one state; `down()` runs however the test ended."""

    def __init__(self, cli) -> None:
        self.cli = cli
        self.name = f"t{secrets.token_hex(4)}"
        self.info: dict = {}

    def up(self) -> dict:
        self.info = self.cli.ok("--json", "lab", "up", "--name", self.name).json
        return self.info

    def down(self) -> None:
        self.cli("lab", "down", "--name", self.name)
        for role in ("idc", "gw", "vpc"):  # belt and braces: never leave a namespace behind
            subprocess.run(["ip", "netns", "del", f"vpcep-{self.name}-{role}"], capture_output=True)

    @property
    def idc(self) -> str:
        return self.info["namespaces"]["idc"]

    def plan(self, tmp_path, *extra: str) -> str:
        path = str(tmp_path / "lab.toml")
        argv = ["routes", "plan", "--gateway", self.info["gateway"], "--out", path]
        self.cli.ok(*argv, *[arg for cidr in extra for arg in ("--extra", cidr)])
        return path


@pytest.fixture
def lab(cli):
    runner = LabRunner(cli)
    try:
        yield runner
    finally:
        runner.down()


def resolve(netns: str, server: str, name: str, timeout: float = 2.0) -> list[str]:
    """A records for `name` asked from inside `netns` (dnspython, not our encoder); [] when unreachable."""
    import dns.exception
    import dns.message
    import dns.query
    import dns.rdatatype

    from toolkit.lab.netns import socket_in

    query = dns.message.make_query(name, "A")
    sock = socket_in(netns, socket.SOCK_DGRAM)
    sock.setblocking(False)
    try:
        answer = dns.query.udp(query, server, timeout=timeout, sock=sock)
    except (OSError, dns.exception.Timeout):
        return []
    finally:
        sock.close()
    return sorted(rr.address for rrset in answer.answer if rrset.rdtype == dns.rdatatype.A for rr in rrset)


def banner(netns: str, host: str, port: int, timeout: float = 2.0) -> str:
    """The first line a TCP server sends from host:port, seen from `netns`; "" when the connection fails."""
    from toolkit.lab.netns import socket_in

    with socket_in(netns) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect((host, port))
            return sock.recv(200).decode(errors="replace").strip()
        except OSError:
            return ""
