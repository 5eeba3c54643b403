"""SDK-HMAC-SHA256 verification, as huaweicloudsdkcore.signer.Signer signs (issue 12's contract)."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote

from toolkit.api.errors import BAD_SIGNATURE, ApiError

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
SKEW = timedelta(minutes=15)
_AUTH = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$")


def parse(authorization: str) -> tuple[str, list[str], str]:
    """(AK, signed header names, signature) of an Authorization header, or a 401."""
    match = _AUTH.match((authorization or "").strip())
    if not match:
        raise ApiError(BAD_SIGNATURE, "missing or malformed Authorization (SDK-HMAC-SHA256 expected)",
                       fix="sign the request with the SDK's BasicCredentials(ak, sk, project_id)")
    return match.group(1), match.group(2).split(";"), match.group(3).lower()


def canonical_uri(raw_path: str) -> str:
    path = "/".join(quote(seg, safe="~") for seg in unquote(raw_path).split("/"))
    return path if path.endswith("/") else path + "/"


def canonical_query(raw_query: str) -> str:
    pairs = []
    for part in filter(None, raw_query.split("&")):
        key, _, value = part.partition("=")
        pairs.append((unquote(key.replace("+", " ")), unquote(value.replace("+", " "))))
    pairs.sort()
    return "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in pairs)


def verify(*, method: str, raw_path: str, raw_query: str, headers: dict[str, str], body: bytes,
           lookup, now: datetime | None = None) -> dict:
    """The key record (from `lookup(ak)`) of a correctly signed request, else ApiError 401."""
    ak, signed, signature = parse(headers.get("authorization", ""))
    if "host" not in signed or "x-sdk-date" not in signed:
        raise ApiError(BAD_SIGNATURE, "host and x-sdk-date must be signed", fix="sign with the official SDK")
    missing = [name for name in signed if name not in headers]
    if missing:
        raise ApiError(BAD_SIGNATURE, f"signed header(s) not sent: {', '.join(missing)}")
    try:
        when = datetime.strptime(headers["x-sdk-date"], DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise ApiError(BAD_SIGNATURE, "X-Sdk-Date is not YYYYMMDDTHHMMSSZ") from None
    now = now or datetime.now(timezone.utc)
    if abs(now - when) > SKEW:
        raise ApiError(BAD_SIGNATURE, f"X-Sdk-Date {headers['x-sdk-date']} is more than 15 minutes off",
                       fix="check the client's clock")
    key = lookup(ak)
    if key is None:
        raise ApiError(BAD_SIGNATURE, "unknown access key", fix="create one with `vpcep api key create`")
    if "x-sdk-content-sha256" in signed:
        payload = headers["x-sdk-content-sha256"]
        if payload != "UNSIGNED-PAYLOAD" and payload.lower() != hashlib.sha256(body).hexdigest():
            raise ApiError(BAD_SIGNATURE, "X-Sdk-Content-Sha256 does not match the body")
    else:
        payload = hashlib.sha256(body).hexdigest()
    canonical = "\n".join([method.upper(), canonical_uri(raw_path), canonical_query(raw_query),
                           "".join(f"{name}:{headers[name].strip()}\n" for name in signed), ";".join(signed),
                           payload])
    to_sign = f"{ALGORITHM}\n{headers['x-sdk-date']}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    expected = hmac.new(key["sk"].encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise ApiError(BAD_SIGNATURE, "the signature does not match", fix="check the SK and the signed request")
    return key
