"""Keeps the served snapshot current: rebuilds when the registry's generation moves, bumps serials, says what changed."""

from __future__ import annotations

import ipaddress
import logging

from toolkit.dnsserver.answers import AuthTable, ObsTable
from toolkit.dnsserver.chain import Snapshot
from toolkit.dnsserver.source import ZoneSource
from toolkit.dnsserver.wire import name_to_wire
from toolkit.dnsserver.zones import Zone, absolute, build_private, next_serial, private_origin
from toolkit.errors import ConfigError, StoreError

log = logging.getLogger("vpcep.dns")


def obs_origin(identity) -> str:
    """O2: the OBS names are obs.<region>.<domain> and <bucket>.obs.<region>.<domain>."""
    return absolute(f"obs.{identity.region}.{identity.domain}")


def check_obs(obs) -> None:
    """[obs]: a known mode; local addresses inside obs.cidr; forward mode needs forwarders."""
    if obs.mode not in ("local", "forward"):
        raise ConfigError(f"[obs] mode = {obs.mode!r}", rule="O2", fix='use "local" or "forward"')
    try:
        cidr = ipaddress.ip_network(obs.cidr, strict=False)
        outside = [ip for ip in obs.addresses if ipaddress.ip_address(ip) not in cidr]
    except ValueError as exc:
        raise ConfigError(f"[obs] {exc}", rule="O2", fix="give IPv4 addresses and a CIDR") from None
    if obs.mode == "local" and (outside or not obs.addresses):
        raise ConfigError(f"[obs] addresses {outside or '(none)'} are not inside obs.cidr {obs.cidr}", rule="O4",
                          fix=f"give addresses inside {obs.cidr}")
    if obs.mode == "forward" and not obs.forwarders:
        raise ConfigError('[obs] mode = "forward" needs obs.forwarders', rule="O2",
                          fix="give the DNS endpoint's IP in [obs] forwarders")


class Journal:
    """Zone serials and the IXFR journal: in the state when the registry has one, else in memory."""

    def __init__(self, store=None, record: bool = True) -> None:
        self.store, self.record = store, record
        self.serials: dict[str, tuple[int, frozenset]] = {}  # what this process last recorded
        self.entries: dict[str, list[tuple[int, int, list[str], list[str]]]] = {}

    def state(self, origin: str) -> tuple[int, list[str]] | None:
        """The serial last recorded for a zone and its content."""
        if self.store is not None:
            try:
                return self.store.zone_state(origin)
            except StoreError:
                return None
        return self.serials.get(origin)

    def advance(self, origin: str, generation: int, content: list[str]) -> int:
        """The serial for this content: the recorded one when unchanged, else a new one (RFC 1982 after it)."""
        if self.store is not None and not self.record:  # `dns export`/`records`: read, never write
            old = self.state(origin)
            same = old is not None and set(old[1]) == set(content)
            return old[0] if same else next_serial(None if old is None else old[0])
        if self.store is not None:
            try:
                serial = self.store.advance_zone(origin, generation, content, next_serial, self.serials.get(origin))
                self.serials[origin] = (serial, frozenset(content))
                return serial
            except StoreError as exc:
                log.warning("cannot record the serial of %s in the state (%s): kept in memory", origin, exc)
                self.store = None
        old, content = self.serials.get(origin), frozenset(content)
        if old is not None and old[1] == content:
            return old[0]
        serial = next_serial(None if old is None else old[0])
        if old is not None:
            entries = self.entries.setdefault(origin, [])
            entries.append((old[0], serial, sorted(old[1] - content), sorted(content - old[1])))
            del entries[:-1000]
        self.serials[origin] = (serial, content)
        return serial

    def deltas(self, origin: str, since: int) -> list[tuple[int, int, list[str], list[str]]] | None:
        """The changes from serial `since` to the current one, oldest first; None when not journalled."""
        if self.store is not None:
            try:
                return self.store.zone_journal(origin, since)
            except StoreError:
                return None
        entries = self.entries.get(origin, [])
        starts = [i for i, entry in enumerate(entries) if entry[0] == since]
        return entries[starts[-1]:] if starts else None


class Live:
    """The current snapshot of a registry plus static zones; `refresh()` rebuilds when anything committed."""

    def __init__(self, registry: ZoneSource, settings, static: list[Zone], ns_address: str,
                 record: bool = True) -> None:
        self.registry, self.settings, self.static = registry, settings, static
        self.ns_address = ns_address
        identity = registry.identity
        self.origin = private_origin(settings.dns.name_template, identity)
        self.obs_apex = name_to_wire(obs_origin(identity))
        self.obs = (ObsTable(obs_origin(identity), settings.obs.addresses, settings.dns.ttl)
                    if settings.obs.mode == "local" else None)
        self.generation: int | None = None
        self.private: dict[str, Zone] = {}
        self.journal = Journal(getattr(registry, "store", None), record)
        self.snapshot = Snapshot([], AuthTable([]), self.obs)
        self.moved = self.refresh()  # at start: the zones whose serial moved while we were down

    def refresh(self) -> list[Zone]:
        """Rebuild if the registry changed; the private zones whose content changed (new serial each)."""
        try:
            generation = self.registry.generation()
            if generation == self.generation:
                return []
            records = self.registry.private_records()
        except StoreError as exc:
            log.warning("state unreadable, still serving the last snapshot: %s", exc)
            return []
        self.generation = generation
        return self._rebuild(records)

    def _rebuild(self, records) -> list[Zone]:
        built = build_private(records, self.origin, self.settings.dns.ttl, 0, self.ns_address)
        changed, zones = [], {}
        for zone in built:
            old = self.private.get(zone.origin)
            if old is not None and old.content() == zone.content():
                zones[zone.origin] = old
                continue
            stored = self.journal.state(zone.origin) if old is None else None
            serial = self.journal.advance(zone.origin, self.generation or 0, zone.lines())
            zones[zone.origin] = zone.with_serial(serial)
            if old is not None or stored is None or stored[0] != serial:
                changed.append(zones[zone.origin])
        if changed or zones.keys() != self.private.keys():
            self.private = zones
            every = list(zones.values()) + self.static
            self.snapshot = Snapshot(every, AuthTable(every), self.obs)
        return changed
