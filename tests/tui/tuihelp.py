"""Pilot helpers for the TUI tests (imported by name: tests/tui is on sys.path under pytest)."""

from __future__ import annotations

import time

from toolkit.tui.app import make_app
from toolkit.tui.shots import SIZE, settle

__all__ = ["SIZE", "settle", "tui", "run", "screen_text", "press", "type_text", "wait_for", "table_keys",
           "first_cells", "confirm", "cancel"]


def tui(reg, **options):
    """The app over `reg` as the CLI makes it; no blinking cursor, fast polling."""
    options.setdefault("cursor_blink", False)
    options.setdefault("poll_interval", 0.1)
    return make_app(reg.settings, reg, **options)


def run(app):
    return app.run_test(size=SIZE)


def screen_text(app) -> str:
    """What the active screen shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def press(pilot, *keys: str) -> None:
    """Each key once the app has settled (loads shown, workers done), then settle again."""
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])
    await settle(pilot)


async def wait_for(pilot, condition, timeout: float = 5.0) -> float:
    """Poll `condition()` between Pilot pauses until it holds; returns the seconds it took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout}s")
        await pilot.pause(0.02)
    return time.monotonic() - start


def table_keys(app) -> list[str]:
    return [row.key for row in app.screen.table.shown_rows]


def first_cells(app) -> list[str]:
    return [str(row.cells[0]) for row in app.screen.table.shown_rows]


async def confirm(pilot) -> None:
    """Answer the open ConfirmScreen with its yes button, as a keyboard user does (focus starts on Cancel)."""
    from toolkit.tui.screens.confirm import ConfirmScreen

    assert isinstance(pilot.app.screen, ConfirmScreen), pilot.app.screen
    await press(pilot, "left", "enter")


async def cancel(pilot) -> None:
    from toolkit.tui.screens.confirm import ConfirmScreen

    assert isinstance(pilot.app.screen, ConfirmScreen), pilot.app.screen
    await press(pilot, "escape")
