"""TUI speed at 4,000 and 100,000 endpoints (issue 6, acceptance 4; issue 15).

    python3 bench/tui.py [--sizes 4000,100000] [--runs 5]

For a state holding N endpoints (seeded with registry/demo.bulk_endpoints), prints:
  - first paint: from starting the app (headless) until its first area shows its rows, for the Services
    area (the default) and for the Endpoints area (its first window of rows, with the count);
  - filter keystrokes in the Endpoints area's `/` filter: key press → the new window of rows shown, and
    key press → its match count shown, for `a` / backspace (every row matches, the count is all N),
    `app` typed (the service's name: every row), `zzz` (no row: every document read) and `2026`
    (a date: every row's document parsed);
  - the same keystroke on the 3-row Services table: Pilot's own press/idle overhead.
Targets: first paint <= 1 s, filter keystroke (rows shown) <= 50 ms.
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
from toolkit.registry.demo import bulk_endpoints  # noqa: E402

SIZE = (132, 40)
WORDS = {"a, backspace": ["a", "backspace"], "app": ["a", "p", "p"], "zzz": ["z", "z", "z"],
         "2026": ["2", "0", "2", "6"]}


def build_state(directory: str, count: int) -> Registry:
    settings = config.load(state=f"{directory}/bench.db", env={"HOME": directory})
    reg = Registry.open(settings, create=True)
    reg.init("cn-north-4", "myhuaweicloud.com", "a" * 32)
    reg.create_vpc("vpc-provider", "10.1.0.0/16")
    reg.create_subnet("subnet-app", "vpc-provider", "10.1.0.0/24")
    reg.create_service(vpc="vpc-provider", server_type="LB", port_id="elb-1",
                       ports=[PortMapping(server_port=8080, client_port=80)], name="app")
    bulk_endpoints(reg, count, "app", vpc="vpc-consumer", cidr="10.0.0.0/9")
    return reg


def shown(app) -> bool:
    screen = app.screen
    return getattr(screen, "loaded", False) and screen.table.row_count > 0 and screen.table.laid_out


async def first_paint(reg: Registry, mode: str) -> float:
    from toolkit.tui.app import make_app

    start = time.perf_counter()
    app = make_app(reg.settings, reg, poll_interval=None, cursor_blink=False, mode=mode)
    async with app.run_test(size=SIZE) as pilot:
        while not shown(app) or (mode == "endpoints" and app.screen.table.matches is None):
            await pilot.pause(0.001)
        await pilot.pause()
        return time.perf_counter() - start


def watch(table, marks: dict) -> None:
    """Note when the table shows a window of rows and when it gets its count."""
    show_window, counted = table.show_window, table.counted

    def timed_show(rows, want, matches) -> None:
        show_window(rows, want, matches)
        marks["rows"] = time.perf_counter()
        if matches is not None:
            marks["count"] = marks["rows"]

    def timed_count(matches) -> None:
        counted(matches)
        marks["count"] = time.perf_counter()

    table.show_window, table.counted = timed_show, timed_count


async def filter_keystrokes(reg: Registry, keys: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Per keystroke of `keys` (typed `runs` times, cleared between): ms to the rows shown, to the count shown."""
    from toolkit.tui.app import make_app

    app = make_app(reg.settings, reg, poll_interval=None, cursor_blink=False, mode="endpoints")
    rows, counts, marks = [], [], {}
    async with app.run_test(size=SIZE) as pilot:
        while not shown(app):
            await pilot.pause(0.01)
        watch(app.screen.table, marks)
        await pilot.press("slash")
        for _ in range(runs):
            for key in keys:
                marks.clear()
                begin = time.perf_counter()
                await pilot.press(key)
                while "count" not in marks:
                    await pilot.pause(0.001)
                rows.append(marks["rows"] - begin)
                counts.append(marks["count"] - begin)
            bar = app.screen.query_one("#filter")
            if bar.value:  # typed: clear it and wait for the whole list back
                marks.clear()
                bar.value = ""
                while "count" not in marks:
                    await pilot.pause(0.001)
    return rows, counts


async def services_keystroke(reg: Registry, runs: int) -> list[float]:
    from toolkit.tui.app import make_app

    app = make_app(reg.settings, reg, poll_interval=None, cursor_blink=False)
    times = []
    async with app.run_test(size=SIZE) as pilot:
        while not shown(app):
            await pilot.pause(0.01)
        await pilot.press("slash")
        for _ in range(runs):
            for key in ("a", "backspace"):
                begin = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                times.append(time.perf_counter() - begin)
    return times


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.1f} ms, max {max(values) * 1000:6.1f} ms"


def measure(count: int, runs: int) -> bool:
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as scratch:
        begin = time.perf_counter()
        reg = build_state(scratch, count)
        print(f"\n{count:,} endpoints (state built in {time.perf_counter() - begin:.1f} s)")
        services = asyncio.run(first_paint(reg, "services"))
        endpoints = asyncio.run(first_paint(reg, "endpoints"))
        print(f"  first paint, Services area:      {services * 1000:6.0f} ms   (target <= 1000 ms)")
        print(f"  first paint, Endpoints area:     {endpoints * 1000:6.0f} ms   (target <= 1000 ms)")
        medians = []
        for word, keys in WORDS.items():
            rows, counts = asyncio.run(filter_keystrokes(reg, keys, runs))
            medians.append(statistics.median(rows))
            print(f"  filter `{word}`:".ljust(22) + f"rows shown {ms(rows)}; count shown {ms(counts)}")
        baseline = asyncio.run(services_keystroke(reg, runs))
        print(f"  same keystroke, Services area (3 rows; Pilot's own overhead): {ms(baseline)}")
        reg.close()
    return max(services, endpoints) <= 1.0 and medians[0] <= 0.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4000,100000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ok = all([measure(int(size), args.runs) for size in args.sizes.split(",")])
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
