"""Reads the on-prem host's existing routes: from `ip route` / `ip -j route` output, or live with pyroute2."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.errors import ConfigError
from toolkit.routing.plan import HostRoute

_PROTOS = {2: "kernel", 3: "boot", 4: "static", 16: "dhcp"}
_KEYS = {"via", "dev", "proto", "scope", "src", "metric", "table"}
_SCOPES = {0: "global", 253: "link", 254: "host"}


def parse_text(text: str) -> list[HostRoute]:
    """`ip route show` lines (or `ip -j route` JSON) as HostRoutes; unknown words are ignored."""
    if text.lstrip().startswith("["):
        return [_from_json(item) for item in json.loads(text)]
    return [route for line in text.splitlines() if (route := _from_line(line))]


def _from_line(line: str) -> HostRoute | None:
    words = line.split()
    if not words or words[0].startswith("#") or words[0] in ("broadcast", "local", "unreachable", "blackhole",
                                                             "prohibit", "multicast"):
        return None
    dst = "0.0.0.0/0" if words[0] == "default" else (words[0] if "/" in words[0] else f"{words[0]}/32")
    pairs = {word: words[i + 1] for i, word in enumerate(words[1:-1], start=1) if word in _KEYS}
    return HostRoute(dst, pairs.get("via", ""), pairs.get("dev", ""), pairs.get("proto", ""), pairs.get("scope", ""))


def _from_json(item: dict) -> HostRoute:
    dst = item.get("dst", "")
    dst = "0.0.0.0/0" if dst == "default" else (dst if "/" in dst else f"{dst}/32")
    return HostRoute(dst, item.get("gateway", ""), item.get("dev", ""), str(item.get("protocol", "")),
                     str(item.get("scope", "")))


def read_file(path: str) -> list[HostRoute]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"routes file {path} cannot be read: {exc.strerror}",
                          fix="save the host's routes with `ip route show > FILE` (or `ip -j route`)") from None
    try:
        return parse_text(text)
    except (ValueError, AttributeError) as exc:
        raise ConfigError(f"routes file {path} is not `ip route` output: {exc}", fix="use `ip route show > FILE`") from None


def from_host(netns: str | None = None) -> list[HostRoute]:
    """The main table of this host (or namespace), read with pyroute2."""
    from socket import AF_INET

    from pyroute2 import IPRoute

    with (IPRoute(netns=netns) if netns else IPRoute()) as ipr:
        names = {link["index"]: link.get_attr("IFLA_IFNAME") for link in ipr.get_links()}
        return [_from_msg(msg, names) for msg in ipr.get_routes(family=AF_INET, table=254)]


def _from_msg(msg, names: dict) -> HostRoute:
    dst = msg.get_attr("RTA_DST") or "0.0.0.0"
    return HostRoute(f"{dst}/{msg['dst_len']}", msg.get_attr("RTA_GATEWAY") or "",
                     names.get(msg.get_attr("RTA_OIF"), ""), _PROTOS.get(msg["proto"], str(msg["proto"])),
                     _SCOPES.get(msg["scope"], str(msg["scope"])))
