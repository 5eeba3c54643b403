"""Backend inbound rules as the admin recorded them: security group, ACL, LB listener (SPEC S15, F1–F3)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum

from toolkit.errors import ValidationError


class RuleKind(StrEnum):
    SG = "sg"
    ACL = "acl"
    LISTENER = "listener"


@dataclass(frozen=True, slots=True)
class BackendRule:
    """One inbound rule: who (cidr) may reach which ports, allowed or denied."""

    kind: RuleKind
    cidr: str
    port_min: int
    port_max: int
    action: str = "allow"

    @property
    def spec(self) -> str:
        """The rule in the command-line form it was given in."""
        ports = "all" if (self.port_min, self.port_max) == (1, 65535) else (
            str(self.port_min) if self.port_min == self.port_max else f"{self.port_min}-{self.port_max}")
        suffix = "" if self.action == "allow" else f":{self.action}"
        return f"{self.kind}:{self.cidr}:{ports}{suffix}"

    def to_dict(self) -> dict:
        return {"kind": str(self.kind), "cidr": self.cidr, "port_min": self.port_min, "port_max": self.port_max,
                "action": self.action, "spec": self.spec}

    @classmethod
    def from_dict(cls, d: dict) -> "BackendRule":
        return cls(RuleKind(d["kind"]), d["cidr"], d["port_min"], d["port_max"], d.get("action", "allow"))

    def covers(self, source: ipaddress.IPv4Network, port: int) -> bool:
        """True when this rule applies to all of `source` on `port`."""
        net = ipaddress.IPv4Network(self.cidr)
        return source.subnet_of(net) and self.port_min <= port <= self.port_max


def parse_rule(text: str) -> BackendRule:
    """Parse `KIND:CIDR:PORTS[:allow|deny]`; PORTS is 80, 8000-8100 or all."""
    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise _bad(text)
    kind, cidr, ports = parts[:3]
    action = parts[3] if len(parts) == 4 else "allow"
    try:
        rule_kind = RuleKind(kind.lower())
        net = ipaddress.IPv4Network(cidr, strict=False)
    except ValueError:
        raise _bad(text) from None
    if action not in ("allow", "deny"):
        raise _bad(text)
    low, high = _ports(ports, text)
    return BackendRule(rule_kind, str(net), low, high, action)


def _ports(ports: str, text: str) -> tuple[int, int]:
    if ports == "all":
        return 1, 65535
    low, _, high = ports.partition("-")
    try:
        bounds = int(low), int(high or low)
    except ValueError:
        raise _bad(text) from None
    if not 1 <= bounds[0] <= bounds[1] <= 65535:
        raise _bad(text)
    return bounds


def _bad(text: str) -> ValidationError:
    return ValidationError(f"rule {text!r} is not KIND:CIDR:PORTS[:allow|deny]", rule="S15",
                           fix="e.g. sg:198.19.128.0/17:80 or acl:0.0.0.0/0:all:deny (KIND: sg, acl, listener)")
