"""TUI speed with 1,000 endpoints in the state (issue 6, acceptance 4).

    python3 bench/tui.py [--endpoints 1000] [--runs 5]

Prints, for a state holding N endpoints:
  - first paint: from starting the app (headless) until its first area shows its rows,
    for the Services area (the default) and for the Endpoints area (all N rows);
  - filter keystroke: one key typed into the `/` filter of the Endpoints area; the
    re-render of the N rows it causes (filter, clear, add N rows), and the whole key press
    until the app is idle again, measured through Pilot — whose own overhead is shown by
    the same keystroke on a 3-row table.
Targets: first paint <= 1 s, filter keystroke <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit import config  # noqa: E402
from toolkit.model.service import PortMapping  # noqa: E402
from toolkit.registry import Registry  # noqa: E402
from toolkit.registry.endpoints import EndpointRequest  # noqa: E402


def build_state(directory: str, count: int) -> Registry:
    settings = config.load(state=f"{directory}/bench.db", env={"HOME": directory})
    reg = Registry.open(settings, create=True)
    reg.init("cn-north-4", "myhuaweicloud.com", "a" * 32)
    reg.set_quota("endpoint", count + 10)
    reg.create_vpc("vpc-provider", "10.1.0.0/16")
    reg.create_subnet("subnet-app", "vpc-provider", "10.1.0.0/24")
    reg.create_vpc("vpc-consumer", "10.20.0.0/16")
    reg.create_subnet("subnet-big", "vpc-consumer", "10.20.0.0/20")
    service, _ = reg.create_service(vpc="vpc-provider", server_type="LB", port_id="elb-1",
                                    ports=[PortMapping(server_port=8080, client_port=80)], name="app")
    for _ in range(count):
        reg.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-consumer", subnet="subnet-big",
                                            enable_dns=True))
    return reg


async def first_paint(reg: Registry, mode: str, expect: int) -> float:
    from toolkit.tui.app import make_app

    start = time.perf_counter()
    app = make_app(reg.settings, reg, poll_interval=None, cursor_blink=False, mode=mode)
    async with app.run_test(size=(132, 40)) as pilot:
        while not (getattr(app.screen, "loaded", False) and app.screen.table.row_count == expect
                   and app.screen.table.laid_out):
            await pilot.pause(0.001)
        await pilot.pause()
        return time.perf_counter() - start


async def filter_keystrokes(reg: Registry, runs: int, mode: str = "endpoints") -> tuple[list[float], list[float]]:
    """Per keystroke: the re-render itself, and key press → rows shown (event loop idle again)."""
    from toolkit.tui.app import make_app

    app = make_app(reg.settings, reg, poll_interval=None, cursor_blink=False, mode=mode)
    renders, keystrokes = [], []
    async with app.run_test(size=(132, 40)) as pilot:
        while not getattr(app.screen, "loaded", False):
            await pilot.pause(0.01)
        table = app.screen.table
        original = table.render_rows

        def timed() -> None:
            begin = time.perf_counter()
            original()
            renders.append(time.perf_counter() - begin)

        table.render_rows = timed
        await pilot.press("slash")
        for _ in range(runs):
            for key in ("a", "backspace"):  # "a" matches every row (the service name), so N rows each time
                begin = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                keystrokes.append(time.perf_counter() - begin)
                assert table.row_count == len(table.rows_all)
    return renders, keystrokes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as scratch:
        begin = time.perf_counter()
        reg = build_state(scratch, args.endpoints)
        print(f"state: {args.endpoints} endpoints built in {time.perf_counter() - begin:.1f} s")
        services = asyncio.run(first_paint(reg, "services", 3))
        endpoints = asyncio.run(first_paint(reg, "endpoints", args.endpoints))
        renders, keys = asyncio.run(filter_keystrokes(reg, args.runs))
        _, baseline = asyncio.run(filter_keystrokes(reg, args.runs, mode="services"))
        reg.close()
    ms = lambda values: f"median {statistics.median(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"  # noqa: E731
    print(f"first paint, Services area:            {services * 1000:.0f} ms   (target <= 1000 ms)")
    print(f"first paint, Endpoints area ({args.endpoints} rows): {endpoints * 1000:.0f} ms   (target <= 1000 ms)")
    print(f"filter re-render of {args.endpoints} rows:        {ms(renders)}   (target <= 50 ms)")
    print(f"filter keystroke to screen idle:       {ms(keys)}")
    print(f"  same, Services area (3 rows), i.e. Pilot's own press/idle overhead: {ms(baseline)}")
    ok = max(services, endpoints) <= 1.0 and statistics.median(renders) <= 0.05
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
