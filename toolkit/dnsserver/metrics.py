"""`dns serve --metrics ADDR:PORT`: Prometheus text format, read off the server's plain counters at scrape time.

The server never calls prometheus_client per query: it bumps ints in dicts (tally.py), and the Collector
here turns them into metric families when a scrape comes. The endpoint is a small HTTP/1.0 server on the
DNS server's own loop (no thread reading dicts another thread writes), with a private CollectorRegistry,
a cap on connections and a deadline per request so that a stuck scraper cannot hold it.
Imported only when --metrics is given: prometheus_client stays an optional dependency.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import generate_latest

from toolkit.dnsserver.codes import Rcode
from toolkit.dnsserver.tally import type_text
from toolkit.errors import ConfigError

log = logging.getLogger("vpcep.dns")
P = "vpcep_dns_"
STATES = ("up", "degraded", "down")
MAX_CLIENTS = 16
REQUEST_DEADLINE = 5.0
TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"  # what every Prometheus reads (our names need no escaping)


def check_address(host: str, remote: bool) -> None:
    """Loopback only unless `remote`: the endpoint has no authentication (names zones, peers and forwarders)."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        raise ConfigError(f"metrics address {host!r} is not an IP address", rule="dns",
                          fix="give --metrics 127.0.0.1:PORT") from None
    if not loopback and not remote:
        raise ConfigError(f"metrics on {host} would be open to the network without authentication", rule="dns",
                          fix="use --metrics 127.0.0.1:PORT (scrape through a proxy), or add --metrics-remote "
                              "and firewall the port")


class Collector:
    """Every family from one Service's counters; `collect` runs on the server's loop."""

    def __init__(self, service) -> None:
        self.service = service

    def collect(self):
        service = self.service
        server = service.server
        yield _gauge(P + "start_time_seconds", "when this server started (Unix time)", service.started)
        yield from _queries(server)
        yield from _drops(server)
        yield from _cache(server, service.forwarder)
        yield from _upstreams(service.chain)
        yield from _tcp(server)
        yield _zone_serials(service.live.snapshot.zones)
        yield _by_peer(P + "notify", "NOTIFY messages sent, by secondary and result (ok, failed)", service.notify_results)
        yield _by_peer(P + "transfers", "AXFR/IXFR requests, by client and result", service.chain.xfr.results)
        yield _histogram(P + "snapshot_rebuild_seconds", "time to rebuild the answers after a change", service.rebuilds)
        if service.query_log is not None:
            yield _counter(P + "query_log_lines", "query log lines written", service.query_log.written)
            yield _counter(P + "query_log_dropped", "query log lines lost to write errors", service.query_log.dropped)


def _queries(server):
    queries = CounterMetricFamily(P + "queries", "queries answered, by transport, type and rcode",
                                  labels=["transport", "qtype", "rcode"])
    refused = CounterMetricFamily(P + "refused", "queries answered REFUSED, by transport", labels=["transport"])
    udp = dict(server.answered["udp"])
    for key, count in server.hits.items():
        udp[key] = udp.get(key, 0) + count
    for transport, counts in (("udp", udp), ("tcp", server.answered["tcp"])):
        for key, count in sorted(counts.items()):
            if count:
                queries.add_metric([transport, type_text(key >> 4), Rcode.text(key & 0xF)], count)
        refused.add_metric([transport], sum(n for key, n in counts.items() if key & 0xF == Rcode.REFUSED))
    yield queries
    yield refused


def _drops(server):
    stats = server.stats
    dropped = CounterMetricFamily(P + "dropped", "queries given no reply: overload (the in-flight cap), "
                                  "unanswerable (malformed, a response, too short)", labels=["reason"])
    dropped.add_metric(["overload"], stats["dropped"])
    dropped.add_metric(["unanswerable"], stats["unanswered"])
    yield dropped
    yield _counter(P + "errors", "internal errors (each answered SERVFAIL)", stats["errors"])
    yield _gauge(P + "forward_inflight", "forwarded questions waiting now", len(server.tasks))


def _cache(server, forwarder):
    hits = CounterMetricFamily(P + "cache_hits", "replies from a cache: packet (whole replies), forward (upstream "
                               "answers)", labels=["cache"])
    hits.add_metric(["packet"], sum(server.hits.values()))
    hits.add_metric(["forward"], forwarder.counts["hit"])
    yield hits
    yield _counter(P + "forward_cache_misses", "questions sent upstream (forward cache misses)", forwarder.counts["miss"])
    yield _counter(P + "forward_shared", "questions that joined one already on its way upstream",
                   forwarder.counts["shared"])


def _upstreams(chain):
    labels = ["upstream", "route"]
    latency = HistogramMetricFamily(P + "forward_latency_seconds", "round trip of forwarded questions", labels=labels)
    state = GaugeMetricFamily(P + "upstream_state", "1 for the forwarder's current state", labels=[*labels, "state"])
    srtt = GaugeMetricFamily(P + "upstream_srtt_seconds", "smoothed round trip (0: never answered)", labels=labels)
    loss = GaugeMetricFamily(P + "upstream_loss_ratio", "smoothed share of lost questions", labels=labels)
    answered = CounterMetricFamily(P + "upstream_answered", "usable replies", labels=labels)
    lost = CounterMetricFamily(P + "upstream_lost", "questions lost (no reply in time, SERVFAIL, garbage)",
                               labels=labels)
    for route, upstream in routed(chain):
        names = [upstream.name, route]
        latency.add_metric(names, upstream.latency.cumulative(), upstream.latency.total)
        for name in STATES:
            state.add_metric([*names, name], 1 if upstream.state == name else 0)
        srtt.add_metric(names, upstream.srtt or 0.0)
        loss.add_metric(names, upstream.loss)
        answered.add_metric(names, upstream.answered)
        lost.add_metric(names, upstream.lost)
    yield from (latency, state, srtt, loss, answered, lost)


def routed(chain) -> list[tuple[str, object]]:
    """(route, forwarder): route "." for the defaults, the zone for a forward zone, "obs" for OBS forwarders."""
    from toolkit.dnsserver.wire import wire_to_text

    pairs = [(".", upstream) for upstream in chain.routes.default]
    pairs += [(wire_to_text(zone), upstream) for zone, upstreams in chain.routes.zones.items() for upstream in upstreams]
    pairs += [("obs", upstream) for upstream in chain.obs_routes or []]
    return pairs


def _tcp(server):
    yield _gauge(P + "tcp_connections", "TCP connections open now", len(server.connections))
    yield _counter(P + "tcp_connections_accepted", "TCP connections accepted", server.stats["tcp_accepted"])
    closed = CounterMetricFamily(P + "tcp_closed", "TCP connections closed by the server, by reason", labels=["reason"])
    for reason in ("refused", "evicted", "deadline"):
        closed.add_metric([reason], server.stats[f"tcp_{reason}"])
    yield closed


def _zone_serials(zones):
    family = GaugeMetricFamily(P + "zone_serial", "the SOA serial served, by zone", labels=["zone"])
    for zone in zones:
        family.add_metric([zone.origin], zone.serial)
    return family


def _by_peer(name: str, doc: str, counts: dict):
    family = CounterMetricFamily(name, doc, labels=["peer", "result"])
    for (peer, result), count in sorted(counts.items()):
        family.add_metric([peer, result], count)
    return family


def _histogram(name: str, doc: str, buckets):
    family = HistogramMetricFamily(name, doc)
    family.add_metric([], buckets.cumulative(), buckets.total)
    return family


def _counter(name: str, doc: str, value) -> CounterMetricFamily:
    return CounterMetricFamily(name, doc, value=value)


def _gauge(name: str, doc: str, value) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


class Endpoint:
    """GET /metrics (or /) over HTTP/1.0 on the loop; anything else 404/405; at most MAX_CLIENTS at once."""

    def __init__(self, service) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(Collector(service))
        self.server: asyncio.AbstractServer | None = None
        self.clients = 0

    async def start(self, host: str, port: int) -> tuple[str, int]:
        try:
            self.server = await asyncio.start_server(self._serve, host, port, limit=8192, reuse_address=True)
        except OSError as exc:
            raise ConfigError(f"cannot serve metrics on {host}:{port}: {exc.strerror}", rule="dns",
                              fix="stop what holds the port or give another --metrics ADDR:PORT") from None
        return self.server.sockets[0].getsockname()[:2]

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def page(self) -> bytes:
        return generate_latest(self.registry)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.clients += 1
        try:
            if self.clients <= MAX_CLIENTS:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_DEADLINE)
                writer.write(self._answer(head))
                await asyncio.wait_for(writer.drain(), REQUEST_DEADLINE)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            self.clients -= 1
            writer.close()

    def _answer(self, head: bytes) -> bytes:
        method, _, rest = head.decode("latin-1").partition(" ")
        path = rest.partition(" ")[0].partition("?")[0]
        if method != "GET":
            return _response("405 Method Not Allowed", b"GET only\n")
        if path not in ("/metrics", "/"):
            return _response("404 Not Found", b"see /metrics\n")
        return _response("200 OK", self.page(), TEXT_FORMAT)


def _response(status: str, body: bytes, kind: str = "text/plain; charset=utf-8") -> bytes:
    return (f"HTTP/1.0 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            .encode() + body)
