"""The route plan's names and shapes every front end shares: the renderer names and the plan as JSON.

Imports nothing heavy, so `vpcep --help` (which lists the formats) stays fast."""

from __future__ import annotations

FORMAT_NAMES = ("linux", "windows", "bind", "bind-options", "bind-global", "unbound", "dnsmasq", "coredns", "resolv")
"""The renderers of toolkit.routing.render, in the order the CLI and the TUI offer them."""


def plan_dict(plan) -> dict:
    """A plan as `routes plan --json` prints it (and the TUI copies or shows it)."""
    return {"gateway": plan.gateway, "proto": plan.proto, "region": plan.region, "domain": plan.domain,
            "routes": [{"dst": r.dst, "via": r.via, "purpose": r.purpose, "rule": r.rule} for r in plan.routes],
            "dns": {"forwarders": list(plan.forwarders), "zones": list(plan.zones)},
            "inbound": [{"service": i.service, "server_type": i.server_type, "cidr": i.cidr, "port": i.port,
                         "recorded": i.recorded} for i in plan.inbound],
            "findings": [{"severity": f.severity, "rule": f.rule, "message": f.message, "fix": f.fix}
                         for f in plan.findings]}
