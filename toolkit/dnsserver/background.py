"""The server on its own event loop in a background thread: for hosts such as the TUI, and for tests."""

from __future__ import annotations

import asyncio
import threading

from toolkit.dnsserver.runtime import Options, Service
from toolkit.dnsserver.source import ZoneSource


class Background:
    """Starts a Service in a daemon thread; `bound` is where it listens; `stop()` closes it and joins the thread.

    `observer(client_ip, query_bytes, reply_bytes, seconds)` is called on the server's thread for every
    UDP and TCP reply (keep it cheap: append to a bounded deque, post a message); `seconds` is the time
    from the server taking the query off the socket to handing the reply back (clocked only when an
    observer is set).
    Give it a registry of its own (`Registry.open(settings)`): the watcher reads the generation
    every few milliseconds, and a write on a shared connection would hold it up.
    """

    def __init__(self, settings, registry: ZoneSource, options: Options | None = None, observer=None) -> None:
        try:
            import uvloop
            self.loop = uvloop.new_event_loop()
        except ImportError:
            self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="vpcep-dns", daemon=True)
        self.thread.start()
        self.service: Service | None = None
        try:
            self.bound = self.call(self._start(settings, registry, options or Options(), observer))
        except BaseException:
            self._halt()
            raise

    async def _start(self, settings, registry: ZoneSource, options: Options, observer):
        self.service = Service(settings, registry, options)
        self.service.server.observer = observer
        return await self.service.start()

    def call(self, coroutine, timeout: float = 10):
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        if self.service is not None:
            self.call(self.service.close())
            self.service = None
        self._halt()

    def _halt(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
