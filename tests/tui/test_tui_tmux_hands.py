"""At 80x24 in a real terminal: the wizard's main field shows, and text with q, 1–6, d and y typed into the
wizard's, Checks' and Routes' fields stays text (the app neither quits nor switches area)."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
import uuid

import pytest
from test_tui_tmux import Tmux as Tmux132

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
TYPED = "q123456dy"
"""Every key that is an app action elsewhere: quit, the six areas, delete, copy JSON."""


class Tmux(Tmux132):
    """The suite's tmux helper with an 80x24 pane."""

    def __init__(self, home) -> None:
        self.socket = f"vpcep-test-{uuid.uuid4().hex[:8]}"
        self("new-session", "-d", "-s", "t", "-x", "80", "-y", "24", "-e", f"HOME={home}",
             "-e", f"XDG_CONFIG_HOME={home}/cfg", "-e", "TERM=xterm-256color", "bash --norc --noprofile")


def start(tmp_path) -> Tmux:
    tmux = Tmux(tmp_path)
    env = " ".join(f"-u {name}" for name in ("VPCEP_STATE", "VPCEP_CONFIG", "VPCEP_ACCOUNT", "VPCEP_READ_ONLY"))
    tmux.send(f"env {env} {shlex.quote(sys.executable)} -m toolkit tui --demo --no-dns; echo EXIT=$?", "Enter")
    tmux.wait_for(lambda s: "awaiting approval" in s)
    return tmux


def title(screen: str) -> str:
    return screen.splitlines()[0]


def footer(screen: str) -> str:
    return screen.rstrip("\n").splitlines()[-1]


CURSOR = "\x1b[48;5;253m"
"""How the default theme draws an Input's cursor cell in tmux (light background): where the focus is."""


def focus_after(tmux: Tmux, caption: str, captions: tuple[str, ...] = ()) -> None:
    """Wait until the input after `caption` (on its line, before the next of `captions`) shows the cursor:
    typing before that would race the focus change (Textual moves the focus once the key reached its binding)."""
    def has_cursor(_screen: str) -> bool:
        for row in tmux("capture-pane", "-p", "-e", "-t", "t").splitlines():
            if caption in row:
                part = row.split(caption, 1)[1]
                for other in captions:
                    part = part.split(other, 1)[0] if other != caption else part
                return CURSOR in part
        return False
    tmux.wait_for(has_cursor)


def typed(tmux: Tmux, text: str) -> str:
    """Type `text` (literally, key by key) and wait until it shows."""
    tmux.send("-l", text)
    return tmux.wait_for(lambda s: text in s)


def test_wizard_fields_take_every_key_at_80x24(tmp_path):
    tmux = start(tmp_path)
    try:
        tmux.send("2")
        tmux.wait_for(lambda s: "vpcep  Endpoints" in title(s))
        tmux.send("n")
        shown = tmux.wait_for(lambda s: "type to filter the services" in s and "partner-api" in s)
        assert "Service" in shown and "partner-api" in shown and "or find by name" in shown  # the main field
        typed(tmux, f"web-{TYPED}")  # the search line has the focus
        tmux.send("Tab", "Tab")  # past the list, to find-by-name
        focus_after(tmux, "or find by name")
        typed(tmux, f"cn-north-4.{TYPED}")
        tmux.send("Tab", "Tab", "Tab", "Tab", "Tab")  # Verify, VPC, Subnet, Private domain name → Tags
        focus_after(tmux, "Tags")
        typed(tmux, f"k={TYPED}")
        tmux.send("Tab")
        focus_after(tmux, "Description")
        screen = typed(tmux, f"d-{TYPED}")
        assert "vpcep  New endpoint" in title(screen)
        for text in (f"web-{TYPED}", f"cn-north-4.{TYPED}", f"k={TYPED}", f"d-{TYPED}"):
            assert text in screen, text
        assert "EXIT=" not in screen
    finally:
        tmux.close()


def test_checks_and_routes_fields_take_every_key_at_80x24(tmp_path):
    tmux = start(tmp_path)
    try:
        for area, key, captions in (("Checks", "6", ("Resolver", "Gateway", "Netns")),
                                    ("Routes", "5", ("Gateway", "Extra", "Netns"))):
            tmux.wait_for(lambda s: "EXIT=" not in s)
            tmux.send(key)
            tmux.wait_for(lambda s, area=area: f"vpcep  {area}" in title(s) and "Inputs" in footer(s))
            tmux.send("i")
            for index, caption in enumerate(captions):
                if index:
                    tmux.send("Tab")
                focus_after(tmux, caption, captions)
                screen = typed(tmux, f"{index}{TYPED}")
            assert f"vpcep  {area}" in title(screen) and "EXIT=" not in screen
            assert all(f"{index}{TYPED}" in screen for index in range(len(captions))), screen
            tmux.send("Tab", "Tab")  # past the Run / Plan button, out of the inputs: area keys are keys again
            tmux.wait_for(lambda s: CURSOR not in tmux("capture-pane", "-p", "-e", "-t", "t").splitlines()[2])
        tmux.send("q")
        after = tmux.wait_for(lambda s: re.search(r"^EXIT=\d+", s, re.M) is not None)
        assert re.search(r"^EXIT=0$", after, re.M)
    finally:
        tmux.close()
