"""A DataTable that keeps its rows, filters them by keyword and tag, sorts by any column, marks rows."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from toolkit.model import tags as tag_rules
from toolkit.model.tags import Tag

MARK = "●"


@dataclass(frozen=True)
class Row:
    """One resource as a table row: its key, display cells, search text, tags and the resource itself."""

    key: str
    cells: tuple
    tags: tuple[Tag, ...] = ()
    data: object = None
    text: str = field(default="", compare=False)
    display: tuple = field(default=(), compare=False, repr=False)
    """The cells as rich Text, made once: no markup parsing of names and values, nothing to redo per render."""

    def __post_init__(self) -> None:
        if not self.text:
            words = [c.plain if isinstance(c, Text) else str(c) for c in self.cells]
            words += [f"{t.key}={t.value}" for t in self.tags]
            object.__setattr__(self, "text", " ".join(words).lower())
        object.__setattr__(self, "display", tuple(
            c if isinstance(c, Text) else Text(str(c), end="", no_wrap=True) for c in self.cells))


def parse_query(query: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The filter's words, lowercased: (keywords, (key, value) tags); a word with `=` is a tag (E12)."""
    words = query.lower().split()
    return (tuple(w for w in words if "=" not in w),
            tuple(tuple(w.partition("=")[::2]) for w in words if "=" in w))


def row_matches(row: Row, query: str) -> bool:
    """Every word must match: `k=v` a tag (E12), anything else a keyword in any cell."""
    keywords, wanted = parse_query(query)
    if wanted and not tag_rules.matches(tuple(Tag(t.key.lower(), t.value.lower()) for t in row.tags),
                                        [Tag(key, value) for key, value in wanted]):
        return False
    return all(word in row.text for word in keywords)


KINDS = {"EndpointService": "service", "Endpoint": "endpoint"}


def resource_json(row: Row) -> tuple[str, object] | None:
    """(what, JSON) of a row's resource as the API shapes it: its `to_dict()`, a dict as it is, or the
    endpoint of a (service, endpoint) pair; None when the row carries nothing to show."""
    data = row.data
    if hasattr(data, "endpoint") and hasattr(data.endpoint, "to_dict"):
        data = data.endpoint
    if hasattr(data, "to_dict"):
        kind = KINDS.get(type(data).__name__, "")
        name = getattr(data, "short_name", "") or row.key
        return (f"{kind} {name}" if kind else name), data.to_dict()
    return (row.key, data) if isinstance(data, dict) else None


def _sort_key(cell):
    plain = cell.plain if isinstance(cell, Text) else cell
    if isinstance(plain, (int, float)):
        return (0, plain, "")
    return (1, 0, str(plain).lower())


class ResourceTable(DataTable):
    """Rows in, filtered/sorted/marked view out; posts Marked when the marked set changes."""

    BINDINGS = [
        Binding("s", "sort_next", "Sort", show=False),
        Binding("S", "sort_reverse", "Reverse", show=False),
        Binding("space", "mark", "Mark"),
        Binding("ctrl+a", "mark_all", "Mark all"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g,home", "scroll_top", "First row", show=False),
        Binding("G,end", "scroll_bottom", "Last row", show=False),
        Binding("v", "view_json", "View JSON"),
    ]

    class Marked(Message):
        def __init__(self, table: "ResourceTable") -> None:
            self.table = table
            super().__init__()

    def __init__(self, columns: list, *, markable: bool = False, json_of=resource_json, **kwargs) -> None:
        """`columns`: names, or (name, width) pairs; fixed widths keep 1,000-row renders cheap and stable.
        `json_of(row)`: what `v` shows for a row, (what, JSON) or None."""
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        specs = [c if isinstance(c, tuple) else (c, None) for c in columns]
        self.column_names = [name for name, _ in specs]
        self.column_widths = [width for _, width in specs]
        self.markable = markable
        self.rows_all: list[Row] = []
        self.shown_rows: list[Row] = []
        self.query_text = ""
        self.sort_column: int | None = None
        self.sort_reverse = False
        self.marked: set[str] = set()
        self.json_of = json_of

    def on_mount(self) -> None:
        self._ensure_columns()

    def _ensure_columns(self) -> None:
        """Columns first: data can arrive from a worker before this table's Mount is handled."""
        if self.columns:
            return
        if self.markable:
            self.add_column(" ", key="_mark", width=1)
        for index, (name, width) in enumerate(zip(self.column_names, self.column_widths)):
            self.add_column(name, key=str(index), width=width)

    # -- attributes down --------------------------------------------------------
    def set_rows(self, rows: list[Row]) -> None:
        """Replace the data, keeping the cursor on the same resource and the marks that still exist."""
        self.rows_all = list(rows)
        keys = {row.key for row in rows}
        if self.marked - keys:
            self.marked &= keys
            self.post_message(self.Marked(self))
        self.render_rows()

    def set_cell(self, key: str, column: int, value) -> None:
        """Change one cell of one row in place: no re-render of the others (a check step filled in live)."""
        for rows in (self.rows_all, self.shown_rows):
            at = next((i for i, row in enumerate(rows) if row.key == key), None)
            if at is not None:
                rows[at] = replace(rows[at], cells=rows[at].cells[:column] + (value,) + rows[at].cells[column + 1:],
                                   text="")
        shown = next((row for row in self.shown_rows if row.key == key), None)
        if shown is not None:
            self.update_cell(key, str(column), shown.display[column])

    def set_query(self, query: str) -> None:
        self.query_text = query
        self.render_rows()

    @property
    def laid_out(self) -> bool:
        """False until DataTable has measured the rows just added (it does so when idle)."""
        return not self._require_update_dimensions and not self._updated_cells

    def current(self) -> Row | None:
        if not self.shown_rows or not 0 <= self.cursor_row < len(self.shown_rows):
            return None
        return self.shown_rows[self.cursor_row]

    def chosen(self) -> list[Row]:
        """The marked rows, or the row under the cursor when none is marked."""
        marked = [row for row in self.rows_all if row.key in self.marked]
        current = self.current()
        return marked or ([current] if current else [])

    # -- rendering --------------------------------------------------------------
    def render_rows(self) -> None:
        self._ensure_columns()
        keep = self.current().key if self.current() else None
        rows = [row for row in self.rows_all if row_matches(row, self.query_text)] if self.query_text \
            else list(self.rows_all)
        if self.sort_column is not None:
            rows.sort(key=lambda row: _sort_key(row.cells[self.sort_column]), reverse=self.sort_reverse)
        self.shown_rows = rows
        self.clear()
        for row in rows:
            cells = ((MARK if row.key in self.marked else " "),) + row.display if self.markable else row.display
            self.add_row(*cells, key=row.key)
        self._restore_cursor(keep)
        self._label_sorted()

    def _restore_cursor(self, key: str | None) -> None:
        index = next((i for i, row in enumerate(self.shown_rows) if row.key == key), 0)
        if self.shown_rows:
            self.move_cursor(row=index, animate=False)

    def _label_sorted(self) -> None:
        offset = 1 if self.markable else 0
        for index, name in enumerate(self.column_names):
            arrow = ("▼" if self.sort_reverse else "▲") if index == self.sort_column else ""
            self.columns[self.ordered_columns[index + offset].key].label = Text(name + arrow)

    def _update_dimensions(self, new_rows) -> None:
        """With every column of fixed width and rows one line high, measuring new cells cannot change
        the layout: skip it (it dominates a 1,000-row re-render) and only recompute the virtual size."""
        if all(not column.auto_width for column in self.columns.values()):
            new_rows = ()
        super()._update_dimensions(new_rows)

    # -- sorting ----------------------------------------------------------------
    def sort_by(self, column: int, reverse: bool | None = None) -> None:
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else False
        self.sort_column, self.sort_reverse = column, reverse
        self.render_rows()

    def action_sort_next(self) -> None:
        column = 0 if self.sort_column is None else (self.sort_column + 1) % len(self.column_names)
        self.sort_by(column, reverse=False)

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort_column or 0, reverse=not self.sort_reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = str(event.column_key.value)
        if key != "_mark":
            self.sort_by(int(key))

    # -- the JSON view ------------------------------------------------------------
    def action_view_json(self) -> None:
        row = self.current()
        shown = self.json_of(row) if row is not None else None
        if shown is not None:
            from toolkit.tui.screens.json_view import JsonViewScreen

            self.app.push_screen(JsonViewScreen(*shown))

    # -- marking ----------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return self.markable if action in ("mark", "mark_all") else True

    def action_mark(self) -> None:
        self.toggle_mark()

    def action_mark_all(self) -> None:
        self.mark_all()

    def toggle_mark(self) -> None:
        row = self.current()
        if row is None or not self.markable:
            return
        self.marked.symmetric_difference_update({row.key})
        self.update_cell(row.key, "_mark", MARK if row.key in self.marked else " ")
        self.post_message(self.Marked(self))

    def mark_all(self) -> None:
        visible = {row.key for row in self.shown_rows}
        self.marked = set() if visible <= self.marked else self.marked | visible
        for row in self.shown_rows:
            self.update_cell(row.key, "_mark", MARK if row.key in self.marked else " ")
        self.post_message(self.Marked(self))
