"""`--workers N`: more processes on the same port (SO_REUSEPORT), each a full server over the same state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from toolkit.errors import ConfigError

PR_SET_PDEATHSIG = 1


def spawn_workers(count: int, settings, options) -> list[subprocess.Popen]:
    """Start count-1 copies of this `dns serve` with --workers 1 --reuse-port; the caller is the first."""
    if count <= 1:
        return []
    if any(item.endswith(":0") for item in options.listen or settings.dns.listen):
        raise ConfigError("--workers needs a fixed port", fix="give --listen ADDR:PORT with a port other than 0")
    argv = [sys.executable, "-m", "toolkit", "--state", str(settings.state)]
    if settings.config is not None and settings.config.exists():
        argv += ["--config", str(settings.config)]
    argv += ["dns", "serve", "--workers", "1", "--reuse-port"]
    for flag, values in (("--listen", options.listen), ("--forwarder", options.forwarders)):
        for value in values:
            argv += [flag, value]
    if options.zones_dir:
        argv += ["--zones", options.zones_dir]
    limits, policy = options.limits, options.policy
    argv += ["--tcp-idle", str(limits.tcp_idle), "--tcp-max", str(limits.tcp_max),
             "--tcp-message-timeout", str(limits.tcp_message), "--max-inflight", str(limits.inflight),
             "--forward-timeout", str(policy.timeout), "--forward-deadline", str(policy.deadline),
             "--event-loop", options.event_loop]
    if not options.batched_udp:
        argv.append("--plain-udp")
    return [subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=os.environ.copy(), preexec_fn=_die_with(os.getpid()))
            for _ in range(count - 1)]


def _die_with(parent: int):
    """In the forked child before exec: SIGTERM when the parent dies, even by kill -9 (Linux PR_SET_PDEATHSIG).

    The setting survives exec; a parent already gone by then is caught by the getppid check.
    """
    def arrange() -> None:
        if sys.platform.startswith("linux"):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() != parent:
                os._exit(1)

    return arrange
