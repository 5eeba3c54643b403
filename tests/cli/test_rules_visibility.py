"""Every read command shows a caller only what it owns or is whitelisted for (S12, S13, E9, E12, E13).

A stranger account (created, R4) runs every list and show command of the inventory against a state
where two other accounts hold VPCs, subnets, services, endpoints, whitelists, rules, tags, routes and
check runs; no id of theirs may appear in what it is shown."""

import pytest

from tests.cli.conftest import create
from tests.conftest import OWNER, PARTNER

STRANGER = "c" * 32


@pytest.fixture
def crowd(world, cli, same_state):
    """OWNER's and PARTNER's inventory, the stranger's own small one, and every id that is not the stranger's."""
    cli.ok("service", "whitelist", "gated", "--add", f"iam:domain::{PARTNER}", "--description", "partner")
    cli.ok("service", "rules", "web", "--add", "sg:198.19.128.0/17:8080")
    cli.ok("service", "tag", "web", "--set", "team=web")
    cli.ok("vpc", "routes", "vpc1", "--add", "172.31.0.0/16@10.0.1.1")
    create(cli, "endpoint", "create", "--service", "web", "--vpc", "vpc2", "--tag", "env=prod", "--dns")
    create(cli, "endpoint", "create", "--service", "dns", "--vpc", "vpc2")
    create(cli, "endpoint", "create", "--service", "obs", "--vpc", "vpc2")
    create(cli, "--as", PARTNER, "endpoint", "create", "--service", world.gated["service_name"], "--vpc", "pvpc")
    create(cli, "--as", PARTNER, "endpoint", "create", "--service", "dns", "--vpc", "pvpc")
    same_state.record_check({"run_id": "0wnerrun", "started_at": "2026-01-15T09:00:00Z", "results": []})
    cli.ok("account", "create", STRANGER)
    stranger = lambda *argv: cli("--as", STRANGER, *argv)  # noqa: E731
    assert stranger("vpc", "create", "vpc1", "--cidr", "10.0.0.0/16").code == 0  # the same name as OWNER's
    assert stranger("subnet", "create", "sub1", "--vpc", "vpc1", "--cidr", "10.0.1.0/24").code == 0
    mine = stranger("--json", "endpoint", "create", "--service", "dns", "--vpc", "vpc1").json
    return world, _foreign_ids(cli), mine


def _foreign_ids(cli) -> set[str]:
    """Every id OWNER and PARTNER hold, as they themselves list them."""
    ids = {OWNER, PARTNER, "0wnerrun"}
    for account in (OWNER, PARTNER):
        js = lambda *argv: cli.ok("--as", account, "--json", *argv).json  # noqa: E731
        for vpc in js("vpc", "list")["vpcs"]:
            ids |= {vpc["id"], vpc["routetable_id"]}
        ids |= {s["id"] for s in js("subnet", "list")["subnets"]}
        ids |= {e["id"] for e in js("endpoint", "list")["endpoints"]}
        ids |= {str(e["marker_id"]) for e in js("endpoint", "list")["endpoints"]}
        own = [s for s in js("service", "list")["endpoint_services"] if s["domain_id"] == account]
        ids |= {s["id"] for s in own}
        for service in own:
            ids |= {p["id"] for p in js("service", "whitelist", service["id"])["permissions"]}
    return ids


def commands(world) -> list[tuple[str, ...]]:
    """Every list/show command of the inventory, aimed at the other accounts' resources where it takes one."""
    web, gated = world.web, world.gated
    return [
        ("service", "list"), ("service", "list", "--name", "web"), ("service", "show", web["id"]),
        ("service", "show", gated["service_name"]), ("service", "show", "gated"), ("service", "show", "dns"),
        ("service", "verify", gated["service_name"]),
        ("service", "connections", "dns"), ("service", "connections", "obs"), ("service", "connections", web["id"]),
        ("service", "whitelist", gated["id"]), ("service", "whitelist", "dns"),
        ("service", "tag", web["id"]), ("service", "rules", web["id"]), ("service", "rules", "dns"),
        ("endpoint", "list"), ("endpoint", "list", "--service", "web"), ("vpc", "list"), ("vpc", "show", "vpc1"),
        ("vpc", "routes", "vpc1"), ("subnet", "list"), ("subnet", "list", "--vpc", "vpc1"), ("quota",),
        ("check", "history"), ("check", "show", "0wnerrun"), ("account", "list"),
    ]


def test_s12_a_stranger_sees_only_its_own_connections_of_a_cloud_service(crowd, cli):
    """The bug of issue 9: `--as <stranger> service connections dns` listed everyone's endpoints."""
    _, _, mine = crowd
    listed = cli.ok("--as", STRANGER, "--json", "service", "connections", "dns").json["connections"]
    assert [(c["id"], c["domain_id"]) for c in listed] == [(mine["id"], STRANGER)]


def test_e3_verify_finds_only_services_the_caller_may_see(crowd, cli):
    world, _, _ = crowd
    hidden = cli("--as", STRANGER, "service", "verify", world.gated["service_name"])
    assert (hidden.code, hidden.out) == (1, "Service name not found.\n")
    assert cli.ok("--as", PARTNER, "service", "verify", world.gated["service_name"]).out == "Service name found.\n"


def test_e12_a_whitelisted_account_lists_the_service_that_admits_it(crowd, cli):
    world, _, _ = crowd
    names = lambda account: {s["short_name"] for s in cli.ok(  # noqa: E731
        "--as", account, "--json", "service", "list").json["endpoint_services"]}
    assert names(PARTNER) == {"obs", "dns", "gated"}
    assert names(STRANGER) == {"obs", "dns"}
    assert cli.ok("--as", PARTNER, "--json", "service", "show", world.gated["id"]).json["id"] == world.gated["id"]


@pytest.mark.parametrize("owner_only", [("service", "whitelist"), ("service", "tag"), ("service", "rules"),
                                        ("service", "connections")])
def test_s13_whitelist_tags_rules_connections_are_the_owners(crowd, cli, owner_only):
    """Even an account the whitelist admits does not read them."""
    world, _, _ = crowd
    refused = cli("--as", PARTNER, *owner_only, world.gated["id"])
    assert refused.code == 1 and "owned by account" in refused.err


def test_every_read_command_shows_a_stranger_nothing_of_other_accounts(crowd, cli):
    world, foreign, _ = crowd
    for argv in commands(world):
        for flags in ((), ("--json",)):
            result = cli("--as", STRANGER, *flags, *argv)
            assert result.code in (0, 1) and "Traceback" not in result.err, (argv, result.err)
            # a refusal may name the id it was asked for ("no service '<id>'"), nothing else
            echoed = {i for i in foreign if any(i in arg for arg in argv)} if result.code == 1 else set()
            leaked = sorted(i for i in foreign - echoed if i in result.out + result.err)
            assert not leaked, (argv, flags, leaked)
