"""mmsg.py: a batch of datagrams in with one recvmmsg, the replies out with one sendmmsg, to the right senders."""

from __future__ import annotations

import select
import socket

import pytest

from toolkit.dnsserver import mmsg

pytestmark = pytest.mark.skipif(not mmsg.available(), reason="recvmmsg/sendmmsg need 64-bit Linux")


def test_batch_round_trip_keeps_each_sender():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.setblocking(False)
        slots = mmsg.Slots(server)
        clients = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
        try:
            for n, client in enumerate(clients):
                client.sendto(bytes([n, n]) + b"question-%d" % n, server.getsockname())
            select.select([server], [], [], 1)
            count = slots.receive()
            assert count == 3
            for i in range(count):
                size = slots.length(i)
                data = bytes(slots.data[i * mmsg.SIZE:i * mmsg.SIZE + size])
                assert slots.peer(i) == ("127.0.0.1", clients[data[0]].getsockname()[1])
                assert slots.queue(i, i, data[:2], b"answer-" + data[2:])
            slots.send(count)
            for n, client in enumerate(clients):
                client.settimeout(1)
                assert client.recv(100) == bytes([n, n]) + b"answer-question-%d" % n
        finally:
            for client in clients:
                client.close()


def test_nothing_waiting_is_zero_and_oversized_replies_do_not_fit_a_slot():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.setblocking(False)
        slots = mmsg.Slots(server)
        assert slots.receive() == 0
        assert not slots.queue(0, 0, b"\x00\x01", b"x" * mmsg.SIZE)
