"""From a failed check step or a route finding to the screen that fixes it (`f` in Checks and Routes).

The fixes the checks and the planner write are CLI commands (`vpcep service rules REF --add SPEC`);
the same command names the screen: the service's Rules tab with SPEC typed in, say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMMANDS = [  # (pattern of the fix, the service detail tab that does the same)
    (re.compile(r"vpcep service rules ([^\s`]+) --add ([^\s`]+)"), "rules"),
    (re.compile(r"vpcep service rules ([^\s`]+) --remove ([^\s`]+)"), "rules"),
    (re.compile(r"vpcep service whitelist ([^\s`]+) --add ([^\s`]+)"), "permissions"),
    (re.compile(r"vpcep service accept ([^\s`]+) ([^\s`]+)"), "connections"),
]
TAB_NAMES = {"rules": "Rules", "permissions": "Permission Management", "connections": "Connection Management"}
AREAS = {"O3": "routes", "O4": "routes", "O5": "routes", "E5": "dns", "O2": "dns"}
ENDPOINT_RULES = {"E10", "F6", "O6", "E4", "E13"}


@dataclass(frozen=True)
class Jump:
    """Where to go: an area, a service's detail tab (with its add line filled in), or an endpoint's detail."""

    label: str
    area: str = ""
    service: str = ""
    tab: str = ""
    entry: str = ""
    endpoint: str = ""
    field: str = ""
    """An input of the area to focus (the Checks area's resolver, say)."""


def for_fix(rule: str, fix: str, endpoint_id: str = "") -> Jump | None:
    """The jump for a failure with `rule` and `fix` (None when no screen of the console fixes it)."""
    for pattern, tab in COMMANDS:
        found = pattern.search(fix or "")
        if found:
            entry = found.group(2) if "--add" in pattern.pattern else ""
            what = f" with {entry} filled in" if entry else ""
            return Jump(f"open the service's {TAB_NAMES[tab]} tab{what}", service=found.group(1), tab=tab, entry=entry)
    if "--resolver" in (fix or ""):
        return Jump("enter another resolver (Checks inputs)", area="checks", field="resolver")
    if rule in AREAS:
        return Jump(f"go to the {AREAS[rule].capitalize() if AREAS[rule] != 'dns' else 'DNS'} area", area=AREAS[rule])
    if endpoint_id and rule in ENDPOINT_RULES:
        return Jump("open the endpoint's detail", endpoint=endpoint_id)
    return None


async def go(app, jump: Jump) -> None:
    """Show the screen `jump` names; Escape comes back."""
    if jump.area:
        if app.current_mode != jump.area:
            await app.switch_mode(jump.area)
        if jump.field:
            app.screen.query_one(f"#{jump.field}").focus()
    elif jump.service:
        from toolkit.tui.screens.service_detail import ServiceDetailScreen

        screen = ServiceDetailScreen(jump.service)
        await app.push_screen(screen)
        screen.open_tab(jump.tab, jump.entry)
    elif jump.endpoint:
        from toolkit.tui.screens.endpoint_detail import EndpointDetailScreen

        await app.push_screen(EndpointDetailScreen(jump.endpoint))
