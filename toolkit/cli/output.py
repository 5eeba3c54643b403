"""How the CLI prints: aligned tables for people, the API's JSON shapes for scripts."""

from __future__ import annotations

import json
import sys


def dump(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def table(headers: list[str], rows: list[list]) -> str:
    """A plain aligned table; empty cells print as '-'."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def fields(pairs: list[tuple[str, object]]) -> str:
    """`Label:  value` lines, aligned."""
    width = max(len(label) for label, _ in pairs) + 1
    return "\n".join(f"{(label + ':').ljust(width)}  {_cell(value)}" for label, value in pairs)


def _cell(value) -> str:
    if value is None or value == "" or value == [] or value == ():
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


class Out:
    """Prints either the JSON form or the text form of a result."""

    def __init__(self, as_json: bool) -> None:
        self.json = as_json

    def emit(self, data, text: str | None = None) -> None:
        if self.json:
            print(dump(data))
        elif text is not None:
            print(text)

    def note(self, message: str) -> None:
        """A side remark (warnings) for people: always stderr."""
        print(message, file=sys.stderr)


def tags_text(tags) -> str:
    return ", ".join(f"{t.key}={t.value}" for t in tags)
