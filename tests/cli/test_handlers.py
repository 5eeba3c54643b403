"""Every command names its handler in toolkit.cli.handlers, and every named handler exists (a rename fails here)."""

from __future__ import annotations

import argparse
import inspect

from toolkit.cli.handlers import HANDLERS, handler
from toolkit.cli.parser import build


def _subparsers(parser):
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def _commands() -> dict[str, str]:
    """Each command of the parser ("noun verb" or the command alone, aliases left out) → its noun's module."""
    found = {}
    for noun, parser in _subparsers(build()).choices.items():
        verbs = _subparsers(parser)
        if verbs is None:
            found[noun] = parser.get_default("handler_module")
            continue
        seen = set()
        for verb, sub in verbs.choices.items():  # an alias (ls) maps to its verb's parser, listed first
            if id(sub) not in seen:
                seen.add(id(sub))
                found[f"{noun} {verb}"] = parser.get_default("handler_module")
    return found


def test_every_command_has_an_entry_and_every_entry_a_command():
    commands = _commands()
    assert sorted(set(commands) - set(HANDLERS)) == []
    assert sorted(set(HANDLERS) - set(commands)) == []


def test_every_handler_exists_in_its_commands_module_and_takes_reg_args_out():
    commands = _commands()
    for command, target in HANDLERS.items():
        function = handler(command)
        assert callable(function), target
        assert target.partition(":")[0] == commands[command], command
        assert list(inspect.signature(function).parameters)[:3] == ["reg", "args", "out"], target
