"""Reads every noun's use cases share, as plain functions of one transaction: find, count, who may see."""

from __future__ import annotations

from toolkit.config import Settings
from toolkit.errors import NotFound, ValidationError
from toolkit.model import permissions
from toolkit.model import quota as quota_rules
from toolkit.model.endpoint import ACTIVE, Endpoint
from toolkit.model.network import Account, Subnet, Vpc
from toolkit.model.permissions import WhitelistEntry
from toolkit.model.quota import QuotaKind
from toolkit.model.rules import BackendRule
from toolkit.model.service import EndpointService
from toolkit.store.sqlite import Txn

ACTIVE_STATUSES = [str(s) for s in ACTIVE]
"""S10/S14: the stored statuses of endpoints that hold a connection."""


# -- accounts ------------------------------------------------------------------
def put_account(txn: Txn, account: Account) -> None:
    """Store an account: only `init` (the own one) and `account create` do (R4)."""
    txn.put("accounts", {"id": account.domain_id, **account.to_dict()})


def org_path(txn: Txn, domain_id: str) -> str:
    doc = txn.get("accounts", domain_id)
    return doc.get("org_path", "") if doc else ""


# -- VPCs and subnets ------------------------------------------------------------
def vpc(txn: Txn, account: str, ref: str) -> Vpc:
    """An own VPC by id or name."""
    doc = txn.get("vpcs", ref)
    if doc is None or doc["domain_id"] != account:
        docs = txn.select("vpcs", domain_id=account, name=ref)
        doc = docs[0] if docs else None
    if doc is None:
        raise NotFound(f"no VPC {ref!r} in account {account}", rule="V2", fix="see `vpcep vpc list`")
    return Vpc.from_dict(doc)


def subnet(txn: Txn, account: str, ref: str, in_vpc: Vpc | None) -> Subnet:
    """An own subnet by id or name (of `in_vpc` when given; a name used in several VPCs needs it)."""
    doc = txn.get("subnets", ref)
    if doc and doc["domain_id"] == account and (in_vpc is None or doc["vpc_id"] == in_vpc.id):
        return Subnet.from_dict(doc)
    where = {"vpc_id": in_vpc.id} if in_vpc else {"domain_id": account}
    docs = txn.select("subnets", name=ref, **where)
    if len(docs) > 1:
        raise ValidationError(f"subnet name {ref!r} is used in several VPCs", rule="V2",
                              fix="give --vpc or the subnet id")
    if not docs:
        raise NotFound(f"no subnet {ref!r}" + (f" in VPC {in_vpc.name}" if in_vpc else ""), rule="V2",
                       fix="see `vpcep subnet list`")
    return Subnet.from_dict(docs[0])


# -- services --------------------------------------------------------------------
def find_service(txn: Txn, account: str, ref: str) -> EndpointService | None:
    """By id, stored name, or (own and built-in) short name."""
    doc = txn.get("services", ref) or next(iter(txn.select("services", name=ref)), None)
    if doc is None:
        docs = [d for d in txn.select("services", domain_id=[account, "cloud"]) if d["short_name"] == ref]
        if len(docs) > 1:
            raise ValidationError(f"{len(docs)} services are named {ref!r}", rule="S5",
                                  fix="give the id or the stored name: " + ", ".join(d["service_name"] for d in docs))
        doc = docs[0] if docs else None
    return EndpointService.from_dict(doc) if doc else None


def owned_service(txn: Txn, account: str, ref: str) -> EndpointService:
    """A service the account owns (or a built-in one), with its connection count."""
    service = find_service(txn, account, ref)
    if service is None or (service.domain_id != account and not service.builtin):
        raise NotFound(f"no service {ref!r} owned by account {account}", rule="S12",
                       fix="see `vpcep service list` (act as the owner with --as)")
    return counted(txn, service)


def may_see(txn: Txn, account: str, service: EndpointService) -> bool:
    """Own, built-in, or whitelisting the account (S13): what list, show and verify show."""
    if service.builtin or service.domain_id == account:
        return True
    return permissions.allows(service.domain_id, permissions_of(txn, service), account, org_path(txn, account))


def counted(txn: Txn, service: EndpointService) -> EndpointService:
    """S14: connection_count is derived, never stored."""
    return service.with_count(txn.count("endpoints", service_id=service.id, status=ACTIVE_STATUSES))


def entries(txn: Txn, service: EndpointService) -> list[WhitelistEntry]:
    return [WhitelistEntry.from_dict(d) for d in txn.select("whitelist", service_id=service.id)]


def permissions_of(txn: Txn, service: EndpointService) -> list[str]:
    """S13: the whitelist's entries as text."""
    return [e.permission for e in entries(txn, service)]


def rule_rows(txn: Txn, service: EndpointService) -> list[tuple[str, BackendRule]]:
    return [(d["id"], BackendRule.from_dict(d)) for d in txn.select("rules", service_id=service.id)]


def rules(txn: Txn, service: EndpointService) -> list[BackendRule]:
    return [rule for _, rule in rule_rows(txn, service)]


# -- endpoints -------------------------------------------------------------------
def endpoint(txn: Txn, account: str, endpoint_id: str, rule: str) -> Endpoint:
    """An own endpoint; NotFound names `rule`."""
    doc = txn.get("endpoints", endpoint_id)
    if doc is None or doc["domain_id"] != account:
        raise NotFound(f"no endpoint {endpoint_id!r} in account {account}", rule=rule,
                       fix="see `vpcep endpoint list`")
    return Endpoint.from_dict(doc)


def endpoints_of(txn: Txn, service: EndpointService) -> list[Endpoint]:
    return [Endpoint.from_dict(d) for d in txn.select("endpoints", service_id=service.id)]


# -- quotas ----------------------------------------------------------------------
def used(txn: Txn, account: str, kind: QuotaKind) -> int:
    table = "services" if kind == QuotaKind.SERVICE else "endpoints"
    return txn.owned_count(table, account)


def limit(txn: Txn, settings: Settings, account: str, kind: QuotaKind) -> int:
    doc = txn.get("quotas", f"{account}:{kind}")
    if doc:
        return doc["quota"]
    return settings.quota.services if kind == QuotaKind.SERVICE else settings.quota.endpoints


def check_quota(txn: Txn, settings: Settings, account: str, kind: QuotaKind) -> None:
    quota_rules.check(kind, used(txn, account, kind), limit(txn, settings, account, kind))
