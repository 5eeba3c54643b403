"""`vpcep check --netns` from a throwaway namespace whose only way out is a default route (issue 9: O3, E10).

The namespace holds a veth pair of its own (10.250.0.2/24 ↔ a peer with no address), so every probe to the
VPC's private addresses stays inside it and times out there; nothing reaches this machine's network.
"""

from __future__ import annotations

import os

import pytest

from tests.cli.conftest import create

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="a throwaway network namespace needs root")
SOURCE, NEXT_HOP = "10.250.0.2", "10.250.0.1"


@pytest.fixture
def uplink():
    """A namespace with one uplink and a default route via NEXT_HOP: what a host without the plan's routes has."""
    from pyroute2 import IPRoute

    from toolkit.netns import isolated

    with isolated("vpcep-chk") as name:
        with IPRoute(netns=name) as ipr:
            ipr.link("add", ifname="uplink", kind="veth", peer="far")
            for ifname in ("uplink", "far"):
                ipr.link("set", index=ipr.link_lookup(ifname=ifname)[0], state="up")
            ipr.addr("add", index=ipr.link_lookup(ifname="uplink")[0], address=SOURCE, prefixlen=24)
            ipr.route("add", dst="0.0.0.0/0", gateway=NEXT_HOP)
        yield name


@pytest.fixture
def vpc(cli):
    create(cli, "vpc", "create", "v", "--cidr", "10.99.0.0/16")
    create(cli, "subnet", "create", "s", "--vpc", "v", "--cidr", "10.99.1.0/24")
    return cli


def check(cli, netns: str, endpoint_id: str, *extra: str):
    return cli("--json", "check", endpoint_id, "--netns", netns, "--resolver", "127.0.0.1:1", "--timeout", "0.3",
               *extra)


def step(result, name: str) -> dict:
    return next(s for s in result.json["endpoints"][0]["steps"] if s["step"] == name)


def dns_endpoint(cli, *whitelist: str) -> dict:
    """An endpoint to the DNS cloud service without a private name: the dns step sends nothing."""
    return create(cli, "endpoint", "create", "--service", "dns", "--vpc", "v",
                  *[arg for cidr in whitelist for arg in ("--whitelist", cidr)])


def test_o3_no_planned_gateway_and_the_default_route_fails(vpc, uplink):
    """Issue 9: this passed as "via 10.250.0.1 (route 0.0.0.0/0)" with a note."""
    endpoint = dns_endpoint(vpc)
    result = check(vpc, uplink, endpoint["id"])
    assert result.code == 12, result.out
    route = step(result, "route")
    assert route["rule"] == "O3" and "default route" in route["detail"] and endpoint["ip"] in route["detail"]
    assert all(flag in route["fix"] for flag in ("--gateway", "--plan", "[routes] gateway"))


def test_o3_the_default_route_via_the_planned_gateway_passes(vpc, uplink, tmp_path):
    endpoint = dns_endpoint(vpc)
    assert step(check(vpc, uplink, endpoint["id"], "--gateway", NEXT_HOP), "route")["status"] == "passed"
    config = tmp_path / "routes.toml"
    config.write_text(f'[routes]\ngateway = "{NEXT_HOP}"\n')
    configured = vpc("--config", str(config), "--json", "check", endpoint["id"], "--netns", uplink,
                     "--resolver", "127.0.0.1:1", "--timeout", "0.3")
    assert step(configured, "route")["status"] == "passed" and configured.json["options"]["gateway"] == NEXT_HOP


def test_o3_a_more_specific_route_without_a_planned_gateway_still_passes_with_the_note(vpc, uplink):
    from pyroute2 import IPRoute

    with IPRoute(netns=uplink) as ipr:
        ipr.route("add", dst="10.99.0.0/16", gateway=NEXT_HOP)
    route = step(check(vpc, uplink, dns_endpoint(vpc)["id"]), "route")
    assert route["status"] == "passed" and "(route 10.99.0.0/16)" in route["detail"]
    assert "no planned gateway to compare" in route["detail"]


def test_e10_uses_the_source_address_inside_the_namespace(vpc, uplink):
    """The whitelist is judged against the namespace's own source (10.250.0.2), not the host's."""
    inside, outside = dns_endpoint(vpc, "10.250.0.0/24"), dns_endpoint(vpc, "127.0.0.0/8")
    passing = step(check(vpc, uplink, inside["id"], "--gateway", NEXT_HOP), "policy")
    assert passing["status"] == "passed" and passing["figures"]["whitelist"]["source"] == SOURCE
    failing = check(vpc, uplink, outside["id"], "--gateway", NEXT_HOP)
    assert failing.code == 13 and step(failing, "policy")["rule"] == "E10"
    assert f"--whitelist 127.0.0.0/8 {SOURCE}/32" in step(failing, "policy")["fix"]
