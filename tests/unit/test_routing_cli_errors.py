"""Privilege and namespace errors are one line, exit 2, and say what is needed (CLI.md exit codes)."""

from __future__ import annotations

import os

from toolkit.routing import planfile
from toolkit.routing.plan import Plan, PlannedRoute


def _plan(tmp_path) -> str:
    plan = Plan(gateway="10.0.0.1", proto=201, routes=(PlannedRoute("100.125.0.0/16", "10.0.0.1", "obs", "O4"),))
    return str(planfile.save(plan, tmp_path / "p.toml"))


def test_lab_up_without_root_exits_2(cli, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    result = cli("lab", "up")
    assert result.code == 2 and "needs root" in result.err and result.err.count("\n") == 1


def test_entering_a_namespace_without_root_exits_2(cli, monkeypatch, tmp_path):
    monkeypatch.setattr(os.path, "exists", lambda path: True)   # pretend the namespace is there
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    result = cli("routes", "status", _plan(tmp_path), "--netns", "somewhere")
    assert result.code == 2 and "needs root" in result.err


def test_a_namespace_name_with_a_slash_is_not_a_path(cli, tmp_path):
    result = cli("--json", "routes", "status", _plan(tmp_path), "--netns", "../../etc")
    assert result.code == 2 and result.json["error"]["errno"] == 2 and "does not exist" in result.err


def test_apply_without_cap_net_admin_exits_2_before_any_netlink(cli, monkeypatch, tmp_path):
    from toolkit.routing import apply

    monkeypatch.setattr(apply, "_has_net_admin", lambda: False)
    result = cli("routes", "apply", _plan(tmp_path))
    assert result.code == 2 and "needs CAP_NET_ADMIN" in result.err and "[O3]" in result.err


def test_a_configured_proto_iproute2_assigns_is_refused_with_one_line(cli, monkeypatch):
    monkeypatch.setenv("VPCEP_ROUTES_PROTO", "99")
    result = cli("--json", "routes", "plan", "--gateway", "10.0.0.1")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "setting [routes] proto = 99 is 'openr'" in result.err and "e.g. 201" in result.err
    assert result.json["error"]["rule"] == "O3"


def test_an_old_plan_with_proto_99_is_refused_by_apply_but_still_rendered(cli, monkeypatch, tmp_path):
    from toolkit.routing import apply

    monkeypatch.setattr(apply, "_has_net_admin", lambda: True)
    monkeypatch.setattr(apply, "IPRouteBackend", lambda netns: apply.MemoryBackend())
    plan = Plan(gateway="10.0.0.1", proto=99, routes=(PlannedRoute("100.125.0.0/16", "10.0.0.1", "obs", "O4"),))
    path = str(planfile.save(plan, tmp_path / "old.toml"))
    result = cli("routes", "apply", path)
    assert result.code == 2 and "the plan's proto = 99 is 'openr'" in result.err and "routes remove" in result.err
    assert cli("routes", "render", path, "--format", "linux").code == 0
