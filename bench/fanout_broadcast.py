"""The baseline of bench/fanout.py: a bare `websockets` server that hands one frame to every socket with
`websockets.broadcast`, the library's own fan-out (one frame per socket, no task per socket).

Run by bench/fanout.py as a child process: `python bench/fanout_broadcast.py PORT`. A socket on
`/control` sends text frames; each one is broadcast to every other socket (and kept, so that a socket
opening later gets the latest one at once, as an organizer socket gets its first `stats`).
No permessage-deflate and the library's default keepalive pings, as `dialer serve` runs.
"""

from __future__ import annotations

import asyncio
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve

clients: set[ServerConnection] = set()
latest = ""


async def handler(ws: ServerConnection) -> None:
    global latest
    if ws.request is not None and ws.request.path == "/control":
        async for frame in ws:
            latest = str(frame)
            broadcast(clients, latest)
        return
    clients.add(ws)
    try:
        if latest:
            await ws.send(latest)
        await ws.wait_closed()
    finally:
        clients.discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None):
        await asyncio.get_running_loop().create_future()  # until terminated


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
