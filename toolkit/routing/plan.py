"""Builds a route plan and its findings from plain inputs: pure, no I/O (SPEC O1–O5, S11, S15)."""

from __future__ import annotations

from dataclasses import dataclass, field

from netaddr import AddrFormatError, IPAddress, IPNetwork, cidr_merge

from toolkit.errors import ValidationError
from toolkit.routing.protos import DEFAULT as DEFAULT_PROTO
from toolkit.routing.ranges import explain

SEVERITIES = ("error", "warning", "info")
MAX_FORWARDERS = 3
"""DNS endpoints the resolvers forward to by default (glibc's resolv.conf reads at most 3 nameservers)."""


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    """One route the on-prem host needs: `dst` via the VPN / Direct Connect gateway."""

    dst: str
    via: str
    purpose: str
    """dns-endpoint (O3), obs (O4), endpoint (the subnets of interface endpoints, O6) or extra (a VPC range, O5)."""
    rule: str


@dataclass(frozen=True, slots=True)
class InboundRule:
    """S15: what a service's backend must allow from the endpoint source range."""

    service: str
    server_type: str
    cidr: str
    port: int
    recorded: bool
    """True when a recorded sg rule already allows it."""

    @property
    def spec(self) -> str:
        return f"sg:{self.cidr}:{self.port}"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the admin should know before applying, with the rule and the fix."""

    severity: str
    rule: str
    message: str
    fix: str = ""


@dataclass(frozen=True, slots=True)
class HostRoute:
    """A route that already exists on the on-prem host (from `ip route` or netlink)."""

    dst: str
    via: str = ""
    dev: str = ""
    proto: str = ""
    scope: str = ""

    @property
    def connected(self) -> bool:
        """A directly attached network (no next hop, link scope or kernel-made)."""
        return not self.via and (self.scope == "link" or self.proto == "kernel")


@dataclass(frozen=True, slots=True)
class VpcInfo:
    name: str
    cidr: str
    subnets: tuple[tuple[str, str], ...] = ()
    """(name, cidr) of each subnet."""
    routes: tuple[str, ...] = ()
    """Destinations of the VPC's custom routes."""


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    name: str
    server_type: str
    server_ports: tuple[int, ...]
    allowed: tuple[tuple[str, int, int], ...] = ()
    """(cidr, port_min, port_max) of each recorded `sg` allow rule."""


@dataclass(frozen=True, slots=True)
class EndpointInfo:
    """An accepted endpoint of the acting account, as far as routes and O1 care."""

    id: str
    kind: str
    """dns (an interface endpoint of the DNS cloud service), obs (the OBS gateway endpoint) or interface."""
    vpc: str = ""
    subnet: str = ""
    """An interface endpoint's subnet CIDR (its ip as a /32 when the subnet is not known); "" for obs."""
    ip: str = ""


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """Everything the planner reads; built from the registry and settings elsewhere."""

    gateway: str
    proto: int = DEFAULT_PROTO
    region: str = ""
    domain: str = ""
    dns_endpoints: tuple[str, ...] = ()
    obs_cidr: str = "100.125.0.0/16"
    extra: tuple[str, ...] = ()
    source_cidr: str = "198.19.128.0/17"
    vpcs: tuple[VpcInfo, ...] = ()
    services: tuple[ServiceInfo, ...] = ()
    private_zones: tuple[str, ...] = ()
    existing: tuple[HostRoute, ...] | None = None
    """None when the host's routes were not given (no --existing / --from-host)."""
    endpoints: tuple[EndpointInfo, ...] | None = None
    """The accepted endpoints; None when the inventory was not read (then only a missing DNS endpoint is told)."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Routes, resolver forwarding and backend rules for one on-prem site."""

    gateway: str
    proto: int
    routes: tuple[PlannedRoute, ...]
    forwarders: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    """Names forwarded to the DNS endpoint: the OBS zone first, then the private zones."""
    inbound: tuple[InboundRule, ...] = ()
    findings: tuple[Finding, ...] = ()
    region: str = ""
    domain: str = ""
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def obs_zone(self) -> str:
        return self.zones[0] if self.zones else ""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def build_plan(inputs: PlanInputs) -> Plan:
    """The plan for `inputs`: routes, forwarding, inbound rules and every finding."""
    gateway = str(address(inputs.gateway, "O3"))
    routes = planned_routes(inputs, gateway)
    zones = tuple(dict.fromkeys(z for z in (obs_zone(inputs.region, inputs.domain), *inputs.private_zones) if z))
    return Plan(gateway=gateway, proto=inputs.proto, routes=routes, forwarders=tuple(inputs.dns_endpoints),
                zones=zones, inbound=inbound_rules(inputs), findings=findings(inputs, routes),
                region=inputs.region, domain=inputs.domain)


def obs_zone(region: str, domain: str) -> str:
    """O2: the OBS names forwarded to the DNS endpoint: obs.<region>.<domain> and every bucket under it."""
    return f"obs.{region}.{domain}".lower() if region and domain else ""


def planned_routes(inputs: PlanInputs, gateway: str) -> tuple[PlannedRoute, ...]:
    """O3 host routes to the DNS endpoints, O4 the OBS range, the endpoint subnets, then the extra VPC ranges.

    A DNS endpoint /32 stays even inside an endpoint subnet: it is the O3 route, the one the resolvers need.
    """
    routes = [PlannedRoute(f"{address(ip, 'O3')}/32", gateway, "dns-endpoint", "O3") for ip in inputs.dns_endpoints]
    routes.append(PlannedRoute(str(network(inputs.obs_cidr, "O4")), gateway, "obs", "O4"))
    routes += [PlannedRoute(str(net), gateway, "endpoint", "O6") for net in endpoint_networks(inputs)]
    routes += [PlannedRoute(str(network(cidr, "O5")), gateway, "extra", "O5") for cidr in inputs.extra]
    unique: dict[str, PlannedRoute] = {}
    for route in routes:
        unique.setdefault(route.dst, route)
    return tuple(unique.values())


def endpoint_networks(inputs: PlanInputs) -> list[IPNetwork]:
    """The subnets of the accepted interface endpoints, aggregated (adjacent and nested ones merged)."""
    subnets = dict.fromkeys(e.subnet for e in inputs.endpoints or () if e.kind != "obs" and e.subnet)
    return cidr_merge([network(subnet, "O6") for subnet in subnets])  # each distinct subnet parsed once


def inbound_rules(inputs: PlanInputs) -> tuple[InboundRule, ...]:
    """S15: 198.19.128.0/17 on every server port of every service, marked when already recorded."""
    source = IPNetwork(inputs.source_cidr)
    return tuple(InboundRule(svc.name, svc.server_type, str(source), port, _allowed(svc, source, port))
                 for svc in inputs.services for port in svc.server_ports)


def _allowed(service: ServiceInfo, source: IPNetwork, port: int) -> bool:
    return any(source in IPNetwork(cidr) and low <= port <= high for cidr, low, high in service.allowed)


def findings(inputs: PlanInputs, routes: tuple[PlannedRoute, ...]) -> tuple[Finding, ...]:
    """Every finding, errors first."""
    found = [*source_range_findings(inputs, routes), *host_findings(inputs, routes), *gateway_findings(inputs),
             *endpoint_findings(inputs), *backend_findings(inputs), *range_notes(inputs), advertise_note(inputs, routes)]
    return tuple(sorted(found, key=lambda f: SEVERITIES.index(f.severity)))


def source_range_findings(inputs: PlanInputs, routes) -> list[Finding]:
    """S11: nothing in the VPCs and nothing we route may fall in 198.19.128.0/17."""
    source = IPNetwork(inputs.source_cidr)
    fix_subnet = f"move the subnet outside {source}"
    found = [Finding("error", "S11", f"subnet {name} ({cidr}) of VPC {vpc.name} overlaps {source}", fix_subnet)
             for vpc in inputs.vpcs for name, cidr in vpc.subnets if _overlap(cidr, source)]
    found += [Finding("error", "S11", f"VPC {vpc.name} has a custom route to {dst}, inside {source}",
                      f"delete it: `vpcep vpc routes {vpc.name} --remove {dst}`")
              for vpc in inputs.vpcs for dst in vpc.routes if IPNetwork(dst) in source]  # wider routes lose to it
    found += [Finding("warning", "S11", f"VPC {vpc.name} ({vpc.cidr}) overlaps {source}",
                      "keep every subnet of it outside that range") for vpc in inputs.vpcs if _overlap(vpc.cidr, source)]
    found += [Finding("error", "S11", f"planned route {r.dst} overlaps {source}, the endpoint source range",
                      "drop it from --extra" if r.purpose == "extra" else fix_subnet)
              for r in routes if _overlap(r.dst, source)]
    return found


def host_findings(inputs: PlanInputs, routes) -> list[Finding]:
    """On-prem networks that clash with a planned route, the OBS range, 198.19.128.0/17 or a VPC."""
    if inputs.existing is None:
        return []
    found: list[Finding] = []
    for host in inputs.existing:
        if host.proto != str(inputs.proto) and IPNetwork(host.dst).prefixlen > 0:
            found += _clash(host, inputs, routes)
    return found


def _clash(host: HostRoute, inputs: PlanInputs, routes) -> list[Finding]:
    net = IPNetwork(host.dst)
    for route in routes:
        planned = IPNetwork(route.dst)
        if net == planned:
            return [Finding("error", route.rule, f"{_what(host)} to {host.dst} already exists and is not the toolkit's",
                            "delete it (apply refuses to replace a route it does not own) or drop it from the plan")]
        if net in planned and host.via and host.via != route.via:
            return [Finding("warning", route.rule, f"{_what(host)} to {host.dst} is more specific than the planned "
                            f"{route.dst} and would shadow it", f"delete it or route it via {route.via} too")]
    return _overlaps(host, inputs)


def _overlaps(host: HostRoute, inputs: PlanInputs) -> list[Finding]:
    targets = [(inputs.obs_cidr, "O4", "the OBS range"), (inputs.source_cidr, "S11", "the endpoint source range")]
    targets += [(vpc.cidr, "O5", f"VPC {vpc.name}") for vpc in inputs.vpcs]
    return [Finding("error" if rule != "S11" else "warning", rule,
                    f"on-prem network {host.dst} overlaps {cidr}, {name}",
                    "renumber the on-prem network or keep it out of the plan")
            for cidr, rule, name in targets if _overlap(host.dst, IPNetwork(cidr))]


def _what(host: HostRoute) -> str:
    via = f" via {host.via}" if host.via else ""
    return f"an existing route{via}{f' dev {host.dev}' if host.dev else ''}"


def gateway_findings(inputs: PlanInputs) -> list[Finding]:
    """O3: the gateway must sit on a network this host is attached to."""
    if inputs.existing is None:
        return []
    connected = [h.dst for h in inputs.existing if h.connected]
    if any(IPAddress(inputs.gateway) in IPNetwork(cidr) for cidr in connected):
        return []
    return [Finding("error", "O3", f"gateway {inputs.gateway} is not on any connected network "
                    f"({', '.join(connected) or 'none'})",
                    "give the VPN / Direct Connect gateway's address on a local network")]


def endpoint_findings(inputs: PlanInputs) -> list[Finding]:
    """O1: on-prem OBS access needs a DNS-service endpoint and an OBS gateway endpoint in one VPC."""
    found = [forwarders_note(inputs)] if _unused_dns(inputs) else []
    found += [] if inputs.dns_endpoints else [
        Finding("warning", "O1", "no DNS endpoint (no accepted endpoint of the DNS service): resolvers have nothing "
                "to forward the OBS and private names to", "`vpcep endpoint create --service dns --vpc VPC` (the OBS "
                "endpoint's VPC), or pass --dns-endpoint IP")]
    return found + ([] if inputs.endpoints is None else _obs_findings(inputs.endpoints, inputs.obs_cidr))


def _unused_dns(inputs: PlanInputs) -> int:
    """Accepted DNS-service endpoints the resolvers do not forward to."""
    forwarders = set(inputs.dns_endpoints)
    return sum(1 for e in inputs.endpoints or () if e.kind == "dns" and e.ip not in forwarders)


def forwarders_note(inputs: PlanInputs) -> Finding:
    """O2/O3: resolvers forward to MAX_FORWARDERS DNS endpoints; the rest are reached by their subnet routes."""
    return Finding("info", "O2", f"{_unused_dns(inputs)} more DNS endpoint(s) are not forwarded to: resolvers take "
                   f"{MAX_FORWARDERS} (resolv.conf reads no more), each with its O3 host route; the others are "
                   "reached through their subnet routes", "pass --dns-endpoint IP (repeatable) to choose them")


def _obs_findings(endpoints: tuple[EndpointInfo, ...], obs_cidr: str) -> list[Finding]:
    obs = {e.vpc for e in endpoints if e.kind == "obs"}
    dns = {e.vpc for e in endpoints if e.kind == "dns"}
    if not obs:
        return [Finding("warning", "O1", f"no OBS gateway endpoint: traffic to the OBS range {obs_cidr} has no way "
                        "into the VPC", "`vpcep endpoint create --service obs --vpc VPC` (the DNS endpoint's VPC)")]
    if dns and not obs & dns:
        return [Finding("warning", "O1", "the DNS endpoint and the OBS gateway endpoint are in different VPCs",
                        "create both in the one VPC the VPN / Direct Connect reaches")]
    return []


def advertise_note(inputs: PlanInputs, routes) -> Finding:
    """O5: the planned ranges are reachable only if the VPC side of the VPN / Direct Connect carries them."""
    subnets = [r.dst for r in routes if r.purpose == "endpoint"]
    extra = [r.dst for r in routes if r.purpose == "extra"]
    also = (f", the endpoint subnets {', '.join(subnets)}" if subnets else "") + \
        (f", the VPC ranges {', '.join(extra)}" if extra else "")
    return Finding("info", "O5", f"the VPN / Direct Connect side must carry (advertise) the OBS range "
                   f"{network(inputs.obs_cidr, 'O4')}{also}",
                   "list these in the VPC side's advertised networks (VPN remote subnets / Direct Connect routes)")


def backend_findings(inputs: PlanInputs) -> list[Finding]:
    """S15: every server port must allow the endpoint source range."""
    found = [Finding("warning", "S15", f"service {rule.service}: no recorded rule allows {rule.cidr} on port {rule.port}",
                     f"allow it on the backend, then `vpcep service rules {rule.service} --add {rule.spec}`")
             for rule in inbound_rules(inputs) if not rule.recorded]
    found += [Finding("info", "S15", f"service {svc.name} is LB-backed: its backend sees {inputs.source_cidr}, "
                      "not the client's real IP", "allow the range on the listener's access control too (F3)")
              for svc in inputs.services if svc.server_type == "LB"]
    return found


def range_notes(inputs: PlanInputs) -> list[Finding]:
    """Where the two special ranges lie, explicitly (ipaddress misclassifies both)."""
    return [Finding("info", "O4", explain(inputs.obs_cidr) + "; on-prem networks must not use it", ""),
            Finding("info", "S11", explain(inputs.source_cidr) + "; backends see endpoint traffic from it", "")]


def _overlap(cidr: str, other: IPNetwork) -> bool:
    net = IPNetwork(cidr)
    return net.first <= other.last and other.first <= net.last


def address(text: str, rule: str) -> IPAddress:
    """An IPv4 address, or ValidationError naming `rule`."""
    try:
        ip = IPAddress(str(text).strip())
    except (AddrFormatError, ValueError, TypeError):
        raise ValidationError(f"{text!r} is not an IPv4 address", rule=rule, fix="give an address such as 10.0.0.1") from None
    if ip.version != 4:
        raise ValidationError(f"{text} is not IPv4", rule=rule, fix="routes are IPv4 only")
    return ip


def network(text: str, rule: str) -> IPNetwork:
    """An IPv4 CIDR with its host bits zero (a bare address is a /32), or ValidationError."""
    try:
        net = IPNetwork(str(text).strip())
    except (AddrFormatError, ValueError, TypeError):
        raise ValidationError(f"{text!r} is not an IPv4 network", rule=rule, fix="give a CIDR such as 10.0.0.0/16") from None
    if net.version != 4 or net.ip != net.network:
        raise ValidationError(f"{text} is not an IPv4 network (host bits set?)", rule=rule,
                              fix=f"did you mean {net.cidr}?")
    return net.cidr
