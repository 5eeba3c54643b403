"""How resources read as table rows: statuses coloured by theme variables, not fixed colours."""

from __future__ import annotations

from rich.text import Text

from toolkit.display import cell
from toolkit.model.service import listed_name
from toolkit.tui.widgets.resource_table import Row

TONE = {"available": "success", "accepted": "success", "pendingAcceptance": "warning", "creating": "warning",
        "deleting": "warning", "rejected": "error", "failed": "error", "deleted": "error"}


def tone(theme: dict, name: str) -> str:
    """A Rich style from a theme variable ($success, $warning, $error); "muted" is dim text."""
    return "dim" if name == "muted" else theme.get(name, "")


def status(theme: dict, value) -> Text:
    """A status in its theme colour ($success / $warning / $error)."""
    tone = TONE.get(str(value))
    return Text(str(value), style=theme.get(tone, "") if tone else "", justify="left", end="")


def short_time(stamp: str) -> str:
    return stamp.replace("T", " ")[:19] if stamp else "-"


SERVICE_COLUMNS = [("Name", 16), ("ID", 36), ("Type", 9), ("Backend", 7), ("Status", 9), ("Approval", 8),
                   ("Conns", 7), ("Created", 19)]  # Conns: 100,000 fits


def service_row(theme: dict, s) -> Row:
    name = s.short_name or s.service_name
    cells = (name, s.id, str(s.service_type), cell(s.server_type), status(theme, s.status),
             "on" if s.approval_enabled else "off", s.connection_count, short_time(s.created_at))
    return Row(s.id, cells, s.tags, s, text=f"{s.service_name} {' '.join(str(c) for c in cells)}".lower()
               + " " + " ".join(f"{t.key}={t.value}" for t in s.tags).lower())


ENDPOINT_COLUMNS = [("ID", 36), ("Service", 12), ("Status", 17), ("IP", 15), ("VPC", 14), ("Created", 19),
                    ("DNS name", 60), ("Type", 9)]


def endpoint_row(theme: dict, e, vpc_names: dict) -> Row:
    cells = (e.id, listed_name(e.endpoint_service_name), status(theme, e.status), cell(e.ip),
             vpc_names.get(e.vpc_id, e.vpc_id), short_time(e.created_at), cell(e.dns_names[:1]), e.service_type)
    return Row(e.id, cells, e.tags, e)


CONNECTION_COLUMNS = [("Endpoint", 36), ("Packet ID", 9), ("Status", 17), ("Description", 30), ("Account", 32),
                      ("Created", 19)]


def connection_row(theme: dict, connection) -> Row:
    """One registry Connection (S12): its endpoint, and the owner's description of it."""
    e = connection.endpoint
    cells = (e.id, e.marker_id, status(theme, e.status), connection.description or "-", e.domain_id,
             short_time(e.created_at))
    return Row(e.id, cells, e.tags, e)


APPROVAL_COLUMNS = [("Endpoint", 36), ("Service", 16), ("Account", 32), ("Packet ID", 9), ("Requested", 19)]


def approval_row(pending) -> Row:
    e, s = pending.endpoint, pending.service
    cells = (e.id, s.short_name or s.service_name, e.domain_id, e.marker_id, short_time(e.created_at))
    return Row(e.id, cells, e.tags, pending)
