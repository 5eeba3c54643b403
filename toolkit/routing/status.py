"""Route status, shared by `vpcep routes status` and the TUI's Routes area: the kernel against a plan, as
lines and JSON, and every rendered form of a plan."""

from __future__ import annotations

from toolkit.errors import ToolkitError
from toolkit.routing.shapes import FORMAT_NAMES


def kernel_status(plan, backend_factory):
    """The Diff of the kernel's routes (a backend from `backend_factory`, closed after) against `plan`."""
    from toolkit.routing.apply import status

    backend = backend_factory()
    try:
        return status(backend, plan)
    finally:
        backend.close()


def status_lines(diff) -> list[str]:
    """One line per missing / different / extra / foreign route, then the counts."""
    lines = [f"missing    {c.dst} via {c.via}" for c in diff.missing]
    lines += [f"different  {c.dst} via {c.old_via} (plan: via {c.via})" for c in diff.different]
    lines += [f"extra      {r.dst} via {r.via}" for r in diff.extra]
    lines += [f"foreign    {r.dst} (proto {r.proto}) blocks the plan" for r in diff.foreign]
    return lines + [f"{len(diff.unchanged)} in place, {len(diff.missing)} missing, {len(diff.different)} different, "
                    f"{len(diff.extra)} extra"]


def status_dict(diff) -> dict:
    """`routes status --json`: the Diff, and whether the kernel matches the plan with nothing extra."""
    return {**diff.to_dict(), "in_sync": diff.in_sync and not diff.extra}


def renders(plan) -> dict[str, str]:
    """Every rendered form of `plan`; a form that cannot be rendered says why and the fix, as comments."""
    from toolkit.routing.render import render

    forms = {}
    for fmt in FORMAT_NAMES:
        try:
            forms[fmt] = render(plan, fmt)
        except ToolkitError as exc:
            forms[fmt] = f"# nothing to render: {exc.message} [{exc.rule}]\n# fix: {exc.fix}\n"
    return forms
