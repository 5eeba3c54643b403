"""Routes area: the plan from the inventory, its findings, rendered forms, kernel status, apply / remove."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static, TabbedContent, TabPane, Tabs

from toolkit.routing.status import status_lines
from toolkit.tui import field_checks, fixes, routes_ops
from toolkit.tui.messages import DryRun, Failed
from toolkit.tui.rows import tone
from toolkit.tui.screens.base import BaseScreen
from toolkit.tui.widgets.input_bar import InputBar, Spec
from toolkit.tui.widgets.resource_table import ResourceTable, Row

ROUTE_COLUMNS = [("Destination", 18), ("Via", 15), ("Purpose", 14), ("Rule", 5)]
FINDING_COLUMNS = [("Severity", 8), ("Rule", 4), ("Finding", 240)]
TONE = {"error": "error", "warning": "warning", "info": "muted"}
EXPLAIN = {"apply": "Routes carry the toolkit's own protocol number; a failure midway rolls back what this run added.",
           "remove": "Only routes with the toolkit's protocol number are deleted; nothing else is touched."}


class RoutesScreen(BaseScreen):
    AREA = "Routes"
    AUTO_FOCUS = "#route-table"
    CHANGES = frozenset({"apply", "remove"})
    BINDINGS = [
        Binding("i", "inputs", "Inputs"),
        Binding("f", "fix", "Go to fix"),
        Binding("a", "apply", "Apply"),
        Binding("x", "remove", "Remove"),
        Binding("c", "copy_render", "Copy"),
        Binding("y", "copy_json", "JSON"),
        Binding("v", "view_json", "View JSON"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = None
        self.extra: tuple[str, ...] = ()
        """VPC ranges reached over the VPN (`routes plan --extra`)."""
        self.netns: str | None = None
        """The namespace whose routes the status, apply and remove act on (`--netns`)."""

    def body(self) -> ComposeResult:
        yield InputBar([Spec("gateway", "Gateway", "VPN / DC gateway ip", self.app.gateway),
                        Spec("extra", "Extra", "CIDR ... over the VPN"), Spec("netns", "Netns", "this host")],
                       "Plan", id="route-inputs")
        yield Static("", id="routes-note", classes="intro", markup=False)
        with TabbedContent(id="route-tabs"):
            with TabPane("Plan", id="plan-tab"):
                yield ResourceTable(ROUTE_COLUMNS, id="route-table", json_of=self._plan_json)
                yield Label("Findings (f goes to the fix)", classes="intro")
                yield ResourceTable(FINDING_COLUMNS, id="findings", json_of=_finding_json)
                yield Static("", id="finding-detail", markup=False)
            with TabPane("Kernel status", id="status-tab"):
                yield Static("", id="status-text")
            for fmt in routes_ops.FORMATS:
                with TabPane(fmt, id=f"fmt-{fmt}"):
                    yield Static("", id=f"render-{fmt}", markup=False)

    def fetch(self):
        return routes_ops.build_view(self.app.registry, self.app.gateway,
                                     routes_ops.backend_in(self.app.route_backend, self.netns), self.extra)

    def show(self, view) -> None:
        self.view = view
        plan = view.plan
        if plan is None:
            self.query_one("#routes-note", Static).update(view.problem)
            return
        from toolkit.routing.render import resolver_line

        self.query_one("#routes-note", Static).update(
            f"{len(plan.routes)} route(s) via {plan.gateway}, proto {plan.proto}; {resolver_line(plan)}")
        self.query_one("#route-table", ResourceTable).set_rows(
            [Row(r.dst, (r.dst, r.via, r.purpose, r.rule), data=r) for r in plan.routes])
        self.query_one("#findings", ResourceTable).set_rows(finding_rows(self.app.theme_variables, plan.findings))
        self._show_finding()
        status = "\n".join(status_lines(view.status)) if view.status else view.status_error
        self.query_one("#status-text", Static).update(status)
        for fmt, text in view.renders.items():
            self.query_one(f"#render-{fmt}", Static).update(text)

    # -- inputs: gateway, extra ranges, namespace (as `routes plan` / `apply --netns` take them) ---------
    def action_inputs(self) -> None:
        self.query_one(InputBar).focus_first()

    def on_input_bar_submitted(self, message: InputBar.Submitted) -> None:
        message.stop()
        values, bar = message.values, message.bar
        try:
            gateway = field_checks.gateway("gateway", values["gateway"])
            extra = field_checks.networks("extra", values["extra"])
            netns = field_checks.route_netns("netns", values["netns"])
        except field_checks.BadInput as bad:
            bar.show_error(bad.error, bad.field)
            return
        bar.show_error(None)
        self.app.gateway, self.extra, self.netns = gateway, extra, netns
        self.query_one("#route-table").focus()
        self.reload()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Leaving the Plan tab with a table of it focused: focus the tabs, or Textual's focus hand-over
        lands on the other table of the hidden pane, and that switches back to Plan."""
        focused = self.focused
        if event.pane.id != "plan-tab" and focused is not None and self.query_one("#plan-tab") in focused.ancestors:
            event.tabbed_content.query_one(Tabs).focus()

    # -- findings and their fixes ------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "findings":
            self._show_finding()

    def _show_finding(self) -> None:
        row = self.query_one("#findings", ResourceTable).current()
        detail = ""
        if row is not None:
            finding, jump = row.data, _jump(row.data)
            detail = (f"f: {jump.label}\n" if jump else "") + f"[{finding.rule}] {finding.message}"
            detail += f"\nfix: {finding.fix}" if finding.fix else ""
        self.query_one("#finding-detail", Static).update(detail)

    async def action_fix(self) -> None:
        row = self.query_one("#findings", ResourceTable).current()
        jump = _jump(row.data) if row is not None else None
        if jump is None:
            self.notify("no screen here fixes this finding: read its fix", title="Routes")
        elif jump.area == "routes":
            self.action_inputs()
        else:
            await fixes.go(self.app, jump)

    # -- copy ------------------------------------------------------------------------
    def action_copy_render(self) -> None:
        active = self.query_one("#route-tabs", TabbedContent).active
        if self.view and active.startswith("fmt-"):
            fmt = active[4:]
            self.app.copy_to_clipboard(self.view.renders[fmt])
            self.notify(f"{fmt} form copied to the clipboard", title="Copied")

    def action_copy_json(self) -> None:
        if self.view and self.view.plan:
            from toolkit.routing.shapes import plan_dict
            self.copy_json("the route plan", plan_dict(self.view.plan))

    def _plan_json(self, row=None):
        """What `v` shows here, whichever row: the plan as `routes plan --json` prints it."""
        if self.view and self.view.plan:
            from toolkit.routing.shapes import plan_dict
            return "the route plan", plan_dict(self.view.plan)
        return None

    def action_view_json(self) -> None:
        shown = self._plan_json()
        if shown:
            from toolkit.tui.screens.json_view import JsonViewScreen

            self.app.push_screen(JsonViewScreen(*shown))

    # -- apply / remove: dry run first, then ask ------------------------------------------
    def action_apply(self) -> None:
        self._dry_run("apply")

    def action_remove(self) -> None:
        self._dry_run("remove")

    def _dry_run(self, action: str) -> None:
        if self.view and self.view.plan:
            self.preview(action, self.view.plan, routes_ops.backend_in(self.app.route_backend, self.netns))

    @work(thread=True, exclusive=True, exit_on_error=False, group="dry-run")
    def preview(self, action: str, plan, backend) -> None:
        try:
            self.post_message(DryRun(action, routes_ops.dry_run(plan, backend, action)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(Failed(exc, f"{action} the route plan (dry run)"))

    def on_dry_run(self, message: DryRun) -> None:
        plan, action = self.view.plan, message.action
        if not message.lines:
            self.notify(f"nothing to {action}: the kernel already matches", title="Routes")
            return
        diff = "\n".join(message.lines)
        self.ask_then_change(f"{action.capitalize()} {len(message.lines)} route change(s)?",
                             f"{diff}\n\n{EXPLAIN[action]}", action.capitalize(), f"{action} the route plan",
                             routes_ops.execute, plan, routes_ops.backend_in(self.app.route_backend, self.netns), action)


def finding_rows(theme: dict, findings) -> list[Row]:
    """One row per finding: severity in its theme colour, rule, message and fix."""
    return [Row(str(i), (Text(f.severity, style=tone(theme, TONE.get(f.severity, "")), end=""), f.rule,
                         f.message + (f" — fix: {f.fix}" if f.fix else "")), data=f) for i, f in enumerate(findings)]


def _jump(finding) -> fixes.Jump | None:
    return fixes.for_fix(finding.rule, finding.fix)


def _finding_json(row: Row):
    f = row.data
    return f"finding {f.rule}", {"severity": f.severity, "rule": f.rule, "message": f.message, "fix": f.fix}
