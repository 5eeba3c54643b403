"""The embedded state: one SQLite file in WAL mode, one transaction per use case.

Each resource is a JSON document (the public API object) beside the few columns that
queries and constraints need. Every committed write bumps `meta.generation`, so a
server in another process notices changes by reading one row.
"""

from __future__ import annotations

import ipaddress
import json
import os
import sqlite3
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from toolkit.errors import Conflict, StoreError

def _counted(table: str) -> str:
    """Triggers that keep counts(table, domain_id) equal to the rows each account owns (version 5)."""
    bump = f"INSERT INTO counts VALUES ('{table}', NEW.domain_id, 1) ON CONFLICT (tbl, key) DO UPDATE SET n = n + 1;"
    drop = f"UPDATE counts SET n = n - 1 WHERE tbl = '{table}' AND key = OLD.domain_id;"
    return (f"CREATE TRIGGER {table}_counted_in AFTER INSERT ON {table} BEGIN {bump} END;\n"
            f"CREATE TRIGGER {table}_counted_out AFTER DELETE ON {table} BEGIN {drop} END;\n"
            f"CREATE TRIGGER {table}_counted_move AFTER UPDATE OF domain_id ON {table} "
            f"WHEN OLD.domain_id IS NOT NEW.domain_id BEGIN {drop} {bump} END;\n")


def _changed(event: str, row: str) -> str:
    """A trigger that logs the endpoint a write touched under the generation its commit gets (version 8)."""
    return (f"CREATE TRIGGER endpoints_changed_{event.lower()} AFTER {event} ON endpoints BEGIN "
            f"INSERT INTO endpoint_changes SELECT value + 1, {row}.id FROM meta WHERE key = 'generation'; END;\n")


SCHEMA = [
    # version 1
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
    INSERT INTO meta VALUES ('generation', 0), ('marker_seq', 0);
    CREATE TABLE accounts (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
    CREATE TABLE quotas (id TEXT PRIMARY KEY, domain_id TEXT NOT NULL, doc TEXT NOT NULL);
    CREATE TABLE vpcs (id TEXT PRIMARY KEY, domain_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
                       UNIQUE (domain_id, name));
    CREATE TABLE subnets (id TEXT PRIMARY KEY, vpc_id TEXT NOT NULL, domain_id TEXT NOT NULL,
                          name TEXT NOT NULL, doc TEXT NOT NULL, UNIQUE (vpc_id, name));
    CREATE TABLE services (id TEXT PRIMARY KEY, domain_id TEXT NOT NULL, name TEXT NOT NULL UNIQUE,
                           vpc_id TEXT, doc TEXT NOT NULL);
    CREATE TABLE endpoints (id TEXT PRIMARY KEY, domain_id TEXT NOT NULL, service_id TEXT NOT NULL,
                            vpc_id TEXT NOT NULL, subnet_id TEXT, ip_int INTEGER, status TEXT NOT NULL,
                            doc TEXT NOT NULL, UNIQUE (subnet_id, ip_int));
    CREATE INDEX endpoints_by_domain ON endpoints (domain_id);
    CREATE INDEX endpoints_by_service ON endpoints (service_id, status);
    CREATE INDEX endpoints_by_vpc ON endpoints (vpc_id);
    CREATE TABLE whitelist (id TEXT PRIMARY KEY, service_id TEXT NOT NULL, permission TEXT NOT NULL,
                            doc TEXT NOT NULL, UNIQUE (service_id, permission));
    CREATE TABLE rules (id TEXT PRIMARY KEY, service_id TEXT NOT NULL, doc TEXT NOT NULL);
    """,
    # version 2: connectivity check runs (issue 5)
    """
    CREATE TABLE check_runs (id TEXT PRIMARY KEY, domain_id TEXT NOT NULL, started_at TEXT NOT NULL,
                             doc TEXT NOT NULL);
    CREATE INDEX check_runs_by_time ON check_runs (domain_id, started_at);
    """,
    # version 3: the service owner's description of each connection (issue 9), keyed by endpoint id
    """
    CREATE TABLE connection_notes (id TEXT PRIMARY KEY, service_id TEXT NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX connection_notes_by_service ON connection_notes (service_id);
    """,
    # version 4: which documents are the cloud's (issue 13, C1): a pull replaces exactly these
    """
    CREATE TABLE mirror (tbl TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (tbl, id)) WITHOUT ROWID;
    """,
    # version 5: per-account counts kept by triggers, so a quota check costs the same at any size (issue 15)
    """
    CREATE TABLE counts (tbl TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (tbl, key))
        WITHOUT ROWID;
    INSERT INTO counts SELECT 'endpoints', domain_id, count(*) FROM endpoints GROUP BY domain_id;
    INSERT INTO counts SELECT 'services', domain_id, count(*) FROM services GROUP BY domain_id;
    """ + "".join(_counted(table) for table in ("endpoints", "services")),
    # version 6: API access keys (issue 12, R1–R3): the SK is kept because HMAC verification needs it
    """
    CREATE TABLE api_keys (id TEXT PRIMARY KEY, domain_id TEXT NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX api_keys_by_domain ON api_keys (domain_id);
    """,
    # version 7: zone serials and change journal (issues 14, 15)
    """
    CREATE TABLE zone_serials (origin TEXT PRIMARY KEY, serial INTEGER NOT NULL, generation INTEGER NOT NULL)
        WITHOUT ROWID;
    CREATE TABLE zone_records (origin TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (origin, line)) WITHOUT ROWID;
    CREATE TABLE zone_journal (seq INTEGER PRIMARY KEY, origin TEXT NOT NULL, generation INTEGER NOT NULL,
                               serial_from INTEGER NOT NULL, serial_to INTEGER NOT NULL,
                               removed TEXT NOT NULL, added TEXT NOT NULL);
    CREATE INDEX zone_journal_by_origin ON zone_journal (origin, seq);
    """,
    # version 8 (issue 15): what each endpoint serves in DNS as a column ("IP NAME…"), and which endpoints each
    # generation changed: a server reads those two instead of decoding every document, and applies changes
    """
    ALTER TABLE endpoints ADD COLUMN served TEXT;
    UPDATE endpoints SET served = json_extract(doc, '$.ip') || ' ' ||
        (SELECT group_concat(value, ' ') FROM json_each(doc, '$.dns_names'))
        WHERE json_extract(doc, '$.enable_dns') AND json_extract(doc, '$.ip') != ''
          AND json_array_length(doc, '$.dns_names');
    CREATE TABLE endpoint_changes (generation INTEGER NOT NULL, id TEXT NOT NULL);
    CREATE INDEX endpoint_changes_by_generation ON endpoint_changes (generation);
    INSERT OR REPLACE INTO meta SELECT 'changes_from', value FROM meta WHERE key = 'generation';
    """ + "".join(_changed(event, row) for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))),
]
JOURNAL_KEEP = 1000  # journal entries kept per zone; an older secondary gets a full transfer
RECOVER = "restore it from a backup, or recover it with `sqlite3 FILE .recover`"
CHANGES_KEEP = 10_000  # generations of endpoint changes kept; a server further behind rebuilds


def _statements(script: str) -> list[str]:
    """A schema script's statements (a trigger's body holds `;` of its own)."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending)
            pending = ""
    return statements


def _ip_int(doc: dict) -> int | None:
    return int(ipaddress.IPv4Address(doc["ip"])) if doc.get("ip") else None


def _served(doc: dict) -> str | None:
    """E5: "IP NAME…" when the endpoint's names are served (DNS enabled, an address, names), else None."""
    if doc.get("enable_dns") and doc.get("ip") and doc.get("dns_names"):
        return " ".join([doc["ip"], *doc["dns_names"]])
    return None


# Per table: the indexed columns and how each is read off the document.
COLUMNS: dict[str, dict[str, Callable[[dict], object]]] = {
    "accounts": {},
    "quotas": {"domain_id": lambda d: d["domain_id"]},
    "vpcs": {"domain_id": lambda d: d["domain_id"], "name": lambda d: d["name"]},
    "subnets": {"vpc_id": lambda d: d["vpc_id"], "domain_id": lambda d: d["domain_id"], "name": lambda d: d["name"]},
    "services": {"domain_id": lambda d: d["domain_id"], "name": lambda d: d["service_name"],
                 "vpc_id": lambda d: d.get("vpc_id")},
    "endpoints": {"domain_id": lambda d: d["domain_id"], "service_id": lambda d: d["endpoint_service_id"],
                  "vpc_id": lambda d: d["vpc_id"], "subnet_id": lambda d: d.get("subnet_id"),
                  "ip_int": _ip_int, "status": lambda d: d["status"], "served": _served},
    "whitelist": {"service_id": lambda d: d["service_id"], "permission": lambda d: d["permission"]},
    "rules": {"service_id": lambda d: d["service_id"]},
    "check_runs": {"domain_id": lambda d: d["domain_id"], "started_at": lambda d: d["started_at"]},
    "connection_notes": {"service_id": lambda d: d["service_id"]},
    "api_keys": {"domain_id": lambda d: d["domain_id"]},
}


class Txn:
    """Reads and writes inside one transaction; documents in, documents out."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def meta(self, key: str, default=None):
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_meta(self, key: str, value) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def next_marker(self) -> int:
        """A packet ID (marker_id) unique in this state."""
        self.conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'marker_seq'")
        return 0x10000000 + int(self.meta("marker_seq"))

    def get(self, table: str, doc_id: str) -> dict | None:
        row = self.conn.execute(f"SELECT doc FROM {table} WHERE id = ?", (doc_id,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def select(self, table: str, **where) -> list[dict]:
        """Documents whose columns equal the given values, oldest first."""
        sql, params = self._where(table, where)
        rows = self.conn.execute(f"SELECT doc FROM {table}{sql} ORDER BY rowid", params)
        return [orjson.loads(doc) for (doc,) in rows]

    def latest(self, table: str, limit: int, **where) -> list[dict]:
        """The newest `limit` documents, newest first."""
        sql, params = self._where(table, where)
        rows = self.conn.execute(f"SELECT doc FROM {table}{sql} ORDER BY rowid DESC LIMIT ?", [*params, limit])
        return [orjson.loads(doc) for (doc,) in rows]

    def page(self, table: str, limit: int | None, offset: int, sort_key: str = "", descending: bool = True,
             **where) -> list[dict]:
        """One page of documents: in the state's order, or by a key of the document; the cut is made by SQLite."""
        return [orjson.loads(doc) for (doc,) in self._paged(table, limit, offset, sort_key, descending, where)]

    def page_chunks(self, table: str, limit: int | None, offset: int, sort_key: str = "", descending: bool = True,
                    size: int = 1000, **where) -> Iterator[list[dict]]:
        """`page`, read `size` documents at a time: a list of 100,000 is never all in memory."""
        rows = self._paged(table, limit, offset, sort_key, descending, where)
        while chunk := rows.fetchmany(size):
            yield [orjson.loads(doc) for (doc,) in chunk]

    def _paged(self, table: str, limit: int | None, offset: int, sort_key: str, descending: bool, where: dict):
        sql, params = self._where(table, where)
        if sort_key:
            if not sort_key.isidentifier():
                raise ValueError(sort_key)
            order = f"json_extract(doc, '$.{sort_key}') {'DESC' if descending else 'ASC'}, rowid"
        else:
            order = "rowid"
        return self.conn.execute(f"SELECT doc FROM {table}{sql} ORDER BY {order} LIMIT ? OFFSET ?",
                                 [*params, -1 if limit is None else limit, offset])

    def endpoints_changed(self, since: int) -> tuple[int, list[str]] | None:
        """The generation now and the ids of the endpoints written after generation `since`;
        None when the change log no longer reaches back that far (or the state predates it)."""
        start = self.meta("changes_from")
        if start is None or since < int(start):
            return None
        ids = [doc_id for (doc_id,) in self.conn.execute(
            "SELECT DISTINCT id FROM endpoint_changes WHERE generation > ?", (since,))]
        return int(self.meta("generation")), ids

    def fields(self, table: str, names: list[str], **where) -> list[tuple]:
        """Some values of each matching document, oldest first, without decoding the documents: indexed
        columns as stored, other top-level keys read by SQLite (json_extract); what a scan of 100,000 needs."""
        if not all(name.isidentifier() for name in names):
            raise ValueError(names)
        picked = ", ".join(name if name in COLUMNS[table] or name == "id" else f"json_extract(doc, '$.{name}')"
                           for name in names)
        sql, params = self._where(table, where)
        return self.conn.execute(f"SELECT {picked} FROM {table}{sql} ORDER BY rowid", params).fetchall()

    def count(self, table: str, **where) -> int:
        sql, params = self._where(table, where)
        return self.conn.execute(f"SELECT count(*) FROM {table}{sql}", params).fetchone()[0]

    def owned_count(self, table: str, domain_id: str) -> int:
        """How many `table` (endpoints or services) documents an account owns, kept by triggers: no scan."""
        row = self.conn.execute("SELECT n FROM counts WHERE tbl = ? AND key = ?", (table, domain_id)).fetchone()
        return row[0] if row else 0

    def count_by(self, table: str, column: str, **where) -> dict:
        sql, params = self._where(table, where)
        rows = self.conn.execute(f"SELECT {column}, count(*) FROM {table}{sql} GROUP BY {column}", params)
        return dict(rows.fetchall())

    def put(self, table: str, doc: dict) -> None:
        """Insert or update a document by id; other constraint failures become Conflict."""
        cols = COLUMNS[table]
        names = ["id", *cols, "doc"]
        values = [doc["id"], *(read(doc) for read in cols.values()), json.dumps(doc, separators=(",", ":"))]
        marks = ", ".join("?" * len(names))
        updates = ", ".join(f"{name} = excluded.{name}" for name in names[1:])
        # An upsert on id only: OR REPLACE would silently delete a row that clashes on another UNIQUE.
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {updates}"
        try:
            self.conn.execute(sql, values)
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"{table[:-1]} conflicts with an existing one ({exc})") from None

    def delete(self, table: str, doc_id: str) -> None:
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (doc_id,))

    def mirrored(self, table: str) -> set[str]:
        """C1: the ids of a table's documents that the cloud owns."""
        return {doc_id for (doc_id,) in self.conn.execute("SELECT id FROM mirror WHERE tbl = ?", (table,))}

    def is_mirrored(self, table: str, doc_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM mirror WHERE tbl = ? AND id = ?", (table, doc_id)).fetchone() is not None

    def mark_mirrored(self, table: str, doc_id: str, mirrored: bool = True) -> None:
        if mirrored:
            self.conn.execute("INSERT OR IGNORE INTO mirror VALUES (?, ?)", (table, doc_id))
        else:
            self.conn.execute("DELETE FROM mirror WHERE tbl = ? AND id = ?", (table, doc_id))

    def highest_ip(self, subnet_id: str) -> int | None:
        return self.conn.execute("SELECT max(ip_int) FROM endpoints WHERE subnet_id = ?", (subnet_id,)).fetchone()[0]

    def used_ips(self, subnet_id: str) -> list[int]:
        rows = self.conn.execute("SELECT ip_int FROM endpoints WHERE subnet_id = ? AND ip_int IS NOT NULL "
                                 "ORDER BY ip_int", (subnet_id,))
        return [value for (value,) in rows]

    @staticmethod
    def _where(table: str, where: dict) -> tuple[str, list]:
        if not where:
            return "", []
        unknown = set(where) - set(COLUMNS[table]) - {"id"}
        if unknown:
            raise ValueError(f"{table} has no column {unknown}")
        clauses, params = [], []
        for column, value in where.items():
            if isinstance(value, (list, tuple, set)):
                clauses.append(f"{column} IN ({', '.join('?' * len(value))})")
                params.extend(value)
            else:
                clauses.append(f"{column} = ?")
                params.append(value)
        return " WHERE " + " AND ".join(clauses), params


class Store:
    """One state file. Thread-safe: one connection behind a lock."""

    def __init__(self, path: str | Path, *, create: bool = False) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(f"no state at {self.path}", rule="V1",
                             fix="run `vpcep init --region R --domain D` (or `vpcep demo`) first, or give --state")
        if not create and self.path.is_file() and self.path.stat().st_size == 0:
            raise StoreError(f"state {self.path} is empty: not a vpcep state (nothing was written to it)", rule="V1",
                             fix="run `vpcep init --region R --domain D` to create it, or give the right --state")
        self._lock = threading.RLock()
        self.frozen = False
        self.conn = self._connect()
        self._migrate(check=not create)

    def check_integrity(self) -> None:
        """A state with a corrupt page is refused in one line (issue 14): by the servers at start and before
        a migration writes; a one-shot command skips it (O(size): 0.2 s at 100,000 endpoints) and meets a
        corrupt page, if it reads one, as a StoreError."""
        try:
            verdict = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.Error as exc:
            verdict = str(exc)
        if verdict != "ok":
            self.conn.close()
            raise StoreError(f"state {self.path} is corrupt (quick_check: {verdict})", fix=RECOVER)

    def _connect(self) -> sqlite3.Connection:
        try:
            return self._open()
        except (sqlite3.Error, OSError) as exc:
            if self._frozen():
                self.frozen = True
                return self._open_frozen()
            raise StoreError(f"cannot open state {self.path}: {exc}",
                             fix="check the path and its permissions (--state / VPCEP_STATE)") from None

    def _open(self) -> sqlite3.Connection:
        if not self.path.parent.exists():
            self.path.parent.mkdir(parents=True)
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout = 60000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _frozen(self) -> bool:
        """A state in a directory this user cannot write (a viewer reading the admin's state, §7).

        WAL mode needs to create `-shm` beside the file, so the normal open fails; but then no
        SQLite writer can change the file either, and it can be read as immutable."""
        wal = self.path.with_name(self.path.name + "-wal")
        return (self.path.is_file() and os.access(self.path, os.R_OK) and not os.access(self.path.parent, os.W_OK)
                and not (wal.exists() and wal.stat().st_size))

    def _open_frozen(self) -> sqlite3.Connection:
        uri = f"file:{urllib.parse.quote(str(self.path.resolve()))}?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)

    def _migrate(self, check: bool) -> None:
        if self._version() > len(SCHEMA):
            raise StoreError(f"state {self.path} was written by a newer vpcep (schema {self._version()})",
                             fix="upgrade vpcep-toolkit")
        if self._version() == len(SCHEMA):
            return
        if check:
            self.check_integrity()
        with self.write() as txn:
            version = self._version()
            for script in SCHEMA[version:]:
                for statement in _statements(script):
                    txn.conn.execute(statement)
            txn.conn.execute(f"PRAGMA user_version = {len(SCHEMA)}")

    def _version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def write(self) -> Iterator[Txn]:
        """One use case: BEGIN IMMEDIATE, bump the generation, COMMIT (or roll back on any error)."""
        with self._lock, self._translate():
            if self.conn.in_transaction:  # nested in a use case: join it
                yield Txn(self.conn)
                return
            self._refuse_if_frozen()
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                txn = Txn(self.conn)
                yield txn
                if self._version():
                    self.conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                    self._trim_changes()
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled back already (I/O error, full disk)
                    self.conn.execute("ROLLBACK")
                raise

    def _trim_changes(self) -> None:
        """Every 1,000 generations, forget the endpoint changes older than CHANGES_KEEP generations."""
        generation = self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
        if generation % 1000 or self._version() < 8:
            return
        self.conn.execute("DELETE FROM endpoint_changes WHERE generation <= ?", (generation - CHANGES_KEEP,))
        self.conn.execute("UPDATE meta SET value = max(value, ?) WHERE key = 'changes_from'",
                          (generation - CHANGES_KEEP,))

    def _refuse_if_frozen(self) -> None:
        if self.frozen:
            raise StoreError(f"state {self.path} can only be read by this user: its directory is not writable",
                             fix="make the change as the state's owner (or read with --read-only)")

    @contextmanager
    def read(self) -> Iterator[Txn]:
        """A consistent snapshot for reads."""
        with self._lock, self._translate():
            if self.conn.in_transaction:
                yield Txn(self.conn)
                return
            self.conn.execute("BEGIN")
            try:
                yield Txn(self.conn)
            finally:
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")

    def generation(self) -> int:
        """Changes on every committed write, by this process or any other."""
        with self._lock, self._translate():
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            return int(row[0])

    def zone_serial(self, origin: str) -> int | None:
        with self.read():
            return self._zone_serial(origin)

    def zone_state(self, origin: str) -> tuple[int, list[str]] | None:
        """The last serial served for a zone and its records (zone-file lines, SOA left out, sorted), or None."""
        with self.read() as txn:
            serial = self._zone_serial(origin)
            if serial is None:
                return None
            lines = [line for (line,) in txn.conn.execute("SELECT line FROM zone_records WHERE origin = ? ORDER BY "
                                                           "line", (origin,))]
        return serial, lines

    def advance_zone(self, origin: str, generation: int, content, next_serial: Callable[[int | None], int]) -> int:
        """The serial to serve for a zone with this content (a collection of zone-file lines, SOA left out).

        Unchanged content keeps the stored serial (a restart, another worker); new content gets
        `next_serial(stored)` and a journal entry with the delta (removed, added), keyed by the
        state's generation. Does not bump the generation: serving is not a registry change."""
        content = frozenset(content)
        with self._serving():
            stored = self._zone_serial(origin)
            old = frozenset(line for (line,) in self.conn.execute(
                "SELECT line FROM zone_records WHERE origin = ?", (origin,)))
            removed, added = sorted(old - content), sorted(content - old)
            serial = stored if stored is not None and not removed and not added else next_serial(stored)
            self._record_zone(origin, generation, stored, serial, removed, added)
        return serial

    def advance_zone_delta(self, origin: str, generation: int, previous: int, removed: list[str], added: list[str],
                           next_serial: Callable[[int | None], int]) -> int | None:
        """A change to a zone given as its delta (zone-file lines): its new serial, or None when the stored
        serial is no longer `previous` (another process moved it; the caller records the whole content)."""
        with self._serving():
            if self._zone_serial(origin) != previous or previous is None:
                return None
            serial = next_serial(previous)
            self._record_zone(origin, generation, previous, serial, removed, added)
        return serial

    @contextmanager
    def _serving(self) -> Iterator[None]:
        """A write of the zone tables: BEGIN IMMEDIATE … COMMIT, without bumping the registry's generation."""
        with self._lock, self._translate():
            self._refuse_if_frozen()
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def _zone_serial(self, origin: str) -> int | None:
        row = self.conn.execute("SELECT serial FROM zone_serials WHERE origin = ?", (origin,)).fetchone()
        return None if row is None else int(row[0])

    def _record_zone(self, origin: str, generation: int, stored: int | None, serial: int, removed: list[str],
                     added: list[str]) -> None:
        """Inside a transaction: the zone's serial and records moved to `serial`, and the journal entry."""
        if serial == stored:
            return
        self.conn.execute("INSERT OR REPLACE INTO zone_serials VALUES (?, ?, ?)", (origin, serial, generation))
        self.conn.executemany("DELETE FROM zone_records WHERE origin = ? AND line = ?",
                              [(origin, line) for line in removed])
        self.conn.executemany("INSERT INTO zone_records VALUES (?, ?)", [(origin, line) for line in added])
        if stored is None:
            return
        self.conn.execute("INSERT INTO zone_journal (origin, generation, serial_from, serial_to, removed, added) "
                          "VALUES (?, ?, ?, ?, ?, ?)", (origin, generation, stored, serial, json.dumps(removed),
                                                        json.dumps(added)))
        self.conn.execute("DELETE FROM zone_journal WHERE origin = ? AND seq <= (SELECT seq FROM zone_journal "
                          "WHERE origin = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)", (origin, origin, JOURNAL_KEEP))

    def zone_journal(self, origin: str, since_serial: int) -> list[tuple[int, int, list[str], list[str]]] | None:
        """The deltas (from, to, removed, added) leading from `since_serial` to the last serial, oldest first;
        None when the journal does not reach back that far."""
        with self._lock, self._translate():
            start = self.conn.execute("SELECT seq FROM zone_journal WHERE origin = ? AND serial_from = ? "
                                      "ORDER BY seq DESC LIMIT 1", (origin, since_serial)).fetchone()
            if start is None:
                return None
            rows = self.conn.execute("SELECT serial_from, serial_to, removed, added FROM zone_journal "
                                     "WHERE origin = ? AND seq >= ? ORDER BY seq", (origin, start[0])).fetchall()
        return [(int(a), int(b), json.loads(r), json.loads(d)) for a, b, r, d in rows]

    @contextmanager
    def _translate(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            fix = RECOVER if isinstance(exc, sqlite3.DatabaseError) and "malformed" in str(exc) else \
                "check the disk and the file's permissions"
            raise StoreError(f"state {self.path}: {exc}", fix=fix) from None

    def close(self) -> None:
        with self._lock:
            self.conn.close()
