"""The pure steps: state (F4, F5) and policy (F1–F3), table-driven."""

from dataclasses import replace

import pytest

from toolkit.checks.policy import check_policy
from toolkit.checks.result import Status, TargetReport, exit_code, failed, passed
from toolkit.checks.state import check_state
from toolkit.model.endpoint import Endpoint, EndpointStatus
from toolkit.model.rules import parse_rule
from toolkit.model.service import EndpointService, PortMapping, ServiceStatus, ServiceType
from toolkit.registry.checks import CheckTarget

OWNER, OTHER = "a" * 32, "b" * 32
SERVICE = EndpointService("s1", "r1.web.s1", ServiceType.INTERFACE, "LB", "lb", "v", True,
                          (PortMapping(8080, 80), PortMapping(8443, 443)), (), "", ServiceStatus.AVAILABLE, OWNER,
                          "p", "r1", "t", "t")
ENDPOINT = Endpoint("e1", "s1", "r1.web.s1", "interface", EndpointStatus.ACCEPTED, "10.0.0.2", 1, "v", "sub",
                    True, ("e1.vpcep.r1.example.com",), (), False, (), (), "", OTHER, "p", "r1", "t", "t")


def target(rules=(), whitelist=(f"iam:domain::{OTHER}",), **changes) -> CheckTarget:
    endpoint = replace(ENDPOINT, **{k: v for k, v in changes.items() if k in ("status", "region")})
    service = replace(SERVICE, **{k: v for k, v in changes.items() if k in ("server_type",)})
    if "service_status" in changes:
        service = replace(service, status=changes["service_status"])
    return CheckTarget(endpoint, service, tuple(whitelist), tuple(parse_rule(r) for r in rules), "", "r1", "example.com")


@pytest.mark.parametrize(("changes", "rule"), [
    ({"status": EndpointStatus.PENDING}, "F4"), ({"status": EndpointStatus.REJECTED}, "F4"),
    ({"service_status": ServiceStatus.FAILED}, "F4"), ({"region": "r2"}, "F5"), ({"whitelist": ()}, "F5"),
])
def test_state_failures(changes, rule):
    result = check_state(target(**changes))
    assert (result.status, result.rule) == (Status.FAILED, rule) and result.fix


def test_state_passes():
    assert check_state(target()).status == Status.PASSED
    assert check_state(replace(target(), service=None)).rule == "F4"


ALL_SG = ["sg:198.19.128.0/17:8080", "sg:198.19.128.0/17:8443"]


@pytest.mark.parametrize(("rules", "status", "rule"), [
    (ALL_SG, Status.PASSED, ""),
    (["sg:0.0.0.0/0:all"], Status.PASSED, ""),
    (["sg:198.19.128.0/17:8080"], Status.FAILED, "F1"),                    # 8443 missing
    (["sg:198.19.128.0/24:all"], Status.FAILED, "F1"),                     # covers only part of the range
    (["sg:198.19.128.0/17:8080:deny", "sg:198.19.128.0/17:8443"], Status.FAILED, "F1"),
    ([*ALL_SG, "acl:198.19.128.0/17:all"], Status.PASSED, ""),
    ([*ALL_SG, "acl:0.0.0.0/0:all", "acl:198.19.200.0/24:8443:deny"], Status.FAILED, "F2"),  # deny wins
    ([*ALL_SG, "acl:10.0.0.0/8:all"], Status.FAILED, "F2"),                 # ACL allows others only
    ([*ALL_SG, "listener:198.19.128.0/17:8000-8500"], Status.PASSED, ""),
    ([*ALL_SG, "listener:10.0.0.0/8:all"], Status.FAILED, "F3"),
])
def test_policy(rules, status, rule):
    result = check_policy(target(rules))
    assert (result.status, result.rule) == (status, rule), result.detail


def test_listener_rules_matter_only_for_lb():
    assert check_policy(target([*ALL_SG, "listener:10.0.0.0/8:all"], server_type="VM")).status == Status.PASSED


def test_exit_code_is_the_earliest_failing_step():
    tcp = TargetReport("a", "a", (passed("state", ""), failed("tcp", "x", "O6", "fix")))
    dns = TargetReport("b", "b", (failed("dns", "x", "E5", "fix"), failed("tcp", "x", "O6", "fix")))
    assert (tcp.exit_code, dns.exit_code, exit_code([tcp, dns]), exit_code([])) == (14, 11, 11, 0)
