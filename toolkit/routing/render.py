"""Renders a plan as the text each on-prem system takes: ip, route.exe, BIND, Unbound, dnsmasq, CoreDNS, resolv.conf."""

from __future__ import annotations

from netaddr import IPNetwork

from toolkit.errors import ValidationError
from toolkit.routing.plan import Plan


def linux(plan: Plan) -> str:
    """`ip route replace` lines carrying the toolkit's protocol number (O3, O4)."""
    lines = [f"# vpcep routes via {plan.gateway}; proto {plan.proto} marks them as the toolkit's"]
    lines += [f"ip route replace {r.dst} via {r.via} proto {plan.proto}  # {r.rule} {r.purpose}" for r in plan.routes]
    return "\n".join(lines) + "\n"


def windows(plan: Plan) -> str:
    """`route -p add <net> mask <dotted> <gw>`, as the seed writes them (O3, O4)."""
    lines = [f"REM vpcep routes via {plan.gateway} (run in an elevated prompt)"]
    for route in plan.routes:
        net = IPNetwork(route.dst)
        lines.append(f"route -p add {net.network} mask {net.netmask} {route.via}")
    return "\r\n".join(lines) + "\r\n"


def bind(plan: Plan) -> str:
    """A forward zone per name, nothing else: a fragment to `include` beside the admin's own `options` (O2)."""
    _need_forwarding(plan)
    lines = ["// vpcep: forward OBS and private endpoint names to the DNS endpoint (SPEC O2)",
             '// include it at the top level of named.conf: include "/etc/bind/vpcep-zones.conf";',
             "// with DNSSEC validation on, also use --format bind-options inside your options { }"]
    lines += [f'zone "{zone}" {{ type forward; forward only; forwarders {{ {_ips(plan)} }}; }};' for zone in plan.zones]
    return "\n".join(lines) + "\n"


def bind_options(plan: Plan) -> str:
    """Statements for inside the admin's `options { }`: no DNSSEC validation for the private names (O2)."""
    _need_forwarding(plan)
    quoted = " ".join(f'"{zone}";' for zone in plan.zones)
    return ("// vpcep: the forwarded names are private (unsigned): do not DNSSEC-validate them (SPEC O2)\n"
            "// paste inside the options { } block of named.conf, or include it there:\n"
            '//   options { directory "/var/cache/bind"; include "/etc/bind/vpcep-options.conf"; };\n'
            f"validate-except {{ {quoted} }};\n")


def bind_global(plan: Plan) -> str:
    """The seed's form: every name goes to the DNS endpoint (O2)."""
    _need_forwarding(plan)
    return ("// vpcep: all names via the DNS endpoint (SPEC O2)\n"
            f"options {{\n\tforward only;\n\tforwarders {{ {_ips(plan)} }};\n}};\n")


def unbound(plan: Plan) -> str:
    """forward-zone per name, domain-insecure (no DNSSEC for them) and private-domain (private answers allowed)."""
    _need_forwarding(plan)
    lines = ["# vpcep: forward OBS and private endpoint names to the DNS endpoint (SPEC O2)", "server:"]
    for zone in plan.zones:
        lines += [f'\tdomain-insecure: "{zone}"', f'\tprivate-domain: "{zone}"']
    for zone in plan.zones:
        lines += ["forward-zone:", f'\tname: "{zone}"'] + [f"\tforward-addr: {ip}" for ip in plan.forwarders]
    return "\n".join(lines) + "\n"


def dnsmasq(plan: Plan) -> str:
    """server=/zone/ip plus rebind-domain-ok, without which stop-dns-rebind drops the endpoints' private answers."""
    _need_forwarding(plan)
    lines = ["# vpcep: forward OBS and private endpoint names to the DNS endpoint (SPEC O2)",
             "# rebind-domain-ok: stop-dns-rebind drops RFC 1918 answers (the endpoints' names) and, in builds",
             "# that count 100.64.0.0/10 as private, every OBS answer"]
    lines += [f"server=/{zone}/{ip}" for zone in plan.zones for ip in plan.forwarders]
    lines.append("rebind-domain-ok=/" + "/".join(plan.zones) + "/")
    return "\n".join(lines) + "\n"


def coredns(plan: Plan) -> str:
    """A Corefile server block forwarding the names to the DNS endpoint."""
    _need_forwarding(plan)
    return (f"# vpcep: forward OBS and private endpoint names to the DNS endpoint (SPEC O2)\n"
            f"{' '.join(plan.zones)} {{\n\tforward . {' '.join(plan.forwarders)}\n\terrors\n}}\n")


def resolv(plan: Plan) -> str:
    """/etc/resolv.conf for a host without a local DNS server (O2)."""
    _need_forwarding(plan)
    lines = ["# vpcep: the DNS endpoint as this host's resolver (SPEC O2)"]
    lines += [f"nameserver {ip}" for ip in plan.forwarders[:3]]
    return "\n".join(lines) + "\n"


FORMATS = {"linux": linux, "windows": windows, "bind": bind, "bind-options": bind_options, "bind-global": bind_global,
           "unbound": unbound, "dnsmasq": dnsmasq, "coredns": coredns, "resolv": resolv}


def resolver_line(plan: Plan) -> str:
    """One line for people (CLI, TUI): what resolvers forward where (O2); without a DNS endpoint, say so (O1)."""
    zones = ", ".join(plan.zones) or "no zone"
    if not plan.forwarders:
        return f"resolvers: no DNS endpoint, so {zones} cannot be forwarded (O1)"
    return f"resolvers forward {zones} to {', '.join(plan.forwarders)} (O2)"


def render(plan: Plan, fmt: str) -> str:
    """The plan in format `fmt` (one of FORMATS)."""
    try:
        return FORMATS[fmt](plan)
    except KeyError:
        raise ValidationError(f"unknown format {fmt!r}", rule="O2", fix=f"use one of {', '.join(FORMATS)}") from None


def _ips(plan: Plan) -> str:
    return " ".join(f"{ip};" for ip in plan.forwarders)


def _need_forwarding(plan: Plan) -> None:
    if not plan.forwarders or not plan.zones:
        raise ValidationError("the plan has no DNS endpoint or no zone to forward", rule="O1",
                              fix="create an endpoint to the DNS service (O1) and plan again, or pass --dns-endpoint")
