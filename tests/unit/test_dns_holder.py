"""holder.py: the port-in-use message names the process that holds the port."""

from __future__ import annotations

import os
import socket

from toolkit.dnsserver.holder import port_holder


def test_holder_of_our_own_udp_and_tcp_sockets_is_this_process():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, socket.socket() as tcp:
        udp.bind(("127.0.0.1", 0))
        tcp.bind(("127.0.0.1", 0))
        tcp.listen()
        assert port_holder(udp.getsockname()[1], "udp").endswith(f"(pid {os.getpid()})")
        assert port_holder(tcp.getsockname()[1], "tcp").endswith(f"(pid {os.getpid()})")


def test_free_port_has_no_holder():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
    assert port_holder(port, "udp") == ""
