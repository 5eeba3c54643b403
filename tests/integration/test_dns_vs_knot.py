"""Our server and Knot load the same RFC 1035 zone file; 40 questions get the same answers from both.

Compared with dnspython: rcode, AA, the answer section (as RRsets, order aside) and, where it is meant
to be exact (referrals, negative answers), the authority section and the glue in the additional one.
Knot runs in the foreground with its own temp config and directories on a free loopback port.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import dns.flags
import dns.message
import dns.query
import dns.rdatatype
import pytest

from dnsutil import free_port, with_dns

ORIGIN = "example.test."
ZONE = r"""$TTL 300
@          IN SOA   ns1 hostmaster 2024010101 3600 600 86400 60
@          IN NS    ns1
@          IN MX    10 mail
ns1        IN A     192.0.2.1
ns1        IN AAAA  2001:db8::1
mail       IN A     192.0.2.25
www        IN A     192.0.2.80
www        IN TXT   "hello"
alias      IN CNAME www
chain1     IN CNAME chain2
chain2     IN CNAME chain3
chain3     IN CNAME www
loop1      IN CNAME loop2
loop2      IN CNAME loop1
dangling   IN CNAME nothere
outside    IN CNAME www.example.org.
child      IN NS    ns1.child
child      IN NS    ns2.child
child      IN DS    12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE5E2F5B3A5F3F1A6BC1A2B3C4
ns1.child  IN A     192.0.2.53
ns2.child  IN AAAA  2001:db8::53
other      IN NS    ns.elsewhere.net.
*.wc       IN A     192.0.2.99
*.wild     IN TXT   "wild"
*.cw       IN CNAME www
sub.deep   IN A     192.0.2.7
a\.b       IN A     192.0.2.46
dn         IN DNAME target.example.test.
host.target IN A    192.0.2.77
tocut      IN CNAME host.child
"""

CASES = [  # name, type, what beside the answer section is compared ("auth": authority, "glue": authority + additional)
    ("example.test.", "SOA", ""),
    ("example.test.", "NS", "glue"),               # the name servers' addresses in the additional section
    ("example.test.", "MX", "glue"),
    ("example.test.", "DS", "auth"),               # NODATA at the apex
    ("www.example.test.", "A", ""),
    ("WwW.ExAmPlE.tEsT.", "A", ""),                # letter case
    ("www.example.test.", "AAAA", "auth"),         # NODATA
    ("www.example.test.", "TXT", ""),
    ("www.example.test.", "TYPE65280", "auth"),    # a type nobody holds
    ("mail.example.test.", "A", ""),
    ("alias.example.test.", "A", ""),              # CNAME, chased
    ("alias.example.test.", "CNAME", ""),
    ("alias.example.test.", "AAAA", "auth"),       # CNAME then NODATA
    ("chain1.example.test.", "A", ""),             # a chain of three
    ("loop1.example.test.", "A", ""),              # a loop stops
    ("dangling.example.test.", "A", "auth"),       # CNAME to a name that does not exist: NXDOMAIN (RFC 6604)
    ("outside.example.test.", "A", ""),            # CNAME that leaves the zone
    ("child.example.test.", "NS", "glue"),         # referrals with glue
    ("child.example.test.", "A", "glue"),
    ("host.child.example.test.", "A", "glue"),
    ("a.b.c.child.example.test.", "TXT", "glue"),
    ("ns1.child.example.test.", "A", "glue"),      # glue is not our data
    ("child.example.test.", "DS", "auth"),         # DS at the cut: the parent's
    ("nothere.child.example.test.", "DS", "glue"),  # below the cut: a referral
    ("other.example.test.", "A", "glue"),          # out-of-zone servers: no glue
    ("x.wc.example.test.", "A", ""),               # wildcards
    ("x.y.wc.example.test.", "A", ""),
    ("x.wc.example.test.", "AAAA", "auth"),
    ("wc.example.test.", "A", "auth"),             # the wildcard's parent is an empty non-terminal
    ("q.wild.example.test.", "TXT", ""),
    ("q.cw.example.test.", "A", ""),               # a wildcard CNAME, chased
    ("deep.example.test.", "A", "auth"),           # empty non-terminal: NODATA
    ("x.deep.example.test.", "A", "auth"),         # NXDOMAIN below it
    ("sub.deep.example.test.", "A", ""),
    ("nothere.example.test.", "A", "auth"),        # NXDOMAIN
    (r"a\.b.example.test.", "A", ""),              # an escaped dot inside a label
    ("a.b.example.test.", "A", "auth"),            # not the same name
    ("host.dn.example.test.", "A", ""),            # DNAME: synthesized CNAME, then chased
    ("x.dn.example.test.", "A", "auth"),           # DNAME to a name that does not exist
    ("dn.example.test.", "DNAME", ""),
    ("dn.example.test.", "A", "auth"),             # the DNAME's owner itself is not redirected
    ("tocut.example.test.", "A", "glue"),          # CNAME into a delegation: the referral follows it
    ("host.target.example.test.", "A", ""),
    ("www.example.test.", "ANY", "subset"),        # Knot gives one RRset (RFC 8482 §4.1), we all
    ("x.wc.example.test.", "ANY", ""),
]


class Knot:
    """knotd in the foreground, its config, storage and run dirs under tmp; stopped by its PID."""

    def __init__(self, directory, zone_file) -> None:
        self.port = free_port()
        (directory / "run").mkdir()
        conf = directory / "knot.conf"
        conf.write_text(f"""server:
    listen: 127.0.0.1@{self.port}
    rundir: {directory}/run
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: {directory}
control:
    listen: {directory}/run/knot.sock
log:
  - target: stderr
    any: info
zone:
  - domain: {ORIGIN}
    file: {zone_file}
    storage: {directory}
    zonefile-sync: -1
    journal-content: none
""")
        self.log = open(directory / "knot.log", "w")
        self.proc = subprocess.Popen([shutil.which("knotd") or "/usr/sbin/knotd", "-c", str(conf)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.dir = directory
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"knotd exited: {(self.dir / 'knot.log').read_text()}")
            try:
                if ask("127.0.0.1", self.port, ORIGIN, "SOA", timeout=0.2).answer:
                    return
            except dns.exception.Timeout:
                pass
        raise RuntimeError(f"knotd did not start: {(self.dir / 'knot.log').read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def ask(host: str, port: int, name: str, rdtype: str, timeout: float = 2.0) -> dns.message.Message:
    """UDP, RD=0; ANY over TCP."""
    query = dns.message.make_query(name, rdtype, use_edns=0, payload=1232)
    query.flags &= ~dns.flags.RD
    send = dns.query.tcp if rdtype == "ANY" else dns.query.udp
    return send(query, host, port=port, timeout=timeout)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """(knot port, zones dir) for the module; our server is started per test on the same directory."""
    if not shutil.which("knotd") and not os.path.exists("/usr/sbin/knotd"):
        pytest.skip("knotd (Debian package knot) is not installed")
    directory = tmp_path_factory.mktemp("knot")
    zones = directory / "zones"
    zones.mkdir()
    zone_file = zones / f"{ORIGIN[:-1]}.zone"
    zone_file.write_text(ZONE)
    knot = Knot(directory, zone_file)
    yield knot.port, zones
    knot.stop()


@pytest.fixture
def ours(both, serve, settings):
    return serve(with_dns(settings, zones_dir=str(both[1])))


def _section(section) -> list:
    return sorted(rrset.to_text().lower() for rrset in section)


@pytest.mark.parametrize("name, rdtype, also", CASES, ids=[f"{n}{t}" for n, t, _ in CASES])
def test_same_answer_as_knot(both, ours, name, rdtype, also):
    theirs = ask("127.0.0.1", both[0], name, rdtype)
    mine = ask(ours.host, ours.port, name, rdtype)
    assert (mine.rcode(), bool(mine.flags & dns.flags.AA)) == (theirs.rcode(), bool(theirs.flags & dns.flags.AA))
    if also == "subset":
        assert set(_section(theirs.answer)) < set(_section(mine.answer))
        return
    assert _section(mine.answer) == _section(theirs.answer)
    if also:
        assert _section(mine.authority) == _section(theirs.authority)
    if also == "glue":
        assert _section(mine.additional) == _section(theirs.additional)


def test_knot_really_answers_what_we_compare(both):
    """The table is not vacuous: Knot refers, chases and synthesizes the way the cases expect."""
    port = both[0]
    referral = ask("127.0.0.1", port, "host.child.example.test.", "A")
    assert not referral.flags & dns.flags.AA and referral.answer == [] and referral.authority[0].rdtype == dns.rdatatype.NS
    assert {rrset.rdtype for rrset in referral.additional} == {dns.rdatatype.A, dns.rdatatype.AAAA}
    assert len(ask("127.0.0.1", port, "chain1.example.test.", "A").answer) == 4
    assert ask("127.0.0.1", port, r"a\.b.example.test.", "A").answer[0].to_text().endswith("192.0.2.46")
    assert ask("127.0.0.1", port, "host.dn.example.test.", "A").answer[-1].to_text().endswith("192.0.2.77")
