"""Gathers the planner's inputs from the registry and settings (the only routing module that reads the state)."""

from __future__ import annotations

from toolkit.model.endpoint import EndpointStatus
from toolkit.model.rules import RuleAction, RuleKind
from toolkit.model.service import ServiceType
from toolkit.routing.plan import EndpointInfo, HostRoute, PlanInputs, ServiceInfo, VpcInfo
from toolkit.routing.protos import require_unassigned
from toolkit.routing.source import PlanSource


def plan_inputs(reg: PlanSource, gateway: str, dns_endpoints: list[str] = (), obs_cidr: str | None = None,
                extra: list[str] = (), existing: list[HostRoute] | None = None) -> PlanInputs:
    """PlanInputs for the acting account: DNS endpoints default to its accepted DNS-service endpoints (O1)."""
    settings, ident = reg.settings, reg.identity
    accepted = tuple(endpoints(reg))
    return PlanInputs(
        gateway=gateway, proto=require_unassigned(settings.routes.proto, "setting [routes] proto"), region=ident.region, domain=ident.domain,
        dns_endpoints=tuple(dns_endpoints) or tuple(e.ip for e in accepted if e.kind == "dns"), endpoints=accepted,
        obs_cidr=obs_cidr or settings.obs.cidr, extra=tuple(extra),
        source_cidr=settings.routes.endpoint_source_cidr, vpcs=tuple(vpcs(reg)), services=tuple(services(reg)),
        private_zones=tuple(private_zones(reg)), existing=None if existing is None else tuple(existing))


def endpoints(reg: PlanSource) -> list[EndpointInfo]:
    """The acting account's accepted endpoints: interface ones with their subnet's CIDR (E4), OBS ones (O1)."""
    builtin = {s.id: s.short_name for s in reg.list_services() if s.builtin}
    subnets = {s.id: s.cidr for s in reg.list_subnets()}
    found = []
    for e in reg.list_endpoints():
        kind = _kind(e, builtin.get(e.endpoint_service_id))
        if e.status == EndpointStatus.ACCEPTED and kind:
            subnet = "" if kind == "obs" else subnets.get(e.subnet_id or "", f"{e.ip}/32")
            found.append(EndpointInfo(e.id, kind, e.vpc_id, subnet, e.ip or ""))
    return found


def _kind(endpoint, builtin_name: str | None) -> str:
    """obs, dns or interface; "" for what no route leads to (a gateway endpoint of another service, no ip)."""
    if endpoint.service_type == ServiceType.GATEWAY:
        return "obs" if builtin_name == "obs" else ""
    if not endpoint.ip:
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
    zones = [record.name.split(".", 1)[1] for record in reg.private_records() if "." in record.name]
    return list(dict.fromkeys(zones)) or [template_zone(reg.settings.dns.name_template, reg.identity)]


def template_zone(template: str, ident) -> str:
    """`{endpoint_id}.vpcep.{region}.{domain}` → `vpcep.<region>.<domain>`: the labels after the last placeholder label."""
    labels = template.split(".")
    tail = [label for i, label in enumerate(labels) if all("{" not in x or x in ("{region}", "{domain}")
                                                         for x in labels[i:])]
    return ".".join(tail).format(region=ident.region, domain=ident.domain).strip(".").lower()
