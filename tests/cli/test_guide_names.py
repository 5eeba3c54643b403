"""Table headings use the guide's names (Service Port / Terminal Port, Packet ID); JSON keys stay the API's."""

from __future__ import annotations

from tests.conftest import PARTNER


def test_connections_heading_says_packet_id(world, cli):
    cli.ok("service", "whitelist", "gated", "--add", PARTNER)
    cli.ok("--as", PARTNER, "endpoint", "create", "--service", world.gated["id"], "--vpc", "pvpc")
    heading = cli.ok("service", "connections", "gated").out.splitlines()[0].split()
    assert heading == ["ENDPOINT_ID", "PACKET_ID", "STATUS", "DOMAIN_ID", "CREATED", "DESCRIPTION"]
    assert "marker_id" in cli.ok("--json", "service", "connections", "gated").json["connections"][0]


def test_service_show_names_service_and_terminal_ports(world, cli):
    shown = cli.ok("service", "show", "web").out
    assert "Ports (Service Port→Terminal Port):  TCP 8080→80" in shown
    assert cli.ok("--json", "service", "show", "web").json["ports"][0] == {"protocol": "TCP", "server_port": 8080,
                                                                          "client_port": 80}
