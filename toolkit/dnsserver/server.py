"""Serves the chain over UDP and TCP with asyncio: a packet cache in front, the chain behind it."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import struct
from time import perf_counter as clock

from toolkit.dnsserver import mmsg, wire
from toolkit.dnsserver.tally import bump, stat_key
from toolkit.dnsserver.chain import Outcome
from toolkit.dnsserver.codes import Rcode
from toolkit.errors import ConfigError, PortInUse

log = logging.getLogger("vpcep.dns")
BATCH = 64
LENGTH = struct.Struct("!H")


class Limits:
    """Resource bounds: packet-cache entries, TCP connections, TCP idle seconds, forwarding tasks in flight.

    `inflight` is one cap for UDP and TCP together; `tcp_message` is how long one TCP message may take
    to arrive once its first byte did (more bytes do not restart it: no slowloris); `tcp_pipeline` is
    how many forwarded questions one TCP connection may have waiting before the server stops reading it.
    """

    def __init__(self, packet_cache: int = 50_000, tcp_max: int = 1024, tcp_idle: float = 10.0,
                 inflight: int = 10_000, tcp_message: float = 2.0, tcp_pipeline: int = 1_000) -> None:
        self.packet_cache, self.tcp_max, self.tcp_idle, self.inflight = packet_cache, tcp_max, tcp_idle, inflight
        self.tcp_message, self.tcp_pipeline = tcp_message, tcp_pipeline


class DnsServer:
    """UDP sockets read in batches (no per-datagram protocol object); a TCP server with RFC 7766 framing."""

    def __init__(self, chain, limits: Limits | None = None, batched: bool = True) -> None:
        self.chain = chain
        self.batched = batched and mmsg.available()
        self.limits = limits or Limits()
        self.caches: list[dict] = [{}, {}, {}]  # by ACL level: replies differ in RA
        self.udp: list[socket.socket] = []
        self.tcp: list[asyncio.AbstractServer] = []
        self.connections: set = set()
        self.tasks: set = set()
        self.waiting: list = []  # TCP connections that stopped reading until the in-flight cap has room
        self.stats = {"udp": 0, "tcp": 0, "errors": 0, "tcp_refused": 0, "tcp_evicted": 0, "tcp_deadline": 0,
                      "dropped": 0, "unanswered": 0, "tcp_accepted": 0}
        self.answered: dict[str, dict[int, int]] = {"udp": {}, "tcp": {}}  # by stat_key, packet-cache hits aside
        self.hits: dict[int, int] = {}  # UDP replies from the packet cache, by stat_key (the key rides in the entry)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.watch = None  # watch(client_ip, query, reply, seconds, transport, via) per reply: see add_watcher
        self._observer = None
        self.levels: dict[bytes, int] = {}  # ACL level by raw sender address (batched path)

    def add_watcher(self, watcher) -> None:
        """Call `watcher(client_ip, query, reply, seconds, transport, via)` for every reply sent.

        `seconds` runs from taking the query off the socket to handing the reply back (clocked only
        while a watcher is set); `via` is the forwarder that answered ("IP:PORT"), None otherwise.
        """
        before = self.watch
        self.watch = watcher if before is None else lambda *reply: (before(*reply), watcher(*reply))

    @property
    def observer(self):
        """observer(client_ip, query, reply, seconds): the TUI's live query log (see background.py)."""
        return self._observer

    @observer.setter
    def observer(self, observer) -> None:
        self._observer = observer
        if observer is not None:
            self.add_watcher(lambda ip, query, reply, seconds, transport, via: observer(ip, query, reply, seconds))

    def flush(self) -> None:
        """Forget every cached reply (the snapshot changed)."""
        for cache in self.caches:
            cache.clear()

    async def start(self, listen: list[tuple[str, int]], reuse_port: bool = False) -> list[tuple[str, int]]:
        """Bind UDP and TCP on each address (port 0: one free port for both); PortInUse names the holder."""
        self.loop = asyncio.get_running_loop()
        bound = []
        for host, port in listen:
            udp, tcp = _bind_pair(host, port, reuse_port)
            self.udp.append(udp)
            if self.batched:
                self.loop.add_reader(udp.fileno(), self._on_udp_batch, udp, mmsg.Slots(udp))
            else:
                self.loop.add_reader(udp.fileno(), self._on_udp, udp)
            self.tcp.append(await self.loop.create_server(lambda: _TcpConnection(self), sock=tcp))
            bound.append(udp.getsockname()[:2])
        return bound

    async def close(self) -> None:
        for sock in self.udp:
            self.loop.remove_reader(sock.fileno())
            sock.close()
        for server in self.tcp:
            server.close()
        for conn in list(self.connections):
            conn.transport.abort()
        for task in list(self.tasks):
            task.cancel()
        for server in self.tcp:
            await server.wait_closed()

    def _on_udp(self, sock: socket.socket) -> None:
        """The hot path: a cached reply for the same bytes (ID aside) goes straight back."""
        classify, caches, now, observe, hits = self.chain.acl.classify, self.caches, self.loop.time(), self.watch, self.hits
        start = clock() if observe is not None else 0.0  # timed only for a watcher
        for _ in range(BATCH):
            try:
                data, addr = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            level = classify(addr[0])
            hit = caches[level].get(data[2:]) if level else None
            if hit is not None and hit[1] > now:
                _send(sock, data[:2] + hit[0], addr)
                hits[hit[2]] += 1
                if observe is not None:
                    observe(addr[0], data, data[:2] + hit[0], clock() - start, "udp", None)
                continue
            self._udp_slow(sock, data, addr, level, now, start)

    def _on_udp_batch(self, sock: socket.socket, slots) -> None:
        """The hot path with recvmmsg/sendmmsg: cached replies for a whole batch leave in one system call."""
        caches, now, observe, levels, hits = self.caches, self.loop.time(), self.watch, self.levels, self.hits
        data_view = slots.data
        while True:
            count, sent = slots.receive(), 0
            start = clock() if observe is not None else 0.0  # timed only for a watcher
            for i in range(count):
                size, at = slots.length(i), i * mmsg.SIZE
                if size < 12:
                    self.stats["unanswered"] += 1
                    continue  # too short to answer, or truncated on receipt
                level = levels.get(slots.peer_key(i))
                if level is None:
                    level = self._level(slots, i)
                hit = caches[level].get(bytes(data_view[at + 2:at + size])) if level else None
                if hit is not None and hit[1] > now and slots.queue(sent, i, data_view[at:at + 2], hit[0]):
                    sent += 1
                    hits[hit[2]] += 1
                    if observe is not None:
                        observe(slots.peer(i)[0], bytes(data_view[at:at + size]), bytes(data_view[at:at + 2]) + hit[0],
                                clock() - start, "udp", None)
                    continue
                self._udp_slow(sock, bytes(data_view[at:at + size]), slots.peer(i), level, now, start)
            slots.send(sent)
            if count < mmsg.COUNT:
                return

    def _level(self, slots, i: int) -> int:
        if len(self.levels) > 10_000:
            self.levels.clear()
        level = self.levels[slots.peer_key(i)] = self.chain.acl.classify(slots.peer(i)[0])
        return level

    def _udp_slow(self, sock, data: bytes, addr, level: int, now: float, start: float) -> None:
        self.stats["udp"] += 1
        outcome = self._handle(data, addr[0], False)
        if isinstance(outcome, Outcome):
            self._udp_reply(sock, data, addr, level, outcome, now, start)
        elif self.has_room():
            self._spawn(self._udp_later(sock, data, addr, level, outcome, start))
        else:
            self.stats["dropped"] += 1
            outcome.close()  # too many questions waiting on forwarders: drop, the client retries

    async def _udp_later(self, sock, data: bytes, addr, level: int, pending, start: float) -> None:
        outcome = await self._await(pending, data, addr[0])
        self._udp_reply(sock, data, addr, level, outcome, self.loop.time(), start)

    def _udp_reply(self, sock, data: bytes, addr, level: int, outcome: Outcome, now: float, start: float) -> None:
        reply = outcome.reply
        if reply is None:
            self.stats["unanswered"] += 1
            return
        _send(sock, reply, addr)
        key = stat_key(data, reply)
        bump(self.answered["udp"], key)
        if self.watch is not None:
            self.watch(addr[0], data, reply, clock() - start, "udp", outcome.via)
        if outcome.until > now and level:
            cache = self.caches[level]
            if len(cache) >= self.limits.packet_cache:
                cache.clear()
            self.hits.setdefault(key, 0)
            cache[data[2:]] = (reply[2:], outcome.until, key)

    def _handle(self, data: bytes, ip: str, tcp: bool):
        try:
            return self.chain.handle(data, ip, tcp)
        except Exception:  # a bug must cost one reply, never the server
            log.exception("unexpected error answering %d bytes from %s", len(data), ip)
            self.stats["errors"] += 1
            return Outcome(_servfail(data))

    async def _await(self, pending, data: bytes, ip: str) -> Outcome:
        try:
            return await pending
        except Exception:
            log.exception("unexpected error forwarding for %s", ip)
            self.stats["errors"] += 1
            return Outcome(_servfail(data))

    def has_room(self) -> bool:
        """Whether one more forwarded question fits the in-flight cap (shared by UDP and TCP)."""
        return len(self.tasks) < self.limits.inflight

    def _spawn(self, coroutine) -> asyncio.Task:
        task = self.loop.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if self.waiting and self.has_room():
            waiting, self.waiting = self.waiting, []
            for i, conn in enumerate(waiting):
                if not self.has_room():
                    self.waiting.extend(waiting[i:])
                    break
                conn.resume()  # stalls (and queues itself) again if still over a cap

    def make_room(self) -> bool:
        """At the connection limit: close the connection quiet for longest (none waiting on a reply)."""
        idle = [conn for conn in self.connections if not conn.busy]
        if not idle:
            return False
        victim = min(idle, key=lambda conn: conn.since)
        self.connections.discard(victim)
        victim.transport.abort()
        self.stats["tcp_evicted"] += 1
        return True


def _send(sock: socket.socket, reply: bytes, addr) -> None:
    try:
        sock.sendto(reply, addr)
    except OSError:  # full send buffer or unreachable client: UDP may drop, the client retries
        pass


def _servfail(data: bytes) -> bytes | None:
    try:
        return wire.error_reply(wire.parse(data), Rcode.SERVFAIL)
    except (wire.Drop, wire.BadQuery):
        return None


class _TcpConnection(asyncio.Protocol):
    """One client: length-framed queries, answered as they complete.

    Closed when idle, when one message takes longer than `tcp_message` to arrive, or to make room for a
    new client at the limit; it stops reading while its replies are not read or forwarding is at the cap.
    """

    def __init__(self, server: DnsServer) -> None:
        self.server = server
        self.buffer = b""
        self.transport = None
        self.timer = None
        self.deadline = None  # the current message's deadline, from its first byte
        self.busy = 0
        self.since = 0.0  # when it last finished a message (or connected): the eviction order
        self.stalled = set()  # why reading is paused: "write" (client not reading), "room" (in-flight cap)

    def connection_made(self, transport) -> None:
        self.transport = transport
        server = self.server
        if len(server.connections) >= server.limits.tcp_max and not server.make_room():
            server.stats["tcp_refused"] += 1
            transport.abort()
            return
        server.connections.add(self)
        server.stats["tcp_accepted"] += 1
        self.ip = transport.get_extra_info("peername")[0]
        self.since = server.loop.time()
        self._arm()

    def connection_lost(self, exc) -> None:
        self.server.connections.discard(self)
        for timer in (self.timer, self.deadline):
            if timer is not None:
                timer.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._arm()
        self._drain()

    def _drain(self) -> None:
        buffer, at, limits = self.buffer, 0, self.server.limits
        while len(buffer) - at >= 2:
            if self.busy >= limits.tcp_pipeline or not self.server.has_room():
                self._stall("room")
                break
            size = LENGTH.unpack_from(buffer, at)[0]
            if len(buffer) - at < 2 + size:
                break
            self._answer(buffer[at + 2:at + 2 + size])
            at += 2 + size
            self.since = self.server.loop.time()
        self.buffer = buffer[at:]
        self._message_deadline()

    def _message_deadline(self) -> None:
        """A partial message starts the clock once; a complete one stops it."""
        if not self.buffer or "room" in self.stalled:
            if self.deadline is not None:
                self.deadline.cancel()
                self.deadline = None
        elif self.deadline is None:
            self.deadline = self.server.loop.call_later(self.server.limits.tcp_message, self._too_slow)

    def _too_slow(self) -> None:
        self.server.stats["tcp_deadline"] += 1
        self.transport.abort()

    def _stall(self, why: str) -> None:
        if not self.stalled:
            self.transport.pause_reading()
        if why == "room" and why not in self.stalled:
            self.server.waiting.append(self)
        self.stalled.add(why)

    def _unstall(self, why: str) -> None:
        self.stalled.discard(why)
        if not self.stalled and not self.transport.is_closing():
            self.transport.resume_reading()

    def resume(self) -> None:
        """Room again under the caps: answer what is buffered, then read on."""
        if self.transport.is_closing():
            return
        self.stalled.discard("room")
        self._drain()
        if "room" not in self.stalled:
            self._unstall("room")

    def pause_writing(self) -> None:
        self._stall("write")  # a client that sends but never reads gets no more answers queued

    def resume_writing(self) -> None:
        self._unstall("write")

    def _answer(self, message: bytes) -> None:
        self.server.stats["tcp"] += 1
        start = clock() if self.server.watch is not None else 0.0  # timed only for a watcher
        outcome = self.server._handle(message, self.ip, True)
        if isinstance(outcome, Outcome):
            self._write(outcome, message, start)
        else:
            self.busy += 1
            self.server._spawn(self._later(message, outcome, start))

    async def _later(self, message: bytes, pending, start: float) -> None:
        try:
            self._write(await self.server._await(pending, message, self.ip), message, start)
        finally:
            self.busy -= 1
            self._arm()

    def _write(self, outcome: Outcome, message: bytes, start: float) -> None:
        replies = outcome.reply if isinstance(outcome.reply, list) else [outcome.reply]
        server = self.server
        if replies[0] is None or self.transport.is_closing():
            server.stats["unanswered"] += 1
            return
        bump(server.answered["tcp"], stat_key(message, replies[0]))  # a transfer of many messages counts once
        for reply in replies:
            if reply is not None and not self.transport.is_closing():
                self.transport.write(LENGTH.pack(len(reply)) + reply)
                if server.watch is not None:
                    server.watch(self.ip, message, reply, clock() - start, "tcp", outcome.via)

    def _arm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = self.server.loop.call_later(self.server.limits.tcp_idle, self._idle)

    def _idle(self) -> None:
        if self.busy:
            self._arm()
        else:
            self.transport.close()  # RFC 7766 §6.2.3: the server closes idle connections


def _bind_pair(host: str, port: int, reuse_port: bool) -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket on the same address; with port 0 a port free for both."""
    for _ in range(10 if port == 0 else 1):
        udp = _socket(host, port, socket.SOCK_DGRAM, reuse_port)
        chosen = udp.getsockname()[1]
        try:
            return udp, _socket(host, chosen, socket.SOCK_STREAM, reuse_port)
        except PortInUse:
            udp.close()
            if port != 0:
                raise
    raise PortInUse(f"no port free for both UDP and TCP on {host}")


def _socket(host: str, port: int, kind: int, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, kind)
    try:
        if kind == socket.SOCK_STREAM:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        if kind == socket.SOCK_STREAM:
            sock.listen(1024)
        sock.setblocking(False)
        return sock
    except OSError as exc:
        sock.close()
        raise _bind_error(exc, host, port, kind) from None


def _bind_error(exc: OSError, host: str, port: int, kind: int) -> Exception:
    proto = "udp" if kind == socket.SOCK_DGRAM else "tcp"
    if exc.errno == errno.EADDRINUSE:
        from toolkit.dnsserver.holder import port_holder

        holder = port_holder(port, proto)
        by = f" by {holder}" if holder else ""
        return PortInUse(f"{proto} port {host}:{port} is in use{by}", rule="dns",
                         fix="stop that server or give another --listen ADDR:PORT")
    if exc.errno == errno.EACCES:
        return ConfigError(f"no privilege to listen on {host}:{port}", rule="dns",
                           fix="run as root, grant CAP_NET_BIND_SERVICE, or use a port above 1023")
    return ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}", rule="dns", fix="check --listen")
