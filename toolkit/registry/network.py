"""Use cases for the state itself, accounts, VPCs, subnets and quotas (V1–V5, S8, E7)."""

from __future__ import annotations

import secrets
from dataclasses import replace

from toolkit import clock
from toolkit.errors import Conflict, NotFound, ValidationError
from toolkit.model import network as net
from toolkit.model import permissions
from toolkit.model import quota as quota_rules
from toolkit.model.network import Account, RouteOrigin, Subnet, Vpc
from toolkit.model.quota import Quota, QuotaKind
from toolkit.model.service import EndpointService, PortMapping, ServiceStatus, ServiceType, stored_name
from toolkit.registry.base import Base, Identity, new_id
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
            self._put_account(txn, Account(domain_id=account))
            self._create_builtins(txn, ident)
        self._identity = ident
        return ident

    def _create_builtins(self, txn: Txn, ident: Identity) -> None:
        now = clock.now()
        for short, kind in self.settings.cloud.services.items():
            service_id = new_id()
            kind = ServiceType(kind)
            ports = _BUILTIN_PORTS.get(short, ((443, 443),))
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
            self._put_account(txn, account)
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
            vpc = Vpc(id=new_id(), name=name, cidr=str(network), domain_id=self.account,
                      routetable_id="rtb-" + new_id()[:8], created_at=clock.now())
            txn.put("vpcs", vpc.to_dict())
        return vpc

    def list_vpcs(self) -> list[Vpc]:
        with self.store.read() as txn:
            return [Vpc.from_dict(d) for d in txn.select("vpcs", domain_id=self.account)]

    def get_vpc(self, ref: str) -> Vpc:
        with self.store.read() as txn:
            return self._vpc(txn, ref)

    def delete_vpc(self, ref: str) -> Vpc:
        """V5: refused while endpoints or services are in it; its empty subnets go with it."""
        with self._write("delete a VPC") as txn:
            vpc = self._vpc(txn, ref)
            _refuse_in_use(txn, f"VPC {vpc.name}", vpc_id=vpc.id)
            for subnet in txn.select("subnets", vpc_id=vpc.id):
                txn.delete("subnets", subnet["id"])
            txn.delete("vpcs", vpc.id)
        return vpc

    def add_vpc_route(self, ref: str, destination: str, nexthop: str = "") -> Vpc:
        """S11: a custom route, never into 198.19.128.0/17."""
        with self._write("add a VPC route") as txn:
            vpc = self._vpc(txn, ref)
            route = net.validate_route(vpc, destination, nexthop)
            vpc = replace(vpc, routes=vpc.routes + (route,))
            txn.put("vpcs", vpc.to_dict())
        return vpc

    def remove_vpc_route(self, ref: str, destination: str) -> Vpc:
        """A custom route; a gateway endpoint's route goes only with its endpoint (E6)."""
        with self._write("remove a VPC route") as txn:
            vpc = self._vpc(txn, ref)
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

    def _attach_gateway(self, txn: Txn, vpc: Vpc, service: EndpointService, endpoint_id: str) -> None:
        """E6: one gateway endpoint of a service per route table; OBS's adds the OBS route to the table."""
        for doc in txn.select("endpoints", vpc_id=vpc.id, service_id=service.id):
            if vpc.routetable_id in doc["routetables"]:
                raise Conflict(f"route table {vpc.routetable_id} of VPC {vpc.name} already has gateway endpoint "
                               f"{doc['id']} to {service.short_name or service.service_name}", rule="E6",
                               fix=f"use that endpoint, or delete it first: `vpcep endpoint delete {doc['id']}`")
        if service.short_name != "obs" or not service.builtin:
            return
        route = net.gateway_route(self.settings.obs.cidr, endpoint_id)
        if any(r.destination == route.destination for r in vpc.routes):
            raise Conflict(f"route table {vpc.routetable_id} of VPC {vpc.name} already routes {route.destination}",
                           rule="E6", fix=f"remove that route first: `vpcep vpc routes {vpc.name} --remove "
                                          f"{route.destination}`")
        txn.put("vpcs", replace(vpc, routes=vpc.routes + (route,)).to_dict())

    def _detach_gateway(self, txn: Txn, vpc_id: str, endpoint_id: str) -> None:
        """E6: the routes a deleted gateway endpoint added leave its route tables with it."""
        doc = txn.get("vpcs", vpc_id)
        if doc:
            vpc = Vpc.from_dict(doc)
            kept = tuple(r for r in vpc.routes if not (r.origin == RouteOrigin.ENDPOINT and r.nexthop == endpoint_id))
            txn.put("vpcs", replace(vpc, routes=kept).to_dict())

    def _vpc(self, txn: Txn, ref: str) -> Vpc:
        doc = txn.get("vpcs", ref)
        if doc is None or doc["domain_id"] != self.account:
            docs = txn.select("vpcs", domain_id=self.account, name=ref)
            doc = docs[0] if docs else None
        if doc is None:
            raise NotFound(f"no VPC {ref!r} in account {self.account}", rule="V2", fix="see `vpcep vpc list`")
        return Vpc.from_dict(doc)

    # -- subnets -----------------------------------------------------------
    def create_subnet(self, name: str, vpc_ref: str, cidr: str) -> Subnet:
        """V2/V3: inside the VPC, no overlap with its other subnets or with 198.19.128.0/17."""
        net.validate_name("subnet", name)
        with self._write("create a subnet") as txn:
            vpc = self._vpc(txn, vpc_ref)
            siblings = [Subnet.from_dict(d) for d in txn.select("subnets", vpc_id=vpc.id)]
            network = net.validate_subnet_cidr(cidr, vpc, siblings)
            if any(s.name == name for s in siblings):
                raise Conflict(f"subnet {name} already exists in VPC {vpc.name}", rule="V2", fix="choose another name")
            subnet = Subnet(id=new_id(), name=name, cidr=str(network), vpc_id=vpc.id, domain_id=self.account,
                            created_at=clock.now())
            txn.put("subnets", subnet.to_dict())
        return subnet

    def list_subnets(self, vpc_ref: str | None = None) -> list[Subnet]:
        with self.store.read() as txn:
            where = {"vpc_id": self._vpc(txn, vpc_ref).id} if vpc_ref else {"domain_id": self.account}
            return [Subnet.from_dict(d) for d in txn.select("subnets", **where)]

    def delete_subnet(self, ref: str, vpc_ref: str | None = None) -> Subnet:
        """V5: refused while endpoints are in it."""
        with self._write("delete a subnet") as txn:
            subnet = self._subnet(txn, ref, self._vpc(txn, vpc_ref) if vpc_ref else None)
            _refuse_in_use(txn, f"subnet {subnet.name}", subnet_id=subnet.id)
            txn.delete("subnets", subnet.id)
        return subnet

    def _subnet(self, txn: Txn, ref: str, vpc: Vpc | None) -> Subnet:
        doc = txn.get("subnets", ref)
        if doc and doc["domain_id"] == self.account and (vpc is None or doc["vpc_id"] == vpc.id):
            return Subnet.from_dict(doc)
        where = {"vpc_id": vpc.id} if vpc else {"domain_id": self.account}
        docs = txn.select("subnets", name=ref, **where)
        if len(docs) > 1:
            raise ValidationError(f"subnet name {ref!r} is used in several VPCs", rule="V2",
                                  fix="give --vpc or the subnet id")
        if not docs:
            raise NotFound(f"no subnet {ref!r}" + (f" in VPC {vpc.name}" if vpc else ""), rule="V2",
                           fix="see `vpcep subnet list`")
        return Subnet.from_dict(docs[0])

    # -- quotas ------------------------------------------------------------
    def quotas(self) -> list[Quota]:
        """S8/E7: used/limit per resource type for the acting account."""
        with self.store.read() as txn:
            return [Quota(type=kind, used=self._used(txn, kind), quota=self._limit(txn, kind)) for kind in quota_rules.TYPES]

    def set_quota(self, kind: str, value: int) -> Quota:
        """The "increase quota" path: stored in the state for the acting account, never below what is used."""
        with self._write("change a quota") as txn:
            quota_rules.check_setting(kind, self._used(txn, kind), self._limit(txn, kind), value)
            txn.put("quotas", {"id": f"{self.account}:{kind}", "domain_id": self.account, "type": kind,
                               "quota": value})
            return Quota(type=kind, used=self._used(txn, kind), quota=value)

    def _used(self, txn: Txn, kind: str) -> int:
        table = "services" if kind == QuotaKind.SERVICE else "endpoints"
        return txn.count(table, domain_id=self.account)

    def _limit(self, txn: Txn, kind: str) -> int:
        doc = txn.get("quotas", f"{self.account}:{kind}")
        if doc:
            return doc["quota"]
        return self.settings.quota.services if kind == QuotaKind.SERVICE else self.settings.quota.endpoints

    def _check_quota(self, txn: Txn, kind: str) -> None:
        quota_rules.check(kind, self._used(txn, kind), self._limit(txn, kind))


_BUILTIN_PORTS = {"obs": ((443, 443), (80, 80)), "dns": ((53, 53),)}


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

