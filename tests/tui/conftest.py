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


@pytest.fixture
def empty_netns():
    """Checks run from an empty namespace: the demo's addresses are not on this machine, so no probe may leave it."""
    import os

    from toolkit.netns import isolated

    if os.geteuid() != 0:
        pytest.skip("running checks without sending traffic off the machine needs root (an empty namespace)")
    with isolated("vpcep-tuit") as name:
        yield name
