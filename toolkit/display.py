"""How values read on a screen or in a table, shared by the CLI and the TUI."""

from __future__ import annotations


def cell(value) -> str:
    """An empty value as '-', booleans as yes/no, lists joined with commas."""
    if value is None or value == "" or value == [] or value == ():
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    return str(value)
