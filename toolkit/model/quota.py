"""Per-account quotas for services and endpoints (SPEC S8, E7)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from toolkit.errors import QuotaExceeded, ValidationError
from toolkit.model.fields import Record



class QuotaKind(StrEnum):
    """The resource types a quota counts."""

    SERVICE = "endpoint_service"
    ENDPOINT = "endpoint"


TYPES = {
    QuotaKind.SERVICE: ("endpoint services", "S8", "services"),
    QuotaKind.ENDPOINT: ("endpoints", "E7", "endpoints"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Quota(Record):
    """Used and allowed count of one resource type."""

    type: QuotaKind
    used: int
    quota: int


def check(kind: str, used: int, limit: int, adding: int = 1) -> None:
    """Refuse when `adding` more would pass the limit."""
    label, rule, key = TYPES[kind]
    if used + adding > limit:
        raise QuotaExceeded(label, used, limit, rule=rule,
                            fix=f"delete one or raise [quota] {key} (vpcep quota --set {kind}=N)")


def check_setting(kind: str, used: int, limit: int, value: int) -> None:
    """S8/E7: a quota cannot be set below what the account already uses."""
    label, rule, _ = TYPES[kind]
    if value < used:
        raise ValidationError(f"quota {value} for {label} is below what is in use: used/limit {used}/{limit}",
                              rule=rule, fix=f"set at least {used} (vpcep quota --set {kind}={used}), "
                                             f"or delete {used - value} of them first")


def parse_setting(text: str) -> tuple[QuotaKind, int]:
    """Parse `TYPE=N` for `vpcep quota --set`."""
    kind, _, value = text.partition("=")
    if kind not in TYPES:
        raise ValidationError(f"unknown quota type {kind!r}", rule="S8", fix="use endpoint_service=N or endpoint=N")
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValidationError(f"quota {text!r} needs a whole number", rule=TYPES[kind][1], fix=f"write {kind}=N")
    return QuotaKind(kind), number
