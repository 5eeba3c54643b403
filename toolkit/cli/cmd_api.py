"""`vpcep api serve | key create|list|delete`: the VPCEP v1 REST API over the state (issue 12, R1–R3).

starlette and uvicorn are imported only by `api serve`."""

from __future__ import annotations

import ipaddress
import socket
import sys


def add_commands(b) -> None:
    group = b.noun("api", "the VPC Endpoint v1 REST API over the state (SDK-HMAC-SHA256 signed)",
                   module="toolkit.cli.cmd_api")
    p = b.verb(group, "serve", "serve the API until SIGTERM/^C (plain http on loopback only)")
    p.add_argument("--listen", metavar="ADDR:PORT", help="default: [api] listen (127.0.0.1:9711); port 0 picks one")
    p.add_argument("--tls-cert", metavar="FILE", help="default: [api] tls_cert")
    p.add_argument("--tls-key", metavar="FILE", help="default: [api] tls_key")
    p = b.verb(group, "key", "access keys: create (the SK shown once), list (never the SK), delete AK")
    p.add_argument("action", choices=("create", "list", "delete"))
    p.add_argument("ak", nargs="?", metavar="AK", help="the key to delete")
    p.add_argument("--account", default="", metavar="DOMAIN_ID", help="the key's account (default: the acting one)")
    p.add_argument("--role", default="admin", choices=("admin", "viewer"), help="viewer: read operations only")
    p.add_argument("--description", default="")


def cmd_api_key(reg, args, out) -> int:
    from toolkit.cli.output import fields, table
    from toolkit.errors import UsageError

    if args.action == "create":
        key = reg.create_key(args.account, args.role, args.description)
        out.emit({"ak": key.ak, "sk": key.sk, "project_id": key.project_id, "domain_id": key.domain_id,
                  "role": key.role},
                 fields([("AK", key.ak), ("SK", key.sk), ("Project", key.project_id), ("Account", key.domain_id),
                         ("Role", key.role)]) + "\nthe SK is shown only now: keep it in a file only you can read")
    elif args.action == "list":
        keys = reg.list_keys()
        out.emit({"keys": [k.public() for k in keys]},
                 table(["ak", "account", "project", "role", "created", "description"],
                       [[k.ak, k.domain_id, k.project_id, k.role, k.created_at[:19], k.description] for k in keys]))
    else:
        if not args.ak:
            raise UsageError("vpcep api key delete: give the AK", fix="see `vpcep api key list`")
        key = reg.delete_key(args.ak)
        out.emit({**key.public(), "deleted": True}, f"API key {key.ak} deleted; it is refused from now on")
    return 0


def cmd_api_serve(reg, args, out) -> int:
    reg.store.check_integrity()  # a server does not serve a corrupt state (issue 14)
    from toolkit.config import host_port
    from toolkit.errors import ConfigError

    try:
        import uvicorn

        from toolkit.api.app import create_app
    except ModuleNotFoundError:
        raise ConfigError("the API server needs starlette and uvicorn", fix="pip install 'vpcep-toolkit[api]'") from None

    settings = reg.settings.api
    listen = args.listen or settings.listen
    cert, key = args.tls_cert or settings.tls_cert, args.tls_key or settings.tls_key
    try:
        host, port = host_port(listen, 9711)
    except ValueError:
        raise ConfigError(f"--listen {listen!r} is not ADDR:PORT", fix="e.g. 127.0.0.1:9711") from None
    if bool(cert) != bool(key):
        raise ConfigError("TLS needs both --tls-cert and --tls-key", fix="give both, or neither on loopback")
    if not cert and not ipaddress.ip_address(host).is_loopback:
        raise ConfigError(f"plain http on {host} would send signed requests in clear", rule="R2",
                          fix="give --tls-cert and --tls-key, or listen on 127.0.0.1")
    reg.require_private_state()
    sock = _bound(host, port)
    scheme = "https" if cert else "http"
    bound = sock.getsockname()
    # A supervisor may stop the server as soon as it has read the URL line, before uvicorn takes the signals:
    # with nothing accepted yet there is nothing to drain, so that is a clean stop (exit 0), not death by SIGTERM.
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    out.emit({"listen": f"{scheme}://{bound[0]}:{bound[1]}", "state": str(reg.state_path)},
             f"serving the VPCEP v1 API on {scheme}://{bound[0]}:{bound[1]} (state {reg.state_path})")
    sys.stdout.flush()
    config = uvicorn.Config(create_app(reg), log_level="warning", access_log=False, ssl_certfile=cert or None,
                            ssl_keyfile=key or None, timeout_graceful_shutdown=10, lifespan="off")
    _server_class(uvicorn)(config).run(sockets=[sock])
    return 0


def _server_class(uvicorn):
    """uvicorn's Server, except that SIGTERM/^C after draining is a clean stop (exit 0): uvicorn itself raises
    the signal again once it has shut down, which a service manager reads as a crash."""
    import contextlib
    import signal

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            handled = (signal.SIGINT, signal.SIGTERM)
            original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)
    return Server


def _bound(host: str, port: int) -> socket.socket:
    from toolkit.errors import PortInUse

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}", fix="pick another --listen") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock
