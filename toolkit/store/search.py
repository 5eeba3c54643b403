"""The endpoint list filtered, sorted and cut by SQLite (issue 15): the TUI's Endpoints area at any size.

A search is the `/` filter's words: a `key=value` word matches a tag (key and value, case aside); any other
word must occur in one of the cells the list shows (tui/rows.py `endpoint_row`: id, service name, status,
ip, VPC, created, first DNS name, type) or in a tag's `key=value`. The cells are rebuilt here as SQL over
the indexed columns and the JSON document; tests/tui/test_tui_window.py holds both to the same results.
The document is parsed only for rows whose raw text holds the word (and no cheaper cell matched).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.store.sqlite import Txn


@dataclass(frozen=True)
class Listing:
    """What the list shows beside the endpoint itself: VPC names by id, and per service id its stored name
    and the name the list shows for it (its rows match a word of that name without parsing their document)."""

    vpc_names: dict[str, str] = field(default_factory=dict)
    services: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Search:
    words: tuple[str, ...] = ()
    """Lowercase keywords, each to occur in some cell."""
    tags: tuple[tuple[str, str], ...] = ()
    """Lowercase (key, value) pairs, each to be one of the endpoint's tags."""
    sort_column: int | None = None
    descending: bool = False


def _json(path: str) -> str:
    return f"json_extract(e.doc, '$.{path}')"


_NAME = _json("endpoint_service_name")
_REST = f"substr({_NAME}, instr({_NAME}, '.') + 1)"
_LABEL = (f"CASE WHEN instr({_NAME}, '.') > 0 AND instr({_REST}, '.') > 0 "
          f"AND instr(substr({_REST}, instr({_REST}, '.') + 1), '.') = 0 "
          f"THEN substr({_REST}, 1, instr({_REST}, '.') - 1) ELSE {_NAME} END")
"""`<region>.<name>.<id>` reads as its name; anything else as it is stored (rows.py `_service_label`)."""
_IP = ("CASE WHEN e.ip_int IS NULL THEN '-' ELSE (e.ip_int >> 24) || '.' || ((e.ip_int >> 16) & 255) || '.' "
       "|| ((e.ip_int >> 8) & 255) || '.' || (e.ip_int & 255) END")
_CREATED = (f"CASE WHEN coalesce({_json('created_at')}, '') = '' THEN '-' "
            f"ELSE substr(replace({_json('created_at')}, 'T', ' '), 1, 19) END")
_DNS = f"coalesce(nullif({_json('dns_names[0]')}, ''), '-')"
_TYPE = _json("service_type")
_TAG = "(SELECT 1 FROM json_each(e.doc, '$.tags') t WHERE {test})"
_TAG_TEXT = "lower(json_extract(t.value, '$.key') || '=' || json_extract(t.value, '$.value'))"


def _vpc(listing: Listing) -> tuple[str, list]:
    if not listing.vpc_names:
        return "e.vpc_id", []
    cases = " ".join("WHEN ? THEN ?" for _ in listing.vpc_names)
    return f"CASE e.vpc_id {cases} ELSE e.vpc_id END", [x for pair in listing.vpc_names.items() for x in pair]


def cells(listing: Listing) -> list[tuple[str, list]]:
    """The list's columns in order, each as (SQL expression, its parameters)."""
    return [("e.id", []), (_LABEL, []), ("e.status", []), (_IP, []), _vpc(listing), (_CREATED, []), (_DNS, []),
            (_TYPE, [])]


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _raw_safe(word: str) -> bool:
    """A word the JSON text holds as it is (printable ASCII, no quote or backslash), so a row whose document
    lacks it cannot match: the gate that spares parsing. `-` also stands for an empty cell."""
    return word != "-" and all(" " < ch < "\x7f" and ch not in "\"\\" for ch in word)


def _glob(text: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in text)


def _word(word: str, listing: Listing) -> tuple[str, list]:
    like = _like(word)
    cheap, params = [], []
    vpc, vpc_params = _vpc(listing)
    ip = [_IP] if set(word) <= set("0123456789.-") else []  # an address (or `-`) holds nothing else
    for expr in ["e.id", "e.status", *ip, vpc]:
        cheap.append(f"{expr} LIKE ? ESCAPE '\\'")
        params += [*(vpc_params if expr is vpc else []), like]
    named = [(sid, stored) for sid, (stored, shown) in listing.services.items() if word in shown.lower()]
    for sid, stored in named[:20]:  # rows of a service of that name, their document holding that very name
        cheap.append("(e.service_id = ? AND e.doc GLOB ?)")
        params += [sid, f'*"endpoint_service_name":"{_glob(stored)}"*']
    parsed = [f"{expr} LIKE ? ESCAPE '\\'" for expr in (_LABEL, _TYPE, _CREATED, _DNS)]
    parsed.append("EXISTS " + _TAG.format(test=f"{_TAG_TEXT} LIKE ? ESCAPE '\\'"))
    gate = "e.doc LIKE ? ESCAPE '\\' AND " if _raw_safe(word) else ""
    params += ([like] if gate else []) + [like] * len(parsed)
    return f"({' OR '.join(cheap)} OR ({gate}({' OR '.join(parsed)})))", params


def _tag(key: str, value: str) -> tuple[str, list]:
    test = "lower(json_extract(t.value, '$.key')) = ? AND lower(json_extract(t.value, '$.value')) = ?"
    return "EXISTS " + _TAG.format(test=test), [key, value]


def where(domain_id: str, search: Search, listing: Listing) -> tuple[str, list]:
    clauses, params = ["e.domain_id = ?"], [domain_id]
    for sql, more in [_word(w, listing) for w in search.words] + [_tag(k, v) for k, v in search.tags]:
        clauses.append(sql)
        params += more
    return " WHERE " + " AND ".join(clauses), params


def _order(search: Search, listing: Listing) -> tuple[str, list]:
    if search.sort_column is None:
        return "e.rowid", []
    expr, params = cells(listing)[search.sort_column]
    return f"lower({expr}) {'DESC' if search.descending else 'ASC'}, e.rowid", params


def window(txn: Txn, domain_id: str, search: Search, listing: Listing, limit: int, offset: int) -> list[str]:
    """The documents (JSON text) of rows offset … offset+limit of the matches, in the list's order."""
    sql, params = where(domain_id, search, listing)
    order, order_params = _order(search, listing)
    rows = txn.conn.execute(f"SELECT e.doc FROM endpoints e{sql} ORDER BY {order} LIMIT ? OFFSET ?",
                            [*params, *order_params, limit, offset])
    return [doc for (doc,) in rows]


def count(txn: Txn, domain_id: str, search: Search, listing: Listing) -> int:
    sql, params = where(domain_id, search, listing)
    return txn.conn.execute(f"SELECT count(*) FROM endpoints e{sql}", params).fetchone()[0]
