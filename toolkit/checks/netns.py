"""Sockets made inside a network namespace, so probes leave from the host they check from."""

from __future__ import annotations

import os
import socket

from toolkit.errors import ConfigError
from toolkit.netns import exists, run_in


class Sockets:
    """Non-blocking IPv4 sockets, created here or (with a name) inside that namespace.

    `entered`: this thread is inside the namespace already (a check run's loop): its sockets are made
    as they are, without a thread that enters the namespace for each one."""

    def __init__(self, netns: str | None = None, entered: bool = False) -> None:
        self.netns, self.entered = netns, entered
        if netns:
            require_netns(netns)

    def make(self, kind: int) -> socket.socket:
        """A non-blocking socket of `kind` (SOCK_STREAM or SOCK_DGRAM)."""
        if self.netns and not self.entered:
            sock = run_in(self.netns, socket.socket, socket.AF_INET, kind)
        else:
            sock = socket.socket(socket.AF_INET, kind)
        sock.setblocking(False)
        return sock


def require_netns(name: str) -> None:
    """Exit-2 errors for a namespace that is missing or that we may not enter."""
    if not exists(name):
        raise ConfigError(f"network namespace {name!r} does not exist", fix="see `ip netns list` or `vpcep lab status`")
    if os.geteuid() != 0:
        raise ConfigError(f"entering namespace {name!r} needs root (CAP_SYS_ADMIN)", fix="run as root or drop --netns")
