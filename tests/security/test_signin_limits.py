"""Findings 1, 2 and 12: sign-in guessing is counted before the password is checked, one address cannot
lock its neighbours out, and guessed bearer tokens count as failures."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from dialer.stores import signin_limits
from tests.conftest import bearer
from tests.security.attack import PASSWORD, concurrently, server, signup
from tests.servers import ServerProcess
from tests.stores import open_store


@pytest.fixture
def live(tmp_path: Path, clean_redis: str) -> Iterator[ServerProcess]:
    with server(tmp_path, clean_redis) as running:
        yield running


def _login(email: str, password: str, base_url: str):  # type: ignore[no-untyped-def]
    async def send(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(f"{base_url}/api/auth/login", json={"email": email, "password": password})

    return send


def test_concurrent_guesses_are_counted_before_the_password_is_checked(
    live: ServerProcess, clean_redis: str
) -> None:
    signup(live.base_url, "target@example.org")
    statuses = asyncio.run(
        concurrently([_login("target@example.org", f"guess-number-{i}", live.base_url) for i in range(40)])
    )
    # Exactly the allowed attempts reached the password check; every other one was refused outright.
    assert sorted(statuses) == [401] * signin_limits.ATTEMPTS_PER_EMAIL + [429] * (
        40 - signin_limits.ATTEMPTS_PER_EMAIL
    )
    counter = f"dialer:{{rl}}:login-email:{hashlib.sha256(b'target@example.org').hexdigest()[:32]}"
    assert int(open_store(clean_redis).get(counter) or 0) == signin_limits.ATTEMPTS_PER_EMAIL
    # The right password once the limit is reached: refused too.
    r = httpx.post(
        f"{live.base_url}/api/auth/login", json={"email": "target@example.org", "password": PASSWORD}
    )
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_a_right_password_as_the_40th_concurrent_guess_is_checked_only_within_the_limit(
    live: ServerProcess,
) -> None:
    signup(live.base_url, "other@example.org")
    guesses = [_login("other@example.org", f"guess-number-{i}", live.base_url) for i in range(39)]
    statuses = asyncio.run(concurrently([*guesses, _login("other@example.org", PASSWORD, live.base_url)]))
    checked = [s for s in statuses if s in (200, 401)]
    assert len(checked) <= signin_limits.ATTEMPTS_PER_EMAIL, statuses
    assert statuses.count(429) >= 40 - signin_limits.ATTEMPTS_PER_EMAIL
    assert set(statuses) <= {200, 401, 429}


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signin_limits, "FAILURES_PER_ADDRESS", 3)
    monkeypatch.setattr(signin_limits, "HARD_LIMIT_PER_ADDRESS", 12)


def _in_process_signup(api: TestClient, email: str) -> str:
    r = api.post("/api/auth/signup", json={"email": email, "name": "V", "password": PASSWORD})
    assert r.status_code == 201, r.text
    api.cookies.clear()
    return str(r.json()["token"])


def test_failures_from_one_address_do_not_refuse_right_passwords(api: TestClient, small_limits: None) -> None:
    _in_process_signup(api, "known@example.org")
    sprayed = [{"email": f"sprayed{i}@example.org", "password": PASSWORD} for i in range(5)]
    codes = [api.post("/api/auth/login", json=body).status_code for body in sprayed]
    assert codes == [401, 401, 401, 429, 429]  # past the soft limit a wrong password is answered 429
    r = api.post("/api/auth/login", json={"email": "known@example.org", "password": PASSWORD})
    assert r.status_code == 200, r.text
    # A new volunteer on the same network signs up and signs in.
    _in_process_signup(api, "newcomer@example.org")
    r = api.post("/api/auth/login", json={"email": "newcomer@example.org", "password": PASSWORD})
    assert r.status_code == 200, r.text


def test_past_the_much_higher_bar_every_sign_in_from_the_address_waits(
    api: TestClient, small_limits: None
) -> None:
    _in_process_signup(api, "known@example.org")
    for i in range(signin_limits.HARD_LIMIT_PER_ADDRESS):
        r = api.post("/api/auth/login", json={"email": f"sprayed{i}@example.org", "password": "wrong-guess"})
        assert r.status_code in (401, 429)
    r = api.post("/api/auth/login", json={"email": "known@example.org", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    # Sign-ups are never limited per address.
    _in_process_signup(api, "still-welcome@example.org")


def test_guessed_bearer_tokens_count_toward_the_address_limit(api: TestClient, small_limits: None) -> None:
    token = _in_process_signup(api, "known@example.org")
    for i in range(signin_limits.FAILURES_PER_ADDRESS):
        assert api.get("/api/me", headers=bearer(f"guessed-token-{i}")).status_code == 401
    r = api.post("/api/auth/login", json={"email": "known@example.org", "password": "a wrong guess"})
    assert r.status_code == 429  # the address is past its soft limit
    assert api.get("/api/me", headers=bearer(token)).status_code == 200  # real tokens still work
    r = api.post("/api/auth/login", json={"email": "known@example.org", "password": PASSWORD})
    assert r.status_code == 200
