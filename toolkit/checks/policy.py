"""Step 4, policy: the endpoint's whitelist lets this host in (E10, F6), and the backend's recorded rules let
198.19.128.0/17 in on every server port (F1–F3, S15)."""

from __future__ import annotations

import ipaddress

from toolkit.checks.result import StepResult, failed, passed, skipped
from toolkit.checks.route import Lookup
from toolkit.checks.target import CheckTarget
from toolkit.checks.whitelist import WhitelistVerdict, judge_whitelist
from toolkit.model.network import ENDPOINT_SOURCE_CIDR
from toolkit.model.rules import BackendRule, RuleAction, RuleKind
from toolkit.model.service import ServerType

SOURCE = ipaddress.IPv4Network(ENDPOINT_SOURCE_CIDR)


def check_policy(target: CheckTarget, lookups: list[Lookup] = ()) -> StepResult:
    """Path order: the endpoint whitelist (E10) for this host's source address (from the route `lookups`),
    then the backend's security group (F1), subnet ACL with deny first (F2), LB listener ACL (F3)."""
    whitelist = judge_whitelist(target.endpoint, lookups)
    if whitelist.problem:
        return whitelist.problem
    service = target.service
    if service is None or service.builtin:
        return _cloud_service(whitelist)
    ports = [p.server_port for p in service.ports]
    for check in (_security_group, _acl, _listener):
        problem = check(target.rules, ports, service)
        if problem:
            return problem
    allowing = sorted({r.spec for r in target.rules if r.action == RuleAction.ALLOW and r.covers(SOURCE, ports[0])})
    return passed("policy", f"{whitelist.note}; {SOURCE} allowed on {', '.join(map(str, ports))}",
                  allowed_by=allowing, whitelist=whitelist.figures)


def _cloud_service(whitelist: WhitelistVerdict) -> StepResult:
    """A cloud service has no backend rules of ours: only the endpoint whitelist is left to prove."""
    if whitelist.figures["enabled"]:
        return passed("policy", f"{whitelist.note}; cloud service: no backend rules", whitelist=whitelist.figures)
    return skipped("policy", f"cloud service: no backend rules to check; {whitelist.note}")


def _of(rules, kind: RuleKind) -> list[BackendRule]:
    return [r for r in rules if r.kind == kind]


def _security_group(rules, ports, service) -> StepResult | None:
    """F1: security groups only allow; every server port needs an allow covering the source range."""
    sg = _of(rules, RuleKind.SG)
    for port in ports:
        if not any(r.action == RuleAction.ALLOW and r.covers(SOURCE, port) for r in sg):
            return failed("policy", f"no security group rule allows {SOURCE} on port {port}", "F1",
                          f"vpcep service rules {service.id} --add sg:{SOURCE}:{port}", port=port)
    return None


def _acl(rules, ports, service) -> StepResult | None:
    """F2: deny rules win; with no ACL recorded there is nothing to block."""
    acl = _of(rules, RuleKind.ACL)
    for port in ports:
        deny = next((r for r in acl if r.action == RuleAction.DENY and _touches(r, port)), None)
        if deny:
            return failed("policy", f"ACL rule {deny.spec} blocks {SOURCE} on port {port}", "F2",
                          f"vpcep service rules {service.id} --remove {deny.spec} (or allow {SOURCE} before it)",
                          port=port, blocked_by=deny.spec)
        allows = [r for r in acl if r.action == RuleAction.ALLOW]
        if allows and not any(r.covers(SOURCE, port) for r in allows):
            return failed("policy", f"the subnet ACL allows other sources but not {SOURCE} on port {port}", "F2",
                          f"vpcep service rules {service.id} --add acl:{SOURCE}:{port}", port=port)
    return None


def _listener(rules, ports, service) -> StepResult | None:
    """F3: an LB listener with access control must allow the source range."""
    listener = _of(rules, RuleKind.LISTENER)
    if service.server_type != ServerType.LB or not listener:
        return None
    for port in ports:
        if not any(r.action == RuleAction.ALLOW and r.covers(SOURCE, port) for r in listener) or \
                any(r.action == RuleAction.DENY and _touches(r, port) for r in listener):
            return failed("policy", f"the LB listener's access control does not allow {SOURCE} on {port}", "F3",
                          f"vpcep service rules {service.id} --add listener:{SOURCE}:{port}", port=port)
    return None


def _touches(rule: BackendRule, port: int) -> bool:
    return ipaddress.IPv4Network(rule.cidr).overlaps(SOURCE) and rule.port_min <= port <= rule.port_max
