"""Findings 1, 2 and 12: sign-in guessing is counted before the password is checked, one address cannot
lock its neighbours out nor an account's owner out of their account, and guessed bearer tokens count as
failures."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.settings import Settings
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
    allowed = signin_limits.ATTEMPTS_PER_EMAIL_AND_ADDRESS
    assert sorted(statuses) == [401] * allowed + [429] * (40 - allowed)
    counter = f"dialer:{{rl}}:login-email:{hashlib.sha256(b'target@example.org').hexdigest()[:32]}"
    assert int(open_store(clean_redis).get(counter) or 0) == allowed
    # The right password from that address once its limit is reached: refused too.
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
    assert len(checked) <= signin_limits.ATTEMPTS_PER_EMAIL_AND_ADDRESS, statuses
    assert statuses.count(429) >= 40 - signin_limits.ATTEMPTS_PER_EMAIL_AND_ADDRESS
    assert set(statuses) <= {200, 401, 429}


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signin_limits, "FAILURES_PER_ADDRESS", 3)
    monkeypatch.setattr(signin_limits, "HARD_LIMIT_PER_ADDRESS", 12)


def _from(address: str, first: TestClient) -> TestClient:
    """Another client of `first`'s running app, from `address`: it sends through `first`'s event loop,
    where the app's Redis connections live."""
    other = TestClient(first.app, raise_server_exceptions=False, client=(address, 40000))
    other.portal = first.portal
    other.app_state = first.app_state
    return other


def test_guesses_from_one_address_lock_out_that_address_not_the_owner(app_settings: Settings) -> None:
    app = create_app(app_settings)
    with TestClient(app, raise_server_exceptions=False, client=("203.0.113.66", 40000)) as attacker:
        _in_process_signup(attacker, "organizer@example.org")  # sign-ups are not limited per address
        allowed = signin_limits.ATTEMPTS_PER_EMAIL_AND_ADDRESS
        guesses = [{"email": "organizer@example.org", "password": f"guess-{i}"} for i in range(allowed + 3)]
        codes = [attacker.post("/api/auth/login", json=body).status_code for body in guesses]
        assert codes == [401] * allowed + [429] * 3
        right = {"email": "organizer@example.org", "password": PASSWORD}
        assert attacker.post("/api/auth/login", json=right).status_code == 429  # that address waits
        # The organizer, at the office, signs in on the call day all the same.
        owner = _from("198.51.100.20", attacker)
        r = owner.post("/api/auth/login", json=right)
        assert r.status_code == 200, r.text
        # ... and a wrong password of theirs is a plain 401, their own 5 to make.
        assert owner.post("/api/auth/login", json={**right, "password": "typo"}).status_code == 401


def test_guesses_spread_over_many_addresses_are_bounded_per_email(
    app_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signin_limits, "ATTEMPTS_PER_EMAIL", 8)
    app = create_app(app_settings)
    with TestClient(app, raise_server_exceptions=False) as first:
        _in_process_signup(first, "target@example.org")
        codes = []
        for n in range(5):  # 2 guesses from each of 5 addresses: 10 tries at an 8-attempt bar
            guesser = _from(f"192.0.2.{n + 1}", first)
            for i in range(2):
                body = {"email": "target@example.org", "password": f"spread-guess-{n}-{i}"}
                codes.append(guesser.post("/api/auth/login", json=body).status_code)
        assert codes == [401] * 8 + [429] * 2
        fresh = _from("192.0.2.99", first)
        r = fresh.post("/api/auth/login", json={"email": "target@example.org", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


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
