"""Misbehaving peers for fault tests: a UDP upstream that loses a share of queries, raw and fast."""

from __future__ import annotations

import random
import socket
import struct
import threading


class LossyUpstream:
    """Answers every query it keeps with NXDOMAIN-without-SOA (never cached); drops `loss` of them at random."""

    def __init__(self, loss: float, seed: int = 1) -> None:
        self.loss, self.rng = loss, random.Random(seed)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.received = self.answered = 0
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.closed:
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            self.received += 1
            if len(data) < 12 or self.rng.random() < self.loss:
                continue
            flags = struct.unpack_from("!H", data, 2)[0] | 0x8083  # QR, RA, NXDOMAIN
            reply = data[:2] + struct.pack("!HHHHH", flags, 1, 0, 0, 0) + _question(data)
            try:
                self.sock.sendto(reply, addr)
                self.answered += 1
            except OSError:
                pass

    def close(self) -> None:
        self.closed = True
        self.sock.close()


def _question(data: bytes) -> bytes:
    at = 12
    while at < len(data) and data[at]:
        at += 1 + data[at]
    return data[12:at + 5]
