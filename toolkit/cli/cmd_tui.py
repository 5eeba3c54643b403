"""`vpcep tui` and `vpcep screenshots`: textual is imported inside the handlers only."""

from __future__ import annotations

import tempfile


def add_commands(b) -> None:
    p = b.command("tui", "the Textual console (serves DNS too unless --no-dns)", module="toolkit.cli.cmd_tui")
    p.add_argument("--demo", action="store_true", help="open a fresh demo state in a temp file")
    p.add_argument("--no-dns", action="store_true", help="do not run the DNS server inside the app")
    p.add_argument("--listen", metavar="ADDR:PORT",
                   help="where the app's DNS server listens (default: the first [dns] listen, 127.0.0.1:5353)")
    p = b.command("screenshots", "write an SVG of every TUI screen from a demo state",
                  module="toolkit.cli.cmd_tui")
    p.add_argument("--dir", default="screenshots", help="where the SVGs go (default: screenshots/)")


def cmd_tui(reg, args, out) -> int:
    from toolkit.tui.app import make_app

    from toolkit.tui.dns_host import start, with_listen

    settings = with_listen(reg.settings, args.listen)  # a bad ADDR:PORT stops here, before any state is made
    registry = _demo(reg.settings) if args.demo else reg
    registry.store.check_integrity()  # the console (and its DNS server) does not serve a corrupt state (issue 14)
    if args.demo:
        out.note(f"demo state: {registry.state_path}")
    settings = with_listen(registry.settings, args.listen)
    dns = start(registry, serve=not args.no_dns, settings=settings)
    try:
        make_app(settings, registry, dns=dns).run()
    finally:
        dns.stop()
        if registry is not reg:
            registry.close()
    if dns.error:
        out.note(f"the DNS server did not start: {dns.error}")
    return 0


def cmd_screenshots(reg, args, out) -> int:
    from toolkit.tui.shots import write_screenshots

    for path in write_screenshots(args.dir):
        out.note(f"wrote {path}")
    return 0


def _demo(settings):
    from toolkit.tui.demo import open_demo

    return open_demo(tempfile.mkdtemp(prefix="vpcep-demo-"), read_only=settings.read_only,
                     act_as=settings.act_as or None)
