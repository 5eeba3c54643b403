"""One DNS lookup for `vpcep dns query`, printed dig style (dnspython: another library than the server's)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from toolkit.errors import ConfigError, ToolkitError


class NoAnswer(ToolkitError):
    """The server did not answer."""

    exit_code = 2


@dataclass
class Looked:
    """A reply as dig would show it, and its parts for --json."""

    text: str
    rcode_text: str
    flags_text: str
    answer_text: list[str]
    authority_text: list[str]


def lookup(name: str, rdtype: str, server: str, tcp: bool, timeout: float) -> tuple[Looked, float]:
    """Ask `server` (ADDR:PORT) once over UDP or TCP; NoAnswer (exit 2) when nothing comes back in time."""
    import dns.exception
    import dns.message
    import dns.query
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
        raise NoAnswer(f"no answer from {server}: {exc or 'timed out'}", rule="dns",
                       fix="is `vpcep dns serve` running there?") from None
    return _looked(reply), time.perf_counter() - started


def _looked(reply) -> Looked:
    import dns.flags
    import dns.opcode
    import dns.rcode

    rcode, flags = dns.rcode.to_text(reply.rcode()), dns.flags.to_text(reply.flags).lower()
    lines = [f";; ->>HEADER<<- opcode: {dns.opcode.to_text(reply.opcode())}, status: {rcode}, id: {reply.id}",
             f";; flags: {flags}; QUERY: {len(reply.question)}, ANSWER: {_count(reply.answer)}, "
             f"AUTHORITY: {_count(reply.authority)}, ADDITIONAL: {_count(reply.additional) + (reply.edns >= 0)}"]
    if reply.edns >= 0:
        lines += ["", ";; OPT PSEUDOSECTION:", f"; EDNS: version: {reply.edns}, udp: {reply.payload}"]
    for title, section in (("QUESTION", reply.question), ("ANSWER", reply.answer), ("AUTHORITY", reply.authority)):
        if section:
            lines += ["", f";; {title} SECTION:"] + [(";" if title == "QUESTION" else "") + r.to_text() for r in section]
    answers = [rrset.to_text() for rrset in reply.answer]
    return Looked("\n".join(lines), rcode, flags, answers, [rrset.to_text() for rrset in reply.authority])


def _count(section) -> int:
    return sum(len(rrset) for rrset in section)
