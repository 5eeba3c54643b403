"""Aligned `Label  value` lines for a detail summary (E13)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from toolkit.display import cell


class FieldList(Static):
    """Set `.pairs` (label, value) to show them; values may be rich Text (statuses)."""

    def show(self, pairs: list[tuple[str, object]]) -> None:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for label, value in pairs:
            grid.add_row(label, value if isinstance(value, Text) else cell(value))
        self.update(grid)
