"""`lab up|down|status`: CLI.md's status keys, leftovers cleaned by the next `up`, `down` leaves nothing behind."""

from __future__ import annotations

import os
import subprocess

from tests.e2e.conftest import needs_root

pytestmark = needs_root


def namespaces(prefix: str) -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return sorted(line.split()[0] for line in out.splitlines() if line.startswith(prefix))


def alive(pid: int) -> bool:
    return os.path.exists(f"/proc/{pid}/cmdline") and b"toolkit" in open(f"/proc/{pid}/cmdline", "rb").read()


def test_status_json_has_the_keys_scripts_rely_on(cli, lab):
    cli.ok("demo")
    lab.up()
    status = cli.ok("--json", "lab", "status", "--name", lab.name).json
    assert status["up"] is True
    assert set(status["namespaces"]) == {"idc", "gw", "vpc"}
    assert namespaces(f"vpcep-{lab.name}-") == sorted(status["namespaces"].values())
    assert (status["idc_address"], status["gateway"]) == ("172.31.254.2", "172.31.254.1")
    assert status["dns_endpoint"].startswith("10.8.1.") and status["obs_addresses"] == ["100.125.0.10"]
    assert all(alive(p["pid"]) for p in status["processes"]) and len(status["processes"]) == 2


def test_up_after_a_crash_cleans_up_first_and_down_removes_everything(cli, lab):
    cli.ok("demo")
    first = lab.up()
    old = [p["pid"] for p in first["processes"]]
    idc = first["namespaces"]["idc"]
    subprocess.run(["ip", "-n", idc, "addr", "add", "192.0.2.99/32", "dev", "lo"], check=True)  # a leftover mark
    second = lab.up()                                        # as if the first run had crashed
    assert not any(alive(pid) for pid in old)
    assert "192.0.2.99" not in subprocess.run(["ip", "-n", idc, "addr"], capture_output=True, text=True).stdout
    new = [p["pid"] for p in second["processes"]]
    result = cli.ok("--json", "lab", "down", "--name", lab.name).json
    assert sorted(result["stopped"]) == sorted(new) and len(result["removed"]) == 3
    assert namespaces(f"vpcep-{lab.name}-") == [] and not any(alive(pid) for pid in new)
    assert cli("lab", "status", "--name", lab.name).code == 1
    assert cli.ok("lab", "down", "--name", lab.name).out.count("no namespaces") == 1  # repeatable


def test_two_labs_over_two_states_do_not_collide(cli, lab, tmp_path):
    from tests.conftest import run_vpcep

    other = tmp_path / "other.db"
    assert run_vpcep("--state", str(other), "demo").returncode == 0
    cli.ok("demo")
    mine = lab.up()
    theirs = run_vpcep("--state", str(other), "--json", "lab", "up")
    try:
        assert theirs.returncode == 0, theirs.stderr
        assert mine["name"] not in theirs.stdout
        assert cli.ok("--json", "lab", "status", "--name", lab.name).json["up"] is True
    finally:
        assert run_vpcep("--state", str(other), "lab", "down").returncode == 0


def test_down_finds_the_lab_processes_even_when_its_record_is_lost(cli, lab):
    from toolkit.lab.lab import RECORD_DIR

    cli.ok("demo")
    pids = [p["pid"] for p in lab.up()["processes"]]
    (RECORD_DIR / f"vpcep-{lab.name}.json").unlink()
    result = cli.ok("--json", "lab", "down", "--name", lab.name).json
    assert sorted(result["stopped"]) == sorted(pids) and not any(alive(pid) for pid in pids)
    assert namespaces(f"vpcep-{lab.name}-") == []
