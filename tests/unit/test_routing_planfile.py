"""Plan files: a written plan loads back equal; a hand-edited one is checked with the line and rule of each problem."""

from __future__ import annotations

import pytest

from toolkit.errors import ConfigError, PlanFileError
from toolkit.routing import planfile
from toolkit.routing.plan import EndpointInfo, PlanInputs, ServiceInfo, build_plan

PLAN = build_plan(PlanInputs(gateway="192.168.10.1", region="cn-north-4", domain="myhuaweicloud.com",
                             dns_endpoints=("10.8.1.2",), extra=("10.1.0.0/16",),
                             services=(ServiceInfo('svc "quoted"', "LB", (8080,)),),
                             private_zones=("vpcep.cn-north-4.myhuaweicloud.com",),
                             endpoints=(EndpointInfo("ep-1", "interface", "vpc-1", "10.2.0.0/24", "10.2.0.5"),)))


def test_round_trip_keeps_routes_forwarding_inbound_and_findings():
    loaded = planfile.loads(planfile.dumps(PLAN))
    assert loaded.routes == PLAN.routes
    assert (loaded.gateway, loaded.proto, loaded.forwarders, loaded.zones) == \
        (PLAN.gateway, PLAN.proto, PLAN.forwarders, PLAN.zones)
    assert loaded.inbound == PLAN.inbound and loaded.findings == PLAN.findings


def test_save_writes_the_file_and_load_reads_it(tmp_path):
    path = planfile.save(PLAN, tmp_path / "routes" / "site.toml")
    assert planfile.load(path).routes == PLAN.routes


def test_a_missing_file_is_an_io_error_exit_2(tmp_path):
    with pytest.raises(ConfigError) as caught:
        planfile.load(tmp_path / "nope.toml")
    assert caught.value.exit_code == 2


def _edit(old: str, new: str) -> str:
    text = planfile.dumps(PLAN)
    assert old in text
    return text.replace(old, new, 1)


def _line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


@pytest.mark.parametrize("old, new, rule, words", [
    ('dst = "100.125.0.0/16"', 'dst = "100.125.0.1/16"', "O4", "host bits"),
    ('dst = "10.1.0.0/16"', 'dst = "10.1.0.0/40"', "O5", "not an IPv4 network"),
    ('gateway = "192.168.10.1"', 'gateway = "gw.example"', "O3", "not an IPv4 address"),
    ("proto = 201", "proto = 4", "O3", "1–4 belong to the kernel"),
    ('forwarders = ["10.8.1.2"]', 'forwarders = ["10.8.1"]', "O2", "not an IPv4 address"),
    ('purpose = "extra"', 'purpose = "vpn"', "O5", "not one of"),
    ("port = 8080", "port = 70000", "S15", "not a TCP port"),
    ('dst = "10.1.0.0/16"', 'dst = "198.19.0.0/16"', "S11", "endpoint source range"),
    ('severity = "info"', 'severity = "fatal"', "S15", "severity"),
])
def test_hand_edits_are_refused_at_their_line(old, new, rule, words):
    text = _edit(old, new)
    with pytest.raises(PlanFileError) as caught:
        planfile.loads(text, "site.toml")
    line, got_rule, message = caught.value.problems[0]
    assert line == _line_of(text, new)
    assert got_rule == rule and words in message
    assert f"line {line}" in str(caught.value) and "site.toml" in str(caught.value)


def test_every_problem_is_listed_not_just_the_first():
    text = _edit('dst = "10.1.0.0/16"', 'dst = "nope"').replace('gateway = "192.168.10.1"', 'gateway = "x"')
    with pytest.raises(PlanFileError) as caught:
        planfile.loads(text)
    assert len(caught.value.problems) == 2


def test_a_destination_planned_twice_is_refused():
    text = _edit('dst = "10.1.0.0/16"', 'dst = "100.125.0.0/16"')
    with pytest.raises(PlanFileError) as caught:
        planfile.loads(text)
    assert "planned twice" in caught.value.problems[0][2]


def test_toml_syntax_errors_name_the_line():
    text = planfile.dumps(PLAN).replace('proto = 201', 'proto = = 201')
    with pytest.raises(PlanFileError) as caught:
        planfile.loads(text)
    assert caught.value.problems[0][0] == _line_of(text, "proto = = 201")
    assert caught.value.exit_code == 1


def test_a_route_without_via_uses_the_plan_gateway():
    text = _edit('via = "192.168.10.1"\npurpose = "extra"', 'purpose = "extra"')
    assert planfile.loads(text).routes[-1].via == "192.168.10.1"


def test_o6_endpoint_routes_are_written_and_loaded_back_with_their_rule():
    text = planfile.dumps(PLAN)
    assert '[[route]]  # O6\ndst = "10.2.0.0/24"\nvia = "192.168.10.1"\npurpose = "endpoint"' in text
    endpoint = next(r for r in planfile.loads(text).routes if r.purpose == "endpoint")
    assert (endpoint.dst, endpoint.rule) == ("10.2.0.0/24", "O6")


OLD_PLAN = """# vpcep route plan: edit freely; `vpcep routes apply` checks it before touching the kernel.
version = 1
gateway = "192.168.10.1"
proto = 99
region = "cn-north-4"
domain = "myhuaweicloud.com"

[dns]  # O2: resolvers forward these zones to the DNS endpoint(s)
forwarders = ["10.8.1.2"]
zones = ["obs.cn-north-4.myhuaweicloud.com", "vpcep.cn-north-4.myhuaweicloud.com"]

[[route]]  # O3
dst = "10.8.1.2/32"
via = "192.168.10.1"
purpose = "dns-endpoint"

[[route]]  # O4
dst = "100.125.0.0/16"
via = "192.168.10.1"
purpose = "obs"

[[finding]]
severity = "info"
rule = "O4"
message = "100.125.0.0/16 lies in 100.64.0.0/10"
fix = ""
"""


def test_a_plan_written_before_endpoint_routes_still_loads():
    plan = planfile.loads(OLD_PLAN, "old.toml")
    assert [(r.dst, r.purpose, r.rule) for r in plan.routes] == [("10.8.1.2/32", "dns-endpoint", "O3"),
                                                                 ("100.125.0.0/16", "obs", "O4")]
    assert plan.forwarders == ("10.8.1.2",) and len(plan.findings) == 1
