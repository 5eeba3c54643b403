"""Use cases of the cloud mirror (SPEC §8): pull an account into the state in one transaction (C1), say how
the mirror stands, and the write-through door (C2) the other use cases call for a mirrored resource.

A pull reads everything first (toolkit.cloud.pull; any failure raises before a write, C3), then adds,
changes and removes exactly the documents the cloud owns, marked in the store's `mirror` table; local-only
documents are never touched. An empty state takes its region, account and project from the cloud.
"""

from __future__ import annotations

import json
from pathlib import Path
from dataclasses import dataclass, field
from typing import Callable

from toolkit.cloud import pull as cloud_pull
from toolkit.cloud.pull import LAST_PULL
from toolkit.cloud.client import Cloud
from toolkit.errors import CloudError, ConfigError
from toolkit.model.network import Identity
from toolkit.registry import mirror
from toolkit.registry.base import Base
from toolkit.store.sqlite import Txn



@dataclass
class PullResult:
    """What one pull changed, per table (`by_kind`), and in all."""

    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    replaced_builtins: int = 0

    def count(self, what: str) -> int:
        return sum(kind[what] for kind in self.by_kind.values())

    @property
    def changed_anything(self) -> bool:
        return any(self.count(what) for what in ("added", "changed", "removed"))

    def to_dict(self) -> dict:
        return {"added": self.count("added"), "changed": self.count("changed"), "removed": self.count("removed"),
                "by_kind": self.by_kind}


class CloudCases(Base):
    """cloud pull, cloud status, and the mirror checks of write-through."""

    def cloud_pull(self, cloud: Cloud, *, progress: Callable[[str, int], None] = lambda kind, n: None) -> PullResult:
        """C1/C3: read the whole account, then apply it in one transaction (or change nothing)."""
        self._refuse_if_read_only("pull from the cloud")
        try:
            snap = cloud_pull.fetch(cloud, progress=progress)
            with self.store.write() as txn:
                self._adopt_identity(txn, snap)
                result = PullResult(by_kind=mirror.apply(txn, snap))
                result.replaced_builtins = _retire_shadowed_builtins(txn)
                txn.set_meta(LAST_PULL, json.dumps(
                    {"at": self.clock(), "endpoint": cloud.target.endpoint, "account": snap.account,
                     "project_id": snap.project_id, "requests": cloud.requests, **result.to_dict()}))
        except CloudError as exc:
            self._record_failure(cloud, exc)
            raise
        self._failure_file.unlink(missing_ok=True)
        self._identity = None
        return result

    def cloud_status(self) -> dict:
        """C1: the last pull (time, counts or error) and what in the state is local-only."""
        with self.store.read() as txn:
            mirrored = {table: len(txn.mirrored(table)) for table in cloud_pull.TABLES}
            local = {table: txn.count(table) - mirrored[table] for table in cloud_pull.TABLES}
        return {"last_pull": self.last_pull(), "mirrored": mirrored, "local_only": local}

    def last_pull(self) -> dict | None:
        """The last pull (time, endpoint, account, counts) and the error of a later failed one, if any."""
        with self.store.read() as txn:
            last = json.loads(txn.meta(LAST_PULL) or "null")
        if self._failure_file.exists():
            last = {**(last or {}), "error": json.loads(self._failure_file.read_text())}
        return last

    def _adopt_identity(self, txn: Txn, snap: cloud_pull.Snapshot) -> None:
        """V1: an empty state becomes the cloud's region and account; a state of another region is refused."""
        region = txn.meta("region")
        if region is None:
            ident = Identity(snap.region, self.settings.cloud.domain.lower().strip("."), snap.account, snap.project_id)
            for key, value in vars(ident).items():
                txn.set_meta(key, value)
        elif region != snap.region:
            raise ConfigError(f"state {self.store.path} is for region {region}, the cloud's is {snap.region}",
                              rule="V1", fix="pull into another --state, or set [cloud] region")

    @property
    def _failure_file(self) -> Path:
        """C3: a failed pull leaves the state byte for byte as it was, so its error is kept beside it."""
        return self.state_path.with_name(self.state_path.name + ".cloud-error.json")

    def _record_failure(self, cloud: Cloud, exc: CloudError) -> None:
        error = {"at": self.clock(), "endpoint": cloud.target.endpoint, "message": exc.message,
                 "error_code": exc.error_code, "request_id": exc.request_id}
        try:
            partial = self._failure_file.with_suffix(".tmp")
            partial.write_text(json.dumps(error))
            partial.chmod(0o600)
            partial.replace(self._failure_file)
        except OSError:
            pass  # the error is still raised and printed; only `cloud status` misses it


def _retire_shadowed_builtins(txn: Txn) -> int:
    """S2: the cloud's public services are the region's catalog: an embedded built-in of the same short name
    that nothing uses goes, so `obs` and `dns` name one service."""
    mirrored = txn.mirrored("services")
    cloud_names = {d["short_name"] for d in txn.select("services", domain_id="cloud") if d["id"] in mirrored}
    retired = 0
    for doc in txn.select("services", domain_id="cloud"):
        if doc["id"] not in mirrored and doc["short_name"] in cloud_names and not txn.count(
                "endpoints", service_id=doc["id"]):
            txn.delete("services", doc["id"])
            retired += 1
    return retired
