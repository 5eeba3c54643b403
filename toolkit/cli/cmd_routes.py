"""`vpcep routes plan|render|apply|remove|status`: the on-prem routes and resolver config (SPEC O1–O5, S11, S15)."""

from __future__ import annotations

from toolkit.routing.shapes import FORMAT_NAMES as FORMATS
from toolkit.routing.shapes import plan_dict


def add_commands(b) -> None:
    group = b.noun("routes", "plan, render and apply the on-prem routes to the endpoints", module="toolkit.cli.cmd_routes")
    p = b.verb(group, "plan", "build a route plan from the inventory, with findings")
    p.add_argument("--gateway", help="the VPN / Direct Connect gateway (default: [routes] gateway)")
    p.add_argument("--dns-endpoint", action="append", default=[], metavar="IP",
                   help="DNS endpoint ip (default: every accepted endpoint of the DNS service)")
    p.add_argument("--obs-cidr", metavar="CIDR", help="default: [obs] cidr")
    p.add_argument("--extra", action="append", default=[], metavar="CIDR", help="a VPC range reached over the VPN")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--existing", metavar="FILE", help="the host's routes (`ip route` or `ip -j route` output)")
    source.add_argument("--from-host", action="store_true", help="read this host's routes (pyroute2)")
    p.add_argument("--netns", metavar="NS", help="with --from-host: read that namespace's routes")
    p.add_argument("--out", metavar="routes/NAME.toml", help="write the plan here")
    p = b.verb(group, "render", "print a plan as ip / route.exe / resolver configuration")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--format", required=True, choices=FORMATS,
                   help="bind: forward zones to include beside your own options; bind-options: what goes inside "
                        "your options { }; bind-global: a whole options block forwarding every name")
    for verb, text in (("apply", "install the plan's routes (idempotent, all-or-nothing)"),
                       ("remove", "delete the plan's routes the toolkit owns"),
                       ("status", "compare the kernel with the plan: missing / extra / different")):
        p = b.verb(group, verb, text)
        p.add_argument("plan", metavar="PLAN")
        p.add_argument("--netns", metavar="NS", help="act inside this network namespace")
        if verb != "status":
            p.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
        if verb == "apply":
            p.add_argument("--prune", action="store_true", help="also delete owned routes the plan no longer has")


def cmd_routes_plan(reg, args, out) -> int:
    from pathlib import Path

    from toolkit.routing import planfile
    from toolkit.routing.inputs import plan_inputs
    from toolkit.routing.plan import build_plan

    gateway = args.gateway or reg.settings.routes.gateway
    if not gateway:
        from toolkit.errors import ValidationError
        raise ValidationError("no gateway given", rule="O3", fix="pass --gateway IP or set [routes] gateway")
    inputs = plan_inputs(reg, gateway, args.dns_endpoint, args.obs_cidr, args.extra, _existing(args))
    plan = build_plan(inputs)
    if args.out:
        planfile.save(plan, Path(args.out))
        out.note(f"plan written to {args.out}")
    out.emit(plan_dict(plan), plan_text(plan))
    return 1 if plan.errors else 0


def _existing(args):
    from toolkit.routing import host

    if args.existing:
        return host.read_file(args.existing)
    if args.from_host:
        return host.from_host(args.netns)
    return None


def cmd_routes_render(reg, args, out) -> int:
    from toolkit.routing import planfile
    from toolkit.routing.render import render

    text = render(planfile.load(args.plan), args.format)
    out.emit({"format": args.format, "text": text}, text.rstrip("\n"))
    return 0


def cmd_routes_apply(reg, args, out) -> int:
    from toolkit.routing.apply import apply_plan

    with deferred_signals() as caught:
        plan, backend = _open(args, change=not args.dry_run)
        try:
            diff = apply_plan(backend, plan, dry_run=args.dry_run, prune=args.prune, stop=caught.get)
        finally:
            backend.close()
        return _applied(args, diff, out)


def _applied(args, diff, out) -> int:
    pruned = diff.extra if args.prune else []
    verb = "would change" if args.dry_run else "changed"
    changes = [c.text() for c in diff.changes] + [f"- {r.dst} via {r.via} proto {r.proto}" for r in pruned]
    summary = (f"{verb} {len(changes)}, unchanged {len(diff.unchanged)}" if changes
               else f"unchanged: all {len(diff.unchanged)} route(s) already in place")
    kept = [] if args.prune else [f"  extra (kept; --prune deletes): {r.dst} via {r.via}" for r in diff.extra]
    out.emit({"dry_run": args.dry_run, "changed": 0 if args.dry_run else len(changes), **diff.to_dict()},
             "\n".join(changes + kept + [summary]))
    return 0


def cmd_routes_remove(reg, args, out) -> int:
    from toolkit.routing.apply import remove_plan

    with deferred_signals() as caught:
        plan, backend = _open(args, change=not args.dry_run)
        try:
            changes = remove_plan(backend, plan, dry_run=args.dry_run, stop=caught.get)
        finally:
            backend.close()
        verb = "would remove" if args.dry_run else "removed"
        legacy = sum(1 for c in changes if c.proto != plan.proto)
        also = f" ({legacy} of them with proto 99, an older vpcep's mark)" if legacy else ""
        out.emit({"dry_run": args.dry_run, "removed": [{"dst": c.dst, "via": c.via, "proto": c.proto} for c in changes]},
                 "\n".join([c.text() for c in changes] + [f"{verb} {len(changes)} route(s) with proto {plan.proto}{also}"]))
        return 0


class deferred_signals:  # noqa: N801 — used as a context manager, named for what it does
    """SIGINT and SIGTERM only noted while a route change runs (and during its rollback): `get()` gives the
    first one's number (0: none), which the change looks at between batches; the old handlers come back after,
    unless a signal came: then the command is ending and later ones are ignored."""

    SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self) -> None:
        self.signum = 0
        self._old: dict = {}

    def get(self) -> int:
        return self.signum

    def _note(self, signum, _frame) -> None:
        self.signum = self.signum or signum

    def __enter__(self) -> "deferred_signals":
        import signal
        for name in self.SIGNALS:
            number = getattr(signal, name)
            self._old[number] = signal.signal(number, self._note)
        return self

    def __exit__(self, *exc) -> None:
        import signal
        for number, handler in self._old.items():  # once stopped, the process is ending with 128 + the signal:
            signal.signal(number, signal.SIG_IGN if self.signum else handler)  # more must not cut the report


def cmd_routes_status(reg, args, out) -> int:
    from toolkit.routing.status import kernel_status, status_dict, status_lines

    plan, backend = _open(args, change=False)
    diff = kernel_status(plan, lambda: backend)
    out.emit(status_dict(diff), "\n".join(status_lines(diff)))
    return 0 if diff.in_sync else 1


def _open(args, change: bool):
    from toolkit.routing import planfile
    from toolkit.routing.apply import IPRouteBackend, require_admin

    plan = planfile.load(args.plan)
    if change:
        require_admin()
    return plan, IPRouteBackend(args.netns)


def plan_text(plan) -> str:
    from toolkit.cli.output import table
    from toolkit.routing.render import resolver_line

    parts = [table(["destination", "via", "purpose", "rule"], [[r.dst, r.via, r.purpose, r.rule] for r in plan.routes]),
             "\n" + resolver_line(plan)]
    if plan.inbound:
        parts.append("\n" + table(["service", "backend", "allow inbound", "port", "recorded"],
                                  [[i.service, i.server_type, i.cidr, i.port, i.recorded] for i in plan.inbound]))
    parts += [f"{f.severity:7} [{f.rule}] {f.message}{': ' + f.fix if f.fix else ''}" for f in plan.findings]
    return "\n".join(parts)
