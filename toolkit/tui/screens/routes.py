"""Routes area: the route plan, its findings and rendered forms — a seam until toolkit.routing lands."""

from __future__ import annotations

from textual.app import ComposeResult

from toolkit.tui.screens.base import BaseScreen
from toolkit.tui.widgets.unavailable import Unavailable

PURPOSE = ("This area will show the current route plan (host routes to DNS endpoints, the OBS range "
           "100.125.0.0/16 via the VPN or Direct Connect gateway), its findings with rule and fix, the "
           "rendered forms per OS (ip, route.exe, BIND, unbound, dnsmasq, resolv.conf) with copy to "
           "clipboard, and apply / remove with a dry-run diff to confirm.")


class RoutesScreen(BaseScreen):
    AREA = "Routes"

    def body(self) -> ComposeResult:
        yield Unavailable("toolkit.routing", PURPOSE, ["vpcep endpoint list   (the endpoint ips a plan routes to)",
                                                        "vpcep dns records     (the names on-prem resolvers forward)"])
