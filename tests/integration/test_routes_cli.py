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


def test_o1_plan_from_the_inventory_routes_the_dns_endpoint_and_obs(demo, tmp_path):
    out = tmp_path / "routes" / "site.toml"
    plan = demo.ok("--json", "routes", "plan", "--gateway", GW, "--extra", "10.1.0.0/16", "--out", str(out)).json
    dns_ip = next(e["ip"] for e in demo.ok("--json", "endpoint", "list").json["endpoints"]
                  if ".dns." in e["endpoint_service_name"])
    assert [(r["dst"], r["via"], r["rule"]) for r in plan["routes"]] == [
        (f"{dns_ip}/32", GW, "O3"), ("100.125.0.0/16", GW, "O4"), ("10.1.0.0/16", GW, "O5")]
    assert plan["dns"] == {"forwarders": [dns_ip], "zones": [f"obs.{REGION}.{DOMAIN}", f"vpcep.{REGION}.{DOMAIN}"]}
    assert {(i["port"], i["recorded"]) for i in plan["inbound"]} == {(8080, True), (8443, True)}  # S15
    assert out.exists() and f'dst = "{dns_ip}/32"' in out.read_text()


def test_s15_an_unrecorded_backend_rule_is_a_warning_with_the_fix(demo):
    demo.ok("vpc", "create", "vpc-x", "--cidr", "10.50.0.0/16")
    demo.ok("service", "create", "--name", "bare", "--vpc", "vpc-x", "--backend", "VM", "--port-id", "p1", "--port", "9000:90")
    plan = demo.ok("--json", "routes", "plan", "--gateway", GW).json
    warning = next(f for f in plan["findings"] if f["rule"] == "S15" and f["severity"] == "warning")
    assert "9000" in warning["message"] and "--add sg:198.19.128.0/17:9000" in warning["fix"]


def test_o3_without_a_gateway_the_plan_is_refused(demo):
    result = demo("routes", "plan")
    assert result.code == 1 and "[O3]" in result.err


def test_o3_existing_routes_without_the_gateway_network_exit_1(demo, tmp_path):
    existing = tmp_path / "routes.txt"
    existing.write_text("default via 172.20.0.1 dev eth0 proto dhcp\n172.20.0.0/24 dev eth0 proto kernel scope link\n"
                        "100.125.8.0/24 via 172.20.0.9 dev eth0 proto static\n")
    result = demo("--json", "routes", "plan", "--gateway", GW, "--existing", str(existing))
    assert result.code == 1
    rules = {(f["severity"], f["rule"]) for f in result.json["findings"]}
    assert ("error", "O3") in rules and ("warning", "O4") in rules   # gateway off-net; 100.125.8.0/24 shadows OBS


def test_existing_as_ip_json_is_read_too(demo, tmp_path):
    existing = tmp_path / "routes.json"
    existing.write_text(json.dumps([{"dst": "172.20.10.0/24", "dev": "eth0", "protocol": "kernel", "scope": "link"}]))
    result = demo("--json", "routes", "plan", "--gateway", GW, "--existing", str(existing))
    assert result.code == 0 and not [f for f in result.json["findings"] if f["severity"] == "error"]


@pytest.mark.skipif(os.geteuid() != 0, reason="reading another namespace needs root")
def test_from_host_reads_a_namespace_with_pyroute2(demo):
    name = f"vpcep-fh-{secrets.token_hex(4)}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        for argv in (["link", "add", "v0", "type", "veth", "peer", "name", "v1"], ["link", "set", "v1", "up"],
                     ["addr", "add", "172.20.10.5/24", "dev", "v0"], ["link", "set", "v0", "up"]):
            subprocess.run(["ip", "-n", name, *argv], check=True)
        ok = demo("--json", "routes", "plan", "--gateway", GW, "--from-host", "--netns", name)
        off = demo("--json", "routes", "plan", "--gateway", "172.30.0.1", "--from-host", "--netns", name)
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
    assert ok.code == 0
    assert off.code == 1 and any("172.20.10.0/24" in f["message"] for f in off.json["findings"] if f["rule"] == "O3")


def test_render_needs_no_state(demo, tmp_path):
    plan = tmp_path / "p.toml"
    demo.ok("routes", "plan", "--gateway", GW, "--out", str(plan))
    proc = run_vpcep("--state", str(tmp_path / "absent" / "none.db"), "routes", "render", str(plan), "--format", "windows")
    assert proc.returncode == 0 and "route -p add 100.125.0.0 mask 255.255.0.0 172.20.10.1" in proc.stdout
    assert not (tmp_path / "absent").exists()


def test_a_hand_edited_plan_is_refused_with_its_line(demo, tmp_path):
    plan = tmp_path / "p.toml"
    demo.ok("routes", "plan", "--gateway", GW, "--out", str(plan))
    lines = plan.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if line == 'dst = "100.125.0.0/16"')
    lines[number - 1] = 'dst = "100.125.0.0/8"'
    plan.write_text("\n".join(lines) + "\n")
    result = demo("routes", "render", str(plan), "--format", "linux")
    assert result.code == 1 and f"line {number}" in result.err and "[O4]" in result.err
    assert result.err.count("\n") == 1


@pytest.mark.parametrize("argv", [["--help"], ["routes", "--help"], ["lab", "--help"], ["routes", "plan", "--help"]])
def test_help_imports_neither_pyroute2_nor_netaddr(argv):
    probe = ("import sys\nfrom toolkit.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('pyroute2', 'netaddr') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.skipif(shutil.which("ip") is None, reason="iproute2 is not installed")
def test_the_rendered_linux_lines_are_what_ip_accepts(demo, tmp_path):
    plan = tmp_path / "p.toml"
    demo.ok("routes", "plan", "--gateway", GW, "--out", str(plan))
    text = demo.ok("routes", "render", str(plan), "--format", "linux").out
    commands = [line.split("#")[0].split()[1:] for line in text.splitlines() if line.startswith("ip ")]
    assert commands and all(c[:2] == ["route", "replace"] and c[-2:] == ["proto", "99"] for c in commands)
