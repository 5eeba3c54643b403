"""The endpoint whitelist in the lab (issue 9, E10/F6): idc's own address must be on it, else exit 13."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.e2e.conftest import needs_root
from toolkit.checks import report
from toolkit.lab.topology import IDC_ADDRESS, IDC_NET

pytestmark = needs_root
SCHEMA = json.loads((Path(report.__file__).parent / "report.schema.json").read_text())


@pytest.fixture
def world(cli, lab, tmp_path):
    """Two accepted endpoints of one service, one whitelisting idc's network and one not; the plan applied in idc."""
    cli.ok("vpc", "create", "vpc-svc", "--cidr", "10.1.0.0/16")
    cli.ok("subnet", "create", "sn-svc", "--vpc", "vpc-svc", "--cidr", "10.1.0.0/24")
    cli.ok("service", "create", "--name", "shop", "--vpc", "vpc-svc", "--backend", "LB", "--port-id", "elb-1",
           "--port", "8080:8443")
    cli.ok("service", "rules", "shop", "--add", "sg:198.19.128.0/17:8080")
    made = {}
    for key, cidr in (("inside", IDC_NET), ("outside", "10.99.0.0/16")):
        made[key] = cli.ok("--json", "endpoint", "create", "--service", "shop", "--vpc", "vpc-svc",
                           "--whitelist", cidr).json
    cli.ok("vpc", "create", "vpc-obs", "--cidr", "10.8.0.0/16")
    cli.ok("subnet", "create", "sn-dns", "--vpc", "vpc-obs", "--cidr", "10.8.1.0/24")
    cli.ok("endpoint", "create", "--service", "dns", "--vpc", "vpc-obs")
    info = lab.up()
    cli.ok("routes", "apply", lab.plan(tmp_path, "10.1.0.0/16"), "--netns", lab.idc)
    return type("World", (), {"info": info, "lab": lab, **made})


def check(cli, world, endpoint_id: str):
    return cli("--json", "check", endpoint_id, "--netns", world.lab.idc, "--resolver",
               f"{world.info['dns_endpoint']}:53", "--gateway", world.info["gateway"], "--timeout", "1")


def test_whitelist_without_the_idc_address_is_exit_13_e10(cli, world):
    result = check(cli, world, world.outside["id"])
    assert result.code == 13, result.out
    jsonschema.validate(result.json, SCHEMA)
    target = result.json["endpoints"][0]
    assert (target["first_failure"], target["rule"]) == ("policy", "E10")
    policy = next(s for s in target["steps"] if s["step"] == "policy")
    assert policy["figures"]["whitelist"]["source"] == IDC_ADDRESS and "F6" in policy["detail"]
    assert f"--whitelist 10.99.0.0/16 {IDC_ADDRESS}/32" in target["fix"]
    tcp = next(s for s in target["steps"] if s["step"] == "tcp")
    assert tcp["status"] == "passed"  # the path itself works: only the whitelist is wrong


def test_whitelist_with_the_idc_address_passes(cli, world):
    result = check(cli, world, world.inside["id"])
    assert result.code == 0, result.out
    policy = next(s for s in result.json["endpoints"][0]["steps"] if s["step"] == "policy")
    assert policy["figures"]["whitelist"]["matched"] == IDC_NET
