"""Inputs as the user guide and the API word them (issue 9): backends, port mappings, tags, descriptions,
quotas, S11 overlap, the route a gateway endpoint adds; pure model, no state."""

import ipaddress

import pytest

from toolkit.errors import ValidationError
from toolkit.model import network as net
from toolkit.model import quota, tags
from toolkit.model import service as svc

VPC = net.Vpc(id="v1", name="vpc1", cidr="10.0.0.0/16", domain_id="a" * 32, routetable_id="rtb-1", created_at="now")


@pytest.mark.parametrize(("given", "stored"), [("ELB", "LB"), ("elb", "LB"), ("ECS", "VM"), ("LB", "LB"), ("vm", "VM")])
def test_s4_backend_names_of_the_guide(given, stored):
    assert svc.validate_server_type(given) == (svc.ServerType(stored), None)


def test_s6_one_port_is_not_a_mapping():
    with pytest.raises(ValidationError) as info:
        svc.parse_port("80")
    assert info.value.rule == "S6"
    assert "SERVER:CLIENT" in info.value.fix and "cannot be changed later" in info.value.fix


@pytest.mark.parametrize("text", ["80:80/UDP", "53:53/udp", "80:80/SCTP"])
def test_s6_tcp_only(text):
    with pytest.raises(ValidationError) as info:
        svc.parse_port(text)
    assert info.value.rule == "S6" and "TCP only" in info.value.message


@pytest.mark.parametrize("key", ["_sys_enterprise_project_id", "_SYS_x"])
def test_t2_system_tag_keys_are_reserved(key):
    with pytest.raises(ValidationError) as info:
        tags.validate_key(key)
    assert info.value.rule == "T2" and "_sys_" in info.value.message
    assert tags.validate_key("sys_ok") == "sys_ok"


@pytest.mark.parametrize("rule", ["S4", "E13", "S13"])
@pytest.mark.parametrize("text", ["<b>bold</b>", "a > b", "x<y"])
def test_s4_e13_s13_descriptions_without_angle_brackets(text, rule):
    with pytest.raises(ValidationError) as info:
        svc.validate_description(text, rule)
    assert info.value.rule == rule
    assert svc.validate_description("a & b (ok)", rule) == "a & b (ok)"


@pytest.mark.parametrize(("kind", "rule"), [("endpoint_service", "S8"), ("endpoint", "E7")])
def test_s8_e7_a_quota_below_what_is_used(kind, rule):
    with pytest.raises(ValidationError) as info:
        quota.check_setting(kind, used=3, limit=20, value=2)
    assert info.value.rule == rule and "3/20" in info.value.message
    quota.check_setting(kind, used=3, limit=20, value=3)


@pytest.mark.parametrize("destination", ["198.19.128.0/17", "198.19.200.0/24", "198.19.0.0/16", "198.0.0.0/8",
                                         "0.0.0.0/0", "128.0.0.0/1"])
def test_s11_any_overlap_is_refused(destination):
    with pytest.raises(ValidationError) as info:
        net.validate_route(VPC, destination, "")
    assert info.value.rule == "S11"


@pytest.mark.parametrize("destination", ["198.19.0.0/17", "198.20.0.0/16", "0.0.0.0/1", "100.125.0.0/16"])
def test_s11_neighbours_are_fine(destination):
    assert net.validate_route(VPC, destination, "10.0.0.1").destination == destination


def test_s11_a_vpc_with_a_wide_route_is_not_usable():
    wide = net.Vpc(id="v", name="wide", cidr="10.0.0.0/16", domain_id="a", routetable_id="rtb", created_at="now",
                   routes=(net.Route(destination="0.0.0.0/0", nexthop="10.0.0.1"),))
    with pytest.raises(ValidationError) as info:
        net.check_vpc_usable(wide, None)
    assert info.value.rule == "S11" and "--remove 0.0.0.0/0" in info.value.fix


def test_e6_gateway_route_is_the_endpoints():
    route = net.gateway_route("100.125.0.0/16", "ep-1")
    assert route.to_dict() == {"destination": "100.125.0.0/16", "nexthop": "ep-1", "origin": "endpoint"}
    assert net.Vpc.from_dict({**VPC.to_dict(), "routes": [route.to_dict()]}).routes == (route,)
    assert not net.overlaps_source_range(ipaddress.IPv4Network(route.destination))
    routed = net.Vpc(id="v1", name="vpc1", cidr="10.0.0.0/16", domain_id="a", routetable_id="rtb-1", created_at="now",
                     routes=(route,))
    with pytest.raises(ValidationError) as info:
        net.validate_route(routed, "100.125.0.0/16", "")
    assert "gateway endpoint ep-1" in info.value.message
