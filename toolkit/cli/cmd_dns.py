"""`vpcep dns serve|records|export|query`: the DNS server and its zones (CLI.md); heavy imports stay in handlers."""

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


def cmd_dns_serve(reg, args, out) -> int:
    import logging

    from toolkit.dnsserver.runtime import Options, run
    from toolkit.dnsserver.server import Limits
    from toolkit.dnsserver.workers import spawn_workers

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    options = Options(listen=args.listen, forwarders=args.forwarder, zones_dir=args.zones,
                      limits=Limits(tcp_idle=args.tcp_idle, tcp_max=args.tcp_max),
                      reuse_port=args.reuse_port or args.workers > 1, batched_udp=not args.plain_udp)
    children = spawn_workers(args.workers, reg.settings, options)

    def ready(service, bound) -> None:
        zones = [f"{z.origin} (serial {z.serial})" for z in service.live.snapshot.zones]
        where = ", ".join(f"{host}:{port}" for host, port in bound)
        out.emit({"listen": [f"{h}:{p}" for h, p in bound], "zones": zones, "workers": args.workers},
                 f"listening on {where} (udp+tcp); zones: {', '.join(zones)}")
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
