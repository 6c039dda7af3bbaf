"""Finding 6: a multipart upload without Content-Length skipped the 64 MB cap (80 MB imported, 300 MB read
to the end). Every body is now counted as it streams; the server runs here with a 1 MB cap."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.security.attack import server
from tests.servers import ADMIN_TOKEN, ServerProcess

SCRIPT = """id: cap
title: Cap
start: hi
steps:
  hi:
    text: "Hello"
    result: contacted
"""
CAP = 1024 * 1024
BOUNDARY = "dialer-test-boundary"


@pytest.fixture
def live(tmp_path: Path, clean_redis: str) -> Iterator[ServerProcess]:
    with server(tmp_path, clean_redis, DIALER_MAX_UPLOAD_MB="1") as running, running.client() as admin:
        r = admin.post("/api/scripts", content=SCRIPT, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        r = admin.post("/api/campaigns", json={"id": "cap", "name": "Cap", "script_id": "cap",
                                               "caller_id": "+12025550100"})  # fmt: skip
        assert r.status_code == 201, r.text
        yield running


def csv_rows(total: int) -> Iterator[bytes]:
    """About `total` bytes of a valid call list, in 64 KB pieces."""
    yield b"phone\n"
    sent, n = 0, 0
    while sent < total:
        piece = b"".join(f"+1202{2000000 + n + i:07d}\n".encode() for i in range(4096))
        n += 4096
        sent += len(piece)
        yield piece


def multipart(total: int) -> Iterator[bytes]:
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="list.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    yield from csv_rows(total)
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _post_streamed(live: ServerProcess, path: str, body: Iterator[bytes], content_type: str) -> int | None:
    """Posts `body` chunked (no Content-Length): the status, or None if the server hung up mid-upload."""
    with live.client() as admin:
        try:
            r = admin.post(path, content=body, headers={"Content-Type": content_type}, timeout=60)
        except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
            return None  # it stopped reading: also a refusal; nothing may have been imported
        assert "content-length" not in r.request.headers
        assert r.status_code != 200 or len(r.content) < 10_000
        if r.status_code == 413:
            assert r.json()["error"]["code"] == "payload_too_large"
        return r.status_code


def _contacts(live: ServerProcess) -> int:
    with live.client() as admin:
        return int(admin.get("/api/campaigns/cap/stats").json()["contacts"])


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (lambda: multipart(3 * CAP), f"multipart/form-data; boundary={BOUNDARY}"),
        (lambda: csv_rows(3 * CAP), "text/csv"),
    ],
    ids=["multipart", "csv"],
)
def test_a_chunked_upload_over_the_cap_is_refused_and_imports_nothing(
    live: ServerProcess, body: object, content_type: str
) -> None:
    status = _post_streamed(live, "/api/campaigns/cap/contacts", body(), content_type)  # type: ignore[operator]
    assert status in (413, None)
    assert _contacts(live) == 0


def test_a_chunked_upload_under_the_cap_still_imports(live: ServerProcess) -> None:
    status = _post_streamed(
        live, "/api/campaigns/cap/contacts", multipart(CAP // 4), f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert status == 200
    assert _contacts(live) > 10_000


def test_a_declared_length_over_the_cap_is_refused_before_reading(live: ServerProcess) -> None:
    with live.client() as admin:
        r = admin.post("/api/dnc", content=b"x" * (CAP + 1), headers={"Content-Type": "text/csv"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("content_type", [f"multipart/form-data; boundary={BOUNDARY}", "text/csv"])
def test_an_upload_the_client_abandons_imports_nothing_and_logs_no_error(
    live: ServerProcess, content_type: str
) -> None:
    """A volunteer's laptop closing mid-upload is a normal event: no traceback, no ERROR, nothing imported."""
    head = (
        b"".join(multipart(CAP // 8))
        if content_type.startswith("multipart")
        else b"".join(csv_rows(CAP // 8))
    )
    request = (
        "POST /api/campaigns/cap/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {ADMIN_TOKEN}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {CAP - 1}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        sock.sendall(request + head[: len(head) // 2])
        time.sleep(0.3)  # the server is reading the body
    deadline = time.monotonic() + 10
    while "went away" not in live.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = live.log()
    assert "went away" in log, log[-2000:]
    assert "Traceback" not in log and " ERROR " not in log and "ERROR:" not in log, log[-3000:]
    assert _contacts(live) == 0
