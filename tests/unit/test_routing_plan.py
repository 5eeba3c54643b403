"""The planner: routes, inbound rules and every finding, table-driven (O1–O6, S11, S15); no root, no I/O."""

from __future__ import annotations

import ipaddress

import pytest

from toolkit.errors import ValidationError
from toolkit.routing.plan import EndpointInfo, HostRoute, PlanInputs, ServiceInfo, VpcInfo, build_plan
from toolkit.routing.ranges import classify, explain

GW = "192.168.10.1"
CONNECTED = HostRoute("192.168.10.0/24", dev="eth0", proto="kernel", scope="link")
BASE = PlanInputs(gateway=GW, region="cn-north-4", domain="myhuaweicloud.com", dns_endpoints=("10.8.1.2",),
                  vpcs=(VpcInfo("vpc-obs", "10.8.0.0/16", (("subnet-dns", "10.8.1.0/24"),)),))


def plan_of(**changes):
    from dataclasses import replace
    return build_plan(replace(BASE, **changes))


def test_o3_o4_routes_dns_endpoint_host_route_and_obs_range_via_the_gateway():
    plan = plan_of(extra=("10.1.0.0/16",))
    assert [(r.dst, r.via, r.purpose, r.rule) for r in plan.routes] == [
        ("10.8.1.2/32", GW, "dns-endpoint", "O3"), ("100.125.0.0/16", GW, "obs", "O4"),
        ("10.1.0.0/16", GW, "extra", "O5")]
    assert plan.proto == 201


def test_o2_forwarding_zones_obs_first_then_private():
    plan = plan_of(private_zones=("vpcep.cn-north-4.myhuaweicloud.com",))
    assert plan.zones == ("obs.cn-north-4.myhuaweicloud.com", "vpcep.cn-north-4.myhuaweicloud.com")
    assert plan.forwarders == ("10.8.1.2",)


def test_duplicate_destinations_are_planned_once():
    plan = plan_of(extra=("100.125.0.0/16", "10.1.0.0/16", "10.1.0.0/16"))
    assert [r.dst for r in plan.routes].count("100.125.0.0/16") == 1
    assert [r.dst for r in plan.routes].count("10.1.0.0/16") == 1


@pytest.mark.parametrize("field, value, rule", [
    ("gateway", "10.0.0.300", "O3"), ("gateway", "fe80::1", "O3"), ("dns_endpoints", ("nope",), "O3"),
    ("obs_cidr", "100.125.0.1/16", "O4"), ("extra", ("10.1.0.0/33",), "O5"),
    ("endpoints", (EndpointInfo("e1", "interface", "v", "10.1.0.1/24"),), "O6"),
])
def test_bad_inputs_are_refused_with_their_rule(field, value, rule):
    with pytest.raises(ValidationError) as caught:
        plan_of(**{field: value})
    assert caught.value.rule == rule


def test_s15_inbound_rules_cover_every_server_port_and_mark_recorded_ones():
    services = (ServiceInfo("svc-a", "LB", (8080, 8443), (("198.19.128.0/17", 8080, 8080),)),
                ServiceInfo("svc-b", "VM", (22,), (("0.0.0.0/0", 1, 65535),)))
    plan = plan_of(services=services)
    assert [(i.service, i.port, i.recorded, i.cidr) for i in plan.inbound] == [
        ("svc-a", 8080, True, "198.19.128.0/17"), ("svc-a", 8443, False, "198.19.128.0/17"),
        ("svc-b", 22, True, "198.19.128.0/17")]
    missing = [f for f in plan.findings if f.rule == "S15" and f.severity == "warning"]
    assert len(missing) == 1 and "8443" in missing[0].message and "sg:198.19.128.0/17:8443" in missing[0].fix
    assert any(f.severity == "info" and "svc-a is LB-backed" in f.message for f in plan.findings)


FINDINGS = [
    # (case, changes, severity, rule, words in the message)
    ("S11 subnet in the source range", {"vpcs": (VpcInfo("v", "198.19.0.0/16", (("sn", "198.19.130.0/24"),)),)},
     "error", "S11", "subnet sn"),
    ("S11 custom route into the source range", {"vpcs": (VpcInfo("v", "10.0.0.0/16", (), ("198.19.200.0/24",)),)},
     "error", "S11", "custom route to 198.19.200.0/24"),
    ("S11 VPC CIDR overlapping the source range", {"vpcs": (VpcInfo("v", "198.19.0.0/16"),)},
     "warning", "S11", "VPC v (198.19.0.0/16) overlaps"),
    ("S11 extra route into the source range", {"extra": ("198.19.128.0/24",)}, "error", "S11", "planned route"),
    ("O4 on-prem network overlapping the OBS range",
     {"existing": (CONNECTED, HostRoute("100.125.7.0/24", dev="eth1", proto="kernel", scope="link"))},
     "error", "O4", "100.125.7.0/24 overlaps 100.125.0.0/16"),
    ("S11 on-prem network overlapping the source range",
     {"existing": (CONNECTED, HostRoute("198.19.0.0/16", via="192.168.10.7", proto="static"))},
     "warning", "S11", "overlaps 198.19.128.0/17"),
    ("O5 on-prem network overlapping a VPC",
     {"existing": (CONNECTED, HostRoute("10.8.0.0/24", via="192.168.10.7", proto="static"))},
     "error", "O5", "overlaps 10.8.0.0/16, VPC vpc-obs"),
    ("O4 more-specific route shadows the OBS route",
     {"existing": (CONNECTED, HostRoute("100.125.1.0/24", via="192.168.10.9", proto="static"))},
     "warning", "O4", "would shadow it"),
    ("O3 foreign route to the same destination",
     {"existing": (CONNECTED, HostRoute("10.8.1.2/32", via="192.168.10.1", proto="static"))},
     "error", "O3", "not the toolkit's"),
    ("O3 gateway on no connected network",
     {"existing": (HostRoute("172.16.0.0/24", dev="eth0", proto="kernel", scope="link"),)},
     "error", "O3", "gateway 192.168.10.1 is not on any connected network (172.16.0.0/24)"),
]


@pytest.mark.parametrize("case, changes, severity, rule, words", FINDINGS, ids=[f[0] for f in FINDINGS])
def test_findings(case, changes, severity, rule, words):
    found = [f for f in plan_of(**changes).findings if f.severity == severity and f.rule == rule and words in f.message]
    assert found, case
    assert found[0].fix or severity == "info"


def test_a_clean_host_gives_no_errors_or_warnings():
    existing = (CONNECTED, HostRoute("0.0.0.0/0", via=GW, proto="boot"),
                HostRoute("10.8.1.2/32", via=GW, proto="201"))  # our own route from an earlier apply
    plan = plan_of(existing=existing)
    assert [f for f in plan.findings if f.severity != "info"] == []


def test_without_host_routes_no_host_findings_are_guessed():
    plan = plan_of(gateway="10.99.99.99")
    assert not [f for f in plan.findings if f.rule == "O3"]


def test_findings_are_sorted_errors_first():
    plan = plan_of(extra=("198.19.128.0/24",), services=(ServiceInfo("s", "LB", (80,)),))
    order = [f.severity for f in plan.findings]
    assert order == sorted(order, key=("error", "warning", "info").index)
    assert plan.errors and plan.errors[0].rule == "S11"


@pytest.mark.parametrize("cidr, block, words", [
    ("100.125.0.0/16", "100.64.0.0/10", "RFC 6598"), ("198.19.128.0/17", "198.18.0.0/15", "RFC 2544"),
    ("10.8.1.2/32", "10.0.0.0/8", "RFC 1918"), ("8.8.8.8/32", "", "public"),
])
def test_ranges_are_classified_explicitly(cidr, block, words):
    assert classify(cidr)[0] == block
    assert words in classify(cidr)[1]


def test_python_ipaddress_gets_both_special_ranges_wrong_and_we_do_not():
    # ipaddress calls 198.19.128.0/17 "private" (it is RFC 2544, not RFC 1918) and 100.125/16 neither private nor global
    assert ipaddress.ip_network("198.19.128.0/17").is_private
    assert not ipaddress.ip_network("100.125.0.0/16").is_global
    assert "not RFC 1918" in explain("198.19.128.0/17")
    assert "RFC 6598 shared address space" in explain("100.125.0.0/16")
    notes = [f.message for f in plan_of().findings if f.severity == "info"]
    assert any("100.64.0.0/10" in n for n in notes) and any("198.18.0.0/15" in n for n in notes)


def test_s11_a_wider_custom_route_is_no_finding():
    plan = plan_of(vpcs=(VpcInfo("v", "10.0.0.0/16", (), ("0.0.0.0/0", "198.0.0.0/8")),))
    assert not [f for f in plan.findings if "custom route" in f.message]


# -- interface endpoints (O6), O1 and the O5 reminder -------------------------------------------------------------
DNS_EP = EndpointInfo("ep-dns", "dns", "vpc-obs", "10.8.1.0/24", "10.8.1.2")
OBS_EP = EndpointInfo("ep-obs", "obs", "vpc-obs")
SHOP = (EndpointInfo("ep-a", "interface", "vpc-svc", "10.1.0.0/25", "10.1.0.5"),
        EndpointInfo("ep-b", "interface", "vpc-svc", "10.1.0.128/25", "10.1.0.130"),
        EndpointInfo("ep-c", "interface", "vpc-svc", "10.1.0.0/25", "10.1.0.6"))


def test_o6_the_subnets_of_accepted_interface_endpoints_are_planned_aggregated():
    plan = plan_of(endpoints=(DNS_EP, OBS_EP, *SHOP), extra=("172.16.0.0/12",))
    assert [(r.dst, r.purpose, r.rule) for r in plan.routes] == [
        ("10.8.1.2/32", "dns-endpoint", "O3"), ("100.125.0.0/16", "obs", "O4"),
        ("10.1.0.0/24", "endpoint", "O6"), ("10.8.1.0/24", "endpoint", "O6"), ("172.16.0.0/12", "extra", "O5")]
    assert {r.via for r in plan.routes} == {GW}


def test_o3_the_dns_endpoint_host_route_stays_inside_its_subnet_route_and_is_not_called_shadowed():
    applied = (CONNECTED, HostRoute("10.8.1.2/32", via=GW, proto="201"), HostRoute("10.8.1.0/24", via=GW, proto="201"))
    plan = plan_of(endpoints=(DNS_EP, OBS_EP), existing=applied)
    assert [r.dst for r in plan.routes if r.dst.startswith("10.8.1.")] == ["10.8.1.2/32", "10.8.1.0/24"]
    assert [f for f in plan.findings if f.severity != "info"] == []


def test_an_endpoint_subnet_in_the_source_range_is_an_s11_error_with_a_subnet_fix():
    plan = plan_of(endpoints=(EndpointInfo("e", "interface", "v", "198.19.130.0/24", "198.19.130.5"),))
    error = next(f for f in plan.errors if f.rule == "S11" and "planned route 198.19.130.0/24" in f.message)
    assert "move the subnet" in error.fix


O1_CASES = [
    # (case, changes, the O1 messages expected)
    ("both in one VPC", {"endpoints": (DNS_EP, OBS_EP)}, []),
    ("no DNS endpoint", {"dns_endpoints": (), "endpoints": (OBS_EP,)}, ["no DNS endpoint"]),
    ("no OBS endpoint", {"endpoints": (DNS_EP, *SHOP)}, ["no OBS gateway endpoint"]),
    ("neither", {"dns_endpoints": (), "endpoints": ()}, ["no DNS endpoint", "no OBS gateway endpoint"]),
    ("different VPCs", {"endpoints": (DNS_EP, EndpointInfo("o", "obs", "vpc-other"))}, ["different VPCs"]),
    ("inventory not read: only what the inputs show", {"dns_endpoints": ()}, ["no DNS endpoint"]),
    ("--dns-endpoint given by hand", {"endpoints": (OBS_EP,)}, []),
]


@pytest.mark.parametrize("case, changes, expected", O1_CASES, ids=[c[0] for c in O1_CASES])
def test_o1_a_missing_dns_or_obs_endpoint_is_a_warning_that_names_it(case, changes, expected):
    found = [f for f in plan_of(**changes).findings if f.rule == "O1"]
    assert [next(w for w in expected if w in f.message) for f in found] == expected, case
    assert all(f.severity == "warning" and "vpcep endpoint create --service" in f.fix for f in found
               if "different" not in f.message)


def test_o5_reminds_that_the_vpn_side_must_carry_the_obs_range_and_the_endpoint_subnets():
    notes = [f for f in plan_of(endpoints=(DNS_EP, OBS_EP, *SHOP)).findings if f.rule == "O5"]
    assert len(notes) == 1 and notes[0].severity == "info"
    assert "advertise" in notes[0].message and "100.125.0.0/16" in notes[0].message
    assert "10.1.0.0/24, 10.8.1.0/24" in notes[0].message and notes[0].fix


def test_o2_many_dns_endpoints_resolvers_forward_to_three_and_the_rest_ride_their_subnet_route():
    from toolkit.routing.inputs import default_forwarders

    many = [EndpointInfo(f"ep-{i}", "dns", "vpc-big", "10.9.0.0/16", f"10.9.{i // 250}.{i % 250 + 2}") for i in range(600)]
    forwarders = default_forwarders([*many, OBS_EP])
    plan = plan_of(dns_endpoints=forwarders, endpoints=(*many, OBS_EP))
    assert forwarders == ("10.9.0.2", "10.9.0.3", "10.9.0.4") and plan.forwarders == forwarders
    assert [(r.dst, r.rule) for r in plan.routes if r.rule in ("O3", "O6")] == [
        ("10.9.0.2/32", "O3"), ("10.9.0.3/32", "O3"), ("10.9.0.4/32", "O3"), ("10.9.0.0/16", "O6")]
    note = next(f for f in plan.findings if f.rule == "O2")
    assert note.severity == "info" and "597 more DNS endpoint(s)" in note.message and "--dns-endpoint" in note.fix


def test_o1_forwarders_prefer_the_dns_endpoints_in_the_obs_endpoints_vpc():
    from toolkit.routing.inputs import default_forwarders

    elsewhere = [EndpointInfo(f"x{i}", "dns", "vpc-other", "10.7.0.0/24", f"10.7.0.{i + 2}") for i in range(3)]
    assert default_forwarders([*elsewhere, DNS_EP, OBS_EP])[0] == DNS_EP.ip


def test_plan_inputs_from_a_seeded_inventory_read_placements_and_zones_without_the_documents(registry):
    from toolkit.registry.demo import bulk_endpoints
    from toolkit.routing.inputs import plan_inputs

    bulk_endpoints(registry, 40, "dns", vpc="big", cidr="10.64.0.0/16")
    inputs = plan_inputs(registry, GW)
    plan = build_plan(inputs)
    listed = {e.id: e for e in registry.list_endpoints()}
    assert len(inputs.endpoints) == 40 and all(listed[e.id].ip == e.ip and e.kind == "dns" for e in inputs.endpoints)
    assert [r.dst for r in plan.routes if r.rule == "O6"] == ["10.64.0.0/16"] and len(plan.forwarders) == 3
    zones = {r.name.split(".", 1)[1] for r in registry.private_records()}
    assert set(inputs.private_zones) == zones and len(inputs.private_zones) == len(zones)
