"""The pure steps: state (F4, F5) and policy (F1–F3), table-driven."""

from dataclasses import replace

import pytest

from toolkit.checks.policy import check_policy
from toolkit.checks.result import Status, TargetReport, exit_code, failed, passed
from toolkit.checks.state import check_state
from toolkit.model.endpoint import Endpoint, EndpointStatus
from toolkit.model.rules import parse_rule
from toolkit.model.service import EndpointService, PortMapping, ServiceStatus, ServiceType
from toolkit.checks.target import CheckTarget

OWNER, OTHER = "a" * 32, "b" * 32
SERVICE = EndpointService(
    id="s1", service_name="r1.web.s1", service_type=ServiceType.INTERFACE, server_type="LB", port_id="lb", vpc_id="v",
    approval_enabled=True, ports=(PortMapping(server_port=8080, client_port=80),
                                  PortMapping(server_port=8443, client_port=443)),
    tags=(), description="", status=ServiceStatus.AVAILABLE, domain_id=OWNER, project_id="p", region="r1",
    created_at="t", updated_at="t")
ENDPOINT = Endpoint(
    id="e1", endpoint_service_id="s1", endpoint_service_name="r1.web.s1", service_type="interface",
    status=EndpointStatus.ACCEPTED, ip="10.0.0.2", marker_id=1, vpc_id="v", subnet_id="sub", enable_dns=True,
    dns_names=("e1.vpcep.r1.example.com",), routetables=(), enable_whitelist=False, whitelist=(), tags=(),
    description="", domain_id=OTHER, project_id="p", region="r1", created_at="t", updated_at="t")


def target(rules=(), whitelist=(f"iam:domain::{OTHER}",), **changes) -> CheckTarget:
    endpoint = replace(ENDPOINT, **{k: v for k, v in changes.items() if k in ("status", "region")})
    service = replace(SERVICE, **{k: v for k, v in changes.items() if k in ("server_type",)})
    if "service_status" in changes:
        service = replace(service, status=changes["service_status"])
    return CheckTarget(endpoint=endpoint, service=service, whitelist=tuple(whitelist),
                       rules=tuple(parse_rule(r) for r in rules), org_path="", region="r1", domain="example.com")


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


# -- issue 9: the route step with no planned gateway (O3), the endpoint whitelist (E10, F6), O1, --quiet ----------

def test_route_o3_default_route_without_a_planned_gateway():
    from toolkit.checks.route import Lookup, judge_route

    default = Lookup("10.0.0.2", "0.0.0.0/0", "192.0.2.1", "eth0", source="192.0.2.2")
    specific = Lookup("10.0.0.2", "10.0.0.0/16", "192.0.2.1", "eth0", source="192.0.2.2")
    refused = judge_route([default], "", "O3", "apply")
    assert (refused.status, refused.rule) == (Status.FAILED, "O3") and "--gateway" in refused.fix
    assert judge_route([default], "192.0.2.1", "O3", "apply").status == Status.PASSED
    assert judge_route([specific], "", "O3", "apply").status == Status.PASSED
    assert judge_route([specific, default], "", "O4", "apply").rule == "O4"  # every address, the caller's rule


def whitelisted(*cidrs: str, enabled: bool = True) -> CheckTarget:
    return replace(target(ALL_SG), endpoint=replace(ENDPOINT, enable_whitelist=enabled, whitelist=cidrs))


@pytest.mark.parametrize(("cidrs", "source", "status"), [
    (("10.99.0.0/16",), "192.0.2.2", Status.FAILED),
    (("10.99.0.0/16", "192.0.2.0/24"), "192.0.2.2", Status.PASSED),
    (("192.0.2.2/32",), "192.0.2.2", Status.PASSED),
    ((), "192.0.2.2", Status.FAILED),                # on and empty: nobody may use it
    (("192.0.2.0/24",), "", Status.FAILED),          # no route, so no source: not proven
])
def test_policy_e10_source_inside_the_endpoint_whitelist(cidrs, source, status):
    from toolkit.checks.route import Lookup

    lookups = [Lookup("10.0.0.9", "0.0.0.0/0", source=source), Lookup(ENDPOINT.ip, "10.0.0.0/16", source=source)]
    result = check_policy(whitelisted(*cidrs), lookups)
    assert result.status == status, result.detail
    if status == Status.FAILED:
        assert result.rule == "E10" and "F6" in result.detail and result.fix
        assert result.figures["whitelist"]["to"] == ENDPOINT.ip  # the endpoint's own ip, not the other address


def test_policy_e10_fix_names_the_whole_list_and_the_address_to_add():
    from toolkit.checks.route import Lookup

    result = check_policy(whitelisted("10.99.0.0/16"), [Lookup(ENDPOINT.ip, source="192.0.2.2")])
    assert result.fix.startswith("vpcep endpoint update e1 --whitelist 10.99.0.0/16 192.0.2.2/32")


def test_policy_whitelist_off_says_so():
    from toolkit.checks.route import Lookup

    result = check_policy(whitelisted("10.99.0.0/16", enabled=False), [Lookup(ENDPOINT.ip, source="192.0.2.2")])
    assert result.status == Status.PASSED and "endpoint whitelist off" in result.detail


def cloud(short: str, vpc: str, status=EndpointStatus.ACCEPTED):
    from toolkit.checks.target import CloudEndpoint

    kind = "gateway" if short == "obs" else "interface"
    endpoint = replace(ENDPOINT, id=f"{short}-{vpc}", service_type=kind, vpc_id=vpc, status=status)
    return CloudEndpoint(endpoint=endpoint, short_name=short)


@pytest.mark.parametrize(("endpoints", "status", "words"), [
    ([cloud("dns", "v1"), cloud("obs", "v1")], Status.PASSED, "accepted in VPC v1"),
    ([], Status.FAILED, "no accepted endpoint to the DNS cloud service and no accepted OBS gateway endpoint"),
    ([cloud("dns", "v1")], Status.FAILED, "no accepted OBS gateway endpoint"),
    ([cloud("obs", "v1")], Status.FAILED, "no accepted endpoint to the DNS cloud service"),
    ([cloud("dns", "v1"), cloud("obs", "v2")], Status.FAILED, "are not in one VPC"),
    ([cloud("dns", "v1"), cloud("obs", "v1", EndpointStatus.PENDING)], Status.FAILED, "not accepted: obs-v1"),
])
def test_obs_state_o1(endpoints, status, words):
    from toolkit.checks.state import check_obs_state

    result = check_obs_state(endpoints)
    assert result.status == status and words in result.detail, result.detail
    assert result.rule == ("O1" if status == Status.FAILED else "")


def test_quiet_lines():
    from toolkit.checks import report

    ok = TargetReport("e-ok", "a", (passed("state", ""),))
    bad = TargetReport("e-bad", "b", (passed("state", ""), failed("route", "x", "O3", "fix")))
    lines = report.brief(report.build([ok, bad], "t", 0.1, {})).splitlines()
    assert lines[:2] == ["✓ e-ok  passed", "✗ e-bad  failed  route [O3]"]
    assert lines[2].startswith("2 checked, 1 passed, 1 failed, first failure: route") and len(lines) == 3
