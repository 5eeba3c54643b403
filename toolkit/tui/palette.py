"""What ctrl+p lists: every action of the console by the name an admin would search for, none of Textual's own.

The current screen's keys (named for what they change: "Delete service", not "Delete"), its tabs and
its add/remove panels, the selected service's tabs from the Services list, the areas, and the actions of
other areas that need no selection ("Run checks" from anywhere).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

SHARED = {"copy_json": "Copy JSON to the clipboard", "view_json": "View JSON (and save it to a file)",
          "filter": "Filter the list", "reload": "Refresh", "sort_next": "Sort by the next column",
          "sort_reverse": "Reverse the sort", "mark": "Mark the row", "mark_all": "Mark all rows",
          "app.pop_screen": "Back", "submit": "Create"}
NAMES = {
    "ServicesScreen": {"open": "Open service", "new": "New service", "delete": "Delete service"},
    "EndpointsScreen": {"open": "Open endpoint", "new": "New endpoint", "delete": "Delete endpoint"},
    "ApprovalsScreen": {"accept": "Accept endpoint", "reject": "Reject endpoint"},
    "ServiceDetailScreen": {"modify": "Modify service", "describe": "Describe connection or whitelist entry", "accept": "Accept endpoint", "reject": "Reject endpoint", "delete": "Delete service",
                            "copy_json": "Copy service JSON to the clipboard", "app.pop_screen": "Back to the list"},
    "EndpointDetailScreen": {"modify": "Modify whitelist", "delete": "Delete endpoint", "copy_json": "Copy endpoint JSON to the clipboard",
                             "app.pop_screen": "Back to the list"},
    "RoutesScreen": {"apply": "Apply routes", "remove": "Remove routes", "copy_render": "Copy the rendered form",
                     "copy_json": "Copy the route plan JSON", "view_json": "View the route plan JSON",
                     "inputs": "Plan routes: gateway, extra ranges, netns", "fix": "Go to the fix of a finding"},
    "ChecksScreen": {"run": "Run checks", "inputs": "Check inputs: resolver, gateway, netns",
                     "fix": "Go to the fix of a failed step"},
    "EndpointWizardScreen": {"submit": "Create endpoint", "app.pop_screen": "Cancel"},
    "ServiceFormScreen": {"submit": "Create service", "app.pop_screen": "Cancel"},
    "ServiceModifyScreen": {"submit": "Save the service", "app.pop_screen": "Cancel"},
    "EndpointModifyScreen": {"submit": "Save the whitelist", "app.pop_screen": "Cancel"},
}
PANELS = {"whitelist": ("Add whitelist entry", "Remove whitelist entries"), "tag-table": ("Set tag", "Remove tags"),
          "rule-table": ("Add rule", "Remove rules")}
SERVICE_TABS = [("Add whitelist entry", "permissions"), ("Add rule", "rules"), ("Set tag", "tags"),
                ("Accept endpoint", "connections"), ("Reject endpoint", "connections")]
"""From the Services list: the selected service's tab where each is done."""
ELSEWHERE = [("services", "new", "New service"), ("endpoints", "new", "New endpoint"), ("checks", "run", "Run checks"),
             ("routes", "inputs", "Plan routes: gateway, extra ranges, netns")]


@dataclass(frozen=True)
class Command:
    title: str
    help: str
    run: Callable


def commands(app, screen, areas) -> Iterator[Command]:
    """Everything the palette lists on `screen`, each title once."""
    seen: set[str] = set()
    for command in _all(app, screen, areas):
        if command.title not in seen:
            seen.add(command.title)
            yield command


def _all(app, screen, areas) -> Iterator[Command]:
    yield from _keys(app, screen)
    yield from _tabs(screen)
    yield from _panels(screen)
    yield from _selected_service(app, screen)
    for mode, key, label in areas:
        yield Command(f"Go to {label}", f"key {key}", lambda mode=mode: app.switch_mode(mode))
    current = getattr(app, "current_mode", "")
    for mode, action, title in ELSEWHERE:
        if mode != current and not (app.read_only and action == "new"):
            yield Command(title, f"in {mode.capitalize()}", lambda mode=mode, action=action: _run_in(app, mode, action))
    yield Command("Help: the keys of this screen", "key ?", lambda: app.run_action("help"))
    yield Command("Quit", "key q", lambda: app.run_action("quit"))


def _keys(app, screen) -> Iterator[Command]:
    """The screen's keys and the focused widget's, by their palette name; unnamed ones are not listed."""
    names = {**SHARED, **NAMES.get(type(screen).__name__, {})}
    for active in screen.active_bindings.values():
        binding = active.binding
        title = names.get(binding.action)
        if title and active.enabled:
            yield Command(title, f"key {app.get_key_display(binding)}",
                          lambda action=binding.action, node=active.node: app.run_action(action, node))


def _tabs(screen) -> Iterator[Command]:
    from textual.widgets import TabbedContent, TabPane

    for tabs in screen.query(TabbedContent):
        for pane in tabs.query(TabPane):
            label = str(tabs.get_tab(pane).label)
            yield Command(f"Show the {label} tab", "tab", lambda tabs=tabs, pane=pane: setattr(tabs, "active", pane.id))


def _panels(screen) -> Iterator[Command]:
    from toolkit.tui.widgets.editable_table import EditableTable

    if getattr(screen.app, "read_only", False):
        return
    for panel in screen.query(EditableTable):
        add, remove = PANELS.get(panel.id or "", ("", ""))
        if add:
            yield Command(add, "type it, enter", lambda panel=panel: _show_panel(panel, ".entry"))
            yield Command(remove, "mark rows (space), then Remove marked", lambda panel=panel: _show_panel(panel, ""))


def _show_panel(panel, focus: str) -> None:
    """Bring the panel's tab forward (when it is in one) and focus its add line or its table."""
    from textual.widgets import Input, TabbedContent, TabPane

    pane = next((node for node in panel.ancestors if isinstance(node, TabPane)), None)
    tabs = next((node for node in panel.ancestors if isinstance(node, TabbedContent)), None)
    if pane is not None and tabs is not None:
        tabs.active = pane.id
    target = panel.query_one(".entry", Input) if focus else panel.table
    target.focus()


def _selected_service(app, screen) -> Iterator[Command]:
    """On the Services list: what the selected service's detail tabs do, opened there."""
    if type(screen).__name__ != "ServicesScreen" or app.read_only:
        return
    row = screen.table.current()
    service = row.data if row is not None else None
    name = (service.short_name or service.service_name) if service is not None else "none"
    for title, tab in SERVICE_TABS:
        yield Command(title, f"the selected service ({name}): its {tab} tab",
                      lambda tab=tab: _open_service_tab(app, service, tab))


async def _open_service_tab(app, service, tab: str) -> None:
    from toolkit.tui.fixes import Jump, go

    if service is None or service.builtin or service.domain_id != app.account:
        app.notify("select one of your own services first: built-in and other accounts' services are managed "
                   "by their owner", title="Not here")
        return
    await go(app, Jump("", service=service.id, tab=tab))


async def _run_in(app, mode: str, action: str) -> None:
    await app.switch_mode(mode)
    await app.screen.run_action(action)
