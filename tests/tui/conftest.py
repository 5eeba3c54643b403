"""TUI fixtures: a deterministic demo state per test (seeded ids and timestamps)."""

from __future__ import annotations

import pytest

from toolkit.cli.demo import PARTNER
from toolkit.tui.demo import open_demo


@pytest.fixture
def demo(tmp_path):
    """The TUI demo state, acting as its owner."""
    reg = open_demo(tmp_path)
    yield reg
    reg.close()


@pytest.fixture
def partner(demo):
    """The same state acting as the partner account of the demo."""
    return demo.acting(PARTNER)
