"""SPEC §0 (V1–V5) and §7 from the command line: a good input and a bad one each."""

from tests.cli.conftest import assert_refused, create
from tests.conftest import PARTNER


def test_v1_accounts_are_letters_and_digits(cli):
    cli.ok("account", "create", PARTNER)
    assert create(cli, "--as", PARTNER, "vpc", "create", "v", "--cidr", "10.9.0.0/16")["domain_id"] == PARTNER
    assert_refused(cli("--as", "not-an-id!", "vpc", "create", "v", "--cidr", "10.9.0.0/16"), "V1")


def test_v1_region_and_domain_fixed_at_init(cli):
    assert_refused(cli("init", "--region", "eu-west-0", "--domain", "example.com"), "V1")
    accounts = cli.ok("--json", "account", "list").json["accounts"]
    assert [a["domain_id"] for a in accounts] == ["a" * 32]


def test_v2_subnet_inside_its_vpc_and_no_overlap(world, cli):
    subnet = create(cli, "subnet", "create", "sub3", "--vpc", "vpc1", "--cidr", "10.0.2.0/24")
    assert subnet["cidr"] == "10.0.2.0/24" and subnet["gateway_ip"] == "10.0.2.1"
    assert_refused(cli("subnet", "create", "out", "--vpc", "vpc1", "--cidr", "10.1.0.0/24"), "V2")
    assert_refused(cli("subnet", "create", "dup", "--vpc", "vpc1", "--cidr", "10.0.1.128/25"), "V2")
    assert_refused(cli("vpc", "create", "bad", "--cidr", "10.0.0.1/16"), "V2")


def test_v3_no_subnet_in_the_endpoint_source_range(cli):
    create(cli, "vpc", "create", "wide", "--cidr", "198.16.0.0/12")
    assert create(cli, "subnet", "create", "ok", "--vpc", "wide", "--cidr", "198.18.0.0/24")
    assert_refused(cli("subnet", "create", "bad", "--vpc", "wide", "--cidr", "198.19.130.0/24"), "V3")


def test_v4_network_gateway_broadcast_never_allocated(world, cli):
    first = create(cli, "endpoint", "create", "--service", world.web["id"], "--vpc", "vpc2")
    assert first["ip"] == "192.168.1.2"
    for ip in ("192.168.1.0", "192.168.1.1", "192.168.1.255"):
        assert_refused(cli("endpoint", "create", "--service", world.web["id"], "--vpc", "vpc2", "--ip", ip), "V4")


def test_v5_vpc_and_subnet_with_endpoints_cannot_be_deleted(world, cli):
    create(cli, "endpoint", "create", "--service", world.web["id"], "--vpc", "vpc2")
    assert_refused(cli("vpc", "delete", "vpc2"), "V5")
    assert_refused(cli("subnet", "delete", "sub2"), "V5")
    assert_refused(cli("vpc", "delete", "vpc1"), "V5")  # holds services
    create(cli, "vpc", "create", "empty", "--cidr", "10.50.0.0/16")
    create(cli, "subnet", "create", "esub", "--vpc", "empty", "--cidr", "10.50.1.0/24")
    assert cli.ok("--json", "vpc", "delete", "empty").json["deleted"] is True
    assert [s["name"] for s in cli.ok("--json", "subnet", "list").json["subnets"]] == ["sub1", "sub2"]


def test_roles_read_only_refuses_every_change(world, cli):
    listed = cli.ok("--read-only", "--json", "service", "list").json
    assert listed["total_count"] == 4
    assert_refused(cli("--read-only", "vpc", "create", "x", "--cidr", "10.7.0.0/16"), "§7")
    assert_refused(cli("service", "delete", world.web["id"], "--read-only"), "§7")
    assert cli.ok("--json", "service", "list").json["total_count"] == 4


def test_read_only_from_the_environment(world, cli, monkeypatch):
    monkeypatch.setenv("VPCEP_READ_ONLY", "1")
    assert_refused(cli("endpoint", "create", "--service", world.web["id"], "--vpc", "vpc2"), "§7")


def test_json_errors_carry_rule_and_type(cli):
    result = cli("--json", "vpc", "show", "nope")
    assert result.code == 1
    assert result.json["error"]["rule"] == "V2" and result.json["error"]["type"] == "NotFound"
