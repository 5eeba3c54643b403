"""SVG snapshots of every area, the detail, forms and modals (pytest-textual-snapshot).

The state is the TUI demo built under `fixed_ids()` (seeded UUIDs and timestamps), the
app has no polling and no blinking cursor, and each script waits for its workers, so a
snapshot only changes when the screen does. Update with `--snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_textual_snapshot import normalize_svg

from toolkit.tui.demo import open_demo
from toolkit.tui.shots import SHOTS, SIZE, VOLATILE, settle, shot_app


@pytest.mark.parametrize("name", [name for name in SHOTS if name not in VOLATILE])
def test_snapshot(name, demo, snap_compare):
    assert snap_compare(shot_app(demo), run_before=SHOTS[name], terminal_size=SIZE)


def test_snapshot_read_only(tmp_path, snap_compare):
    reg = open_demo(tmp_path, read_only=True)
    try:
        assert snap_compare(shot_app(reg), run_before=settle, terminal_size=SIZE)
    finally:
        reg.close()


@pytest.mark.parametrize("name", [name for name in SHOTS if name not in VOLATILE])
def test_committed_screenshot_is_current(name):
    """screenshots/*.svg (written by `vpcep screenshots`) show what the snapshots above verify."""
    root = Path(__file__).resolve().parents[2]
    committed = root / "screenshots" / f"{name}.svg"
    snapshot = Path(__file__).parent / "__snapshots__" / "test_tui_snapshots" / f"test_snapshot[{name}].svg"
    assert committed.exists(), "run `vpcep screenshots`"
    assert normalize_svg(committed.read_text()) == snapshot.read_text(), "run `vpcep screenshots` again"
