"""Service whitelists (permission management) and who may connect (SPEC S13, E9)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from toolkit.errors import ValidationError
from toolkit.model.fields import Record


class EntryKind(StrEnum):
    """S13: the kinds of whitelist entry, by the text each starts with."""

    EVERYONE = "*"
    DOMAIN = "iam:domain::"
    ORG = "organizations:orgPath::"


DOMAIN_PREFIX = EntryKind.DOMAIN.value
ORG_PREFIX = EntryKind.ORG.value
_DOMAIN = re.compile(r"^(\*|[A-Za-z0-9]+)$")
_ORG_PATH = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class WhitelistEntry(Record):
    """One whitelist record of a service."""

    id: str
    permission: str
    description: str
    created_at: str


def entry_kind(entry: str) -> EntryKind:
    """S13: which kind a normalized entry is."""
    if entry == EntryKind.EVERYONE:
        return EntryKind.EVERYONE
    return EntryKind.ORG if entry.startswith(EntryKind.ORG) else EntryKind.DOMAIN


def normalize(entry: str) -> str:
    """S13: accept `*`, `iam:domain::<id>`, `organizations:orgPath::<path>`, or a bare domain id."""
    entry = entry.strip()
    if entry == EntryKind.EVERYONE:
        return entry
    if entry.startswith(EntryKind.ORG):
        path = entry[len(ORG_PREFIX):]
        if not _ORG_PATH.match(path):
            raise ValidationError(f"whitelist entry {entry!r}: organization path is not valid", rule="S13",
                                  fix="write organizations:orgPath::o-xxx/r-xxx/ou-xxx")
        return entry
    domain = entry[len(DOMAIN_PREFIX):] if entry.startswith(DOMAIN_PREFIX) else entry
    if not _DOMAIN.match(domain):
        raise ValidationError(f"whitelist entry {entry!r} is not valid", rule="S13",
                              fix="write iam:domain::<domain_id> (letters and digits, or *), "
                                  "organizations:orgPath::<path>, or *")
    return DOMAIN_PREFIX + domain


def validate_org_path(path: str) -> str:
    """S13: an organization path such as o-1/r-2/ou-3 (blank: in no organization)."""
    path = path.strip().strip("/")
    if path and not _ORG_PATH.match(path):
        raise ValidationError(f"organization path {path!r} is not valid", rule="S13",
                              fix="write o-xxx/r-xxx/ou-xxx (letters, digits, _ and - between slashes)")
    return path


def allows(owner: str, entries: list[str], domain_id: str, org_path: str = "") -> bool:
    """S13/E9: the owner always, everyone with `*`, else a matching entry."""
    if domain_id == owner:
        return True
    for entry in entries:
        if entry in (EntryKind.EVERYONE, DOMAIN_PREFIX + "*", DOMAIN_PREFIX + domain_id):
            return True
        if entry_kind(entry) == EntryKind.ORG and org_path and _under(org_path, entry[len(ORG_PREFIX):]):
            return True
    return False


def _under(path: str, prefix: str) -> bool:
    parts, wanted = path.split("/"), prefix.split("/")
    return parts[: len(wanted)] == wanted
