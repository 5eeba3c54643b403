"""Batched UDP on 64-bit Linux: recvmmsg/sendmmsg through ctypes, one system call each way per batch."""

from __future__ import annotations

import ctypes
import ctypes.util
import socket
import struct
import sys

COUNT, SIZE, NAME, MSG = 64, 4096, 28, 64  # datagrams per batch, bytes per slot, sockaddr slot, sizeof(mmsghdr)
MSG_DONTWAIT, MSG_TRUNC = 0x40, 0x20
HEADER = struct.Struct("QI4xQQQQi4x")  # struct msghdr: name, namelen, iov, iovlen, control, controllen, flags
IOVEC = struct.Struct("QQ")
LENGTH = struct.Struct("I")  # mmsghdr.msg_len, right after the msghdr
POINTER = struct.Struct("Q")
FLAGS = struct.Struct("i")  # msghdr.msg_flags


def available() -> bool:
    """Only where the struct layout above holds: Linux, 64-bit, a libc with recvmmsg."""
    if not sys.platform.startswith("linux") or sys.maxsize <= 2**32:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return hasattr(libc, "recvmmsg") and hasattr(libc, "sendmmsg")
    except OSError:
        return False


class Slots:
    """Receive and send arrays over fixed buffers; replies reuse the sender's address slot."""

    def __init__(self, sock: socket.socket) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        self.recvmmsg, self.sendmmsg = libc.recvmmsg, libc.sendmmsg
        self.recvmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_void_p]
        self.sendmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int]
        self.fd, self.family = sock.fileno(), sock.family
        name_len = 16 if self.family == socket.AF_INET else NAME
        self._buffers = [ctypes.create_string_buffer(n) for n in (COUNT * SIZE, COUNT * SIZE, COUNT * NAME,
                                                                    COUNT * 16, COUNT * 16, COUNT * MSG, COUNT * MSG)]
        rbuf, sbuf, names, riov, siov, rmsg, smsg = self._buffers
        self.names_at = ctypes.addressof(names)
        for i in range(COUNT):
            IOVEC.pack_into(riov, i * 16, ctypes.addressof(rbuf) + i * SIZE, SIZE)
            IOVEC.pack_into(siov, i * 16, ctypes.addressof(sbuf) + i * SIZE, 0)
            for iov, msg in ((riov, rmsg), (siov, smsg)):
                HEADER.pack_into(msg, i * MSG, self.names_at + i * NAME, name_len, ctypes.addressof(iov) + i * 16,
                                 1, 0, 0, 0)
        self.rmsg_at, self.smsg_at = ctypes.addressof(rmsg), ctypes.addressof(smsg)
        self.data, self.out, self.peers, _, self.siov, self.rmsg, self.smsg = (
            memoryview(b).cast("B") for b in (rbuf, sbuf, names, riov, siov, rmsg, smsg))
        self.address = slice(4, 8) if self.family == socket.AF_INET else slice(8, 24)

    def receive(self) -> int:
        """How many datagrams arrived (0 when none are waiting)."""
        return max(0, self.recvmmsg(self.fd, self.rmsg_at, COUNT, MSG_DONTWAIT, None))

    def length(self, i: int) -> int:
        """Bytes in datagram i; -1 when it did not fit a slot (MSG_TRUNC): such a packet is dropped."""
        if FLAGS.unpack_from(self.rmsg, i * MSG + 48)[0] & MSG_TRUNC:
            return -1
        return LENGTH.unpack_from(self.rmsg, i * MSG + 56)[0]

    def peer_key(self, i: int) -> bytes:
        """The sender's raw address bytes: a cheap key for its ACL level."""
        return bytes(self.peers[i * NAME + self.address.start:i * NAME + self.address.stop])

    def peer(self, i: int) -> tuple:
        """The sender as (ip, port), as socket.recvfrom gives it."""
        raw = bytes(self.peers[i * NAME:i * NAME + NAME])
        port = int.from_bytes(raw[2:4], "big")
        if self.family == socket.AF_INET:
            return socket.inet_ntop(socket.AF_INET, raw[4:8]), port
        return socket.inet_ntop(socket.AF_INET6, raw[8:24]), port, 0, 0

    def queue(self, slot: int, i: int, qid, reply: bytes) -> bool:
        """Put `qid + reply` for datagram i in send slot `slot`; False when it does not fit a slot."""
        size = len(reply) + 2
        if size > SIZE:
            return False
        at = slot * SIZE
        self.out[at:at + 2] = qid
        self.out[at + 2:at + size] = reply
        POINTER.pack_into(self.siov, slot * 16 + 8, size)
        POINTER.pack_into(self.smsg, slot * MSG, self.names_at + i * NAME)
        return True

    def send(self, count: int) -> None:
        if count:
            self.sendmmsg(self.fd, self.smsg_at, count, 0)  # UDP: what the kernel cannot take is dropped
