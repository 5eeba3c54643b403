"""Routes area: the plan from the inventory, its findings, rendered forms, kernel status, apply / remove."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static, TabbedContent, TabPane

from toolkit.tui import routes_ops
from toolkit.tui.messages import DryRun, Failed
from toolkit.tui.rows import tone
from toolkit.tui.screens.base import BaseScreen
from toolkit.tui.widgets.resource_table import ResourceTable, Row

ROUTE_COLUMNS = [("Destination", 18), ("Via", 15), ("Purpose", 14), ("Rule", 5)]
TONE = {"error": "error", "warning": "warning", "info": "muted"}
EXPLAIN = {"apply": "Routes carry the toolkit's own protocol number; a failure midway rolls back what this run added.",
           "remove": "Only routes with the toolkit's protocol number are deleted; nothing else is touched."}


class RoutesScreen(BaseScreen):
    AREA = "Routes"
    AUTO_FOCUS = "#route-table"
    CHANGES = frozenset({"apply", "remove"})
    BINDINGS = [
        Binding("g", "gateway", "Gateway"),
        Binding("a", "apply", "Apply"),
        Binding("x", "remove", "Remove"),
        Binding("c", "copy_render", "Copy"),
        Binding("y", "copy_json", "JSON"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = None

    def body(self) -> ComposeResult:
        with Horizontal(classes="toolbar", id="gateway-bar"):
            yield Label("Gateway ", classes="caption")
            yield Input(self.app.gateway, placeholder="VPN / Direct Connect gateway ip, e.g. 192.168.0.1",
                        id="gateway", compact=True)
            yield Button("Plan", id="plan", compact=True)
        yield Static("", id="routes-note", classes="intro", markup=False)
        with TabbedContent(id="route-tabs"):
            with TabPane("Plan", id="plan-tab"):
                yield ResourceTable(ROUTE_COLUMNS, id="route-table")
                yield Label("Findings", classes="intro")
                yield Static("", id="findings")
            with TabPane("Kernel status", id="status-tab"):
                yield Static("", id="status-text")
            for fmt in routes_ops.FORMATS:
                with TabPane(fmt, id=f"fmt-{fmt}"):
                    yield Static("", id=f"render-{fmt}", markup=False)

    def fetch(self):
        return routes_ops.build_view(self.app.registry, self.app.gateway, self.app.route_backend)

    def show(self, view) -> None:
        self.view = view
        plan = view.plan
        if plan is None:
            self.query_one("#routes-note", Static).update(view.problem)
            return
        self.query_one("#routes-note", Static).update(
            f"{len(plan.routes)} route(s) via {plan.gateway}, proto {plan.proto}; resolvers forward "
            f"{', '.join(plan.zones) or '-'} to {', '.join(plan.forwarders) or '-'} (O2)")
        self.query_one("#route-table", ResourceTable).set_rows(
            [Row(r.dst, (r.dst, r.via, r.purpose, r.rule), data=r) for r in plan.routes])
        self.query_one("#findings", Static).update(findings_text(self.app.theme_variables, plan.findings))
        status = "\n".join(routes_ops.status_lines(view.status)) if view.status else view.status_error
        self.query_one("#status-text", Static).update(status)
        for fmt, text in view.renders.items():
            self.query_one(f"#render-{fmt}", Static).update(text)

    # -- gateway ------------------------------------------------------------------
    def action_gateway(self) -> None:
        self.query_one("#gateway", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._plan()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._plan()

    def _plan(self) -> None:
        self.app.gateway = self.query_one("#gateway", Input).value.strip()
        self.query_one("#route-table").focus()
        self.reload()

    # -- copy ------------------------------------------------------------------------
    def action_copy_render(self) -> None:
        active = self.query_one("#route-tabs", TabbedContent).active
        if self.view and active.startswith("fmt-"):
            fmt = active[4:]
            self.app.copy_to_clipboard(self.view.renders[fmt])
            self.notify(f"{fmt} form copied to the clipboard", title="Copied")

    def action_copy_json(self) -> None:
        if self.view and self.view.plan:
            from toolkit.cli.cmd_routes import plan_dict
            self.copy_json("the route plan", plan_dict(self.view.plan))

    # -- apply / remove: dry run first, then ask ------------------------------------------
    def action_apply(self) -> None:
        self._dry_run("apply")

    def action_remove(self) -> None:
        self._dry_run("remove")

    def _dry_run(self, action: str) -> None:
        if self.view and self.view.plan:
            self.preview(action, self.view.plan)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dry-run")
    def preview(self, action: str, plan) -> None:
        try:
            self.post_message(DryRun(action, routes_ops.dry_run(plan, self.app.route_backend, action)))
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
                             routes_ops.execute, plan, self.app.route_backend, action)


def findings_text(theme: dict, findings) -> Text:
    """One finding per line: severity in its theme colour, [rule], message, and the fix."""
    text = Text()
    for f in findings:
        text.append(f"{f.severity:8}", style=tone(theme, TONE.get(f.severity, "")))
        text.append(f"[{f.rule}] {f.message}" + (f" — fix: {f.fix}" if f.fix else "") + "\n")
    return text or Text("none")
