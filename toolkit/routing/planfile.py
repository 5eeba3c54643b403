"""Route plans as TOML files: written by `routes plan`, loaded (and checked line by line) by the rest."""

from __future__ import annotations

import functools
import json
import re
import tomllib
from pathlib import Path

from netaddr import IPNetwork

from toolkit.errors import ConfigError, PlanFileError, ValidationError
from toolkit.model.network import ENDPOINT_SOURCE_CIDR
from toolkit.routing.plan import SEVERITIES, Finding, InboundRule, Plan, PlannedRoute, address, network
from toolkit.routing.protos import DEFAULT as DEFAULT_PROTO

VERSION = 1
SOURCE = IPNetwork(str(ENDPOINT_SOURCE_CIDR))
PURPOSES = {"dns-endpoint": "O3", "obs": "O4", "endpoint": "O6", "extra": "O5"}
"""purpose → rule; a plan file without `endpoint` routes (written before they were planned) loads as it is."""
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z_]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z_]+)\s*=")
_CIDR = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2})$")


def dumps(plan: Plan) -> str:
    """The plan as TOML, comments saying where each part comes from."""
    lines = ["# vpcep route plan: edit freely; `vpcep routes apply` checks it before touching the kernel.",
             f"version = {VERSION}", f"gateway = {_q(plan.gateway)}", f"proto = {plan.proto}",
             f"region = {_q(plan.region)}", f"domain = {_q(plan.domain)}", "",
             "[dns]  # O2: resolvers forward these zones to the DNS endpoint(s)",
             f"forwarders = {_list(plan.forwarders)}", f"zones = {_list(plan.zones)}"]
    for route in plan.routes:
        lines += ["", f"[[route]]  # {route.rule}", f"dst = {_q(route.dst)}", f"via = {_q(route.via)}",
                  f"purpose = {_q(route.purpose)}"]
    for rule in plan.inbound:
        lines += ["", "[[inbound]]  # S15: allow on the service's backend", f"service = {_q(rule.service)}",
                  f"server_type = {_q(rule.server_type)}", f"cidr = {_q(rule.cidr)}", f"port = {rule.port}",
                  f"recorded = {'true' if rule.recorded else 'false'}"]
    for finding in plan.findings:
        lines += ["", "[[finding]]", f"severity = {_q(finding.severity)}", f"rule = {_q(finding.rule)}",
                  f"message = {_q(finding.message)}", f"fix = {_q(finding.fix)}"]
    return "\n".join(lines) + "\n"


def save(plan: Plan, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(dumps(plan), encoding="utf-8")
    tmp.replace(path)
    return path


def load(path: str | Path) -> Plan:
    """Read and check a plan; PlanFileError lists every problem with its line and rule."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"route plan {path} cannot be read: {exc.strerror}",
                          fix="give a plan written by `vpcep routes plan --out`") from None
    return loads(text, str(path))


def loads(text: str, name: str = "<plan>") -> Plan:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        raise PlanFileError(name, [(line, "O3", f"not TOML: {exc}")]) from None
    checker = _Checker(text)
    plan = checker.plan(data)
    if checker.problems:
        raise PlanFileError(name, checker.problems)
    return plan


class _Checker:
    """Collects (line, rule, message) problems while building the Plan."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: dict | None = None
        self.problems: list[tuple[int, str, str]] = []

    def line(self, table: str, index: int, key: str) -> int:
        """The line of `key` in the index-th [[table]] (indexed on the first problem only)."""
        if self._lines is None:
            self._lines = _index_lines(self.text)
        return self._lines.get((table, index, key)) or self._lines.get((table, index, "")) or 0

    def check(self, table: str, index: int, key: str, rule: str, fn, value):
        """fn(value), or None after recording the problem at the key's line."""
        try:
            return fn(value)
        except ValidationError as exc:
            self.problems.append((self.line(table, index, key), exc.rule or rule, f"{key}: {exc.message}"))
        except (TypeError, ValueError, KeyError):
            self.problems.append((self.line(table, index, key), rule, f"{key}: {value!r} is not valid"))
        return None

    def plan(self, data: dict) -> Plan:
        if data.get("version", VERSION) != VERSION:
            self.problems.append((self.line("", 0, "version"), "O3", f"version {data.get('version')!r} is not {VERSION}"))
        gateway = self.check("", 0, "gateway", "O3", lambda v: str(address(v, "O3")), data.get("gateway"))
        proto = self.check("", 0, "proto", "O3", _proto, data.get("proto", DEFAULT_PROTO))
        routes = self.routes(data.get("route", []), gateway)
        dns = data.get("dns", {}) if isinstance(data.get("dns", {}), dict) else {}
        forwarders = self.check("dns", 0, "forwarders", "O2", lambda v: tuple(str(address(x, "O2")) for x in v),
                                dns.get("forwarders", []))
        zones = self.check("dns", 0, "zones", "O2", _zones, dns.get("zones", []))
        return Plan(gateway=gateway or "", proto=proto or 0, routes=tuple(r for r in routes if r),
                    forwarders=forwarders or (), zones=zones or (), inbound=self.inbound(data.get("inbound", [])),
                    findings=self.findings(data.get("finding", [])), region=str(data.get("region", "")),
                    domain=str(data.get("domain", "")))

    def routes(self, items, gateway: str | None) -> list[PlannedRoute | None]:
        seen: set[str] = set()
        result = []
        for i, item in enumerate(_tables(items)):
            route = self.route(i, item, gateway)
            if route and route.dst in seen:
                self.problems.append((self.line("route", i, "dst"), route.rule, f"dst: {route.dst} is planned twice"))
            seen.add(route.dst if route else "")
            result.append(route)
        return result

    def route(self, i: int, item: dict, gateway: str | None) -> PlannedRoute | None:
        purpose = item.get("purpose", "extra")
        rule = PURPOSES.get(purpose, "O5")
        if purpose not in PURPOSES:
            self.problems.append((self.line("route", i, "purpose"), "O5",
                                  f"purpose: {purpose!r} is not one of {', '.join(PURPOSES)}"))
        dst = self.check("route", i, "dst", rule, lambda v: _routable(v, rule), item.get("dst"))
        via = self.check("route", i, "via", rule, lambda v: _address(str(v), rule), item.get("via", gateway))
        return PlannedRoute(dst, via, purpose, rule) if dst and via else None

    def inbound(self, items) -> tuple[InboundRule, ...]:
        rules = []
        for i, item in enumerate(_tables(items)):
            port = self.check("inbound", i, "port", "S15", _port, item.get("port"))
            cidr = self.check("inbound", i, "cidr", "S15", lambda v: str(network(v, "S15")), item.get("cidr"))
            if port and cidr:
                rules.append(InboundRule(str(item.get("service", "")), str(item.get("server_type", "")), cidr, port,
                                         bool(item.get("recorded", False))))
        return tuple(rules)

    def findings(self, items) -> tuple[Finding, ...]:
        found = []
        for i, item in enumerate(_tables(items)):
            severity = item.get("severity", "info")
            if severity not in SEVERITIES:
                self.problems.append((self.line("finding", i, "severity"), str(item.get("rule", "")),
                                      f"severity: {severity!r} is not one of {', '.join(SEVERITIES)}"))
                continue
            found.append(Finding(severity, str(item.get("rule", "")), str(item.get("message", "")), str(item.get("fix", ""))))
        return tuple(found)


def _routable(value, rule: str) -> str:
    """A destination the on-prem side may route: never into the endpoint source range (S11)."""
    first, last, text = _plain_cidr(value) or _parsed(value, rule)
    if first <= SOURCE.last and SOURCE.first <= last:
        raise ValidationError(f"{text} overlaps {SOURCE}, the endpoint source range", rule="S11")
    return text


@functools.lru_cache(maxsize=256)
def _address(value: str, rule: str) -> str:
    """Plans repeat one or two gateways thousands of times: check each once."""
    return str(address(value, rule))


def _plain_cidr(value) -> tuple[int, int, str] | None:
    """Fast path for the canonical `a.b.c.d/n` that `dumps` writes (10,000-route plans load in a blink)."""
    match = _CIDR.match(value) if isinstance(value, str) else None
    if not match or any(int(octet) > 255 or (octet[0] == "0" and octet != "0") for octet in match.groups()[:4]):
        return None
    length = int(match.group(5))
    number = int.from_bytes(bytes(int(octet) for octet in match.groups()[:4]), "big")
    size = 1 << (32 - length) if length <= 32 else 0
    if not size or number % size:
        return None
    return number, number + size - 1, value


def _parsed(value, rule: str) -> tuple[int, int, str]:
    net = network(value, rule)
    return net.first, net.last, str(net)


def _tables(items) -> list[dict]:
    return [item if isinstance(item, dict) else {} for item in (items if isinstance(items, list) else [])]


def _proto(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 255 or value in (1, 2, 3, 4):
        raise ValidationError(f"{value!r} is not a route protocol number 5–255 (1–4 belong to the kernel)", rule="O3")
    return value


def _port(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValidationError(f"{value!r} is not a TCP port 1–65535", rule="S15")
    return value


def _zones(values) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9_.-]+", v) for v in values):
        raise ValidationError(f"{values!r} is not a list of domain names", rule="O2")
    return tuple(v.strip(".").lower() for v in values)


def _index_lines(text: str) -> dict[tuple[str, int, str], int]:
    """(table, index, key) → line number, for the flat layout `dumps` writes (and hand edits of it)."""
    found: dict[tuple[str, int, str], int] = {}
    table, counts = "", {}
    index = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(raw):
            table = header.group(1)
            index = counts[table] = counts.get(table, -1) + 1
            found.setdefault((table, index, ""), number)
        elif key := _KEY.match(raw):
            found.setdefault((table, index, key.group(1)), number)
    return found


def _q(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def _list(values) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"
