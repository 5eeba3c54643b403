"""Gateway endpoints' routes (E6), and inputs as the user guide and the API word them (S4, S6, S8, E7, T2, E13, S13)."""

import pytest

from tests.cli.conftest import assert_refused, create

OBS_CIDR = "100.125.0.0/16"


def routes(cli, vpc: str, *config: str) -> list[dict]:
    return cli.ok(*config, "--json", "vpc", "routes", vpc).json["routes"]


def test_e6_a_gateway_endpoint_routes_the_obs_range_through_itself(world, cli):
    obs = create(cli, "endpoint", "create", "--service", "obs", "--vpc", "vpc2")
    assert routes(cli, "vpc2") == [{"destination": OBS_CIDR, "nexthop": obs["id"], "origin": "endpoint"}]
    shown = cli.ok("vpc", "routes", "vpc2").out
    assert OBS_CIDR in shown and obs["id"] in shown and "endpoint" in shown
    assert f"{OBS_CIDR} via {obs['id']} (endpoint)" in cli.ok("vpc", "show", "vpc2").out
    assert routes(cli, "vpc1") == []
    cli.ok("endpoint", "delete", obs["id"])
    assert routes(cli, "vpc2") == []


def test_e6_one_obs_gateway_endpoint_per_route_table(world, cli):
    first = create(cli, "endpoint", "create", "--service", "obs", "--vpc", "vpc2")
    second = cli("endpoint", "create", "--service", "obs", "--vpc", "vpc2")
    assert_refused(second, "E6")
    assert first["id"] in second.err
    assert [e["id"] for e in cli.ok("--json", "endpoint", "list").json["endpoints"]] == [first["id"]]
    assert create(cli, "endpoint", "create", "--service", "obs", "--vpc", "vpc1")  # another VPC, another table


def test_e6_the_endpoints_route_goes_only_with_the_endpoint(world, cli):
    obs = create(cli, "endpoint", "create", "--service", "obs", "--vpc", "vpc2")
    refused = cli("vpc", "routes", "vpc2", "--remove", OBS_CIDR)
    assert_refused(refused, "E6")
    assert f"vpcep endpoint delete {obs['id']}" in refused.err
    assert_refused(cli("vpc", "routes", "vpc2", "--add", f"{OBS_CIDR}@192.168.1.1"), "V2")
    assert len(routes(cli, "vpc2")) == 1


def test_e6_a_custom_route_to_the_obs_range_is_in_the_way(world, cli):
    cli.ok("vpc", "routes", "vpc2", "--add", f"{OBS_CIDR}@192.168.1.1")
    assert_refused(cli("endpoint", "create", "--service", "obs", "--vpc", "vpc2"), "E6")
    assert cli.ok("--json", "endpoint", "list").json["total_count"] == 0


def test_e6_the_route_is_the_configured_obs_range(world, cli, tmp_path):
    config = tmp_path / "obs.toml"
    config.write_text('[obs]\ncidr = "100.64.0.0/16"\n')
    obs = create(cli, "--config", str(config), "endpoint", "create", "--service", "obs", "--vpc", "vpc2")
    assert routes(cli, "vpc2") == [{"destination": "100.64.0.0/16", "nexthop": obs["id"], "origin": "endpoint"}]


def svc(*extra: str) -> list[str]:
    return ["service", "create", "--vpc", "vpc1", "--port-id", "res-1", *extra]


@pytest.mark.parametrize(("given", "stored"), [("ELB", "LB"), ("ECS", "VM"), ("elb", "LB")])
def test_s4_the_guides_backend_names(world, cli, given, stored):
    made = cli(*svc("--backend", given, "--port", "8080:80", "--json"))
    assert (made.code, made.err) == (0, "")
    assert made.json["server_type"] == stored


def test_s6_one_port_is_refused_because_a_mapping_is_fixed(world, cli):
    refused = cli(*svc("--backend", "LB", "--port", "80"))
    assert_refused(refused, "S6")
    assert "SERVER:CLIENT" in refused.err and "cannot be changed later" in refused.err


def test_s6_tcp_only(world, cli):
    refused = cli(*svc("--backend", "LB", "--port", "80:80/UDP"))
    assert_refused(refused, "S6")
    assert "TCP only" in refused.err
    assert create(cli, *svc("--backend", "LB", "--port", "80:80/TCP"))["ports"][0]["protocol"] == "TCP"


@pytest.mark.parametrize("where", ["create", "service-tag", "endpoint-tag"])
def test_t2_system_tag_keys(world, cli, where):
    endpoint = create(cli, "endpoint", "create", "--service", "web", "--vpc", "vpc2")
    argv = {"create": svc("--backend", "LB", "--port", "8080:80", "--tag", "_sys_enterprise_project_id=0"),
            "service-tag": ["service", "tag", "web", "--set", "_sys_x=1"],
            "endpoint-tag": ["endpoint", "tag", endpoint["id"], "--set", "_sys_x=1"]}[where]
    refused = cli(*argv)
    assert_refused(refused, "T2")
    assert "_sys_" in refused.err


@pytest.mark.parametrize("text", ["<script>", "a > b"])
def test_s4_e13_s13_no_angle_brackets_in_descriptions(world, cli, text):
    assert_refused(cli(*svc("--backend", "LB", "--port", "8080:80", "--description", text)), "S4")
    assert_refused(cli("endpoint", "create", "--service", "web", "--vpc", "vpc2", "--description", text), "E13")
    assert_refused(cli("service", "whitelist", "web", "--add", "cccc", "--description", text), "S13")
    assert cli.ok("--json", "service", "whitelist", "web").json["permissions"] == []


def test_s8_e7_a_quota_below_what_is_used(world, cli):
    refused = cli("quota", "--set", "endpoint_service=1")
    assert_refused(refused, "S8")
    assert "used/limit 2/20" in refused.err
    create(cli, "endpoint", "create", "--service", "web", "--vpc", "vpc2")
    assert_refused(cli("quota", "--set", "endpoint=0"), "E7")
    quotas = cli.ok("quota", "--set", "endpoint_service=2", "--set", "endpoint=1", "--json").json
    assert {"type": "endpoint_service", "used": 2, "quota": 2} in quotas["quotas"]["resources"]
    assert {"type": "endpoint", "used": 1, "quota": 1} in quotas["quotas"]["resources"]
