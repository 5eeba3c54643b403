"""The SQLite state: schema version, generation across processes, rollback, constraints."""

import sqlite3
import subprocess
import sys

import pytest

from toolkit.errors import Conflict, StoreError
from toolkit.store.sqlite import SCHEMA, Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "s.db", create=True)
    yield s
    s.close()


def test_schema_version_and_wal(store):
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(SCHEMA)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_missing_state_is_not_created(tmp_path):
    with pytest.raises(StoreError) as info:
        Store(tmp_path / "absent.db")
    assert info.value.exit_code == 2 and "vpcep init" in info.value.fix
    assert not (tmp_path / "absent.db").exists()


def test_generation_moves_on_commit_only(store):
    before = store.generation()
    with store.write() as txn:
        txn.put("accounts", {"id": "a1"})
    assert store.generation() == before + 1
    with pytest.raises(RuntimeError):
        with store.write() as txn:
            txn.put("accounts", {"id": "a2"})
            raise RuntimeError("midway")
    assert store.generation() == before + 1
    with store.read() as txn:
        assert txn.get("accounts", "a2") is None


def test_generation_sees_another_process(store):
    before = store.generation()
    code = ("import sys\nfrom toolkit.store.sqlite import Store\ns = Store(sys.argv[1])\n"
            "with s.write() as t:\n    t.put('accounts', {'id': 'other'})\n")
    subprocess.run([sys.executable, "-c", code, str(store.path)], check=True)
    assert store.generation() == before + 1
    with store.read() as txn:
        assert txn.get("accounts", "other") == {"id": "other"}


def test_unique_ip_per_subnet_is_a_conflict(store):
    doc = {"id": "e1", "domain_id": "a", "endpoint_service_id": "s", "vpc_id": "v", "subnet_id": "sub",
           "ip": "10.0.0.2", "status": "accepted"}
    with store.write() as txn:
        txn.put("endpoints", doc)
    with pytest.raises(Conflict):
        with store.write() as txn:
            txn.put("endpoints", {**doc, "id": "e2"})
    with store.read() as txn:
        assert txn.count("endpoints") == 1 and txn.used_ips("sub") == [167772162]


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Store(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(SCHEMA) + 5}")
    conn.close()
    with pytest.raises(StoreError) as info:
        Store(path)
    assert "newer vpcep" in str(info.value)


def test_zone_serial_kept_for_same_content_and_journalled_on_change(tmp_path):
    store = Store(tmp_path / "z.db", create=True)
    bump = lambda previous: 100 if previous is None else previous + 1  # noqa: E731
    generation = store.generation()
    assert store.advance_zone("z.", 5, ["a 60 IN A 10.0.0.1"], bump) == 100
    assert store.advance_zone("z.", 6, ["a 60 IN A 10.0.0.1"], bump) == 100  # same content: same serial
    assert store.advance_zone("z.", 7, ["a 60 IN A 10.0.0.1", "b 60 IN A 10.0.0.2"], bump) == 101
    assert store.advance_zone("z.", 8, ["b 60 IN A 10.0.0.2"], bump) == 102
    assert store.generation() == generation  # recording what is served is not a registry change
    store.close()
    again = Store(tmp_path / "z.db")  # survives a restart
    assert again.zone_state("z.") == (102, ["b 60 IN A 10.0.0.2"])
    assert again.zone_journal("z.", 100) == [(100, 101, [], ["b 60 IN A 10.0.0.2"]),
                                             (101, 102, ["a 60 IN A 10.0.0.1"], [])]
    assert again.zone_journal("z.", 101) == [(101, 102, ["a 60 IN A 10.0.0.1"], [])]
    assert again.zone_journal("z.", 99) is None  # not journalled: the caller sends the whole zone
    generations = [g for (g,) in again.conn.execute("SELECT generation FROM zone_journal ORDER BY seq")]
    assert generations == [7, 8]  # keyed by the state's generation at the change
    again.close()


def test_zone_journal_keeps_the_newest_entries(tmp_path, monkeypatch):
    import toolkit.store.sqlite as sqlite_module

    monkeypatch.setattr(sqlite_module, "JOURNAL_KEEP", 3)
    store = Store(tmp_path / "z.db", create=True)
    for i in range(6):
        store.advance_zone("z.", i, [f"a{i} 60 IN A 10.0.0.1"], lambda previous: 0 if previous is None else previous + 1)
    assert store.zone_journal("z.", 1) is None and [e[0] for e in store.zone_journal("z.", 2)] == [2, 3, 4]
    store.close()


def test_owned_counts_follow_every_insert_move_and_delete(tmp_path):
    """Issue 15: the quota's `used` is kept by triggers (no scan), and always equals a count of the rows."""
    from toolkit.store.sqlite import Store
    store = Store(tmp_path / "counts.db", create=True)

    def doc(i: int, owner: str) -> dict:
        return {"id": f"e{i}", "domain_id": owner, "endpoint_service_id": "s", "vpc_id": "v", "subnet_id": None,
                "ip": None, "status": "accepted"}

    with store.write() as txn:
        for i in range(10):
            txn.put("endpoints", doc(i, "a" if i < 7 else "b"))
        txn.put("endpoints", doc(0, "b"))  # an upsert that moves one to another owner
        txn.delete("endpoints", "e1")
    with store.read() as txn:
        for owner in ("a", "b", "c"):
            assert txn.owned_count("endpoints", owner) == txn.count("endpoints", domain_id=owner)
        assert (txn.owned_count("endpoints", "a"), txn.owned_count("endpoints", "b")) == (5, 4)
    store.close()


def _endpoint(i: int, **fields) -> dict:
    return {"id": f"e{i}", "domain_id": "a", "endpoint_service_id": "s", "vpc_id": "v", "subnet_id": None,
            "ip": f"10.0.0.{i}", "status": "accepted", "enable_dns": True, "dns_names": [f"e{i}.z", f"x{i}.z"]} | fields


def test_version_8_fills_the_served_column_of_an_older_state_as_a_write_would(tmp_path):
    """Issue 15: the migration's SQL and the column a write keeps agree, for every kind of endpoint."""
    import json

    from toolkit.store.sqlite import _statements

    docs = [_endpoint(1), _endpoint(2, enable_dns=False), _endpoint(3, ip=""), _endpoint(4, dns_names=[]),
            _endpoint(5, dns_names=["only.z"])]
    fresh = Store(tmp_path / "new.db", create=True)
    with fresh.write() as txn:
        for doc in docs:
            txn.put("endpoints", doc)
    written = dict(fresh.conn.execute("SELECT id, served FROM endpoints"))
    fresh.close()
    conn = sqlite3.connect(tmp_path / "old.db")  # a version-7 state, as an older vpcep left it
    for script in SCHEMA[:7]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.executemany("INSERT INTO endpoints (id, domain_id, service_id, vpc_id, status, doc) VALUES (?, 'a', 's', "
                     "'v', 'accepted', ?)", [(doc["id"], json.dumps(doc)) for doc in docs])
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    migrated = Store(tmp_path / "old.db")
    assert dict(migrated.conn.execute("SELECT id, served FROM endpoints")) == written == {
        "e1": "10.0.0.1 e1.z x1.z", "e2": None, "e3": None, "e4": None, "e5": "10.0.0.5 only.z"}
    migrated.close()


def test_the_change_log_is_trimmed_and_then_says_it_no_longer_reaches_back(tmp_path, monkeypatch):
    import toolkit.store.sqlite as sqlite_module

    monkeypatch.setattr(sqlite_module, "CHANGES_KEEP", 500)
    store = Store(tmp_path / "log.db", create=True)
    start, wrote = store.generation(), {}
    while store.generation() % 1000:  # up to the next trim
        with store.write() as txn:
            txn.put("endpoints", _endpoint(len(wrote) % 7))
        wrote[store.generation()] = f"e{(len(wrote)) % 7}"
    with store.read() as txn:
        assert txn.endpoints_changed(start) is None  # trimmed past it: a server that far behind rebuilds
        generation, ids = txn.endpoints_changed(generation_now := store.generation()) or (None, None)
        assert (generation, ids) == (generation_now, [])
        _, ids = txn.endpoints_changed(generation_now - 3)
        assert sorted(ids) == sorted({wrote[g] for g in range(generation_now - 2, generation_now + 1)})
    oldest = store.conn.execute("SELECT min(generation) FROM endpoint_changes").fetchone()[0]
    assert oldest > store.generation() - 500
    store.close()
