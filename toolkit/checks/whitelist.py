"""Part of the policy step: the address this host sends from is inside the endpoint's whitelist (E10, F6)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from toolkit.checks.result import StepResult, failed
from toolkit.checks.route import Lookup
from toolkit.model.endpoint import Endpoint


@dataclass(frozen=True)
class WhitelistVerdict:
    """What the whitelist part found: a note for the passing detail, figures, or the failure itself."""

    note: str
    figures: dict
    problem: StepResult | None = None


def judge_whitelist(endpoint: Endpoint, lookups: list[Lookup]) -> WhitelistVerdict:
    """With `enable_whitelist`, the source of the route to the endpoint's ip must be in one of its CIDRs."""
    if not endpoint.enable_whitelist:
        return WhitelistVerdict("endpoint whitelist off (E10)", {"enabled": False})
    entries = list(endpoint.whitelist)
    lookup = _to_endpoint(endpoint, lookups)
    source = lookup.source if lookup else ""
    figures = {"enabled": True, "entries": entries, "source": source or None,
               "to": lookup.address if lookup else endpoint.ip}
    if not source:
        return WhitelistVerdict("", figures, _unknown_source(figures["to"], figures))
    inside = next((e for e in entries if ipaddress.IPv4Address(source) in _network(e)), None)
    if inside is None:
        return WhitelistVerdict("", figures, _outside(endpoint, source, figures))
    return WhitelistVerdict(f"source {source} inside the endpoint whitelist ({inside}, E10)",
                            {**figures, "matched": inside})


def _to_endpoint(endpoint: Endpoint, lookups: list[Lookup]) -> Lookup | None:
    """The lookup of the endpoint's own ip; for a gateway endpoint (no ip), the first address probed."""
    return next((lk for lk in lookups if lk.address == endpoint.ip), lookups[0] if lookups else None)


def _network(entry: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(entry, strict=False)


def _unknown_source(to: str | None, figures: dict) -> StepResult:
    return failed("policy", f"the endpoint whitelist is on, but no source address is known for {to or '-'} "
                  "(no route: see the route step), so F6 cannot hold", "E10",
                  "fix the route first (vpcep routes apply PLAN), then check again", whitelist=figures)


def _outside(endpoint: Endpoint, source: str, figures: dict) -> StepResult:
    entries = figures["entries"]
    listed = ", ".join(entries) if entries else "(empty)"
    whole = " ".join([*entries, f"{source}/32"])
    return failed("policy", f"this host sends from {source} (to {figures['to']}), outside the endpoint "
                  f"whitelist {listed}: F6 fails", "E10",
                  f"vpcep endpoint update {endpoint.id} --whitelist {whole} (the whole list: the current entries "
                  f"and {source}), or check from a host inside the whitelist", whitelist=figures)
