"""Timestamps in the API's form."""

from datetime import datetime, timezone


def now() -> str:
    """UTC now as 2026-11-26T01:47:08.123Z."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
