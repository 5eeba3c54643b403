"""Headless commands stay light: no Textual, DNS stack, netlink or netaddr on import (STYLE 1)."""

import json
import subprocess
import sys

import pytest

HEAVY = ["textual", "dnslib", "dns", "pyroute2", "netaddr", "asyncio", "shtab", "prometheus_client"]

PROBE = """
import json, sys
from toolkit.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))
"""


@pytest.mark.parametrize("argv", [["--help"], ["service", "list", "--json"], ["endpoint", "list", "--json"],
                                  ["quota"]])
def test_inventory_commands_import_nothing_heavy(argv, tmp_path):
    modules = loaded(argv, tmp_path)
    assert [name for name in HEAVY if name in modules] == []


def test_dns_stats_reads_metrics_without_the_dns_stack(tmp_path):
    """Only the text-format parser: no event loop, no DNS library (port 1: nothing listens, exit 2)."""
    modules = loaded(["dns", "stats", "--from", "127.0.0.1:1"], tmp_path)
    assert [name for name in HEAVY if name in modules] == ["prometheus_client"]


def loaded(argv: list[str], tmp_path) -> set[str]:
    from toolkit.cli import main
    state = tmp_path / "s.db"
    assert main(["--state", str(state), "init"]) == 0
    proc = subprocess.run([sys.executable, "-c", PROBE, "--state", str(state), *argv], capture_output=True,
                          text=True, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_model_is_pure():
    proc = subprocess.run([sys.executable, "-c", "import sys, toolkit.model.endpoint, toolkit.model.service, "
                           "toolkit.model.network, toolkit.model.tags, toolkit.model.permissions, toolkit.model.quota, "
                           "toolkit.model.rules; print(sorted(m for m in ('sqlite3', 'socket', 'textual') "
                           "if m in sys.modules))"], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
