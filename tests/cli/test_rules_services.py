"""SPEC §1 (S1–S15) from the command line: a good input and a bad one each."""

import json

from tests.cli.conftest import assert_refused, create
from tests.conftest import PARTNER, REGION


def svc(*extra: str) -> list[str]:
    return ["service", "create", "--vpc", "vpc1", "--backend", "LB", "--port-id", "lb-9", *extra]


def test_s1_two_types_gateway_is_cloud_only(world, cli):
    types = {s["short_name"]: s["service_type"] for s in cli.ok("--json", "service", "list").json["endpoint_services"]}
    assert types == {"obs": "gateway", "dns": "interface", "web": "interface", "gated": "interface"}
    assert_refused(cli(*svc("--port", "80:80", "--type", "tunnel")), "S1")


def test_s2_builtins_listed_not_changed(world, cli):
    obs = cli.ok("--json", "service", "show", "obs").json
    assert obs["builtin"] and obs["service_name"] == f"{REGION}.obs.{obs['id']}"
    assert cli.ok("service", "verify", obs["service_name"]).out == "Service name found.\n"
    assert_refused(cli("service", "delete", "obs"), "S2")
    assert_refused(cli("service", "tag", "dns", "--set", "k=v"), "S2")


def test_s3_user_services_are_interface(world, cli):
    assert create(cli, *svc("--port", "81:81"))["service_type"] == "interface"
    assert_refused(cli(*svc("--port", "82:82", "--type", "gateway")), "S3")


def test_s4_backends_and_deprecated_bms(world, cli):
    made = cli(*svc("--port", "83:83", "--backend", "BMS", "--json"))
    assert made.code == 0 and "deprecated [S4]" in made.err and "LB" in made.err
    assert json.loads(made.out)["server_type"] == "BMS"
    assert_refused(cli(*svc("--port", "84:84", "--backend", "NAS")), "S4")


def test_s4_fields_follow_the_api(world):
    expected = {"id", "service_name", "service_type", "server_type", "port_id", "vpc_id", "approval_enabled",
                "ports", "tags", "description", "status", "connection_count", "domain_id", "project_id",
                "region", "created_at", "updated_at"}
    assert expected <= set(world.web)


def test_s5_names_and_stored_form(world, cli):
    assert world.web["service_name"] == f"{REGION}.web.{world.web['id']}"
    unnamed = create(cli, *svc("--port", "85:85"))
    assert unnamed["service_name"] == f"{REGION}.{unnamed['id']}"
    assert_refused(cli(*svc("--port", "86:86", "--name", "x" * 17)), "S5")
    assert_refused(cli(*svc("--port", "86:86", "--name", "bad.name")), "S5")


def test_s6_port_mappings(world, cli):
    made = create(cli, *svc("--port", "8080:80", "--port", "8081:81"))
    assert made["ports"] == [{"protocol": "TCP", "server_port": 8080, "client_port": 80},
                             {"protocol": "TCP", "server_port": 8081, "client_port": 81}]
    assert_refused(cli(*svc("--port", "0:80")), "S6")
    assert_refused(cli(*svc("--port", "8080:70000")), "S6")
    assert_refused(cli(*svc("--port", "1:80", "--port", "2:80")), "S6")
    assert_refused(cli(*svc()), "S6")
    many = [arg for n in range(51) for arg in ("--port", f"{n + 1}:{n + 1}")]
    assert_refused(cli(*svc(*many)), "S6")


def test_s7_exactly_one_backend(world, cli):
    assert create(cli, *svc("--port", "87:87"))["port_id"] == "lb-9"
    assert_refused(cli("service", "create", "--vpc", "vpc1", "--backend", "LB", "--port-id", "lb-1,lb-2",
                       "--port", "88:88"), "S7")


def test_s8_service_quota(world, cli):
    cli.ok("quota", "--set", "endpoint_service=3")
    create(cli, *svc("--port", "89:89"))
    refused = cli(*svc("--port", "90:90"))
    assert_refused(refused, "S8")
    assert "3/3" in refused.err and "endpoint services" in refused.err
    cli.ok("quota", "--set", "endpoint_service=4")
    create(cli, *svc("--port", "90:90"))
    quotas = cli.ok("--json", "quota").json["quotas"]["resources"]
    assert {"type": "endpoint_service", "used": 4, "quota": 4} in quotas


def test_s8_quota_from_settings(world, cli, tmp_path):
    config = tmp_path / "vpcep.toml"
    config.write_text("[quota]\nservices = 2\nendpoints = 7\n")
    assert_refused(cli("--config", str(config), *svc("--port", "91:91")), "S8")
    quotas = cli.ok("--config", str(config), "--json", "quota").json["quotas"]["resources"]
    assert {"type": "endpoint", "used": 0, "quota": 7} in quotas


def test_s9_only_available_services_take_endpoints(world, cli, same_state):
    create(cli, "endpoint", "create", "--service", world.web["id"], "--vpc", "vpc2")
    with same_state.store.write() as txn:
        txn.put("services", {**txn.get("services", world.web["id"]), "status": "failed"})
    assert_refused(cli("endpoint", "create", "--service", world.web["id"], "--vpc", "vpc2"), "S9")


def test_s10_delete_refused_while_connected(world, cli):
    endpoint = create(cli, "endpoint", "create", "--service", world.web["id"], "--vpc", "vpc2")
    assert_refused(cli("service", "delete", world.web["id"]), "S10")
    cli.ok("endpoint", "delete", endpoint["id"])
    assert cli.ok("--json", "service", "delete", world.web["service_name"]).json["status"] == "deleted"
    assert cli("service", "show", world.web["id"]).code == 1


def test_s10_pending_endpoints_fail_when_the_service_goes(world, cli):
    cli.ok("service", "whitelist", "gated", "--add", PARTNER)
    pending = create(cli, "--as", PARTNER, "endpoint", "create", "--service", world.gated["service_name"],
                     "--vpc", "pvpc")
    cli.ok("service", "delete", world.gated["id"])
    assert cli.ok("--as", PARTNER, "--json", "endpoint", "show", pending["id"]).json["status"] == "failed"


def test_s11_no_custom_route_overlaps_the_endpoint_source_range(world, cli):
    """Inside 198.19.128.0/17 or containing it (a default route, 198.0.0.0/8): the API refuses any overlap."""
    routes = cli.ok("--json", "vpc", "routes", "vpc1", "--add", "172.31.0.0/16@10.0.1.1").json["routes"]
    assert routes == [{"destination": "172.31.0.0/16", "nexthop": "10.0.1.1", "origin": "custom"}]
    for overlapping in ("198.19.200.0/24", "198.19.128.0/17", "198.0.0.0/8", "0.0.0.0/0@10.0.1.1"):
        refused = cli("vpc", "routes", "vpc1", "--add", overlapping)
        assert_refused(refused, "S11")
        assert "overlaps 198.19.128.0/17" in refused.err
    assert [r["destination"] for r in cli.ok("--json", "vpc", "routes", "vpc1").json["routes"]] == ["172.31.0.0/16"]


def test_s12_connection_management(world, cli):
    cli.ok("service", "whitelist", "gated", "--add", PARTNER)
    ids = [create(cli, "--as", PARTNER, "endpoint", "create", "--service", world.gated["id"], "--vpc", "pvpc")["id"]
           for _ in range(2)]
    conns = cli.ok("--json", "service", "connections", "gated").json["connections"]
    assert [(c["id"], c["status"], c["domain_id"]) for c in conns] == [(i, "pendingAcceptance", PARTNER) for i in ids]
    assert all(isinstance(c["marker_id"], int) for c in conns)
    accepted = cli.ok("--json", "service", "accept", "gated", *ids).json["connections"]
    assert {c["status"] for c in accepted} == {"accepted"}
    assert_refused(cli("service", "accept", world.web["id"], ids[0]), "S12")  # approval off
    assert_refused(cli("service", "reject", "gated", ids[0], "no-such-endpoint"), "S12")
    assert cli.ok("--json", "endpoint", "--as", PARTNER, "show", ids[0]).json["status"] == "accepted"


def test_s13_whitelist_entries(world, cli):
    listed = cli.ok("--json", "service", "whitelist", "gated", "--add", PARTNER, "--add",
                    "organizations:orgPath::o-1/r-2", "--description", "partner").json["permissions"]
    assert [p["permission"] for p in listed] == [f"iam:domain::{PARTNER}", "organizations:orgPath::o-1/r-2"]
    assert all(p["id"] and p["created_at"] and p["description"] == "partner" for p in listed)
    left = cli.ok("--json", "service", "whitelist", "gated", "--remove", f"iam:domain::{PARTNER}").json
    assert [p["permission"] for p in left["permissions"]] == ["organizations:orgPath::o-1/r-2"]
    assert_refused(cli("service", "whitelist", "gated", "--add", "iam:domain::bad-id!"), "S13")
    assert_refused(cli("service", "whitelist", "gated", "--remove", "iam:domain::" + "c" * 32), "S13")


def test_s13_org_path_and_star(world, cli):
    cli.ok("account", "create", "c" * 32, "--org-path", "o-1/r-2/ou-3")
    cli.ok("service", "whitelist", "gated", "--add", "organizations:orgPath::o-1/r-2")
    assert create(cli, "--as", "c" * 32, "vpc", "create", "cv", "--cidr", "10.3.0.0/16")
    create(cli, "--as", "c" * 32, "subnet", "create", "cs", "--vpc", "cv", "--cidr", "10.3.1.0/24")
    made = create(cli, "--as", "c" * 32, "endpoint", "create", "--service", world.gated["id"], "--vpc", "cv")
    assert made["status"] == "pendingAcceptance"
    assert_refused(cli("--as", PARTNER, "endpoint", "create", "--service", world.gated["id"], "--vpc", "pvpc"), "E9")
    cli.ok("service", "whitelist", "gated", "--add", "*")
    assert create(cli, "--as", PARTNER, "endpoint", "create", "--service", world.gated["id"], "--vpc", "pvpc")


def test_s14_connection_count(world, cli):
    cli.ok("service", "whitelist", "gated", "--add", PARTNER)
    endpoint = create(cli, "--as", PARTNER, "endpoint", "create", "--service", world.gated["id"], "--vpc", "pvpc")
    assert cli.ok("--json", "service", "show", "gated").json["connection_count"] == 0  # pending does not count
    cli.ok("service", "accept", "gated", endpoint["id"])
    assert cli.ok("--json", "service", "show", "gated").json["connection_count"] == 1
    cli.ok("service", "reject", "gated", endpoint["id"])
    assert cli.ok("--json", "service", "show", "gated").json["connection_count"] == 0


def test_s15_backend_rules(world, cli):
    rules = cli.ok("--json", "service", "rules", "web", "--add", "sg:198.19.128.0/17:8080",
                   "--add", "acl:0.0.0.0/0:all:deny", "--add", "listener:198.19.128.0/17:8000-8100").json["rules"]
    assert [r["spec"] for r in rules] == ["sg:198.19.128.0/17:8080", "acl:0.0.0.0/0:all:deny",
                                         "listener:198.19.128.0/17:8000-8100"]
    left = cli.ok("--json", "service", "rules", "web", "--remove", "acl:0.0.0.0/0:all:deny").json["rules"]
    assert len(left) == 2
    for bad in ("fw:1.2.3.0/24:80", "sg:1.2.3.0/33:80", "sg:198.19.128.0/17:0", "sg:198.19.128.0/17:90-80"):
        assert_refused(cli("service", "rules", "web", "--add", bad), "S15")
