"""Gathers the planner's inputs from the registry and settings (the only routing module that reads the state)."""

from __future__ import annotations

from toolkit.model.rules import RuleAction, RuleKind
from toolkit.routing.plan import MAX_FORWARDERS, EndpointInfo, HostRoute, PlanInputs, ServiceInfo, VpcInfo
from toolkit.routing.protos import require_unassigned
from toolkit.routing.source import PlanSource


def plan_inputs(reg: PlanSource, gateway: str, dns_endpoints: list[str] = (), obs_cidr: str | None = None,
                extra: list[str] = (), existing: list[HostRoute] | None = None) -> PlanInputs:
    """PlanInputs for the acting account: DNS endpoints default to its accepted DNS-service endpoints (O1)."""
    settings, ident = reg.settings, reg.identity
    accepted = tuple(endpoints(reg))
    return PlanInputs(
        gateway=gateway, proto=require_unassigned(settings.routes.proto, "setting [routes] proto"), region=ident.region, domain=ident.domain,
        dns_endpoints=tuple(dns_endpoints) or default_forwarders(accepted), endpoints=accepted,
        obs_cidr=obs_cidr or settings.obs.cidr, extra=tuple(extra),
        source_cidr=settings.routes.endpoint_source_cidr, vpcs=tuple(vpcs(reg)), services=tuple(services(reg)),
        private_zones=tuple(private_zones(reg)), existing=None if existing is None else tuple(existing))


def default_forwarders(accepted: list[EndpointInfo]) -> tuple[str, ...]:
    """O2: the first MAX_FORWARDERS accepted DNS-service endpoints, those in an OBS endpoint's VPC first (O1)."""
    obs_vpcs = {e.vpc for e in accepted if e.kind == "obs"}
    dns = sorted((e for e in accepted if e.kind == "dns"), key=lambda e: e.vpc not in obs_vpcs)  # stable
    return tuple(e.ip for e in dns[:MAX_FORWARDERS])


def endpoints(reg: PlanSource) -> list[EndpointInfo]:
    """The acting account's accepted endpoints: interface ones with their subnet's CIDR (E4), OBS ones (O1)."""
    builtin = {s.id: s.short_name for s in reg.list_services() if s.builtin}
    subnets = {s.id: s.cidr for s in reg.list_subnets()}
    found = []
    for endpoint_id, service_id, vpc_id, subnet_id, ip in reg.endpoint_placements():
        if kind := _kind(ip, builtin.get(service_id)):
            subnet = "" if kind == "obs" else subnets.get(subnet_id, f"{ip}/32")
            found.append(EndpointInfo(endpoint_id, kind, vpc_id, subnet, ip))
    return found


def _kind(ip: str, builtin_name: str | None) -> str:
    """obs, dns or interface; "" for what no route leads to (a gateway endpoint of another service: no ip)."""
    if builtin_name == "obs":  # the built-in OBS service is a gateway one (S2)
        return "obs"
    if not ip:
        return ""
    return "dns" if builtin_name == "dns" else "interface"


def vpcs(reg: PlanSource) -> list[VpcInfo]:
    subnets = reg.list_subnets()
    return [VpcInfo(v.name, v.cidr, tuple((s.name, s.cidr) for s in subnets if s.vpc_id == v.id),
                    tuple(r.destination for r in v.routes)) for v in reg.list_vpcs()]


def services(reg: PlanSource) -> list[ServiceInfo]:
    """The account's own services with their server ports and recorded sg allow rules (S15)."""
    found = []
    for svc in reg.list_services():
        if svc.builtin or svc.domain_id != reg.account:  # list_services also shows whitelisting ones
            continue
        rules = reg.service_rules(svc.id)
        allowed = tuple((r.cidr, r.port_min, r.port_max) for r in rules if r.kind == RuleKind.SG and r.action == RuleAction.ALLOW)
        found.append(ServiceInfo(svc.service_name, svc.server_type or "", tuple(p.server_port for p in svc.ports),
                                 allowed))
    return found


def private_zones(reg: PlanSource) -> list[str]:
    """The parent zone of every private endpoint name (E5), else the one the name template makes."""
    return reg.private_zones() or [template_zone(reg.settings.dns.name_template, reg.identity)]


def template_zone(template: str, ident) -> str:
    """`{endpoint_id}.vpcep.{region}.{domain}` → `vpcep.<region>.<domain>`: the labels after the last placeholder label."""
    labels = template.split(".")
    tail = [label for i, label in enumerate(labels) if all("{" not in x or x in ("{region}", "{domain}")
                                                         for x in labels[i:])]
    return ".".join(tail).format(region=ident.region, domain=ident.domain).strip(".").lower()
