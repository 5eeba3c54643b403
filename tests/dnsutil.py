"""DNS test helpers: our server in a thread on 127.0.0.1 port 0, a scriptable upstream, BIND on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset

from toolkit.dnsserver.background import Background
from toolkit.dnsserver.runtime import Options


def with_dns(settings, **changes):
    """Settings with [dns] keys replaced (the test's own listen address on port 0 by default)."""
    changes.setdefault("listen", ("127.0.0.1:0",))
    return replace(settings, dns=replace(settings.dns, **changes))


def with_obs(settings, **changes):
    return replace(settings, obs=replace(settings.obs, **changes))


class Running(Background):
    """Our server on its own loop in a thread (toolkit's Background), with dnspython helpers to ask it."""

    def __init__(self, settings, registry, options: Options | None = None, observer=None) -> None:
        super().__init__(settings, registry, options or Options(poll=0.01), observer)
        self.host, self.port = self.bound[0]

    def ask(self, name: str, rdtype="A", *, tcp=False, timeout=2.0, **make) -> dns.message.Message:
        query = dns.message.make_query(name, rdtype, **make)
        ask = dns.query.tcp if tcp else dns.query.udp
        return ask(query, self.host, timeout=timeout, port=self.port)

    def raw(self, packet: bytes, timeout: float = 1.0) -> bytes | None:
        """Send bytes over UDP; the reply's bytes, or None when the server stays silent."""
        return udp_raw(self.host, self.port, packet, timeout)

    def raw_tcp(self, packet: bytes, timeout: float = 2.0) -> bytes:
        with socket.create_connection((self.host, self.port), timeout=timeout) as sock:
            sock.sendall(struct.pack("!H", len(packet)) + packet)
            return read_frame(sock)


def vpcep_process(state, *argv, **kwargs) -> subprocess.Popen:
    """`python -m toolkit --state STATE ARGV...` as a child with pipes (no user config)."""
    env = {**os.environ, "XDG_CONFIG_HOME": "/nonexistent-vpcep-xdg"}
    return subprocess.Popen([sys.executable, "-m", "toolkit", "--state", str(state), *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def udp_raw(host: str, port: int, packet: bytes, timeout: float = 1.0) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(packet, (host, port))
        try:
            return sock.recvfrom(65535)[0]
        except TimeoutError:
            return None


def read_frame(sock: socket.socket) -> bytes:
    size = struct.unpack("!H", _exactly(sock, 2))[0]
    return _exactly(sock, size)


def _exactly(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def addresses(message: dns.message.Message) -> list[str]:
    return sorted(rd.address for rrset in message.answer if rrset.rdtype == dns.rdatatype.A for rd in rrset)


def udp_and_tcp_on_one_port(attempts: int = 50) -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket bound to the same free loopback port.

    The kernel picks a free UDP port; the same TCP port may be taken (by a parallel test's
    connection, say), so try again with another one rather than fail.
    """
    for _ in range(attempts):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", udp.getsockname()[1]))
            return udp, tcp
        except OSError:
            udp.close()
            tcp.close()
    raise OSError("no loopback port free for both UDP and TCP")


class Upstream:
    """A scriptable upstream on 127.0.0.1 (UDP and TCP): answers from `records`, or misbehaves per `mode`.

    modes: answer, drop (never replies), drop-first (ignores only the first query), servfail,
    truncate (TC over UDP, whole over TCP), spoof (a reply with a wrong ID first, then the right one).
    """

    def __init__(self, records: dict | None = None, mode: str = "answer") -> None:
        self.records = records or {}
        self.mode = mode
        self.udp_queries: list[dns.message.Message] = []
        self.tcp_queries = 0
        self.udp, self.tcp = udp_and_tcp_on_one_port()
        self.port = self.udp.getsockname()[1]
        self.tcp.listen(16)
        self.closed = False
        for target in (self._serve_udp, self._serve_tcp):
            threading.Thread(target=target, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def reply_for(self, query: dns.message.Message) -> dns.message.Message:
        question = query.question[0]
        reply = dns.message.make_response(query)
        found = self.records.get((question.name.to_text().lower(), dns.rdatatype.to_text(question.rdtype)))
        if found is None:
            reply.set_rcode(dns.rcode.NXDOMAIN)
            reply.authority.append(dns.rrset.from_text(
                "example.", 900, "IN", "SOA", "ns.example. host.example. 1 3600 600 86400 30"))
        else:
            ttl, values = found
            reply.answer.append(dns.rrset.from_text_list(question.name, ttl, "IN", question.rdtype, values))
        return reply

    def _serve_udp(self) -> None:
        while not self.closed:
            try:
                data, addr = self.udp.recvfrom(65535)
                query = dns.message.from_wire(data)
            except Exception:
                continue
            self.udp_queries.append(query)
            self._udp_reply(query, addr)

    def _udp_reply(self, query, addr) -> None:
        if self.mode == "drop" or (self.mode == "drop-first" and len(self.udp_queries) == 1):
            return
        reply = self.reply_for(query)
        if self.mode == "servfail":
            reply = dns.message.make_response(query)
            reply.set_rcode(dns.rcode.SERVFAIL)
        if self.mode == "truncate":
            reply = dns.message.make_response(query)
            reply.flags |= dns.flags.TC
        if self.mode == "spoof":
            wrong = self.reply_for(query)
            wrong.id = (query.id + 1) % 65536
            wrong.answer = [dns.rrset.from_text(query.question[0].name, 300, "IN", "A", "6.6.6.6")]
            self.udp.sendto(wrong.to_wire(), addr)
        self.udp.sendto(reply.to_wire(), addr)

    def _serve_tcp(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            with conn:
                try:
                    query = dns.message.from_wire(read_frame(conn))
                except Exception:
                    continue
                self.tcp_queries += 1
                wire = self.reply_for(query).to_wire()
                conn.sendall(struct.pack("!H", len(wire)) + wire)

    def close(self) -> None:
        self.closed = True
        self.udp.close()
        self.tcp.close()


def free_port() -> int:
    """A port free for UDP and TCP on 127.0.0.1 right now (for programs that need a number, like named)."""
    udp, tcp = udp_and_tcp_on_one_port()
    port = udp.getsockname()[1]
    udp.close()
    tcp.close()
    return port


class Bind:
    """`named -g` on 127.0.0.1 with a generated named.conf in a temp directory; killed by PID."""

    def __init__(self, directory: Path, body: str, options: str = "", port: int | None = None) -> None:
        self.named = shutil.which("named") or "/usr/sbin/named"
        self.dir = directory
        self.port = port or free_port()
        conf = directory / "named.conf"
        conf.write_text(f"""options {{
  directory "{directory}";
  pid-file "{directory}/named.pid";
  session-keyfile "{directory}/session.key";
  listen-on port {self.port} {{ 127.0.0.1; }};
  listen-on-v6 {{ none; }};
  dnssec-validation no;
  recursion yes;
  allow-query {{ 127.0.0.0/8; }};
  notify-source 127.0.0.1;
  transfer-source 127.0.0.1;
  {options}
}};
controls {{ }};
{body}
""")
        self.log = open(directory / "named.log", "w")
        self.proc = subprocess.Popen([self.named, "-g", "-c", str(conf), "-n", "1", "-u", _user()],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"named exited: {self.text()}")
            if "running" in self.text():
                return
            time.sleep(0.05)
        raise RuntimeError(f"named did not start: {self.text()}")

    def text(self) -> str:
        return (self.dir / "named.log").read_text()

    def ask(self, name: str, rdtype="A", timeout=3.0) -> dns.message.Message:
        return dns.query.udp(dns.message.make_query(name, rdtype), "127.0.0.1", timeout=timeout, port=self.port)

    def stop(self) -> None:
        stop_daemon(self.proc, self.log)


def _user() -> str:
    """named drops to this user; as root keep root so it can write the temp directory."""
    import getpass
    return getpass.getuser()


def stop_daemon(proc: subprocess.Popen, log) -> None:
    """Stop a DNS daemon we started, by its PID: SIGTERM, then SIGKILL after 10 s; close its log."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    log.close()
