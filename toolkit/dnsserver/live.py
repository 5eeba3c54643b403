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


class Live:
    """The current snapshot of a registry plus static zones; `refresh()` rebuilds when anything committed."""

    def __init__(self, registry: ZoneSource, settings, static: list[Zone], ns_address: str) -> None:
        self.registry, self.settings, self.static = registry, settings, static
        self.ns_address = ns_address
        identity = registry.identity
        self.origin = private_origin(settings.dns.name_template, identity)
        self.obs_apex = name_to_wire(obs_origin(identity))
        self.obs = (ObsTable(obs_origin(identity), settings.obs.addresses, settings.dns.ttl)
                    if settings.obs.mode == "local" else None)
        self.generation: int | None = None
        self.private: dict[str, Zone] = {}
        self.snapshot = Snapshot([], AuthTable([]), self.obs)
        self.refresh()

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
            else:
                zones[zone.origin] = zone.with_serial(next_serial(old.serial if old else None))
                changed.append(zones[zone.origin])
        if changed or zones.keys() != self.private.keys():
            self.private = zones
            every = list(zones.values()) + self.static
            self.snapshot = Snapshot(every, AuthTable(every), self.obs)
        return changed
