"""Use cases for the state itself, accounts, VPCs, subnets and quotas (V1–V5, S8, E7)."""

from __future__ import annotations

import secrets
from dataclasses import replace

from toolkit.errors import Conflict, NotFound, ValidationError
from toolkit.model import network as net
from toolkit.model import permissions
from toolkit.model import quota as quota_rules
from toolkit.model.network import Account, Identity, RouteOrigin, Subnet, Vpc
from toolkit.model.quota import Quota, QuotaKind
from toolkit.model.service import BUILTIN_PORTS, EndpointService, PortMapping, ServiceStatus, ServiceType, stored_name
from toolkit.registry import lookup
from toolkit.registry.base import Base
from toolkit.store.sqlite import Txn


class NetworkCases(Base):
    """init, accounts, VPCs, subnets, quotas."""

    # -- the state ---------------------------------------------------------
    def init(self, region: str, domain: str, account: str = "", project: str = "") -> Identity:
        """V1/S2: fix region, domain and own account; create the region's built-in cloud services."""
        self._refuse_if_read_only("initialize the state")
        account = net.validate_account(account or secrets.token_hex(16))
        _check_label("region", region)
        _check_domain(domain)
        with self.store.write() as txn:
            if txn.meta("region") is not None:
                raise Conflict(f"state {self.store.path} is already initialized for {txn.meta('region')}",
                               rule="V1", fix="use another --state to start over")
            ident = Identity(region, domain.lower().strip("."), account, project or secrets.token_hex(16))
            for key, value in vars(ident).items():
                txn.set_meta(key, value)
            lookup.put_account(txn, Account(domain_id=account))
            self._create_builtins(txn, ident)
        self._identity = ident
        return ident

    def _create_builtins(self, txn: Txn, ident: Identity) -> None:
        now = self.clock()
        for short, kind in self.settings.cloud.services.items():
            service_id = self.ids()
            kind = ServiceType(kind)
            ports = BUILTIN_PORTS.get(short, ((443, 443),))
            service = EndpointService(
                id=service_id, service_name=stored_name(ident.region, short, service_id), service_type=kind,
                server_type=None, port_id=None, vpc_id=None, approval_enabled=False,
                ports=tuple(PortMapping(server_port=s, client_port=c) for s, c in ports), tags=(),
                description=f"built-in {short.upper()} cloud service", status=ServiceStatus.AVAILABLE,
                domain_id="cloud", project_id=ident.project, region=ident.region, created_at=now, updated_at=now,
                builtin=True, short_name=short)
            txn.put("services", service.to_dict())

    # -- accounts ----------------------------------------------------------
    def create_account(self, domain_id: str, org_path: str = "") -> Account:
        """Register an account, optionally inside an organization path (S13)."""
        account = Account(domain_id=net.validate_account(domain_id), org_path=permissions.validate_org_path(org_path))
        with self._write("create an account") as txn:
            lookup.put_account(txn, account)
        return account

    def list_accounts(self) -> list[Account]:
        """Every account, for the state's own account; any other sees only itself."""
        me, own = self.account, self.identity.account
        with self.store.read() as txn:
            docs = txn.select("accounts") if me == own else [txn.get("accounts", me)]
        return [Account.from_dict(d) for d in docs]

    # -- VPCs --------------------------------------------------------------
    def create_vpc(self, name: str, cidr: str) -> Vpc:
        """V2: a named VPC with an IPv4 CIDR, unique name per account."""
        net.validate_name("VPC", name)
        network = net.validate_vpc_cidr(cidr)
        with self._write("create a VPC") as txn:
            if txn.select("vpcs", domain_id=self.account, name=name):
                raise Conflict(f"VPC {name} already exists", rule="V2", fix="choose another name")
            vpc = Vpc(id=self.ids(), name=name, cidr=str(network), domain_id=self.account,
                      routetable_id="rtb-" + self.ids()[:8], created_at=self.clock())
            txn.put("vpcs", vpc.to_dict())
        return vpc

    def list_vpcs(self) -> list[Vpc]:
        with self.store.read() as txn:
            return [Vpc.from_dict(d) for d in txn.select("vpcs", domain_id=self.account)]

    def get_vpc(self, ref: str) -> Vpc:
        with self.store.read() as txn:
            return lookup.vpc(txn, self.account, ref)

    def delete_vpc(self, ref: str) -> Vpc:
        """V5: refused while endpoints or services are in it; its empty subnets go with it."""
        with self._write("delete a VPC") as txn:
            vpc = lookup.vpc(txn, self.account, ref)
            _refuse_in_use(txn, f"VPC {vpc.name}", vpc_id=vpc.id)
            for subnet in txn.select("subnets", vpc_id=vpc.id):
                txn.delete("subnets", subnet["id"])
            txn.delete("vpcs", vpc.id)
        return vpc

    def add_vpc_route(self, ref: str, destination: str, nexthop: str = "") -> Vpc:
        """S11: a custom route, never into 198.19.128.0/17."""
        with self._write("add a VPC route") as txn:
            vpc = lookup.vpc(txn, self.account, ref)
            route = net.validate_route(vpc, destination, nexthop)
            vpc = replace(vpc, routes=vpc.routes + (route,))
            txn.put("vpcs", vpc.to_dict())
        return vpc

    def remove_vpc_route(self, ref: str, destination: str) -> Vpc:
        """A custom route; a gateway endpoint's route goes only with its endpoint (E6)."""
        with self._write("remove a VPC route") as txn:
            vpc = lookup.vpc(txn, self.account, ref)
            target = str(net.parse_network(destination, "V2"))
            held = [r for r in vpc.routes if r.destination == target and r.origin == RouteOrigin.ENDPOINT]
            if held:
                raise Conflict(f"the route to {target} is gateway endpoint {held[0].nexthop}'s", rule="E6",
                               fix=f"delete the endpoint to remove it: `vpcep endpoint delete {held[0].nexthop}`")
            kept = tuple(r for r in vpc.routes if r.destination != target)
            if len(kept) == len(vpc.routes):
                raise NotFound(f"VPC {vpc.name} has no route to {target}", rule="V2")
            vpc = replace(vpc, routes=kept)
            txn.put("vpcs", vpc.to_dict())
        return vpc

    # -- subnets -----------------------------------------------------------
    def create_subnet(self, name: str, vpc_ref: str, cidr: str) -> Subnet:
        """V2/V3: inside the VPC, no overlap with its other subnets or with 198.19.128.0/17."""
        net.validate_name("subnet", name)
        with self._write("create a subnet") as txn:
            vpc = lookup.vpc(txn, self.account, vpc_ref)
            siblings = [Subnet.from_dict(d) for d in txn.select("subnets", vpc_id=vpc.id)]
            network = net.validate_subnet_cidr(cidr, vpc, siblings)
            if any(s.name == name for s in siblings):
                raise Conflict(f"subnet {name} already exists in VPC {vpc.name}", rule="V2", fix="choose another name")
            subnet = Subnet(id=self.ids(), name=name, cidr=str(network), vpc_id=vpc.id, domain_id=self.account,
                            created_at=self.clock())
            txn.put("subnets", subnet.to_dict())
        return subnet

    def list_subnets(self, vpc_ref: str | None = None) -> list[Subnet]:
        with self.store.read() as txn:
            where = {"vpc_id": lookup.vpc(txn, self.account, vpc_ref).id} if vpc_ref else {"domain_id": self.account}
            return [Subnet.from_dict(d) for d in txn.select("subnets", **where)]

    def delete_subnet(self, ref: str, vpc_ref: str | None = None) -> Subnet:
        """V5: refused while endpoints are in it."""
        with self._write("delete a subnet") as txn:
            subnet = lookup.subnet(txn, self.account, ref, lookup.vpc(txn, self.account, vpc_ref) if vpc_ref else None)
            _refuse_in_use(txn, f"subnet {subnet.name}", subnet_id=subnet.id)
            txn.delete("subnets", subnet.id)
        return subnet

    # -- quotas ------------------------------------------------------------
    def quotas(self) -> list[Quota]:
        """S8/E7: used/limit per resource type for the acting account."""
        with self.store.read() as txn:
            return [Quota(type=kind, used=lookup.used(txn, self.account, kind),
                          quota=lookup.limit(txn, self.settings, self.account, kind)) for kind in quota_rules.TYPES]

    def set_quota(self, kind: QuotaKind, value: int) -> Quota:
        """The "increase quota" path: stored in the state for the acting account, never below what is used."""
        with self._write("change a quota") as txn:
            used, limit = lookup.used(txn, self.account, kind), lookup.limit(txn, self.settings, self.account, kind)
            quota_rules.check_setting(kind, used, limit, value)
            txn.put("quotas", {"id": f"{self.account}:{kind}", "domain_id": self.account, "type": kind,
                               "quota": value})
            return Quota(type=kind, used=used, quota=value)



def _refuse_in_use(txn: Txn, what: str, **where) -> None:
    endpoints = txn.count("endpoints", **where)
    services = txn.count("services", vpc_id=where["vpc_id"]) if "vpc_id" in where else 0
    if endpoints or services:
        raise Conflict(f"{what} still holds {endpoints} endpoint(s) and {services} service(s)", rule="V5",
                       fix="delete them first")


def _check_label(kind: str, value: str) -> None:
    if not value or not all(part.replace("-", "").isalnum() for part in value.split(".")):
        raise ValidationError(f"{kind} {value!r} is not a DNS label", rule="V1", fix="e.g. cn-north-4")


def _check_domain(domain: str) -> None:
    labels = domain.strip(".").split(".")
    if len(labels) < 2 or not all(label and label.replace("-", "").isalnum() for label in labels):
        raise ValidationError(f"domain {domain!r} is not a domain name", rule="V1", fix="e.g. myhuaweicloud.com")

