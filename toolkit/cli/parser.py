"""The `vpcep` argument parser: subcommands grouped by noun (CLI.md)."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from toolkit import __version__


FEATURES = [name for name in ("cmd_dns", "cmd_routes", "cmd_check", "cmd_lab", "cmd_tui", "cmd_cloud", "cmd_api")
            if importlib.util.find_spec(f"toolkit.cli.{name}") is not None]
"""Feature modules that add their own commands: each has `add_commands(builder)` and the
`(reg, args, out)` handlers toolkit.cli.handlers names, and imports nothing heavy at module level."""


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
        self.groups: dict = {}
        """The verbs of each noun, so that a later function (or a feature module) can add to them."""

    def noun(self, name: str, help_: str, module: str = "toolkit.cli.commands"):
        """A noun with verbs; its handlers (named in toolkit.cli.handlers) live in `module`."""
        parser = self.nouns.add_parser(name, help=help_, parents=[self.shared], description=help_)
        parser.set_defaults(handler_module=module)
        self.groups[name] = parser.add_subparsers(dest="verb", metavar="ACTION", required=True)
        return self.groups[name]

    def verb(self, group, name: str, help_: str, aliases: tuple = ()):
        return group.add_parser(name, help=help_, parents=[self.shared], description=help_, aliases=list(aliases))

    def command(self, name: str, help_: str, module: str = "toolkit.cli.commands"):
        """A command without verbs; its handler (named in toolkit.cli.handlers) lives in `module`."""
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
    _update_commands(b)
    _reference_commands(b)
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
    _page_flags(b.verb(accounts, "list", "list accounts", aliases=("ls",)))


def _network_commands(b: _Builder) -> None:
    vpc = b.noun("vpc", "VPCs of the acting account")
    p = b.verb(vpc, "create", "create a VPC")
    p.add_argument("name")
    p.add_argument("--cidr", required=True)
    _page_flags(b.verb(vpc, "list", "list VPCs", aliases=("ls",)))
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
    p = b.verb(subnet, "list", "list subnets", aliases=("ls",))
    p.add_argument("--vpc")
    _page_flags(p)
    p = b.verb(subnet, "delete", "delete a subnet (V5)")
    p.add_argument("ref", metavar="NAME|ID")
    p.add_argument("--vpc")


def _page_flags(p) -> None:
    """The API's paging contract (issue 15): the same four values as every list of the REST API."""
    p.add_argument("--limit", type=int, metavar="N", help="at most N items (1-1000; default: all)")
    p.add_argument("--offset", type=int, default=0, metavar="K", help="skip the first K items")
    p.add_argument("--sort-key", default="", metavar="KEY", help="created_at, updated_at, id or name")
    p.add_argument("--sort-dir", default="desc", choices=("asc", "desc"), help="with --sort-key (default desc)")


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
    _page_flags(p)
    b.verb(svc, "show", "show a service").add_argument("ref", metavar="ID|NAME")
    b.verb(svc, "verify", "is there a service with this name? (E3)").add_argument("name")
    b.verb(svc, "delete", "delete a user service (S10)").add_argument("ref", metavar="ID|NAME")
    p = b.verb(svc, "connections", "endpoints connected to a service (S12); --describe sets a connection's description")
    p.add_argument("ref", metavar="ID|NAME")
    p.add_argument("--describe", action="append", default=[], metavar="ENDPOINT_ID=TEXT")
    for verb in ("accept", "reject"):
        p = b.verb(svc, verb, f"{verb} endpoint connections (S12)")
        p.add_argument("ref", metavar="ID|NAME")
        p.add_argument("endpoint_ids", nargs="+", metavar="ENDPOINT_ID")
    p = b.verb(svc, "whitelist", "permission management (S13); no flag: list")
    p.add_argument("ref", metavar="ID|NAME")
    p.add_argument("--add", action="append", default=[], metavar="ENTRY")
    p.add_argument("--remove", action="append", default=[], metavar="ENTRY")
    p.add_argument("--description", default="", help="the description of the entries --add adds")
    p.add_argument("--describe", action="append", default=[], metavar="ENTRY=TEXT",
                   help="change an existing entry's description (ENTRY: its text or id)")
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
    _page_flags(p)
    b.verb(ep, "show", "show an endpoint (E13)").add_argument("ref", metavar="ID")
    b.verb(ep, "delete", "delete an endpoint (E11)").add_argument("ref", metavar="ID")
    _tag_edit(b.verb(ep, "tag", "endpoint tags (T1–T4); no flag: list"), "ID")


SWITCH = ("on", "off")


def _update_commands(b: _Builder) -> None:
    """Modify, as the console has it: service update (ports stay view-only, S6) and endpoint update (E10)."""
    p = b.verb(b.groups["service"], "update",
               "change a service's approval, description or name (ports stay as created, S6)")
    p.add_argument("ref", metavar="ID|NAME")
    p.add_argument("--approval", choices=SWITCH, help="off leaves waiting endpoints pendingAcceptance")
    p.add_argument("--description")
    p.add_argument("--name", help="new short name: the stored name becomes <region>.<name>.<id> (S5)")
    p = b.verb(b.groups["endpoint"], "update", "replace an endpoint's whitelist or switch it on or off (E10)")
    p.add_argument("ref", metavar="ID")
    p.add_argument("--whitelist", action="append", metavar="CIDR", help="the new list (replaces the old one)")
    p.add_argument("--enable-whitelist", choices=SWITCH, help="default: on when --whitelist is given")


def _reference_commands(b: _Builder) -> None:
    module = "toolkit.cli.cmd_reference"
    p = b.command("rules", "each rule's ID, text and fix, from the table the error messages use", module)
    p.add_argument("rule_ids", nargs="*", metavar="RULE_ID")
    p.add_argument("--markdown", action="store_true", help="the table as docs/rules.md")
    p = b.command("commands", "every command and its flags, from this parser", module)
    p.add_argument("--markdown", action="store_true", help="as docs/cli.md")
    p = b.command("completion", "the shell completion script (generated from this parser by shtab)", module)
    p.add_argument("shell", choices=("bash", "zsh", "fish"))


# -- the command reference (docs/cli.md), read off the parser ---------------------------------------------
GLOBAL = {"help", "state", "config", "act_as", "json", "read_only"}
"""Destinations of the options every command shares; the reference lists them once."""


def reference(root: argparse.ArgumentParser) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per top-level command: its description and one (usage, help) line per verb, in parser order."""
    sections = []
    for name, parser in _children(root):
        verbs = _children(parser)
        lines = [(f"vpcep {name} {verb} {_usage(sub)}".rstrip(), sub.description or "") for verb, sub in verbs]
        sections.append((name, lines or [(f"vpcep {name} {_usage(parser)}".rstrip(), parser.description or "")]))
    return sections


def _children(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """The subcommands of a parser (aliases folded into the name as `list|ls`)."""
    found: dict[int, list] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.setdefault(id(sub), [[], sub])[0].append(name)
    return [("|".join(names), sub) for names, sub in found.values()]


def _usage(parser: argparse.ArgumentParser) -> str:
    return " ".join(_token(a) for a in parser._actions
                    if a.dest not in GLOBAL and not isinstance(a, argparse._SubParsersAction))


def _token(action: argparse.Action) -> str:
    name = (action.option_strings[-1].lstrip("-") if action.option_strings else action.dest).upper()
    metavar = action.metavar or ("|".join(action.choices) if action.choices else name.replace("-", "_"))
    if not action.option_strings:
        return {"*": f"[{metavar} ...]", "+": f"{metavar} [{metavar} ...]", "?": f"[{metavar}]"}.get(
            action.nargs, metavar)
    flag = action.option_strings[-1]
    text = flag if action.nargs == 0 else f"{flag} {metavar}"
    if isinstance(action, argparse._AppendAction):
        text += " ..."
    return text if action.required else f"[{text}]"


def reference_markdown(root: argparse.ArgumentParser) -> str:
    """docs/cli.md: every command with its flags, generated from the parser."""
    lines = ["# Command reference", "",
             "Generated by `vpcep commands --markdown > docs/cli.md` from the argument parser. Every command also "
             "takes the global options `--state PATH`, `--config PATH`, `--as DOMAIN_ID`, `--json` and "
             "`--read-only` (before or after the command); `vpcep COMMAND --help` explains each flag. Exit codes: "
             "0 ok, 1 refused by a rule (the message names it: see [rules.md](rules.md)), 2 usage, config or I/O "
             "error, 10-14 the first failing step of `vpcep check`, 130 / 143 `routes apply` or `remove` stopped "
             "by SIGINT / SIGTERM (this run's changes rolled back; the counts in the message).", ""]
    for name, entries in reference(root):
        lines += [f"## {name}", "", "| command | what it does |", "|---|---|"]
        lines += [f"| `{usage.replace('|', chr(92) + '|')}` | {text.replace('|', chr(92) + '|')} |"
                  for usage, text in entries]
        lines.append("")
    return "\n".join(lines + _settings_markdown())


def _settings_markdown() -> list[str]:
    """The settings file's keys and defaults, read off toolkit.config (file, then VPCEP_* env, then flags)."""
    import dataclasses
    import json

    from toolkit.config import SECTIONS
    lines = ["## Settings", "", "A TOML file (`~/.config/vpcep/config.toml`, or `--config PATH` / `VPCEP_CONFIG`); "
             "every key can also be set as `VPCEP_<SECTION>_<KEY>`; flags override both. The state file is "
             "`--state PATH` / `VPCEP_STATE`, the acting account `--as` / `VPCEP_ACCOUNT`.", "",
             "| section | key | default | environment |", "|---|---|---|---|"]
    for name, cls in SECTIONS.items():
        defaults = cls()
        for item in dataclasses.fields(cls):
            value = getattr(defaults, item.name)
            shown = json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
            lines.append(f"| [{name}] | {item.name} | `{shown}` | VPCEP_{name.upper()}_{item.name.upper()} |")
    return lines + [""]
