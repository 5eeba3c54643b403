"""Resource tags: validation and edits (SPEC T1–T4)."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.errors import ValidationError
from toolkit.model.fields import Record

MAX_TAGS = 10
MAX_KEY = 128
MAX_VALUE = 255
FORBIDDEN = set("=*<>\\,|/")
SYSTEM_PREFIX = "_sys_"
"""T2: keys starting with it are the cloud's own tags; users cannot set them."""


@dataclass(frozen=True, slots=True)
class Tag(Record):
    """One key/value pair on a service or an endpoint.

    The one model type built positionally: `Tag("env", "demo")` reads as the pair it is.
    """

    key: str
    value: str = ""


def _check_text(kind: str, text: str, limit: int, rule: str) -> None:
    if len(text) > limit:
        raise ValidationError(f"tag {kind} {text[:20]!r}… is longer than {limit} characters", rule=rule,
                              fix=f"shorten it to {limit} characters")
    if text != text.strip():
        raise ValidationError(f"tag {kind} {text!r} has leading or trailing spaces", rule=rule, fix="trim it")
    if not text.isprintable():
        raise ValidationError(f"tag {kind} {text!r} holds control characters (newlines, escapes)", rule=rule,
                              fix="keep it to one line of printable characters")
    bad = sorted(FORBIDDEN.intersection(text))
    if bad:
        raise ValidationError(f"tag {kind} {text!r} contains {' '.join(bad)}", rule=rule,
                              fix="remove the characters = * < > \\ , | /")


def validate_key(key: str) -> str:
    """Return the key if it obeys T2."""
    if not key or not key.strip():
        raise ValidationError("tag key is blank", rule="T2", fix="give the tag a key")
    _check_text("key", key, MAX_KEY, "T2")
    if key.lower().startswith(SYSTEM_PREFIX):
        raise ValidationError(f"tag key {key!r} starts with {SYSTEM_PREFIX}, which is reserved for system tags",
                              rule="T2", fix=f"choose a key that does not start with {SYSTEM_PREFIX}")
    return key


def validate_value(value: str) -> str:
    """Return the value if it obeys T3 (blank is allowed)."""
    _check_text("value", value, MAX_VALUE, "T3")
    return value


def parse_tag(text: str) -> Tag:
    """Parse `KEY=VALUE` (or `KEY`, a blank value) from the command line."""
    key, _, value = text.partition("=")
    return Tag(validate_key(key), validate_value(value))


def make_tags(tags: list[Tag] | tuple[Tag, ...]) -> tuple[Tag, ...]:
    """Validate a whole tag list for a new resource (T1–T3)."""
    seen: set[str] = set()
    for tag in tags:
        validate_key(tag.key)
        validate_value(tag.value)
        if tag.key in seen:
            raise ValidationError(f"tag key {tag.key!r} is given twice", rule="T1", fix="keep one")
        seen.add(tag.key)
    if len(tags) > MAX_TAGS:
        raise ValidationError(f"{len(tags)} tags given, at most {MAX_TAGS} allowed", rule="T1",
                              fix="drop some tags")
    return tuple(tags)


def edit_tags(current: tuple[Tag, ...], set_: list[Tag], delete: list[str]) -> tuple[Tag, ...]:
    """Apply adds, value edits and deletions (T4) and return the new list."""
    tags = {tag.key: tag.value for tag in current}
    for key in delete:
        if key not in tags:
            raise ValidationError(f"no tag with key {key!r}", rule="T4", fix="list the tags to see the keys")
        del tags[key]
    for tag in set_:
        tags[validate_key(tag.key)] = validate_value(tag.value)
    return make_tags([Tag(k, v) for k, v in tags.items()])


def parse_filter(text: str) -> Tag:
    """A search filter (E12): `KEY=VALUE` matches that pair, `KEY=` a blank value, a bare `KEY` any value."""
    if "=" not in text:
        return Tag(validate_key(text), None)
    return parse_tag(text)


def matches(tags: tuple[Tag, ...], wanted: list[Tag]) -> bool:
    """True when every wanted filter is met: the key with that value, or with any value for None (E12)."""
    have = {tag.key: tag.value for tag in tags}
    return all(w.key in have and (w.value is None or have[w.key] == w.value) for w in wanted)


def search_tags(wanted: list[Tag]) -> list[Tag]:
    """E12: a search names at most 10 key/value pairs."""
    if len(wanted) > MAX_TAGS:
        raise ValidationError(f"{len(wanted)} tags in one search; at most {MAX_TAGS}", rule="E12",
                              fix="search with fewer --tag filters")
    return wanted
