"""Slow clients: headers that dribble in and bodies that stop arriving are cut off with 408, and the server
goes on answering everyone else. Before, both held their connection for as long as the client liked."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.security.attack import server
from tests.servers import ADMIN_TOKEN, ServerProcess


@pytest.fixture
def live(tmp_path: Path, clean_redis: str) -> Iterator[ServerProcess]:
    with server(tmp_path, clean_redis, DIALER_HEADER_TIMEOUT="2", DIALER_BODY_TIMEOUT="2") as running:
        yield running


def read_answer(sock: socket.socket, timeout: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took."""
    started = time.monotonic()
    sock.settimeout(timeout)
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data, time.monotonic() - started
        data += chunk


def test_headers_that_dribble_in_get_408_and_the_connection_closes(live: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        answer = b""
        try:
            for _ in range(6):  # a header byte every half second, never the blank line
                time.sleep(0.5)
                sock.sendall(b"X")
        except OSError:
            pass  # closed on us mid-dribble: what should happen
        answer, _ = read_answer(sock, 10)
        took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert 1.5 < took < 6, took
    assert httpx.get(f"{live.base_url}/healthz").status_code == 200  # everyone else is served


def test_a_connection_that_never_sends_a_request_is_closed(live: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        answer, took = read_answer(sock, 10)
    assert answer.startswith(b"HTTP/1.1 408") and took < 6, (answer, took)


def test_a_body_that_stops_arriving_gets_408(live: ServerProcess) -> None:
    request = (
        "POST /api/dnc HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {ADMIN_TOKEN}\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\n"
        "phone\n+12025550100\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        sock.sendall(request)
        answer, took = read_answer(sock, 15)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"request_timeout" in answer and took < 8, (answer, took)
    with live.client() as admin:  # nothing of the unfinished list was added
        assert admin.get("/api/campaigns").status_code == 200
    assert "Traceback" not in live.log(), live.log()[-3000:]


def test_a_slow_but_steady_upload_and_kept_alive_requests_are_not_cut(live: ServerProcess) -> None:
    def steady() -> Iterator[bytes]:
        yield b"phone\n"
        for i in range(4):  # 3 s in all, a piece every 0.75 s: slower than the limit in total, never idle
            time.sleep(0.75)
            yield f"+1202555{100 + i:04d}\n".encode()

    with live.client() as admin:
        r = admin.post("/api/dnc", content=steady(), headers={"Content-Type": "text/csv"}, timeout=30)
        assert r.status_code == 200, r.text
        time.sleep(1)  # idle between requests on the same connection: the keep-alive rule, not ours
        assert admin.get("/api/campaigns").status_code == 200
