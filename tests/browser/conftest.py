"""Headless Chromium (the system's /usr/bin/chromium) against a running server with the simulated carrier."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser.harness import Running, running_server
from tests.e2e.calling import STAYS_ON_THE_LINE, midday_zone

# The session's Playwright and Chromium (`playwright`, `browser`) are in tests/conftest.py: the security
# tests drive the same browser.


@pytest.fixture
def server(tmp_path: Path, clean_redis: str) -> Iterator[Running]:
    """The server under test; its simulated voters answer and stay on the line, so a test walks the script
    with a voter to talk to (tests of unanswered calls start their own with another profile)."""
    with running_server(tmp_path, clean_redis, env={"DIALER_SIM_PROFILE": STAYS_ON_THE_LINE}) as running:
        yield running


@pytest.fixture
def shots(output_dir: Path) -> Path:
    path = output_dir / "pages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def seed_contacts(server: Running, campaign_id: str, rows: list[tuple[str, str, str]]) -> None:
    """The call list through the API, as an organizer uploads it. The voters live where it is about noon
    (`midday_zone`), so their calling hours are open whenever the test runs."""
    zone = midday_zone(time.time())
    csv = "phone,first_name,last_name,state,timezone\n" + "".join(
        f"{p},{f},{last},DC,{zone}\n" for p, f, last in rows
    )
    with server.client() as admin:
        r = admin.post(
            f"/api/campaigns/{campaign_id}/contacts", content=csv, headers={"Content-Type": "text/csv"}
        )
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == len(rows), r.text


def make_user(server: Running, email: str, name: str, role: str | None = None) -> str:
    """A signed-up account (role raised by the admin token when given); returns its bearer token."""
    with httpx.Client(base_url=server.base_url, timeout=10) as anon:
        r = anon.post("/api/auth/signup", json={"email": email, "name": name, "password": "a long password"})
        assert r.status_code == 201, r.text
        body = r.json()
    if role:
        with server.client() as admin:
            assert admin.put(f"/api/users/{body['user']['id']}/role", json={"role": role}).status_code == 200
    return str(body["token"])
