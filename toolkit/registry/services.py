"""Use cases for endpoint services: create, find, verify, update, delete, connections, whitelist, tags, rules."""

from __future__ import annotations

from dataclasses import dataclass, replace

from toolkit.errors import Conflict, NotFound, ValidationError
from toolkit.model import permissions
from toolkit.model import service as rules
from toolkit.model import tags as tag_rules
from toolkit.model.endpoint import ACTIVE, Endpoint, EndpointAction, EndpointStatus, transition
from toolkit.model.network import check_vpc_usable
from toolkit.model.permissions import WhitelistEntry
from toolkit.model.quota import QuotaKind
from toolkit.model.rules import BackendRule
from toolkit.model.service import EndpointService, PortMapping, ServiceStatus, ServiceType
from toolkit.model.tags import Tag
from toolkit.registry import lookup, mirror
from toolkit.registry.base import Base
from toolkit.store.sqlite import Txn

NOT_FOUND = "Service name not found."
FOUND = "Service name found."


class ServiceCases(Base):
    """Endpoint services as their owner (and the cloud) sees them."""

    def create_service(self, *, vpc: str, server_type: str, port_id: str, ports: list[PortMapping],
                       name: str | None = None, approval: bool = False, tags: list[Tag] = (),
                       description: str = "", service_type: str = "interface") -> tuple[EndpointService, list[str]]:
        """S3–S8, S11: a user interface service; returns it and any warnings (deprecated backend)."""
        rules.validate_user_type(service_type)
        server, warning = rules.validate_server_type(server_type)
        port_id = rules.validate_port_id(port_id)
        mappings = rules.validate_ports(list(ports))
        tag_list = tag_rules.make_tags(list(tags))
        description = rules.validate_description(description, "S4")
        if name:
            rules.validate_short_name(name)
        with self._write("create a service") as txn:
            vpc_obj = lookup.vpc(txn, self.account, vpc)
            check_vpc_usable(vpc_obj, None)
            _refuse_builtin_name(txn, name)
            lookup.check_quota(txn, self.settings, self.account, QuotaKind.SERVICE)
            service = self._new_service(name, server, port_id, vpc_obj.id, approval, mappings, tag_list, description)
            txn.put("services", service.to_dict())
        return service, [warning] if warning else []

    def _new_service(self, name, server, port_id, vpc_id, approval, mappings, tag_list, description):
        service_id, now, ident = self.ids(), self.clock(), self.identity
        return EndpointService(
            id=service_id, service_name=rules.stored_name(ident.region, name, service_id),
            service_type=ServiceType.INTERFACE, server_type=server, port_id=port_id, vpc_id=vpc_id,
            approval_enabled=approval, ports=mappings, tags=tag_list, description=description,
            status=ServiceStatus.AVAILABLE, domain_id=self.account, project_id=ident.project, region=ident.region,
            created_at=now, updated_at=now, short_name=name or "")

    def list_services(self, name: str = "", id_: str = "", tags: list[Tag] = ()) -> list[EndpointService]:
        """E12: the services the caller may see (own, built-in, whitelisting it), by name or id keyword and tags."""
        tags = tag_rules.search_tags(list(tags))
        account = self.account  # first: an unknown --as is refused even where only built-ins would show
        with self.store.read() as txn:
            services = [s for s in map(EndpointService.from_dict, txn.select("services"))
                        if lookup.may_see(txn, account, s)]
            counts = txn.count_by("endpoints", "service_id", status=lookup.ACTIVE_STATUSES)
        found = []
        for service in services:
            if name.lower() in service.service_name.lower() and id_.lower() in service.id and \
                    tag_rules.matches(service.tags, tags):
                found.append(service.with_count(counts.get(service.id, 0)))
        return found

    def get_service(self, ref: str) -> EndpointService:
        """A service the caller owns, a built-in one, or one that whitelists the caller."""
        with self.store.read() as txn:
            service = lookup.find_service(txn, self.account, ref)
            if service is None or not lookup.may_see(txn, self.account, service):
                raise NotFound(f"no service {ref!r}", rule="E3", fix="see `vpcep service list`")
            return lookup.counted(txn, service)

    def verify_service(self, name: str) -> bool:
        """E2/E3: is there a service with this stored name in the state's region that the caller may see?"""
        with self.store.read() as txn:
            docs = txn.select("services", name=name.strip())
            service = EndpointService.from_dict(docs[0]) if docs else None
            return bool(service) and service.region == self.identity.region and \
                lookup.may_see(txn, self.account, service)

    def delete_service(self, ref: str) -> EndpointService:
        """S10: only user services, refused while an endpoint is accepted or creating (C2: by the cloud first)."""
        if (mirrored := mirror.service_of(self, ref)) is not None:
            mirror.delete_service(self, mirrored)
            return replace(mirrored, status=ServiceStatus.DELETED)
        with self._write("delete a service") as txn:
            service = lookup.owned_service(txn, self.account, ref)
            rules.require_user_service(service, "deleted")
            active = [e for e in lookup.endpoints_of(txn, service) if e.status in ACTIVE]
            if active:
                raise Conflict(f"service {service.service_name} has {len(active)} accepted or creating endpoint(s)",
                               rule="S10", fix="reject or delete those endpoints first")
            now = self.clock()
            for endpoint in lookup.endpoints_of(txn, service):
                txn.put("endpoints", transition(endpoint, EndpointAction.FAIL, now).to_dict())
            for table in ("whitelist", "rules", "connection_notes"):
                for doc in txn.select(table, service_id=service.id):
                    txn.delete(table, doc["id"])
            txn.delete("services", service.id)
        return replace(service, status=ServiceStatus.DELETED)

    # -- connection management (S12) ----------------------------------------
    def connections(self, ref: str) -> list[Endpoint]:
        """S12: the endpoints connected to an own service; of a cloud service, only the caller's own."""
        with self.store.read() as txn:
            return self._connected(txn, lookup.owned_service(txn, self.account, ref))

    def _connected(self, txn: Txn, service: EndpointService) -> list[Endpoint]:
        """The endpoints of a service the caller may list: all of an own one, only its own of a cloud one (S12)."""
        return [e for e in lookup.endpoints_of(txn, service) if not service.builtin or e.domain_id == self.account]

    def accept(self, ref: str, endpoint_ids: list[str]) -> list[Endpoint]:
        return self._decide(ref, endpoint_ids, EndpointAction.ACCEPT)

    def reject(self, ref: str, endpoint_ids: list[str]) -> list[Endpoint]:
        return self._decide(ref, endpoint_ids, EndpointAction.REJECT)

    def _decide(self, ref: str, endpoint_ids: list[str], action: EndpointAction) -> list[Endpoint]:
        """S12/E8: all or none of the given endpoints change (C2: a mirrored service's, in the cloud first)."""
        if (mirrored := mirror.service_of(self, ref)) is not None:
            return mirror.decide(self, mirrored, endpoint_ids, action == EndpointAction.ACCEPT)
        with self._write(f"{action} endpoints") as txn:
            service = lookup.owned_service(txn, self.account, ref)
            mine = {e.id: e for e in lookup.endpoints_of(txn, service)}
            if not service.approval_enabled and not _pending(mine.values()):
                raise ValidationError(f"service {service.service_name} has approval off; nothing to {action}",
                                      rule="S12", fix="connections are accepted automatically")
            now, changed = self.clock(), []
            for endpoint_id in dict.fromkeys(endpoint_ids):
                if endpoint_id not in mine:
                    raise NotFound(f"endpoint {endpoint_id} is not connected to {service.service_name}", rule="S12",
                                   fix="see `vpcep service connections`")
                _require_decidable(service, mine[endpoint_id], action)
                changed.append(transition(mine[endpoint_id], action, now))
                txn.put("endpoints", changed[-1].to_dict())
        return changed

    # -- whitelist (S13) --------------------------------------------------------
    def whitelist(self, ref: str) -> list[WhitelistEntry]:
        with self.store.read() as txn:
            return lookup.entries(txn, lookup.owned_service(txn, self.account, ref))

    def whitelist_add(self, ref: str, entries: list[str], description: str = "") -> list[WhitelistEntry]:
        """S13: add entries (already present ones are kept as they are)."""
        wanted = [permissions.normalize(entry) for entry in entries]
        description = note_text(description, "S13")
        if (mirrored := mirror.service_of(self, ref)) is not None:
            return mirror.whitelist_add(self, mirrored, wanted, description)
        with self._write("change a whitelist") as txn:
            service = lookup.owned_service(txn, self.account, ref)
            rules.require_user_service(service, "given a whitelist")
            present = {e.permission for e in lookup.entries(txn, service)}
            for permission in dict.fromkeys(wanted):
                if permission not in present:
                    entry = WhitelistEntry(id=self.ids(), permission=permission, description=description,
                                           created_at=self.clock())
                    txn.put("whitelist", {**entry.to_dict(), "service_id": service.id})
            return lookup.entries(txn, service)

    def whitelist_remove(self, ref: str, entries: list[str]) -> list[WhitelistEntry]:
        """S13: remove entries, by their text or their id."""
        mirrored = mirror.service_of(self, ref)
        with self._write("change a whitelist") as txn:
            service = lookup.owned_service(txn, self.account, ref)
            current = lookup.entries(txn, service)
            gone = []
            for text in entries:
                match = [e for e in current if e.id == text or e.permission == _normalized_or_raw(text)]
                if not match:
                    raise NotFound(f"{text!r} is not on the whitelist of {service.service_name}", rule="S13",
                                   fix="list it with `vpcep service whitelist`")
                gone.append(match[0].id)
                if mirrored is None:
                    txn.delete("whitelist", match[0].id)
            if mirrored is None:
                return lookup.entries(txn, service)
        return mirror.whitelist_remove(self, mirrored, gone)

    # -- changes after creation (issue 9): service update, connection and whitelist descriptions ----------
    def update_service(self, ref: str, *, approval: bool | None = None, description: str | None = None,
                       name: str | None = None) -> tuple[EndpointService, list[str]]:
        """S2, S4, S5: change an own service's approval, description or name; ports stay as created (S6).

        A new name gives the stored name `<region>.<name>.<id>` (its endpoints show it too). Turning approval
        off leaves pendingAcceptance endpoints pending, as the cloud's API does; the owner can still accept or
        reject those (S12), and the warnings returned name them. Nothing to change is a plain read.
        """
        description = None if description is None else note_text(description, "S4")
        if name is not None:
            rules.validate_short_name(name)
        if approval is None and description is None and name is None:
            return self.get_service(ref), []
        if (mirrored := mirror.service_of(self, ref)) is not None:
            changes = {"approval_enabled": approval, "description": description, "service_name": name}
            return mirror.update_service(self, mirrored, **{k: v for k, v in changes.items() if v is not None}), []
        with self._write("change a service") as txn:
            service = lookup.owned_service(txn, self.account, ref)
            rules.require_user_service(service, "changed")
            _refuse_builtin_name(txn, name)
            changed = self._changed_service(service, approval, description, name)
            txn.put("services", changed.to_dict())
            if changed.service_name != service.service_name:
                self._rename_in_endpoints(txn, changed)
            return changed, self._left_pending(txn, service, changed)

    def _changed_service(self, service: EndpointService, approval, description, name) -> EndpointService:
        changes = {"updated_at": self.clock()}
        if approval is not None:
            changes["approval_enabled"] = approval
        if description is not None:
            changes["description"] = description
        if name is not None:
            changes["short_name"] = name
            changes["service_name"] = rules.stored_name(service.region, name, service.id)
        return replace(service, **changes)

    def _rename_in_endpoints(self, txn: Txn, service: EndpointService) -> None:
        """S5: endpoints carry their service's stored name (E13), so a rename reaches them."""
        for endpoint in lookup.endpoints_of(txn, service):
            txn.put("endpoints", replace(endpoint, endpoint_service_name=service.service_name).to_dict())

    def _left_pending(self, txn: Txn, before: EndpointService, after: EndpointService) -> list[str]:
        waiting = _pending(lookup.endpoints_of(txn, after))
        if not before.approval_enabled or after.approval_enabled or not waiting:
            return []
        return [f"{len(waiting)} endpoint(s) stay pendingAcceptance [S12]: accept or reject them with "
                f"`vpcep service accept|reject {after.id} ENDPOINT_ID`"]

    def connection_list(self, ref: str) -> list["Connection"]:
        """S12: an own service's connections with the owner's description of each."""
        with self.store.read() as txn:
            service = lookup.owned_service(txn, self.account, ref)
            return self._described(txn, service, self._connected(txn, service))

    def connection_descriptions(self, ref: str) -> dict[str, str]:
        """S12: the owner's description of each connection of an own service, by endpoint id."""
        with self.store.read() as txn:
            return self._notes(txn, lookup.owned_service(txn, self.account, ref))

    def describe_connections(self, ref: str, descriptions: dict[str, str]) -> list["Connection"]:
        """S12: set the owner's description of connections (all or none change); returns every connection."""
        texts = {endpoint_id: note_text(text, "S12") for endpoint_id, text in descriptions.items()}
        if mirror.service_of(self, ref) is not None:
            mirror.refuse(f"service {ref}")
        with self._write("describe connections") as txn:
            service = lookup.owned_service(txn, self.account, ref)
            rules.require_user_service(service, "given connection descriptions")
            endpoints = lookup.endpoints_of(txn, service)
            known, now = {e.id for e in endpoints}, self.clock()
            for endpoint_id, text in texts.items():
                if endpoint_id not in known:
                    raise NotFound(f"endpoint {endpoint_id} is not connected to {service.service_name}", rule="S12",
                                   fix="see `vpcep service connections`")
                txn.put("connection_notes", {"id": endpoint_id, "service_id": service.id, "description": text,
                                             "updated_at": now})
            return self._described(txn, service, endpoints)

    def _described(self, txn: Txn, service: EndpointService, endpoints: list[Endpoint]) -> list["Connection"]:
        notes = self._notes(txn, service)
        return [Connection(e, notes.get(e.id, "")) for e in endpoints]

    @staticmethod
    def _notes(txn: Txn, service: EndpointService) -> dict[str, str]:
        return {d["id"]: d["description"] for d in txn.select("connection_notes", service_id=service.id)}

    def whitelist_describe(self, ref: str, descriptions: dict[str, str]) -> list[WhitelistEntry]:
        """S13: change the description of existing entries, named by their text or id (all or none change)."""
        texts = {entry: note_text(text, "S13") for entry, text in descriptions.items()}
        if mirror.service_of(self, ref) is not None:
            mirror.refuse(f"service {ref}")
        with self._write("change a whitelist") as txn:
            service = lookup.owned_service(txn, self.account, ref)
            current = lookup.entries(txn, service)
            for text, description in texts.items():
                match = [e for e in current if e.id == text or e.permission == _normalized_or_raw(text)]
                if not match:
                    raise NotFound(f"{text!r} is not on the whitelist of {service.service_name}", rule="S13",
                                   fix="add it with `vpcep service whitelist ID --add ENTRY --description TEXT`")
                entry = replace(match[0], description=description)
                txn.put("whitelist", {**entry.to_dict(), "service_id": service.id})
            return lookup.entries(txn, service)

    # -- tags and backend rules ---------------------------------------------------
    def service_tags(self, ref: str, set_: list[Tag] = (), delete: list[str] = ()) -> tuple[Tag, ...]:
        """T1–T4 on an own service; with nothing to change, a read (the owner's too)."""
        if not set_ and not delete:
            with self.store.read() as txn:
                return lookup.owned_service(txn, self.account, ref).tags
        if (mirrored := mirror.service_of(self, ref)) is not None:
            return mirror.service_tags(self, mirrored, set_, delete)
        with self._write("change tags") as txn:
            service = lookup.owned_service(txn, self.account, ref)
            rules.require_user_service(service, "tagged")
            service = replace(service, tags=tag_rules.edit_tags(service.tags, list(set_), list(delete)),
                              updated_at=self.clock())
            txn.put("services", service.to_dict())
        return service.tags

    def service_rules(self, ref: str, add: list[BackendRule] = (), remove: list[BackendRule] = ()) -> list[BackendRule]:
        """S15: the backend's inbound rules as the admin recorded them (a cloud service has none)."""
        if not add and not remove:
            with self.store.read() as txn:
                service = lookup.owned_service(txn, self.account, ref)
                return [] if service.builtin else lookup.rules(txn, service)
        with self._write("change backend rules") as txn:
            service = lookup.owned_service(txn, self.account, ref)
            rules.require_user_service(service, "given backend rules")
            current = {rule: rid for rid, rule in lookup.rule_rows(txn, service)}
            for rule in remove:
                if rule not in current:
                    raise NotFound(f"no rule {rule.spec} on {service.service_name}", rule="S15")
                txn.delete("rules", current.pop(rule))
            for rule in add:
                if rule not in current:
                    current[rule] = self.ids()
                    txn.put("rules", {"id": current[rule], "service_id": service.id, **rule.to_dict()})
            return lookup.rules(txn, service)

def _refuse_builtin_name(txn: Txn, name: str | None) -> None:
    """S2/S5: `obs`, `dns` (and the region's other cloud services) name the built-in services."""
    if name and any(d["short_name"] == name for d in txn.select("services", domain_id="cloud")):
        raise ValidationError(f"service name {name!r} is taken by a built-in cloud service", rule="S2",
                              fix="choose another --name")


def _normalized_or_raw(text: str) -> str:
    try:
        return permissions.normalize(text)
    except ValidationError:
        return text




@dataclass(frozen=True)
class Connection:
    """S12: one endpoint as its service's owner sees it, with the owner's description of the connection."""

    endpoint: Endpoint
    description: str = ""

    def to_dict(self) -> dict:
        """The API's ConnectionEndpoints shape."""
        e = self.endpoint
        return {"id": e.id, "marker_id": e.marker_id, "status": str(e.status), "domain_id": e.domain_id,
                "created_at": e.created_at, "updated_at": e.updated_at, "description": self.description}


def note_text(text: str, rule: str) -> str:
    """S4/S12/S13: a description as the API takes it: one printable line of at most 512 characters, no < or >."""
    text = rules.validate_description(text, rule)
    if "<" in text or ">" in text:
        raise ValidationError(f"description {text[:20]!r} holds < or >, which the API refuses", rule=rule,
                              fix="drop the < and > characters")
    return text


def _pending(endpoints) -> list[Endpoint]:
    return [e for e in endpoints if e.status == EndpointStatus.PENDING]


def _require_decidable(service: EndpointService, endpoint: Endpoint, action: EndpointAction) -> None:
    """S12: with approval off only the endpoints left pendingAcceptance (approval was on) can still be decided."""
    if not service.approval_enabled and endpoint.status != EndpointStatus.PENDING:
        raise ValidationError(f"service {service.service_name} has approval off; endpoint {endpoint.id} is "
                              f"{endpoint.status}, only endpoints left pendingAcceptance can be {action.past}", rule="S12",
                              fix=f"turn approval on first: `vpcep service update {service.id} --approval on`")
