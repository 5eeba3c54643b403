#!/usr/bin/env python3
"""Benchmark (issue 12): `vpcep api serve` driven by the official SDK.

Requests/s, p50 and p99 for: show (list_endpoint_info_details), a list page of 100 (list_endpoints
limit=100), create+delete of an endpoint (two requests, timed as one), each with 1 and 8 concurrent SDK
clients (threads, one client each). Then 1,000 mixed requests from 8 clients, after which the state's
`PRAGMA integrity_check` must be ok and the endpoint count exact.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 500


def vpcep(state: Path, *argv: str, env: dict) -> str:
    done = subprocess.run([sys.executable, "-m", "toolkit", "--state", str(state), *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"vpcep {' '.join(argv)}: {done.stderr.strip()}")
    return done.stdout


def seed(state: Path, env: dict) -> None:
    sys.path.insert(0, str(ROOT))
    from toolkit import config
    from toolkit.registry import Registry
    from toolkit.registry.demo import bulk_endpoints
    reg = Registry.open(config.load(state=str(state), env=env))
    bulk_endpoints(reg, SEED, "dns", vpc="bench", cidr="10.100.0.0/16")
    reg.close()


def clients(url: str, key: dict, count: int) -> list:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkvpcep.v1 import VpcepClient
    return [VpcepClient.new_builder().with_credentials(BasicCredentials(key["ak"], key["sk"], key["project_id"]))
            .with_endpoints([url]).build() for _ in range(count)]


def run(workers: list, job, total: int) -> tuple[float, list[float]]:
    """`total` calls of job(client) spread over the clients' threads: (wall seconds, latencies)."""
    latencies, lock, left = [], threading.Lock(), [total]

    def worker(client) -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            start = time.perf_counter()
            job(client)
            with lock:
                latencies.append(time.perf_counter() - start)
    threads = [threading.Thread(target=worker, args=(c,)) for c in workers]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies


def main() -> None:
    from huaweicloudsdkvpcep.v1 import (CreateEndpointRequest, CreateEndpointRequestBody, DeleteEndpointRequest,
                                        ListEndpointInfoDetailsRequest, ListEndpointsRequest)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("VPCEP_", "HUAWEICLOUD_"))},
               "HOME": str(tmp)}
        os.environ["HOME"] = str(tmp)
        state = tmp / "state.db"
        vpcep(state, "demo", env=env)
        seed(state, env)
        key = json.loads(vpcep(state, "api", "key", "create", "--json", env=env))
        server = subprocess.Popen([sys.executable, "-m", "toolkit", "--state", str(state), "api", "serve",
                                   "--listen", "127.0.0.1:0"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            url = re.search(r"http://[\d.]+:\d+", server.stdout.readline()).group(0)
            pool = clients(url, key, 8)
            first = pool[0].list_endpoints(ListEndpointsRequest(limit=1)).endpoints[0]
            dns_id = first.endpoint_service_id
            vpc = json.loads(vpcep(state, "vpc", "show", "bench", "--json", env=env))
            subnet = json.loads(vpcep(state, "subnet", "list", "--vpc", "bench", "--json", env=env))["subnets"][0]

            def show(c):
                c.list_endpoint_info_details(ListEndpointInfoDetailsRequest(vpc_endpoint_id=first.id))

            def page(c):
                c.list_endpoints(ListEndpointsRequest(limit=100, offset=200))

            def create_delete(c):
                made = c.create_endpoint(CreateEndpointRequest(body=CreateEndpointRequestBody(
                    endpoint_service_id=dns_id, vpc_id=vpc["id"], subnet_id=subnet["id"], enable_dns=True)))
                c.delete_endpoint(DeleteEndpointRequest(vpc_endpoint_id=made.id))

            print(f"vpcep api serve at {url}, {SEED + 3} endpoints; official SDK clients in threads")
            print(f"{'operation':24} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
            for label, job, total, per in (("show", show, 400, 1), ("list page of 100", page, 200, 1),
                                           ("create+delete", create_delete, 200, 2)):
                for count in (1, 8):
                    wall, lat = run(pool[:count], job, total)
                    lat.sort()
                    print(f"{label:24} {count:7d} {total * per / wall:8.0f} {statistics.median(lat) * 1000:8.1f} "
                          f"{lat[int(len(lat) * 0.99) - 1] * 1000:8.1f}")
            before = pool[0].list_endpoints(ListEndpointsRequest(limit=1)).total_count
            jobs = [show, page, create_delete]
            counter = iter(range(10**9))
            wall, lat = run(pool, lambda c: jobs[next(counter) % 3](c), 1000)
            after = pool[0].list_endpoints(ListEndpointsRequest(limit=1)).total_count
            check = sqlite3.connect(state).execute("PRAGMA integrity_check").fetchone()[0]
            rows = sqlite3.connect(state).execute("SELECT count(*) FROM endpoints").fetchone()[0]
            print(f"1,000 mixed requests from 8 clients in {wall:.2f} s: integrity_check {check}, endpoints "
                  f"{before} before and {after} after (rows {rows}) — {'exact' if before == after else 'WRONG'}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
