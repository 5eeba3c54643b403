"""The API's paging contract for every list (issue 15): limit, offset, sort_key, sort_dir; total_count is
the number of matches before the page is cut. The CLI and the REST API take the same four values."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.errors import ValidationError

SORT_KEYS = ("created_at", "updated_at", "id", "name")
MAX_LIMIT = 1000
"""The API's largest page."""


@dataclass(frozen=True)
class Page:
    """One page of a list; `limit=None` is everything (the CLI's default), kept in the state's order unless a
    sort_key is given."""

    limit: int | None = None
    offset: int = 0
    sort_key: str = ""
    sort_dir: str = "desc"

    def __post_init__(self) -> None:
        if self.limit is not None and not 1 <= self.limit <= MAX_LIMIT:
            raise ValidationError(f"limit {self.limit} is outside 1–{MAX_LIMIT}", rule="E12",
                                  fix=f"give --limit between 1 and {MAX_LIMIT}")
        if self.offset < 0:
            raise ValidationError(f"offset {self.offset} is negative", rule="E12", fix="give --offset 0 or more")
        if self.sort_key and self.sort_key not in SORT_KEYS:
            raise ValidationError(f"sort key {self.sort_key!r} is not one of {', '.join(SORT_KEYS)}", rule="E12",
                                  fix="e.g. --sort-key created_at")
        if self.sort_dir not in ("asc", "desc"):
            raise ValidationError(f"sort direction {self.sort_dir!r} is neither asc nor desc", rule="E12",
                                  fix="--sort-dir asc or desc")

    def cut(self, items: list) -> tuple[list, int]:
        """The page of `items` (documents or records), and how many there were in all."""
        if self.sort_key:
            items = sorted(items, key=lambda item: _value(item, self.sort_key), reverse=self.sort_dir == "desc")
        end = None if self.limit is None else self.offset + self.limit
        return items[self.offset:end], len(items)


def _value(item, key: str) -> str:
    """The sort value of a document or record; `name` is a service's stored name where it has no `name`."""
    get = item.get if isinstance(item, dict) else lambda name, default=None: getattr(item, name, default)
    value = get(key) if key != "name" else get("name") or get("service_name")
    return "" if value is None else str(value)
