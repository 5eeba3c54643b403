"""`dns serve --query-log FILE`: one JSON line per reply, buffered in memory and written from the loop.

A reply costs a tuple appended to a list; the lines are formatted and written every `interval` seconds
(or at once when `batch` wait), so the disk is touched a few times a second, never once per query.
The file is created 0640 (a wider existing one is narrowed: clients' addresses are in it) and rotated by
size: FILE → FILE.1 → … → FILE.keep, the oldest dropped. `close()` writes what is left: nothing is lost
on a clean stop. A write error drops that batch with one warning (counted), never the server.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from toolkit.dnsserver.codes import Rcode
from toolkit.dnsserver.tally import question_name, question_type, type_text
from toolkit.errors import ConfigError

log = logging.getLogger("vpcep.dns")
MODE = 0o640


class QueryLog:
    """The writer; `record` is a server watcher (see DnsServer.add_watcher)."""

    def __init__(self, path: str | Path, size: int = 10 << 20, keep: int = 5, interval: float = 0.5,
                 batch: int = 5000) -> None:
        if size < 4096 or keep < 1:
            raise ConfigError(f"query log rotation at {size} bytes keeping {keep} files", rule="dns",
                              fix="give --query-log-size of at least 4096 and --query-log-keep of at least 1")
        self.path, self.size, self.keep, self.interval, self.batch = Path(path), size, keep, interval, batch
        self.pending: list[tuple] = []
        self.written = self.dropped = 0  # lines, for the metrics
        self.loop = self.timer = None
        self.fd = self._open()
        self.length = os.fstat(self.fd).st_size

    def _open(self) -> int:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, MODE)
        except OSError as exc:
            raise ConfigError(f"cannot open the query log {self.path}: {exc.strerror}", rule="dns",
                              fix="give a writable --query-log FILE") from None
        if os.fstat(fd).st_mode & 0o027:
            os.fchmod(fd, MODE)
        return fd

    def start(self, loop) -> None:
        self.loop = loop

    def record(self, ip: str, query: bytes, reply: bytes, seconds: float, transport: str, via) -> None:
        self.pending.append((time.time(), ip, query, len(reply), reply[3] & 0xF, seconds, transport, via))
        if len(self.pending) >= self.batch:
            self.flush()
        elif self.timer is None and self.loop is not None:
            self.timer = self.loop.call_later(self.interval, self.flush)

    def flush(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        pending, self.pending = self.pending, []
        if not pending:
            return
        data = "".join(map(line, pending)).encode()
        try:
            _write_all(self.fd, data)
        except OSError as exc:
            self.dropped += len(pending)
            log.warning("query log %s: %d lines lost: %s", self.path, len(pending), exc.strerror)
            return
        self.written += len(pending)
        self.length += len(data)
        if self.length >= self.size:
            self._rotate()

    def _rotate(self) -> None:
        os.close(self.fd)
        try:
            for n in range(self.keep - 1, 0, -1):
                older = self.path.with_name(f"{self.path.name}.{n}")
                if older.exists():
                    older.replace(self.path.with_name(f"{self.path.name}.{n + 1}"))
            self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        except OSError as exc:
            log.warning("query log %s: cannot rotate: %s", self.path, exc.strerror)
        self.fd = self._open()
        self.length = os.fstat(self.fd).st_size

    def close(self) -> None:
        self.flush()
        os.close(self.fd)


def line(entry: tuple) -> str:
    """One JSON line: time (UTC, ms), client, qname, qtype, rcode, transport, bytes, ms, upstream (or null)."""
    at, ip, query, size, rcode, seconds, transport, via = entry
    qtype = question_type(query)
    return json.dumps({
        "time": datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "client": ip, "qname": question_name(query), "qtype": type_text(qtype), "rcode": Rcode.text(rcode),
        "transport": transport, "bytes": size, "ms": round(seconds * 1000, 3), "upstream": via}) + "\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
