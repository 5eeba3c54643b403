"""How the CLI prints: aligned tables for people, the API's JSON shapes for scripts."""

from __future__ import annotations

import contextlib
import json
import os
import sys

from toolkit.display import cell


_HEAD, _TAIL = len('{\n  "_": [\n'), len('\n  ]\n}')


def dump(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def _items_text(items: list[dict]) -> str:
    """The items as `dump` indents them inside a list under a key (4 spaces, ",\n" between), by orjson
    when it can encode them all (it writes the same bytes, 20 times faster), else by `dump`."""
    import orjson

    try:
        text = orjson.dumps({"_": items}, option=orjson.OPT_INDENT_2).decode()
    except (TypeError, ValueError):  # what orjson refuses (an int past 64 bits, a lone surrogate): json's way
        text = dump({"_": items})
    return text[_HEAD:-_TAIL]


def table(headers: list[str], rows: list[list]) -> str:
    """A plain aligned table; empty cells print as '-'."""
    cells = [[cell(value) for value in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def fields(pairs: list[tuple[str, object]]) -> str:
    """`Label:  value` lines, aligned."""
    width = max(len(label) for label, _ in pairs) + 1
    return "\n".join(f"{(label + ':').ljust(width)}  {cell(value)}" for label, value in pairs)


def write(text: str) -> None:
    """Print to stdout now: a reader that left (`| head`) drops the rest; a failed write is an OutputError."""
    with _guarded():
        _write_all(text + "\n")


def _write_all(text: str) -> None:
    """Every byte, even when a signal handler runs mid-write: CPython's buffered stdout drops the rest of a
    large text after a write a signal cut short (seen: `routes apply --json` cut at 64 KiB by a SIGINT)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no real file (tests' capture): the plain way
        print(text, end="", flush=True)
        return
    sys.stdout.flush()
    view = memoryview(text.encode(sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict"))
    while view:
        view = view[os.write(fd, view):]


@contextlib.contextmanager
def _guarded():
    """Writes to stdout: a reader that left drops the rest; a failed write is one OutputError line."""
    try:
        yield
    except BrokenPipeError:
        stdout_gone()
    except OSError as exc:
        from toolkit.errors import OutputError
        raise OutputError(f"cannot write the output: {exc.strerror or exc}",
                          fix="check where stdout goes (disk full?)") from None


def stdout_gone() -> None:
    """The reader of stdout went away: send whatever is left to /dev/null, keep the command's exit code."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no real file (tests): nothing to redirect
        pass


class Out:
    """Prints either the JSON form or the text form of a result."""

    def __init__(self, as_json: bool) -> None:
        self.json = as_json

    def emit(self, data, text: str | None = None) -> None:
        if self.json:
            write(dump(data))
        elif text is not None:
            write(text)

    def emit_list(self, key: str, total: int, chunks) -> None:
        """A long list as JSON, written a chunk (a list of items) at a time, byte for byte what `emit` writes
        for {key: [...], "total_count": total}, never holding the whole list or its text (issue 15)."""
        stream, first = sys.stdout, True
        with _guarded():
            stream.write(f'{{\n  "{key}": [')
            for chunk in chunks:
                if chunk:
                    stream.write(("\n" if first else ",\n") + _items_text(chunk))
                    first = False
            stream.write(("]" if first else "\n  ]") + f',\n  "total_count": {total}\n}}\n')
            stream.flush()

    def note(self, message: str) -> None:
        """A side remark (warnings) for people: always stderr."""
        print(message, file=sys.stderr)


def tags_text(tags) -> str:
    return ", ".join(f"{t.key}={t.value}" for t in tags)
