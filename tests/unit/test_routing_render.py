"""Renderers: every format from one plan, in the forms the seed and the tools expect (O2–O4)."""

from __future__ import annotations

import pytest

from toolkit.errors import ValidationError
from toolkit.routing.plan import PlanInputs, build_plan
from toolkit.routing.render import FORMATS, render, resolver_line

OBS = "obs.cn-north-4.myhuaweicloud.com"
PRIVATE = "vpcep.cn-north-4.myhuaweicloud.com"
PLAN = build_plan(PlanInputs(gateway="192.168.10.1", proto=77, region="cn-north-4", domain="myhuaweicloud.com",
                             dns_endpoints=("10.8.1.2", "10.8.1.3"), extra=("172.16.0.0/12",),
                             private_zones=(PRIVATE,)))

CASES = [
    ("linux", ["ip route replace 10.8.1.2/32 via 192.168.10.1 proto 77",
               "ip route replace 100.125.0.0/16 via 192.168.10.1 proto 77",
               "ip route replace 172.16.0.0/12 via 192.168.10.1 proto 77"]),
    ("windows", ["route -p add 10.8.1.2 mask 255.255.255.255 192.168.10.1\r\n",
                 "route -p add 100.125.0.0 mask 255.255.0.0 192.168.10.1\r\n",
                 "route -p add 172.16.0.0 mask 255.240.0.0 192.168.10.1\r\n"]),
    ("bind", [f'zone "{OBS}" {{ type forward; forward only; forwarders {{ 10.8.1.2; 10.8.1.3; }}; }};',
              f'zone "{PRIVATE}" {{ type forward; forward only;']),
    ("bind-options", [f'\nvalidate-except {{ "{OBS}"; "{PRIVATE}"; }};\n']),
    ("bind-global", ["options {\n\tforward only;\n\tforwarders { 10.8.1.2; 10.8.1.3; };\n};"]),
    ("unbound", ["forward-zone:\n\tname: \"obs.cn-north-4.myhuaweicloud.com\"\n\tforward-addr: 10.8.1.2\n\t"
                 "forward-addr: 10.8.1.3", f'domain-insecure: "{OBS}"', f'private-domain: "{PRIVATE}"']),
    ("dnsmasq", [f"server=/{OBS}/10.8.1.2", f"server=/{PRIVATE}/10.8.1.3", f"rebind-domain-ok=/{OBS}/{PRIVATE}/"]),
    ("coredns", [f"{OBS} {PRIVATE} {{\n\tforward . 10.8.1.2 10.8.1.3\n"]),
    ("resolv", ["nameserver 10.8.1.2\nnameserver 10.8.1.3\n"]),
]


@pytest.mark.parametrize("fmt, expected", CASES, ids=[c[0] for c in CASES])
def test_format(fmt, expected):
    text = render(PLAN, fmt)
    for fragment in expected:
        assert fragment in text


def test_every_format_has_a_case():
    assert sorted(FORMATS) == sorted(c[0] for c in CASES)


def test_an_unknown_format_is_refused():
    with pytest.raises(ValidationError):
        render(PLAN, "pf")


@pytest.mark.parametrize("fmt", ["bind", "bind-options", "unbound", "dnsmasq", "coredns", "resolv"])
def test_resolver_formats_need_a_dns_endpoint(fmt):
    bare = build_plan(PlanInputs(gateway="192.168.10.1", region="r", domain="d.com"))
    with pytest.raises(ValidationError) as caught:
        render(bare, fmt)
    assert caught.value.rule == "O1"
    assert "100.125.0.0/16" in render(bare, "linux")


def _statements(text: str) -> list[str]:
    """The first word of every line that is not a comment: the statements a BIND file holds."""
    return [line.split()[0] for line in text.splitlines() if line.strip() and not line.lstrip().startswith("//")]


def test_o2_bind_is_a_fragment_of_zones_only_that_an_admins_named_conf_can_include():
    assert _statements(render(PLAN, "bind")) == ["zone", "zone"]


def test_o2_bind_options_holds_only_what_goes_inside_options():
    text = render(PLAN, "bind-options")
    assert _statements(text) == ["validate-except"]
    assert "options {" in text and "include" in text  # the comment shows where it goes


def test_bind_global_is_the_seed_form_unchanged():
    assert render(PLAN, "bind-global") == ("// vpcep: all names via the DNS endpoint (SPEC O2)\n"
                                           "options {\n\tforward only;\n\tforwarders { 10.8.1.2; 10.8.1.3; };\n};\n")


def test_the_cli_offers_every_renderer():
    from toolkit.cli import cmd_routes
    assert cmd_routes.FORMATS == tuple(FORMATS)


def test_o1_the_resolver_line_never_forwards_to_a_dash():
    assert resolver_line(PLAN) == f"resolvers forward {OBS}, {PRIVATE} to 10.8.1.2, 10.8.1.3 (O2)"
    bare = build_plan(PlanInputs(gateway="192.168.10.1", region="r", domain="d.com"))
    assert resolver_line(bare) == "resolvers: no DNS endpoint, so obs.r.d.com cannot be forwarded (O1)"


def test_one_list_of_format_names_matches_the_renderers():
    """The CLI's --format choices and the TUI's tabs come from one tuple that names every renderer (issue 11:
    the TUI's copy had drifted and lacked bind-options)."""
    from toolkit.routing.render import FORMATS as RENDERERS
    from toolkit.routing.shapes import FORMAT_NAMES
    from toolkit.tui import routes_ops
    from toolkit.cli import cmd_routes

    assert FORMAT_NAMES == tuple(RENDERERS) == routes_ops.FORMATS == cmd_routes.FORMATS
