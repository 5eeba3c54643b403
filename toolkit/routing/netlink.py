"""A batched rtnetlink route channel: pyroute2 enters the namespace, struct packs the messages."""

from __future__ import annotations

import errno
import os
import socket
import struct
from dataclasses import dataclass

from toolkit.netns import run_in

from pyroute2.netlink import (NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST,
                              NLMSG_DONE, NLMSG_ERROR)
from pyroute2.netlink.rtnl import RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE

# Why not pyroute2's request path: it parses every reply through its marshal (about 150 µs a route),
# and a plan of 10,000 routes must land in a few tenths of a second. So route messages are packed
# here, sent many to one sendmsg, and only errors come back: the last message of each chunk asks
# for an ACK, which proves every earlier one was processed (the kernel handles them in order).
_HDR = struct.Struct("=IHHII")        # nlmsghdr: len, type, flags, seq, pid
_RTMSG = struct.Struct("=BBBBBBBBI")  # family, dst_len, src_len, tos, table, protocol, scope, type, flags
_ATTR = struct.Struct("=HH")
_ERR = struct.Struct("=i")
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_TABLE = 1, 4, 5, 6, 15
RT_TABLE_MAIN, RT_SCOPE_UNIVERSE, RT_SCOPE_NOWHERE, RTN_UNICAST = 254, 0, 255, 1
SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK = 270, 10, 11, 12
SO_RCVBUFFORCE = 33
RCVBUF = 8 << 20
CHUNK = 2000
"""Most messages per sendmsg (about 90 KB, below the default send buffer); fewer when the receive
buffer could not hold an error for every one of them (each error costs the kernel about 1 KB)."""
ERROR_COST = 2048

FLAGS = {"add": NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL,
         "replace": NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE,
         "delete": NLM_F_REQUEST}


@dataclass(frozen=True, slots=True)
class RawRoute:
    """One IPv4 route as the kernel reports it (main table)."""

    dst: str
    via: str
    proto: int
    oif: int = 0
    metric: int = 0
    scope: int = 0
    type: int = RTN_UNICAST


def encode(op: str, dst: str, via: str, proto: int, seq: int, ack: bool = False) -> bytes:
    """One RTM_NEWROUTE / RTM_DELROUTE message for `dst` (a CIDR) via `via`, owned by `proto`."""
    address, _, length = dst.partition("/")
    attrs = _attr(RTA_DST, socket.inet_aton(address))
    if via:
        attrs += _attr(RTA_GATEWAY, socket.inet_aton(via))
    kind, scope = (RTM_DELROUTE, RT_SCOPE_NOWHERE) if op == "delete" else (RTM_NEWROUTE, RT_SCOPE_UNIVERSE)
    body = _RTMSG.pack(socket.AF_INET, int(length or 32), 0, 0, RT_TABLE_MAIN, proto, scope, RTN_UNICAST, 0) + attrs
    flags = FLAGS[op] | (NLM_F_ACK if ack else 0)
    return _HDR.pack(_HDR.size + len(body), kind, flags, seq, 0) + body


def _attr(kind: int, data: bytes) -> bytes:
    return _ATTR.pack(_ATTR.size + len(data), kind) + data


def messages(buffer: bytes):
    """(type, seq, payload) for every netlink message in one received buffer."""
    offset, end = 0, len(buffer)
    while offset + _HDR.size <= end:
        length, kind, _flags, seq, _pid = _HDR.unpack_from(buffer, offset)
        if length < _HDR.size:
            break
        yield kind, seq, memoryview(buffer)[offset + _HDR.size:offset + length]
        offset += (length + 3) & ~3


def decode_route(payload) -> RawRoute | None:
    """An IPv4 main-table route from an RTM_NEWROUTE payload, or None for any other."""
    family, dst_len, _src, _tos, table, proto, scope, kind, _flags = _RTMSG.unpack_from(payload, 0)
    attrs = dict(_attrs(payload, _RTMSG.size))
    table = struct.unpack("=I", attrs[RTA_TABLE])[0] if RTA_TABLE in attrs else table
    if family != socket.AF_INET or table != RT_TABLE_MAIN:
        return None
    dst = socket.inet_ntoa(attrs[RTA_DST]) if RTA_DST in attrs else "0.0.0.0"
    via = socket.inet_ntoa(attrs[RTA_GATEWAY]) if RTA_GATEWAY in attrs else ""
    oif = struct.unpack("=I", attrs[RTA_OIF])[0] if RTA_OIF in attrs else 0
    metric = struct.unpack("=I", attrs[RTA_PRIORITY])[0] if RTA_PRIORITY in attrs else 0
    return RawRoute(f"{dst}/{dst_len}", via, proto, oif, metric, scope, kind)


def _attrs(payload, offset: int):
    end = len(payload)
    while offset + _ATTR.size <= end:
        length, kind = _ATTR.unpack_from(payload, offset)
        if length < _ATTR.size:
            return
        yield kind, bytes(payload[offset + _ATTR.size:offset + length])
        offset += (length + 3) & ~3


class RouteChannel:
    """A NETLINK_ROUTE socket, opened in a named namespace or in this one."""

    def __init__(self, netns: str | None = None) -> None:
        self.sock = run_in(netns, _open) if netns else _open()
        self.chunk = max(16, min(CHUNK, self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) // ERROR_COST))
        self._seq = 0
        self._buffer = bytearray(1 << 20)

    def close(self) -> None:
        self.sock.close()

    def dump(self) -> list[RawRoute]:
        """Every IPv4 route of the main table."""
        seq = self._next_seq()
        body = _RTMSG.pack(socket.AF_INET, 0, 0, 0, RT_TABLE_MAIN, 0, 0, 0, 0)
        self.sock.send(_HDR.pack(_HDR.size + len(body), RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body)
        routes: list[RawRoute] = []
        while True:
            for kind, msg_seq, payload in self._receive():
                if msg_seq != seq:
                    continue
                if kind == NLMSG_DONE:
                    return routes
                if kind == NLMSG_ERROR:
                    _raise(-_ERR.unpack_from(payload, 0)[0], "route dump")
                if kind == RTM_NEWROUTE and (route := decode_route(payload)) is not None:
                    routes.append(route)

    def execute(self, changes: list[tuple[str, str, str, int]]) -> list[int]:
        """Send (op, dst, via, proto) changes in chunks; the errno of each, 0 when done."""
        results = [0] * len(changes)
        for start in range(0, len(changes), self.chunk):
            self._chunk(changes, start, min(start + self.chunk, len(changes)), results)
        return results

    def _chunk(self, changes, start: int, stop: int, results: list[int]) -> None:
        base = self._seq + 1
        self._seq += stop - start
        data = b"".join(encode(op, dst, via, proto, base + i, ack=start + i == stop - 1)
                        for i, (op, dst, via, proto) in enumerate(changes[start:stop]))
        self.sock.send(data)
        last = base + stop - start - 1
        while True:
            for kind, seq, payload in self._receive():
                if kind != NLMSG_ERROR or not base <= seq <= last:
                    continue
                results[start + seq - base] = -_ERR.unpack_from(payload, 0)[0]
                if seq == last:
                    return

    def _receive(self):
        try:
            size = self.sock.recv_into(self._buffer)
        except OSError as exc:
            _raise(exc.errno or errno.EIO, "netlink receive")
        return list(messages(bytes(self._buffer[:size])))

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq


def _open() -> socket.socket:
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sock.bind((0, 0))
    for level, option, value in ((SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1),  # older kernels: filtered here instead
                                 (SOL_NETLINK, NETLINK_CAP_ACK, 1),         # errors without the request echoed
                                 (SOL_NETLINK, NETLINK_EXT_ACK, 0),
                                 (socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)):  # root only; else the default
        try:
            sock.setsockopt(level, option, value)
        except OSError:
            pass
    return sock


def _raise(code: int, what: str):
    raise OSError(code, f"{what}: {errno.errorcode.get(code, code)} ({os.strerror(code)})")
