"""The demo builder behind `vpcep demo` and the TUI's demo: the seed's three scenarios in a fresh state."""

from __future__ import annotations

import itertools
import random
import uuid

from toolkit.errors import Conflict
from toolkit.model.rules import parse_rule
from toolkit.model.service import PortMapping
from toolkit.model.tags import Tag
from toolkit.registry import Registry
from toolkit.registry.endpoints import EndpointRequest

PARTNER = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"


def fixed_seams() -> dict:
    """`ids` and `clock` for a registry: seeded UUIDs, and timestamps 37 s apart from 2026-01-15T09:00:00Z.

    A demo built through them is the same on every run (the TUI's snapshots and screenshots)."""
    rng, ticks = random.Random(2026), itertools.count(0)

    def ids() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def clock() -> str:
        minutes, seconds = divmod(next(ticks) * 37, 60)
        return f"2026-01-15T{9 + minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}.000Z"

    return {"ids": ids, "clock": clock}


def build_demo(reg: Registry, region: str | None = None, domain: str | None = None) -> None:
    """Fill an empty state; refuse (exit 1) to touch one that holds anything of the user's.

    One transaction: a demo that fails half-way leaves the state as it found it."""
    with reg.batch("build the demo"):
        if not reg.initialized:
            reg.init(region or reg.settings.identity.region, domain or reg.settings.identity.domain,
                     reg.settings.identity.account)
        _refuse_non_empty(reg)
        same_account_vpcs(reg)
        cross_account_approval(reg)
        on_prem_obs(reg)


def _refuse_non_empty(reg: Registry) -> None:
    own = [s for s in reg.list_services() if not s.builtin]
    if own or reg.list_vpcs() or reg.list_endpoints() or len(reg.list_accounts()) > 1:
        raise Conflict(f"state {reg.state_path} is not empty", rule="V1",
                       fix="give a fresh --state PATH for the demo")


def same_account_vpcs(reg: Registry) -> None:
    """Scenario 1: two VPCs of one account joined through an LB-backed service (approval off)."""
    reg.create_vpc("vpc-provider", "10.1.0.0/16")
    reg.create_subnet("subnet-app", "vpc-provider", "10.1.0.0/24")
    reg.create_vpc("vpc-consumer", "192.168.0.0/16")
    reg.create_subnet("subnet-web", "vpc-consumer", "192.168.1.0/24")
    service, _ = reg.create_service(vpc="vpc-provider", server_type="LB", port_id="elb-port-app01",
                                    ports=[PortMapping(server_port=8080, client_port=80)], name="app",
                                    tags=[Tag("env", "demo")],
                                    description="web app behind an ELB")
    reg.service_rules(service.id, add=[parse_rule("sg:198.19.128.0/17:8080")])
    reg.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-consumer", subnet="subnet-web",
                                        enable_dns=True, tags=(Tag("env", "demo"),), description="consumer"))


def cross_account_approval(reg: Registry) -> None:
    """Scenario 2: a second account's endpoint that needs whitelisting and approval."""
    reg.create_vpc("vpc-shared", "10.2.0.0/16")
    reg.create_subnet("subnet-api", "vpc-shared", "10.2.0.0/24")
    service, _ = reg.create_service(vpc="vpc-shared", server_type="VM", port_id="ecs-port-api01",
                                    ports=[PortMapping(server_port=8443, client_port=443)], name="partner-api",
                                    approval=True,
                                    description="API shared with a partner account")
    reg.service_rules(service.id, add=[parse_rule("sg:198.19.128.0/17:8443")])
    reg.create_account(PARTNER)  # R4: an account is created before anyone acts as it
    reg.whitelist_add(service.id, [f"iam:domain::{PARTNER}"], "partner")
    partner = reg.acting(PARTNER)
    partner.create_vpc("vpc-partner", "172.16.0.0/16")
    partner.create_subnet("subnet-partner", "vpc-partner", "172.16.8.0/24")
    endpoint = partner.create_endpoint(EndpointRequest(service=service.service_name, vpc="vpc-partner",
                                                       enable_dns=True, description="partner access"))
    reg.accept(service.id, [endpoint.id])


def on_prem_obs(reg: Registry) -> None:
    """Scenario 3: on-prem to OBS through a DNS-service endpoint and an OBS gateway endpoint (O1)."""
    reg.create_vpc("vpc-obs", "10.8.0.0/16")
    reg.create_subnet("subnet-dns", "vpc-obs", "10.8.1.0/24")
    reg.create_endpoint(EndpointRequest(service="dns", vpc="vpc-obs", subnet="subnet-dns",
                                        description="DNS endpoint: on-prem resolvers forward OBS names here"))
    reg.create_endpoint(EndpointRequest(service="obs", vpc="vpc-obs", description="OBS gateway endpoint"))


def bulk_endpoints(reg: Registry, count: int, service: str, *, vpc: str = "vpc-bulk",
                   cidr: str = "10.200.0.0/16") -> None:
    """`count` endpoints with private names to `service` in a new VPC and subnet `vpc` (one CIDR for both), in
    one transaction, with the endpoint quota raised to fit: the benchmarks' and the scale tests' inventory."""
    from toolkit.model.quota import QuotaKind

    used = next(q.used for q in reg.quotas() if q.type == QuotaKind.ENDPOINT)
    reg.set_quota(QuotaKind.ENDPOINT, used + count + 100)
    reg.create_vpc(vpc, cidr)
    reg.create_subnet(vpc, vpc, cidr)
    with reg.batch("seed endpoints"):
        for _ in range(count):
            reg.create_endpoint(EndpointRequest(service=service, vpc=vpc, subnet=vpc, enable_dns=True))
