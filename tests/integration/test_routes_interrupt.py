"""Issue 14 acceptance: `vpcep routes apply` of 10,000 routes, the real command in a child process, interrupted by
SIGINT or SIGTERM at 20 random points, leaves all or none of its routes each time, and the counts it prints are
what the kernel shows (read with `ip -j`, a reader independent of ours). Root; a namespace `hr-…`, always deleted."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.integration.conftest import ip
from toolkit.routing import planfile
from toolkit.routing.netlink import RouteChannel
from toolkit.routing.plan import Plan, PlannedRoute
from toolkit.routing.protos import DEFAULT

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
              pytest.mark.skipif(shutil.which("ip") is None, reason="iproute2 (ip) is not installed")]

GW, COUNT, RUNS = "10.77.0.1", 10_000, 20
EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143}


def kernel_count(ns: str) -> int:
    return len(json.loads(ip("-j", "-n", ns, "route", "show", "proto", str(DEFAULT))))


def start_apply(plan: str, ns: str, tmp_path) -> subprocess.Popen:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    env.pop("VPCEP_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "toolkit", "--json", "routes", "apply", plan, "--netns", ns],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def interrupt(child: subprocess.Popen, ns: str, rng: random.Random, signum: int) -> bool:
    """Signal the child at a random time after its start, or once the kernel holds some of the routes
    (mid-apply, then a second signal soon after); True when routes were seen in the kernel before the signal."""
    if rng.random() < 0.3:
        time.sleep(rng.uniform(0, 0.8))  # anywhere: start-up, plan load, the dump, the batches
        child.send_signal(signum)
        return False
    target, channel = rng.randrange(1, 1000), RouteChannel(ns)  # within the first batch: reading routes is slow
    try:
        while child.poll() is None and sum(r.proto == DEFAULT for r in channel.dump()) < target:
            pass
    finally:
        channel.close()
    child.send_signal(signum)
    time.sleep(rng.uniform(0, 0.03))
    if child.poll() is None:
        child.send_signal(signal.SIGINT)  # a second signal, during the batch or the rollback: it must not cut them
    return True


def test_twenty_interrupted_applies_leave_all_or_none_and_say_so(ns, tmp_path):
    dsts = [f"20.{i // 256}.{i % 256}.0/24" for i in range(COUNT)]
    plan = str(planfile.save(Plan(gateway=GW, proto=DEFAULT, routes=tuple(PlannedRoute(d, GW, "extra", "O5")
                                                                          for d in dsts)), tmp_path / "big.toml"))
    rng = random.Random(14)
    outcomes = []
    for run in range(RUNS):
        signum = (signal.SIGINT, signal.SIGTERM)[run % 2]
        child = start_apply(plan, ns, tmp_path)
        mid = interrupt(child, ns, rng, signum)
        out, err = child.communicate(timeout=60)
        have = kernel_count(ns)
        assert have in (0, COUNT), (run, have, err)
        if child.returncode == 0:  # the signal came after the run committed: all routes, and it says so
            assert have == COUNT and json.loads(out)["changed"] == COUNT
            outcomes.append("done")
        elif out.strip():  # interrupted with the handlers in place: rolled back, the counts printed
            error = json.loads(out)["error"]
            # both signals pending at once are run in number order (SIGINT before SIGTERM): either is first
            sent = {signum, signal.SIGINT} if mid else {signum}
            first = next(s for s in sent if s.name == error["signal"])
            assert child.returncode == EXIT[first], (run, err)
            assert have == error["left"] == 0 and error["rolled_back"] == error["added"]
            assert f"rolled back {error['added']}, left 0" in err and err.count("\n") == 1
            outcomes.append("rolled back" if error["added"] else "nothing sent")
        else:  # before the CLI set its handlers (the interpreter's start-up, imports): nothing was changed
            assert have == 0 and child.returncode != 0, (run, child.returncode, err)
            outcomes.append("before start")
        assert not mid or outcomes[-1] in ("done", "rolled back"), (run, outcomes[-1])
        if have:
            ip("-n", ns, "route", "flush", "proto", str(DEFAULT))
    print("outcomes:", {kind: outcomes.count(kind) for kind in set(outcomes)})
    assert outcomes.count("rolled back") >= 6, outcomes  # most runs stopped mid-apply, not before or after it
