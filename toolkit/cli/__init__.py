"""The `vpcep` command line: `main(argv) -> int`, exit codes of CLI.md, no traceback for expected errors."""

from __future__ import annotations

import sys

from toolkit.errors import OutputError, ToolkitError


def main(argv: list[str] | None = None) -> int:
    """Run one vpcep command; returns the exit code."""
    from toolkit.cli import parser as parsing

    argv = sys.argv[1:] if argv is None else argv
    as_json = "--json" in argv
    try:
        args = parsing.build().parse_args(argv)
        from toolkit.cli.commands import run  # after parsing: --help and usage errors stay light
        return run(args)
    except ToolkitError as exc:
        return _fail(exc, as_json)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        from toolkit.cli.output import stdout_gone
        stdout_gone()
        return 0
    except OSError as exc:  # an I/O error no handler translated: still one line, exit 2
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(OutputError(f"{exc.strerror or exc}{where}", fix="check the disk, the path and its permissions"),
                     as_json)


def _fail(exc: ToolkitError, as_json: bool) -> int:
    if as_json:
        from toolkit.cli.output import dump
        try:
            print(dump({"error": exc.to_dict()}), flush=True)
        except OSError:  # stdout is what failed: stderr still tells
            pass
    print(f"error: {exc}", file=sys.stderr)
    return exc.exit_code
