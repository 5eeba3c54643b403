"""`vpcep check`: the whole path per endpoint, `check obs BUCKET`, and the history of runs."""

from __future__ import annotations

import argparse
import ipaddress
import math
import re

from toolkit.errors import ValidationError

_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def add_commands(b) -> None:
    p = b.command("check", "prove the path per endpoint: state → dns → route → policy → tcp "
                  "(exit 10–14: first failing step); also `check obs BUCKET`, `check history`, `check show RUN`",
                  module="toolkit.cli.cmd_check")
    p.add_argument("targets", nargs="*", metavar="ENDPOINT_ID | obs BUCKET | history | show RUN")
    p.add_argument("--resolver", metavar="ADDR:PORT", help="DNS server to ask (default: the first [dns] listen)")
    p.add_argument("--gateway", type=_ipv4, metavar="IP", help="the planned next hop (default: --plan's, else [routes] gateway)")
    p.add_argument("--plan", metavar="PLAN", help="a route plan (vpcep routes plan --out): its gateway is the one "
                   "the route step expects")
    p.add_argument("--netns", metavar="NS", help="check from inside this network namespace")
    p.add_argument("--timeout", type=_seconds, default=2.0, metavar="S", help="per probe (default 2)")
    p.add_argument("--port", type=_port, default=443, help="with `obs`: the TCP port (default 443)")
    p.add_argument("--limit", type=_count, default=20, help="with `history`: how many runs")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="one line per endpoint (verdict, first failing step and rule), then the summary; "
                   "--json is unchanged")


def cmd_check(reg, args, out) -> int:
    targets = list(args.targets)
    if targets[:1] == ["history"]:
        return _history(reg, args, out)
    if targets[:1] == ["show"]:
        return _show(reg, targets[1:], out, args.quiet)
    if targets[:1] == ["obs"]:
        return _run(reg, args, out, bucket=_bucket(_one(targets[1:], "obs BUCKET")))
    return _run(reg, args, out, endpoint_ids=targets)


def _number(text: str, cast, ok, what: str):
    try:
        value = cast(text)
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
    return value


def _seconds(text: str) -> float:
    return _number(text, float, lambda v: math.isfinite(v) and v > 0, "a number of seconds above 0")


def _port(text: str) -> int:
    return _number(text, int, lambda v: 1 <= v <= 65535, "a TCP port (1-65535)")


def _count(text: str) -> int:
    return _number(text, int, lambda v: v >= 1, "a count of 1 or more")


def _ipv4(text: str) -> str:
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IPv4 address") from None


def _bucket(name: str) -> str:
    """O6: a bucket (or its full OBS name) is a DNS name; an empty one must not mean "every endpoint"."""
    labels = name.rstrip(".").split(".")
    if not name.strip() or len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(f"bucket {name!r} is not a DNS name", rule="O6",
                              fix="give the bucket name, e.g. `vpcep check obs photos`")
    return name.rstrip(".")


def _one(rest: list[str], usage: str) -> str:
    if len(rest) != 1:
        raise ValidationError(f"usage: vpcep check {usage}", rule="O6", fix=f"give exactly one: vpcep check {usage}")
    return rest[0]


def _run(reg, args, out, endpoint_ids=(), bucket: str | None = None) -> int:
    from toolkit.checks import report
    options = _options(reg, args)
    run = reg.run_checks(options, list(endpoint_ids)) if bucket is None else \
        reg.run_obs_check(options, bucket, args.port)
    if reg.settings.read_only:
        out.note("read-only: this run is not recorded in the history")
    out.emit(run, report.brief(run) if args.quiet else report.render(run))
    return run["exit_code"]


def _options(reg, args):
    from toolkit.checks.runner import CheckOptions, configured_resolver, resolver_address
    settings = reg.settings
    resolver = args.resolver or configured_resolver(settings)
    return CheckOptions(resolver=resolver_address(resolver), gateway=args.gateway or _plan_gateway(args.plan)
                        or settings.routes.gateway, netns=args.netns, timeout=args.timeout, obs_cidr=settings.obs.cidr)


def _plan_gateway(path: str | None) -> str:
    if not path:
        return ""
    from toolkit.routing import planfile
    return planfile.load(path).gateway


def _history(reg, args, out) -> int:
    from toolkit.cli.output import table
    runs = reg.check_history(args.limit)
    rows = [[r["run_id"], r["started_at"][:19], r["summary"]["targets"], r["summary"]["passed"],
             r["summary"]["failed"], r["summary"]["first_failure"], r["exit_code"]] for r in runs]
    out.emit({"runs": [_brief(r) for r in runs]},
             table(["run", "started", "targets", "passed", "failed", "first_failure", "exit"], rows))
    return 0


def _brief(run: dict) -> dict:
    return {key: run[key] for key in ("run_id", "started_at", "duration_ms", "exit_code", "summary", "options")}


def _show(reg, rest: list[str], out, quiet: bool) -> int:
    from toolkit.checks import report
    run = reg.get_check(_one(rest, "show RUN"))
    out.emit(run, report.brief(run) if quiet else report.render(run))
    return 0
