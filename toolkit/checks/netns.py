"""Sockets made inside a network namespace, so probes leave from the host they check from."""

from __future__ import annotations

import os
import socket
from concurrent.futures import ThreadPoolExecutor

from toolkit.errors import ConfigError

NETNS_DIR = "/run/netns"


class Sockets:
    """Non-blocking sockets, created here or (with a name) inside that namespace.

    setns() moves only the calling thread, so one worker thread enters the namespace once
    and creates every socket; a socket stays in the namespace it was made in.
    """

    def __init__(self, netns: str | None = None) -> None:
        self.netns = netns
        self._worker = None
        if netns:
            require_netns(netns)
            self._worker = ThreadPoolExecutor(1, thread_name_prefix=f"netns-{netns}", initializer=self._enter)

    def _enter(self) -> None:
        from pyroute2 import netns as pyroute_netns
        pyroute_netns.setns(self.netns, flags=0)

    def make(self, kind: int) -> socket.socket:
        """A non-blocking IPv4 socket of `kind` (SOCK_STREAM or SOCK_DGRAM)."""
        if self._worker is None:
            sock = socket.socket(socket.AF_INET, kind)
        else:
            sock = self._worker.submit(socket.socket, socket.AF_INET, kind).result()
        sock.setblocking(False)
        return sock

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=False)


def require_netns(name: str) -> None:
    """Exit-2 errors for a namespace that is missing or that we may not enter."""
    if not os.path.exists(os.path.join(NETNS_DIR, name)):
        raise ConfigError(f"network namespace {name!r} does not exist", fix="see `ip netns list` or `vpcep lab status`")
    if os.geteuid() != 0:
        raise ConfigError(f"entering namespace {name!r} needs root (CAP_SYS_ADMIN)", fix="run as root or drop --netns")
