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
