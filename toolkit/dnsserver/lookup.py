"""One DNS lookup for `vpcep dns query` (dnspython: the client side is another library than the server's)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from toolkit.errors import ConfigError, ToolkitError


class LookupError_(ToolkitError):
    """The server did not answer."""

    exit_code = 2


@dataclass
class Looked:
    """A reply as text, dig style."""

    text: str
    rcode_text: str
    flags_text: str
    answer_text: list[str]
    authority_text: list[str]


def lookup(name: str, rdtype: str, server: str, tcp: bool, timeout: float) -> tuple[Looked, float]:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype

    from toolkit.dnsserver.runtime import parse_listen

    host, port = parse_listen(server)
    try:
        query = dns.message.make_query(name, dns.rdatatype.from_text(rdtype.upper()), use_edns=0)
    except dns.exception.DNSException as exc:
        raise ConfigError(f"cannot ask for {name} {rdtype}: {exc}", fix="give a domain name and a type such as A") from None
    started = time.perf_counter()
    try:
        ask = dns.query.tcp if tcp else dns.query.udp
        reply = ask(query, host, timeout=timeout, port=port)
    except (dns.exception.Timeout, OSError) as exc:
        raise LookupError_(f"no answer from {server}: {exc or 'timed out'}", rule="dns",
                           fix="is `vpcep dns serve` running there?") from None
    elapsed = time.perf_counter() - started
    return Looked(reply.to_text(), dns.rcode.to_text(reply.rcode()), dns.flags.to_text(reply.flags),
                  [rrset.to_text() for rrset in reply.answer], [rrset.to_text() for rrset in reply.authority]), elapsed
