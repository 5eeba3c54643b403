"""The state file in awkward places: a device that fails every write, a directory a viewer cannot write."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.errors import StoreError
from toolkit.store.sqlite import Store


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_failing_write_reports_its_own_error_not_the_rollback():
    """SQLite rolls back by itself on an I/O error; a second ROLLBACK used to hide the real cause."""
    with pytest.raises(StoreError) as info:
        Store("/dev/null")
    assert "cannot rollback" not in str(info.value) and "disk I/O error" in str(info.value)


def _freeze(directory: Path) -> None:
    """Make `directory` unwritable for this user (chmod; as root, which chmod does not stop, chattr +i)."""
    directory.chmod(0o555)
    if os.access(directory, os.W_OK):
        directory.chmod(0o755)
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(directory)]).returncode:
            pytest.skip("cannot make a directory unwritable here")


def _thaw(directory: Path) -> None:
    if shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(directory)], stderr=subprocess.DEVNULL)
    directory.chmod(0o755)


@pytest.fixture
def viewers_state(tmp_path):
    """An initialized state in a directory the current user cannot write (the admin's, seen by a viewer)."""
    home = tmp_path / "admin"
    home.mkdir()
    store = Store(home / "state.db", create=True)
    with store.write() as txn:
        txn.set_meta("region", "cn-north-4")
    store.close()
    _freeze(home)
    yield home / "state.db"
    _thaw(home)


def test_s7_a_viewer_reads_a_state_in_a_directory_it_cannot_write(viewers_state):
    store = Store(viewers_state)
    with store.read() as txn:
        assert txn.meta("region") == "cn-north-4"
    with pytest.raises(StoreError, match="can only be read by this user"):
        with store.write() as txn:
            txn.set_meta("region", "elsewhere")
    store.close()
