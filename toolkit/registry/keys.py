"""Use cases of the REST API's access keys (SPEC R1–R3): create (the SK shown once), list, delete, look up.

A key is bound to one account, that account's project in the region, and a role: `admin` (every
operation) or `viewer` (reads only). The store keeps the SK because verifying an HMAC signature needs
it; the state file is made readable by its owner only once it holds a key.
"""

from __future__ import annotations

import secrets
import stat
import string
from dataclasses import dataclass, field

from toolkit.errors import ConfigError, NotFound, ValidationError
from toolkit.model.network import validate_account
from toolkit.registry.base import Base

ROLES = ("admin", "viewer")
_AK_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class ApiKey:
    ak: str
    domain_id: str
    project_id: str
    role: str
    description: str = ""
    created_at: str = ""
    sk: str = field(default="", repr=False)

    def public(self) -> dict:
        """What `api key list` shows: never the SK."""
        return {"ak": self.ak, "domain_id": self.domain_id, "project_id": self.project_id, "role": self.role,
                "description": self.description, "created_at": self.created_at}


class KeyCases(Base):
    """api key create, list, delete; and the lookup the API's signature check makes on every request."""

    def create_key(self, account: str = "", role: str = "admin", description: str = "") -> ApiKey:
        """R1: a new AK/SK for an existing account (default: the acting one), in its project of the region."""
        if role not in ROLES:
            raise ValidationError(f"role {role!r} is neither admin nor viewer", rule="R1", fix="--role admin|viewer")
        account = validate_account(account) if account else self.account
        with self._write("create an API key") as txn:
            if txn.get("accounts", account) is None:
                raise NotFound(f"no account {account} in this state", rule="R4", fix=f"vpcep account create {account}")
            key = ApiKey(ak="".join(secrets.choice(_AK_ALPHABET) for _ in range(20)), domain_id=account,
                         project_id=self._project_of(txn, account, create=True), role=role, description=description[:255],
                         created_at=self.clock(), sk=secrets.token_urlsafe(30))
            txn.put("api_keys", {"id": key.ak, **key.public(), "sk": key.sk})
        self._owner_only()
        return key

    def list_keys(self) -> list[ApiKey]:
        with self.store.read() as txn:
            return [_key(doc) for doc in txn.select("api_keys")]

    def delete_key(self, ak: str) -> ApiKey:
        """R3: a deleted key stops working at once (the API looks keys up on every request)."""
        with self._write("delete an API key") as txn:
            doc = txn.get("api_keys", ak)
            if doc is None:
                raise NotFound(f"no API key {ak}", rule="R3", fix="see `vpcep api key list`")
            txn.delete("api_keys", ak)
        return _key(doc)

    def find_key(self, ak: str) -> ApiKey | None:
        with self.store.read() as txn:
            doc = txn.get("api_keys", ak)
        return _key(doc) if doc else None

    def _project_of(self, txn, account: str, create: bool = False) -> str:
        """R1: each account's own project id in the region (the state's own account: the state's project)."""
        if account == txn.meta("account"):
            return txn.meta("project")
        stored = txn.meta(f"project:{account}")
        if stored is None and create:
            stored = secrets.token_hex(16)
            txn.set_meta(f"project:{account}", stored)
        return stored or ""

    def _owner_only(self) -> None:
        """R3: the state holds secrets now: the file and its WAL/SHM for its owner only."""
        for suffix in ("", "-wal", "-shm"):
            path = self.state_path.with_name(self.state_path.name + suffix)
            if path.exists():
                path.chmod(0o600)

    def require_private_state(self) -> None:
        """`api serve` refuses a state others can read (R3)."""
        mode = self.state_path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"state {self.state_path} can be read by others (mode {stat.S_IMODE(mode):04o}) "
                              "and holds API secret keys", rule="R3", fix=f"chmod 600 {self.state_path}")


def _key(doc: dict) -> ApiKey:
    return ApiKey(ak=doc["id"], domain_id=doc["domain_id"], project_id=doc["project_id"], role=doc["role"],
                  description=doc.get("description", ""), created_at=doc.get("created_at", ""), sk=doc["sk"])


