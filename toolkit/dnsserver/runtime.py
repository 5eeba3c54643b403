"""Assembles the server from Settings and a registry, keeps it live, and runs it until told to stop."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter as clock

from toolkit.dnsserver.chain import Acl, Chain
from toolkit.dnsserver.forward import Forwarder, Policy, Routes, Upstream
from toolkit.dnsserver.live import Live
from toolkit.dnsserver.server import DnsServer, Limits
from toolkit.dnsserver.source import ZoneSource
from toolkit.dnsserver.tally import REBUILD, Buckets
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
    metrics: str | None = None  # ADDR:PORT (or PORT: on 127.0.0.1) for Prometheus; None: no listener
    metrics_remote: bool = False  # allow a non-loopback metrics address
    query_log: str | None = None  # FILE for JSON lines, rotated at query_log_size keeping query_log_keep
    query_log_size: int = 10 << 20
    query_log_keep: int = 5


def parse_listen(text: str) -> tuple[str, int]:
    """ADDR:PORT, [v6]:PORT or a bare ADDR (port 53)."""
    from toolkit.config import host_port

    try:
        return host_port(text)
    except ValueError:
        raise ConfigError(f"listen address {text!r} is not ADDR:PORT", fix="e.g. 127.0.0.1:5353") from None


def parse_metrics(text: str, remote: bool = False) -> tuple[str, int]:
    """--metrics ADDR:PORT, [v6]:PORT or PORT alone (127.0.0.1); a non-loopback address only when `remote`."""
    from toolkit.config import host_port

    try:
        from toolkit.dnsserver.metrics import check_address
    except ImportError:
        raise ConfigError("--metrics needs prometheus_client", rule="dns",
                          fix="pip install 'vpcep-toolkit[metrics]' (or prometheus_client)") from None
    try:
        host, port = ("127.0.0.1", int(text)) if text.isdigit() else host_port(text, -1)
    except ValueError:
        host, port = "", -1
    if port < 0 or port > 65535:
        raise ConfigError(f"metrics address {text!r} is not ADDR:PORT", rule="dns", fix="e.g. --metrics 127.0.0.1:9153")
    check_address(host, remote)
    return host, port


class Service:
    """A DNS server over one registry: snapshot, chain, sockets, the watcher and NOTIFY."""

    def __init__(self, settings, registry: ZoneSource, options: Options | None = None) -> None:
        self.options = options or Options()
        dns = settings.dns
        self.listen = [parse_listen(item) for item in (self.options.listen or dns.listen)]
        origin = private_origin(dns.name_template, registry.identity)
        static = load_static(self._zones_dir(dns), skip={origin})
        self.rebuilds = Buckets(REBUILD)
        began = clock()
        self.live = Live(registry, settings, static, _ns_address(self.listen[0][0]), self.options.record_serials)
        self.rebuilds.observe(clock() - began)
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
        self.started = time.time()
        self.notify_results: dict[tuple[str, str], int] = {}  # (peer, ok|failed) → NOTIFY messages
        self.metrics_at = parse_metrics(self.options.metrics, self.options.metrics_remote) if self.options.metrics else None
        self.metrics = None  # the endpoint, once started; metrics_bound is where it listens
        self.metrics_bound: tuple[str, int] | None = None
        self.query_log = self._query_log()

    def _query_log(self):
        if not self.options.query_log:
            return None
        from toolkit.dnsserver.querylog import QueryLog

        query_log = QueryLog(self.options.query_log, self.options.query_log_size, self.options.query_log_keep)
        self.server.add_watcher(query_log.record)
        return query_log

    def _zones_dir(self, dns) -> Path:
        path = Path(self.options.zones_dir or dns.zones_dir)
        if self.options.zones_dir and not path.is_dir():
            raise ConfigError(f"zones directory {path} does not exist", fix="create it or drop --zones")
        return path

    async def start(self) -> list[tuple[str, int]]:
        bound = await self.server.start(self.listen, self.options.reuse_port)
        if self.query_log is not None:
            self.query_log.start(asyncio.get_running_loop())
        if self.metrics_at is not None:
            from toolkit.dnsserver.metrics import Endpoint

            self.metrics = Endpoint(self)
            self.metrics_bound = await self.metrics.start(*self.metrics_at)
        self.watcher = asyncio.get_running_loop().create_task(self._watch())
        if self.live.moved and self.notify:  # changed while we were down: secondaries should not wait a refresh
            log.info("serial moved while down: %s", ", ".join(f"{z.origin} serial {z.serial}" for z in self.live.moved))
            self.server._spawn(self._notify(self.live.moved))
        return bound

    async def close(self) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
        if self.metrics is not None:
            await self.metrics.close()
        await self.server.close()
        if self.query_log is not None:
            self.query_log.close()  # after the sockets: the last replies are in it
            self.query_log = None

    async def _watch(self) -> None:
        """Poll the registry's generation: a commit by any process is served within one poll plus a rebuild."""
        while True:
            await asyncio.sleep(self.options.poll)
            before, began = self.live.snapshot, clock()
            changed = self.live.refresh()
            if self.live.snapshot is not before:
                self.rebuilds.observe(clock() - began)
                self.server.flush()
            if changed:
                log.info("zones changed: %s", ", ".join(f"{z.origin} serial {z.serial}" for z in changed))
                if self.notify:
                    self.server._spawn(self._notify(changed))

    async def _notify(self, zones) -> None:
        results = await send_notify(zones, self.notify, self.keyring)
        for job, ok in results.items():
            key = (job.rpartition("@")[2], "ok" if ok else "failed")
            self.notify_results[key] = self.notify_results.get(key, 0) + 1
        self.notified.append(results)


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
