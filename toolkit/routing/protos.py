"""Route protocol numbers: the toolkit's mark (DESIGN 5) and the numbers others already own.

Every route the toolkit installs carries DEFAULT (201): neither the kernel's list (RTPROT_* in
include/uapi/linux/rtnetlink.h) nor iproute2's rt_protos assigns it. Versions before this one used 99,
which is `openr` in both; LEGACY names it so `routes remove` can still find what they installed.
"""

from __future__ import annotations

import functools
from pathlib import Path

from toolkit.errors import ConfigError

DEFAULT = 201
LEGACY = 99
"""What vpcep used before 201: `openr` too, so a route with it is ours only when dst and via match a plan."""

KERNEL = {0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt",
          11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 17: "mrouted",
          18: "keepalived", 42: "babel", 99: "openr", 186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp"}
"""RTPROT_* of the kernel's include/uapi/linux/rtnetlink.h (Linux 6.x)."""

IPROUTE2_DIRS = ("/etc/iproute2", "/usr/share/iproute2", "/usr/lib/iproute2")


@functools.lru_cache(maxsize=8)
def iproute2_names(dirs: tuple[str, ...] = IPROUTE2_DIRS) -> dict[int, tuple[str, str]]:
    """number → (name, file) from every rt_protos and rt_protos.d/*.conf iproute2 reads on this host."""
    found: dict[int, tuple[str, str]] = {}
    for folder in dirs:
        files = [Path(folder, "rt_protos"), *sorted(Path(folder, "rt_protos.d").glob("*.conf"))]
        for path in files:
            for number, name in _entries(path):
                found.setdefault(number, (name, str(path)))
    return found


def _entries(path: Path):
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and fields[0].isdigit():
            yield int(fields[0]), fields[1]


def owner(number: int, dirs=IPROUTE2_DIRS) -> str:
    """Who else uses `number` ("openr in /etc/iproute2/rt_protos"), or "" when nobody does."""
    if number in (names := iproute2_names(dirs)):
        name, path = names[number]
        return f"{name!r} in {path}"
    return f"{KERNEL[number]!r} in the kernel's rtnetlink.h" if number in KERNEL else ""


def require_unassigned(number: int, where: str, dirs=IPROUTE2_DIRS) -> int:
    """`number` when no one else owns it; else a one-line ConfigError (exit 2) with the fix."""
    if taken := owner(number, dirs):
        raise ConfigError(f"{where} = {number} is {taken}: routes with it are not told apart from that daemon's",
                          rule="O3", fix=f"use a number no one assigns, e.g. {DEFAULT} (the default)"
                          + (f"; a plan from an older vpcep: `vpcep routes remove PLAN`, then plan again"
                             if number == LEGACY else ""))
    return number

