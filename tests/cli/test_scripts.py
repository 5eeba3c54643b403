"""The CLI as scripts drive it: separate processes, exit codes, JSON on stdout."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from tests.conftest import DOMAIN, OWNER, PARTNER, REGION, run_vpcep


def vpcep(state, *argv: str, ok: bool = True):
    result = run_vpcep("--state", str(state), *argv)
    if ok:
        assert result.returncode == 0, (argv, result.stderr)
    return result


def js(state, *argv: str) -> dict:
    return json.loads(vpcep(state, "--json", *argv).stdout)


def test_approval_story(tmp_path):
    """Acceptance 3: whitelist, pendingAcceptance, accept, ip and dns names, delete refused."""
    s = tmp_path / "state.db"
    vpcep(s, "init", "--region", REGION, "--domain", DOMAIN, "--account", OWNER)
    vpcep(s, "vpc", "create", "prov", "--cidr", "10.1.0.0/16")
    service = js(s, "service", "create", "--name", "api", "--vpc", "prov", "--backend", "LB", "--port-id", "lb-1",
                 "--port", "8443:443", "--approval")
    vpcep(s, "account", "create", PARTNER)
    vpcep(s, "--as", PARTNER, "vpc", "create", "b", "--cidr", "172.16.0.0/16")
    vpcep(s, "--as", PARTNER, "subnet", "create", "b1", "--vpc", "b", "--cidr", "172.16.4.0/24")
    create = ["--as", PARTNER, "endpoint", "create", "--service", service["service_name"], "--vpc", "b", "--dns"]

    refused = vpcep(s, *create, ok=False)
    assert refused.returncode == 1 and "[E9]" in refused.stderr and "Traceback" not in refused.stderr
    vpcep(s, "service", "whitelist", service["id"], "--add", f"iam:domain::{PARTNER}")
    endpoint = js(s, *create)
    assert endpoint["status"] == "pendingAcceptance"

    accepted = js(s, "service", "accept", service["id"], endpoint["id"])["connections"][0]
    assert accepted["status"] == "accepted"
    shown = js(s, "--as", PARTNER, "endpoint", "show", endpoint["id"])
    assert shown["status"] == "accepted" and shown["ip"].startswith("172.16.4.")
    assert shown["dns_names"] == [f"{endpoint['id']}.vpcep.{REGION}.{DOMAIN}"]

    blocked = vpcep(s, "service", "delete", service["id"], ok=False)
    assert blocked.returncode == 1 and "[S10]" in blocked.stderr


def test_usage_errors_exit_2(tmp_path):
    assert run_vpcep("--state", str(tmp_path / "s.db"), "service", "frobnicate").returncode == 2
    missing = run_vpcep("--state", str(tmp_path / "none.db"), "service", "list")
    assert missing.returncode == 2 and "vpcep init" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "none.db").exists()
    bad_config = run_vpcep("--config", str(tmp_path / "nope.toml"), "--state", str(tmp_path / "s.db"), "quota")
    assert bad_config.returncode == 2 and "nope.toml" in bad_config.stderr


def state_for_endpoints(tmp_path, cidr: str, quota: int):
    """A state with VPC v, subnet s (cidr) and the endpoint quota raised."""
    s = tmp_path / "state.db"
    vpcep(s, "init", "--region", REGION, "--domain", DOMAIN, "--account", OWNER)
    vpcep(s, "vpc", "create", "v", "--cidr", "10.0.0.0/16")
    vpcep(s, "subnet", "create", "s", "--vpc", "v", "--cidr", cidr)
    vpcep(s, "quota", "--set", f"endpoint={quota}")
    return s


def test_concurrent_writers(tmp_path):
    """Acceptance 4: 4 processes × 50 creates, no 'database is locked', 200 distinct ips."""
    s = state_for_endpoints(tmp_path, "10.0.0.0/22", 200)
    script = ("import sys\nfrom toolkit.cli import main\nfor _ in range(50):\n"
              "    code = main(['--state', sys.argv[1], 'endpoint', 'create', '--service', 'dns', '--vpc', 'v'])\n"
              "    assert code == 0, code\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(s)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    assert not any("locked" in e for e in errors)
    endpoints = js(s, "endpoint", "list")["endpoints"]
    assert len(endpoints) == 200 and len({e["ip"] for e in endpoints}) == 200


def test_killed_writer_loses_nothing_it_reported(tmp_path):
    """Acceptance 5: SIGKILL mid-loop; integrity_check ok; every reported create is there."""
    s = state_for_endpoints(tmp_path, "10.0.0.0/20", 5000)
    script = ("import sys\nfrom toolkit.cli import main\nwhile True:\n"
              "    main(['--state', sys.argv[1], '--json', 'endpoint', 'create', '--service', 'dns', '--vpc', 'v'])\n"
              "    sys.stdout.flush()\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(s)], stdout=subprocess.PIPE, text=True)
    reported = _read_ids(proc, count=40)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reported += _ids(proc.stdout.read())
    with sqlite3.connect(s) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {e["id"] for e in js(s, "endpoint", "list")["endpoints"]}
    assert len(reported) >= 40 and set(reported) <= stored


def _read_ids(proc, count: int) -> list[str]:
    """Ids of the creates the CLI reported (printed after commit), until `count` are seen."""
    ids: list[str] = []
    deadline = time.monotonic() + 60
    while len(ids) < count and time.monotonic() < deadline:
        ids += _ids(proc.stdout.readline())
    return ids


def _ids(text: str) -> list[str]:
    return [line.split('"')[3] for line in text.splitlines() if line.startswith('  "id": ')]
