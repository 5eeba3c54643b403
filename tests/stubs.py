"""Small real peers for tests: a DNS stub resolver (dnspython) and TCP listeners, on loopback only."""

from __future__ import annotations

import socket
import threading

import dns.message
import dns.rcode
import dns.rrset


class StubResolver:
    """Answers A questions from a dict over UDP on 127.0.0.1; NXDOMAIN for anything else."""

    def __init__(self, records: dict[str, str] | None = None, sock: socket.socket | None = None,
                 bind: tuple[str, int] = ("127.0.0.1", 0)) -> None:
        """`sock`: a UDP socket made elsewhere (e.g. inside a namespace), bound here to `bind`."""
        self.records = dict(records or {})
        self.sock = sock or socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(True)
        self.sock.bind(bind)
        self.address = self.sock.getsockname()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def spec(self) -> str:
        return f"{self.address[0]}:{self.address[1]}"

    def _serve(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            self.sock.sendto(self._answer(dns.message.from_wire(data)).to_wire(), peer)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        reply = dns.message.make_response(query)
        name = query.question[0].name.to_text().rstrip(".").lower()
        if name in self.records:
            reply.answer.append(dns.rrset.from_text(query.question[0].name, 60, "IN", "A", self.records[name]))
        else:
            reply.set_rcode(dns.rcode.NXDOMAIN)
        return reply

    def close(self) -> None:
        self.sock.close()


class Listener:
    """A bound, listening TCP socket: the kernel completes handshakes without accept()."""

    def __init__(self, ip: str, port: int, backlog: int = 64) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((ip, port))
        self.sock.listen(backlog)

    def close(self) -> None:
        self.sock.close()


def blackhole(ip: str, port: int) -> tuple[Listener, list[socket.socket]]:
    """A listener whose accept queue is full, so further SYNs are dropped: connects time out."""
    listener = Listener(ip, port, backlog=0)
    fillers = []
    for _ in range(3):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex((ip, port))
        fillers.append(sock)
    return listener, fillers
