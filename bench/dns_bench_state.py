"""Benchmark fixture for bench/dns_qps.sh: a state with N accepted endpoints with private names, and query files."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from toolkit import config
from toolkit.model.service import PortMapping
from toolkit.registry import Registry
from toolkit.registry.endpoints import EndpointRequest


def main(state: str, out_dir: str, count: int = 200, buckets: int = 1000) -> None:
    settings = config.load(state=state, env={"HOME": out_dir})
    reg = Registry.open(settings, create=True)
    reg.init("cn-north-4", "myhuaweicloud.com", "a" * 32)
    reg.set_quota("endpoint", count + 10)
    reg.create_vpc("vpc-p", "10.1.0.0/16")
    reg.create_vpc("vpc-c", "10.2.0.0/16")
    reg.create_subnet("sn-c", "vpc-c", "10.2.0.0/22")
    service, _ = reg.create_service(vpc="vpc-p", server_type="LB", port_id="lb-1",
                                    ports=[PortMapping(server_port=80, client_port=80)], name="web")
    names = [reg.create_endpoint(EndpointRequest(service=service.id, vpc="vpc-c", subnet="sn-c", enable_dns=True)).dns_names[0]
             for _ in range(count)]
    rng = random.Random(3)
    zone = names[0].split(".", 1)[1]
    auth = [f"{n} A" for n in names * 9] + [f"missing-{i}.{zone} A" for i in range(count)]  # 90 % hits, 10 % NXDOMAIN
    rng.shuffle(auth)
    Path(out_dir, "auth.txt").write_text("\n".join(auth) + "\n")
    fwd = [f"bucket-{i}.obs.cn-north-4.myhuaweicloud.com A" for i in range(buckets)]
    rng.shuffle(fwd)
    Path(out_dir, "fwd.txt").write_text("\n".join(fwd) + "\n")
    reg.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
