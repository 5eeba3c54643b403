"""C1, C3 at size: 2,000 endpoints pull across pages with exact counts; a cloud that stops at page 3 changes nothing."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading

import pytest

from tests.cloud.conftest import digest, ok
from toolkit import config
from toolkit.registry import Registry
from toolkit.registry.demo import bulk_endpoints

COUNT = 2000


def seed(state, home) -> None:
    """COUNT more endpoints of the cloud's own account in C (through the registry, as fast as it goes)."""
    reg = Registry.open(config.load(state=str(state), env={"HOME": str(home)}))
    try:
        bulk_endpoints(reg, COUNT, next(s for s in reg.list_services() if s.short_name == "app").id)
    finally:
        reg.close()


class StoppingProxy:
    """A TCP relay to the API that stops (closes everything, listens no more) at the Nth endpoints page."""

    def __init__(self, upstream: str, stop_at: int) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream, self.stop_at, self.pages = (host, int(port)), stop_at, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, source, sink, from_client: bool) -> None:
        try:
            while data := source.recv(65536):
                if from_client:
                    self.pages += data.count(b"/vpc-endpoints?")
                    if self.pages >= self.stop_at:
                        self.stop()
                        break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.close()
            except OSError:
                pass

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()


def test_thousands_of_endpoints_pull_across_pages_and_a_stop_at_page_3_changes_nothing(cloud, local):
    cloud.stop()
    seed(cloud.state, cloud.home)
    cloud.start()
    done = cloud.pull(local, "--json")
    assert done.returncode == 0, done.stderr
    want = len(ok(cloud.state, "endpoint", "list", "--json", env=cloud.env())["endpoints"])
    assert want > COUNT
    assert len(ok(local, "endpoint", "list", "--json")["endpoints"]) == want
    assert json.loads(done.stdout)["by_kind"]["endpoints"]["added"] >= want

    ok(cloud.state, "endpoint", "delete", ok(local, "endpoint", "list", "--json")["endpoints"][-1]["id"],
       env=cloud.env())
    before, rows = digest(local), sqlite3.connect(local).execute("SELECT count(*) FROM endpoints").fetchone()
    proxy = StoppingProxy(cloud.url, stop_at=3)
    flags = ["--endpoint", proxy.url, "--region", "cn-north-4", "--project-id", cloud.key["project_id"]]
    from tests.cloud.conftest import vpcep
    failed = vpcep(local, "cloud", "pull", *flags, env=cloud.pull_env())
    assert failed.returncode == 2, failed.stderr
    assert proxy.pages >= 3 and "Traceback" not in failed.stderr
    assert digest(local) == before
    check = sqlite3.connect(local)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert check.execute("SELECT count(*) FROM endpoints").fetchone() == rows
