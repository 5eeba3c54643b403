"""What one zone change costs in the serial journal (issues 14, 15): Store.advance_zone at N records.

Prints the time to record one change (serial, content, delta) and to read back the delta an IXFR needs.
Run: python3 bench/dns_journal.py [N ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.dnsserver.zones import next_serial  # noqa: E402
from toolkit.store.sqlite import Store  # noqa: E402


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "bench.db", create=True)
            lines = [f"e{i}.z. 300 IN A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" for i in range(n)]
            first = store.advance_zone("z.", 1, lines, next_serial)
            previous = (first, frozenset(lines))
            start = time.perf_counter()
            for i in range(10):  # as a running server does: it passes what it recorded last
                lines.append(f"new{i}.z. 300 IN A 10.255.0.{i}")
                serial = store.advance_zone("z.", 2 + i, lines, next_serial, previous)
                previous = (serial, frozenset(lines))
            change = (time.perf_counter() - start) / 10
            start = time.perf_counter()
            deltas = store.zone_journal("z.", first)
            read = time.perf_counter() - start
            start = time.perf_counter()
            store.zone_state("z.")
            load = time.perf_counter() - start
            print(f"N={n:>7}: one change recorded in {change * 1000:6.1f} ms (set diff included); 10 deltas read in "
                  f"{read * 1000:.2f} ms ({len(deltas)} entries); the zone read back at a start in {load * 1000:.0f} ms")
            store.close()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 10_000, 100_000])
