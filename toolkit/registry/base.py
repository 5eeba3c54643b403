"""What every use case shares: the state, the identity, the acting account, read-only, and the id and clock seams."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable

from toolkit import clock as clocks
from toolkit.config import Settings
from toolkit.errors import ConfigError, NotFound, ReadOnly
from toolkit.model.network import Identity, validate_account
from toolkit.store.sqlite import Store


def new_id() -> str:
    """A fresh resource id (the default `ids` seam)."""
    return str(uuid.uuid4())


class Base:
    """Holds the settings, the store and the seams; resolves the acting account.

    `ids` returns a new resource id and `clock` the time now in the API's form; every use case takes both
    from here, so a caller (the screenshot demo, a test) can make them deterministic. `cloud(settings)`
    builds the client write-through uses (default: from `[cloud]` and the SDK's credential variables).
    """

    def __init__(self, settings: Settings, store: Store, *, ids: Callable[[], str] = new_id,
                 clock: Callable[[], str] = clocks.now, cloud: Callable | None = None) -> None:
        self.settings = settings
        self.store = store
        self.ids = ids
        self.clock = clock
        self._cloud_factory = cloud
        self._cloud = None
        self._owns_store = True
        self._identity: Identity | None = None
        self._known: str | None = None  # the --as account once found in the state (R4)

    @classmethod
    def open(cls, settings: Settings, *, create: bool = False, **seams):
        """The registry over the state file named in settings."""
        return cls(settings, Store(settings.state, create=create), **seams)

    def view(self, settings: Settings | None = None, **seams):
        """A new registry over the same store (and seams, unless given) with other settings.

        Its close() leaves the shared store open: the registry that opened the store closes it.
        """
        other = type(self)(settings or self.settings, self.store,
                           **{"ids": self.ids, "clock": self.clock, "cloud": self._cloud_factory, **seams})
        other._owns_store = False
        other._identity = self._identity
        return other

    def acting(self, domain_id: str):
        """A new registry acting as another account (V1) over the same store and seams."""
        return self.view(replace(self.settings, act_as=domain_id))

    def cloud(self):
        """The cloud client for write-through (C2), built on first use from `[cloud]` (or the `cloud` seam)."""
        if self._cloud is None:
            if self._cloud_factory is not None:
                self._cloud = self._cloud_factory(self.settings)
            else:
                from toolkit.cloud.client import connect
                self._cloud = connect(self.settings.cloud)
        return self._cloud

    def close(self) -> None:
        if self._owns_store:
            self.store.close()

    @property
    def state_path(self) -> Path:
        """The state file this registry reads and writes."""
        return Path(self.store.path)

    @property
    def initialized(self) -> bool:
        with self.store.read() as txn:
            return txn.meta("region") is not None

    @property
    def identity(self) -> Identity:
        if self._identity is None:
            with self.store.read() as txn:
                values = [txn.meta(key) for key in ("region", "domain", "account", "project")]
            if values[0] is None:
                raise ConfigError(f"state {self.store.path} is not initialized", rule="V1",
                                  fix="run `vpcep init --region R --domain D` first")
            self._identity = Identity(*values)
        return self._identity

    @property
    def account(self) -> str:
        """The account commands act as (V1, R4): --as, which must name an existing account, else the state's own."""
        wanted = self.settings.act_as
        if not wanted:
            return self.identity.account
        if wanted != self._known:
            self._require_account(validate_account(wanted))
            self._known = wanted
        return wanted

    def require_account(self) -> str:
        """R4: the acting account, refused (V1) when --as names none of the state's accounts."""
        return self.account

    def _require_account(self, domain_id: str) -> None:
        """R4: --as acts as an existing account only; nothing creates one on the side."""
        with self.store.read() as txn:
            known = txn.get("accounts", domain_id) is not None
        if not known:
            _ = self.identity  # an uninitialized state says so first
            raise NotFound(f"no account {domain_id} in this state (--as names an existing account)", rule="V1",
                           fix=f"vpcep account create {domain_id}")

    def generation(self) -> int:
        return self.store.generation()

    @contextmanager
    def batch(self, action: str):
        """Several use cases as one transaction: all of them happen or none (a refused one rolls back the rest)."""
        self._refuse_if_read_only(action)
        with self.store.write():
            yield self

    @contextmanager
    def _write(self, action: str):
        """A write transaction, refused in read-only mode (§7)."""
        self._refuse_if_read_only(action)
        with self.store.write() as txn:
            _ = self.account  # R4: an unknown --as is refused before any change
            yield txn

    def _refuse_if_read_only(self, action: str) -> None:
        if self.settings.read_only:
            raise ReadOnly(f"read-only mode: cannot {action}", fix="drop --read-only (or VPCEP_READ_ONLY) to change")
