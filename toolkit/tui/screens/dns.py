"""DNS area: zones and records as the server answers them now (E5, O2), its live query log and counters."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Label, Static

from toolkit.tui.screens.base import AreaScreen
from toolkit.tui.widgets.resource_table import ResourceTable, Row

RECORD_COLUMNS = [("Name", 38), ("Type", 5), ("TTL", 5), ("Data", 34), ("Zone", 36)]
LOG_COLUMNS = [("Time", 8), ("Name", 54), ("Type", 5), ("Client", 15), ("Rcode", 8), ("Latency ms", 10),
               ("Bytes", 5)]


@dataclass(frozen=True)
class DnsView:
    records: list
    queries: list
    summary: str


class DnsScreen(AreaScreen):
    AREA = "DNS"
    COLUMNS = RECORD_COLUMNS

    def body(self) -> ComposeResult:
        yield Static("", id="dns-server", classes="intro")
        yield from super().body()
        serving = self.app.dns.serving  # set as the widgets are made: nothing to look up if the screen is torn down
        title, log = Label("Live query log (newest first)", id="log-title", classes="intro"), ResourceTable(
            LOG_COLUMNS, id="query-log")
        title.display = log.display = serving
        yield title
        yield log

    def on_mount(self) -> None:  # BaseScreen.on_mount runs too (Textual calls every class's handler)
        if self.app.dns.serving:
            self.set_interval(1.0, lambda: self.reload(quiet=True))  # the log moves without the state's generation moving

    def fetch(self) -> DnsView:
        dns = self.app.dns
        from toolkit.dnsserver.view import record_row

        rows = [record_row(zone, rr) for zone in dns.zones() for rr in zone.records]
        records = [(_relative(r["name"], r["zone"]), str(r["type"]), r["ttl"], self._data(r), r["zone"]) for r in rows]
        return DnsView(records, dns.recent(), dns.summary())

    def _data(self, row: dict) -> str:
        text = row["data"]
        if row["type"] == "SOA" and self.app.mask_volatile:
            parts = text.split()
            text = " ".join(parts[:2] + ["<serial>"] + parts[3:])
        return text

    def rows(self, view: DnsView) -> list:
        return [Row(f"{name}/{kind}/{data}", (name, kind, ttl, data, zone)) for name, kind, ttl, data, zone
                in view.records]

    def show(self, view: DnsView) -> None:
        super().show(view)
        self.query_one("#dns-server", Static).update(view.summary)
        self.query_one("#query-log", ResourceTable).set_rows(
            [Row(f"{q.at}/{i}", (time.strftime("%H:%M:%S", time.localtime(q.at)), q.name, q.qtype, q.client,
                                 q.rcode, round(q.latency_ms, 3), q.size)) for i, q in enumerate(view.queries)])

    def action_copy_json(self) -> None:
        row = self.table.current()
        if row is not None:
            name, kind, ttl, data, zone = row.cells
            fqdn = zone if name == "@" else f"{name}.{zone}"
            self.copy_json(fqdn, {"name": fqdn, "type": kind, "ttl": ttl, "data": data, "zone": zone})


def _relative(name: str, origin: str) -> str:
    """Names as a zone file writes them: `@` for the apex, the labels before the origin otherwise."""
    if name.lower() == origin.lower():
        return "@"
    return name[: -len(origin) - 1] if name.lower().endswith("." + origin.lower()) else name
