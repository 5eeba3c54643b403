"""DNS area: the private records as the server answers them now (E5), and the server's query log."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from toolkit.tui.screens.base import AreaScreen
from toolkit.tui.widgets.resource_table import Row

RECORD_COLUMNS = [("Name", 66), ("Type", 4), ("TTL", 5), ("Address", 15), ("Endpoint", 36)]


class DnsScreen(AreaScreen):
    AREA = "DNS"
    COLUMNS = RECORD_COLUMNS

    def body(self) -> ComposeResult:
        yield Static("Private zone records: one A record per name of every accepted endpoint with a "
                     "private domain name (E5).", classes="intro")
        yield from super().body()
        yield Static("", id="dns-server", classes="panel")

    def fetch(self):
        dns = self.app.dns
        return self.app.registry.private_records(), (dns.summary() if dns is not None else None)

    def rows(self, data) -> list:
        records, _ = data
        ttl = self.app.settings.dns.ttl
        return [Row(f"{r.name}/{r.ip}", (r.name, "A", ttl, r.ip, r.endpoint_id), data=r) for r in records]

    def show(self, data) -> None:
        super().show(data)
        self.query_one("#dns-server", Static).update(data[1] or self.app.dns_note)

    def action_copy_json(self) -> None:
        row = self.table.current()
        if row is not None:
            record = row.data
            self.copy_json(record.name, {"name": record.name, "type": "A", "ttl": self.app.settings.dns.ttl,
                                         "records": [record.ip], "endpoint_id": record.endpoint_id})
