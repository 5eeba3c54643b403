"""A new user's first minute, in a real terminal: tmux send-keys / capture-pane against `vpcep tui --demo`."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

AREAS = [("2", "Endpoints"), ("3", "Approvals"), ("4", "DNS"), ("5", "Routes"), ("6", "Checks"), ("1", "Services")]


class Tmux:
    """One private tmux server (-L) with one pane (132x34 unless given) running bash."""

    def __init__(self, home, size: tuple[int, int] = (132, 34)) -> None:
        self.socket = f"vpcep-test-{uuid.uuid4().hex[:8]}"
        self("new-session", "-d", "-s", "t", "-x", str(size[0]), "-y", str(size[1]), "-e", f"HOME={home}",
             "-e", f"XDG_CONFIG_HOME={home}/cfg", "-e", "TERM=xterm-256color", "bash --norc --noprofile")

    def __call__(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True).stdout

    def send(self, *keys: str) -> None:
        self("send-keys", "-t", "t", *keys)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "t")

    def type(self, text: str) -> None:
        """Real letters, as typed (send-keys -l: no key names)."""
        self("send-keys", "-t", "t", "-l", text)

    def focused_caption(self) -> str:
        """The caption the form marks as focused (bold reverse), read from the pane's escape sequences."""
        found = re.search(r"\x1b\[1;7m(?:\x1b\[[\d;]*m)*([^\x1b]+)", self("capture-pane", "-p", "-e", "-t", "t"))
        return found[1].strip() if found else ""

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


CLEAN_ENV = " ".join(f"-u {name}" for name in ("VPCEP_STATE", "VPCEP_CONFIG", "VPCEP_ACCOUNT", "VPCEP_READ_ONLY"))
TYPED = "q123456dy"
"""A service name holding every key that is an app action somewhere (q quit, 1-6 areas, d delete, y JSON)."""
FORM = ["Name", "VPC", "Backend", "Backend port id", "Port mappings", "Approval", "Tags", "Description"]
TEXT_FIELDS = {"Name", "Backend port id", "Port mappings", "Tags", "Description"}


def start_demo(tmux, tmp_path, flags: str = "--no-dns") -> None:
    tmux.send(f"env {CLEAN_ENV} {shlex.quote(sys.executable)} -m toolkit tui --demo {flags}; echo EXIT=$?", "Enter")
    tmux.wait_for(lambda s: "awaiting approval" in s and "partner-api" in s)


def on(title: str):
    return lambda s: s.splitlines()[0].lstrip().startswith(f"vpcep  {title}")


def shows_typed(label: str):
    """The line holding `label` also holds the typed text (the field kept every letter)."""
    return lambda s: any(label in line and TYPED in line for line in s.splitlines())


def fill_service_form(tmux) -> None:
    """Tab through the create form at 80x24, typing the name into every text field."""
    for index, caption in enumerate(FORM):
        if index:
            tmux.send("Tab")
        tmux.wait_for(lambda s, caption=caption: tmux.focused_caption() == caption)
        if caption in TEXT_FIELDS:
            tmux.type(TYPED)
            screen = tmux.wait_for(shows_typed(caption))
            assert on("New service")(screen), screen


def typing_in_entry(screen: str) -> bool:
    """An entry line has focus: it takes every letter, so the footer offers only Esc."""
    return screen.rstrip().splitlines()[-1].strip() == "esc Back"


def type_into_panel(tmux, tabs_right: int, note: str) -> None:
    """From a detail's tab bar: move `tabs_right` tabs, Tab into the panel's entry line and type."""
    for _ in range(tabs_right):
        tmux.send("Right")
    tmux.wait_for(lambda s: note in s)
    tmux.send("Tab")
    tmux.wait_for(typing_in_entry)
    tmux.type(TYPED)
    screen = tmux.wait_for(lambda s: any(line.lstrip().startswith(TYPED) for line in s.splitlines()))
    assert on("Service")(screen) and note in screen, screen
    tmux.send("BTab")  # back to the tab bar
    tmux.wait_for(lambda s: not typing_in_entry(s))


def test_typed_letters_stay_text_in_every_field_at_80x24(tmp_path):
    tmux = Tmux(tmp_path, size=(80, 24))
    try:
        start_demo(tmux, tmp_path)
        tmux.send("n")
        tmux.wait_for(on("New service"))
        fill_service_form(tmux)
        tmux.send("Escape")  # a filled form asks; Enter keeps editing (focus starts on that button)
        tmux.wait_for(lambda s: "discard what you typed" in s and "Keep editing (Esc)" in s)
        tmux.send("Enter")
        screen = tmux.wait_for(lambda s: on("New service")(s) and "discard what you typed" not in s)
        assert all(shows_typed(caption)(screen) for caption in TEXT_FIELDS), screen
        tmux.send("Escape")
        tmux.wait_for(lambda s: "Discard" in s)
        tmux.send("Left", "Enter")
        tmux.wait_for(on("Services"))

        tmux.send("/")
        tmux.wait_for(lambda s: "filter: words match" in s)
        tmux.type(TYPED)
        screen = tmux.wait_for(shows_typed(""))
        assert on("Services")(screen) and "partner-api" not in screen  # the filter holds it: no row matches
        tmux.send("Escape")
        tmux.wait_for(lambda s: "partner-api" in s and TYPED not in s)

        tmux.send("/")
        tmux.wait_for(lambda s: "filter: words match" in s)
        tmux.type("app")
        tmux.wait_for(lambda s: "partner-api" not in s)
        tmux.send("Enter")
        tmux.wait_for(lambda s: "n New" in s.rstrip().splitlines()[-1])  # the table has focus again
        tmux.send("Enter")
        tmux.wait_for(lambda s: "Service cn-north-4.app." in s)
        type_into_panel(tmux, 2, "S13: the owner is always allowed")
        type_into_panel(tmux, 2, "T1–T4: at most 10 tags")
        type_into_panel(tmux, 1, "S15: backend inbound rules")
        tmux.send("Escape")  # three entry lines hold text: leaving asks
        tmux.wait_for(lambda s: "Leave Service and discard" in s)
        tmux.send("Left", "Enter")
        tmux.wait_for(on("Services"))

        tmux.send("2")
        tmux.wait_for(on("Endpoints"))
        tmux.send("Enter")
        tmux.wait_for(lambda s: "Tags (T1–T4)" in s)
        tmux.send("BTab", "BTab", "BTab")  # table → Remove → Set → the entry line
        tmux.wait_for(typing_in_entry)
        tmux.type(TYPED)
        screen = tmux.wait_for(lambda s: any(line.lstrip().startswith(TYPED) for line in s.splitlines()))
        assert on("Endpoint")(screen), screen
        tmux.send("Escape")
        tmux.wait_for(lambda s: "Leave Endpoint and discard" in s)
        tmux.send("Left", "Enter")
        tmux.wait_for(on("Endpoints"))
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


def test_port_taken_shows_in_the_header_and_the_app_works_on(tmp_path):
    """Two consoles on one port: the second says who holds it (this test's PID) and keeps working."""
    held = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    held.bind(("127.0.0.1", 0))
    port = held.getsockname()[1]
    tmux = Tmux(tmp_path, size=(80, 24))
    try:
        start_demo(tmux, tmp_path, f"--listen 127.0.0.1:{port}")
        screen = tmux.wait_for(lambda s: "port taken by PID" in s)
        assert f"DNS 127.0.0.1:{port} port taken by PID {os.getpid()}" in screen.splitlines()[1]
        tmux.send("4")
        screen = tmux.wait_for(on("DNS"))
        assert "not running" in screen and "in use" in screen
        tmux.send("q")
        after = tmux.wait_for(lambda s: re.search(r"^EXIT=\d+", s, re.M) is not None)
        assert re.search(r"^EXIT=0$", after, re.M) and "did not start" in after
    finally:
        tmux.close()
        held.close()


def test_listen_flag_serves_there(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tmux = Tmux(tmp_path, size=(80, 24))
    try:
        start_demo(tmux, tmp_path, f"--listen 127.0.0.1:{port}")
        screen = tmux.wait_for(lambda s: f"DNS 127.0.0.1:{port} serving" in s)
        assert "port taken" not in screen
        tmux.send("q")
        tmux.wait_for(lambda s: re.search(r"^EXIT=0$", s, re.M) is not None)
    finally:
        tmux.close()
