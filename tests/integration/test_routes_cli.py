"""`vpcep routes plan|render` from the inventory through the CLI: JSON shape, findings, exit codes (O1–O5, S11, S15)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys

import pytest

from tests.conftest import DOMAIN, REGION, run_vpcep

GW = "172.20.10.1"  # on-prem LAN: clear of the demo VPCs (10.x, 192.168.0.0/16, 172.16.0.0/16)


@pytest.fixture
def demo(cli):
    cli.ok("demo")
    return cli


def _demo_endpoints(demo) -> tuple[str, list[str]]:
    """The demo's DNS endpoint ip and the subnets of its accepted interface endpoints, from the CLI."""
    endpoints = demo.ok("--json", "endpoint", "list").json["endpoints"]
    subnets = {s["id"]: s["cidr"] for s in demo.ok("--json", "subnet", "list").json["subnets"]}
    dns_ip = next(e["ip"] for e in endpoints if ".dns." in e["endpoint_service_name"])
    interface = sorted({subnets[e["subnet_id"]] for e in endpoints if e["status"] == "accepted" and e["ip"]},
                       key=lambda cidr: tuple(int(x) for x in cidr.split("/")[0].split(".")))
    return dns_ip, interface


def test_o1_plan_from_the_inventory_routes_the_dns_endpoint_obs_and_every_interface_endpoint(demo, tmp_path):
    out = tmp_path / "routes" / "site.toml"
    plan = demo.ok("--json", "routes", "plan", "--gateway", GW, "--extra", "10.1.0.0/16", "--out", str(out)).json
    dns_ip, subnets = _demo_endpoints(demo)
    assert len(subnets) >= 2
    assert [(r["dst"], r["via"], r["rule"]) for r in plan["routes"]] == [
        (f"{dns_ip}/32", GW, "O3"), ("100.125.0.0/16", GW, "O4"), *[(cidr, GW, "O6") for cidr in subnets],
        ("10.1.0.0/16", GW, "O5")]
    assert plan["dns"] == {"forwarders": [dns_ip], "zones": [f"obs.{REGION}.{DOMAIN}", f"vpcep.{REGION}.{DOMAIN}"]}
    assert {(i["port"], i["recorded"]) for i in plan["inbound"]} == {(8080, True), (8443, True)}  # S15
    assert out.exists() and f'dst = "{dns_ip}/32"' in out.read_text() and 'purpose = "endpoint"' in out.read_text()
    assert not [f for f in plan["findings"] if f["rule"] == "O1"]  # the demo has both endpoints


def test_o1_without_dns_and_obs_endpoints_the_plan_says_which_and_never_forwards_to_a_dash(cli):
    result = cli.ok("routes", "plan", "--gateway", GW)
    assert "to -" not in result.out and "resolvers: no DNS endpoint" in result.out
    warnings = [line for line in result.out.splitlines() if line.startswith("warning [O1]")]
    assert len(warnings) == 2
    assert "no DNS endpoint" in warnings[0] and "no OBS gateway endpoint" in warnings[1]


def test_o5_the_plan_reminds_that_the_vpn_side_must_advertise_obs_and_the_endpoint_subnets(demo):
    plan = demo.ok("--json", "routes", "plan", "--gateway", GW).json
    _, subnets = _demo_endpoints(demo)
    note = next(f for f in plan["findings"] if f["rule"] == "O5")
    assert note["severity"] == "info" and "advertise" in note["message"]
    assert all(cidr in note["message"] for cidr in ["100.125.0.0/16", *subnets])


def _routed(cli, *who: str) -> list[str]:
    return [r["dst"] for r in cli.ok("--json", *who, "routes", "plan", "--gateway", GW).json["routes"]]


def test_o6_only_the_acting_accounts_accepted_endpoints_are_routed(demo):
    partner = "b" * 32
    demo.ok("account", "create", partner)
    demo.ok("--as", partner, "vpc", "create", "pvpc", "--cidr", "10.60.0.0/16")
    demo.ok("--as", partner, "subnet", "create", "psn", "--vpc", "pvpc", "--cidr", "10.60.1.0/24")
    demo.ok("vpc", "create", "vpc-x", "--cidr", "10.70.0.0/16")
    demo.ok("service", "create", "--name", "gated", "--vpc", "vpc-x", "--backend", "VM", "--port-id", "p9",
            "--port", "9000:90", "--approval")
    demo.ok("service", "whitelist", "gated", "--add", f"iam:domain::{partner}")
    service = demo.ok("--json", "service", "show", "gated").json["service_name"]
    endpoint = demo.ok("--json", "--as", partner, "endpoint", "create", "--service", service, "--vpc", "pvpc").json
    pending = _routed(demo, "--as", partner)
    demo.ok("service", "accept", "gated", endpoint["id"])
    assert "10.60.1.0/24" not in pending and "10.60.1.0/24" in _routed(demo, "--as", partner)
    assert "10.60.1.0/24" not in _routed(demo)  # the owner's plan: not the partner's endpoint
