"""Namespace helpers for the lab and its tests: existence, sockets made inside, children started inside and awaited."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass

from toolkit.netns import NETNS_DIR, exists, run_in, socket_in

__all__ = ["NETNS_DIR", "exists", "run_in", "socket_in", "listed", "pids_in", "tcp_connects", "spawn", "stop"]


def listed(prefix: str) -> list[str]:
    """Namespaces whose name starts with `prefix`."""
    try:
        return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith(prefix))
    except FileNotFoundError:
        return []


def pids_in(name: str) -> list[int]:
    """PIDs of processes whose network namespace is `name` (found by the namespace file's inode)."""
    try:
        target = os.stat(os.path.join(NETNS_DIR, name))
    except OSError:
        return []
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                info = os.stat(f"/proc/{entry}/ns/net")
            except OSError:
                continue
            if (info.st_ino, info.st_dev) == (target.st_ino, target.st_dev):
                found.append(int(entry))
    return found


def tcp_connects(name: str, host: str, port: int, timeout: float = 2.0) -> bool:
    """True when a TCP connection from namespace `name` to host:port is accepted."""
    with socket_in(name) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect((host, port))
            return True
        except OSError:
            return False


@dataclass
class Child:
    """A process started inside a namespace; `pid` is what `lab down` stops."""

    proc: subprocess.Popen
    first_line: str

    @property
    def pid(self) -> int:
        return self.proc.pid


def spawn(name: str, argv: list[str], ready: str, env: dict | None = None, timeout: float = 20.0,
          log: str | None = None) -> Child:
    """Start argv inside namespace `name`; wait (with a deadline) for a stdout line containing `ready`."""
    stderr = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(["ip", "netns", "exec", name, *argv], stdout=subprocess.PIPE, stderr=stderr,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    if log:
        stderr.close()
    try:
        return Child(proc, _await_line(proc, ready, timeout))
    except BaseException:
        stop(proc.pid)
        raise


def _await_line(proc: subprocess.Popen, ready: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(left):
                break
            line = proc.stdout.readline().decode(errors="replace")
            if ready in line:
                return line.strip()
            if not line and proc.poll() is not None:
                raise RuntimeError(f"{' '.join(proc.args[4:])} exited with {proc.returncode} before it was ready")
    raise TimeoutError(f"{' '.join(proc.args[4:])} was not ready within {timeout:.0f} s")


def stop(pid: int, timeout: float = 5.0) -> bool:
    """SIGTERM the process group `pid` leads, then SIGKILL after `timeout`; True when it was running."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.02)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return True


def _alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return os.path.exists(f"/proc/{pid}") and _state(pid) != "Z"


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"
