"""A download whose client stops reading (without hanging up) is cut short after the stall limit and gives
its export slot back: four such clients took every slot of the process for good, and nobody could export.
Real sockets against uvicorn in a thread: only a real server has the flow control that makes a send wait."""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from dialer.app import create_app
from dialer.queue import keys
from dialer.settings import Settings
from dialer.web.export_slots import EXPORTS_AT_ONCE, ExportSlots
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.servers import free_port
from tests.stores import open_store

ROWS = 30_000  # ~11 MB of CSV: more than the socket buffers (a loopback send buffer grows to 4 MB) hold
NOTE = "Asked about the library levy and the bus routes; call back after the school board meeting. " * 4


def until(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Waits for `condition` (checked every 20 ms), failing after `seconds` with `what`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.02)


@pytest.fixture
def served(app_settings: Settings, clean_redis: str) -> Iterator[tuple[str, Any]]:
    store = open_store(clean_redis)
    store.set(keys.script_latest("s"), 1)
    settings = dataclasses.replace(app_settings, export_stall_seconds=0.5)
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        until(lambda: server.started, "the server started")
        base = f"http://127.0.0.1:{port}"
        body = {"id": "ex", "name": "Export day", "script_id": "s", "caller_id": "+13125550199"}
        assert httpx.post(f"{base}/api/campaigns", json=body, headers=ADMIN).status_code == 201
        with store.pipeline(transaction=False) as pipe:
            for i in range(ROWS):
                entry = {"contact_id": str(i), "result": "contacted", "volunteer": "v1", "attempt": "1",
                         "recorded_at": "1800000000", "notes": NOTE}  # fmt: skip
                pipe.xadd(keys.results("ex"), entry)  # type: ignore[arg-type]
            pipe.execute()
        yield base, app
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def stalled_download(port: int, path: str) -> socket.socket:
    """A client that asks for `path` and then reads nothing (a small receive window, soon full)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\r\n"
    sock.sendall(request.encode())
    return sock


def read_to_the_end(sock: socket.socket) -> bytes:
    sock.settimeout(30)
    data = bytearray()
    while chunk := sock.recv(1 << 16):
        data += chunk
    return bytes(data)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.getMessage()))


@pytest.fixture
def server_log() -> Iterator[Lines]:
    """What the server (uvicorn.error) and the export (at WARNING) say, as the operator's log would."""
    handler = Lines()
    loggers = [logging.getLogger("uvicorn.error"), logging.getLogger("dialer.web.export_slots")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def test_a_client_that_stops_reading_is_cut_off_and_frees_its_slot(
    served: tuple[str, Any], server_log: Lines
) -> None:
    base, app = served
    port = int(base.rsplit(":", 1)[1])
    path = "/api/campaigns/ex/results.csv"
    slots: Callable[[], ExportSlots] = lambda: app.state.deps.services["exports"]  # noqa: E731
    stalled = [stalled_download(port, path)]
    until(
        lambda: "exports" in app.state.deps.services and slots().in_use == 1, "the first download took a slot"
    )
    stalled += [stalled_download(port, path) for _ in range(EXPORTS_AT_ONCE - 1)]
    try:
        until(lambda: slots().in_use == EXPORTS_AT_ONCE, "every slot taken by a stalled download")
        # The stalled downloads end by themselves (none of them read a byte more) and free their slots.
        until(lambda: slots().in_use == 0, "the stalled downloads gave their slots back")
        full = httpx.get(f"{base}{path}", headers=ADMIN, timeout=60)
        assert full.status_code == 200 and full.text.count("\r\n") == ROWS + 1
        for sock in stalled:  # each was cut short: the connection ends before the file does
            got = read_to_the_end(sock)
            assert got.startswith(b"HTTP/1.1 200 OK") and len(got) < len(full.content)
        # Said once each, as what it is (the client stopped reading), and not as a server error.
        cuts = [line for line in server_log.lines if "cut short" in line[1]]
        assert [level for level, _ in cuts] == [logging.WARNING] * EXPORTS_AT_ONCE
        assert not [line for line in server_log.lines if line[0] >= logging.ERROR], server_log.lines
    finally:
        for sock in stalled:
            sock.close()
