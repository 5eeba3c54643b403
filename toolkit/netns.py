"""Network namespaces by name: does one exist, and run a function (make a socket) inside one."""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

NETNS_DIR = "/run/netns"


def exists(name: str) -> bool:
    return os.path.exists(os.path.join(NETNS_DIR, name))


def run_in(name: str, fn, *args):
    """fn(*args) in a short-lived thread that entered namespace `name`.

    setns() moves only the calling thread, and a socket stays in the namespace it was made
    in, so the result (a socket, say) can be used from any thread afterwards.
    """
    from pyroute2 import netns as pyroute_netns

    box: dict = {}

    def target() -> None:
        try:
            pyroute_netns.setns(name, flags=0)
            box["value"] = fn(*args)
        except BaseException as exc:  # handed back to the caller's thread below
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"netns-{name}", daemon=True)  # Ctrl-C does not wait for it
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def socket_in(name: str, kind: int = socket.SOCK_STREAM) -> socket.socket:
    """An IPv4 socket that lives in namespace `name`."""
    return run_in(name, socket.socket, socket.AF_INET, kind)


@contextmanager
def isolated(prefix: str) -> Iterator[str]:
    """A new, empty namespace (not even lo up) for as long as the block runs; root only.

    Probes made from it fail at once and leave nothing on the wire: for pictures and tests of
    code that would otherwise connect to addresses that are not on this machine.
    """
    from pyroute2 import netns as pyroute_netns

    name = f"{prefix}-{secrets.token_hex(3)}"
    pyroute_netns.create(name)
    try:
        yield name
    finally:
        pyroute_netns.remove(name)
