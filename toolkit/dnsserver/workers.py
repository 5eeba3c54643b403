"""`--workers N`: more processes on the same port (SO_REUSEPORT), each a full server over the same state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from toolkit.errors import ConfigError

PR_SET_PDEATHSIG = 1


def spawn_workers(count: int, settings, options) -> list[subprocess.Popen]:
    """Start count-1 copies of this `dns serve` with --workers 1 --reuse-port; the caller is the first.

    Each process counts its own queries, so worker i serves --metrics on PORT+i (`dns stats --from` each
    of them adds them up). --query-log is refused: the processes would rotate one file under each other.
    """
    if count <= 1:
        return []
    if any(item.endswith(":0") for item in options.listen or settings.dns.listen):
        raise ConfigError("--workers needs a fixed port", fix="give --listen ADDR:PORT with a port other than 0")
    if options.query_log:
        raise ConfigError("--query-log works with one process only", rule="dns",
                          fix="drop --workers, or run one `dns serve` per query log")
    metrics = _metrics_ports(count, options)
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
    if options.metrics_remote:
        argv.append("--metrics-remote")
    return [subprocess.Popen(argv + metrics[i], stdout=subprocess.DEVNULL, env=os.environ.copy(),
                             preexec_fn=_die_with(os.getpid())) for i in range(1, count)]


def _metrics_ports(count: int, options) -> list[list[str]]:
    """The --metrics argument of worker i (0: this process): PORT+i on the same address."""
    if not options.metrics:
        return [[] for _ in range(count)]
    from toolkit.dnsserver.runtime import parse_metrics

    host, port = parse_metrics(options.metrics, options.metrics_remote)
    if port == 0 or port + count - 1 > 65535:
        raise ConfigError(f"--metrics port {port} leaves no room for {count} workers", rule="dns",
                          fix=f"give a fixed port at most {65536 - count}: worker i serves PORT+i")
    where = f"[{host}]" if ":" in host else host
    return [["--metrics", f"{where}:{port + i}"] for i in range(count)]


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
