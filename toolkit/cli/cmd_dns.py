"""`vpcep dns serve|records|export|query|stats`: the DNS server and its zones (CLI.md); heavy imports stay in handlers."""

from __future__ import annotations

import sys


def add_commands(b) -> None:
    group = b.noun("dns", "the private DNS server: private zones, OBS names, forwarding", module="toolkit.cli.cmd_dns")
    p = b.verb(group, "serve", "serve DNS over UDP and TCP until interrupted")
    p.add_argument("--listen", action="append", default=[], metavar="ADDR:PORT", help="default: [dns] listen")
    p.add_argument("--forwarder", action="append", default=[], metavar="IP[:PORT]", help="default: [dns] forwarders")
    p.add_argument("--zones", metavar="DIR", help="static zone files (default: [dns] zones_dir)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="processes sharing the port (SO_REUSEPORT)")
    p.add_argument("--tcp-idle", type=float, default=10.0, metavar="S", help="close idle TCP connections after S seconds")
    p.add_argument("--tcp-max", type=int, default=1024, metavar="N", help="most TCP connections open at once")
    p.add_argument("--reuse-port", action="store_true", help="bind with SO_REUSEPORT (set for workers)")
    p.add_argument("--plain-udp", action="store_true", help="one recvfrom/sendto per datagram, not recvmmsg batches")
    p.add_argument("--tcp-message-timeout", type=float, default=2.0, metavar="S",
                   help="close a TCP connection whose message takes longer than S seconds to arrive")
    p.add_argument("--max-inflight", type=int, default=10_000, metavar="N",
                   help="most forwarded questions waiting at once, UDP and TCP together")
    p.add_argument("--forward-timeout", type=float, default=1.0, metavar="S",
                   help="longest wait for one forwarder before retransmitting")
    p.add_argument("--forward-deadline", type=float, default=3.0, metavar="S",
                   help="give up (SERVFAIL) after S seconds")
    p.add_argument("--event-loop", choices=("auto", "uvloop", "asyncio"), default="auto",
                   help="auto: uvloop when installed")
    p.add_argument("--metrics", metavar="ADDR:PORT", help="serve Prometheus metrics at http://ADDR:PORT/metrics "
                   "(PORT alone: 127.0.0.1; with --workers N, worker i on PORT+i); default: none")
    p.add_argument("--metrics-remote", action="store_true",
                   help="allow a non-loopback --metrics address (no authentication: firewall it)")
    p.add_argument("--query-log", metavar="FILE", help="one JSON line per reply (mode 0640); not with --workers")
    p.add_argument("--query-log-size", type=int, default=10 << 20, metavar="BYTES",
                   help="rotate the query log at this size: FILE.1 ... FILE.N (default 10 MiB)")
    p.add_argument("--query-log-keep", type=int, default=5, metavar="N", help="rotated query logs kept (default 5)")
    p = b.verb(group, "records", "what the server would answer now")
    p.add_argument("--zone", metavar="Z", help="only this zone")
    p.add_argument("--zones", metavar="DIR", help="static zone files (default: [dns] zones_dir)")
    b.verb(group, "export", "write the private zones as RFC 1035 files").add_argument(
        "--dir", metavar="DIR", help="default: [dns] zones_dir")
    p = b.verb(group, "query", "one lookup, dig-like output")
    p.add_argument("name")
    p.add_argument("type", nargs="?", default="A")
    p.add_argument("--server", metavar="ADDR:PORT", help="default: the first [dns] listen address")
    p.add_argument("--tcp", action="store_true", help="ask over TCP")
    p.add_argument("--timeout", type=float, default=3.0, metavar="S")
    p = b.verb(group, "stats", "read a running server's metrics and summarize them")
    p.add_argument("--from", dest="from_", action="append", default=[], metavar="ADDR:PORT",
                   help="the --metrics address of `dns serve` (repeat for each worker: summed); default 127.0.0.1:9153")
    p.add_argument("--metrics-url", action="append", default=[], metavar="URL", help="the full URL instead")
    p.add_argument("--timeout", type=float, default=3.0, metavar="S")


def cmd_dns_serve(reg, args, out) -> int:
    reg.store.check_integrity()  # a server does not serve a corrupt state (issue 14)
    import logging

    from toolkit.dnsserver.forward import Policy
    from toolkit.dnsserver.runtime import Options, run
    from toolkit.dnsserver.server import Limits
    from toolkit.dnsserver.workers import spawn_workers

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    options = Options(listen=args.listen, forwarders=args.forwarder, zones_dir=args.zones,
                      limits=Limits(tcp_idle=args.tcp_idle, tcp_max=args.tcp_max, inflight=args.max_inflight,
                                    tcp_message=args.tcp_message_timeout),
                      policy=Policy(timeout=args.forward_timeout, deadline=args.forward_deadline),
                      reuse_port=args.reuse_port or args.workers > 1, batched_udp=not args.plain_udp,
                      event_loop=args.event_loop, metrics=args.metrics, metrics_remote=args.metrics_remote,
                      query_log=args.query_log, query_log_size=args.query_log_size,
                      query_log_keep=args.query_log_keep)
    children = spawn_workers(args.workers, reg.settings, options)

    def ready(service, bound) -> None:
        zones = [f"{z.origin} (serial {z.serial})" for z in service.live.snapshot.zones]
        where = ", ".join(f"{host}:{port}" for host, port in bound)
        metrics = "http://{}:{}/metrics".format(*service.metrics_bound) if service.metrics_bound else None
        each = f" (worker i on its port + i, {args.workers} workers)" if args.workers > 1 else ""
        out.emit({"listen": [f"{h}:{p}" for h, p in bound], "zones": zones, "workers": args.workers,
                  "metrics": metrics}, f"listening on {where} (udp+tcp); zones: {', '.join(zones)}"
                 + (f"; metrics: {metrics}{each}" if metrics else ""))
        sys.stdout.flush()

    try:
        run(reg.settings, reg, options, ready)
    finally:
        for child in children:
            child.terminate()
    return 0


def cmd_dns_records(reg, args, out) -> int:
    from toolkit.cli.output import table
    from toolkit.dnsserver.view import ZoneView, zone_dict

    zones = [zone_dict(z) for z in ZoneView(reg.settings, reg, args.zones).zones(args.zone)]
    rows = [[r["name"], r["ttl"], r["type"], r["data"], r["zone"]] for z in zones for r in z["records"]]
    out.emit({"zones": zones}, table(["name", "ttl", "type", "data", "zone"], rows))
    return 0


def cmd_dns_export(reg, args, out) -> int:
    from pathlib import Path

    from toolkit.dnsserver.live import Live
    from toolkit.dnsserver.runtime import _ns_address, parse_listen
    from toolkit.errors import ConfigError

    directory = Path(args.dir or reg.settings.dns.zones_dir)
    # the serial that is served: the one the state records for this content (never written from here)
    live = Live(reg, reg.settings, [], _ns_address(parse_listen(reg.settings.dns.listen[0])[0]), record=False)
    written = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for zone in live.private.values():
            path = directory / f"{zone.origin.rstrip('.')}.zone"
            path.write_text(zone.to_text())
            written.append(str(path))
    except OSError as exc:
        raise ConfigError(f"cannot write zone files to {directory}: {exc.strerror}", fix="give a writable --dir") from None
    out.emit({"files": written}, "\n".join(f"wrote {path}" for path in written))
    return 0


def cmd_dns_query(reg, args, out) -> int:
    from toolkit.dnsserver.lookup import lookup

    server = args.server or reg.settings.dns.listen[0]
    message, elapsed = lookup(args.name, args.type, server, args.tcp, args.timeout)
    data = {"rcode": message.rcode_text, "answer": message.answer_text, "authority": message.authority_text,
            "flags": message.flags_text, "server": server, "time_ms": round(elapsed * 1000, 1)}
    out.emit(data, f"{message.text}\n\n;; Query time: {data['time_ms']} msec\n;; SERVER: {server}")
    return 0 if message.rcode_text == "NOERROR" else 1


def cmd_dns_stats(reg, args, out) -> int:
    from toolkit.dnsserver.stats import scrape, summary, urls

    data = summary(scrape(urls(args.from_, args.metrics_url), args.timeout))
    out.emit(data, _stats_text(data))
    return 0


def _stats_text(data: dict) -> str:
    from toolkit.cli.output import fields, table

    queries = data["queries"]
    rate = f" ({queries['qps']:,} qps over {queries['uptime_s']:,} s)" if queries["qps"] is not None else ""
    lines = [fields([("queries", f"{queries['total']:,}{rate}"), ("transport", _counts(queries["by_transport"])),
                     ("rcode", _counts(queries["by_rcode"])), ("qtype", _counts(queries["by_qtype"])),
                     ("refused", data["refused"]), ("dropped", _counts(data["dropped"])), ("errors", data["errors"]),
                     ("cache hits", _counts(data["cache_hits"])), ("forwarded", data["forward_cache_misses"]),
                     ("tcp", f"{data['tcp']['open']} open, {data['tcp']['accepted']:,} accepted")])]
    upstreams = [[u["upstream"], u["route"], u["state"], u["srtt_ms"], u["mean_ms"], u["loss"], u["answered"], u["lost"]]
                 for u in data["upstreams"]]
    if upstreams:
        lines.append(table(["upstream", "route", "state", "srtt ms", "mean ms", "loss", "answered", "lost"], upstreams))
    if data["zones"]:
        lines.append(table(["zone", "serial"], [[zone, serial] for zone, serial in data["zones"].items()]))
    for title, rows in (("notify", data["notify"]), ("transfer", data["transfers"])):
        if rows:
            lines.append(table([f"{title} peer", "result", "count"], [[r["peer"], r["result"], r["count"]] for r in rows]))
    return "\n\n".join(lines)


def _counts(counts: dict) -> str:
    return "  ".join(f"{name} {value:,}" for name, value in counts.items()) or "0"
