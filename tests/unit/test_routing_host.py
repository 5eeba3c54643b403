"""Reading the on-prem host's routes from `ip route` text and `ip -j route` JSON (the planner's --existing)."""

from __future__ import annotations

import json

from toolkit.routing.host import parse_text
from toolkit.routing.plan import HostRoute

TEXT = """\
default via 172.20.0.1 dev eth0 onlink proto dhcp metric 100
172.20.0.0/24 dev eth0 proto kernel scope link src 172.20.0.5
10.9.9.9 via 172.20.0.7 dev eth0
broadcast 172.20.0.255 dev eth0 proto kernel scope link src 172.20.0.5
# a comment

"""


def test_ip_route_text_keeps_keywords_in_any_order_and_skips_non_unicast():
    assert parse_text(TEXT) == [
        HostRoute("0.0.0.0/0", "172.20.0.1", "eth0", "dhcp", ""),
        HostRoute("172.20.0.0/24", "", "eth0", "kernel", "link"),
        HostRoute("10.9.9.9/32", "172.20.0.7", "eth0", "", "")]


def test_ip_json_is_read_with_its_own_key_names():
    data = [{"dst": "default", "gateway": "172.20.0.1", "dev": "eth0", "protocol": "dhcp"},
            {"dst": "172.20.0.0/24", "dev": "eth0", "protocol": "kernel", "scope": "link"}]
    routes = parse_text(json.dumps(data))
    assert routes[0] == HostRoute("0.0.0.0/0", "172.20.0.1", "eth0", "dhcp", "")
    assert routes[1].connected and not routes[0].connected
