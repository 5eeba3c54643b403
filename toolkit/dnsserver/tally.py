"""The plain counters the server keeps on its hot path (ints in dicts, no locks, no library).

metrics.py reads them when Prometheus scrapes; nothing here costs more than a dict increment per query.
A query's counter key packs its type and the reply's rcode into one int: `qtype * 16 + rcode`.
"""

from __future__ import annotations

import bisect

from toolkit.dnsserver.wire import wire_to_text

LATENCY = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
"""Forward round trips, seconds: loopback to a distant resolver."""
REBUILD = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Snapshot rebuilds, seconds: a handful of endpoints to 100,000."""


class Buckets:
    """A histogram as plain ints: `counts[i]` values at most `bounds[i]` (the last: above every bound)."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: tuple = LATENCY) -> None:
        self.bounds, self.counts, self.total = bounds, [0] * (len(bounds) + 1), 0.0

    def observe(self, value: float) -> None:
        at = bisect.bisect_left(self.bounds, value)
        self.counts[at] += 1
        self.total += value

    def cumulative(self) -> list[tuple[str, int]]:
        """Prometheus buckets: ("0.001", values ≤ 0.001), …, ("+Inf", all)."""
        out, running = [], 0
        for bound, count in zip([*map(str, self.bounds), "+Inf"], self.counts):
            running += count
            out.append((bound, running))
        return out


def _name_end(query: bytes) -> int:
    """Where the question's name ends (its root label); -1 when there is no well-formed question."""
    at, size = 12, len(query)
    if size < 12 or not (query[4] or query[5]):
        return -1
    while at < size:
        length = query[at]
        if length == 0:
            return at
        if length > 63:
            return -1
        at += 1 + length
    return -1


def question_type(query: bytes) -> int:
    """The QTYPE after the question's name; 0 when there is no well-formed question."""
    end = _name_end(query)
    return int.from_bytes(query[end + 1:end + 3], "big") if 0 <= end and end + 3 <= len(query) else 0


def question_name(query: bytes) -> str:
    """The question's name as text ("" when there is none)."""
    end = _name_end(query)
    return wire_to_text(query[12:end + 1]) if end >= 0 else ""


def type_text(qtype: int) -> str:
    """A type's mnemonic (A, AAAA, …), TYPEnn for one without (RFC 3597)."""
    from dnslib import QTYPE

    name = QTYPE.get(qtype)
    return name if isinstance(name, str) else f"TYPE{qtype}"


def stat_key(query: bytes, reply: bytes) -> int:
    """The counter key of one answered query: its type and the reply's (header) rcode."""
    return question_type(query) * 16 + (reply[3] & 0xF)


def bump(counts: dict, key) -> None:
    counts[key] = counts.get(key, 0) + 1
