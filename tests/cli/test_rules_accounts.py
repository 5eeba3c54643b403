"""Accounts (V1, §7 R4): `--as` acts as an existing account only; nothing creates one on the side."""

import pytest

from tests.cli.conftest import assert_refused, create
from tests.conftest import OWNER, PARTNER

STRANGER = "c" * 32


def accounts(cli) -> list[str]:
    return [a["domain_id"] for a in cli.ok("--json", "account", "list").json["accounts"]]


@pytest.mark.parametrize("argv", [("vpc", "create", "v", "--cidr", "10.9.0.0/16"), ("vpc", "list"),
                                  ("service", "list"), ("endpoint", "list"), ("quota",), ("account", "list"),
                                  ("service", "verify", "dns"), ("quota", "--set", "endpoint=5")])
def test_r4_an_unknown_as_is_refused_with_the_fix(cli, argv):
    """R4: a mistyped --as neither creates an account nor acts as a blank one, for writes and reads."""
    refused = cli("--as", STRANGER, *argv)
    assert_refused(refused, "V1")
    assert f"vpcep account create {STRANGER}" in refused.err
    assert accounts(cli) == [OWNER]


def test_r4_an_unknown_as_from_the_environment_is_refused(cli, monkeypatch):
    monkeypatch.setenv("VPCEP_ACCOUNT", STRANGER)
    assert_refused(cli("vpc", "create", "v", "--cidr", "10.9.0.0/16"), "V1")
    monkeypatch.delenv("VPCEP_ACCOUNT")
    assert accounts(cli) == [OWNER]


def test_r4_accounts_are_created_explicitly(cli):
    assert create(cli, "account", "create", STRANGER)["domain_id"] == STRANGER
    assert create(cli, "--as", STRANGER, "vpc", "create", "v", "--cidr", "10.9.0.0/16")["domain_id"] == STRANGER
    assert accounts(cli) == [OWNER, STRANGER]


def test_r4_another_account_lists_only_itself(world, cli):
    assert accounts(cli) == [OWNER, PARTNER]
    assert [a["domain_id"] for a in cli.ok("--as", PARTNER, "--json", "account", "list").json["accounts"]] == [PARTNER]


def test_r4_the_demo_creates_the_accounts_it_acts_as(tmp_path, capsys, monkeypatch):
    from tests.conftest import Cli
    demo = Cli(tmp_path / "demo.db", capsys, monkeypatch)
    demo.ok("demo")
    listed = accounts(demo)
    assert len(listed) == 2
    partner = listed[1]
    assert demo.ok("--as", partner, "--json", "endpoint", "list").json["total_count"] == 1
