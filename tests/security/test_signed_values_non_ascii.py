"""Signed values compared with hmac.compare_digest, which raises TypeError for a str with non-ASCII
characters: a session cookie or a signed voicemail link carrying one must be refused (401, 403), not
answered with a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.settings import Settings
from dialer.voicemail_audio import verify
from dialer.web.auth import SESSION_COOKIE, unsign_cookie
from tests.conftest import ADMIN_TOKEN


@pytest.fixture
def client(clean_redis: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(redis_url=clean_redis, data_dir=tmp_path, secret_key="s", admin_token=ADMIN_TOKEN)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_a_non_ascii_session_cookie_is_refused(client: TestClient) -> None:
    for value in ("abc.\u00e9", "\u00e9.abc", "t\u00e9st"):
        r = client.get("/api/campaigns", headers={"Cookie": f"{SESSION_COOKIE}={value}".encode("latin-1")})
        assert r.status_code == 401, (value, r.text)


def test_a_non_ascii_media_signature_is_refused(client: TestClient) -> None:
    for sig in ("%C3%A9", "abc%E2%80%8B"):
        r = client.get(f"/media/voicemail/dc/audio1?expires=99999999999&sig={sig}")
        assert r.status_code == 403, (sig, r.text)
    r = client.get("/media/voicemail/dc/%C3%A9?expires=99999999999&sig=abc")
    assert r.status_code == 403, r.text


def test_the_pure_checks_say_no() -> None:
    assert unsign_cookie("abc.\u00e9", "s") is None
    assert verify("s", "dc", "a", "99999999999", "\u00e9", 0.0) is False
