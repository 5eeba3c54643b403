"""Reference commands: `vpcep rules` (the rule table), `vpcep commands` (docs/cli.md), `vpcep completion` (shtab)."""

from __future__ import annotations

import textwrap

from toolkit import ruletable
from toolkit.cli import parser as parsing
from toolkit.cli.output import Out, write
from toolkit.errors import NotFound


def cmd_rules(reg, args, out: Out) -> int:
    if args.markdown:
        write(ruletable.markdown().rstrip("\n"))
        return 0
    rules = [_rule(rule_id) for rule_id in args.rule_ids] or list(ruletable.RULES.values())
    out.emit([r.to_dict() for r in rules], "\n".join(_rule_text(r) for r in rules))


def _rule(rule_id: str) -> ruletable.Rule:
    rule = ruletable.lookup(rule_id)
    if rule is None:
        raise NotFound(f"no rule {rule_id!r}", fix="see `vpcep rules` for every rule ID (V, S, E, T, O, F, R, C, §7)")
    return rule


def _rule_text(rule: ruletable.Rule) -> str:
    text = textwrap.fill(rule.text, 100, initial_indent=f"{rule.id:<5}", subsequent_indent=" " * 5)
    return text + "\n" + textwrap.fill(rule.fix, 100, initial_indent="     fix: ", subsequent_indent=" " * 10)


def cmd_commands(reg, args, out: Out) -> int:
    root = parsing.build()
    if args.markdown:
        write(parsing.reference_markdown(root).rstrip("\n"))
        return 0
    sections = parsing.reference(root)
    out.emit([{"command": name, "usage": [{"usage": u, "help": h} for u, h in lines]} for name, lines in sections],
             "\n".join(f"{usage}\n    {text}" for _, lines in sections for usage, text in lines))


def cmd_completion(reg, args, out: Out) -> int:
    import shtab  # only here: --help and every other command stay free of it
    write(shtab.complete(parsing.build(), shell=args.shell).rstrip("\n"))
