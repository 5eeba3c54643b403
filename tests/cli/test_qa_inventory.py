"""A demanding admin's inputs: names that collide, commands that half-succeed, demos that fail half-way."""

from tests.cli.conftest import assert_refused, create
from tests.conftest import Cli


def svc(*extra: str) -> list[str]:
    return ["service", "create", "--vpc", "vpc1", "--backend", "LB", "--port-id", "lb-9", "--port", "80:80", *extra]


def test_s2_builtin_short_names_are_reserved(world, cli):
    """A user service named `dns` would make `--service dns` (the demo's, the docs') find nothing."""
    assert_refused(cli(*svc("--name", "dns")), "S2")
    assert_refused(cli(*svc("--name", "obs")), "S2")
    assert cli.ok("--json", "service", "show", "dns").json["builtin"]


def test_s5_an_ambiguous_short_name_says_so_and_lists_the_stored_names(world, cli):
    twin = create(cli, *svc("--name", "web"))
    result = cli("service", "show", "web")
    assert_refused(result, "S5")
    assert "2 services are named 'web'" in result.err and twin["service_name"] in result.err
    assert cli.ok("--json", "service", "show", twin["service_name"]).json["id"] == twin["id"]


def test_s13_whitelist_add_and_a_bad_remove_change_nothing(world, cli):
    assert_refused(cli("service", "whitelist", "web", "--add", "cccc", "--remove", "dddd"), "S13")
    assert cli.ok("--json", "service", "whitelist", "web").json["permissions"] == []


def test_s11_vpc_routes_all_or_nothing(world, cli):
    assert_refused(cli("vpc", "routes", "vpc1", "--add", "11.0.0.0/8", "--add", "198.19.130.0/24"), "S11")
    assert cli.ok("--json", "vpc", "routes", "vpc1").json["routes"] == []


def test_s8_quota_settings_all_or_nothing(world, cli):
    assert_refused(cli("quota", "--set", "endpoint=5", "--set", "services=1"), "S8")
    quotas = {q["type"]: q["quota"] for q in cli.ok("--json", "quota").json["quotas"]["resources"]}
    assert quotas == {"endpoint_service": 20, "endpoint": 50}


def test_e7_a_demo_refused_half_way_leaves_no_half_demo(tmp_path, capsys, monkeypatch):
    runner = Cli(tmp_path / "demo.db", capsys, monkeypatch)
    monkeypatch.setenv("VPCEP_QUOTA_ENDPOINTS", "1")
    assert_refused(runner("demo"), "E7")
    monkeypatch.delenv("VPCEP_QUOTA_ENDPOINTS")
    assert runner("demo").code == 0
    assert len(runner.ok("--json", "vpc", "list").json["vpcs"]) == 4
