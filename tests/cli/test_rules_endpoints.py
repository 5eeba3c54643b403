"""SPEC §2 (E1–E13) and §3 (T1–T4) from the command line: a good input and a bad one each."""

from tests.cli.conftest import assert_refused, create
from tests.conftest import DOMAIN, PARTNER, REGION


def ep(world, *extra: str) -> list[str]:
    return ["endpoint", "create", "--service", world.web["id"], "--vpc", "vpc2", *extra]


def test_e1_one_service_per_endpoint(world, cli):
    endpoint = create(cli, *ep(world))
    assert endpoint["endpoint_service_id"] == world.web["id"]
    assert [c["id"] for c in cli.ok("--json", "service", "connections", "web").json["connections"]] == [endpoint["id"]]
    assert cli.ok("--json", "service", "connections", "gated").json["connections"] == []
    assert_refused(cli("endpoint", "create", "--service", "no-such-service", "--vpc", "vpc2"), "E3")


def test_e2_same_region_only(world, cli):
    other = world.web["service_name"].replace(REGION, "eu-west-0", 1)
    result = cli("service", "verify", other)
    assert (result.code, result.out) == (1, "Service name not found.\n")
    refused = cli("endpoint", "create", "--service", other, "--vpc", "vpc2")
    assert_refused(refused, "E2")
    assert "Service name not found." in refused.err


def test_e3_verify_answers_exactly(world, cli):
    found = cli("service", "verify", world.web["service_name"])
    assert (found.code, found.out, found.err) == (0, "Service name found.\n", "")
    missing = cli("service", "verify", f"{REGION}.nope.0000")
    assert (missing.code, missing.out) == (1, "Service name not found.\n")
    assert create(cli, "endpoint", "create", "--service", world.web["service_name"], "--vpc", "vpc2")


def test_e4_interface_endpoint_ip_from_its_subnet(world, cli):
    create(cli, "subnet", "create", "sub2b", "--vpc", "vpc2", "--cidr", "192.168.2.0/24")
    first = create(cli, *ep(world, "--subnet", "sub2"))
    second = create(cli, *ep(world, "--subnet", "sub2"))
    chosen = create(cli, *ep(world, "--subnet", "sub2b", "--ip", "192.168.2.77"))
    assert (first["ip"], second["ip"], chosen["ip"]) == ("192.168.1.2", "192.168.1.3", "192.168.2.77")
    assert first["subnet_id"] and first["vpc_id"] == second["vpc_id"]
    assert_refused(cli(*ep(world)), "E4")  # two subnets: which one?
    assert_refused(cli(*ep(world, "--subnet", "sub2", "--ip", "192.168.1.3")), "E4")  # taken
    assert_refused(cli(*ep(world, "--subnet", "sub2", "--ip", "10.0.0.5")), "E4")  # outside
    cli.ok("endpoint", "delete", first["id"])
    assert create(cli, *ep(world, "--subnet", "sub2"))["ip"] == "192.168.1.4"


def test_e4_full_subnet(cli, world):
    create(cli, "subnet", "create", "tiny", "--vpc", "vpc2", "--cidr", "192.168.9.0/29")
    ips = [create(cli, *ep(world, "--subnet", "tiny"))["ip"] for _ in range(5)]
    assert ips == [f"192.168.9.{n}" for n in range(2, 7)]
    assert_refused(cli(*ep(world, "--subnet", "tiny")), "E4")


def test_e5_private_names_follow_the_template(world, cli, tmp_path):
    endpoint = create(cli, *ep(world, "--dns"))
    assert endpoint["enable_dns"] is True
    assert endpoint["dns_names"] == [f"{endpoint['id']}.vpcep.{REGION}.{DOMAIN}"]
    assert create(cli, *ep(world))["dns_names"] == []
    config = tmp_path / "bad.toml"
    config.write_text('[dns]\nname_template = "{nope}.example.com"\n')
    assert_refused(cli("--config", str(config), *ep(world, "--dns")), "E5")


def test_e5_record_exists_only_while_accepted(world, cli, same_state):
    cli.ok("service", "whitelist", "gated", "--add", PARTNER)
    endpoint = create(cli, "--as", PARTNER, "endpoint", "create", "--service", world.gated["id"], "--vpc", "pvpc",
                      "--dns")
    names = lambda: [(r.name, r.ip) for r in same_state.private_records()]  # noqa: E731
    assert names() == []
    cli.ok("service", "accept", "gated", endpoint["id"])
    assert names() == [(endpoint["dns_names"][0], endpoint["ip"])]
    cli.ok("service", "reject", "gated", endpoint["id"])
    assert names() == []
    cli.ok("service", "accept", "gated", endpoint["id"])
    cli.ok("--as", PARTNER, "endpoint", "delete", endpoint["id"])
    assert names() == []


def test_e6_gateway_endpoint(world, cli):
    vpc = cli.ok("--json", "vpc", "show", "vpc2").json
    obs = create(cli, "endpoint", "create", "--service", "obs", "--vpc", "vpc2")
    assert (obs["service_type"], obs["ip"], obs["subnet_id"]) == ("gateway", None, None)
    assert obs["routetables"] == [vpc["routetable_id"]] and obs["status"] == "accepted"
    assert_refused(cli("endpoint", "create", "--service", "obs", "--vpc", "vpc2", "--subnet", "sub2"), "E6")
    assert_refused(cli("endpoint", "create", "--service", "obs", "--vpc", "vpc2", "--routetable", "rtb-x"), "E6")


def test_e7_endpoint_quota(world, cli):
    cli.ok("quota", "--set", "endpoint=1")
    create(cli, *ep(world))
    refused = cli(*ep(world))
    assert_refused(refused, "E7")
    assert "1/1" in refused.err and "endpoint=N" in refused.err
    assert "3,000 concurrent [E7]" in cli.ok("endpoint", "show", cli.ok("--json", "endpoint", "list").json[
        "endpoints"][0]["id"]).out


def test_e8_status_machine(world, cli, same_state):
    assert create(cli, *ep(world))["status"] == "accepted"  # approval off: creating → accepted
    cli.ok("service", "whitelist", "gated", "--add", PARTNER)
    endpoint = create(cli, "--as", PARTNER, "endpoint", "create", "--service", world.gated["id"], "--vpc", "pvpc")
    assert endpoint["status"] == "pendingAcceptance"
    assert cli.ok("--json", "service", "reject", "gated", endpoint["id"]).json["connections"][0]["status"] == "rejected"
    assert cli.ok("--json", "service", "accept", "gated", endpoint["id"]).json["connections"][0]["status"] == "accepted"
    with same_state.store.write() as txn:
        txn.put("endpoints", {**txn.get("endpoints", endpoint["id"]), "status": "failed"})
    assert_refused(cli("service", "accept", "gated", endpoint["id"]), "E8")


def test_e9_cross_account_needs_the_whitelist(world, cli):
    refused = cli("--as", PARTNER, "endpoint", "create", "--service", world.gated["service_name"], "--vpc", "pvpc")
    assert_refused(refused, "E9")
    assert f"iam:domain::{PARTNER}" in refused.err  # the fix names the entry to add
    cli.ok("service", "whitelist", "gated", "--add", f"iam:domain::{PARTNER}")
    assert create(cli, "--as", PARTNER, "endpoint", "create", "--service", world.gated["service_name"],
                  "--vpc", "pvpc")["status"] == "pendingAcceptance"


def test_e10_endpoint_whitelist(world, cli):
    made = create(cli, *ep(world, "--whitelist", "10.0.0.0/24", "--whitelist", "192.168.5.7"))
    assert made["enable_whitelist"] is True and made["whitelist"] == ["10.0.0.0/24", "192.168.5.7/32"]
    assert_refused(cli(*ep(world, "--whitelist", "10.0.0.0/33")), "E10")
    assert_refused(cli(*ep(world, "--whitelist", "not-an-ip")), "E10")


def test_e11_delete_is_permanent(world, cli):
    endpoint = create(cli, *ep(world, "--dns"))
    assert cli.ok("--json", "endpoint", "delete", endpoint["id"]).json["deleted"] is True
    assert cli.ok("--json", "endpoint", "list").json["total_count"] == 0
    assert_refused(cli("endpoint", "delete", endpoint["id"]), "E11")


def test_e12_search(world, cli):
    a = create(cli, *ep(world, "--tag", "env=prod", "--tag", "team=web"))
    b = create(cli, "endpoint", "create", "--service", "obs", "--vpc", "vpc2", "--tag", "env=prod")
    listed = lambda *f: [e["id"] for e in cli.ok("--json", "endpoint", "list", *f).json["endpoints"]]  # noqa: E731
    assert listed("--tag", "env=prod") == [a["id"], b["id"]]
    assert listed("--tag", "env=prod", "--tag", "team=web") == [a["id"]]
    assert listed("--tag", "team") == [a["id"]]  # a bare key matches any value
    assert listed("--tag", "team=") == []  # KEY= asks for a blank value
    assert listed("--service", "OBS") == [b["id"]]
    assert listed("--id", a["id"][:8]) == [a["id"]]
    services = lambda *f: [s["short_name"] for s in cli.ok("--json", "service", "list", *f).json["endpoint_services"]]  # noqa: E731
    assert services("--name", "gat") == ["gated"]
    assert services("--id", world.web["id"][:6]) == ["web"]
    tags = [arg for n in range(11) for arg in ("--tag", f"k{n}=v")]
    assert_refused(cli("endpoint", "list", *tags), "E12")


def test_e13_details(world, cli):
    endpoint = create(cli, *ep(world, "--dns", "--description", "payments", "--tag", "env=prod"))
    shown = cli.ok("endpoint", "show", endpoint["id"]).out
    for expected in (world.web["service_name"], "192.168.1.2", endpoint["dns_names"][0], "accepted",
                     endpoint["vpc_id"], endpoint["subnet_id"], "env=prod", "payments", endpoint["created_at"],
                     "192.168.1.2:80", f"{endpoint['dns_names'][0]}:80"):
        assert expected in shown
    assert_refused(cli("endpoint", "show", "nope"), "E13")


def test_t1_at_most_ten_unique_tags(world, cli):
    ten = [arg for n in range(10) for arg in ("--tag", f"k{n}=v")]
    assert len(create(cli, *ep(world, *ten))["tags"]) == 10
    assert_refused(cli(*ep(world, *ten, "--tag", "k10=v")), "T1")
    assert_refused(cli(*ep(world, "--tag", "a=1", "--tag", "a=2")), "T1")
    assert_refused(cli("service", "tag", "web", *[a for n in range(11) for a in ("--set", f"k{n}=v")]), "T1")


def test_t2_keys(world, cli):
    assert cli.ok("--json", "service", "tag", "web", "--set", "k" * 128 + "=v").json["tags"][0]["key"] == "k" * 128
    for bad in ("=v", " k=v", "k =v", "a/b=v", "a*b=v", "k" * 129 + "=v"):
        assert_refused(cli("service", "tag", "web", "--set", bad), "T2")


def test_t3_values(world, cli):
    assert cli.ok("--json", "service", "tag", "web", "--set", "blank=").json["tags"] == [{"key": "blank", "value": ""}]
    for bad in ("k=" + "v" * 256, "k=a,b", "k=x|y", "k= v"):
        assert_refused(cli("service", "tag", "web", "--set", bad), "T3")


def test_t4_add_edit_delete(world, cli):
    endpoint = create(cli, *ep(world, "--tag", "env=dev"))
    tags = lambda *a: cli.ok("--json", "endpoint", "tag", endpoint["id"], *a).json["tags"]  # noqa: E731
    assert tags("--set", "env=prod", "--set", "team=web") == [{"key": "env", "value": "prod"},
                                                                {"key": "team", "value": "web"}]
    assert tags("--delete", "team") == [{"key": "env", "value": "prod"}]
    assert tags() == [{"key": "env", "value": "prod"}]
    assert_refused(cli("endpoint", "tag", endpoint["id"], "--delete", "missing"), "T4")
