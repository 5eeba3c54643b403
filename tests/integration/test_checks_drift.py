"""Drift (issue 5, acceptance 3): a resolver serving an edited static zone is reported, name by name."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli.conftest import create
from tests.conftest import run_vpcep
from tests.dnsutil import free_port


@pytest.fixture
def records(cli):
    create(cli, "vpc", "create", "lo", "--cidr", "127.88.0.0/16")
    create(cli, "subnet", "create", "lo1", "--vpc", "lo", "--cidr", "127.88.7.0/24")
    return [create(cli, "endpoint", "create", "--service", "dns", "--vpc", "lo", "--dns") for _ in range(2)]


@pytest.fixture
def edited_resolver(cli, records, tmp_path):
    """`vpcep dns serve` over an empty state, loading the exported private zone with one A record edited."""
    zones = tmp_path / "zones"
    cli.ok("dns", "export", "--dir", str(zones))
    zone = next(zones.glob("*.zone"))
    zone.write_text(zone.read_text().replace(records[0]["ip"], "127.88.7.200"))
    other = tmp_path / "other.db"
    assert run_vpcep("--state", str(other), "init", "--domain", "other.example").returncode == 0  # no private zone clash
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "--state", str(other), "dns", "serve", "--listen",
                             f"127.0.0.1:{port}", "--zones", str(zones)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert "listening on" in proc.stdout.readline()
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_edited_static_record_is_reported_as_drift(cli, records, edited_resolver):
    result = cli("--json", "check", "--resolver", edited_resolver, "--timeout", "0.5",
                 records[0]["id"], records[1]["id"])
    by_id = {t["endpoint_id"]: t for t in result.json["endpoints"]}
    edited = next(s for s in by_id[records[0]["id"]]["steps"] if s["step"] == "dns")
    assert edited["status"] == "failed" and edited["rule"] == "E5", edited
    assert edited["figures"].get("drift") == [{"name": records[0]["dns_names"][0], "registry": records[0]["ip"],
                                           "resolver": ["127.88.7.200"]}]
    untouched = next(s for s in by_id[records[1]["id"]]["steps"] if s["step"] == "dns")
    assert untouched["status"] == "passed"
    text = cli("check", "--resolver", edited_resolver, "--timeout", "0.5", records[0]["id"]).out
    assert f"drift: {records[0]['dns_names'][0]} → 127.88.7.200, the registry says {records[0]['ip']}" in text
