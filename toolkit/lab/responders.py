"""TCP stand-ins for endpoint backends and OBS: accept, say who answered, close (`python -m toolkit.lab.responders ADDR:PORT ...`)."""

from __future__ import annotations

import asyncio
import signal
import sys

IDLE = 5.0
"""Seconds a connection may stay open without sending anything."""


def banner(host: str, port: int) -> bytes:
    return f"vpcep-lab {host}:{port}\r\n".encode()


async def _serve_one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, port: int) -> None:
    try:
        writer.write(banner(host, port))
        await writer.drain()
        first = await asyncio.wait_for(reader.readline(), IDLE)
        if first.startswith((b"GET ", b"HEAD ")):
            writer.write(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\nServer: vpcep-lab\r\n\r\n")
            await writer.drain()
    except (asyncio.TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(addresses: list[tuple[str, int]]) -> None:
    """Listen on every address, print one `ready` line, run until SIGTERM."""
    servers = [await asyncio.start_server(lambda r, w, h=host, p=port: _serve_one(r, w, h, p), host, port)
               for host, port in addresses]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"ready: {len(servers)} responder(s)", flush=True)
    await stop.wait()
    for server in servers:
        server.close()


def parse(items: list[str]) -> list[tuple[str, int]]:
    from toolkit.config import host_port

    return [host_port(item) for item in items]


def main(argv: list[str] | None = None) -> int:
    addresses = parse(sys.argv[1:] if argv is None else argv)
    if not addresses:
        print("usage: python -m toolkit.lab.responders ADDR:PORT [ADDR:PORT ...]", file=sys.stderr)
        return 2
    asyncio.run(serve(addresses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
