"""One error family for the whole toolkit.

    ToolkitError                 exit 1 unless noted
    ├── ValidationError          a rule of SPEC.md refused the input
    │   ├── QuotaExceeded        S8 / E7: used/limit reached
    │   ├── NotWhitelisted       E9 / S13: the caller may not connect
    │   └── InvalidTransition    E8 / S12: the status machine forbids it
    ├── NotFound                 no such resource for this account
    ├── Conflict                 the resource is in use or already exists
    ├── ReadOnly                 §7: a viewer (or --read-only) asked for a change
    ├── UsageError               exit 2: the command line itself is wrong (argparse's complaint)
    ├── OutputError              exit 2: stdout could not be written (disk full, closed)
    ├── ConfigError              exit 2: settings or state cannot be used
    │   ├── ZoneError            exit 2: a zone file or the name template cannot be served
    │   └── PortInUse            exit 2: the DNS server's address is taken (names the holder)
    ├── UpstreamError            no forwarder answered (the DNS server says SERVFAIL)
    ├── PlanFileError            a route plan (TOML) breaks a rule; names the line of each problem
    ├── RouteApplyError          exit 2: the kernel refused a route change (carries the errno)
    │   └── RoutesInterrupted    exit 130 / 143: SIGINT / SIGTERM stopped it; this run's changes rolled back
    ├── LabError                 exit 2: the namespace lab could not be built or torn down
    ├── CloudRefused             the cloud answered 4xx (C3: its error_code, error_msg and request_id)
    ├── CloudUnavailable         exit 2: the cloud could not be reached, failed (5xx) or refused the credentials
    └── StoreError               exit 2: the state file could not be read or written

Every error carries the rule it enforces and, where there is one, the fix: an error raised with a
rule and no fix of its own gets the fix of toolkit/ruletable.py, the table `vpcep rules` prints.
"""

from __future__ import annotations

from toolkit.ruletable import default_fix


class ToolkitError(Exception):
    """Something the toolkit refused or could not do."""

    exit_code = 1
    default_rule = ""

    def __init__(self, message: str | None = None, *, rule: str | None = None, fix: str = "") -> None:
        self.message = message or (self.__doc__ or "").strip()
        self.rule = rule if rule is not None else self.default_rule
        self.fix = fix or default_fix(self.rule)
        super().__init__(str(self))

    def __str__(self) -> str:
        text = self.message
        if self.rule:
            text += f" [{self.rule}]"
        if self.fix:
            text += f": {self.fix}"
        return text

    def to_dict(self) -> dict:
        """The JSON shape of CLI.md: rule, message, type (and fix when known)."""
        data = {"rule": self.rule, "message": self.message, "type": type(self).__name__}
        if self.fix:
            data["fix"] = self.fix
        return data


class ValidationError(ToolkitError):
    """The input breaks a rule."""


class QuotaExceeded(ValidationError):
    """Quota reached."""

    def __init__(self, resource: str, used: int, limit: int, *, rule: str, fix: str) -> None:
        self.resource, self.used, self.limit = resource, used, limit
        super().__init__(f"quota {used}/{limit} reached for {resource}", rule=rule, fix=fix)


class NotWhitelisted(ValidationError):
    """This account is not on the service's whitelist."""

    default_rule = "E9"


class InvalidTransition(ValidationError):
    """The status machine does not allow this change."""

    default_rule = "E8"


class NotFound(ToolkitError):
    """No such resource."""


class Conflict(ToolkitError):
    """The resource is in use or already exists."""


class ReadOnly(ToolkitError):
    """Read-only mode: changes are refused."""

    default_rule = "§7"


class UsageError(ToolkitError):
    """The command line is not a valid vpcep command."""

    exit_code = 2


class OutputError(ToolkitError):
    """The output could not be written."""

    exit_code = 2


class ConfigError(ToolkitError):
    """The settings or the state cannot be used."""

    exit_code = 2


class StoreError(ToolkitError):
    """The state file could not be read or written."""

    exit_code = 2


class ZoneError(ConfigError):
    """A zone cannot be built or loaded."""


class PortInUse(ConfigError):
    """The address the DNS server should listen on is taken."""


class UpstreamError(ToolkitError):
    """No forwarder gave a usable answer."""


class PlanFileError(ValidationError):
    """The route plan file is not valid."""

    def __init__(self, path: str, problems: list[tuple[int, str, str]]) -> None:
        self.path, self.problems = path, problems
        lines = "; ".join(f"line {line}: {text} [{rule}]" for line, rule, text in problems)
        super().__init__(f"{path}: {lines}", rule=problems[0][1] if problems else "",
                         fix="edit the plan or make a new one with `vpcep routes plan --out`")

    def __str__(self) -> str:
        return f"{self.message}: {self.fix}"


class RouteApplyError(ToolkitError):
    """The kernel refused a route change."""

    exit_code = 2

    def __init__(self, message: str | None = None, *, errno: int = 0, rule: str | None = None, fix: str = "") -> None:
        self.errno = errno
        super().__init__(message, rule=rule, fix=fix)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "errno": self.errno}


class RoutesInterrupted(RouteApplyError):
    """SIGINT or SIGTERM stopped a route change; what this run did was rolled back (exit 128 + the signal)."""

    def __init__(self, message: str, *, signum: int, added: int, removed: int, replaced: int, rolled_back: int,
                 left: int, fix: str = "") -> None:
        self.signum, self.exit_code = signum, 128 + signum
        self.counts = {"added": added, "removed": removed, "replaced": replaced, "rolled_back": rolled_back,
                       "left": left}
        super().__init__(message, errno=4, rule="O3", fix=fix)  # 4: EINTR

    def to_dict(self) -> dict:
        import signal
        return {**super().to_dict(), "signal": signal.Signals(self.signum).name, **self.counts}


class LabError(ToolkitError):
    """The namespace lab could not be built or torn down."""

    exit_code = 2


class CloudError(ToolkitError):
    """The cloud did not do what was asked (C3); carries its error_code, error_msg and request_id."""

    default_rule = "C3"

    def __init__(self, message: str, *, error_code: str = "", error_msg: str = "", request_id: str = "",
                 status: int = 0, rule: str | None = None, fix: str = "") -> None:
        self.error_code, self.error_msg, self.request_id, self.status = error_code, error_msg, request_id, status
        super().__init__(message, rule=rule, fix=fix)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "error_code": self.error_code, "error_msg": self.error_msg,
                "request_id": self.request_id, "status": self.status}


class CloudRefused(CloudError):
    """The cloud refused the request (an HTTP 4xx answer)."""


class CloudUnavailable(CloudError):
    """The cloud could not be reached, failed, or did not take the credentials."""

    exit_code = 2
