"""Check results as data: printing and exit codes are the CLI's job (DESIGN decision 6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

STEPS = ("state", "dns", "route", "policy", "tcp")
EXIT_CODES = {"state": 10, "dns": 11, "route": 12, "policy": 13, "tcp": 14}
"""CLI.md: the first failing step in path order decides the exit code."""


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StepResult:
    """One step of one target: verdict, what was seen, and for a failure the rule and the fix."""

    step: str
    status: Status
    detail: str
    rule: str = ""
    fix: str = ""
    figures: dict = field(default_factory=dict)
    duration_ms: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status == Status.FAILED

    def to_dict(self) -> dict:
        """The JSON form; `figures` as they are (plain data already: no deep copy per step of 1,000 targets)."""
        return {"step": self.step, "status": str(self.status), "detail": self.detail, "rule": self.rule,
                "fix": self.fix, "figures": self.figures, "duration_ms": round(self.duration_ms, 2),
                "ok": not self.failed}


def passed(step: str, detail: str, **figures) -> StepResult:
    return StepResult(step, Status.PASSED, detail, figures=figures)


def failed(step: str, detail: str, rule: str, fix: str, **figures) -> StepResult:
    return StepResult(step, Status.FAILED, detail, rule, fix, figures=figures)


def skipped(step: str, detail: str) -> StepResult:
    return StepResult(step, Status.SKIPPED, detail)


@dataclass(frozen=True)
class TargetReport:
    """All steps of one endpoint (or one OBS bucket name)."""

    target: str
    label: str
    steps: tuple[StepResult, ...]

    @property
    def first_failure(self) -> StepResult | None:
        ordered = sorted(self.steps, key=lambda s: STEPS.index(s.step))
        return next((s for s in ordered if s.failed), None)

    @property
    def ok(self) -> bool:
        return self.first_failure is None

    @property
    def exit_code(self) -> int:
        first = self.first_failure
        return EXIT_CODES[first.step] if first else 0

    def to_dict(self) -> dict:
        first = self.first_failure
        return {"endpoint_id": self.target, "label": self.label, "ok": self.ok, "exit_code": self.exit_code,
                "first_failure": first.step if first else None, "rule": first.rule if first else None,
                "fix": first.fix if first else None, "steps": [s.to_dict() for s in self.steps]}


def exit_code(reports: list[TargetReport]) -> int:
    """0 when everything passed, else the earliest failing step's code across all targets."""
    codes = [r.exit_code for r in reports if r.exit_code]
    return min(codes) if codes else 0
