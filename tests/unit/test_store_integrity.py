"""The state at start (issue 14): an empty file is refused and left empty; a corrupt one is refused in one line."""

from __future__ import annotations

import sqlite3

import pytest

from toolkit.errors import StoreError
from toolkit.store.sqlite import Store


def test_reading_a_zero_byte_state_writes_nothing_into_it(tmp_path):
    path = tmp_path / "state.db"
    path.touch()
    with pytest.raises(StoreError, match="is empty") as caught:
        Store(path)
    assert path.stat().st_size == 0 and caught.value.rule == "V1"
    assert not (tmp_path / "state.db-wal").exists()


def corrupt_state(tmp_path):
    path = tmp_path / "state.db"
    store = Store(path, create=True)
    with store.write() as txn:
        for i in range(200):
            txn.set_meta(f"k{i}", "x" * 100)
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    data[4096:4096 + 64] = b"\xff" * 64  # page 2's b-tree header
    path.write_bytes(bytes(data))
    return path


def test_a_corrupt_page_is_refused_at_start(tmp_path):
    path = corrupt_state(tmp_path)
    with pytest.raises(StoreError, match="corrupt"):
        Store(path).check_integrity()  # what dns serve, api serve and tui do at start
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")  # an older schema: the migration checks before it writes
    conn.close()
    with pytest.raises(StoreError, match="corrupt"):
        Store(path)


def test_cli_says_so_in_one_line_with_exit_2(tmp_path, capsys):
    from toolkit.cli import main

    path = tmp_path / "state.db"
    path.touch()
    assert main(["--state", str(path), "service", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and path.stat().st_size == 0


@pytest.mark.parametrize("argv", [["dns", "serve", "--listen", "127.0.0.1:0"], ["api", "serve"], ["tui", "--no-dns"]])
def test_a_server_refuses_a_corrupt_state_in_one_line(tmp_path, capsys, argv):
    from toolkit.cli import main

    path = corrupt_state(tmp_path)
    assert main(["--state", str(path), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ("is corrupt (quick_check" in err or "malformed" in err) and ".recover" in err
