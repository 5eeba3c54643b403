"""The rules in the project (issue 9): one table for `vpcep rules`, the errors' fixes and docs/rules.md;
docs/cli.md read off the parser; shell completion generated from it; a README that stays inside the repository."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import assert_refused
from tests.conftest import run_vpcep
from toolkit import ruletable
from toolkit.cli import parser as parsing
from toolkit.errors import NotFound, ValidationError

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "SPEC.md"
FAMILIES = {"V": 5, "S": 15, "E": 13, "T": 4, "O": 6, "F": 6, "R": 4, "C": 3}
"""The spec's rule IDs per family, for when the shared folder is not beside the repository."""


def spec_ids() -> set[str]:
    if SPEC.exists():
        return set(re.findall(r"^\| ([A-Z]\d+) \|", SPEC.read_text(), flags=re.MULTILINE))
    return {f"{family}{n}" for family, count in FAMILIES.items() for n in range(1, count + 1)}


def test_the_table_holds_every_rule_of_the_spec():
    assert spec_ids() - set(ruletable.RULES) == set()
    assert set(ruletable.RULES) - spec_ids() == {"§7"}
    assert all(rule.text and rule.fix for rule in ruletable.RULES.values())


def test_every_rule_the_code_raises_is_in_the_table():
    named = set()
    for path in (ROOT / "toolkit").rglob("*.py"):
        named |= set(re.findall(r'rule="([A-Z]\d+|§\d)"', path.read_text()))
        named |= set(re.findall(r'default_rule = "([A-Z]\d+|§\d)"', path.read_text()))
    assert named and named - set(ruletable.RULES) == set()


def test_an_error_without_its_own_fix_gets_the_tables():
    assert ValidationError("bad name", rule="S5").fix == ruletable.RULES["S5"].fix
    assert ValidationError("bad name", rule="S5", fix="mine").fix == "mine"
    assert NotFound("nothing").fix == ""


def test_a_cli_error_without_a_written_fix_carries_the_tables(world, cli):
    refused = cli("service", "rules", "web", "--remove", "sg:198.19.128.0/17:80")
    assert_refused(refused, "S15")
    assert refused.err.strip().endswith(ruletable.RULES["S15"].fix)


def test_rules_prints_every_rule_with_its_fix(cli):
    text = cli.ok("rules").out
    for rule_id in ruletable.RULES:
        assert re.search(rf"^{re.escape(rule_id)}\s", text, flags=re.MULTILINE), rule_id
    assert text.count("fix: ") == len(ruletable.RULES)
    listed = cli.ok("--json", "rules").json
    assert [r["id"] for r in listed] == list(ruletable.RULES)
    assert all(set(r) == {"id", "text", "fix"} for r in listed)


def test_rules_by_id(cli):
    one = cli.ok("--json", "rules", "s5", "E10").json
    assert [r["id"] for r in one] == ["S5", "E10"]
    assert one[0] == ruletable.RULES["S5"].to_dict()
    assert "at most 20" in cli.ok("rules", "E10").out


def test_an_unknown_rule_is_refused_with_a_fix(cli):
    refused = cli("rules", "X9")
    assert refused.code == 1 and refused.out == ""
    lines = refused.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no rule 'X9'") and "see `vpcep rules`" in lines[0]


def test_docs_rules_md_is_current(cli):
    committed = (ROOT / "docs" / "rules.md").read_text()
    assert committed == ruletable.markdown(), "regenerate: vpcep rules --markdown > docs/rules.md"
    assert cli.ok("rules", "--markdown").out == committed


def test_docs_cli_md_is_current():
    committed = (ROOT / "docs" / "cli.md").read_text()
    assert committed == parsing.reference_markdown(parsing.build()), \
        "regenerate: vpcep commands --markdown > docs/cli.md"
    for command in ("vpcep service update ID\\|NAME", "vpcep endpoint update ID", "--describe ENDPOINT_ID=TEXT",
                    "vpcep routes plan", "vpcep rules [RULE_ID ...]", "VPCEP_DNS_LISTEN"):
        assert command in committed, command


def test_readme_links_the_docs_and_nothing_outside_the_repository():
    readme = (ROOT / "README.md").read_text()
    assert "(docs/rules.md)" in readme and "docs/cli.md" in readme
    assert re.findall(r"SPEC\.md|\bCLI\.md|\.\./shared", readme) == []
    for target in re.findall(r"\]\(([^)#]+)", readme):
        assert target.startswith("http") or (ROOT / target).exists(), target


def test_bash_completion_is_valid_and_knows_every_command(cli):
    script = cli.ok("completion", "bash").out
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)
    for word in ("service", "endpoint", "routes", "check", "update", "--enable-whitelist", "completion"):
        assert word in script, word
    completed = subprocess.run(
        ["bash", "-c", 'source /dev/stdin; COMP_WORDS=(vpcep service up); COMP_CWORD=2; _shtab_vpcep; '
                       'echo "${COMPREPLY[*]}"; COMP_WORDS=(vpcep rou); COMP_CWORD=1; _shtab_vpcep; '
                       'echo "${COMPREPLY[*]}"'], input=script, capture_output=True, text=True, check=True)
    assert completed.stdout.split("\n")[:2] == ["update", "routes"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_completion_parse(cli, shell):
    script = cli.ok("completion", shell).out
    assert "service" in script and "routes" in script and "update" in script
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed (apt-get install {shell})")
    subprocess.run([shell, "-n"], input=script, text=True, check=True)


def test_completion_refuses_an_unknown_shell(cli):
    assert cli("completion", "powershell").code == 2


def test_completion_imports_shtab_only_there():
    probe = "import sys; from toolkit.cli import main; main(['rules', 'S5']); print('shtab' in sys.modules)"
    assert run_vpcep("completion", "bash").returncode == 0
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "False"
