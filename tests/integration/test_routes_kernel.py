"""apply / remove / status / rollback / idempotency in a real throwaway namespace, checked with `ip` (DESIGN 5, O3, O4)."""

# pyroute2's mock accepts duplicate adds silently, so idempotency is only proven here, against the kernel.

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys

import pytest

from tests.conftest import run_vpcep
from tests.integration.conftest import ip
from toolkit.routing import planfile
from toolkit.routing.plan import Plan, PlannedRoute

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
              pytest.mark.skipif(shutil.which("ip") is None, reason="iproute2 (ip) is not installed")]

GW, GW2 = "10.77.0.1", "10.77.0.3"


def routes(ns: str, proto: str | None = None) -> list[tuple[str, str, str]]:
    """(dst, gateway, protocol) from `ip -j route`, a reader independent of ours."""
    argv = ["-j", "-n", ns, "route", "show"] + (["proto", proto] if proto else [])
    return sorted((r["dst"], r.get("gateway", ""), str(r.get("protocol", proto or ""))) for r in json.loads(ip(*argv)))


def write_plan(tmp_path, *pairs: tuple[str, str], name: str = "plan.toml") -> str:
    plan = Plan(gateway=GW, proto=201, routes=tuple(PlannedRoute(dst, via, "extra", "O5") for dst, via in pairs))
    return str(planfile.save(plan, tmp_path / name))


PAIRS = (("10.8.1.2/32", GW), ("100.125.0.0/16", GW), ("10.1.0.0/16", GW))


def test_apply_installs_owned_routes_and_a_second_apply_changes_nothing(cli, ns, tmp_path):
    plan = write_plan(tmp_path, *PAIRS)
    first = cli.ok("routes", "apply", plan, "--netns", ns)
    assert "changed 3" in first.out
    installed = routes(ns, "201")
    assert [r[:2] for r in installed] == sorted(("10.8.1.2" if d.endswith("/32") else d, g) for d, g in PAIRS)
    everything = routes(ns)
    again = cli.ok("--json", "routes", "apply", plan, "--netns", ns)
    assert again.json["changed"] == 0 and again.json["unchanged"] == 3 and again.json["missing"] == []
    assert routes(ns) == everything
    assert "unchanged" in cli.ok("routes", "apply", plan, "--netns", ns).out


def test_a_changed_gateway_is_replaced_in_place(cli, ns, tmp_path):
    cli.ok("routes", "apply", write_plan(tmp_path, *PAIRS), "--netns", ns)
    moved = write_plan(tmp_path, ("10.8.1.2/32", GW), ("100.125.0.0/16", GW2), ("10.1.0.0/16", GW), name="moved.toml")
    dry = cli.ok("routes", "apply", moved, "--netns", ns, "--dry-run")
    assert "~ 100.125.0.0/16 via 10.77.0.3 proto 201 (was via 10.77.0.1)" in dry.out
    assert ("100.125.0.0/16", GW, "201") in routes(ns, "201")
    cli.ok("routes", "apply", moved, "--netns", ns)
    assert ("100.125.0.0/16", GW2, "201") in routes(ns, "201") and len(routes(ns, "201")) == 3


def test_a_failure_midway_leaves_the_kernel_as_before(cli, ns, tmp_path):
    cli.ok("routes", "apply", write_plan(tmp_path, ("10.1.0.0/16", GW)), "--netns", ns)
    before = routes(ns)
    broken = write_plan(tmp_path, ("10.8.1.2/32", GW), ("100.125.0.0/16", "10.99.0.1"), ("10.1.0.0/16", GW2),
                        ("10.2.0.0/16", GW), name="broken.toml")
    result = cli("routes", "apply", broken, "--netns", ns)
    assert result.code == 2
    assert "ENETUNREACH" in result.err and "rolled back the 3 change(s)" in result.err
    assert routes(ns) == before


def test_a_route_the_toolkit_does_not_own_is_never_replaced(cli, ns, tmp_path):
    ip("-n", ns, "route", "add", "100.125.0.0/16", "via", GW2, "proto", "static")
    result = cli("routes", "apply", write_plan(tmp_path, *PAIRS), "--netns", ns)
    assert result.code == 2 and "does not own" in result.err
    assert routes(ns, "201") == [] and ("100.125.0.0/16", GW2, "static") in routes(ns)


def test_status_reports_missing_extra_and_different(cli, ns, tmp_path):
    cli.ok("routes", "apply", write_plan(tmp_path, ("10.1.0.0/16", GW), ("10.2.0.0/16", GW)), "--netns", ns)
    plan = write_plan(tmp_path, ("10.8.1.2/32", GW), ("10.1.0.0/16", GW2), name="now.toml")
    result = cli("--json", "routes", "status", plan, "--netns", ns)
    assert result.code == 1
    assert [m["dst"] for m in result.json["missing"]] == ["10.8.1.2/32"]
    assert [(d["dst"], d["old_via"]) for d in result.json["different"]] == [("10.1.0.0/16", GW)]
    assert [e["dst"] for e in result.json["extra"]] == ["10.2.0.0/16"]


def test_remove_deletes_only_the_toolkits_routes(cli, ns, tmp_path):
    plan = write_plan(tmp_path, *PAIRS)
    cli.ok("routes", "apply", plan, "--netns", ns)
    ip("-n", ns, "route", "add", "10.9.0.0/16", "via", GW, "proto", "static")
    result = cli.ok("routes", "remove", plan, "--netns", ns)
    assert "removed 3 route(s) with proto 201" in result.out
    assert routes(ns, "201") == [] and ("10.9.0.0/16", GW, "static") in routes(ns)
    assert "removed 0" in cli.ok("routes", "remove", plan, "--netns", ns).out


def test_remove_takes_an_older_vpcep_s_proto_99_routes_but_not_openr_s(cli, ns, tmp_path):
    ip("-n", ns, "route", "add", "10.1.0.0/16", "via", GW, "proto", "99")    # what vpcep < 201 installed
    ip("-n", ns, "route", "add", "10.2.0.0/16", "via", GW2, "proto", "99")   # openr's, to a planned dst: another hop
    plan = write_plan(tmp_path, ("10.1.0.0/16", GW), ("10.2.0.0/16", GW))
    result = cli.ok("routes", "remove", plan, "--netns", ns)
    assert "removed 1 route(s) with proto 201 (1 of them with proto 99" in result.out
    assert routes(ns, "99") == [("10.2.0.0/16", GW2, "99")]
    pruned = cli.ok("--json", "routes", "apply", write_plan(tmp_path, ("10.3.0.0/16", GW), name="p.toml"),
                    "--netns", ns, "--prune")
    assert pruned.json["extra"] == [] and routes(ns, "99") == [("10.2.0.0/16", GW2, "99")]


def test_thousands_of_routes_go_in_batches_and_come_back_out(cli, ns, tmp_path):
    pairs = [(f"20.{i // 256}.{i % 256}.0/24", GW) for i in range(5000)]
    plan = write_plan(tmp_path, *pairs)
    cli.ok("routes", "apply", plan, "--netns", ns)
    assert len(routes(ns, "201")) == 5000
    assert "unchanged: all 5000" in cli.ok("routes", "apply", plan, "--netns", ns).out
    cli.ok("routes", "remove", plan, "--netns", ns)
    assert routes(ns, "201") == []


def test_a_missing_namespace_is_one_line_and_exit_2(tmp_path):
    proc = run_vpcep("routes", "apply", write_plan(tmp_path, *PAIRS), "--netns", f"vpcep-none-{secrets.token_hex(3)}")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def _without_net_admin(*argv: str) -> subprocess.CompletedProcess:
    """vpcep as root but with CAP_NET_ADMIN dropped from the bounding set (what an unprivileged admin has)."""
    return subprocess.run(["setpriv", "--bounding-set", "-net_admin", "--", sys.executable, "-m", "toolkit", *argv],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XDG_CONFIG_HOME": "/nonexistent-vpcep-xdg"})


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) is not installed")
def test_without_cap_net_admin_apply_says_so_and_dry_run_still_works(tmp_path):
    plan = write_plan(tmp_path, *PAIRS)
    proc = _without_net_admin("routes", "apply", plan)
    assert proc.returncode == 2 and "needs CAP_NET_ADMIN" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
    dry = _without_net_admin("routes", "apply", plan, "--dry-run")
    assert dry.returncode == 0 and "would change" in dry.stdout


def test_a_failure_in_the_last_batch_undoes_every_earlier_batch(cli, ns, tmp_path):
    before = routes(ns)
    pairs = [(f"21.{i // 256}.{i % 256}.0/24", GW) for i in range(4500)] + [("22.0.0.0/8", "10.99.0.1")]
    result = cli("routes", "apply", write_plan(tmp_path, *pairs), "--netns", ns)
    assert result.code == 2 and "rolled back the 4500 change(s)" in result.err
    assert routes(ns) == before


def test_thousands_of_failures_are_reported_not_lost(cli, ns, tmp_path):
    pairs = [(f"23.{i // 256}.{i % 256}.0/24", "10.99.0.1") for i in range(3000)]
    result = cli("routes", "apply", write_plan(tmp_path, *pairs), "--netns", ns)
    assert result.code == 2 and "ENETUNREACH" in result.err and "(and 2999 more)" in result.err
    assert routes(ns, "201") == []


def test_prune_deletes_owned_routes_the_plan_dropped(cli, ns, tmp_path):
    cli.ok("routes", "apply", write_plan(tmp_path, *PAIRS), "--netns", ns)
    ip("-n", ns, "route", "add", "10.9.0.0/16", "via", GW, "proto", "static")
    smaller = write_plan(tmp_path, PAIRS[0], name="smaller.toml")
    kept = cli.ok("routes", "apply", smaller, "--netns", ns)
    assert "extra (kept; --prune deletes): 10.1.0.0/16" in kept.out and len(routes(ns, "201")) == 3
    cli.ok("routes", "apply", smaller, "--netns", ns, "--prune")
    assert [r[0] for r in routes(ns, "201")] == ["10.8.1.2"]
    assert ("10.9.0.0/16", GW, "static") in routes(ns)
    assert cli.ok("--json", "routes", "status", smaller, "--netns", ns).json["in_sync"] is True
