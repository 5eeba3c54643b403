"""Plan → apply → check in the lab for every accepted endpoint, with no hand-made `--extra` (issue 9: O1–O6)."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import DOMAIN, REGION
from tests.e2e.conftest import needs_root
from tests.stubs import StubResolver
from toolkit.lab.netns import socket_in

pytestmark = needs_root


@pytest.fixture
def world(cli, lab, tmp_path):
    """Two user services in two VPCs (one endpoint with a private name, one ip only), DNS and OBS endpoints;
    the lab up, the plan made from the inventory alone and applied in idc."""
    _service(cli, "shop", "10.1", "LB", "8080:8443", "--approval")
    shop = cli.ok("--json", "endpoint", "create", "--service", "shop", "--vpc", "vpc-shop", "--dns").json
    cli.ok("service", "accept", "shop", shop["id"])
    _service(cli, "api", "10.2", "VM", "9000:9443")
    cli.ok("endpoint", "create", "--service", "api", "--vpc", "vpc-api")
    cli.ok("vpc", "create", "vpc-obs", "--cidr", "10.8.0.0/16")
    cli.ok("subnet", "create", "sn-dns", "--vpc", "vpc-obs", "--cidr", "10.8.1.0/24")
    cli.ok("endpoint", "create", "--service", "dns", "--vpc", "vpc-obs")
    cli.ok("endpoint", "create", "--service", "obs", "--vpc", "vpc-obs")
    info = lab.up()
    plan = lab.plan(tmp_path)
    cli.ok("routes", "apply", plan, "--netns", lab.idc)
    endpoints = cli.ok("--json", "endpoint", "list").json["endpoints"]
    return type("World", (), {"shop": shop, "info": info, "plan": plan, "lab": lab,
                              "accepted": [e for e in endpoints if e["status"] == "accepted"]})


def _service(cli, name: str, net: str, backend: str, port: str, *flags: str) -> None:
    cli.ok("vpc", "create", f"vpc-{name}", "--cidr", f"{net}.0.0/16")
    cli.ok("subnet", "create", f"sn-{name}", "--vpc", f"vpc-{name}", "--cidr", f"{net}.0.0/24")
    cli.ok("service", "create", "--name", name, "--vpc", f"vpc-{name}", "--backend", backend, "--port-id", f"{name}-1",
           "--port", port, *flags)
    cli.ok("service", "rules", name, "--add", f"sg:198.19.128.0/17:{port.split(':')[0]}")


def check(cli, world, resolver: str):
    return cli("--json", "check", "--netns", world.lab.idc, "--plan", world.plan, "--resolver", resolver,
               "--timeout", "1")


def test_every_accepted_endpoint_passes_after_plan_and_apply(cli, world):
    result = check(cli, world, f"{world.info['dns_endpoint']}:53")
    assert result.code == 0, result.out
    assert len(world.accepted) == 4
    assert sorted(t["endpoint_id"] for t in result.json["endpoints"] if t["ok"]) == sorted(e["id"] for e in world.accepted)
    routes = [s for t in result.json["endpoints"] for s in t["steps"] if s["step"] == "route"]
    assert {lk["gateway"] for r in routes for lk in r["figures"]["routes"]} == {world.info["gateway"]}


def test_every_endpoint_fails_at_the_route_step_after_routes_remove(cli, world):
    cli.ok("routes", "remove", world.plan, "--netns", world.lab.idc)
    records = {world.shop["dns_names"][0]: world.shop["ip"], f"obs.{REGION}.{DOMAIN}": world.info["obs_addresses"][0]}
    sock = socket_in(world.lab.idc, socket.SOCK_DGRAM)  # a resolver in idc itself answers without the routes
    stub = StubResolver(records, sock=sock, bind=(world.info["idc_address"], 5353))
    try:
        result = check(cli, world, f"{world.info['idc_address']}:5353")
    finally:
        stub.close()
    assert result.code == 12, result.out
    assert [t["first_failure"] for t in result.json["endpoints"]] == ["route"] * len(world.accepted)
