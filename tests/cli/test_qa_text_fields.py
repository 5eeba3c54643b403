"""Free text that would break every table or the terminal: newlines, escapes, megabytes (S4, S7, S13, T2, T3, E13)."""

import pytest

from tests.cli.conftest import assert_refused

ESCAPE = "evil\x1b[31mRED"


def svc(*extra: str) -> list[str]:
    return ["service", "create", "--vpc", "vpc1", "--backend", "LB", "--port", "80:80", *extra]


@pytest.mark.parametrize("tag, rule", [("k=a\nb", "T3"), (f"k={ESCAPE}", "T3"), ("k\tx=v", "T2")])
def test_t2_t3_tags_are_one_printable_line(world, cli, tag, rule):
    assert_refused(cli("service", "tag", "web", "--set", tag), rule)


@pytest.mark.parametrize("description", ["line1\nline2", ESCAPE, "d" * 513])
def test_s4_e13_descriptions_are_one_line_of_at_most_512(world, cli, description):
    assert_refused(cli(*svc("--port-id", "p", "--description", description)), "S4")
    assert_refused(cli("endpoint", "create", "--service", "web", "--vpc", "vpc2", "--description", description), "E13")
    assert_refused(cli("service", "whitelist", "web", "--add", "cccc", "--description", description), "S13")


@pytest.mark.parametrize("port_id", ["a b", "p\nq", "x" * 129])
def test_s7_the_backend_resource_is_one_id(world, cli, port_id):
    assert_refused(cli(*svc("--port-id", port_id)), "S7")


def test_s6_too_many_mappings_says_how_to_fix_it(world, cli):
    ports = [arg for n in range(51) for arg in ("--port", f"{1000 + n}:{1000 + n}")]
    result = cli("service", "create", "--vpc", "vpc1", "--backend", "LB", "--port-id", "p", *ports)
    assert_refused(result, "S6")
    assert "at least once" not in result.err


def test_s13_an_account_org_path_follows_the_whitelist_form(cli):
    assert_refused(cli("account", "create", "cccc", "--org-path", "a b/c"), "S13")
    assert cli.ok("--json", "account", "create", "cccc", "--org-path", "/o-1/r-2/").json["org_path"] == "o-1/r-2"
