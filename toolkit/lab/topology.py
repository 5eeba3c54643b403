"""The lab's namespaces and veth links (idc ↔ gw ↔ vpc), made with pyroute2; gw and vpc routes by the routing code."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.lab.netns import exists, run_in
from toolkit.routing.apply import IPRouteBackend, apply_plan
from toolkit.routing.plan import Plan, PlannedRoute

IDC_NET, IDC_ADDRESS, GW_IDC = "172.31.254.0/30", "172.31.254.2", "172.31.254.1"
VPC_NET, GW_VPC, VPC_ADDRESS = "172.31.255.0/30", "172.31.255.1", "172.31.255.2"
"""Transit links: idc—gw (the on-prem LAN, GW_IDC is the VPN gateway) and gw—vpc (the tunnel)."""
LAB_PROTO = 98
"""Routes the lab itself makes in gw and vpc; never the plan's protocol."""


@dataclass(frozen=True)
class Topology:
    """What one lab holds: its name prefix, the addresses that live in vpc, the networks gw routes there."""

    prefix: str
    vpc_addresses: tuple[str, ...] = ()
    """Endpoint IPs and OBS addresses: /32s on vpc's loopback."""
    vpc_networks: tuple[str, ...] = ()
    """What gw routes into vpc: the VPC CIDRs and the OBS range (O5: advertised over the VPN)."""

    @property
    def namespaces(self) -> dict[str, str]:
        return {role: f"{self.prefix}-{role}" for role in ("idc", "gw", "vpc")}


def build(top: Topology) -> None:
    """Make the three namespaces, the two veth pairs, the addresses and the gw/vpc routes."""
    from pyroute2 import IPRoute
    from pyroute2 import netns as pyroute_netns

    ns = top.namespaces
    for name in ns.values():
        pyroute_netns.create(name)
    with IPRoute(netns=ns["gw"]) as ipr:
        ipr.link("add", ifname="idc0", kind="veth", peer={"ifname": "eth0", "net_ns_fd": ns["idc"]})
        ipr.link("add", ifname="vpc0", kind="veth", peer={"ifname": "eth0", "net_ns_fd": ns["vpc"]})
        _address(ipr, "idc0", GW_IDC, 30)
        _address(ipr, "vpc0", GW_VPC, 30)
    with IPRoute(netns=ns["idc"]) as ipr:
        _address(ipr, "eth0", IDC_ADDRESS, 30)
    with IPRoute(netns=ns["vpc"]) as ipr:
        _address(ipr, "eth0", VPC_ADDRESS, 30)
        for address in top.vpc_addresses:
            ipr.addr("add", index=_index(ipr, "lo"), address=address, prefixlen=32)
    run_in(ns["gw"], _forwarding_on)
    _route(ns["gw"], [(cidr, VPC_ADDRESS) for cidr in top.vpc_networks])
    _route(ns["vpc"], [(IDC_NET, GW_VPC)])


def _address(ipr, ifname: str, address: str, mask: int) -> None:
    index = _index(ipr, ifname)
    ipr.addr("add", index=index, address=address, prefixlen=mask)
    ipr.link("set", index=index, state="up")
    ipr.link("set", index=_index(ipr, "lo"), state="up")


def _index(ipr, ifname: str) -> int:
    return ipr.link_lookup(ifname=ifname)[0]


def _forwarding_on() -> None:
    with open("/proc/sys/net/ipv4/ip_forward", "w", encoding="ascii") as handle:
        handle.write("1\n")


def _route(netns: str, pairs: list[tuple[str, str]]) -> None:
    """The lab's own routes, through the same backend `routes apply` uses."""
    plan = Plan(gateway=pairs[0][1] if pairs else "", proto=LAB_PROTO,
                routes=tuple(PlannedRoute(dst, via, "extra", "O5") for dst, via in dict(pairs).items()))
    with IPRouteBackend(netns) as backend:
        apply_plan(backend, plan)


def destroy(top: Topology) -> list[str]:
    """Delete the lab's three namespaces where they exist (their veths go with them); the names removed."""
    from pyroute2 import netns as pyroute_netns

    removed = []
    for name in top.namespaces.values():
        if exists(name):
            pyroute_netns.remove(name)
            removed.append(name)
    return removed
