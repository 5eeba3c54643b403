"""Checks area: state → dns → route → policy → tcp per endpoint, filled in as each finishes; history of runs."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from toolkit.checks.result import STEPS
from toolkit.tui import checks_ops, field_checks, fixes
from toolkit.tui.messages import CheckFinished, CheckProgress, CheckStep, Failed
from toolkit.tui.rows import short_time, tone
from toolkit.tui.screens.base import AreaScreen
from toolkit.tui.widgets.input_bar import InputBar, Spec
from toolkit.tui.widgets.resource_table import ResourceTable, Row

MARKS = {"passed": ("✓", "success"), "failed": ("✗", "error"), "skipped": ("–", "muted"),
         "running": ("…", "warning")}
CHECK_COLUMNS = [("Endpoint", 36), ("Service", 12), ("IP", 15)] + [(step, 6) for step in STEPS] + [("Result", 10)]
FIRST_STEP_COLUMN = 3
HISTORY_COLUMNS = [("Run", 8), ("Started", 19), ("Targets", 7), ("Passed", 6), ("Failed", 6), ("First failure", 13),
                   ("Exit", 4)]


@dataclass(frozen=True)
class ChecksData:
    endpoints: list
    history: list


class ChecksScreen(AreaScreen):
    AREA = "Checks"
    COLUMNS = CHECK_COLUMNS
    MARKABLE = True
    BINDINGS = [Binding("c", "run", "Run checks"), Binding("i", "inputs", "Inputs"), Binding("f", "fix", "Go to fix")]

    def __init__(self) -> None:
        super().__init__()
        self.data: ChecksData | None = None
        self.reports: dict = {}
        self.running: set[str] = set()
        self.partial: dict[str, dict[str, str]] = {}  # endpoint id → step → status, while it runs
        self.run_when_loaded = False

    def body(self) -> ComposeResult:
        yield InputBar([Spec("resolver", "Resolver", checks_ops.default_resolver(self.app)),
                        Spec("check-gateway", "Gateway", "none expected", self.app.gateway),
                        Spec("check-netns", "Netns", "this host")], "Run", id="check-inputs")
        yield Static("Marked endpoints (or all when none is marked) are checked; a failed step names its rule "
                     "and the fix (f goes there).", classes="intro")
        yield from super().body()
        yield Static("", id="check-detail", markup=False)
        yield Label("History", classes="intro")
        yield ResourceTable(HISTORY_COLUMNS, id="history-table")

    def on_mount(self) -> None:
        super().on_mount()
        self.table.json_of = self._json_of

    def on_screen_resume(self) -> None:
        if self.focused is None or self.focused.id != "check-gateway":
            self.query_one(InputBar).set_value("check-gateway", self.app.gateway)
        super().on_screen_resume()

    def fetch(self) -> ChecksData:
        reg = self.app.registry
        return ChecksData(reg.list_endpoints(), reg.check_history(10))

    def rows(self, data: ChecksData) -> list:
        self.data = data
        theme = self.app.theme_variables
        return [self._row(theme, e) for e in data.endpoints]

    def _row(self, theme: dict, e) -> Row:
        report = self.reports.get(e.id)
        running = e.id in self.running
        steps = self.partial.get(e.id, {}) if running else _statuses(report)
        marks = tuple(_mark(theme, steps.get(step, "running" if running else None)) for step in STEPS)
        result = "running" if running else ("passed" if report and report.ok else
                                          f"✗ {report.first_failure.step}" if report else "-")
        service = e.endpoint_service_name.split(".")[1] if e.endpoint_service_name.count(".") == 2 else "-"
        return Row(e.id, (e.id, service, e.ip or "-") + marks + (result,), e.tags, e)

    def show(self, data: ChecksData) -> None:
        super().show(data)
        self.query_one("#history-table", ResourceTable).set_rows(
            [Row(r["run_id"], (r["run_id"], short_time(r["started_at"]), r["summary"]["targets"],
                               r["summary"]["passed"], r["summary"]["failed"], r["summary"]["first_failure"] or "-",
                               r["exit_code"]), data=r) for r in data.history])
        self._show_detail()
        if self.run_when_loaded:
            self.run_when_loaded = False
            self.action_run()

    # -- detail of the row under the cursor ------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.table:
            self._show_detail()

    def _show_detail(self) -> None:
        row = self.table.current()
        report = self.reports.get(row.key) if row else None
        jump = self._jump()
        more = len(self._jumps()) - 1
        hint = f"f: {jump.label}" + (f" (or {more} more)" if more > 0 else "") + "\n" if jump else ""
        text = Text(hint, style=tone(self.app.theme_variables, "accent"))
        text.append_text(detail_text(self.app.theme_variables, report, self.app.mask_volatile) if report
                         else Text("Not checked yet: press c to run the checks."))
        self.query_one("#check-detail", Static).update(text)

    def _json_of(self, row: Row):
        """The endpoint's last check (as `vpcep check --json` prints it), else the endpoint itself."""
        report = self.reports.get(row.key)
        return (f"the check of {row.key}", report.to_dict()) if report else (f"endpoint {row.key}", row.data.to_dict())

    def action_copy_json(self) -> None:
        row = self.table.current()
        if row is not None:
            self.copy_json(*self._json_of(row))

    # -- from a failed step to the screen that fixes it ------------------------------------
    def _jumps(self) -> list[tuple[str, fixes.Jump]]:
        """(line, jump) for each failed step of the endpoint under the cursor that a screen here fixes."""
        row = self.table.current()
        report = self.reports.get(row.key) if row else None
        found = []
        for step in (s for s in (report.steps if report else ()) if s.failed):
            jump = fixes.for_fix(step.rule, step.fix, row.key)
            if jump is not None:
                found.append((f"[{step.rule}] {step.step} — {jump.label}", jump))
        return found

    def _jump(self) -> fixes.Jump | None:
        jumps = self._jumps()
        return jumps[0][1] if jumps else None

    async def action_fix(self) -> None:
        jumps = self._jumps()
        if not jumps:
            self.notify("nothing to fix here: run the checks, then pick a failed endpoint", title="Checks")
        elif len(jumps) == 1:
            await fixes.go(self.app, jumps[0][1])
        else:
            from toolkit.tui.screens.fix_picker import FixPickerScreen

            self.app.push_screen(FixPickerScreen(self.table.current().key, jumps), self._picked)

    async def _picked(self, jump) -> None:
        if jump is not None:
            await fixes.go(self.app, jump)

    # -- inputs: resolver, gateway, namespace (as `vpcep check` takes them) ---------------------
    def action_inputs(self) -> None:
        self.query_one(InputBar).focus_first()

    def on_input_bar_submitted(self, message: InputBar.Submitted) -> None:
        message.stop()
        self.action_run()

    def _read_inputs(self) -> dict | None:
        """The bar's values checked like `vpcep check`'s flags; None (and the error under the bar) when one is bad."""
        bar = self.query_one(InputBar)
        values = bar.values()
        try:
            inputs = {"resolver": field_checks.resolver("resolver", values["resolver"]),
                      "gateway": field_checks.gateway("check-gateway", values["check-gateway"], required=False),
                      "netns": field_checks.check_netns("check-netns", values["check-netns"])}
        except field_checks.BadInput as bad:
            bar.show_error(bad.error, bad.field)
            return None
        bar.show_error(None)
        self.app.gateway = inputs["gateway"] or self.app.gateway
        return inputs

    # -- running ------------------------------------------------------------------------------
    def action_run(self) -> None:
        if self.data is None:  # pressed before the first load: run once the rows are there
            self.run_when_loaded = True
            return
        inputs = self._read_inputs()
        chosen = [row.key for row in self.table.chosen()] if self.table.marked else \
            [row.key for row in self.table.shown_rows]
        if inputs is not None and chosen and not self.running:
            self.running, self.partial = set(chosen), {}
            self.table.set_rows(self.rows(self.data))
            self.table.focus()
            self.check(chosen, inputs)

    @work(thread=True, exclusive=True, exit_on_error=False, group="checks")
    def check(self, endpoint_ids: list[str], inputs: dict) -> None:
        try:
            options = checks_ops.options_for(self.app, self.app.check_timeout, **inputs)
            run = self.app.registry.run_checks(
                options, endpoint_ids, on_report=lambda report: self.post_message(CheckProgress(report)),
                on_step=lambda target, step: self.post_message(CheckStep(target, step)))
            self.post_message(CheckFinished(run))
        except Exception as exc:  # noqa: BLE001
            self.running = set()
            self.post_message(Failed(exc, "run the checks"))

    def on_check_step(self, message: CheckStep) -> None:
        """Fill in one step's cell of one row; the other rows and cells stay as they are."""
        status = str(message.step.status)
        self.partial.setdefault(message.target, {})[message.step.step] = status
        column = FIRST_STEP_COLUMN + STEPS.index(message.step.step)
        self.table.set_cell(message.target, column, _mark(self.app.theme_variables, status))

    def on_check_progress(self, message: CheckProgress) -> None:
        self.reports[message.report.target] = message.report
        self.running.discard(message.report.target)
        self.table.set_rows(self.rows(self.data))
        self._show_detail()

    def on_check_finished(self, message: CheckFinished) -> None:
        self.running = set()
        summary = message.run["summary"]
        unrecorded = "\nread-only: this run is not kept in the history" if self.app.read_only else ""
        self.notify(f"{summary['passed']} passed, {summary['failed']} failed{unrecorded}", title="Checks done")
        self.reload()


def _statuses(report) -> dict[str, str]:
    return {s.step: str(s.status) for s in report.steps} if report else {}


def _mark(theme: dict, status: str | None) -> Text:
    symbol, name = MARKS.get(status or "", ("·", "muted"))
    return Text(symbol, style=tone(theme, name), end="")


def detail_text(theme: dict, report, mask: bool = False) -> Text:
    """Every step of one endpoint: mark, name, what was seen, time; a failed step's rule and fix."""
    text = Text(f"{report.label}\n")
    for step in report.steps:
        symbol, name = MARKS.get(str(step.status), ("·", "muted"))
        took = "…" if mask else f"{step.duration_ms:.1f} ms"
        text.append(f" {symbol} ", style=tone(theme, name))
        text.append(f"{step.step:7} {step.detail}  ({took})\n")
        if step.failed:
            text.append(f"     rule {step.rule} — fix: {step.fix}\n", style=tone(theme, "warning"))
    return text
