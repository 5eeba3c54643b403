"""Accounts, VPCs and subnets, and the address rules around them (SPEC V1–V5, S11, E4)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum

from toolkit.errors import ValidationError
from toolkit.model.fields import Record

ENDPOINT_SOURCE_CIDR = ipaddress.IPv4Network("198.19.128.0/17")
"""The range endpoints' traffic comes from on the service side (S11, S15)."""

MAX_VPC_PREFIX = 28
MAX_SUBNET_PREFIX = 29
_ACCOUNT = re.compile(r"^[A-Za-z0-9]{1,64}$")
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


@dataclass(frozen=True)
class Identity:
    """V1: the state's region, domain, own account and project, fixed at init."""

    region: str
    domain: str
    account: str
    project: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Account(Record):
    """An account (domain); org_path places it in an organization for S13 entries."""

    domain_id: str
    org_path: str = ""


class RouteOrigin(StrEnum):
    """E6: who made a route of a VPC route table."""

    CUSTOM = "custom"
    """The admin's own route."""
    ENDPOINT = "endpoint"
    """Added by the gateway endpoint named in the route's nexthop."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Route(Record):
    """A route of a VPC route table: a custom one, or one a gateway endpoint added (E6)."""

    destination: str
    nexthop: str = ""
    origin: RouteOrigin = RouteOrigin.CUSTOM


@dataclass(frozen=True, slots=True, kw_only=True)
class Vpc(Record):
    """A VPC of one account."""

    id: str
    name: str
    cidr: str
    domain_id: str
    routetable_id: str
    routes: tuple[Route, ...] = ()
    created_at: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Subnet(Record):
    """A subnet of a VPC."""

    DERIVED = (("gateway_ip", "cidr"),)

    id: str
    name: str
    cidr: str
    vpc_id: str
    domain_id: str
    created_at: str

    @property
    def gateway_ip(self) -> str:
        return str(gateway_of(ipaddress.IPv4Network(self.cidr)))


def validate_account(domain_id: str) -> str:
    """V1: letters and digits only."""
    if not _ACCOUNT.match(domain_id or ""):
        raise ValidationError(f"account {domain_id!r} is not letters and digits", rule="V1",
                              fix="use a domain_id such as 0a1b2c… (32 hex characters)")
    return domain_id


def validate_name(kind: str, name: str) -> str:
    """VPC and subnet names: 1–64 letters, digits, `_`, `-`, `.`."""
    if not _NAME.match(name or ""):
        raise ValidationError(f"{kind} name {name!r} is not 1–64 letters, digits, _ - .", rule="V2",
                              fix="choose another name")
    return name


def parse_network(text: str, rule: str) -> ipaddress.IPv4Network:
    """Parse an IPv4 CIDR strictly (host bits must be zero)."""
    try:
        return ipaddress.IPv4Network(text, strict=True)
    except ValueError as exc:
        raise ValidationError(f"{text!r} is not an IPv4 network: {exc}", rule=rule,
                              fix="give a CIDR such as 10.0.0.0/16") from None


def parse_address(text: str, rule: str) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not an IPv4 address", rule=rule, fix="give an address such as 10.0.0.5") from None


def validate_vpc_cidr(text: str) -> ipaddress.IPv4Network:
    net = parse_network(text, "V2")
    if net.prefixlen > MAX_VPC_PREFIX:
        raise ValidationError(f"VPC CIDR {text} is smaller than /{MAX_VPC_PREFIX}", rule="V2",
                              fix=f"use a prefix of /{MAX_VPC_PREFIX} or shorter")
    return net


def validate_subnet_cidr(text: str, vpc: Vpc, siblings: list[Subnet]) -> ipaddress.IPv4Network:
    """V2 and V3: inside the VPC, no overlap with siblings or with 198.19.128.0/17."""
    net = parse_network(text, "V2")
    if net.prefixlen > MAX_SUBNET_PREFIX:
        raise ValidationError(f"subnet {text} is smaller than /{MAX_SUBNET_PREFIX}", rule="V2",
                              fix=f"use a prefix of /{MAX_SUBNET_PREFIX} or shorter")
    if not net.subnet_of(ipaddress.IPv4Network(vpc.cidr)):
        raise ValidationError(f"subnet {text} is not inside VPC {vpc.name} ({vpc.cidr})", rule="V2",
                              fix=f"choose a CIDR inside {vpc.cidr}")
    if net.overlaps(ENDPOINT_SOURCE_CIDR):
        raise ValidationError(f"subnet {text} overlaps {ENDPOINT_SOURCE_CIDR}, the endpoint source range",
                              rule="V3", fix="choose a CIDR outside 198.19.128.0/17")
    for other in siblings:
        if net.overlaps(ipaddress.IPv4Network(other.cidr)):
            raise ValidationError(f"subnet {text} overlaps subnet {other.name} ({other.cidr})", rule="V2",
                                  fix="choose a CIDR that no other subnet of the VPC uses")
    return net


def validate_route(vpc: Vpc, destination: str, nexthop: str) -> Route:
    """S11: no custom route may overlap 198.19.128.0/17, neither inside it nor containing it."""
    net = parse_network(destination, "S11")
    if overlaps_source_range(net):
        raise ValidationError(f"route {destination} overlaps {ENDPOINT_SOURCE_CIDR}, the endpoint source range",
                              rule="S11", fix="route only destinations outside 198.19.128.0/17 "
                                              "(a default route or any route containing it overlaps it too)")
    taken = next((r for r in vpc.routes if r.destination == str(net)), None)
    if taken:
        owner = f" (gateway endpoint {taken.nexthop}'s)" if taken.origin == RouteOrigin.ENDPOINT else ""
        raise ValidationError(f"VPC {vpc.name} already has a route to {net}{owner}", rule="V2",
                              fix="remove it first")
    return Route(destination=str(net), nexthop=nexthop)


def overlaps_source_range(net: ipaddress.IPv4Network) -> bool:
    """S11: the official API refuses any custom route that overlaps 198.19.128.0/17.

    Inside it, the route would take the endpoints' return traffic; containing it (a default
    route, 198.0.0.0/8), it overlaps all the same, and the API's documentation forbids overlap.
    """
    return net.overlaps(ENDPOINT_SOURCE_CIDR)


def gateway_route(destination: str, endpoint_id: str) -> Route:
    """E6: the route a gateway endpoint adds to each of its route tables (next hop: the endpoint)."""
    return Route(destination=str(parse_network(destination, "E6")), nexthop=endpoint_id, origin=RouteOrigin.ENDPOINT)


def check_vpc_usable(vpc: Vpc, subnet: Subnet | None) -> None:
    """S11: the VPC subnet and custom routes must keep clear of the endpoint source range."""
    if subnet and ipaddress.IPv4Network(subnet.cidr).overlaps(ENDPOINT_SOURCE_CIDR):
        raise ValidationError(f"subnet {subnet.name} overlaps {ENDPOINT_SOURCE_CIDR}", rule="S11",
                              fix="use a subnet outside 198.19.128.0/17")
    for route in vpc.routes:
        if overlaps_source_range(ipaddress.IPv4Network(route.destination)):
            raise ValidationError(f"VPC {vpc.name} routes {route.destination}, which overlaps {ENDPOINT_SOURCE_CIDR}",
                                  rule="S11", fix=f"delete that custom route: `vpcep vpc routes {vpc.name} "
                                                  f"--remove {route.destination}`")


def gateway_of(net: ipaddress.IPv4Network) -> ipaddress.IPv4Address:
    """V4: the gateway is the first usable address."""
    return net.network_address + 1


def reserved(net: ipaddress.IPv4Network) -> set[int]:
    """V4: network, gateway and broadcast are never allocated."""
    return {int(net.network_address), int(gateway_of(net)), int(net.broadcast_address)}


def allocate_ip(cidr: str, used: list[int], requested: str | None = None) -> ipaddress.IPv4Address:
    """E4/V4: honour a free requested address, otherwise the lowest free one.

    `used` is the sorted list of addresses (as integers) already taken in the subnet.
    """
    net = ipaddress.IPv4Network(cidr)
    if requested:
        return _check_requested(net, parse_address(requested, "E4"), reserved(net), used)
    return next_after(cidr, used[-1] if used else None) or _first_gap(*_host_range(net), used, net)


def next_after(cidr: str, highest: int | None) -> ipaddress.IPv4Address | None:
    """E4/V4: the address after the highest one in use, if the subnet still has it (the cheap common case)."""
    first, last = _host_range(ipaddress.IPv4Network(cidr))
    candidate = first if highest is None else max(highest + 1, first)
    return ipaddress.IPv4Address(candidate) if candidate <= last else None


def _host_range(net: ipaddress.IPv4Network) -> tuple[int, int]:
    """The allocatable range: after the gateway, before the broadcast address."""
    return int(net.network_address) + 2, int(net.broadcast_address) - 1


def _check_requested(net, ip, taken, used) -> ipaddress.IPv4Address:
    if ip not in net:
        raise ValidationError(f"address {ip} is not inside subnet {net}", rule="E4", fix=f"choose one in {net}")
    if int(ip) in taken:
        raise ValidationError(f"address {ip} is the network, gateway or broadcast address of {net}", rule="V4",
                              fix="choose another address")
    if int(ip) in set(used):
        raise ValidationError(f"address {ip} is already in use", rule="E4", fix="choose a free address or omit --ip")
    return ip


def _first_gap(first: int, last: int, used: list[int], net) -> ipaddress.IPv4Address:
    expected = first
    for value in used:
        if value > expected:
            break
        expected = max(expected, value + 1)
    if expected > last:
        raise ValidationError(f"subnet {net} has no free address", rule="E4",
                              fix="use another subnet or delete unused endpoints")
    return ipaddress.IPv4Address(expected)
