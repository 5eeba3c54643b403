"""A new user's first minute, in a real terminal: tmux send-keys / capture-pane against `vpcep tui --demo`."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

AREAS = [("2", "Endpoints"), ("3", "Approvals"), ("4", "DNS"), ("5", "Routes"), ("6", "Checks"), ("1", "Services")]


class Tmux:
    """One private tmux server (-L) with one 132x34 pane running bash."""

    def __init__(self, home) -> None:
        self.socket = f"vpcep-test-{uuid.uuid4().hex[:8]}"
        self("new-session", "-d", "-s", "t", "-x", "132", "-y", "34", "-e", f"HOME={home}",
             "-e", f"XDG_CONFIG_HOME={home}/cfg", "-e", "TERM=xterm-256color", "bash --norc --noprofile")

    def __call__(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True).stdout

    def send(self, *keys: str) -> None:
        self("send-keys", "-t", "t", *keys)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "t")

    def styled(self) -> str:
        """The screen with its colours and styles (SGR escapes): shows where the focus is."""
        return self("capture-pane", "-e", "-p", "-t", "t")

    def wait_for(self, predicate, timeout: float = 20.0, styled: bool = False) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.styled() if styled else self.screen()
            if predicate(text):
                return text
            time.sleep(0.05)
        raise AssertionError(f"screen never matched; last screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def test_demo_every_area_and_clean_quit(tmp_path):
    tmux = Tmux(tmp_path)
    try:
        env = " ".join(f"-u {name}" for name in ("VPCEP_STATE", "VPCEP_CONFIG", "VPCEP_ACCOUNT", "VPCEP_READ_ONLY"))
        command = (f"stty -g > {tmp_path}/before; env {env} {shlex.quote(sys.executable)} -m toolkit tui --demo "
                   f"--no-dns; echo EXIT=$?; stty -g > {tmp_path}/after")
        tmux.send(command, "Enter")
        first = tmux.wait_for(lambda s: "awaiting approval" in s and "partner-api" in s)
        assert first.splitlines()[0].lstrip().startswith("vpcep  Services")
        for key, title in AREAS:
            tmux.send(key)
            tmux.wait_for(lambda s, title=title: s.splitlines()[0].lstrip().startswith(f"vpcep  {title}"))
        tmux.send("q")
        after = tmux.wait_for(lambda s: re.search(r"^EXIT=\d+", s, re.M) is not None)
        assert re.search(r"^EXIT=0$", after, re.M) and "Traceback" not in after
        assert "vpcep  Services" not in after  # the alternate screen is gone
        done = tmp_path / "after"
        tmux.wait_for(lambda s: done.exists() and done.read_text().strip() != "")
        assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text()  # terminal modes restored
    finally:
        tmux.close()


def test_demo_serves_dns_and_quits_cleanly(tmp_path):
    tmux = Tmux(tmp_path)
    try:
        tmux.send(f"VPCEP_DNS_LISTEN=127.0.0.1:0 {shlex.quote(sys.executable)} -m toolkit tui --demo; echo EXIT=$?",
                  "Enter")
        tmux.wait_for(lambda s: "awaiting approval" in s)
        tmux.send("4")
        shown = tmux.wait_for(lambda s: "DNS server: listening on 127.0.0.1:" in s)
        assert "NOERROR 0" in shown
        tmux.send("q")
        after = tmux.wait_for(lambda s: re.search(r"^EXIT=\d+", s, re.M) is not None)
        assert re.search(r"^EXIT=0$", after, re.M) and "Traceback" not in after
    finally:
        tmux.close()


def focused_caption(styled: str) -> str | None:
    """The caption of the focused form field: drawn reversed (SGR 7)."""
    match = re.search(r"\x1b\[1;7m(?:\x1b\[[0-9;]*m)*([A-Za-z][A-Za-z ()-]*?)\x1b", styled)
    return match.group(1) if match else None


def test_modify_form_keeps_letters_and_digits_as_text(tmp_path):
    """Issue 9: in the Modify service form `q`, `1`–`6`, `d` and `y` are text, not quit/areas/delete/JSON."""
    tmux = Tmux(tmp_path)
    try:
        tmux.send(f"{shlex.quote(sys.executable)} -m toolkit tui --demo --no-dns; echo EXIT=$?", "Enter")
        tmux.wait_for(lambda s: "awaiting approval" in s and "partner-api" in s)
        tmux.send("Down", "Down", "Enter")
        tmux.wait_for(lambda s: "Service cn-north-4.app." in s)
        tmux.send("m")
        tmux.wait_for(lambda s: focused_caption(s) == "Name", styled=True)
        tmux.send("Tab")  # Name → Description (its text selected: typing replaces it)
        tmux.wait_for(lambda s: focused_caption(s) == "Description", styled=True)
        tmux.send("-l", "q123456 dy")
        typed = tmux.wait_for(lambda s: "q123456 dy" in s)
        assert typed.splitlines()[0].lstrip().startswith("vpcep  Modify service")
        tmux.send("C-s")
        saved = tmux.wait_for(lambda s: s.splitlines()[0].lstrip().startswith("vpcep  Service") and "q123456 dy" in s)
        assert re.search(r"Description\s+q123456 dy", saved)
        tmux.send("Escape")
        tmux.wait_for(lambda s: "awaiting approval" in s and "partner-api" in s and "Description" not in s)
        tmux.send("q")
        after = tmux.wait_for(lambda s: re.search(r"^EXIT=\d+", s, re.M) is not None)
        assert re.search(r"^EXIT=0$", after, re.M) and "Traceback" not in after
    finally:
        tmux.close()
