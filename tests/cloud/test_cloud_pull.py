"""C1, C3: `vpcep cloud pull` mirrors an account served by `vpcep api serve`, all or nothing."""

from __future__ import annotations

import sqlite3

import pytest

from tests.cloud.conftest import digest, ok, vpcep

pytestmark = pytest.mark.usefixtures("cloud")


def own_view(state, *, env=None) -> dict:
    """What the account sees of itself: services, endpoints, connections and whitelists by id."""
    services = ok(state, "service", "list", "--json", env=env)["endpoint_services"]
    endpoints = ok(state, "endpoint", "list", "--json", env=env)["endpoints"]
    view = {"services": {s["id"]: (s["service_name"], s["service_type"], s["status"], s["approval_enabled"])
                         for s in services},
            "endpoints": {e["id"]: (e["status"], e["ip"], tuple(e["dns_names"]), e["endpoint_service_id"])
                          for e in endpoints}}
    for s in services:
        if not s.get("builtin") and s["domain_id"] == endpoints[0]["domain_id"]:
            conns = ok(state, "service", "connections", s["id"], "--json", env=env)["connections"]
            view[f"connections {s['id']}"] = sorted((c["id"], c["status"], c["domain_id"]) for c in conns)
            wl = ok(state, "service", "whitelist", s["id"], "--json", env=env)
            view[f"whitelist {s['id']}"] = sorted(str(e) for e in _permissions(wl))
    return view


def _permissions(answer) -> list:
    items = answer.get("permissions", answer) if isinstance(answer, dict) else answer
    return [item["permission"] for item in items]


def test_pull_into_an_empty_state_gives_the_clouds_account(cloud, local):
    """C1: services, endpoints (ip, dns_names, status), connections and whitelists as in C."""
    done = cloud.pull(local, "--json")
    assert done.returncode == 0, done.stderr
    counts = __import__("json").loads(done.stdout)
    assert counts["added"] > 0 and counts["removed"] == 0
    assert own_view(local) == own_view(cloud.state)


def test_a_second_pull_changes_nothing_and_says_so(cloud, local):
    assert cloud.pull(local).returncode == 0
    again = cloud.pull(local, "--json")
    assert again.returncode == 0, again.stderr
    counts = __import__("json").loads(again.stdout)
    assert (counts["added"], counts["changed"], counts["removed"]) == (0, 0, 0)


def test_dns_and_routes_on_the_mirror(cloud, local):
    """The mirror's DNS has the account's endpoint names; its route plan has the cloud's DNS endpoint."""
    assert cloud.pull(local).returncode == 0
    names = {n for e in ok(cloud.state, "endpoint", "list", "--json")["endpoints"] if e["status"] == "accepted"
             for n in e["dns_names"]}
    served = {r["name"].rstrip(".") for z in ok(local, "dns", "records", "--json")["zones"] for r in z["records"]
              if r["type"] == "A"}
    assert names and names <= served
    plan = ok(local, "routes", "plan", "--gateway", "10.255.0.1", "--json")
    plan_c = ok(cloud.state, "routes", "plan", "--gateway", "10.255.0.1", "--json")
    dns_route = [r["dst"] for r in plan_c["routes"] if r["purpose"] == "dns-endpoint"]
    assert dns_route and dns_route == [r["dst"] for r in plan["routes"] if r["purpose"] == "dns-endpoint"]


def test_changes_and_deletes_in_the_cloud_reach_the_mirror(cloud, local):
    """C1: another client's change appears after the next pull; a deleted endpoint goes, its name with it."""
    assert cloud.pull(local).returncode == 0
    endpoint = next(e for e in ok(local, "endpoint", "list", "--json")["endpoints"] if e["dns_names"])
    ok(cloud.state, "endpoint", "tag", endpoint["id"], "--set", "team=blue", env=cloud.env())
    ok(cloud.state, "endpoint", "delete", endpoint["id"], env=cloud.env())
    done = cloud.pull(local, "--json")
    assert done.returncode == 0, done.stderr
    assert __import__("json").loads(done.stdout)["by_kind"]["endpoints"]["removed"] == 1
    assert endpoint["id"] not in {e["id"] for e in ok(local, "endpoint", "list", "--json")["endpoints"]}
    served = {r["name"].rstrip(".") for z in ok(local, "dns", "records", "--json")["zones"] for r in z["records"]}
    assert endpoint["dns_names"][0] not in served


def test_local_only_resources_are_left_alone(cloud, local):
    """C1: a VPC made in L survives every pull; `cloud status` counts it as local-only."""
    assert cloud.pull(local).returncode == 0
    ok(local, "vpc", "create", "lab-vpc", "--cidr", "172.31.0.0/16")
    assert cloud.pull(local).returncode == 0
    assert "lab-vpc" in {v["name"] for v in ok(local, "vpc", "list", "--json")["vpcs"]}
    status = ok(local, "cloud", "status", "--json")
    assert status["local_only"]["vpcs"] == 1 and status["last_pull"]["account"] == cloud.key["domain_id"]


@pytest.mark.parametrize("how", ["wrong-sk", "no-server", "tls"])
def test_a_failed_pull_changes_nothing_and_says_why_in_one_line(cloud, local, how):
    """C3: wrong SK, an unreachable cloud, a TLS failure: exit 2, one line, no traceback, L as it was."""
    assert cloud.pull(local).returncode == 0
    before = digest(local)
    if how == "wrong-sk":
        done = cloud.pull(local, sk="x" * 40)
    else:
        url = "http://127.0.0.1:9" if how == "no-server" else cloud.url.replace("http://", "https://")
        done = vpcep(local, "cloud", "pull", "--endpoint", url, "--region", "cn-north-4", "--project-id",
                     cloud.key["project_id"], env=cloud.pull_env())
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in done.stderr
    assert cloud.key["sk"] not in done.stderr + done.stdout
    if how == "wrong-sk":
        assert "APIGW.0301" in lines[0] and "request_id" in lines[0]
    assert digest(local) == before
    assert sqlite3.connect(local).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_failed_first_pull_leaves_no_state(cloud, local):
    done = cloud.pull(local, sk="y" * 40)
    assert done.returncode == 2 and not local.exists()


def test_credentials_file_readable_by_others_is_refused(cloud, local, tmp_path):
    creds = tmp_path / "credentials.csv"
    creds.write_text(f"User Name,Access Key Id,Secret Access Key\nadmin,{cloud.key['ak']},{cloud.key['sk']}\n")
    creds.chmod(0o644)
    env = cloud.env()
    done = vpcep(local, "cloud", "pull", *cloud.flags(), "--credentials-file", str(creds), env=env)
    assert done.returncode == 2 and "chmod 600" in done.stderr and cloud.key["sk"] not in done.stderr
    creds.chmod(0o600)
    done = vpcep(local, "cloud", "pull", *cloud.flags(), "--credentials-file", str(creds), env=env)
    assert done.returncode == 0, done.stderr


def test_watch_pulls_again_and_prints_a_line_per_pull_that_changed_something(cloud, local):
    """C1: `cloud pull --watch` follows the cloud until interrupted; ^C is a clean stop."""
    import signal
    import subprocess
    import sys

    from tests.cloud.conftest import ROOT
    assert cloud.pull(local).returncode == 0
    watch = subprocess.Popen([sys.executable, "-m", "toolkit", "--state", str(local), "cloud", "pull", *cloud.flags(),
                              "--watch", "0.2"], cwd=ROOT, env=cloud.pull_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        endpoint = next(e for e in ok(cloud.state, "endpoint", "list", "--json", env=cloud.env())["endpoints"])
        ok(cloud.state, "endpoint", "tag", endpoint["id"], "--set", "watched=yes", env=cloud.env())
        line = watch.stdout.readline()
        assert "changed 1" in line, line
        shown = ok(local, "endpoint", "show", endpoint["id"], "--json")
        assert {"key": "watched", "value": "yes"} in shown["tags"]
    finally:
        watch.send_signal(signal.SIGINT)
        _, err = watch.communicate(timeout=20)
    assert watch.returncode == 0 and "Traceback" not in err
