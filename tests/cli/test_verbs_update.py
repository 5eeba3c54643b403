"""The Modify verbs (issue 9): service update (S2, S4, S5, S6, S12), endpoint update (E10), connection
descriptions (S12) and whitelist entry descriptions (S13), each with good and bad inputs."""

import pytest

from tests.cli.conftest import assert_refused, create
from tests.conftest import PARTNER, REGION


def connect(cli, service: dict) -> dict:
    """PARTNER connects to an OWNER service (whitelisted first)."""
    cli.ok("service", "whitelist", service["id"], "--add", PARTNER)
    return create(cli, "--as", PARTNER, "endpoint", "create", "--service", service["id"], "--vpc", "pvpc")


def conns(cli, ref: str) -> dict:
    return {c["id"]: c for c in cli.ok("--json", "service", "connections", ref).json["connections"]}


# -- service update ------------------------------------------------------------------------------------
def test_s5_update_name_gives_the_new_stored_name_and_lookup_follows(world, cli):
    endpoint = connect(cli, world.web)
    updated = cli.ok("--json", "service", "update", "web", "--name", "shop").json
    assert updated["id"] == world.web["id"] and updated["short_name"] == "shop"
    assert updated["service_name"] == f"{REGION}.shop.{world.web['id']}"
    assert cli.ok("--json", "service", "show", updated["service_name"]).json["id"] == world.web["id"]
    assert cli.ok("--json", "service", "show", "shop").json["id"] == world.web["id"]
    assert cli("service", "show", world.web["service_name"]).code == 1
    assert cli.ok("service", "verify", updated["service_name"]).out == "Service name found.\n"
    assert cli("service", "verify", world.web["service_name"]).code == 1
    shown = cli.ok("--as", PARTNER, "--json", "endpoint", "show", endpoint["id"]).json
    assert shown["endpoint_service_name"] == updated["service_name"]


def test_s5_update_name_refused(world, cli):
    assert_refused(cli("service", "update", "web", "--name", "x" * 17), "S5")
    assert_refused(cli("service", "update", "web", "--name", "bad.name"), "S5")
    assert_refused(cli("service", "update", "web", "--name", "obs"), "S2")
    assert cli.ok("--json", "service", "show", world.web["id"]).json["service_name"] == world.web["service_name"]


def test_s2_builtin_services_cannot_be_updated(world, cli):
    assert_refused(cli("service", "update", "dns", "--description", "mine now"), "S2")
    assert_refused(cli("service", "update", "obs", "--approval", "on"), "S2")
    assert cli.ok("--json", "service", "show", "dns").json["approval_enabled"] is False


def test_s4_update_description(world, cli):
    updated = cli.ok("--json", "service", "update", "web", "--description", "the shop front").json
    assert updated["description"] == "the shop front" and updated["updated_at"] > world.web["updated_at"]
    assert cli.ok("service", "show", "web").out.count("the shop front") == 1
    assert_refused(cli("service", "update", "web", "--description", "<b>bold</b>"), "S4")
    assert_refused(cli("service", "update", "web", "--description", "x" * 513), "S4")
    assert_refused(cli("service", "update", "web", "--description", "two\nlines"), "S4")
    assert cli.ok("--json", "service", "show", "web").json["description"] == "the shop front"


def test_s6_ports_stay_view_only(world, cli):
    assert cli("service", "update", "web", "--port", "9090:90").code == 2
    cli.ok("service", "update", "web", "--description", "ports untouched")
    assert cli.ok("--json", "service", "show", "web").json["ports"] == world.web["ports"]


def test_s12_approval_off_leaves_pending_endpoints_pending(world, cli):
    waiting = connect(cli, world.gated)
    result = cli("--json", "service", "update", "gated", "--approval", "off")
    assert result.code == 0 and result.json["approval_enabled"] is False
    assert "1 endpoint(s) stay pendingAcceptance [S12]" in result.err
    assert conns(cli, "gated")[waiting["id"]]["status"] == "pendingAcceptance"
    later = create(cli, "--as", PARTNER, "endpoint", "create", "--service", world.gated["id"], "--vpc", "pvpc")
    assert later["status"] == "accepted"  # approval off: new ones go straight through
    assert_refused(cli("service", "reject", "gated", later["id"]), "S12")  # not a leftover
    accepted = cli.ok("--json", "service", "accept", "gated", waiting["id"]).json["connections"]
    assert [c["status"] for c in accepted] == ["accepted"]
    assert_refused(cli("service", "reject", "gated", waiting["id"]), "S12")  # approval off, nothing waits


def test_s12_approval_on_makes_new_endpoints_wait(world, cli):
    cli.ok("service", "update", "web", "--approval", "on")
    assert connect(cli, world.web)["status"] == "pendingAcceptance"
    assert cli("service", "update", "web", "--approval", "maybe").code == 2


def test_service_update_refusals(world, cli):
    assert_refused(cli("--read-only", "service", "update", "web", "--description", "x"), "§7")
    assert_refused(cli("--as", PARTNER, "service", "update", world.web["id"], "--description", "x"), "S12")
    assert_refused(cli("service", "update", "no-such-service", "--description", "x"), "S12")
    nothing = cli("service", "update", "web")
    assert nothing.code == 2 and "nothing to change" in nothing.err and "--approval" in nothing.err
    assert cli.ok("--json", "service", "show", "web").json["description"] == ""


# -- endpoint update ------------------------------------------------------------------------------------
@pytest.fixture
def endpoint(world, cli) -> dict:
    return create(cli, "endpoint", "create", "--service", world.web["id"], "--vpc", "vpc2")


def test_e10_update_replaces_the_whitelist(endpoint, cli):
    first = cli.ok("--json", "endpoint", "update", endpoint["id"], "--whitelist", "10.0.0.0/24",
                   "--whitelist", "192.168.1.5").json
    assert first["id"] == endpoint["id"] and first["enable_whitelist"] is True
    assert first["whitelist"] == ["10.0.0.0/24", "192.168.1.5/32"]
    second = cli.ok("--json", "endpoint", "update", endpoint["id"], "--whitelist", "172.16.0.0/12").json
    assert second["whitelist"] == ["172.16.0.0/12"]
    assert cli.ok("--json", "endpoint", "show", endpoint["id"]).json["whitelist"] == ["172.16.0.0/12"]


def test_e10_switch_keeps_the_list(endpoint, cli):
    cli.ok("endpoint", "update", endpoint["id"], "--whitelist", "10.0.0.0/24")
    off = cli.ok("--json", "endpoint", "update", endpoint["id"], "--enable-whitelist", "off").json
    assert off["enable_whitelist"] is False and off["whitelist"] == ["10.0.0.0/24"]
    assert "Whitelist:" in cli.ok("endpoint", "show", endpoint["id"]).out
    on = cli.ok("--json", "endpoint", "update", endpoint["id"], "--enable-whitelist", "on").json
    assert on["enable_whitelist"] is True
    kept_off = cli.ok("--json", "endpoint", "update", endpoint["id"], "--whitelist", "10.9.0.0/16",
                      "--enable-whitelist", "off").json
    assert (kept_off["enable_whitelist"], kept_off["whitelist"]) == (False, ["10.9.0.0/16"])


def test_e10_update_refuses_bad_entries(endpoint, cli):
    for bad in ("10.0.0.0/33", "300.1.1.1", "fe80::/64", "somewhere"):
        assert_refused(cli("endpoint", "update", endpoint["id"], "--whitelist", bad), "E10")
    twenty = [arg for n in range(20) for arg in ("--whitelist", f"10.{n}.0.0/16")]
    assert len(cli.ok("--json", "endpoint", "update", endpoint["id"], *twenty).json["whitelist"]) == 20
    refused = cli("endpoint", "update", endpoint["id"], *twenty, "--whitelist", "10.99.0.0/16")
    assert_refused(refused, "E10")
    assert "21" in refused.err and "20" in refused.err
    assert len(cli.ok("--json", "endpoint", "show", endpoint["id"]).json["whitelist"]) == 20


def test_e10_create_takes_at_most_twenty(world, cli):
    many = [arg for n in range(21) for arg in ("--whitelist", f"10.{n}.0.0/16")]
    assert_refused(cli("endpoint", "create", "--service", world.web["id"], "--vpc", "vpc2", *many), "E10")


def test_e10_enabled_whitelist_needs_an_entry(endpoint, cli):
    assert_refused(cli("endpoint", "update", endpoint["id"], "--enable-whitelist", "on"), "E10")
    assert cli.ok("--json", "endpoint", "show", endpoint["id"]).json["enable_whitelist"] is False


def test_endpoint_update_refusals(endpoint, cli):
    assert_refused(cli("--read-only", "endpoint", "update", endpoint["id"], "--whitelist", "10.0.0.0/8"), "§7")
    assert_refused(cli("--as", PARTNER, "endpoint", "update", endpoint["id"], "--whitelist", "10.0.0.0/8"), "E10")
    assert_refused(cli("endpoint", "update", "no-such-endpoint", "--whitelist", "10.0.0.0/8"), "E10")
    assert cli("endpoint", "update", endpoint["id"]).code == 2
    assert cli("endpoint", "update", endpoint["id"], "--enable-whitelist", "yes").code == 2
    assert cli.ok("--json", "endpoint", "show", endpoint["id"]).json["whitelist"] == []


# -- connection descriptions -----------------------------------------------------------------------------
def test_s12_connection_descriptions(world, cli):
    first, second = connect(cli, world.gated), create(cli, "--as", PARTNER, "endpoint", "create", "--service",
                                                       world.gated["id"], "--vpc", "pvpc")
    listed = cli.ok("--json", "service", "connections", "gated", "--describe", f"{first['id']}=billing = team A",
                    "--describe", f"{second['id']}=test").json["connections"]
    assert {c["id"]: c["description"] for c in listed} == {first["id"]: "billing = team A", second["id"]: "test"}
    assert conns(cli, "gated")[first["id"]]["description"] == "billing = team A"
    assert "billing = team A" in cli.ok("service", "connections", "gated").out
    accepted = cli.ok("--json", "service", "accept", "gated", first["id"]).json["connections"]
    assert accepted[0]["description"] == "billing = team A"  # a status change keeps it
    cli.ok("service", "connections", "gated", "--describe", f"{first['id']}=")
    assert conns(cli, "gated")[first["id"]]["description"] == ""


def test_s12_connection_description_is_the_owners_note(world, cli, same_state):
    endpoint = connect(cli, world.gated)
    cli.ok("service", "connections", "gated", "--describe", f"{endpoint['id']}=owner's note")
    assert cli.ok("--as", PARTNER, "--json", "endpoint", "show", endpoint["id"]).json["description"] == ""
    cli.ok("--as", PARTNER, "endpoint", "delete", endpoint["id"])
    with same_state.store.read() as txn:
        assert txn.count("connection_notes") == 0  # the note goes with its endpoint


def test_s12_connection_description_refused(world, cli):
    endpoint = connect(cli, world.gated)
    describe = ["service", "connections", "gated", "--describe"]
    assert_refused(cli(*describe, f"{endpoint['id']}=<script>"), "S12")
    assert_refused(cli(*describe, f"{endpoint['id']}=" + "x" * 513), "S12")
    assert_refused(cli(*describe, f"{endpoint['id']}=tab\there"), "S12")
    assert_refused(cli(*describe, "no-such-endpoint=x"), "S12")
    assert_refused(cli(*describe, "no equals sign"), "S12")
    assert_refused(cli(*describe, f"{endpoint['id']}=ok", "--describe", "no-such-endpoint=x"), "S12")
    assert_refused(cli("--read-only", *describe, f"{endpoint['id']}=x"), "§7")
    assert_refused(cli("--as", PARTNER, "service", "connections", world.gated["id"], "--describe",
                       f"{endpoint['id']}=x"), "S12")
    assert_refused(cli("service", "connections", "dns", "--describe", f"{endpoint['id']}=x"), "S2")
    assert conns(cli, "gated")[endpoint["id"]]["description"] == ""  # all or none


# -- whitelist entry descriptions ------------------------------------------------------------------------
def test_s13_whitelist_entry_descriptions(world, cli):
    added = cli.ok("--json", "service", "whitelist", "gated", "--add", PARTNER, "--add", "*",
                   "--description", "partner").json["permissions"]
    assert [p["description"] for p in added] == ["partner", "partner"]
    star = next(p for p in added if p["permission"] == "*")
    changed = cli.ok("--json", "service", "whitelist", "gated", "--describe", f"{PARTNER}=the partner",
                     "--describe", f"{star['id']}=everyone (trial)").json["permissions"]
    assert {p["permission"]: p["description"] for p in changed} == {f"iam:domain::{PARTNER}": "the partner",
                                                                   "*": "everyone (trial)"}
    assert [p["id"] for p in changed] == [p["id"] for p in added]
    assert "everyone (trial)" in cli.ok("service", "whitelist", "gated").out


def test_s13_whitelist_description_refused(world, cli):
    cli.ok("service", "whitelist", "gated", "--add", PARTNER)
    assert_refused(cli("service", "whitelist", "gated", "--add", "c" * 32, "--description", "a<b"), "S13")
    assert_refused(cli("service", "whitelist", "gated", "--describe", f"{PARTNER}=a>b"), "S13")
    assert_refused(cli("service", "whitelist", "gated", "--describe", "iam:domain::" + "c" * 32 + "=x"), "S13")
    assert_refused(cli("service", "whitelist", "gated", "--describe", "just-text"), "S13")
    assert_refused(cli("--read-only", "service", "whitelist", "gated", "--describe", f"{PARTNER}=x"), "§7")
    assert_refused(cli("--as", PARTNER, "service", "whitelist", world.gated["id"], "--describe", f"{PARTNER}=x"),
                   "S12")
    listed = cli.ok("--json", "service", "whitelist", "gated").json["permissions"]
    assert [(p["permission"], p["description"]) for p in listed] == [(f"iam:domain::{PARTNER}", "")]
