#!/usr/bin/env python3
"""Benchmark (issue 12): `vpcep api serve` driven by the official SDK.

Prints requests/s and p50/p99 for show, a list page of 100 and create+delete, with 1 and 8 concurrent SDK
clients; then 1,000 mixed requests, after which PRAGMA integrity_check must be ok and the counts exact.
(create+delete*: one row per pair, i.e. two requests.) Usage: python3 bench/api.py [--seconds N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="api-bench-"))
    os.environ["HOME"] = str(tmp)
    state = tmp / "state.db"
    env = {**os.environ, "VPCEP_STATE": str(state), "XDG_CONFIG_HOME": str(tmp / "c"), "PYTHONPATH": str(ROOT)}
    run = lambda *a: subprocess.run([sys.executable, "-m", "toolkit", *a], env=env, check=True,  # noqa: E731
                                    capture_output=True, text=True, cwd=ROOT).stdout
    run("demo")
    run("quota", "--set", "endpoint=2000")
    run("vpc", "create", "vpc-bench", "--cidr", "10.50.0.0/16")
    run("subnet", "create", "subnet-bench", "--vpc", "vpc-bench", "--cidr", "10.50.0.0/20")
    from toolkit import config
    from toolkit.registry import Registry
    from toolkit.registry.endpoints import EndpointRequest
    reg = Registry.open(config.load(state=str(state)))
    dns = next(s for s in reg.list_services() if s.builtin and s.short_name == "dns")
    vpc = reg.get_vpc("vpc-bench")
    subnet = next(s for s in reg.list_subnets() if s.vpc_id == vpc.id)
    with reg.batch("bench"):
        for _ in range(150):
            reg.create_endpoint(EndpointRequest(service=dns.id, vpc=vpc.id, subnet=subnet.id))
    reg.close()
    key = json.loads(run("--json", "api", "key", "create"))
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "api", "serve", "--listen", "127.0.0.1:0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    url = re.search(r"(https?://\S+)", proc.stdout.readline()).group(1)
    try:
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkvpcep.v1 import VpcepClient
        from huaweicloudsdkvpcep.v1 import model as m

        def client():
            creds = BasicCredentials(key["ak"], key["sk"], key["project_id"])
            return VpcepClient.new_builder().with_credentials(creds).with_endpoints([url]).build()

        some = client().list_endpoints(m.ListEndpointsRequest(limit=1)).endpoints[0].id

        def show(c):
            c.list_endpoint_info_details(m.ListEndpointInfoDetailsRequest(vpc_endpoint_id=some))

        def page(c):
            assert len(c.list_endpoints(m.ListEndpointsRequest(limit=100)).endpoints) == 100

        def create_delete(c):
            ep = c.create_endpoint(m.CreateEndpointRequest(body=m.CreateEndpointRequestBody(
                endpoint_service_id=dns.id, vpc_id=vpc.id, subnet_id=subnet.id)))
            c.delete_endpoint(m.DeleteEndpointRequest(vpc_endpoint_id=ep.id))

        print(f"{'operation':<16}{'clients':>8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
        for name, op in (("show", show), ("list page 100", page), ("create+delete*", create_delete)):
            for workers in (1, 8):
                times, stop = [], time.perf_counter() + args.seconds
                lock = threading.Lock()

                def worker():
                    c = client()
                    while time.perf_counter() < stop:
                        t = time.perf_counter()
                        op(c)
                        with lock:
                            times.append(time.perf_counter() - t)

                start = time.perf_counter()
                threads = [threading.Thread(target=worker) for _ in range(workers)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                wall = time.perf_counter() - start
                times.sort()
                p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
                print(f"{name:<16}{workers:>8}{len(times) / wall:>10.0f}{statistics.median(times) * 1000:>10.1f}"
                      f"{p99 * 1000:>10.1f}")
        # 1,000 mixed requests from 8 clients: 1/4 creates (kept), the rest reads
        before = client().list_endpoints(m.ListEndpointsRequest(limit=1)).total_count
        created, lock = [], threading.Lock()

        def mixed(n):
            c = client()
            for i in range(n):
                if i % 4 == 0:
                    ep = c.create_endpoint(m.CreateEndpointRequest(body=m.CreateEndpointRequestBody(
                        endpoint_service_id=dns.id, vpc_id=vpc.id, subnet_id=subnet.id)))
                    with lock:
                        created.append(ep.id)
                elif i % 4 == 1:
                    page(c)
                else:
                    show(c)

        threads = [threading.Thread(target=mixed, args=(125,)) for _ in range(8)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        after = client().list_endpoints(m.ListEndpointsRequest(limit=1)).total_count
    finally:
        proc.terminate()
        code = proc.wait(timeout=30)
    conn = sqlite3.connect(state)
    check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    rows = conn.execute("SELECT count(*) FROM endpoints WHERE domain_id = ?", (key["domain_id"],)).fetchone()[0]
    exact = after == before + len(created) == rows and len(set(created)) == 8 * len(range(0, 125, 4))
    print(f"1000 mixed requests (8 clients): {1000 / wall:.0f} req/s; integrity_check {check}; endpoints "
          f"{before} + {len(created)} created = {after} (API) = {rows} (rows): {'exact' if exact else 'WRONG'}; "
          f"server exit {code}")
    return 0 if check == "ok" and exact and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
