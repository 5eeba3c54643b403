"""Endpoints area: the account's endpoints (E12, E13); enter opens the detail, n runs the wizard, d deletes.

At any size (issue 15) the table holds a window of rows, not the list: the filter, the sort and the cut run
in the store (registry `endpoint_window`), the matches are counted after the rows are shown, and a move of
the state fetches the window again, not everything."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.worker import get_current_worker

from toolkit.store.search import Search
from toolkit.tui.messages import Counted, Failed
from toolkit.tui.rows import ENDPOINT_COLUMNS, endpoint_row
from toolkit.tui.screens.resource_list import ResourceListScreen
from toolkit.tui.widgets.filter_bar import FilterBar
from toolkit.tui.widgets.resource_table import parse_query
from toolkit.tui.widgets.status_header import StatusHeader
from toolkit.tui.widgets.window_table import Want, WindowTable

E11 = "Deletion is permanent (E11): the endpoint's private domain name record goes with it."


@dataclass(frozen=True)
class Window:
    """One fetched window: what was asked, the endpoints, the VPC names they show, the counts."""

    want: Want
    endpoints: list
    vpc_names: dict
    matches: int | None
    """None: not counted with the rows (a filter whose first window is full); a worker counts them next."""
    total: int


def search_of(want: Want) -> Search:
    words, tags = parse_query(want.query)
    return Search(words, tags, want.sort_column, want.descending)


class EndpointsScreen(ResourceListScreen):
    AREA = "Endpoints"
    COLUMNS = ENDPOINT_COLUMNS
    wanted: Want | None = None

    def body(self) -> ComposeResult:
        bar = FilterBar()
        bar.display = False
        yield bar
        yield WindowTable(self.COLUMNS, id="table")

    def reload(self, quiet: bool = False) -> None:
        """The same window again (the state moved, a change went through, the area shown again)."""
        self.wanted = self.table.want("reload")
        super().reload(quiet)

    def on_window_table_wanted(self, message: WindowTable.Wanted) -> None:
        message.stop()
        self.wanted = message.want
        super().reload(quiet=True)

    def fetch(self) -> Window | None:
        reg, want = self.app.registry, self.wanted
        if get_current_worker().is_cancelled:
            return None  # a later keystroke asked again before this one's turn at the state came
        search = search_of(want)
        endpoints, listing = reg.endpoint_window(search, want.offset, want.limit)
        total = reg.endpoint_matches(Search())
        matches = None
        if want.count:
            short = want.offset == 0 and len(endpoints) < want.limit
            matches = len(endpoints) if short else total if not search.words and not search.tags else None
        return Window(want, endpoints, listing.vpc_names, matches, total)

    def show(self, data: Window) -> None:
        if data is None or data.want is not self.wanted:
            return  # a later window is on its way
        theme = self.app.theme_variables
        self.table.show_window([endpoint_row(theme, e, data.vpc_names) for e in data.endpoints], data.want,
                               data.matches)
        self.table.loading = False
        self.total = data.total
        self.query_one(StatusHeader).show_count(self.table.matches, data.total)
        if data.want.count and data.matches is None:
            self.count_matches(data.want)

    @work(thread=True, exclusive=True, exit_on_error=False, group="count")
    def count_matches(self, want: Want) -> None:
        if get_current_worker().is_cancelled:
            return
        try:
            self.post_message(Counted(want, self.app.registry.endpoint_matches(search_of(want))))
        except Exception as exc:  # noqa: BLE001 — shown as every load failure is
            self.post_message(Failed(exc, "load"))

    def on_counted(self, message: Counted) -> None:
        message.stop()
        if message.want is self.wanted or (self.wanted and not self.wanted.count
                                           and message.want.query == self.wanted.query):
            self.table.counted(message.matches)
            self.query_one(StatusHeader).show_count(message.matches, self.total)

    def detail_screen(self, row):
        from toolkit.tui.screens.endpoint_detail import EndpointDetailScreen
        return EndpointDetailScreen(row.key)

    def new_screen(self):
        from toolkit.tui.screens.endpoint_wizard import EndpointWizardScreen
        return EndpointWizardScreen()

    def deletion(self, row):
        return (f"delete endpoint {row.key}", f"Delete endpoint {row.key}?", E11,
                self.app.registry.delete_endpoint, row.key)
