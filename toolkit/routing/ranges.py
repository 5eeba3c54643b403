"""Names the special IPv4 ranges explicitly (Python's `ipaddress` calls 100.64.0.0/10 and 198.18.0.0/15 wrongly)."""

from __future__ import annotations

from netaddr import IPNetwork

SPECIAL = (
    ("0.0.0.0/8", "RFC 1122 'this network'"),
    ("10.0.0.0/8", "RFC 1918 private"),
    ("100.64.0.0/10", "RFC 6598 shared address space (carrier-grade NAT, not RFC 1918, not public)"),
    ("127.0.0.0/8", "RFC 1122 loopback"),
    ("169.254.0.0/16", "RFC 3927 link-local"),
    ("172.16.0.0/12", "RFC 1918 private"),
    ("192.0.2.0/24", "RFC 5737 documentation (TEST-NET-1)"),
    ("192.168.0.0/16", "RFC 1918 private"),
    ("198.18.0.0/15", "RFC 2544 benchmarking (not RFC 1918, not public)"),
    ("198.51.100.0/24", "RFC 5737 documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "RFC 5737 documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "RFC 5771 multicast"),
    ("240.0.0.0/4", "RFC 1112 reserved"),
)
"""(block, what it is), most specific first within each block."""


def classify(cidr: str) -> tuple[str, str]:
    """(the special block that holds `cidr`, its name); ("", "public") when none does."""
    net = IPNetwork(cidr)
    for block, name in SPECIAL:
        if net in IPNetwork(block):
            return block, name
    return "", "public"


def explain(cidr: str) -> str:
    """One sentence: where `cidr` lies."""
    block, name = classify(cidr)
    if not block:
        return f"{cidr} is public address space"
    return f"{cidr} lies in {block}, {name}"
