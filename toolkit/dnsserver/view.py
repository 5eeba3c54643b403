"""The zone view `vpcep dns records` and the TUI's DNS area share: the zones exactly as the server would
answer them now (private from the state, static from zone files), without serving, and each record as a row."""

from __future__ import annotations


class ZoneView:
    """A server's zones, built (and refreshed when the state moves) without binding a socket."""

    def __init__(self, settings, registry, zones_dir: str | None = None) -> None:
        from toolkit.dnsserver.runtime import Options, Service

        self.service = Service(settings, registry, Options(zones_dir=zones_dir, listen=list(settings.dns.listen),
                                                           record_serials=False))  # a view never writes the state

    def zones(self, only: str | None = None) -> list:
        """The zones now (only the zone `only` when given, any case, with or without the final dot)."""
        live = self.service.live
        live.refresh()
        return select(live.snapshot.zones, only)


def select(zones, only: str | None = None) -> list:
    """`zones`, or just the one whose origin is `only`."""
    return [z for z in zones if not only or z.origin == only.rstrip(".").lower() + "."]


def record_row(zone, rr) -> dict:
    """One record as `dns records --json` prints it: full name, TTL, type, zone-file data, the zone."""
    from dnslib import QTYPE

    return {"name": str(rr.rname), "ttl": rr.ttl, "type": QTYPE.get(rr.rtype), "data": rr.rdata.toZone(),
            "zone": zone.origin}


def zone_dict(zone) -> dict:
    """One zone with its records, as `dns records --json` prints it."""
    return {"origin": zone.origin, "serial": zone.serial, "source": zone.source,
            "records": [record_row(zone, rr) for rr in zone.records]}
