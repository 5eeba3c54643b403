"""DNS area: zones and records as the server answers them now (E5, O2), its live query log and counters."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Label, Static

from toolkit.tui.screens.base import AreaScreen
from toolkit.tui.widgets.resource_table import ResourceTable, Row, parse_query

RECORD_COLUMNS = [("Name", 38), ("Type", 5), ("TTL", 5), ("Data", 34), ("Zone", 36)]
SHOWN = 1000  # records shown at once (the filter looks through all of them)
LOG_COLUMNS = [("Time", 8), ("Name", 54), ("Type", 5), ("Client", 15), ("Rcode", 8), ("Latency ms", 10),
               ("Bytes", 5)]


@dataclass(frozen=True)
class DnsView:
    records: list
    queries: list
    summary: str
    more: str = ""  # how many records are not shown, when not all are


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
            self.set_interval(1.0, self._show_log)  # the log moves without the state's generation moving

    wanted = ""  # the filter's text: at 100,000 records the rows are chosen here, then the table filters them

    def fetch(self) -> DnsView:
        """The records matching the filter, the first SHOWN of them (a table of 100,000 rows would take the
        area half a minute, issue 15); the summary says how many there are when not all are shown."""
        dns = self.app.dns
        words, _ = parse_query(self.wanted)
        records, total = [], 0
        for zone in dns.zones():
            for cells in self._zone_rows(zone):
                if not words or all(word in " ".join(map(str, cells)).lower() for word in words):
                    total += 1
                    if len(records) < SHOWN:
                        records.append(cells)
        more = f" Showing the first {SHOWN:,} of {total:,} records: `/` finds the others." if total > SHOWN else ""
        return DnsView(records, dns.recent(), dns.summary(), more)

    def _zone_rows(self, zone):
        """(name, type, ttl, data, zone) of each record; a private zone's addresses read without a dnslib record."""
        from toolkit.dnsserver.view import record_row
        from toolkit.dnsserver.zones import PrivateZone

        head = zone.apex_records() if isinstance(zone, PrivateZone) else zone.records
        for rr in head:
            r = record_row(zone, rr)
            yield _relative(r["name"], r["zone"]), str(r["type"]), r["ttl"], self._data(r), r["zone"]
        if isinstance(zone, PrivateZone):
            for key, ips in list(zone.addrs.items()):
                name = _relative(zone.text_of(key), zone.origin)
                for ip in ips:
                    yield name, "AAAA" if ":" in ip else "A", zone.ttl, ip, zone.origin

    def on_filter_bar_query(self, message) -> None:
        super().on_filter_bar_query(message)
        if message.text != self.wanted:
            self.wanted = message.text
            self.reload(quiet=True)

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
        self.more = view.more
        self._show_log(view.queries, view.summary)

    more = ""  # the summary's note on records not shown, kept while only the log moves

    def _show_log(self, queries=None, summary=None) -> None:
        """The live log and the counters, every second: without fetching the records again (100,000 of them
        take longer than that to go through, and each reload would cancel the one before)."""
        dns = self.app.dns
        queries = dns.recent() if queries is None else queries
        self.query_one("#dns-server", Static).update((summary or dns.summary()) + self.more)
        self.query_one("#query-log", ResourceTable).set_rows(
            [Row(f"{q.at}/{i}", (time.strftime("%H:%M:%S", time.localtime(q.at)), q.name, q.qtype, q.client,
                                 q.rcode, round(q.latency_ms, 3), q.size)) for i, q in enumerate(queries)])

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
