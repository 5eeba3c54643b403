"""`vpcep check` in the lab (issue 5): all green after `routes apply`, then each step broken once."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import jsonschema
import pytest

from tests.e2e.conftest import needs_root
from tests.stubs import StubResolver
from toolkit.checks import report
from toolkit.lab import netns
from toolkit.lab.netns import socket_in

pytestmark = needs_root
SCHEMA = json.loads((Path(report.__file__).parent / "report.schema.json").read_text())


@pytest.fixture
def world(cli, lab, tmp_path):
    """An LB service with approval and its SG rule, an accepted endpoint with a name, DNS and OBS endpoints;
    the lab up and the plan applied in idc."""
    cli.ok("vpc", "create", "vpc-svc", "--cidr", "10.1.0.0/16")
    cli.ok("subnet", "create", "sn-svc", "--vpc", "vpc-svc", "--cidr", "10.1.0.0/24")
    cli.ok("service", "create", "--name", "shop", "--vpc", "vpc-svc", "--backend", "LB", "--port-id", "elb-1",
           "--port", "8080:8443", "--approval")
    cli.ok("service", "rules", "shop", "--add", "sg:198.19.128.0/17:8080")
    endpoint = cli.ok("--json", "endpoint", "create", "--service", "shop", "--vpc", "vpc-svc", "--dns").json
    cli.ok("service", "accept", "shop", endpoint["id"])
    cli.ok("vpc", "create", "vpc-obs", "--cidr", "10.8.0.0/16")
    cli.ok("subnet", "create", "sn-dns", "--vpc", "vpc-obs", "--cidr", "10.8.1.0/24")
    cli.ok("endpoint", "create", "--service", "dns", "--vpc", "vpc-obs")
    cli.ok("endpoint", "create", "--service", "obs", "--vpc", "vpc-obs")
    info = lab.up()
    plan = lab.plan(tmp_path, "10.1.0.0/16")
    cli.ok("routes", "apply", plan, "--netns", lab.idc)
    return type("World", (), {"endpoint": endpoint, "info": info, "plan": plan, "lab": lab})


def check(cli, world, *extra: str, resolver: str | None = None):
    resolver = resolver or f"{world.info['dns_endpoint']}:53"
    return cli("--json", "check", "--netns", world.lab.idc, "--resolver", resolver,
               "--gateway", world.info["gateway"], "--timeout", "1", *extra)


def first_failure(result) -> tuple[int, str, str]:
    target = next(t for t in result.json["endpoints"] if not t["ok"])
    return result.code, target["first_failure"], target["rule"]


def idc_resolver(world, records: dict) -> StubResolver:
    """A resolver inside idc itself, so it answers with or without the planned routes."""
    sock = socket_in(world.lab.idc, socket.SOCK_DGRAM)
    return StubResolver(records, sock=sock, bind=(world.info["idc_address"], 5353))


def test_all_green_after_routes_apply(cli, world):
    result = check(cli, world)
    assert result.code == 0, result.out
    jsonschema.validate(result.json, SCHEMA)
    assert result.json["summary"]["passed"] == 3
    routes = [s for t in result.json["endpoints"] for s in t["steps"] if s["step"] == "route"]
    assert {r["figures"]["routes"][0]["gateway"] for r in routes} == {world.info["gateway"]}


def test_state_10_after_reject(cli, world):
    cli.ok("service", "reject", "shop", world.endpoint["id"])
    assert first_failure(check(cli, world)) == (10, "state", "F4")


def test_dns_11_when_the_resolver_lacks_the_name(cli, world):
    stub = idc_resolver(world, {})
    try:
        result = check(cli, world, world.endpoint["id"], resolver=f"{world.info['idc_address']}:5353")
    finally:
        stub.close()
    assert first_failure(result) == (11, "dns", "E5")


def test_route_12_after_routes_remove(cli, world):
    cli.ok("routes", "remove", world.plan, "--netns", world.lab.idc)
    name = world.endpoint["dns_names"][0]
    stub = idc_resolver(world, {name: world.endpoint["ip"]})
    try:
        result = check(cli, world, world.endpoint["id"], resolver=f"{world.info['idc_address']}:5353")
    finally:
        stub.close()
    assert first_failure(result) == (12, "route", "O3")
    assert "routes apply" in result.json["endpoints"][0]["fix"]


def test_policy_13_without_the_sg_rule(cli, world):
    cli.ok("service", "rules", "shop", "--remove", "sg:198.19.128.0/17:8080")
    assert first_failure(check(cli, world)) == (13, "policy", "F1")


def test_tcp_14_when_a_responder_stops(cli, world):
    responders = next(p for p in world.info["processes"] if p["what"] == "responders")
    assert netns.stop(responders["pid"])
    result = check(cli, world, world.endpoint["id"])
    assert first_failure(result) == (14, "tcp", "O6")


def test_obs_bucket_from_idc(cli, world):
    ok = cli("--json", "check", "obs", "photos", "--netns", world.lab.idc, "--resolver",
             f"{world.info['dns_endpoint']}:53", "--gateway", world.info["gateway"], "--port", "443")
    assert ok.code == 0, ok.out
    steps = ok.json["endpoints"][0]["steps"]
    assert [(s["step"], s["status"]) for s in steps] == [(name, "passed") for name in ("state", "dns", "route", "tcp")]

