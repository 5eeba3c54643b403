"""The `vpcep` command line: `main(argv) -> int`, exit codes of CLI.md, no traceback for expected errors."""

from __future__ import annotations

import sys

from toolkit.errors import ToolkitError


def main(argv: list[str] | None = None) -> int:
    """Run one vpcep command; returns the exit code."""
    from toolkit.cli import parser as parsing

    args = parsing.build().parse_args(argv)
    as_json = bool(getattr(args, "json", False))
    try:
        from toolkit.cli.commands import run
        return run(args)
    except ToolkitError as exc:
        return _fail(exc, as_json)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0


def _fail(exc: ToolkitError, as_json: bool) -> int:
    if as_json:
        from toolkit.cli.output import dump
        print(dump({"error": exc.to_dict()}))
    print(f"error: {exc}", file=sys.stderr)
    return exc.exit_code
