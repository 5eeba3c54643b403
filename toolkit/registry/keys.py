"""Use cases for API keys (issue 12): the credentials `vpcep api serve` checks, one project per account."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from toolkit.errors import NotFound, ValidationError
from toolkit.registry.base import Base

ROLES = ("admin", "viewer")
"""admin: every operation; viewer: the read operations only (the VPCEndpoint ReadOnlyAccess of §5.1)."""


class KeyCases(Base):
    """Access keys of the state's accounts; the SK is shown once, at creation."""

    def project_of(self, domain_id: str) -> str:
        """The account's project id in the state's region: the state's own for its account, else derived."""
        ident = self.identity
        if domain_id == ident.account:
            return ident.project
        return uuid.uuid5(uuid.NAMESPACE_URL, f"vpcep:{ident.region}:{domain_id}").hex

    def create_key(self, *, account: str = "", role: str = "admin", description: str = "") -> dict:
        """A new AK/SK for an existing account; the answer is the only place the SK appears."""
        if role not in ROLES:
            raise ValidationError(f"role {role!r} is not one of {', '.join(ROLES)}", rule="V1",
                                  fix="give --role admin or --role viewer")
        domain_id = account or self.identity.account
        if account:
            self._require_account(account)
        ak = secrets.token_hex(10).upper()
        sk = secrets.token_urlsafe(30)
        doc = {"id": ak, "sk": sk, "domain_id": domain_id, "project_id": self.project_of(domain_id),
               "role": role, "description": description[:255], "created_at": self.clock()}
        with self._write("create an API key") as txn:
            txn.put("api_keys", doc)
        self.store.restrict()
        return {"ak": ak, "sk": sk, "project_id": doc["project_id"], "domain_id": domain_id, "role": role}

    def list_keys(self) -> list[dict]:
        """Every key without its SK."""
        with self.store.read() as txn:
            docs = txn.select("api_keys")
        return [{"ak": d["id"], "domain_id": d["domain_id"], "project_id": d["project_id"], "role": d["role"],
                 "description": d.get("description", ""), "created_at": d["created_at"]} for d in docs]

    def delete_key(self, ak: str) -> dict:
        with self._write("delete an API key") as txn:
            doc = txn.get("api_keys", ak)
            if doc is None:
                raise NotFound(f"no API key {ak}", rule="V1", fix="see `vpcep api key list`")
            txn.delete("api_keys", ak)
        return {"ak": ak, "domain_id": doc["domain_id"], "deleted": True}

    def key_secret(self, ak: str) -> dict | None:
        """The key record with its SK, for signature checks (None when unknown); read per request."""
        with self.store.read() as txn:
            return txn.get("api_keys", ak)


def fingerprint(sk: str) -> str:
    """A non-secret handle on an SK (for logs that must tell keys apart)."""
    return hmac.new(b"vpcep", sk.encode(), hashlib.sha256).hexdigest()[:8]
