"""Use cases for endpoints: create (E1–E10), list and search (E12), show, update (E10), delete (E11), tags."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import NamedTuple

from toolkit.config import Settings
from toolkit.errors import Conflict, NotFound, NotWhitelisted, ValidationError
from toolkit.model import endpoint as rules
from toolkit.model import tags as tag_rules
from toolkit.model.endpoint import Endpoint, EndpointStatus
from toolkit.model.network import RouteOrigin, Subnet, Vpc, allocate_ip, check_vpc_usable, gateway_route, next_after
from toolkit.model.quota import QuotaKind
from toolkit.model.paging import Page
from toolkit.model.service import EndpointService, ServiceType, listed_name, require_available, validate_description
from toolkit.model.tags import Tag
from toolkit.registry import lookup, mirror
from toolkit.registry.base import Base
from toolkit.registry.services import NOT_FOUND
from toolkit.store import search as sql_search
from toolkit.store.search import Listing, Search
from toolkit.store.sqlite import Txn

MAX_WHITELIST = 20
"""E10: entries an endpoint whitelist holds, as the API allows."""
MAX_CHANGES = 10_000
"""Changed endpoints a DNS server applies one by one; past that, rebuilding the zones is as quick."""


@dataclass(frozen=True)
class EndpointRequest:
    """What `endpoint create` asks for."""

    service: str
    vpc: str
    subnet: str | None = None
    ip: str | None = None
    enable_dns: bool = False
    routetables: tuple[str, ...] = ()
    whitelist: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()
    description: str = ""


class Record(NamedTuple):
    """One private-zone A record (E5): served while its endpoint is accepted (a tuple: 100,000 are made at once)."""

    name: str
    ip: str
    endpoint_id: str


class EndpointCases(Base):
    """Endpoints as their owner sees them."""

    def create_endpoint(self, request: EndpointRequest) -> Endpoint:
        """E1–E10: connect to one service from an own VPC."""
        tag_list = tag_rules.make_tags(list(request.tags))
        whitelist = checked_whitelist(list(request.whitelist))
        validate_description(request.description, "E13")
        if (through := self._through_cloud(request, tag_list, whitelist)) is not None:
            return mirror.create_endpoint(self, **through)
        with self._write("create an endpoint") as txn:
            service = self._connectable(txn, request.service)
            vpc = lookup.vpc(txn, self.account, request.vpc)
            lookup.check_quota(txn, self.settings, self.account, QuotaKind.ENDPOINT)
            if service.service_type == ServiceType.GATEWAY:
                placement = self._gateway_placement(vpc, request)
            else:
                placement = self._interface_placement(txn, vpc, request)
            endpoint = self._new_endpoint(txn, service, vpc, placement, request, tag_list, whitelist)
            if service.service_type == ServiceType.GATEWAY:
                _attach_gateway(txn, self.settings, vpc, service, endpoint.id)  # E6: one per route table, its route
            txn.put("endpoints", endpoint.to_dict())
        return endpoint

    def _through_cloud(self, request: EndpointRequest, tag_list, whitelist) -> dict | None:
        """C2: an endpoint in a mirrored VPC is created by the cloud; the fields of its request, else None."""
        with self.store.read() as txn:
            vpc = lookup.vpc(txn, self.account, request.vpc)
            if not txn.is_mirrored("vpcs", vpc.id):
                return None
            service = self._connectable(txn, request.service)
            subnet = lookup.subnet(txn, self.account, request.subnet, vpc).id if request.subnet else None
        return {"endpoint_service_id": service.id, "vpc_id": vpc.id, "subnet_id": subnet, "port_ip": request.ip,
                "enable_dns": request.enable_dns, "routetables": list(request.routetables) or None,
                "whitelist": list(whitelist) or None, "enable_whitelist": bool(whitelist),
                "description": request.description or None, "tags": [(t.key, t.value) for t in tag_list] or None}

    def _connectable(self, txn: Txn, ref: str) -> EndpointService:
        """E2, E3, S9, E9: the service exists here, is available, and lets the caller in."""
        service = lookup.find_service(txn, self.account, ref)
        if service is None or service.region != self.identity.region:
            rule = "E2" if _other_region(ref, self.identity.region) else "E3"
            raise NotFound(NOT_FOUND, rule=rule, fix="check the name with `vpcep service verify NAME`")
        require_available(service)
        if not service.builtin and not lookup.may_see(txn, self.account, service):
            raise NotWhitelisted(f"account {self.account} is not on the whitelist of {service.service_name}",
                                 fix=f"the owner runs `vpcep service whitelist {service.id} --add "
                                     f"iam:domain::{self.account}`")
        return service

    @staticmethod
    def _gateway_placement(vpc: Vpc, request: EndpointRequest) -> dict:
        """E6: a gateway endpoint has route tables, no subnet, no ip, no private name."""
        if request.subnet or request.ip or request.enable_dns:
            raise ValidationError("a gateway endpoint takes no --subnet, --ip or --dns", rule="E6",
                                  fix="give --routetable (default: the VPC's route table)")
        tables = tuple(request.routetables) or (vpc.routetable_id,)
        for table in tables:
            if table not in (vpc.routetable_id, "default"):
                raise ValidationError(f"route table {table} is not VPC {vpc.name}'s ({vpc.routetable_id})",
                                      rule="E6", fix=f"use --routetable {vpc.routetable_id}")
        check_vpc_usable(vpc, None)
        return {"subnet_id": None, "ip": None, "routetables": (vpc.routetable_id,)}

    def _interface_placement(self, txn: Txn, vpc: Vpc, request: EndpointRequest) -> dict:
        """E4, S11: a subnet of the VPC and a free private ip in it."""
        if request.routetables:
            raise ValidationError("an interface endpoint takes no --routetable", rule="E4", fix="give --subnet")
        subnet = self._pick_subnet(txn, vpc, request.subnet)
        check_vpc_usable(vpc, subnet)
        ip = None if request.ip else next_after(subnet.cidr, txn.highest_ip(subnet.id))
        ip = ip or allocate_ip(subnet.cidr, txn.used_ips(subnet.id), request.ip)
        return {"subnet_id": subnet.id, "ip": str(ip), "routetables": ()}

    def _pick_subnet(self, txn: Txn, vpc: Vpc, ref: str | None) -> Subnet:
        if ref:
            return lookup.subnet(txn, self.account, ref, vpc)
        subnets = txn.select("subnets", vpc_id=vpc.id)
        if len(subnets) != 1:
            raise ValidationError(f"an interface endpoint needs a subnet; VPC {vpc.name} has {len(subnets)}",
                                  rule="E4", fix="give --subnet NAME")
        return Subnet.from_dict(subnets[0])

    def _new_endpoint(self, txn, service, vpc, placement, request, tag_list, whitelist) -> Endpoint:
        endpoint_id, now, ident = self.ids(), self.clock(), self.identity
        names = ()
        if request.enable_dns:
            names = (rules.dns_name(self.settings.dns.name_template, endpoint_id=endpoint_id, region=ident.region,
                                    domain=ident.domain, service=service.short_name or "svc"),)
        status = rules.initial_status(service.approval_enabled and not service.builtin)
        endpoint = Endpoint(
            id=endpoint_id, endpoint_service_id=service.id, endpoint_service_name=service.service_name,
            service_type=service.service_type, status=status, ip=placement["ip"], marker_id=txn.next_marker(),
            vpc_id=vpc.id, subnet_id=placement["subnet_id"], enable_dns=request.enable_dns, dns_names=names,
            routetables=placement["routetables"], enable_whitelist=bool(whitelist), whitelist=whitelist,
            tags=tag_list, description=request.description, domain_id=self.account, project_id=ident.project,
            region=ident.region, created_at=now, updated_at=now)
        if status == EndpointStatus.CREATING:
            endpoint = rules.transition(endpoint, rules.EndpointAction.CREATE, now)
        return endpoint

    def list_endpoints(self, id_: str = "", service: str = "", tags: list[Tag] = ()) -> list[Endpoint]:
        """E12: own endpoints by id or service-name keyword and tags (all must match)."""
        tags = tag_rules.search_tags(list(tags))
        with self.store.read() as txn:
            docs = txn.select("endpoints", domain_id=self.account)
        id_, service = id_.lower(), service.lower()
        found = []
        for doc in docs:
            if id_ in doc["id"] and service in doc["endpoint_service_name"].lower():
                endpoint = Endpoint.from_dict(doc)
                if not tags or tag_rules.matches(endpoint.tags, tags):
                    found.append(endpoint)
        return found

    def endpoints_page(self, page, id_: str = "", service: str = "", tags: list[Tag] = ()) -> tuple[list[Endpoint], int]:
        """E12 with the API's paging: one page of own endpoints and the number of all matches. Without a
        filter the page is cut by the store, so a page costs the same at 100 and at 100,000 endpoints."""
        if id_ or service or tags:
            return page.cut(self.list_endpoints(id_, service, tags))
        key = "" if page.sort_key in ("", "name") else page.sort_key
        with self.store.read() as txn:
            docs = txn.page("endpoints", page.limit, page.offset, key, page.sort_dir == "desc", domain_id=self.account)
            total = txn.count("endpoints", domain_id=self.account)
        return [Endpoint.from_dict(doc) for doc in docs], total

    def endpoint_docs(self, page, id_: str = "", service: str = "", tags: list[Tag] = ()) -> Iterator:
        """endpoints_page as the API's documents: first the number of all matches, then the page's documents
        a chunk (list) at a time, from one read of the state, without a model object per endpoint."""
        if id_ or service or tags:
            found, total = page.cut(self.list_endpoints(id_, service, tags))
            yield total
            yield [endpoint.to_dict() for endpoint in found]
            return
        key = "" if page.sort_key in ("", "name") else page.sort_key
        with self.store.read() as txn:
            yield txn.count("endpoints", domain_id=self.account)
            for docs in txn.page_chunks("endpoints", page.limit, page.offset, key, page.sort_dir == "desc",
                                        domain_id=self.account):
                yield [Endpoint.public(doc) for doc in docs]

    def endpoint_window(self, search: Search, offset: int, limit: int) -> tuple[list[Endpoint], Listing]:
        """The TUI's Endpoints area (issue 15): rows offset … offset+limit (at most the API's page) of the own
        endpoints matching `search`, filtered, sorted and cut by SQLite; with the listing they were matched by."""
        page = Page(limit=limit, offset=offset)
        with self.store.read() as txn:
            listing = self._listing(txn)
            docs = sql_search.window(txn, self.account, search, listing, page.limit, page.offset)
        return [Endpoint.from_dict(json.loads(doc)) for doc in docs], listing

    def endpoint_matches(self, search: Search) -> int:
        """How many own endpoints match `search` (no search: all of them, from the kept count)."""
        with self.store.read() as txn:
            if not search.words and not search.tags:
                return txn.owned_count("endpoints", self.account)
            return sql_search.count(txn, self.account, search, self._listing(txn))

    def _listing(self, txn: Txn) -> Listing:
        vpcs = {doc["id"]: doc["name"] for doc in txn.select("vpcs", domain_id=self.account)}
        services = {doc["id"]: (doc["service_name"], listed_name(doc["service_name"])) for doc in txn.select("services")}
        return Listing(vpcs, services)

    def get_endpoint(self, endpoint_id: str) -> Endpoint:
        with self.store.read() as txn:
            return lookup.endpoint(txn, self.account, endpoint_id, "E13")

    def delete_endpoint(self, endpoint_id: str) -> Endpoint:
        """E11: permanent; its private record goes with it (C2: a mirrored one's in the cloud first)."""
        if (mirrored := mirror.endpoint_of(self, endpoint_id)) is not None and mirrored.domain_id == self.account:
            mirror.delete_endpoint(self, mirrored)
            return replace(mirrored, status=EndpointStatus.DELETING)
        with self._write("delete an endpoint") as txn:
            endpoint = lookup.endpoint(txn, self.account, endpoint_id, "E11")
            txn.delete("endpoints", endpoint.id)
            txn.delete("connection_notes", endpoint.id)
            if endpoint.service_type == ServiceType.GATEWAY:
                _detach_gateway(txn, endpoint.vpc_id, endpoint.id)  # E6: its routes go with it
        return replace(endpoint, status=EndpointStatus.DELETING)

    def endpoint_tags(self, endpoint_id: str, set_: list[Tag] = (), delete: list[str] = ()) -> tuple[Tag, ...]:
        """T1–T4 on an own endpoint; with nothing to change, a read."""
        if not set_ and not delete:
            return self.get_endpoint(endpoint_id).tags
        if (mirrored := mirror.endpoint_of(self, endpoint_id)) is not None and mirrored.domain_id == self.account:
            return mirror.endpoint_tags(self, mirrored, set_, delete)
        with self._write("change tags") as txn:
            endpoint = lookup.endpoint(txn, self.account, endpoint_id, "T4")
            endpoint = replace(endpoint, tags=tag_rules.edit_tags(endpoint.tags, list(set_), list(delete)),
                               updated_at=self.clock())
            txn.put("endpoints", endpoint.to_dict())
        return endpoint.tags

    def update_endpoint(self, endpoint_id: str, *, whitelist: list[str] | None = None,
                        enable_whitelist: bool | None = None) -> Endpoint:
        """E10: replace an own endpoint's whitelist and/or switch it on or off.

        A list given without the switch turns the whitelist on (as `endpoint create --whitelist` does); switching
        it off keeps the list. An enabled whitelist needs at least one entry. Nothing to change is a plain read.
        """
        entries = None if whitelist is None else checked_whitelist(whitelist)
        if enable_whitelist is None and entries is not None:
            enable_whitelist = bool(entries)
        if entries is None and enable_whitelist is None:
            return self.get_endpoint(endpoint_id)
        if (mirrored := mirror.endpoint_of(self, endpoint_id)) is not None and mirrored.domain_id == self.account:
            return mirror.update_endpoint(self, mirrored, list(mirrored.whitelist if entries is None else entries),
                                          enable_whitelist)
        with self._write("change an endpoint") as txn:
            endpoint = lookup.endpoint(txn, self.account, endpoint_id, "E10")
            updated = replace(endpoint, whitelist=endpoint.whitelist if entries is None else entries,
                              enable_whitelist=enable_whitelist, updated_at=self.clock())
            if updated.enable_whitelist and not updated.whitelist:
                raise ValidationError(f"endpoint {endpoint.id}: an enabled whitelist needs at least one entry",
                                      rule="E10", fix="give --whitelist CIDR (or leave the whitelist off)")
            txn.put("endpoints", updated.to_dict())
        return updated

    def endpoint_placements(self) -> list[tuple[str, str, str, str, str]]:
        """(id, endpoint_service_id, vpc_id, subnet_id, ip) of each own accepted endpoint, from the indexed
        columns only (no document decoded): what the route planner needs of 100,000 endpoints."""
        with self.store.read() as txn:
            rows = txn.fields("endpoints", ["id", "service_id", "vpc_id", "subnet_id", "ip_int"],
                              domain_id=self.account, status=str(EndpointStatus.ACCEPTED))
        return [(i, svc, vpc, subnet or "", _dotted(ip) if ip is not None else "") for i, svc, vpc, subnet, ip in rows]

    def private_zones(self) -> list[str]:
        """E5: the zones (all after the first label) of private_records' names, each once, in the order of the
        first endpoint that has it, from the `served` column (no record built)."""
        zones: dict[str, None] = {}
        with self.store.read() as txn:
            for _, served in txn.fields("endpoints", ["id", "served"], status=str(EndpointStatus.ACCEPTED)):
                for name in (served or "").split(" ")[1:]:
                    if "." in name:
                        zones[name.split(".", 1)[1]] = None
        return list(zones)

    def private_records(self) -> list[Record]:
        """E5: one A record per dns name of every accepted endpoint with enable_dns, all accounts."""
        with self.store.read() as txn:
            return _records(txn)

    def private_changes(self, since: int) -> tuple[int, dict[str, list[Record]]] | None:
        """The generation now and, for each endpoint written after generation `since`, its records now
        (none: it no longer has a name served); None when the change log does not reach back (rebuild)."""
        with self.store.read() as txn:
            changed = txn.endpoints_changed(since)
            if changed is None:
                return None
            generation, ids = changed
            if len(ids) > MAX_CHANGES:
                return None
            now: dict[str, list[Record]] = {doc_id: [] for doc_id in ids}
            for record in _records(txn, ids) if ids else []:
                now[record.endpoint_id].append(record)
        return generation, now


def _records(txn: Txn, ids: list[str] | None = None) -> list[Record]:
    """E5 records of the accepted endpoints (of these ids), from the `served` column: no document decoded."""
    where = {"status": str(EndpointStatus.ACCEPTED)} | ({"id": ids} if ids is not None else {})
    records = []
    for doc_id, served in txn.fields("endpoints", ["id", "served"], **where):
        if served is None:
            continue
        ip, *names = served.split(" ")
        records += [Record(name, ip, doc_id) for name in names]
    return records


def _dotted(number: int) -> str:
    return f"{number >> 24}.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def checked_whitelist(entries: list[str]) -> tuple[str, ...]:
    """E10: IPv4 addresses or CIDRs, normalised, at most MAX_WHITELIST of them."""
    result = rules.validate_whitelist(list(entries))
    if len(result) > MAX_WHITELIST:
        raise ValidationError(f"{len(result)} whitelist entries given; an endpoint takes at most {MAX_WHITELIST}",
                              rule="E10", fix="aggregate the addresses into fewer CIDRs")
    return result


def _other_region(ref: str, region: str) -> bool:
    """E2: a stored name (`<region>.<name>.<id>`; ids and short names have no dots) of another region."""
    return "." in ref and ref.split(".", 1)[0] != region


def _attach_gateway(txn: Txn, settings: Settings, vpc: Vpc, service: EndpointService, endpoint_id: str) -> None:
    """E6: one gateway endpoint of a service per route table; OBS's adds the OBS route to the table."""
    for doc in txn.select("endpoints", vpc_id=vpc.id, service_id=service.id):
        if vpc.routetable_id in doc["routetables"]:
            raise Conflict(f"route table {vpc.routetable_id} of VPC {vpc.name} already has gateway endpoint "
                           f"{doc['id']} to {service.short_name or service.service_name}", rule="E6",
                           fix=f"use that endpoint, or delete it first: `vpcep endpoint delete {doc['id']}`")
    if service.short_name != "obs" or not service.builtin:
        return
    route = gateway_route(settings.obs.cidr, endpoint_id)
    if any(r.destination == route.destination for r in vpc.routes):
        raise Conflict(f"route table {vpc.routetable_id} of VPC {vpc.name} already routes {route.destination}",
                       rule="E6", fix=f"remove that route first: `vpcep vpc routes {vpc.name} --remove "
                                      f"{route.destination}`")
    txn.put("vpcs", replace(vpc, routes=vpc.routes + (route,)).to_dict())


def _detach_gateway(txn: Txn, vpc_id: str, endpoint_id: str) -> None:
    """E6: the routes a deleted gateway endpoint added leave its route tables with it."""
    doc = txn.get("vpcs", vpc_id)
    if doc:
        vpc = Vpc.from_dict(doc)
        kept = tuple(r for r in vpc.routes if not (r.origin == RouteOrigin.ENDPOINT and r.nexthop == endpoint_id))
        txn.put("vpcs", replace(vpc, routes=kept).to_dict())
