"""Assembles the server from Settings and a registry, keeps it live, and runs it until told to stop."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.dnsserver.chain import Acl, Chain
from toolkit.dnsserver.forward import Forwarder, Policy, Routes, Upstream
from toolkit.dnsserver.live import Live
from toolkit.dnsserver.server import DnsServer, Limits
from toolkit.dnsserver.source import ZoneSource
from toolkit.dnsserver.wire import name_to_wire
from toolkit.dnsserver.xfr import Peer, Transfers, keyring_from, send_notify
from toolkit.dnsserver.zones import load_static, private_origin
from toolkit.errors import ConfigError

log = logging.getLogger("vpcep.dns")


@dataclass
class Options:
    """What `vpcep dns serve` flags add to or override in [dns]."""

    listen: list[str] = field(default_factory=list)
    forwarders: list[str] = field(default_factory=list)
    zones_dir: str | None = None
    poll: float = 0.02
    policy: Policy = field(default_factory=Policy)
    limits: Limits = field(default_factory=Limits)
    reuse_port: bool = False
    batched_udp: bool = True
    event_loop: str = "auto"  # auto (uvloop when installed), uvloop, asyncio
    record_serials: bool = True  # False for `dns records`: read the state, never write it


def parse_listen(text: str) -> tuple[str, int]:
    """ADDR:PORT, [v6]:PORT or a bare ADDR (port 53)."""
    from toolkit.config import host_port

    try:
        return host_port(text)
    except ValueError:
        raise ConfigError(f"listen address {text!r} is not ADDR:PORT", fix="e.g. 127.0.0.1:5353") from None


class Service:
    """A DNS server over one registry: snapshot, chain, sockets, the watcher and NOTIFY."""

    def __init__(self, settings, registry: ZoneSource, options: Options | None = None) -> None:
        self.options = options or Options()
        dns = settings.dns
        self.listen = [parse_listen(item) for item in (self.options.listen or dns.listen)]
        origin = private_origin(dns.name_template, registry.identity)
        static = load_static(self._zones_dir(dns), skip={origin})
        self.live = Live(registry, settings, static, _ns_address(self.listen[0][0]), self.options.record_serials)
        self.keyring = keyring_from(dns.tsig_keys)
        self.notify = [Peer.parse(item, self.keyring) for item in dns.notify]
        self.forwarder = Forwarder(self.options.policy)
        self.chain = Chain(self.live, Acl(dns.allow_query, dns.allow_recursion), _routes(dns, self.options),
                           _obs_routes(settings.obs), self.forwarder, Transfers(dns.allow_transfer, self.keyring,
                                                          self.live.journal.deltas),
                           clock=lambda: asyncio.get_running_loop().time(), nsid=dns.nsid.encode())
        self.server = DnsServer(self.chain, self.options.limits, self.options.batched_udp)
        self.watcher: asyncio.Task | None = None
        self.notified: list = []

    def _zones_dir(self, dns) -> Path:
        path = Path(self.options.zones_dir or dns.zones_dir)
        if self.options.zones_dir and not path.is_dir():
            raise ConfigError(f"zones directory {path} does not exist", fix="create it or drop --zones")
        return path

    async def start(self) -> list[tuple[str, int]]:
        bound = await self.server.start(self.listen, self.options.reuse_port)
        self.watcher = asyncio.get_running_loop().create_task(self._watch())
        if self.live.moved and self.notify:  # changed while we were down: secondaries should not wait a refresh
            log.info("serial moved while down: %s", ", ".join(f"{z.origin} serial {z.serial}" for z in self.live.moved))
            self.server._spawn(self._notify(self.live.moved))
        return bound

    async def close(self) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
        await self.server.close()

    async def _watch(self) -> None:
        """Poll the registry's generation: a commit by any process is served within one poll plus a rebuild."""
        while True:
            await asyncio.sleep(self.options.poll)
            before = self.live.snapshot
            changed = self.live.refresh()
            if self.live.snapshot is not before:
                self.server.flush()
            if changed:
                log.info("zones changed: %s", ", ".join(f"{z.origin} serial {z.serial}" for z in changed))
                if self.notify:
                    self.server._spawn(self._notify(changed))

    async def _notify(self, zones) -> None:
        self.notified.append(await send_notify(zones, self.notify, self.keyring))


def _ns_address(host: str) -> str:
    """The address of the zones' NS name: the first listen address (loopback for a wildcard)."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        raise ConfigError(f"[dns] listen {host!r} is not an IP address: the zones' NS record needs one",
                          fix='give IP:PORT, e.g. listen = ["127.0.0.1:5353"]') from None


def _routes(dns, options: Options) -> Routes:
    default = [Upstream.parse(item) for item in (options.forwarders or dns.forwarders)]
    zones = {name_to_wire(zone): [Upstream.parse(item) for item in targets] for zone, targets in dns.forward_zones.items()}
    return Routes(default, zones)


def _obs_routes(obs) -> list[Upstream] | None:
    return [Upstream.parse(item) for item in obs.forwarders] if obs.mode == "forward" else None


def run(settings, registry: ZoneSource, options: Options, ready) -> None:
    """Serve until SIGINT/SIGTERM; `ready(service, bound)` is called once the sockets are bound."""
    uvloop = None
    if options.event_loop != "asyncio":
        try:
            import uvloop
        except ImportError:
            if options.event_loop == "uvloop":
                raise ConfigError("uvloop is not installed", fix="pip install uvloop, or --event-loop asyncio") from None
    main = _serve(settings, registry, options, ready)
    if uvloop is not None:
        uvloop.run(main)
    else:
        asyncio.run(main)


async def _serve(settings, registry: ZoneSource, options: Options, ready) -> None:
    service = Service(settings, registry, options)
    bound = await service.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ready(service, bound)
    try:
        await stop.wait()
    finally:
        await service.close()
