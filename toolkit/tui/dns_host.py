"""The DNS server inside the app (toolkit.dnsserver's Background), its live query log and counters.

The server runs on its own thread and event loop; the observer it calls per reply only
appends raw bytes to a bounded deque, and the DNS area decodes the newest entries when
it refreshes, so watching costs the server almost nothing.
"""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from dataclasses import dataclass, replace

from toolkit.dnsserver.codes import Rcode


@dataclass(frozen=True)
class Query:
    """One answered query as the log shows it."""

    at: float
    name: str
    qtype: str
    client: str
    rcode: str
    size: int
    latency_ms: float
    """From the server reading the query to handing back the reply."""


class DnsHost:
    """Runs the server (unless `serve` is False) and keeps what the DNS area shows."""

    def __init__(self, settings, registry, serve: bool = True, keep: int = 500, note: str = "") -> None:
        self.settings, self.registry = settings, registry
        self.raw: deque = deque(maxlen=keep)
        self.total = 0
        self.background = None
        self.error = ""
        self.holder = ""
        """`PID N (name)` of the process holding the port when it was taken, else ''."""
        self.note = note or "started with --no-dns"
        self.view = None
        self.owns_registry = False
        if serve:
            self._serve()

    def _serve(self) -> None:
        from toolkit.errors import PortInUse

        try:
            from toolkit.dnsserver.background import Background
            self.background = Background(self.settings, self.registry, observer=self.observe)
        except PortInUse as exc:
            self.error = str(exc)
            found = re.search(r" by (.+) \(pid (\d+)\)", exc.message)
            self.holder = f"PID {found[2]} ({found[1]})" if found else "another process"
        except Exception as exc:  # noqa: BLE001 — the app runs on without its server and says why
            self.error = str(exc)

    @property
    def serving(self) -> bool:
        return self.background is not None

    @property
    def address(self) -> str:
        """Where this app's server listens (or would: the first [dns] listen / --listen address)."""
        if self.serving:
            return ", ".join(f"{host}:{port}" for host, port in self.background.bound)
        return self.settings.dns.listen[0] if self.settings.dns.listen else "-"

    def state(self) -> tuple[str, str]:
        """(`serving` | `taken` | `failed` | `off`, the header's words for it)."""
        if self.serving:
            return "serving", f"DNS {self.address} serving"
        if self.holder:
            return "taken", f"DNS {self.address} port taken by {self.holder}"
        if self.error:
            return "failed", f"DNS {self.address} not serving: {self.error}"
        return "off", f"DNS off ({self.note})"

    def check_note(self) -> str:
        """Said when checks run while this app serves no DNS: whose server they ask, if any."""
        state, _ = self.state()
        why = {"taken": f"its port is taken by {self.holder}, a server that may serve another state",
               "failed": f"it did not start ({self.error})"}.get(state, self.note)
        return (f"This app serves no DNS ({why}): a check asking {self.address} does not ask this app's "
                "server. Start `vpcep tui --listen ADDR:PORT` to serve this state.")

    def observe(self, client: str, query: bytes, reply: bytes, seconds: float) -> None:
        """Called on the server's thread for every reply: keep the bytes and the time taken, nothing else."""
        self.raw.append((time.time(), client, query, reply, seconds))
        self.total += 1

    def zones(self) -> list:
        """The zones exactly as the server answers them now (private, static)."""
        if self.serving:
            return list(self.background.service.live.snapshot.zones)
        if self.view is None:  # built on first use, in a worker: loading zone files is I/O
            from toolkit.dnsserver.view import ZoneView
            self.view = ZoneView(self.settings, self.registry)
        return self.view.zones()

    def recent(self, limit: int = 100) -> list[Query]:
        """The newest answered queries, newest first."""
        return [_decode(*item) for item in list(self.raw)[-limit:]][::-1]

    def counters(self) -> dict:
        entries = [_rcode(reply) for _, _, _, reply, _ in list(self.raw)]
        counts = Counter(entries)
        stats = dict(self.background.service.server.stats) if self.serving else {}
        return {"answered": self.total, **{k: counts[k] for k in ("NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED")},
                **stats}

    def summary(self) -> str:
        if not self.serving:
            why = f" ({self.error})" if self.error else f" ({self.note})"
            return f"DNS server: not running{why}. The records below are what it would answer."
        where = ", ".join(f"{host}:{port}" for host, port in self.background.bound)
        counts = "  ".join(f"{key} {value}" for key, value in self.counters().items())
        return f"DNS server: listening on {where} (udp+tcp)   {counts}"

    def stop(self) -> None:
        if self.background is not None:
            self.background.stop()
            self.background = None
        if self.owns_registry:
            self.registry.close()


def _rcode(reply: bytes) -> str:
    return Rcode.text(reply[3] & 0x0F) if len(reply) > 3 else "?"


def _decode(at: float, client: str, query: bytes, reply: bytes, seconds: float) -> Query:
    from dnslib import QTYPE, DNSRecord

    try:
        question = DNSRecord.parse(query).q
        name, qtype = str(question.qname), QTYPE.get(question.qtype)
    except Exception:  # noqa: BLE001 — a malformed query still shows as a line
        name, qtype = "(unparsable)", "-"
    return Query(at, name, str(qtype), client, _rcode(reply), len(reply), seconds * 1000)


def with_listen(settings, listen: str | None):
    """`settings` with the app's server on `listen` (ADDR:PORT, checked) instead of [dns] listen."""
    if not listen:
        return settings
    from toolkit.dnsserver.runtime import parse_listen

    parse_listen(listen)
    return replace(settings, dns=replace(settings.dns, listen=(listen,)))


def start(registry, serve: bool = True, settings=None) -> "DnsHost":
    """A host over its own registry connection (the server polls the state on its own thread)."""
    from toolkit.registry import Registry

    settings = settings or registry.settings
    host = DnsHost(settings, Registry.open(registry.settings), serve=serve)
    host.owns_registry = True
    return host
