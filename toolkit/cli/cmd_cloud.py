"""`vpcep cloud pull|status`: mirror a VPCEP account into the state through the official SDK (SPEC §8)."""

from __future__ import annotations

import random
import time
from dataclasses import replace


def add_commands(b) -> None:
    group = b.noun("cloud", "mirror a cloud account into the state through the official SDK",
                   module="toolkit.cli.cmd_cloud")
    p = b.verb(group, "pull", "read the account into the state in one transaction (C1); failure changes nothing")
    p.add_argument("--endpoint", metavar="URL", help="the VPCEP API (default: [cloud] endpoint)")
    p.add_argument("--region", metavar="R", help="default: [cloud] region, else the endpoint's host name")
    p.add_argument("--project-id", metavar="P", help="default: [cloud] project_id, else asked of IAM for the region")
    p.add_argument("--account", metavar="DOMAIN_ID", help="default: [cloud] account, else what the cloud reports")
    p.add_argument("--domain", metavar="D", help="the DNS domain of a new state (default: [cloud] domain)")
    p.add_argument("--credentials-file", metavar="FILE", help="default: [cloud] credentials_file")
    p.add_argument("--ca-file", metavar="FILE", help="trust this CA for https (default: [cloud] ca_file)")
    p.add_argument("--no-verify-tls", action="store_true", help="do not check the https certificate")
    p.add_argument("--watch", type=float, metavar="SECONDS", help="pull again every SECONDS (with jitter) until ^C")
    b.verb(group, "status", "the mirrored account, the last pull, and what is local-only")


def cloud_settings(settings, args):
    """[cloud] settings with the command's flags on top."""
    flags = {"endpoint": args.endpoint, "region": args.region, "project_id": args.project_id,
             "account": args.account, "domain": args.domain, "credentials_file": args.credentials_file,
             "ca_file": args.ca_file}
    cloud = replace(settings.cloud, **{k: v for k, v in flags.items() if v})
    return replace(cloud, verify_tls=False) if args.no_verify_tls else cloud


def connect(settings, args=None):
    """The Cloud client for these settings (credentials from the SDK's variables or the file)."""
    from toolkit.cloud.client import connect as cloud_connect

    return cloud_connect(cloud_settings(settings, args) if args is not None else settings.cloud)


def cmd_cloud_pull(reg, args, out) -> int:
    lazy, existed = reg, reg.settings.state.exists()
    cloud = connect(lazy.settings, args)  # settings and credentials first: a bad one creates no state
    reg = lazy.view(replace(lazy.settings, cloud=cloud_settings(lazy.settings, args)))
    if args.watch is not None:
        return _watch(reg, cloud, args.watch, out)
    try:
        result = reg.cloud_pull(cloud)
    except BaseException:
        if not existed:  # C3: a state this pull created goes again
            lazy.close()
            for suffix in ("", "-wal", "-shm", ".cloud-error.json"):
                lazy.settings.state.with_name(lazy.settings.state.name + suffix).unlink(missing_ok=True)
        raise
    out.emit(result.to_dict(), _summary(reg, result))
    return 0


def _watch(reg, cloud, every: float, out) -> int:
    from toolkit.errors import CloudError

    if every <= 0:
        from toolkit.errors import UsageError
        raise UsageError("--watch needs a number of seconds above 0", fix="e.g. --watch 60")
    try:
        while True:
            try:
                result = reg.cloud_pull(cloud)
                if result.changed_anything:
                    out.emit(result.to_dict(), f"{time.strftime('%H:%M:%S')} {_summary(reg, result).splitlines()[0]}")
            except CloudError as exc:
                out.note(f"error: {exc}")
            time.sleep(every * (0.9 + 0.2 * random.random()))
    except KeyboardInterrupt:
        out.note("stopped watching")
        return 0


def _summary(reg, result) -> str:
    from toolkit.cli.output import table

    line = (f"pulled {reg.settings.cloud.endpoint or 'the cloud'}: added {result.count('added')}, "
            f"changed {result.count('changed')}, removed {result.count('removed')}")
    rows = [[kind, c["added"], c["changed"], c["removed"]] for kind, c in result.by_kind.items() if any(c.values())]
    return line + ("\n" + table(["kind", "added", "changed", "removed"], rows) if rows else "")


def cmd_cloud_status(reg, args, out) -> int:
    from toolkit.cli.output import fields, table

    status = reg.cloud_status()
    last = status["last_pull"] or {}
    error = last.get("error") or {}
    pairs = [("Endpoint", last.get("endpoint") or reg.settings.cloud.endpoint or "-"),
             ("Account", last.get("account") or "-"), ("Project", last.get("project_id") or "-"),
             ("Last pull", last.get("at") or "never"),
             ("Changes", f"added {last.get('added', 0)}, changed {last.get('changed', 0)}, "
                         f"removed {last.get('removed', 0)}" if last.get("at") else "-"),
             ("Last error", f"{error['at']} {error['message']}" if error else "-")]
    rows = [[kind, status["mirrored"][kind], status["local_only"][kind]] for kind in status["mirrored"]]
    out.emit(status, fields(pairs) + "\n\n" + table(["kind", "mirrored", "local-only"], rows))
    return 0
