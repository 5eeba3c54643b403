"""Who holds a port: the process behind a socket in /proc/net (for the "port in use" message)."""

from __future__ import annotations

import os
from pathlib import Path


def port_holder(port: int, proto: str = "udp", proc: Path = Path("/proc")) -> str:
    """'name (pid N)' of a process bound to this local port, or '' when it cannot be told (not Linux, no rights)."""
    inodes = set()
    for table in (f"net/{proto}", f"net/{proto}6"):
        inodes |= _inodes(proc / table, port, listening=proto == "tcp")
    if not inodes:
        return ""
    for pid_dir in proc.iterdir():
        if pid_dir.name.isdigit() and _holds(pid_dir, inodes):
            return f"{_comm(pid_dir)} (pid {pid_dir.name})"
    return ""


def _inodes(table: Path, port: int, listening: bool) -> set[str]:
    try:
        lines = table.read_text().splitlines()[1:]
    except OSError:
        return set()
    found = set()
    for line in lines:
        cols = line.split()
        if len(cols) > 9 and int(cols[1].rsplit(":", 1)[1], 16) == port and (not listening or cols[3] == "0A"):
            found.add(cols[9])
    return found


def _holds(pid_dir: Path, inodes: set[str]) -> bool:
    try:
        fds = list((pid_dir / "fd").iterdir())
    except OSError:
        return False
    return any(_link(fd)[8:-1] in inodes for fd in fds if _link(fd).startswith("socket:["))


def _link(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:  # the descriptor closed meanwhile
        return ""


def _comm(pid_dir: Path) -> str:
    try:
        return (pid_dir / "comm").read_text().strip()
    except OSError:
        return "?"
