#!/usr/bin/env python3
"""Benchmark (issue 13): time and request count of `vpcep cloud pull` of N endpoints from `vpcep api serve`.

Seeds state C with the demo and N more endpoints (default 10,000) through the registry, serves it with
`vpcep api serve` on a loopback port, then pulls into an empty state L, and again into the full L (the
no-change pull). Prints one line per pull: wall time, requests, and the counts the pull reported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def run(state: Path, *argv: str, env: dict) -> str:
    done = subprocess.run([sys.executable, "-m", "toolkit", "--state", str(state), *argv], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"vpcep {' '.join(argv)} failed: {done.stderr.strip()}")
    return done.stdout


def seed(state: Path, count: int, home: Path) -> None:
    from toolkit import config
    from toolkit.registry import Registry
    from toolkit.registry.demo import bulk_endpoints

    reg = Registry.open(config.load(state=str(state), env={"HOME": str(home)}))
    app = next(s for s in reg.list_services() if s.short_name == "app")
    bulk_endpoints(reg, count, app.id)
    reg.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("VPCEP_", "HUAWEICLOUD_"))},
               "HOME": str(tmp)}
        cloud, local = tmp / "cloud.db", tmp / "local.db"
        run(cloud, "demo", env=env)
        seed(cloud, args.endpoints, tmp)
        key = json.loads(run(cloud, "api", "key", "create", "--json", env=env))
        server = subprocess.Popen([sys.executable, "-m", "toolkit", "--state", str(cloud), "api", "serve",
                                   "--listen", "127.0.0.1:0"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            url = re.search(r"https?://[\d.]+:\d+", server.stdout.readline()).group(0)
            pull_env = {**env, "HUAWEICLOUD_SDK_AK": key["ak"], "HUAWEICLOUD_SDK_SK": key["sk"]}
            print(f"cloud pull of {args.endpoints:,} endpoints (+ the demo) from vpcep api serve at {url}")
            for label in ("into an empty state", "again, nothing changed"):
                start = time.perf_counter()
                out = json.loads(run(local, "cloud", "pull", "--endpoint", url, "--region", "cn-north-4",
                                     "--project-id", key["project_id"], "--json", env=pull_env))
                seconds = time.perf_counter() - start
                status = json.loads(run(local, "cloud", "status", "--json", env=env))
                print(f"  {label:24} {seconds:7.2f} s  {status['last_pull']['requests']:5d} requests  "
                      f"added {out['added']:,}  changed {out['changed']:,}  removed {out['removed']:,}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
