"""Step 3, route: the kernel's route to an address goes via the planned gateway (O3, O4)."""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from dataclasses import dataclass

from toolkit.checks.result import StepResult, failed, passed, skipped


RTN_LOCAL, LOCAL_TABLE = 2, 255
"""A local address: the kernel answers from the local table, though `route get` names main."""


@dataclass(frozen=True)
class Lookup:
    """What the kernel would do with a packet to `address`."""

    address: str
    matched: str = ""
    gateway: str = ""
    device: str = ""
    error: str = ""
    source: str = ""
    """The address the host would send from (the route's preferred source): what E10 whitelists (F6)."""

    @property
    def default(self) -> bool:
        """The kernel matched only the default route (0.0.0.0/0)."""
        return self.matched == "0.0.0.0/0"


class RouteTable:
    """Route lookups through one netlink socket (in a namespace when given)."""

    def __init__(self, netns: str | None = None) -> None:
        from pyroute2 import IPRoute
        self._ipr = IPRoute(netns=netns) if netns else IPRoute()
        self._routes = None
        self._devices: dict[int, str] = {}  # by index: a name asked once per run, not per address

    def lookup(self, address: str) -> Lookup:
        from pyroute2.netlink.exceptions import NetlinkError
        try:
            route = self._ipr.route("get", dst=address)[0]
        except NetlinkError as exc:
            return Lookup(address, error=_errno_text(exc.code))
        gateway = route.get_attr("RTA_GATEWAY") or ""
        device = self._device(route.get_attr("RTA_OIF"))
        table = LOCAL_TABLE if route["type"] == RTN_LOCAL else route.get_attr("RTA_TABLE") or route["table"]
        return Lookup(address, self._matched(address, table), gateway, device,
                      source=route.get_attr("RTA_PREFSRC") or "")

    def _matched(self, address: str, table: int) -> str:
        """The most specific IPv4 route holding the address, from the table the kernel used when it has one."""
        if self._routes is None:
            self._routes = [(r.get_attr("RTA_TABLE") or r["table"],
                             ipaddress.IPv4Network(f"{r.get_attr('RTA_DST') or '0.0.0.0'}/{r['dst_len']}"))
                            for r in self._ipr.get_routes(family=socket.AF_INET)]
        ip = ipaddress.IPv4Address(address)
        holding = [(t, net) for t, net in self._routes if ip in net]
        same_table = [net for t, net in holding if t == table] or [net for _, net in holding]
        return str(max(same_table, key=lambda n: n.prefixlen)) if same_table else ""

    def _device(self, index) -> str:
        if not index:
            return ""
        if index not in self._devices:
            links = self._ipr.get_links(index)
            self._devices[index] = links[0].get_attr("IFLA_IFNAME") if links else str(index)
        return self._devices[index]

    def close(self) -> None:
        self._ipr.close()


def _errno_text(code: int) -> str:
    return f"{errno.errorcode.get(code, code)}: {os.strerror(code)}"


NO_GATEWAY_FIX = ("name the planned VPN/Direct Connect next hop (--gateway IP, --plan PLAN or [routes] gateway "
                  "in the config) and install the plan's routes (vpcep routes apply PLAN)")


def judge_route(lookups: list[Lookup], gateway: str, rule: str, plan_hint: str) -> StepResult:
    """Every address must be routed, and via the planned gateway when one is known.

    With no planned gateway a route still proves something only when it is more specific than the
    default route: a private address that leaves by 0.0.0.0/0 goes wherever the internet goes.
    """
    if not lookups:
        return skipped("route", "no address to route (see the dns step)")
    figures = {"routes": [vars(lk) for lk in lookups], "gateway": gateway or None}
    for lk in lookups:
        if lk.error:
            return failed("route", f"no route to {lk.address} ({lk.error})", rule, plan_hint, **figures)
        via = f"via {lk.gateway}" if lk.gateway else f"directly on {lk.device}"
        if gateway and lk.gateway != gateway:
            return failed("route", f"{lk.address} goes {via} (route {lk.matched}), not via {gateway}", rule,
                          plan_hint, **figures)
        if not gateway and lk.default:
            return failed("route", f"{lk.address} leaves by the default route ({via}, route 0.0.0.0/0) and no "
                          "gateway is planned", rule, NO_GATEWAY_FIX, **figures)
    first = lookups[0]
    note = "" if gateway else " (no planned gateway to compare: give --gateway or set [routes] gateway)"
    return passed("route", f"{first.address} via {first.gateway or first.device} (route {first.matched}){note}",
                  **figures)

