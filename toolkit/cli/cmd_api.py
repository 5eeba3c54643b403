"""`vpcep api key create|list|delete` and `vpcep api serve`: the VPCEP REST API over the state (issue 12)."""

from __future__ import annotations


def add_commands(b) -> None:
    group = b.noun("api", "the VPC Endpoint REST API over the state, for the official SDK (keys and server)",
                   module="toolkit.cli.cmd_api")
    p = b.verb(group, "serve", "serve the VPCEP v1 API (signed with SDK-HMAC-SHA256) until SIGTERM or ^C")
    p.add_argument("--listen", metavar="ADDR:PORT", help="default: [api] listen (127.0.0.1:9711); port 0 picks one")
    p.add_argument("--tls-cert", metavar="FILE", help="certificate (PEM); needed off loopback")
    p.add_argument("--tls-key", metavar="FILE", help="its private key (PEM)")
    p = b.verb(group, "key", "API keys: `api key create` (the SK is shown once), `api key list`, `api key delete AK`")
    p.add_argument("action", choices=["create", "list", "delete"])
    p.add_argument("ak", nargs="?", metavar="AK", help="the key to delete")
    p.add_argument("--account", metavar="DOMAIN_ID", help="an existing account (default: the state's own)")
    p.add_argument("--role", choices=["admin", "viewer"], default="admin", help="viewer: read operations only")
    p.add_argument("--description", metavar="T", default="")


def cmd_api_key(reg, args, out) -> int:
    if args.action == "create":
        if args.ak:
            from toolkit.errors import UsageError
            raise UsageError("api key create takes no AK", fix="vpcep api key create [--account D] [--role R]")
        key = reg.create_key(account=args.account or "", role=args.role, description=args.description)
        out.emit(key, "\n".join(f"{name}: {key[name]}" for name in ("ak", "sk", "project_id", "domain_id", "role"))
                 + "\n(the SK is shown only now)")
        return 0
    if args.action == "list":
        from toolkit.cli.output import table
        keys = reg.list_keys()
        out.emit(keys, table(["ak", "domain_id", "project_id", "role", "description", "created_at"],
                             [[k["ak"], k["domain_id"], k["project_id"], k["role"], k["description"],
                               k["created_at"]] for k in keys]))
        return 0
    if not args.ak:
        from toolkit.errors import UsageError
        raise UsageError("api key delete needs the AK", fix="vpcep api key delete AK")
    result = reg.delete_key(args.ak)
    out.emit(result, f"deleted API key {args.ak}")
    return 0


def cmd_api_serve(reg, args, out) -> int:
    import ipaddress
    import stat
    import sys

    from toolkit.errors import ConfigError, UsageError

    settings = reg.settings.api
    listen = args.listen or settings.listen
    cert, keyfile = args.tls_cert or settings.tls_cert, args.tls_key or settings.tls_key
    host, sep, port_text = listen.rpartition(":")
    host = host.strip("[]")
    if not sep or not port_text.isdigit():
        raise UsageError(f"--listen {listen!r} is not ADDR:PORT", fix="e.g. --listen 127.0.0.1:9711")
    if bool(cert) != bool(keyfile):
        raise UsageError("--tls-cert and --tls-key go together", fix="give both, or neither on loopback")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not cert and not loopback:
        raise ConfigError(f"plain http only on loopback; {host} needs TLS", rule="V1",
                          fix="give --tls-cert FILE --tls-key FILE (or [api] tls_cert/tls_key)")
    state = reg.state_path
    _ = reg.identity  # an uninitialized state says so before anything listens
    if state.stat().st_mode & (stat.S_IROTH | stat.S_IWOTH):
        raise ConfigError(f"state {state} is readable by other users and holds API keys", rule="V1",
                          fix=f"chmod 600 {state}")
    reg.store.restrict()
    import asyncio
    import contextlib
    import signal

    import uvicorn

    from toolkit.api.app import create_app

    class Server(uvicorn.Server):
        def capture_signals(self):  # ours below: SIGTERM drains and the process exits 0
            return contextlib.nullcontext()

    config = uvicorn.Config(create_app(getattr(reg, "_registry", None) or reg), host=host,
                            port=int(port_text), ssl_certfile=cert or None, ssl_keyfile=keyfile or None,
                            log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=10)
    server = Server(config)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started:
            sock = server.servers[0].sockets[0].getsockname()
            shown = f"[{sock[0]}]" if ":" in sock[0] else sock[0]
            print(f"vpcep api serving {'https' if cert else 'http'}://{shown}:{sock[1]} (state {state}; "
                  f"SIGTERM or ^C stops)", flush=True)
        await task

    asyncio.run(run())
    if not server.started:
        raise ConfigError(f"could not listen on {listen}", fix="pick another --listen address or port")
    sys.stdout.flush()
    return 0
