"""R2: every request is signed with SDK-HMAC-SHA256, as huaweicloudsdkcore's Signer signs it.

Canonical request: METHOD, the path re-encoded per segment with a trailing `/`, the sorted query pairs,
the signed headers (`name:value` lower-cased and stripped), their names joined by `;`, and the hex SHA-256
of the body (or `X-Sdk-Content-Sha256` when that header is itself signed). The string to sign is
`SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<hex sha256 of the canonical request>`, the signature its HMAC-SHA256 keyed
with the SK. `host` and `x-sdk-date` must be signed; the date may be 15 minutes off at most.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import parse_qsl, quote, unquote

from toolkit.api.errors import ApiError

ALGORITHM = "SDK-HMAC-SHA256"
SKEW = timedelta(minutes=15)
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
_AUTH = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$")


def refuse(why: str) -> ApiError:
    return ApiError(401, "APIGW.0301", f"incorrect IAM authentication information: {why} [R2]",
                    "sign the request with the key's AK/SK (SDK-HMAC-SHA256), a current X-Sdk-Date and Host")


def verify(method: str, raw_path: str, query: str, headers: dict[str, str], body: bytes,
           find_key: Callable[[str], object | None], now: datetime | None = None):
    """The key that signed this request, or ApiError 401 APIGW.0301 (R2)."""
    match = _AUTH.match(headers.get("authorization", "").strip())
    if not match:
        raise refuse("no SDK-HMAC-SHA256 Authorization header")
    ak, signed, signature = match.group(1), match.group(2).split(";"), match.group(3).lower()
    if "host" not in signed or "x-sdk-date" not in signed:
        raise refuse("host and x-sdk-date must be signed")
    if any(name not in headers for name in signed):
        raise refuse("a signed header is missing")
    when = _date(headers["x-sdk-date"])
    now = now or datetime.now(timezone.utc)
    if abs(now - when) > SKEW:
        raise refuse("X-Sdk-Date is more than 15 minutes off")
    key = find_key(ak)
    if key is None:
        raise refuse("unknown access key")
    canonical = canonical_request(method, raw_path, query, headers, signed, body)
    string_to_sign = f"{ALGORITHM}\n{headers['x-sdk-date']}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    expected = hmac.new(key.sk.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise refuse("the signature does not match")
    return key


def canonical_request(method: str, raw_path: str, query: str, headers: dict[str, str], signed: list[str],
                      body: bytes) -> str:
    segments = [quote(segment, safe="~") for segment in unquote(raw_path).split("/")]
    uri = "/".join(segments)
    uri = uri if uri.endswith("/") else uri + "/"
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    query_text = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in pairs)
    header_text = "".join(f"{name}:{headers[name].strip()}\n" for name in signed)
    return "\n".join([method.upper(), uri, query_text, header_text, ";".join(signed), payload_hash(headers, signed,
                                                                                                   body)])


def payload_hash(headers: dict[str, str], signed: list[str], body: bytes) -> str:
    if not body:
        return EMPTY_HASH
    if "x-sdk-content-sha256" in signed:
        return headers["x-sdk-content-sha256"]
    return hashlib.sha256(body).hexdigest()


def _date(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise refuse("X-Sdk-Date is not YYYYMMDDTHHMMSSZ") from None
