"""A run's report: a table per target for people, one JSON object for scripts."""

from __future__ import annotations

import secrets

from toolkit import clock
from toolkit.checks.result import STEPS, TargetReport, exit_code

MARKS = {"passed": "✓", "failed": "✗", "skipped": "-"}


def build(reports: list[TargetReport], started_at: str, seconds: float, options: dict) -> dict:
    """The JSON form of a run (also what the history stores)."""
    failed = [r for r in reports if not r.ok]
    first = min((r.first_failure.step for r in failed), key=_order, default=None)
    return {
        "run_id": secrets.token_hex(4), "started_at": started_at, "finished_at": clock.now(),
        "duration_ms": round(seconds * 1000, 1), "exit_code": exit_code(reports), "options": options,
        "summary": {"targets": len(reports), "passed": len(reports) - len(failed), "failed": len(failed),
                    "first_failure": first},
        "endpoints": [r.to_dict() for r in reports],
    }


def _order(step: str) -> int:
    return STEPS.index(step)


def render(run: dict) -> str:
    """The text form: every step of every target, the fix under a failure, a summary line."""
    lines = []
    for target in run["endpoints"]:
        lines.append(f"{'✓' if target['ok'] else '✗'} {target['endpoint_id']}  {target['label']}")
        for step in target["steps"]:
            lines.append(f"    {MARKS[step['status']]} {step['step']:<7} {step['detail']}  "
                         f"({step['duration_ms']:.1f} ms)")
            if step["status"] == "failed":
                lines.append(f"      [{step['rule']}] fix: {step['fix']}")
    lines.append(summary_line(run))
    return "\n".join(lines)


def brief(run: dict) -> str:
    """`--quiet`: one line per target (id, verdict, first failing step and its rule), then the summary line."""
    lines = [brief_line(target) for target in run["endpoints"]]
    return "\n".join([*lines, summary_line(run)])


def brief_line(target: dict) -> str:
    if target["ok"]:
        return f"✓ {target['endpoint_id']}  passed"
    return f"✗ {target['endpoint_id']}  failed  {target['first_failure']} [{target['rule']}]"


def summary_line(run: dict) -> str:
    s = run["summary"]
    first = f", first failure: {s['first_failure']}" if s["first_failure"] else ""
    return (f"{s['targets']} checked, {s['passed']} passed, {s['failed']} failed{first} "
            f"in {run['duration_ms'] / 1000:.2f} s (run {run['run_id']}, exit {run['exit_code']})")
