"""The `vpcep` argument parser: subcommands grouped by noun (CLI.md)."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from toolkit import __version__


FEATURES = [name for name in ("cmd_dns", "cmd_routes", "cmd_check", "cmd_lab", "cmd_tui")
            if importlib.util.find_spec(f"toolkit.cli.{name}") is not None]
"""Feature modules that add their own commands: each has `add_commands(builder)` and
`cmd_<noun>_<verb>(reg, args, out)` handlers, and imports nothing heavy at module level."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line as a UsageError (exit 2, one `error:` line, JSON with --json)."""

    def error(self, message: str):
        from toolkit.errors import UsageError
        self.print_usage(sys.stderr)
        raise UsageError(f"{self.prog}: {message}", fix=f"see `{self.prog} --help`")


def _common(parser: argparse.ArgumentParser, default) -> None:
    """Global options, accepted before the command and after it."""
    parser.add_argument("--state", default=default, metavar="PATH", help="the state file (env VPCEP_STATE)")
    parser.add_argument("--config", default=default, metavar="PATH", help="TOML settings (env VPCEP_CONFIG)")
    parser.add_argument("--as", dest="act_as", default=default, metavar="DOMAIN_ID",
                        help="act as this account (env VPCEP_ACCOUNT)")
    parser.add_argument("--json", action="store_true", default=default, help="machine output on stdout")
    parser.add_argument("--read-only", action="store_true", default=default, help="refuse every change")


class _Builder:
    """Adds subcommands that all share the global options."""

    def __init__(self, root: argparse.ArgumentParser) -> None:
        self.shared = Parser(add_help=False)
        _common(self.shared, argparse.SUPPRESS)
        self.nouns = root.add_subparsers(dest="noun", metavar="COMMAND", required=True)

    def noun(self, name: str, help_: str, module: str = "toolkit.cli.commands"):
        """A noun with verbs; its handlers `cmd_<noun>_<verb>` live in `module`."""
        parser = self.nouns.add_parser(name, help=help_, parents=[self.shared], description=help_)
        parser.set_defaults(handler_module=module)
        return parser.add_subparsers(dest="verb", metavar="ACTION", required=True)

    def verb(self, group, name: str, help_: str, aliases: tuple = ()):
        return group.add_parser(name, help=help_, parents=[self.shared], description=help_, aliases=list(aliases))

    def command(self, name: str, help_: str, module: str = "toolkit.cli.commands"):
        """A command without verbs; its handler `cmd_<name>` lives in `module`."""
        parser = self.nouns.add_parser(name, help=help_, parents=[self.shared], description=help_)
        parser.set_defaults(handler_module=module)
        return parser


def build() -> argparse.ArgumentParser:
    root = Parser(
        prog="vpcep", description="VPC endpoint toolkit: inventory, private DNS, routes and checks for on-prem admins.",
        epilog="Exit codes: 0 ok, 1 refused by a rule, 2 usage/config/IO error.")
    root.add_argument("--version", action="version", version=f"vpcep {__version__}")
    _common(root, None)
    b = _Builder(root)
    _state_commands(b)
    _network_commands(b)
    _service_commands(b)
    _endpoint_commands(b)
    for name in FEATURES:
        importlib.import_module(f"toolkit.cli.{name}").add_commands(b)
    return root


def _state_commands(b: _Builder) -> None:
    p = b.command("init", "create the state with the region's built-in OBS and DNS services")
    p.add_argument("--region", help="region, e.g. cn-north-4 (default from [identity] region)")
    p.add_argument("--domain", help="cloud domain, e.g. myhuaweicloud.com (default from [identity] domain)")
    p.add_argument("--account", help="the state's own domain_id (default: a new 32-hex id)")
    p.add_argument("--project", help="project_id (default: a new 32-hex id)")
    p = b.command("demo", "fill an empty state with the three seed scenarios and print the inventory")
    p.add_argument("--region")
    p.add_argument("--domain")
    p = b.command("quota", "used/limit per resource type; --set raises a quota")
    p.add_argument("--set", dest="set_", action="append", default=[], metavar="TYPE=N",
                   help="TYPE: endpoint_service | endpoint")
    accounts = b.noun("account", "accounts of the state (V1) and their organization paths (S13)")
    p = b.verb(accounts, "create", "register an account")
    p.add_argument("domain_id")
    p.add_argument("--org-path", default="", help="organization path, e.g. o-1/r-2/ou-3")
    b.verb(accounts, "list", "list accounts", aliases=("ls",))


def _network_commands(b: _Builder) -> None:
    vpc = b.noun("vpc", "VPCs of the acting account")
    p = b.verb(vpc, "create", "create a VPC")
    p.add_argument("name")
    p.add_argument("--cidr", required=True)
    b.verb(vpc, "list", "list VPCs", aliases=("ls",))
    b.verb(vpc, "show", "show a VPC").add_argument("ref", metavar="NAME|ID")
    b.verb(vpc, "delete", "delete a VPC and its empty subnets (V5)").add_argument("ref", metavar="NAME|ID")
    p = b.verb(vpc, "routes", "custom routes of a VPC (S11: never into 198.19.128.0/17); no flag: list")
    p.add_argument("ref", metavar="NAME|ID")
    p.add_argument("--add", action="append", default=[], metavar="DEST[@NEXTHOP]")
    p.add_argument("--remove", action="append", default=[], metavar="DEST")
    subnet = b.noun("subnet", "subnets of the acting account's VPCs")
    p = b.verb(subnet, "create", "create a subnet")
    p.add_argument("name")
    p.add_argument("--vpc", required=True)
    p.add_argument("--cidr", required=True)
    b.verb(subnet, "list", "list subnets", aliases=("ls",)).add_argument("--vpc")
    p = b.verb(subnet, "delete", "delete a subnet (V5)")
    p.add_argument("ref", metavar="NAME|ID")
    p.add_argument("--vpc")


def _tag_flags(p) -> None:
    p.add_argument("--tag", action="append", default=[], metavar="K=V")


def _service_commands(b: _Builder) -> None:
    svc = b.noun("service", "endpoint services")
    p = b.verb(svc, "create", "create an interface service backed by one LB or VM")
    p.add_argument("--name")
    p.add_argument("--vpc", required=True)
    p.add_argument("--backend", required=True, metavar="LB|VM|BMS", help="LB (the guide's ELB), VM (ECS); BMS deprecated")
    p.add_argument("--port-id", required=True)
    p.add_argument("--port", action="append", default=[], metavar="SERVER:CLIENT",
                   help="TCP port mapping; fixed once the service exists (S6)")
    p.add_argument("--approval", action="store_true", help="connections wait for accept")
    p.add_argument("--type", dest="service_type", default="interface", help="interface (the only type you can create)")
    p.add_argument("--description", default="")
    _tag_flags(p)
    p = b.verb(svc, "list", "list own and built-in services", aliases=("ls",))
    p.add_argument("--name", default="")
    p.add_argument("--id", dest="id_", default="")
    _tag_flags(p)
    b.verb(svc, "show", "show a service").add_argument("ref", metavar="ID|NAME")
    b.verb(svc, "verify", "is there a service with this name? (E3)").add_argument("name")
    b.verb(svc, "delete", "delete a user service (S10)").add_argument("ref", metavar="ID|NAME")
    b.verb(svc, "connections", "endpoints connected to a service (S12)").add_argument("ref", metavar="ID|NAME")
    for verb in ("accept", "reject"):
        p = b.verb(svc, verb, f"{verb} endpoint connections (S12)")
        p.add_argument("ref", metavar="ID|NAME")
        p.add_argument("endpoint_ids", nargs="+", metavar="ENDPOINT_ID")
    p = b.verb(svc, "whitelist", "permission management (S13); no flag: list")
    p.add_argument("ref", metavar="ID|NAME")
    p.add_argument("--add", action="append", default=[], metavar="ENTRY")
    p.add_argument("--remove", action="append", default=[], metavar="ENTRY")
    p.add_argument("--description", default="")
    _tag_edit(b.verb(svc, "tag", "service tags (T1–T4); no flag: list"), "ID|NAME")
    p = b.verb(svc, "rules", "backend inbound rules (S15, F1–F3); no flag: list")
    p.add_argument("ref", metavar="ID|NAME")
    p.add_argument("--add", action="append", default=[], metavar="KIND:CIDR:PORTS[:deny]")
    p.add_argument("--remove", action="append", default=[], metavar="KIND:CIDR:PORTS[:deny]")


def _tag_edit(p, metavar: str) -> None:
    p.add_argument("ref", metavar=metavar)
    p.add_argument("--set", dest="set_", action="append", default=[], metavar="K=V")
    p.add_argument("--delete", action="append", default=[], metavar="K")


def _endpoint_commands(b: _Builder) -> None:
    ep = b.noun("endpoint", "VPC endpoints of the acting account")
    p = b.verb(ep, "create", "connect an own VPC to a service")
    p.add_argument("--service", required=True, metavar="ID|NAME")
    p.add_argument("--vpc", required=True)
    p.add_argument("--subnet")
    p.add_argument("--ip")
    p.add_argument("--dns", action="store_true", help="create a private domain name (E5)")
    p.add_argument("--routetable", action="append", default=[], metavar="RT")
    p.add_argument("--whitelist", action="append", default=[], metavar="CIDR")
    p.add_argument("--description", default="")
    _tag_flags(p)
    p = b.verb(ep, "list", "list endpoints", aliases=("ls",))
    p.add_argument("--id", dest="id_", default="")
    p.add_argument("--service", default="")
    _tag_flags(p)
    b.verb(ep, "show", "show an endpoint (E13)").add_argument("ref", metavar="ID")
    b.verb(ep, "delete", "delete an endpoint (E11)").add_argument("ref", metavar="ID")
    _tag_edit(b.verb(ep, "tag", "endpoint tags (T1–T4); no flag: list"), "ID")
