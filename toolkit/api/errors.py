"""The one table: toolkit error (or HTTP-level problem) → HTTP status → the API's error_code (docs/api.md).

Every error answer is `{"error_code", "error_msg", "request_id"}`; error_msg carries our rule ID and fix.
"""

from __future__ import annotations

from toolkit import errors as E

# (error class, HTTP status, error_code); the first matching class wins, so subclasses come first.
TABLE: list[tuple[type, int, str]] = [
    (E.QuotaExceeded, 400, "EndPoint.0002"),
    (E.NotWhitelisted, 400, "EndPoint.0002"),
    (E.InvalidTransition, 400, "EndPoint.0002"),
    (E.ValidationError, 400, "EndPoint.0002"),
    (E.UsageError, 400, "EndPoint.0002"),
    (E.NotFound, 404, "EndPoint.0005"),
    (E.Conflict, 409, "EndPoint.0002"),
    (E.ReadOnly, 403, "APIGW.0302"),
    (E.CloudRefused, 400, "EndPoint.0002"),
    (E.CloudError, 502, "APIGW.0201"),
    (E.ConfigError, 400, "EndPoint.0002"),
    (E.StoreError, 503, "APIGW.0201"),
    (E.ToolkitError, 400, "EndPoint.0002"),
]

BAD_SIGNATURE = (401, "APIGW.0301")
"""A missing, malformed, stale, unknown-key or wrong signature."""
FORBIDDEN = (403, "APIGW.0302")
"""A viewer key calling a write operation."""
BAD_PROJECT = (400, "EndPoint.0014")
"""The path's project is not the key's (or `{project_id}` was never filled in)."""
BAD_REQUEST = (400, "EndPoint.0002")
"""Bad JSON, a bad parameter, an operation this server does not support."""
TOO_LARGE = (413, "APIGW.0413")
"""A body over 1 MiB."""
NO_ROUTE = (404, "APIGW.0101")
"""A path that is no operation of the VPCEP (or VPC subset) API."""
BAD_METHOD = (405, "APIGW.0101")


class ApiError(Exception):
    """An answer this server gives as an error: status, error_code, message (with rule and fix)."""

    def __init__(self, kind: tuple[int, str], message: str, *, rule: str = "", fix: str = "") -> None:
        self.status, self.code = kind
        text = message + (f" [{rule}]" if rule else "") + (f": {fix}" if fix else "")
        self.message = text
        super().__init__(text)


def from_toolkit(exc: E.ToolkitError) -> tuple[int, str, str]:
    """status, error_code, error_msg for a refused use case."""
    for cls, status, code in TABLE:
        if isinstance(exc, cls):
            if isinstance(exc, E.CloudRefused) and exc.error_code:
                code = exc.error_code
            return status, code, str(exc)
    return 400, "EndPoint.0002", str(exc)
