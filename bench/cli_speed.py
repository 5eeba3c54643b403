#!/usr/bin/env python3
"""Benchmark: CLI start-up and list speed (issue 2, acceptance 6).

Prints the median wall time of `vpcep --help` and `vpcep service list --json` on the
demo state (target ≤ 150 ms each), and of `vpcep endpoint list --json` over 10,000
endpoints (target ≤ 1 s). Runs the installed console script itself, not a shell shim.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

RUNS = 15


def vpcep_script() -> str:
    script = Path(sysconfig.get_path("scripts")) / "vpcep"
    return str(script) if script.exists() else shutil.which("vpcep")


def median_ms(argv: list[str], runs: int = RUNS) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def seed(state: Path, count: int) -> None:
    """A state with `count` endpoints, written through the registry (one transaction each)."""
    from toolkit import config
    from toolkit.registry import Registry
    from toolkit.registry.endpoints import EndpointRequest
    reg = Registry.open(config.load(state=str(state)), create=True)
    reg.init("cn-north-4", "myhuaweicloud.com", "a" * 32)
    reg.set_quota("endpoint", count)
    reg.create_vpc("big", "10.0.0.0/16")
    reg.create_subnet("big", "big", "10.0.0.0/17")
    for n in range(count):
        reg.create_endpoint(EndpointRequest(service="dns", vpc="big", enable_dns=n % 2 == 0))
    reg.close()


def main() -> int:
    script = vpcep_script()
    os.environ.pop("VPCEP_CONFIG", None)
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.db"
        subprocess.run([script, "--state", str(demo), "demo"], stdout=subprocess.DEVNULL, check=True)
        big = Path(tmp) / "big.db"
        start = time.perf_counter()
        seed(big, 10_000)
        print(f"seeded 10,000 endpoints in {time.perf_counter() - start:.1f} s (one transaction each)")
        rows = [
            ("vpcep --help", [script, "--help"], 150),
            ("vpcep service list --json (demo)", [script, "--state", str(demo), "service", "list", "--json"], 150),
            ("vpcep endpoint list --json (10,000)", [script, "--state", str(big), "endpoint", "list", "--json"], 1000),
        ]
        print(f"python {sys.version.split()[0]}, script {script}, {RUNS} runs each")
        print(f"{'command':40} {'median':>9} {'min':>9} {'target':>8}  verdict")
        failed = 0
        for label, argv, target in rows:
            median, best = median_ms(argv)
            verdict = "ok" if median <= target else "SLOW"
            failed += verdict != "ok"
            print(f"{label:40} {median:7.1f}ms {best:7.1f}ms {target:6d}ms  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
