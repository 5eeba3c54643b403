"""What every use case shares: the state, the identity, the acting account, read-only."""

from __future__ import annotations

import copy
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace

from toolkit.config import Settings
from toolkit.errors import ConfigError, NotFound, ReadOnly
from toolkit.model.network import Account, validate_account
from toolkit.store.sqlite import Store, Txn


@dataclass(frozen=True)
class Identity:
    """V1: the state's region, domain, own account and project, fixed at init."""

    region: str
    domain: str
    account: str
    project: str


def new_id() -> str:
    return str(uuid.uuid4())


class Base:
    """Holds the settings and the store; resolves the acting account."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._identity: Identity | None = None
        self._known: str | None = None  # the --as account once found in the state (R4)

    @classmethod
    def open(cls, settings: Settings, *, create: bool = False):
        """The registry over the state file named in settings."""
        return cls(settings, Store(settings.state, create=create))

    def acting(self, domain_id: str):
        """The same registry acting as another account (V1), sharing the state."""
        view = copy.copy(self)
        view.settings = replace(self.settings, act_as=domain_id)
        view._known = None
        return view

    def close(self) -> None:
        self.store.close()

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

    @staticmethod
    def _put_account(txn: Txn, account: Account) -> None:
        """Store an account: only `init` (the own one) and `account create` do (R4)."""
        txn.put("accounts", {"id": account.domain_id, **account.to_dict()})

    def _org_path(self, txn: Txn, domain_id: str) -> str:
        doc = txn.get("accounts", domain_id)
        return doc.get("org_path", "") if doc else ""
