"""Service, endpoint, tag, whitelist and quota rules of the pure model."""

import pytest

from toolkit.errors import InvalidTransition, QuotaExceeded, ValidationError
from toolkit.model import endpoint as ep
from toolkit.model import permissions, quota, tags
from toolkit.model import service as svc

OWNER, OTHER = "a" * 32, "b" * 32


@pytest.mark.parametrize(("text", "server", "client"), [("8080:80", 8080, 80), ("443:443/tcp", 443, 443),
                                                        ("65535:1", 65535, 1)])
def test_s6_parse_port(text, server, client):
    assert svc.parse_port(text) == svc.PortMapping(server_port=server, client_port=client)


@pytest.mark.parametrize("text", ["0:80", "80:0", "a:b", "70000:1", ":80", "-1:5", "443"])
def test_s6_bad_ports(text):
    with pytest.raises(ValidationError) as info:
        svc.parse_port(text)
    assert info.value.rule == "S6"


def test_s6_protocol_is_tcp_only():
    with pytest.raises(ValidationError) as info:
        svc.validate_ports([svc.PortMapping(server_port=53, client_port=53, protocol="UDP")])
    assert info.value.rule == "S6"


def test_s5_names():
    assert svc.stored_name("r1", "web", "id1") == "r1.web.id1"
    assert svc.stored_name("r1", None, "id1") == "r1.id1"
    assert svc.validate_short_name("a_b-C9" + "x" * 10) == "a_b-C9" + "x" * 10
    for bad in ("", "x" * 17, "a b", "a.b", "ä"):
        with pytest.raises(ValidationError):
            svc.validate_short_name(bad)


def test_s4_deprecated_backends_warn():
    assert svc.validate_server_type("lb") == (svc.ServerType.LB, None)
    server, warning = svc.validate_server_type("VIP")
    assert server == svc.ServerType.VIP and "[S4]" in warning


def _endpoint(status: ep.EndpointStatus) -> ep.Endpoint:
    return ep.Endpoint(id="e", endpoint_service_id="s", endpoint_service_name="n", service_type="interface",
                       status=status, ip="10.0.0.2", marker_id=1, vpc_id="v", subnet_id="sub", enable_dns=False,
                       dns_names=(), routetables=(), enable_whitelist=False, whitelist=(), tags=(), description="",
                       domain_id=OWNER, project_id="p", region="r", created_at="t0", updated_at="t0")


ACCEPT, REJECT, CREATE, FAIL = ep.EndpointAction


@pytest.mark.parametrize(("status", "action", "after"), [
    ("pendingAcceptance", ACCEPT, "accepted"), ("pendingAcceptance", REJECT, "rejected"),
    ("rejected", ACCEPT, "accepted"), ("accepted", REJECT, "rejected"), ("creating", CREATE, "accepted"),
    ("accepted", FAIL, "failed"),
])
def test_e8_transitions(status, action, after):
    assert ep.transition(_endpoint(ep.EndpointStatus(status)), action, "t1").status == after


@pytest.mark.parametrize(("status", "action"), [("failed", ACCEPT), ("failed", REJECT), ("creating", ACCEPT),
                                                ("deleting", ACCEPT), ("accepted", CREATE)])
def test_e8_refused_transitions(status, action):
    with pytest.raises(InvalidTransition) as info:
        ep.transition(_endpoint(ep.EndpointStatus(status)), action, "t1")
    assert info.value.rule == "E8"


@pytest.mark.parametrize(("action", "words"), [(ACCEPT, "cannot be accepted"), (REJECT, "cannot be rejected"),
                                               (CREATE, "cannot be created"), (FAIL, "cannot be failed")])
def test_e8_refusal_names_the_action_in_the_past(action, words):
    """The refusal reads "cannot be created", not "createded" (the action's past form, issue 11)."""
    with pytest.raises(InvalidTransition) as info:
        ep.transition(_endpoint(ep.EndpointStatus.DELETING), action, "t1")
    assert f"; it {words} [E8]" in str(info.value)


def test_e8_initial_status():
    assert ep.initial_status(True) == ep.EndpointStatus.PENDING
    assert ep.initial_status(False) == ep.EndpointStatus.CREATING


def test_e10_whitelist_normalised():
    assert ep.validate_whitelist(["10.0.0.0/8", "1.2.3.4", "1.2.3.4/32"]) == ("10.0.0.0/8", "1.2.3.4/32")
    with pytest.raises(ValidationError):
        ep.validate_whitelist(["10.0.0.0/40"])


def test_e13_access_forms():
    endpoint = _endpoint(ep.EndpointStatus.ACCEPTED)
    assert endpoint.access(443) == ["10.0.0.2:443"]


@pytest.mark.parametrize(("entry", "normal"), [
    ("*", "*"), (OTHER, f"iam:domain::{OTHER}"), (f"iam:domain::{OTHER}", f"iam:domain::{OTHER}"),
    ("iam:domain::*", "iam:domain::*"), ("organizations:orgPath::o-1/r-2", "organizations:orgPath::o-1/r-2")])
def test_s13_entries(entry, normal):
    assert permissions.normalize(entry) == normal


@pytest.mark.parametrize("entry", ["iam:domain::a-b", "iam:domain::", "organizations:orgPath::", "x y"])
def test_s13_bad_entries(entry):
    with pytest.raises(ValidationError) as info:
        permissions.normalize(entry)
    assert info.value.rule == "S13"


def test_s13_e9_who_may_connect():
    assert permissions.allows(OWNER, [], OWNER)  # the owner always
    assert not permissions.allows(OWNER, [], OTHER)  # empty list: nobody else
    assert permissions.allows(OWNER, [f"iam:domain::{OTHER}"], OTHER)
    assert permissions.allows(OWNER, ["*"], OTHER)
    assert permissions.allows(OWNER, ["organizations:orgPath::o-1/r-2"], OTHER, "o-1/r-2/ou-3")
    assert not permissions.allows(OWNER, ["organizations:orgPath::o-1/r-2"], OTHER, "o-1/r-20")


def test_t1_t4_tag_edits():
    current = tags.make_tags([tags.Tag("a", "1")])
    edited = tags.edit_tags(current, [tags.Tag("a", "2"), tags.Tag("b", "")], [])
    assert edited == (tags.Tag("a", "2"), tags.Tag("b", ""))
    assert tags.edit_tags(edited, [], ["a"]) == (tags.Tag("b", ""),)
    with pytest.raises(ValidationError) as info:
        tags.make_tags([tags.Tag(f"k{n}") for n in range(11)])
    assert info.value.rule == "T1"


@pytest.mark.parametrize(("text", "rule"), [("=v", "T2"), ("a<b=v", "T2"), ("k=v>", "T3"), ("k=\\", "T3")])
def test_t2_t3_characters(text, rule):
    with pytest.raises(ValidationError) as info:
        tags.parse_tag(text)
    assert info.value.rule == rule


def test_s8_e7_quota_check():
    quota.check("endpoint", 49, 50)
    with pytest.raises(QuotaExceeded) as info:
        quota.check("endpoint_service", 20, 20)
    assert (info.value.rule, info.value.used, info.value.limit) == ("S8", 20, 20)
    assert str(info.value) == ("quota 20/20 reached for endpoint services [S8]: delete one or raise "
                               "[quota] services (vpcep quota --set endpoint_service=N)")
    assert quota.parse_setting("endpoint=100") == ("endpoint", 100)
    with pytest.raises(ValidationError):
        quota.parse_setting("endpoint=-1")
