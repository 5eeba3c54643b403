"""The DNS area with the server running inside the app: answers seen in the live query log."""

from __future__ import annotations

from dataclasses import replace

import dns.message
import dns.query
import dns.rcode
import pytest
from tuihelp import press, run, screen_text, tui, wait_for

from toolkit.tui.dns_host import DnsHost

pytestmark = pytest.mark.asyncio


@pytest.fixture
def host(demo):
    settings = replace(demo.settings, dns=replace(demo.settings.dns, listen=("127.0.0.1:0",)))
    server = DnsHost(settings, demo, serve=True)
    assert server.serving, server.error
    yield server
    server.stop()


async def test_live_query_log_and_counters(demo, host):
    name = demo.private_records()[0].name
    app = tui(demo, dns=host)
    async with run(app) as pilot:
        await press(pilot, "4")
        assert "DNS server: listening on 127.0.0.1:" in screen_text(app)
        ip, port = host.background.bound[0]
        reply = dns.query.udp(dns.message.make_query(name, "A"), ip, port=port, timeout=2)
        missing = dns.query.udp(dns.message.make_query("nope." + name, "A"), ip, port=port, timeout=2)
        assert reply.answer[0][0].address == demo.private_records()[0].ip
        assert missing.rcode() == dns.rcode.NXDOMAIN
        log = app.screen.query_one("#query-log")
        await wait_for(pilot, lambda: len(log.shown_rows) == 2, timeout=3)
        assert [(r.cells[1], r.cells[4]) for r in log.shown_rows] == [("nope." + name + ".", "NXDOMAIN"),
                                                                     (name + ".", "NOERROR")]
        assert all(0 <= r.cells[5] < 2000 for r in log.shown_rows)  # latency in ms
        assert "Latency ms" in screen_text(app)
        assert "NXDOMAIN 1" in screen_text(app)


async def test_many_records_show_the_first_and_the_filter_looks_through_all(demo, monkeypatch):
    """Issue 15: at 100,000 records the area shows the first SHOWN (and says how many there are); the filter
    finds a record past them. Here SHOWN is 3 on the demo's records."""
    import toolkit.tui.screens.dns as dns_screen

    monkeypatch.setattr(dns_screen, "SHOWN", 3)
    last = demo.private_records()[-1]
    app = tui(demo)
    async with run(app) as pilot:
        await press(pilot, "4")
        rows = app.screen.table.shown_rows
        assert len(rows) == 3 and last.ip not in [r.cells[3] for r in rows]
        assert "Showing the first 3 of" in screen_text(app)
        await press(pilot, "slash", *last.ip)
        await wait_for(pilot, lambda: [r.cells[3] for r in app.screen.table.shown_rows] == [last.ip])
