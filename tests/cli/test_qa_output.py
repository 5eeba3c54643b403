"""Where the output goes wrong: a reader that leaves, a full disk, a bad command line under --json."""

import io
import json
import os
import sys

import pytest

from tests.cli.conftest import assert_refused
from tests.conftest import run_vpcep
from toolkit.cli import main


class GonePipe(io.TextIOBase):
    """A stdout whose reader has left (`vpcep ... | head -1` after head exits)."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self):
        raise io.UnsupportedOperation("fileno")


def test_a_reader_that_leaves_keeps_the_exit_code(cli, monkeypatch):
    """E3: `vpcep service verify X | head` must still exit 1 for a missing name (0 would say it exists)."""
    monkeypatch.setattr(sys, "stdout", GonePipe())
    assert main(["--state", str(cli.state), "service", "verify", "nope"]) == 1
    assert main(["--state", str(cli.state), "service", "list"]) == 0


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("flag", [[], ["--json"]])
def test_a_full_disk_under_stdout_is_exit_2_without_traceback(cli, flag):
    with open("/dev/full", "w") as full:
        import subprocess
        proc = subprocess.run([sys.executable, "-m", "toolkit", "--state", str(cli.state), *flag, "service", "list"],
                              stdout=full, stderr=subprocess.PIPE, text=True, env={**os.environ, "HOME": "/nonexistent"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("error: cannot write the output")


def test_a_bad_command_line_under_json_prints_the_error_object(tmp_path):
    proc = run_vpcep("--state", str(tmp_path / "s.db"), "--json", "service", "show")
    assert proc.returncode == 2
    error = json.loads(proc.stdout)["error"]
    assert error["type"] == "UsageError" and "ID|NAME" in error["message"]
    assert proc.stderr.strip().splitlines()[-1].startswith("error: vpcep service show:")


def test_usage_errors_return_2_in_process(cli):
    """main(argv) -> int: a bad flag is a return value, not a SystemExit escaping the caller."""
    assert cli("service", "create", "--bogus").code == 2


def test_v1_a_malformed_as_account_is_refused_for_reads_too(cli):
    assert_refused(cli("--as", "bad id!", "vpc", "list"), "V1")
    assert_refused(cli("--as", "x" * 65, "service", "list"), "V1")
