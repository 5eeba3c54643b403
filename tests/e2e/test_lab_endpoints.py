"""Seed scenarios 2.2/2.3 in the lab: an LB service with approval, a whitelisted second account, `<dns name>:<port>` from idc."""

from __future__ import annotations

import pytest

from tests.conftest import PARTNER
from tests.e2e.conftest import banner, needs_root, resolve

pytestmark = needs_root


@pytest.fixture
def approved(cli):
    """An LB-backed service with approval (S12), PARTNER whitelisted (S13, E9), one endpoint accepted, one pending."""
    cli.ok("vpc", "create", "vpc-svc", "--cidr", "10.1.0.0/16")
    cli.ok("subnet", "create", "sn-svc", "--vpc", "vpc-svc", "--cidr", "10.1.0.0/24")
    svc = cli.ok("--json", "service", "create", "--name", "shop", "--vpc", "vpc-svc", "--backend", "LB",
                 "--port-id", "elb-1", "--port", "8080:8443", "--approval").json
    cli.ok("service", "whitelist", svc["id"], "--add", f"iam:domain::{PARTNER}")
    cli.ok("account", "create", PARTNER)  # R4: --as names an existing account
    cli.ok("--as", PARTNER, "vpc", "create", "vpc-partner", "--cidr", "172.16.0.0/16")
    cli.ok("--as", PARTNER, "subnet", "create", "sn-partner", "--vpc", "vpc-partner", "--cidr", "172.16.8.0/24")
    made = [cli.ok("--json", "--as", PARTNER, "endpoint", "create", "--service", svc["service_name"],
                   "--vpc", "vpc-partner", "--dns").json for _ in range(2)]
    assert {e["status"] for e in made} == {"pendingAcceptance"}
    cli.ok("service", "accept", svc["id"], made[0]["id"])
    cli.ok("vpc", "create", "vpc-obs", "--cidr", "10.8.0.0/16")
    cli.ok("subnet", "create", "sn-dns", "--vpc", "vpc-obs", "--cidr", "10.8.1.0/24")
    cli.ok("endpoint", "create", "--service", "dns", "--vpc", "vpc-obs", "--subnet", "sn-dns")
    accepted = cli.ok("--json", "--as", PARTNER, "endpoint", "show", made[0]["id"]).json
    pending = cli.ok("--json", "--as", PARTNER, "endpoint", "show", made[1]["id"]).json
    return accepted, pending


def test_e13_dns_name_and_client_port_connect_from_idc(cli, lab, approved, tmp_path):
    accepted, pending = approved
    info = lab.up()
    assert [e["ip"] for e in info["endpoints"]] == [accepted["ip"]]   # only accepted endpoints live in vpc (E8)
    name = accepted["dns_names"][0]
    plan = lab.plan(tmp_path, "172.16.0.0/16")
    assert resolve(lab.idc, info["dns_endpoint"], name) == []
    cli.ok("routes", "apply", plan, "--netns", lab.idc)
    assert resolve(lab.idc, info["dns_endpoint"], name) == [accepted["ip"]]
    assert banner(lab.idc, accepted["ip"], 8443) == f"vpcep-lab {accepted['ip']}:8443"
    assert resolve(lab.idc, info["dns_endpoint"], pending["dns_names"][0]) == []  # E5: no record while pending
    assert banner(lab.idc, pending["ip"], 8443, timeout=1) == ""
