"""The DNS protocol's numbers as IntEnums: rcodes, opcodes, types, classes and header flags (RFC 1035, 6895)."""

from __future__ import annotations

from enum import IntEnum, IntFlag


class Rcode(IntEnum):
    """Response codes; BADVERS and up travel partly in the OPT record (RFC 6891)."""

    NOERROR = 0
    FORMERR = 1
    SERVFAIL = 2
    NXDOMAIN = 3
    NOTIMP = 4
    REFUSED = 5
    YXDOMAIN = 6
    NOTAUTH = 9
    BADVERS = 16

    @classmethod
    def text(cls, value: int) -> str:
        """The mnemonic, or the number for a code without one."""
        try:
            return cls(value).name
        except ValueError:
            return str(value)


class Opcode(IntEnum):
    QUERY = 0
    NOTIFY = 4
    UPDATE = 5


class Qtype(IntEnum):
    """The record and meta types the server looks at itself (dnslib names the rest)."""

    A = 1
    NS = 2
    CNAME = 5
    SOA = 6
    DNAME = 39
    DS = 43
    AAAA = 28
    OPT = 41
    TKEY = 249
    TSIG = 250
    IXFR = 251
    AXFR = 252
    ANY = 255


class Qclass(IntEnum):
    IN = 1
    ANY = 255


class Flag(IntFlag):
    """Header flag bits."""

    QR = 0x8000
    AA = 0x0400
    TC = 0x0200
    RD = 0x0100
    RA = 0x0080
    CD = 0x0010


OPCODE_MASK = 0x7800
DO_BIT = 0x8000
"""The DNSSEC OK bit in the OPT record's flags."""
