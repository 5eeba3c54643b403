"""Backend inbound rules as the admin recorded them: security group, ACL, LB listener (SPEC S15, F1–F3)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum

from toolkit.errors import ValidationError
from toolkit.model.fields import Record


class RuleKind(StrEnum):
    SG = "sg"
    ACL = "acl"
    LISTENER = "listener"


class RuleAction(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


@dataclass(frozen=True, slots=True, kw_only=True)
class BackendRule(Record):
    """One inbound rule: who (cidr) may reach which ports, allowed or denied."""

    DERIVED = (("spec", None),)

    kind: RuleKind
    cidr: str
    port_min: int
    port_max: int
    action: RuleAction = RuleAction.ALLOW

    @property
    def spec(self) -> str:
        """The rule in the command-line form it was given in."""
        ports = "all" if (self.port_min, self.port_max) == (1, 65535) else (
            str(self.port_min) if self.port_min == self.port_max else f"{self.port_min}-{self.port_max}")
        suffix = "" if self.action == RuleAction.ALLOW else f":{self.action}"
        return f"{self.kind}:{self.cidr}:{ports}{suffix}"

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
    try:
        rule_kind = RuleKind(kind.lower())
        net = ipaddress.IPv4Network(cidr, strict=False)
        action = RuleAction(parts[3]) if len(parts) == 4 else RuleAction.ALLOW
    except ValueError:
        raise _bad(text) from None
    low, high = _ports(ports, text)
    return BackendRule(kind=rule_kind, cidr=str(net), port_min=low, port_max=high, action=action)


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
