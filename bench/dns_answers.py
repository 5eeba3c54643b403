"""The chain's slow path (no packet cache) per kind of answer, on the Knot comparison zone: µs per query.

    python3 bench/dns_answers.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import dns.edns
import dns.message

for _sub in ("tests", "tests/integration"):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / _sub))

from test_dns_vs_knot import ORIGIN, ZONE  # noqa: E402
from toolkit.dnsserver.answers import AuthTable  # noqa: E402
from toolkit.dnsserver.chain import Acl, Chain, Snapshot  # noqa: E402
from toolkit.dnsserver.forward import Forwarder, Policy, Routes  # noqa: E402
from toolkit.dnsserver.xfr import Transfers  # noqa: E402
from toolkit.dnsserver.zones import load_file  # noqa: E402

KINDS = [("exact", "www.example.test.", "A"), ("nodata", "www.example.test.", "AAAA"),
         ("nxdomain", "n{i}.example.test.", "A"), ("wildcard", "h{i}.wc.example.test.", "A"),
         ("referral", "h{i}.child.example.test.", "A"), ("cname chain", "chain1.example.test.", "A"),
         ("dname", "host.dn.example.test.", "A"), ("cookie", "www.example.test.", "A")]


class _Live:
    def __init__(self, zones):
        self.snapshot, self.obs_apex = Snapshot(zones, AuthTable(zones), None), None


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "example.test.zone"
        path.write_text(ZONE)
        zones = [load_file(path, ORIGIN)]
    chain = Chain(_Live(zones), Acl(["127.0.0.0/8"], ["127.0.0.0/8"]), Routes([], {}), None,
                  Forwarder(Policy()), Transfers([], {}), clock=lambda: 1.0)
    print(f"{'answer':<12} {'µs/query':>9}  ({count} queries, slow path, one core)")
    for kind, name, rdtype in KINDS:
        options = [dns.edns.GenericOption(10, b"12345678")] if kind == "cookie" else []
        packets = [dns.message.make_query(name.format(i=i % 1000), rdtype, use_edns=0, options=options).to_wire()
                   for i in range(count)]
        started = time.perf_counter()
        for packet in packets:
            chain.handle(packet, "127.0.0.1", False)
        print(f"{kind:<12} {(time.perf_counter() - started) / count * 1e6:>9.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
