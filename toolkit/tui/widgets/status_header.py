"""The top bar, two lines: where the admin is and acts (area, account, region, read-only, approvals waiting,
busy), then what this app works on (the state file) and its DNS server (address and serving / taken / off)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label


class StatusHeader(Vertical):
    """Shows the app's `pending`, `read_only` and `busy` (watched on the app) for one area title."""

    def __init__(self, area: str) -> None:
        super().__init__()
        self.area = area

    def compose(self) -> ComposeResult:
        with Horizontal(id="where"):
            yield Label("vpcep", id="brand")
            yield Label(self.area, id="area")
            yield Label("", id="count")
            yield Label("", id="account")
            yield Label("", id="busy")
            yield Label("", id="pending")
            yield Label("READ-ONLY", id="read-only")
        with Horizontal(id="context"):
            yield Label("", id="region")
            yield Label("", id="cloud")
            yield Label("", id="dns-state")
            yield Label("", id="state-path")

    def on_mount(self) -> None:
        app = self.app
        region = getattr(getattr(app.registry, "identity", None), "region", "") or app.settings.identity.region
        self.query_one("#account", Label).update(f"account {app.account}")
        self.query_one("#region", Label).update(f"region {region}")
        self._show_cloud()
        path = app.registry.state_path
        where = "…" if app.mask_volatile else _home(path.parent)  # pictures: no per-run temp dir
        self.query_one("#state-path", Label).update(f"state {path.name} in {where}")  # cut at the end: name stays
        state, text = app.dns.state()
        dns = self.query_one("#dns-state", Label)
        dns.update(text)
        dns.add_class(state)
        self.watch(app, "pending", self._show_pending)
        self.watch(app, "busy", self._show_busy)
        self.query_one("#read-only").display = bool(app.read_only)
        self.query_one("#count").display = False

    def show_count(self, matches: int | None, total: int) -> None:
        """How many rows the area's filter finds of how many there are: `1,234 of 100,000` (… while counting)."""
        label = self.query_one("#count", Label)
        label.update(f"{'…' if matches is None else f'{matches:,}'} of {total:,}")
        label.display = True

    def _show_cloud(self) -> None:
        """C1: which cloud account this state mirrors and when the last pull ran (hidden for a local state)."""
        label = self.query_one("#cloud", Label)
        read = getattr(self.app.registry, "last_pull", None)  # one meta read, not the status's counts
        last = (read() if read else None) or {}
        label.display = bool(last)
        if last:
            when = "pull failed" if last.get("error") else f"pulled {str(last.get('at', ''))[11:16]}"
            label.update(f"cloud mirror · {when}")  # the account is on the line above
            label.set_class(bool(last.get("error")), "failed")

    def _show_pending(self, pending: int) -> None:
        label = self.query_one("#pending", Label)
        label.update(f"{pending} awaiting approval" if pending else "no approvals waiting")
        label.set_class(bool(pending), "waiting")

    def _show_busy(self, busy: int) -> None:
        self.query_one("#busy", Label).update("working…" if busy else "")


def _home(path: Path) -> str:
    """A directory with the home directory as `~` (it has to fit beside the DNS server's state)."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)
