"""Checks area: state → dns → route → policy → tcp per endpoint — a seam until toolkit.checks lands."""

from __future__ import annotations

from textual.app import ComposeResult

from toolkit.tui.screens.base import BaseScreen
from toolkit.tui.widgets.unavailable import Unavailable

PURPOSE = ("This area will run the connectivity checks for all or the selected endpoints, filling in each "
           "step live (state → dns → route → policy → tcp) with ✓/✗ and figures; a failed step shows its "
           "rule (F1–F5, O6) and the fix; earlier runs stay in a history.")


class ChecksScreen(BaseScreen):
    AREA = "Checks"

    def body(self) -> ComposeResult:
        yield Unavailable("toolkit.checks", PURPOSE, ["vpcep endpoint show ID     (status, ip, dns names: F4)",
                                                       "vpcep service rules ID     (backend inbound rules: F1–F3)"])
