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
