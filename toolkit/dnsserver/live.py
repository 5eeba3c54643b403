"""Keeps the served snapshot current: rebuilds when the registry's generation moves, bumps serials, says what changed."""

from __future__ import annotations

import ipaddress
import logging

from toolkit.dnsserver.answers import AuthTable, ObsTable
from toolkit.dnsserver.chain import Snapshot
from toolkit.dnsserver.source import ZoneSource
from toolkit.dnsserver.wire import name_to_wire
from toolkit.dnsserver.zones import (PrivateZone, Zone, absolute, build_private, next_serial, private_home,
                                     private_origin)
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
        self.serials: dict[str, int] = {}  # what this process last recorded
        self.contents: dict[str, frozenset] = {}  # in memory only: the content of each serial
        self.entries: dict[str, list[tuple[int, int, list[str], list[str]]]] = {}

    def stored_serial(self, origin: str) -> int | None:
        """The serial last recorded for a zone (in the state, or by this process)."""
        if self.store is not None:
            try:
                return self.store.zone_serial(origin)
            except StoreError:
                return None
        return self.serials.get(origin)

    def advance(self, origin: str, generation: int, content: list[str]) -> int:
        """The serial for this content: the recorded one when unchanged, else a new one (RFC 1982 after it)."""
        if self.store is not None and not self.record:  # `dns export`/`records`: read, never write
            try:
                old = self.store.zone_state(origin)
            except StoreError:
                old = None
            same = old is not None and set(old[1]) == set(content)
            return old[0] if same else next_serial(None if old is None else old[0])
        if self.store is not None:
            try:
                self.serials[origin] = self.store.advance_zone(origin, generation, content, next_serial)
                return self.serials[origin]
            except StoreError as exc:
                self._in_memory(origin, exc)
        content = frozenset(content)
        old = self.contents.get(origin)
        if old == content:
            return self.serials[origin]
        return self._memorise(origin, sorted(old - content) if old else [], sorted(content - old) if old else [],
                              content)

    def advance_delta(self, origin: str, generation: int, removed: list[str], added: list[str], whole) -> int:
        """A change given as its delta (`whole()`: the zone's lines, when the delta cannot be recorded as such)."""
        if self.store is not None and self.record:
            try:
                serial = self.store.advance_zone_delta(origin, generation, self.serials.get(origin), removed, added,
                                                       next_serial)
            except StoreError as exc:
                self._in_memory(origin, exc)
            else:
                if serial is not None:
                    self.serials[origin] = serial
                    return serial
        if self.store is not None or origin not in self.contents:
            return self.advance(origin, generation, whole())
        return self._memorise(origin, removed, added, (self.contents[origin] - set(removed)) | set(added))

    def _memorise(self, origin: str, removed: list[str], added: list[str], content: frozenset) -> int:
        old = self.serials.get(origin)
        serial = self.serials[origin] = next_serial(old)
        if old is not None and origin in self.contents:  # no entry from content this process never held
            entries = self.entries.setdefault(origin, [])
            entries.append((old, serial, removed, added))
            del entries[:-1000]
        self.contents[origin] = content
        return serial

    def _in_memory(self, origin: str, exc: StoreError) -> None:
        log.warning("cannot record the serial of %s in the state (%s): kept in memory", origin, exc)
        self.store = None

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
    """The current snapshot of a registry plus static zones; `refresh()` catches up when anything committed."""

    def __init__(self, registry: ZoneSource, settings, static: list[Zone], ns_address: str,
                 record: bool = True) -> None:
        check_obs(settings.obs)
        self.registry, self.settings, self.static = registry, settings, static
        self.ns_address = ns_address
        identity = registry.identity
        self.origin = private_origin(settings.dns.name_template, identity)
        self.obs_apex = name_to_wire(obs_origin(identity))
        self.obs = (ObsTable(obs_origin(identity), settings.obs.addresses, settings.dns.ttl)
                    if settings.obs.mode == "local" else None)
        self.generation: int | None = None
        self.private: dict[str, PrivateZone] = {}
        self.owners: dict[str, list] = {}  # endpoint id → the (zone origin, wire name, address) it put in
        self.journal = Journal(getattr(registry, "store", None), record)
        self.snapshot = Snapshot([], AuthTable([]), self.obs)
        self.moved = self.refresh()  # at start: the zones whose serial moved while we were down

    def refresh(self) -> list:
        """Catch up with the registry: apply the endpoints changed since the last generation seen (a full
        rebuild at start, or when the change log does not reach back); the private zones whose serial moved."""
        try:
            generation = self.registry.generation()
            if generation == self.generation:
                return []
            if self.generation is not None:
                changes = self.registry.private_changes(self.generation)
                if changes is not None:
                    return self._apply(*changes)
            records = self.registry.private_records()
        except StoreError as exc:
            log.warning("state unreadable, still serving the last snapshot: %s", exc)
            return []
        self.generation = generation
        return self._rebuild(records)

    def _rebuild(self, records) -> list:
        owners: dict[str, list] = {}
        built = build_private(records, self.origin, self.settings.dns.ttl, 0, self.ns_address, owners)
        changed, zones = [], {}
        for zone in built:
            old = self.private.get(zone.origin)
            if old is not None and old.content() == zone.content():
                zones[zone.origin] = old
                continue
            stored = self.journal.stored_serial(zone.origin) if old is None else None
            zone.serial = self.journal.advance(zone.origin, self.generation or 0, zone.lines())
            zones[zone.origin] = zone
            if old is not None or stored != zone.serial:
                changed.append(zone)
        self.owners = owners
        if changed or zones.keys() != self.private.keys():
            self.private = zones
            every = list(zones.values()) + self.static
            self.snapshot = Snapshot(every, AuthTable(every), self.obs)
        return changed

    def _apply(self, generation: int, now: dict[str, list]) -> list:
        """The changed endpoints' records put into the zones in place, a serial and journal entry per zone
        whose records moved (issue 15: a change costs the same at 100 and at 100,000 names)."""
        placed = {eid: [self._place(record) for record in records] for eid, records in now.items()}
        if any(spot is None for spots in placed.values() for spot in spots):  # a zone of its own appears
            self.generation = generation
            return self._rebuild(self.registry.private_records())
        moved: dict[str, tuple[set, set]] = {}
        for eid, spots in placed.items():
            for origin, key, ip in self.owners.pop(eid, ()):
                zone = self.private[origin]
                if zone.remove(key, ip):
                    moved.setdefault(origin, (set(), set()))[0].add(zone.line(key, ip))
            for origin, key, ip in spots:
                zone = self.private[origin]
                if zone.add(key, ip):
                    moved.setdefault(origin, (set(), set()))[1].add(zone.line(key, ip))
            if spots:
                self.owners[eid] = spots
        self.generation = generation
        changed = []
        for origin, (removed, added) in moved.items():
            removed, added = removed - added, added - removed  # taken off by one endpoint, put back by another
            if removed or added:
                zone = self.private[origin]
                zone.serial = self.journal.advance_delta(origin, generation, sorted(removed), sorted(added), zone.lines)
                changed.append(zone)
        if changed:
            self.snapshot.table.changed()
            self.snapshot = Snapshot(self.snapshot.zones, self.snapshot.table, self.obs)
        return changed

    def _place(self, record):
        """(zone origin, wire name, address) of a record, or None when its zone is not served yet."""
        name = absolute(record.name)
        zone = self.private.get(private_home(name, self.origin))
        return None if zone is None else (zone.origin, zone.key_of(name), record.ip)
