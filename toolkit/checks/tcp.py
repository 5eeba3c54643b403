"""Step 5, tcp: connect to ip:client_port and dns_name:client_port, with a timeout (O6, E13)."""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from dataclasses import dataclass

from toolkit.checks.netns import Sockets
from toolkit.checks.result import StepResult, failed, passed, skipped


@dataclass(frozen=True)
class Probe:
    """One connection attempt."""

    host: str
    address: str
    port: int
    outcome: str  # connected | refused | timeout | unreachable | error
    ms: float

    @property
    def ok(self) -> bool:
        return self.outcome == "connected"

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


async def connect(host: str, address: str, port: int, sockets: Sockets, timeout: float) -> Probe:
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    sock = sockets.make(socket.SOCK_STREAM)
    try:
        await asyncio.wait_for(loop.sock_connect(sock, (address, port)), timeout)
        outcome = "connected"
    except (asyncio.TimeoutError, TimeoutError):
        outcome = "timeout"
    except ConnectionRefusedError:
        outcome = "refused"
    except OSError as exc:
        outcome = "unreachable" if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) else f"error: {exc.strerror}"
    finally:
        sock.close()
    return Probe(host, address, port, outcome, round((time.perf_counter() - start) * 1000, 2))


async def check_tcp(hosts: list[tuple[str, str]], ports: list[int], sockets: Sockets,
                    timeout: float, fix: str) -> StepResult:
    """Every (host label, address) on every port must connect."""
    if not hosts or not ports:
        return skipped("tcp", "nothing to connect to (see the dns step)")
    probes = await asyncio.gather(*(connect(h, a, p, sockets, timeout) for h, a in hosts for p in ports))
    figures = {"probes": [{"target": p.label, "address": p.address, "outcome": p.outcome, "ms": p.ms}
                          for p in probes]}
    bad = [p for p in probes if not p.ok]
    if bad:
        p = bad[0]
        return failed("tcp", f"{p.label} ({p.address}) {p.outcome} after {p.ms:.0f} ms", "O6",
                      fix if p.outcome != "refused" else "nothing listens there: start the service's backend "
                      "(or check its port mapping, S6)", **figures)
    slowest = max(probes, key=lambda p: p.ms)
    return passed("tcp", f"{len(probes)} connection(s) ok, slowest {slowest.label} {slowest.ms:.1f} ms", **figures)
