"""Address rules of the model (V2–V4, E4, S11), without a state."""

import ipaddress

import pytest

from toolkit.errors import ValidationError
from toolkit.model import network as net

VPC = net.Vpc(id="v1", name="vpc", cidr="10.0.0.0/16", domain_id="a", routetable_id="rtb-1", created_at="now")


@pytest.mark.parametrize(("used", "expected"), [
    ([], "10.0.1.2"),                                   # V4: .0 network, .1 gateway skipped
    ([int(ipaddress.IPv4Address("10.0.1.2"))], "10.0.1.3"),
    ([int(ipaddress.IPv4Address(f"10.0.1.{n}")) for n in (2, 3, 5)], "10.0.1.6"),
])
def test_e4_allocation_takes_the_next_address(used, expected):
    assert str(net.allocate_ip("10.0.1.0/24", used)) == expected


def test_e4_allocation_fills_gaps_when_the_top_is_taken():
    used = [int(ipaddress.IPv4Address(f"10.0.1.{n}")) for n in (2, 3, 5, 254)]
    assert str(net.allocate_ip("10.0.1.0/24", used)) == "10.0.1.4"


def test_e4_full_subnet_is_refused():
    used = [int(ipaddress.IPv4Address(f"10.0.1.{n}")) for n in range(2, 7)]
    with pytest.raises(ValidationError) as info:
        net.allocate_ip("10.0.1.0/29", used)
    assert info.value.rule == "E4"


@pytest.mark.parametrize(("requested", "rule"), [("10.0.1.0", "V4"), ("10.0.1.1", "V4"), ("10.0.1.255", "V4"),
                                                 ("10.0.2.9", "E4"), ("10.0.1.9", "E4"), ("nonsense", "E4")])
def test_v4_e4_requested_addresses(requested, rule):
    with pytest.raises(ValidationError) as info:
        net.allocate_ip("10.0.1.0/24", [int(ipaddress.IPv4Address("10.0.1.9"))], requested)
    assert info.value.rule == rule


def test_v4_gateway_is_first_usable():
    subnet = net.Subnet(id="s", name="s", cidr="192.168.4.0/22", vpc_id="v", domain_id="a", created_at="now")
    assert subnet.gateway_ip == "192.168.4.1"
    assert net.reserved(ipaddress.IPv4Network("192.168.4.0/22")) == {
        int(ipaddress.IPv4Address(a)) for a in ("192.168.4.0", "192.168.4.1", "192.168.7.255")}


@pytest.mark.parametrize(("cidr", "rule"), [("10.1.0.0/24", "V2"), ("10.0.0.0/30", "V2"), ("10.0.1.0/24", "V2"),
                                            ("10.0.1.1/24", "V2"), ("x", "V2")])
def test_v2_subnet_cidr(cidr, rule):
    sibling = net.Subnet(id="s", name="sib", cidr="10.0.1.0/25", vpc_id="v1", domain_id="a", created_at="now")
    with pytest.raises(ValidationError) as info:
        net.validate_subnet_cidr(cidr, VPC, [sibling])
    assert info.value.rule == rule


def test_v3_s11_endpoint_source_range():
    wide = net.Vpc(id="v2", name="wide", cidr="198.0.0.0/8", domain_id="a", routetable_id="rtb-2", created_at="now")
    assert str(net.validate_subnet_cidr("198.19.0.0/24", wide, [])) == "198.19.0.0/24"
    with pytest.raises(ValidationError) as info:
        net.validate_subnet_cidr("198.19.128.0/24", wide, [])
    assert info.value.rule == "V3"
    with pytest.raises(ValidationError) as info:
        net.validate_route(VPC, "198.19.255.0/24", "")
    assert info.value.rule == "S11"
    routed = net.Vpc(id="v3", name="r", cidr="10.0.0.0/16", domain_id="a", routetable_id="rtb", created_at="now",
                     routes=(net.Route(destination="198.19.128.0/17", nexthop="x"),))
    with pytest.raises(ValidationError) as info:
        net.check_vpc_usable(routed, None)
    assert info.value.rule == "S11"


@pytest.mark.parametrize("domain_id", ["a" * 32, "ABC123", "x"])
def test_v1_accounts(domain_id):
    assert net.validate_account(domain_id) == domain_id


@pytest.mark.parametrize("domain_id", ["", "a-b", "a b", "é"])
def test_v1_bad_accounts(domain_id):
    with pytest.raises(ValidationError):
        net.validate_account(domain_id)
