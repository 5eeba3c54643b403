"""Command handlers: each calls the registry and prints through Out."""

from __future__ import annotations

import contextlib

from toolkit import config
from toolkit.cli.output import Out, fields, table, tags_text, write
from toolkit.errors import NotFound, UsageError, ValidationError
from toolkit.model.endpoint import MAX_CONNECTIONS
from toolkit.model.quota import parse_setting
from toolkit.model.rules import parse_rule
from toolkit.model.service import parse_port
from toolkit.model.tags import parse_filter, parse_tag, validate_key
from toolkit.registry import Registry
from toolkit.registry.endpoints import EndpointRequest
from toolkit.registry.services import FOUND, NOT_FOUND, Connection


def run(args) -> int:
    """Dispatch on noun and verb to the handler the table in toolkit.cli.handlers names."""
    from toolkit.cli.handlers import handler as handler_of

    settings = config.load(args.config, args.state, args.act_as, bool(args.read_only))
    out = Out(bool(args.json))
    key = args.noun if getattr(args, "verb", None) is None else f"{args.noun} {_canonical(args.verb)}"
    handler = handler_of(key)
    registry = LazyRegistry(settings, create=args.noun in ("init", "demo") or key == "cloud pull")
    try:
        return handler(registry, args, out) or 0
    finally:
        registry.close()


class LazyRegistry:
    """Opens the state on first use, so commands that need none (render, lab) work without one."""

    def __init__(self, settings, create: bool) -> None:
        self.settings = settings
        self._create = create
        self._registry: Registry | None = None

    def __getattr__(self, name: str):
        if self._registry is None:
            self._registry = Registry.open(self.settings, create=self._create)
            if not self._create:
                self._registry.require_account()  # R4: an unknown --as fails every command that reads the state
        return getattr(self._registry, name)

    def close(self) -> None:
        if self._registry is not None:
            self._registry.close()


def _batch(reg, changes: list, action: str):
    """One transaction for a command's several changes, so a refused one leaves the state as it was."""
    return reg.batch(action) if changes else contextlib.nullcontext()


def _paging(args):
    """--limit/--offset/--sort-key/--sort-dir: the API's paging."""
    from toolkit.model.paging import Page
    return Page(args.limit, args.offset, args.sort_key, args.sort_dir)


def _page(items: list, args) -> tuple[list, int]:
    """The items of the page and the total."""
    return _paging(args).cut(items)


def _canonical(verb: str) -> str:
    return {"ls": "list"}.get(verb, verb)


# -- state, accounts, quota ----------------------------------------------------------
def cmd_init(reg: Registry, args, out: Out) -> int:
    ident = reg.settings.identity
    made = reg.init(args.region or ident.region, args.domain or ident.domain,
                    args.account or ident.account, args.project or ident.project)
    out.emit({"region": made.region, "domain": made.domain, "domain_id": made.account, "project_id": made.project,
              "state": str(reg.state_path)},
             f"initialized {reg.state_path}\n" + fields([("Region", made.region), ("Domain", made.domain),
                                                         ("Account", made.account), ("Project", made.project)]))


def cmd_demo(reg: Registry, args, out: Out) -> int:
    from toolkit.cli.demo import build_demo
    build_demo(reg, args.region, args.domain)
    out.note(f"demo state written to {reg.state_path}")
    show_inventory(reg, out)


def show_inventory(reg: Registry, out: Out) -> None:
    """Every account's services and endpoints: the demo's printout."""
    accounts = [a.domain_id for a in reg.list_accounts()]
    if out.json:
        out.emit({a: _inventory_json(reg, a) for a in accounts})
        return
    for account in accounts:
        view = reg.acting(account)
        write(f"== account {account}{' (own)' if account == reg.identity.account else ''}")
        write(_services_table([s for s in view.list_services() if s.domain_id == account]))
        write(_endpoints_table(view.list_endpoints()) + "\n")


def _inventory_json(reg: Registry, account: str) -> dict:
    view = reg.acting(account)
    return {"endpoint_services": [s.to_dict() for s in view.list_services() if s.domain_id == account],
            "endpoints": [e.to_dict() for e in view.list_endpoints()]}


def cmd_quota(reg: Registry, args, out: Out) -> int:
    wanted = [parse_setting(text) for text in args.set_]
    with _batch(reg, wanted, "change quotas"):
        for kind, value in wanted:
            reg.set_quota(kind, value)
    quotas = reg.quotas()
    out.emit({"quotas": {"resources": [q.to_dict() for q in quotas]}},
             table(["type", "used", "quota"], [[q.type, q.used, q.quota] for q in quotas]))


def cmd_account_create(reg: Registry, args, out: Out) -> int:
    account = reg.create_account(args.domain_id, args.org_path)
    out.emit(account.to_dict(), f"account {account.domain_id} registered")


def cmd_account_list(reg: Registry, args, out: Out) -> int:
    accounts, total = _page(reg.list_accounts(), args)
    out.emit({"accounts": [a.to_dict() for a in accounts], "total_count": total},
             table(["domain_id", "org_path", "own"],
                   [[a.domain_id, a.org_path, a.domain_id == reg.identity.account] for a in accounts]))


# -- VPCs and subnets --------------------------------------------------------------------
def cmd_vpc_create(reg: Registry, args, out: Out) -> int:
    vpc = reg.create_vpc(args.name, args.cidr)
    out.emit(vpc.to_dict(), _vpc_text(vpc))


def cmd_vpc_list(reg: Registry, args, out: Out) -> int:
    vpcs, total = _page(reg.list_vpcs(), args)
    out.emit({"vpcs": [v.to_dict() for v in vpcs], "total_count": total},
             table(["name", "id", "cidr", "routetable"], [[v.name, v.id, v.cidr, v.routetable_id] for v in vpcs]))


def cmd_vpc_show(reg: Registry, args, out: Out) -> int:
    vpc = reg.get_vpc(args.ref)
    out.emit(vpc.to_dict(), _vpc_text(vpc))


def cmd_vpc_delete(reg: Registry, args, out: Out) -> int:
    vpc = reg.delete_vpc(args.ref)
    out.emit({**vpc.to_dict(), "deleted": True}, f"VPC {vpc.name} ({vpc.id}) deleted")


def cmd_vpc_routes(reg: Registry, args, out: Out) -> int:
    vpc = reg.get_vpc(args.ref)
    with _batch(reg, args.add + args.remove, "change VPC routes"):
        for text in args.add:
            dest, _, hop = text.partition("@")
            vpc = reg.add_vpc_route(args.ref, dest, hop)
        for dest in args.remove:
            vpc = reg.remove_vpc_route(args.ref, dest)
    out.emit({"routes": [r.to_dict() for r in vpc.routes]},
             table(["destination", "nexthop", "origin"], [[r.destination, r.nexthop, r.origin] for r in vpc.routes]))


def _vpc_text(vpc) -> str:
    return fields([("Name", vpc.name), ("ID", vpc.id), ("CIDR", vpc.cidr), ("Route table", vpc.routetable_id),
                   ("Routes", [f"{r.destination} via {r.nexthop or '-'} ({r.origin})" for r in vpc.routes]),
                   ("Created", vpc.created_at)])


def cmd_subnet_create(reg: Registry, args, out: Out) -> int:
    subnet = reg.create_subnet(args.name, args.vpc, args.cidr)
    out.emit(subnet.to_dict(), fields([("Name", subnet.name), ("ID", subnet.id), ("CIDR", subnet.cidr),
                                       ("Gateway", subnet.gateway_ip), ("VPC", subnet.vpc_id)]))


def cmd_subnet_list(reg: Registry, args, out: Out) -> int:
    subnets, total = _page(reg.list_subnets(args.vpc), args)
    out.emit({"subnets": [s.to_dict() for s in subnets], "total_count": total},
             table(["name", "id", "cidr", "gateway", "vpc_id"],
                   [[s.name, s.id, s.cidr, s.gateway_ip, s.vpc_id] for s in subnets]))


def cmd_subnet_delete(reg: Registry, args, out: Out) -> int:
    subnet = reg.delete_subnet(args.ref, args.vpc)
    out.emit({**subnet.to_dict(), "deleted": True}, f"subnet {subnet.name} ({subnet.id}) deleted")


# -- services ------------------------------------------------------------------------------
def cmd_service_create(reg: Registry, args, out: Out) -> int:
    service, warnings = reg.create_service(
        vpc=args.vpc, server_type=args.backend, port_id=args.port_id, ports=[parse_port(p) for p in args.port],
        name=args.name, approval=args.approval, tags=[parse_tag(t) for t in args.tag], description=args.description,
        service_type=args.service_type)
    for warning in warnings:
        out.note(f"warning: {warning}")
    out.emit(service.to_dict(), _service_text(service))


def cmd_service_list(reg: Registry, args, out: Out) -> int:
    services, total = _page(reg.list_services(args.name, args.id_, [parse_filter(t) for t in args.tag]), args)
    out.emit({"endpoint_services": [s.to_dict() for s in services], "total_count": total},
             _services_table(services))


def _services_table(services) -> str:
    return table(["service_name", "id", "type", "backend", "status", "approval", "conns", "created"],
                 [[s.service_name, s.id, s.service_type, s.server_type or "cloud", s.status, s.approval_enabled,
                   s.connection_count, s.created_at[:19]] for s in services])


def cmd_service_show(reg: Registry, args, out: Out) -> int:
    service = reg.get_service(args.ref)
    out.emit(service.to_dict(), _service_text(service))


def _service_text(s) -> str:
    return fields([
        ("Name", s.service_name), ("ID", s.id), ("Type", s.service_type), ("Backend", s.server_type or "cloud"),
        ("Backend resource", s.port_id), ("VPC", s.vpc_id), ("Status", s.status), ("Approval", s.approval_enabled),
        ("Ports (Service Port→Terminal Port)", [f"TCP {p.server_port}→{p.client_port}" for p in s.ports]), ("Connections", s.connection_count),
        ("Owner", s.domain_id), ("Tags", tags_text(s.tags)), ("Description", s.description),
        ("Created", s.created_at)])


def cmd_service_verify(reg: Registry, args, out: Out) -> int:
    found = reg.verify_service(args.name)
    message = FOUND if found else NOT_FOUND
    out.emit({"service_name": args.name, "found": found, "message": message}, message)
    return 0 if found else 1


def cmd_service_delete(reg: Registry, args, out: Out) -> int:
    service = reg.delete_service(args.ref)
    out.emit(service.to_dict(), f"service {service.service_name} deleted")


def cmd_service_connections(reg: Registry, args, out: Out) -> int:
    if args.describe:
        _connections(reg.describe_connections(args.ref, _pairs(args.describe, "ENDPOINT_ID=TEXT", "S12")), out)
    else:
        _connections(reg.connection_list(args.ref), out)


def cmd_service_accept(reg: Registry, args, out: Out) -> int:
    _decided(reg, args.ref, reg.accept(args.ref, args.endpoint_ids), out)


def cmd_service_reject(reg: Registry, args, out: Out) -> int:
    _decided(reg, args.ref, reg.reject(args.ref, args.endpoint_ids), out)


def _decided(reg: Registry, ref: str, endpoints, out: Out) -> None:
    notes = reg.connection_descriptions(ref)
    _connections([Connection(e, notes.get(e.id, "")) for e in endpoints], out)


def _connections(connections: list[Connection], out: Out) -> None:
    """S12: the API's ConnectionEndpoints; `description` is the service owner's note on the connection."""
    rows = [c.to_dict() for c in connections]
    out.emit({"connections": rows}, table(["endpoint_id", "packet_id", "status", "domain_id", "created", "description"],
                                          [[r["id"], r["marker_id"], r["status"], r["domain_id"],
                                            r["created_at"][:19], r["description"]] for r in rows]))


def cmd_service_whitelist(reg: Registry, args, out: Out) -> int:
    entries = reg.whitelist(args.ref)
    with _batch(reg, args.add + args.remove + args.describe, "change a whitelist"):
        if args.add:
            entries = reg.whitelist_add(args.ref, args.add, args.description)
        if args.remove:
            entries = reg.whitelist_remove(args.ref, args.remove)
        if args.describe:
            entries = reg.whitelist_describe(args.ref, _pairs(args.describe, "ENTRY=TEXT", "S13"))
    out.emit({"permissions": [e.to_dict() for e in entries]},
             table(["permission", "id", "description", "created"],
                   [[e.permission, e.id, e.description, e.created_at[:19]] for e in entries]))


def cmd_service_tag(reg: Registry, args, out: Out) -> int:
    _tags(reg.service_tags(args.ref, [parse_tag(t) for t in args.set_], [validate_key(k) for k in args.delete]), out)


def _tags(tags, out: Out) -> None:
    out.emit({"tags": [t.to_dict() for t in tags]}, table(["key", "value"], [[t.key, t.value] for t in tags]))


def cmd_service_rules(reg: Registry, args, out: Out) -> int:
    rules = reg.service_rules(args.ref, [parse_rule(r) for r in args.add], [parse_rule(r) for r in args.remove])
    out.emit({"rules": [r.to_dict() for r in rules]},
             table(["kind", "cidr", "ports", "action"],
                   [[r.kind, r.cidr, r.spec.split(":")[2], r.action] for r in rules]))


# -- endpoints -------------------------------------------------------------------------------
def cmd_endpoint_create(reg: Registry, args, out: Out) -> int:
    request = EndpointRequest(
        service=args.service, vpc=args.vpc, subnet=args.subnet, ip=args.ip, enable_dns=args.dns,
        routetables=tuple(args.routetable), whitelist=tuple(args.whitelist),
        tags=tuple(parse_tag(t) for t in args.tag), description=args.description)
    endpoint = reg.create_endpoint(request)
    out.emit(endpoint.to_dict(), _endpoint_text(reg, endpoint))


def cmd_endpoint_list(reg: Registry, args, out: Out) -> int:
    filters = (args.id_, args.service, [parse_filter(t) for t in args.tag])
    if out.json:
        chunks = reg.endpoint_docs(_paging(args), *filters)
        out.emit_list("endpoints", next(chunks), chunks)
    else:
        endpoints, _ = reg.endpoints_page(_paging(args), *filters)
        out.emit(None, _endpoints_table(endpoints))


def _endpoints_table(endpoints) -> str:
    return table(["id", "service", "type", "status", "ip", "dns_names", "created"],
                 [[e.id, e.endpoint_service_name, e.service_type, e.status, e.ip, e.dns_names, e.created_at[:19]]
                  for e in endpoints])


def cmd_endpoint_show(reg: Registry, args, out: Out) -> int:
    endpoint = reg.get_endpoint(args.ref)
    out.emit(endpoint.to_dict(), _endpoint_text(reg, endpoint))


def _endpoint_text(reg: Registry, e) -> str:
    """E13: what an admin needs to reach it."""
    ports = _client_ports(reg, e)
    return fields([
        ("ID", e.id), ("Service", e.endpoint_service_name), ("Type", e.service_type), ("Status", e.status),
        ("Private IP", e.ip), ("Private names", e.dns_names), ("VPC", e.vpc_id), ("Subnet", e.subnet_id),
        ("Route tables", e.routetables), ("Packet ID", e.marker_id),
        ("Whitelist", e.whitelist if e.enable_whitelist else "off"), ("Tags", tags_text(e.tags)),
        ("Description", e.description), ("Access", [a for port in ports for a in e.access(port)]),
        ("Connection limit", f"{MAX_CONNECTIONS:,} concurrent [E7]"), ("Created", e.created_at)])


def _client_ports(reg: Registry, endpoint) -> list[int]:
    try:
        return [p.client_port for p in reg.get_service(endpoint.endpoint_service_id).ports]
    except NotFound:  # the service is gone, or hidden from this account
        return []


def cmd_endpoint_delete(reg: Registry, args, out: Out) -> int:
    endpoint = reg.delete_endpoint(args.ref)
    out.emit({**endpoint.to_dict(), "deleted": True}, f"endpoint {endpoint.id} deleted")


def cmd_endpoint_tag(reg: Registry, args, out: Out) -> int:
    _tags(reg.endpoint_tags(args.ref, [parse_tag(t) for t in args.set_], [validate_key(k) for k in args.delete]), out)



# -- changes after creation (issue 9) -----------------------------------------------------------
def cmd_service_update(reg: Registry, args, out: Out) -> int:
    _require_change(args, "approval", "description", "name")
    service, warnings = reg.update_service(args.ref, approval=_switch(args.approval), description=args.description,
                                           name=args.name)
    for warning in warnings:
        out.note(f"warning: {warning}")
    out.emit(service.to_dict(), _service_text(service))


def cmd_endpoint_update(reg: Registry, args, out: Out) -> int:
    _require_change(args, "whitelist", "enable_whitelist")
    endpoint = reg.update_endpoint(args.ref, whitelist=args.whitelist, enable_whitelist=_switch(args.enable_whitelist))
    out.emit(endpoint.to_dict(), _endpoint_text(reg, endpoint))


def _require_change(args, *dests: str) -> None:
    if all(getattr(args, dest) is None for dest in dests):
        flags = ", ".join("--" + dest.replace("_", "-") for dest in dests)
        raise UsageError(f"vpcep {args.noun} update: nothing to change", fix=f"give at least one of {flags}")


def _switch(value: str | None) -> bool | None:
    return None if value is None else value == "on"


def _pairs(items: list[str], form: str, rule: str) -> dict[str, str]:
    """`KEY=TEXT` arguments (TEXT may hold `=`; the last one given for a key wins)."""
    pairs = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"{item!r} is not {form}", rule=rule,
                                  fix=f"write {form}, e.g. {form.split('=')[0]}=\"a note\"")
        pairs[key.strip()] = text
    return pairs
