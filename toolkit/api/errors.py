"""The one table from our errors to the API's: rule family → HTTP status → error_code (docs/api.md prints it).

Every refusal is JSON {"error_code", "error_msg", "request_id"}; error_msg carries our message, the rule
ID and the fix, so an SDK user reads the same sentence the CLI prints.
"""

from __future__ import annotations

from toolkit import errors

TABLE: list[tuple[type, int, str, str]] = [
    # (our error, HTTP status, error_code, when)
    (errors.QuotaExceeded, 400, "EndPoint.0003", "a quota (S8/E7) is used up"),
    (errors.NotWhitelisted, 403, "EndPoint.0004", "the caller is not on the service's whitelist (E9/S13)"),
    (errors.InvalidTransition, 400, "EndPoint.0002", "the status machine forbids it (E8/S12)"),
    (errors.ValidationError, 400, "EndPoint.0002", "a rule of SPEC.md refused a parameter"),
    (errors.NotFound, 404, "EndPoint.0005", "no such resource for this account"),
    (errors.Conflict, 409, "EndPoint.0006", "the resource is in use or already exists (e.g. S10)"),
    (errors.ReadOnly, 403, "EndPoint.0007", "the server runs read-only (§7)"),
    (errors.ToolkitError, 500, "EndPoint.0001", "anything else (a bug: never expected)"),
]
"""First match wins (subclasses before their parents)."""

EXTRA = [
    (400, "EndPoint.0002", "the body is not JSON, or a parameter has the wrong type"),
    (400, "EndPoint.0014", "the path's project is not the key's, or is the unexpanded {project_id}"),
    (401, "APIGW.0301", "no or a wrong signature, an unknown key, a date over 15 minutes off (R2)"),
    (403, "EndPoint.0012", "a viewer key asked for a change (R1)"),
    (404, "EndPoint.0013", "no such operation"),
    (405, "EndPoint.0015", "the path exists, the method does not"),
    (413, "EndPoint.0016", "the body is over 1 MiB"),
]
"""The API's own refusals, before any use case runs."""


class ApiError(Exception):
    """An answer other than 2xx, with the API's error_code and our message."""

    def __init__(self, status: int, code: str, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.status, self.code = status, code
        self.message = f"{message}: {fix}" if fix else message


def from_toolkit(exc: errors.ToolkitError) -> ApiError:
    for kind, status, code, _ in TABLE:
        if isinstance(exc, kind):
            return ApiError(status, code, str(exc))
    raise AssertionError("TABLE ends with ToolkitError")


def markdown() -> str:
    lines = ["# REST API errors", "", "Every refusal is JSON `{\"error_code\", \"error_msg\", \"request_id\"}` with an "
             "`X-Request-Id` header; `error_msg` carries the rule ID and the fix.", "",
             "| HTTP | error_code | when |", "|---|---|---|"]
    lines += [f"| {status} | `{code}` | {when} |" for _, status, code, when in TABLE]
    lines += [f"| {status} | `{code}` | {when} |" for status, code, when in EXTRA]
    return "\n".join(lines) + "\n"
