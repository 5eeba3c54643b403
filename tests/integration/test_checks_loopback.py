"""`vpcep check` end to end on loopback: every step passes, then each one is broken once (issue 5)."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import jsonschema
import pytest

from tests.cli.conftest import create
from toolkit.checks import report
from tests.conftest import PARTNER
from tests.stubs import Listener, StubResolver, blackhole

CLIENT_PORT = 18080


@pytest.fixture
def lo(cli, tmp_path):
    """A VPC inside 127.0.0.0/8, so every probe stays on this machine; PARTNER exists for `--as` (R4)."""
    x, y = random.randint(100, 250), random.randint(1, 250)
    cli.ok("account", "create", PARTNER)
    create(cli, "vpc", "create", "lo", "--cidr", f"127.{x}.0.0/16")
    create(cli, "subnet", "create", "lo1", "--vpc", "lo", "--cidr", f"127.{x}.{y}.0/24")
    service = create(cli, "service", "create", "--name", "web", "--vpc", "lo", "--backend", "LB", "--port-id", "lb",
                     "--port", f"8080:{CLIENT_PORT}", "--approval")
    cli.ok("service", "rules", "web", "--add", "sg:198.19.128.0/17:8080")
    endpoint = create(cli, "endpoint", "create", "--service", "web", "--vpc", "lo", "--dns")
    cli.ok("service", "accept", "web", endpoint["id"])
    listener = Listener(endpoint["ip"], CLIENT_PORT)
    resolver = StubResolver({endpoint["dns_names"][0]: endpoint["ip"]})
    world = type("World", (), {})()
    world.service, world.endpoint, world.listener, world.resolver = service, endpoint, listener, resolver
    world.prefix = f"127.{x}.{y}"
    yield world
    listener.close()
    resolver.close()


def check(cli, world, *extra: str):
    return cli("--json", "check", "--resolver", world.resolver.spec, "--timeout", "0.5", *extra)


def step(result, name: str) -> dict:
    return next(s for s in result.json["endpoints"][0]["steps"] if s["step"] == name)


def test_every_step_passes(cli, lo):
    result = check(cli, lo)
    assert result.code == 0, result.out
    run = result.json
    assert run["summary"] == {"targets": 1, "passed": 1, "failed": 0, "first_failure": None}
    target = run["endpoints"][0]
    assert target["endpoint_id"] == lo.endpoint["id"] and target["ok"] is True
    assert [s["step"] for s in target["steps"]] == ["state", "dns", "route", "policy", "tcp"]
    assert [s["status"] for s in target["steps"]] == ["passed"] * 5
    probes = step(result, "tcp")["figures"]["probes"]
    assert {p["target"] for p in probes} == {f"{lo.endpoint['ip']}:{CLIENT_PORT}",
                                             f"{lo.endpoint['dns_names'][0]}:{CLIENT_PORT}"}
    assert all(p["outcome"] == "connected" for p in probes)
    assert step(result, "route")["figures"]["routes"][0]["device"] == "lo"


def test_state_exit_10(cli, lo):
    cli.ok("service", "reject", "web", lo.endpoint["id"])
    result = check(cli, lo)
    assert result.code == 10
    assert step(result, "state")["rule"] == "F4" and "service accept" in step(result, "state")["fix"]


def test_dns_exit_11_and_drift(cli, lo):
    lo.resolver.records.clear()
    missing = check(cli, lo)
    assert missing.code == 11 and "NXDOMAIN" in step(missing, "dns")["detail"]
    lo.resolver.records[lo.endpoint["dns_names"][0]] = f"{lo.prefix}.99"
    drift = check(cli, lo)
    assert drift.code == 11
    assert step(drift, "dns")["figures"]["drift"] == [{"name": lo.endpoint["dns_names"][0],
                                                       "registry": lo.endpoint["ip"],
                                                       "resolver": [f"{lo.prefix}.99"]}]


def test_route_exit_12_when_not_via_the_planned_gateway(cli, lo):
    result = check(cli, lo, "--gateway", "127.0.0.254")
    assert result.code == 12
    route = step(result, "route")
    assert route["rule"] == "O3" and "not via 127.0.0.254" in route["detail"] and "routes apply" in route["fix"]


def test_route_gateway_from_a_plan_file(cli, lo, tmp_path):
    plan = tmp_path / "plan.toml"
    cli.ok("routes", "plan", "--gateway", "127.0.0.254", "--out", str(plan))
    result = check(cli, lo, "--plan", str(plan))
    assert result.code == 12 and result.json["options"]["gateway"] == "127.0.0.254"


def test_policy_exit_13_without_the_sg_rule(cli, lo):
    cli.ok("service", "rules", "web", "--remove", "sg:198.19.128.0/17:8080")
    result = check(cli, lo)
    assert result.code == 13
    assert step(result, "policy")["rule"] == "F1" and "sg:198.19.128.0/17:8080" in step(result, "policy")["fix"]
    cli.ok("service", "rules", "web", "--add", "sg:198.19.128.0/17:8080", "--add", "acl:198.19.0.0/16:all:deny")
    blocked = check(cli, lo)
    assert blocked.code == 13 and step(blocked, "policy")["rule"] == "F2"
    assert step(blocked, "policy")["figures"]["blocked_by"] == "acl:198.19.0.0/16:all:deny"


def test_tcp_exit_14_when_nothing_listens(cli, lo):
    lo.listener.close()
    result = check(cli, lo)
    assert result.code == 14
    assert {p["outcome"] for p in step(result, "tcp")["figures"]["probes"]} == {"refused"}


def test_one_blackholed_endpoint_does_not_slow_the_others(cli, lo):
    ids = [create(cli, "endpoint", "create", "--service", "dns", "--vpc", "lo")["ip"] for _ in range(20)]
    listeners = [Listener(ip, 53) for ip in ids[1:]]
    hole, fillers = blackhole(ids[0], 53)
    start = time.perf_counter()
    result = check(cli, lo)
    wall = time.perf_counter() - start
    for sock in [hole, *listeners, *fillers]:
        sock.close()
    outcomes = {t["label"].split("(")[1].rstrip(")"): t for t in result.json["endpoints"]}
    holed = outcomes.pop(ids[0])
    assert holed["first_failure"] == "tcp"
    assert [p["outcome"] for s in holed["steps"] if s["step"] == "tcp" for p in s["figures"]["probes"]] == ["timeout"]
    assert all(t["ok"] for t in outcomes.values())
    assert result.code == 14 and wall < 0.5 + 1.0  # the timeout plus a margin, not 21 timeouts


def test_history_records_runs(cli, lo):
    first = check(cli, lo).json["run_id"]
    lo.listener.close()
    second = check(cli, lo).json["run_id"]
    runs = cli.ok("--json", "check", "history").json["runs"]
    assert [(r["run_id"], r["exit_code"]) for r in runs[:2]] == [(second, 14), (first, 0)]
    shown = cli.ok("check", "show", first[:6]).out
    assert lo.endpoint["id"] in shown and "exit 0" in shown
    assert cli("check", "show", "nope").code == 1


@pytest.fixture
def obs_config(tmp_path):
    """OBS inside 127.0.0.0/8 (so `check obs` probes stay here), and the bucket's full name."""
    config = tmp_path / "obs.toml"
    config.write_text('[obs]\ncidr = "127.125.0.0/16"\naddresses = ["127.125.0.10"]\n')
    return str(config), "photos.obs.cn-north-4.myhuaweicloud.com"


def check_obs(cli, lo, config: str):
    return cli("--config", config, "--json", "check", "obs", "photos", "--resolver", lo.resolver.spec,
               "--timeout", "0.5")


def test_obs_bucket(cli, lo, obs_config):
    """Changed for issue 9: `check obs` now starts with the O1 state step, so the DNS and OBS endpoints exist."""
    config, bucket = obs_config
    cli.ok("endpoint", "create", "--service", "dns", "--vpc", "lo")
    cli.ok("endpoint", "create", "--service", "obs", "--vpc", "lo")
    lo.resolver.records[bucket] = "127.125.0.10"
    listener = Listener("127.125.0.10", 443)
    try:
        ok = check_obs(cli, lo, config)
        assert ok.code == 0, ok.out
        assert [s["step"] for s in ok.json["endpoints"][0]["steps"]] == ["state", "dns", "route", "tcp"]
        assert step(ok, "state")["figures"]["vpc_id"] == cli.ok("--json", "vpc", "show", "lo").json["id"]
    finally:
        listener.close()
    lo.resolver.records[bucket] = "127.0.0.9"
    outside = check_obs(cli, lo, config)
    assert outside.code == 11 and "outside the OBS range" in step(outside, "dns")["detail"]


def test_obs_o1_refused_without_the_dns_and_obs_endpoints(cli, lo, obs_config):
    """Issue 9: `check obs` in a state with neither endpoint passed; it is the state step's O1 now (exit 10)."""
    config, bucket = obs_config
    lo.resolver.records[bucket] = "127.125.0.10"
    listener = Listener("127.125.0.10", 443)
    try:
        neither = check_obs(cli, lo, config)
        assert neither.code == 10, neither.out
        state = step(neither, "state")
        assert state["rule"] == "O1" and "DNS cloud service" in state["detail"] and "OBS" in state["detail"]
        assert "--service dns" in state["fix"] and "--service obs" in state["fix"]
        vpc = cli.ok("--json", "vpc", "show", "lo").json["id"]
        cli.ok("endpoint", "create", "--service", "dns", "--vpc", "lo")
        dns_only = step(check_obs(cli, lo, config), "state")
        assert dns_only["rule"] == "O1" and "no accepted OBS gateway endpoint" in dns_only["detail"]
        assert dns_only["fix"].startswith(f"vpcep endpoint create --service obs --vpc {vpc}")
    finally:
        listener.close()


def test_text_report_names_the_fix(cli, lo):
    lo.listener.close()
    result = cli("check", "--resolver", lo.resolver.spec, "--timeout", "0.5")
    assert result.code == 14
    assert "✗ tcp" in result.out and "[O6] fix:" in result.out and "first failure: tcp" in result.out


def test_json_validates_against_the_schema(cli, lo):
    schema = json.loads((Path(report.__file__).parent / "report.schema.json").read_text())
    jsonschema.validate(check(cli, lo).json, schema)
    lo.listener.close()
    failing = check(cli, lo).json
    jsonschema.validate(failing, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**failing, "exit_code": 3}, schema)


def test_unknown_namespace_exits_2(cli, lo):
    result = check(cli, lo, "--netns", "vpcep-no-such-ns")
    assert result.code == 2 and "does not exist" in result.err


def test_nothing_to_check_is_exit_10_with_one_line(cli, lo):
    """Changed for issue 9: an account with no endpoints printed "0 checked" and exited 0."""
    create(cli, "--as", PARTNER, "vpc", "create", "p", "--cidr", "127.3.0.0/16")
    result = cli("--as", PARTNER, "check")
    assert result.code == 10 and result.out == ""
    [line] = result.err.strip().splitlines()
    assert line.startswith(f"error: nothing to check: account {PARTNER} has no endpoints [F4]: ")
    as_json = cli("--as", PARTNER, "--json", "check")
    assert as_json.code == 10 and as_json.json["error"]["rule"] == "F4"
    assert cli("--as", PARTNER, "--json", "check", "history").json["runs"] == []  # nothing ran, nothing recorded


def whitelisted(cli, lo, *cidrs: str) -> dict:
    """Another accepted endpoint of `web` with its endpoint whitelist on (E10), no private name."""
    endpoint = create(cli, "endpoint", "create", "--service", "web", "--vpc", "lo",
                      *[arg for cidr in cidrs for arg in ("--whitelist", cidr)])
    cli.ok("service", "accept", "web", endpoint["id"])
    assert endpoint["enable_whitelist"] is True
    return endpoint


def test_policy_e10_host_source_outside_the_endpoint_whitelist(cli, lo):
    """Issue 9: a whitelist of 10.99.0.0/16 checked from 127.0.0.1 passed; E10 is part of the policy step now."""
    endpoint = whitelisted(cli, lo, "10.99.0.0/16")
    listener = Listener(endpoint["ip"], CLIENT_PORT)
    try:
        result = check(cli, lo, endpoint["id"])
    finally:
        listener.close()
    assert result.code == 13, result.out
    policy = step(result, "policy")
    assert policy["rule"] == "E10" and "F6" in policy["detail"] and "127.0.0.1" in policy["detail"]
    assert policy["fix"].startswith(f"vpcep endpoint update {endpoint['id']} --whitelist 10.99.0.0/16 127.0.0.1/32")
    assert policy["figures"]["whitelist"]["source"] == "127.0.0.1"
    assert step(result, "route")["figures"]["routes"][0]["source"] == "127.0.0.1"


@pytest.mark.parametrize(("cidrs", "matched"), [(("127.0.0.1",), "127.0.0.1/32"),
                                               (("10.99.0.0/16", "127.0.0.0/8"), "127.0.0.0/8")])
def test_policy_e10_passes_when_the_source_is_inside(cli, lo, cidrs, matched):
    endpoint = whitelisted(cli, lo, *cidrs)
    listener = Listener(endpoint["ip"], CLIENT_PORT)
    try:
        result = check(cli, lo, endpoint["id"])
    finally:
        listener.close()
    assert result.code == 0, result.out
    policy = step(result, "policy")
    assert policy["figures"]["whitelist"]["matched"] == matched and "inside the endpoint whitelist" in policy["detail"]


def test_policy_says_the_whitelist_is_off(cli, lo):
    policy = step(check(cli, lo), "policy")
    assert policy["status"] == "passed" and "endpoint whitelist off" in policy["detail"]
    assert policy["figures"]["whitelist"] == {"enabled": False}


def test_quiet_prints_one_line_per_endpoint_and_the_summary(cli, lo):
    """Issue 9: `--quiet` (CLI.md) was not there: a usage error."""
    failing = whitelisted(cli, lo, "10.99.0.0/16")
    result = cli("check", "--quiet", "--resolver", lo.resolver.spec, "--timeout", "0.5")
    lines = result.out.strip().splitlines()
    assert result.code == 13 and len(lines) == 3, result.out
    by_id = {line.split()[1]: line for line in lines[:2]}
    assert by_id[lo.endpoint["id"]] == f"✓ {lo.endpoint['id']}  passed"
    assert by_id[failing["id"]].startswith(f"✗ {failing['id']}  failed  policy [E10]")
    assert lines[2].startswith("2 checked, 1 passed, 1 failed, first failure: policy")
    as_json = cli("--json", "check", "--quiet", "--resolver", lo.resolver.spec, "--timeout", "0.5")
    assert as_json.code == 13 and len(as_json.json["endpoints"]) == 2 and "steps" in as_json.json["endpoints"][0]
