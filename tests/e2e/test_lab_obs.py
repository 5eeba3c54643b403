"""Seed scenario 2.4 in the lab: on-prem reaches OBS through the DNS endpoint only after `routes apply` (O1–O6)."""

from __future__ import annotations

import pytest

from tests.conftest import DOMAIN, REGION
from tests.e2e.conftest import banner, needs_root, resolve

pytestmark = needs_root
BUCKET = f"mybucket.obs.{REGION}.{DOMAIN}"


@pytest.fixture
def demo_lab(cli, lab):
    cli.ok("demo")
    lab.up()
    return lab


def test_o6_bucket_resolves_and_443_connects_only_after_routes_apply(cli, demo_lab, tmp_path):
    lab, info = demo_lab, demo_lab.info
    dns_ip, obs_ip = info["dns_endpoint"], info["obs_addresses"][0]
    assert resolve(lab.idc, dns_ip, BUCKET) == []          # O3: no host route to the DNS endpoint yet
    assert banner(lab.idc, obs_ip, 443) == ""               # O4: no route to the OBS range yet
    plan = lab.plan(tmp_path)
    cli.ok("routes", "apply", plan, "--netns", lab.idc)
    assert resolve(lab.idc, dns_ip, BUCKET) == [obs_ip]
    assert banner(lab.idc, obs_ip, 443) == f"vpcep-lab {obs_ip}:443"
    assert banner(lab.idc, obs_ip, 80) == f"vpcep-lab {obs_ip}:80"


def test_routes_remove_takes_the_path_away_again(cli, demo_lab, tmp_path):
    lab, info = demo_lab, demo_lab.info
    plan = lab.plan(tmp_path)
    cli.ok("routes", "apply", plan, "--netns", lab.idc)
    assert resolve(lab.idc, info["dns_endpoint"], BUCKET) == info["obs_addresses"]
    cli.ok("routes", "remove", plan, "--netns", lab.idc)
    assert resolve(lab.idc, info["dns_endpoint"], BUCKET, timeout=1) == []
    assert banner(lab.idc, info["obs_addresses"][0], 443, timeout=1) == ""


def test_vpcep_check_from_idc_fails_at_dns_before_and_passes_after_routes_apply(cli, demo_lab, tmp_path):
    import importlib.util

    if importlib.util.find_spec("toolkit.cli.cmd_check") is None:
        pytest.skip("`vpcep check` (issue 5) is not in this tree")
    lab, info = demo_lab, demo_lab.info
    argv = ["check", "--netns", lab.idc, "--resolver", f"{info['dns_endpoint']}:53", "--timeout", "1"]
    assert cli(*argv).code == 11                                    # the first failing step is dns
    cli.ok("routes", "apply", lab.plan(tmp_path, "192.168.0.0/16"), "--netns", lab.idc)
    assert cli(*argv).code == 0
    assert cli("check", "obs", "mybucket", "--netns", lab.idc, "--resolver", f"{info['dns_endpoint']}:53").code == 0
