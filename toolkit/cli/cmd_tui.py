"""`vpcep tui` and `vpcep screenshots`: textual is imported inside the handlers only."""

from __future__ import annotations

import importlib.util
import tempfile


def add_commands(b) -> None:
    p = b.command("tui", "the Textual console (serves DNS too unless --no-dns)", module="toolkit.cli.cmd_tui")
    p.add_argument("--demo", action="store_true", help="open a fresh demo state in a temp file")
    p.add_argument("--no-dns", action="store_true", help="do not run the DNS server inside the app")
    p = b.command("screenshots", "write an SVG of every TUI screen from a demo state",
                  module="toolkit.cli.cmd_tui")
    p.add_argument("--dir", default="screenshots", help="where the SVGs go (default: screenshots/)")


def cmd_tui(reg, args, out) -> int:
    from toolkit.tui.app import make_app

    registry = _demo(reg.settings) if args.demo else reg
    if args.demo:
        out.note(f"demo state: {registry.store.path}")
    dns, note = _dns(registry, args.no_dns)
    try:
        make_app(registry.settings, registry, dns=dns, dns_note=note).run()
    finally:
        if dns is not None:
            dns.stop()
        if registry is not reg:
            registry.close()
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


def _dns(registry, disabled: bool):
    """The DNS server seam: started here once toolkit.dnsserver offers a runner the app can host."""
    if disabled:
        return None, "Live query log: off (started with --no-dns)."
    if importlib.util.find_spec("toolkit.dnsserver.server") is None or \
            importlib.util.find_spec("toolkit.tui.dns_host") is None:
        return None, "Live query log: the DNS server (toolkit.dnsserver) is not part of this build yet."
    from toolkit.tui.dns_host import start

    return start(registry)
