"""What the DNS server needs from the registry, as a protocol: the registry passes itself in (dnsserver sits below it)."""

from __future__ import annotations

from typing import Protocol

from toolkit.model.network import Identity


class PrivateRecord(Protocol):
    """E5: one A record of a private zone."""

    @property
    def name(self) -> str: ...

    @property
    def ip(self) -> str: ...

    @property
    def endpoint_id(self) -> str: ...


class ZoneSource(Protocol):
    """The private records to serve, the identity that names their zone, and a generation that moves on change."""

    @property
    def identity(self) -> Identity: ...

    def private_records(self) -> list[PrivateRecord]: ...

    def generation(self) -> int: ...
